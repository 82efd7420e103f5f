//! The reports server functions: thin, each says who may call it, then hands over to the
//! backend ([`super::ReportsBackend`]).

#[cfg(feature = "ssr")]
use crate::api::answer;
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

/// Administrators only: completion counts for the accreditation export.
#[server(input = GetUrl, prefix = "/api", endpoint = "report")]
pub async fn report_page(
    activity: Option<String>,
    from: Option<String>,
    to: Option<String>,
) -> Result<crate::reports::ReportPage, AppError> {
    answer(
        async {
            crate::service::backend()?
                .report(
                    activity.as_deref().unwrap_or_default(),
                    from.as_deref().unwrap_or_default(),
                    to.as_deref().unwrap_or_default(),
                )
                .await
        }
        .await,
    )
}

/// Administrators only: the console's index and the latest audit log entries.
#[server(input = GetUrl, prefix = "/api", endpoint = "admin-console")]
pub async fn admin_console() -> Result<crate::reports::AdminConsole, AppError> {
    answer(async { crate::service::backend()?.console().await }.await)
}
