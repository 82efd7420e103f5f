//! Server functions: thin, each one declares who may call it, then hands over to the backend.
//!
//! Access: every function here reads published content and is open to everyone, signed in
//! or not.

use crate::error::AppError;
use crate::model::{CatalogFilter, CourseCard, CourseDetail, CreditType, LessonPage, Profession};
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
    let filter = parse_filter(profession.as_deref(), credit.as_deref())?;
    crate::service::backend()?.courses(&filter).await
}

#[server(input = GetUrl, prefix = "/api", endpoint = "course")]
pub async fn get_course(slug: String) -> Result<CourseDetail, AppError> {
    crate::service::backend()?.course(&slug).await
}

#[server(input = GetUrl, prefix = "/api", endpoint = "lesson")]
pub async fn get_lesson(course: String, lesson: String) -> Result<LessonPage, AppError> {
    crate::service::backend()?.lesson(&course, &lesson).await
}
