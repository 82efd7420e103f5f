//! The mail server functions: thin, each says who may call it, then hands over to the
//! backend ([`super::MailBackend`]).

#[cfg(feature = "ssr")]
use crate::api::answer;
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

/// Administrators only: the outbox, one status or all, one page at a time.
#[server(input = GetUrl, prefix = "/api", endpoint = "admin-outbox")]
pub async fn admin_outbox(
    status: Option<String>,
    page: Option<u32>,
) -> Result<crate::mail::OutboxPage, AppError> {
    answer(
        async {
            let status = match status.as_deref().map(str::trim) {
                None | Some("" | "all") => None,
                Some(slug) => Some(crate::mail::MailStatus::from_slug(slug).ok_or_else(|| {
                    AppError::validation("status", "choose queued, sent, failed or all")
                })?),
            };
            crate::service::backend()?
                .outbox(status, page.unwrap_or(1))
                .await
        }
        .await,
    )
}
