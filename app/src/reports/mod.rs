//! Accreditation reporting: completion counts and the export for administrators.
//! The reports page, its data and server function.

pub mod api;
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
}
