//! The credit page's data: completion, the evaluation and the claim of the signed-in learner.

use crate::backend::{ServerBackend, signed_in};
use crate::enrollment::pages::not_enrolled;
use app::error::AppError;
use app::learning::CreditBackend;
use app::learning::CreditPage;

#[async_trait::async_trait]
impl CreditBackend for ServerBackend {
    async fn credit(&self, course: &str) -> Result<CreditPage, AppError> {
        let viewer = signed_in()?;
        let evaluation = self.form_state("evaluation").await?;
        let claim = self.form_state("claim").await?;
        crate::credit::store::credit_page(&self.pool, viewer.id, course, evaluation, claim)
            .await
            .map_err(AppError::from)?
            .ok_or_else(|| not_enrolled(course, "credit page"))
    }
}
