//! The transcript page's data: the signed-in learner's own credits in a date range.

use crate::backend::{ServerBackend, signed_in};
use app::error::AppError;
use app::transcript::TranscriptBackend;
use app::transcript::TranscriptPage;

#[async_trait::async_trait]
impl TranscriptBackend for ServerBackend {
    async fn transcript(&self, from: &str, to: &str) -> Result<TranscriptPage, AppError> {
        let viewer = signed_in()?;
        let (from, to) = crate::transcript::parse_range(from, to)
            .map_err(|(field, message)| AppError::validation(field, message))?;
        let state = self.form_state("transcript").await?;
        crate::transcript::transcript(&self.pool, viewer.id, &from, &to, state)
            .await
            .map_err(AppError::from)
    }
}
