//! The attendance server functions: thin, each says who may call it, then hands over to the
//! backend ([`super::AttendanceBackend`]).

#[cfg(feature = "ssr")]
use crate::api::answer;
use crate::attendance::{AttendancePage, CodeScreen};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

/// The webinar's organizers and administrators only.
#[server(input = GetUrl, prefix = "/api", endpoint = "webinar-attendance")]
pub async fn webinar_attendance(slug: String) -> Result<AttendancePage, AppError> {
    answer(async { crate::service::backend()?.attendance(&slug).await }.await)
}

/// The webinar's organizers and administrators only.
#[server(input = GetUrl, prefix = "/api", endpoint = "webinar-code")]
pub async fn webinar_code(slug: String) -> Result<CodeScreen, AppError> {
    answer(async { crate::service::backend()?.code_screen(&slug).await }.await)
}
