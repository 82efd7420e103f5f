//! Email as administrators see it: the outbox (`/admin/outbox`) with queued, sent and failed
//! messages and a retry for a failed one. The messages themselves are built and sent by the
//! server's mail domain.

pub mod api;
mod model;
pub mod outbox;

pub use model::*;

#[cfg(feature = "ssr")]
use crate::error::AppError;

/// What the mail pages ask the server for; implemented in the server crate.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait MailBackend: Send + Sync + 'static {
    /// Administrators only: one page of the outbox, optionally one status only.
    async fn outbox(&self, status: Option<MailStatus>, page: u32) -> Result<OutboxPage, AppError>;
}
