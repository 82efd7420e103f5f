//! The webinar server functions: thin, each says who may call it, then hands over to the
//! backend ([`super::WebinarsBackend`]).

#[cfg(feature = "ssr")]
use crate::accounts::Profession;
#[cfg(feature = "ssr")]
use crate::api::answer;
use crate::error::AppError;
use crate::webinars::{CalendarSettings, RegistrationsPage, WebinarList, WebinarPage};
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

/// Anyone: published webinars, optionally for one profession.
#[server(input = GetUrl, prefix = "/api", endpoint = "webinars")]
pub async fn list_webinars(profession: Option<String>) -> Result<WebinarList, AppError> {
    answer(
        async {
            let profession = match profession.as_deref().filter(|p| !p.is_empty()) {
                None => None,
                Some(slug) => Some(Profession::from_slug(slug).ok_or_else(|| {
                    AppError::validation(
                        "profession",
                        format!("\"{slug}\" is not a profession we list"),
                    )
                })?),
            };
            crate::service::backend()?.webinars(profession).await
        }
        .await,
    )
}

/// Anyone: one published webinar.
#[server(input = GetUrl, prefix = "/api", endpoint = "webinar")]
pub async fn get_webinar(slug: String) -> Result<WebinarPage, AppError> {
    answer(
        async {
            let backend = crate::service::backend()?;
            let mut page = backend.webinar(&slug).await?;
            page.attendance = backend.learner_attendance(&slug).await?;
            Ok(page)
        }
        .await,
    )
}

/// The webinar's organizers and administrators only: its registrations and waitlist.
#[server(input = GetUrl, prefix = "/api", endpoint = "webinar-registrations")]
pub async fn webinar_registrations(slug: String) -> Result<RegistrationsPage, AppError> {
    answer(async { crate::service::backend()?.registrations(&slug).await }.await)
}

/// Signed in: the time-zone choices and the state of the private calendar feed.
#[server(input = GetUrl, prefix = "/api", endpoint = "calendar-settings")]
pub async fn my_calendar_settings() -> Result<CalendarSettings, AppError> {
    answer(async { crate::service::backend()?.calendar_settings().await }.await)
}
