//! The certificates server functions: thin, each says who may call it, then hands over to the
//! backend ([`super::CertificatesBackend`]).

#[cfg(feature = "ssr")]
use crate::api::answer;
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

/// A certificate: its learner or an administrator only.
#[server(input = GetUrl, prefix = "/api", endpoint = "certificate")]
pub async fn certificate_page(
    code: String,
) -> Result<crate::certificates::CertificatePage, AppError> {
    answer(async { crate::service::backend()?.certificate(&code).await }.await)
}

/// Public verification of a certificate code. Anyone (rate-limited per client).
#[server(input = GetUrl, prefix = "/api", endpoint = "verify")]
pub async fn verify_certificate(
    code: String,
) -> Result<crate::certificates::CertificateView, AppError> {
    answer(async { crate::service::backend()?.verify(&code).await }.await)
}

/// Administrators only: the certificate console.
#[server(input = GetUrl, prefix = "/api", endpoint = "admin-certificates")]
pub async fn admin_certificates() -> Result<crate::certificates::AdminCertificatesPage, AppError> {
    answer(async { crate::service::backend()?.admin_certificates().await }.await)
}
