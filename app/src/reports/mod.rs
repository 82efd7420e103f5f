//! Accreditation reporting: completion counts and the export for administrators, and the
//! administrators' console (`/admin`) with the audit log. Pages, data and server functions.

pub mod api;
pub mod console;
mod model;
pub mod page;

pub use model::*;

#[cfg(feature = "ssr")]
use crate::error::AppError;

/// What the reports pages ask the server for; implemented in the server crate.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait ReportsBackend: Send + Sync + 'static {
    /// Administrators only: completion counts for the accreditation export.
    async fn report(&self, activity: &str, from: &str, to: &str) -> Result<ReportPage, AppError>;
    /// Administrators only: the console's index with the latest audit log entries.
    async fn console(&self) -> Result<AdminConsole, AppError>;
}
