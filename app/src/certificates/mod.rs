//! Certificates: the learner's certificate, public verification and the administrators' console.
//! The certificate and verification pages and the administrators' certificate console, their data and server functions.

pub mod admin_certificates;
pub mod api;
pub mod certificate;
mod model;

pub use model::*;

#[cfg(feature = "ssr")]
use crate::error::AppError;

/// What the certificates pages ask the server for; implemented in the server crate.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait CertificatesBackend: Send + Sync + 'static {
    /// A certificate for its learner or an administrator.
    async fn certificate(&self, code: &str) -> Result<CertificatePage, AppError>;

    /// Public verification: every field and the status.
    async fn verify(&self, code: &str) -> Result<CertificateView, AppError>;

    /// Administrators only: issue by hand, bulk preview, the latest certificates.
    async fn admin_certificates(&self) -> Result<AdminCertificatesPage, AppError>;
}
