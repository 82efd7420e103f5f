//! The catalog server functions: thin, each says who may call it, then hands over to the
//! backend ([`super::CatalogBackend`]).

use crate::accounts::Profession;
#[cfg(feature = "ssr")]
use crate::api::answer;
use crate::catalog::{CatalogFilter, CourseCard, CourseDetail, CreditType, LessonPage};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

/// Turns the catalog's query-string values into a filter, naming the field that is wrong.
pub fn parse_filter(
    profession: Option<&str>,
    credit: Option<&str>,
) -> Result<CatalogFilter, AppError> {
    let profession = match profession.filter(|s| !s.is_empty()) {
        None => None,
        Some(slug) => Some(Profession::from_slug(slug).ok_or_else(|| {
            AppError::validation(
                "profession",
                format!("\"{slug}\" is not a profession we list"),
            )
        })?),
    };
    let credit = match credit.filter(|s| !s.is_empty()) {
        None => None,
        Some(slug) => Some(CreditType::from_slug(slug).ok_or_else(|| {
            AppError::validation(
                "credit",
                format!("\"{slug}\" is not a credit type we offer"),
            )
        })?),
    };
    Ok(CatalogFilter { profession, credit })
}

#[server(input = GetUrl, prefix = "/api", endpoint = "courses")]
pub async fn list_courses(
    profession: Option<String>,
    credit: Option<String>,
) -> Result<Vec<CourseCard>, AppError> {
    answer(
        async {
            let filter = parse_filter(profession.as_deref(), credit.as_deref())?;
            crate::service::backend()?.courses(&filter).await
        }
        .await,
    )
}

#[server(input = GetUrl, prefix = "/api", endpoint = "course")]
pub async fn get_course(slug: String) -> Result<CourseDetail, AppError> {
    answer(async { crate::service::backend()?.course(&slug).await }.await)
}

#[server(input = GetUrl, prefix = "/api", endpoint = "lesson")]
pub async fn get_lesson(course: String, lesson: String) -> Result<LessonPage, AppError> {
    answer(async { crate::service::backend()?.lesson(&course, &lesson).await }.await)
}

/// Anyone: whether the site runs on a rehearsal clock, and from when (for the banner).
#[server(input = GetUrl, prefix = "/api", endpoint = "clock")]
pub async fn rehearsal_clock() -> Result<Option<String>, AppError> {
    answer(async { crate::service::backend()?.rehearsal_clock().await }.await)
}
