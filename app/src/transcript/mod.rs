//! The transcript: a learner's verified and self-reported credit by period.
//! The transcript page, its data and server function.

pub mod api;
mod model;
pub mod page;

pub use model::*;

#[cfg(feature = "ssr")]
use crate::error::AppError;

/// What the transcript pages ask the server for; implemented in the server crate.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait TranscriptBackend: Send + Sync + 'static {
    /// The signed-in learner's transcript in a date range (ISO dates; empty = open).
    async fn transcript(&self, from: &str, to: &str) -> Result<TranscriptPage, AppError>;
}
