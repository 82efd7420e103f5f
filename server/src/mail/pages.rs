//! The outbox page's data.

use crate::backend::{ServerBackend, admin};
use crate::error::Error;
use app::error::AppError;
use app::mail::{MailBackend, MailStatus, OutboxPage};

#[async_trait::async_trait]
impl MailBackend for ServerBackend {
    async fn outbox(&self, status: Option<MailStatus>, page: u32) -> Result<OutboxPage, AppError> {
        admin()?;
        super::store::page(&self.pool, status, page, self.mail.transport.describe())
            .await
            .map_err(|error| Error::from(error).into())
    }
}
