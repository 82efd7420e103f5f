//! Server functions: thin, each one declares who may call it, then hands over to the backend.
//!
//! Access: every function here reads published content and is open to everyone, signed in
//! or not.

use crate::error::AppError;
use crate::model::{CatalogFilter, CourseCard, CourseDetail, CreditType, LessonPage, Profession};
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

/// Gives an error its own HTTP status (401, 404, …) instead of a blanket 500.
#[cfg(feature = "ssr")]
fn answer<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    if let Err(error) = &result {
        crate::response::set_status(error.status());
    }
    result
}

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

/// Forms whose leftover state pages may ask for.
#[cfg(feature = "ssr")]
const FORMS: [&str; 7] = [
    "login",
    "register",
    "account",
    "profile",
    "password",
    "admin-users",
    "learning",
];

/// Who is signed in. Anyone may ask; the answer is about their own session only.
#[server(input = GetUrl, prefix = "/api", endpoint = "viewer")]
pub async fn current_viewer() -> Result<Option<crate::model::Viewer>, AppError> {
    answer(async { crate::service::backend()?.viewer().await }.await)
}

/// The messages and typed values a form left in this session. Anyone; own session only.
#[server(input = GetUrl, prefix = "/api", endpoint = "form-state")]
pub async fn form_state(form: String) -> Result<crate::model::FormState, AppError> {
    answer(
        async {
            if !FORMS.contains(&form.as_str()) {
                return Err(AppError::validation(
                    "form",
                    format!("there is no form called \"{form}\""),
                ));
            }
            crate::service::backend()?.take_form_state(&form).await
        }
        .await,
    )
}

/// The signed-in user's own profile. Signed-in users only.
#[server(input = GetUrl, prefix = "/api", endpoint = "profile")]
pub async fn my_profile() -> Result<crate::model::Profile, AppError> {
    answer(async { crate::service::backend()?.my_profile().await }.await)
}

/// Administrators only: the user list, searched and paged.
#[server(input = GetUrl, prefix = "/api", endpoint = "admin-users")]
pub async fn admin_users(
    query: Option<String>,
    page: Option<u32>,
) -> Result<crate::model::UserPage, AppError> {
    answer(
        async {
            crate::service::backend()?
                .users(query.as_deref().unwrap_or_default(), page.unwrap_or(1))
                .await
        }
        .await,
    )
}

/// The signed-in learner's enrollments with progress. Signed-in users only; their own.
#[server(input = GetUrl, prefix = "/api", endpoint = "enrollments")]
pub async fn my_enrollments() -> Result<Vec<crate::model::Enrollment>, AppError> {
    answer(async { crate::service::backend()?.my_enrollments().await }.await)
}

/// The reader's enrollment in one course (`None` when signed out or not enrolled). Anyone;
/// their own only.
#[server(input = GetUrl, prefix = "/api", endpoint = "enrollment")]
pub async fn course_enrollment(
    course: String,
) -> Result<Option<crate::model::Enrollment>, AppError> {
    answer(async { crate::service::backend()?.enrollment(&course).await }.await)
}

/// The reader's standing on a lesson; records the first opening for enrolled learners.
/// Anyone; their own only.
#[server(input = GetUrl, prefix = "/api", endpoint = "lesson-status")]
pub async fn lesson_status(
    course: String,
    lesson: String,
) -> Result<crate::model::LessonStatus, AppError> {
    answer(
        async {
            crate::service::backend()?
                .lesson_status(&course, &lesson)
                .await
        }
        .await,
    )
}

#[cfg(feature = "ssr")]
fn quiz_kind(slug: &str) -> Result<crate::model::QuizKind, AppError> {
    crate::model::QuizKind::from_slug(slug).ok_or_else(|| {
        AppError::not_found(format!(
            "There is no quiz called \"{slug}\": a course has a pre-test and a post-test."
        ))
    })
}

/// The signed-in learner's quiz form (starting an attempt when one may be taken). Signed-in
/// users only; their own attempts only.
#[server(input = GetUrl, prefix = "/api", endpoint = "quiz")]
pub async fn quiz_page(course: String, kind: String) -> Result<crate::model::QuizPage, AppError> {
    answer(
        async {
            crate::service::backend()?
                .quiz(&course, quiz_kind(&kind)?)
                .await
        }
        .await,
    )
}

/// One submitted attempt with the answer key and explanations. Signed-in users only; their
/// own attempts only.
#[server(input = GetUrl, prefix = "/api", endpoint = "attempt")]
pub async fn attempt_result(
    course: String,
    kind: String,
    number: String,
) -> Result<crate::model::AttemptResult, AppError> {
    answer(
        async {
            let number = number
                .parse::<u32>()
                .map_err(|_| AppError::not_found(format!("There is no attempt \"{number}\".")))?;
            crate::service::backend()?
                .attempt(&course, quiz_kind(&kind)?, number)
                .await
        }
        .await,
    )
}

/// Completion, evaluation and credit claim for a course. Signed-in users only; their own.
#[server(input = GetUrl, prefix = "/api", endpoint = "credit")]
pub async fn credit_page(course: String) -> Result<crate::model::CreditPage, AppError> {
    answer(async { crate::service::backend()?.credit(&course).await }.await)
}

/// A certificate: its learner or an administrator only.
#[server(input = GetUrl, prefix = "/api", endpoint = "certificate")]
pub async fn certificate_page(code: String) -> Result<crate::model::CertificatePage, AppError> {
    answer(async { crate::service::backend()?.certificate(&code).await }.await)
}

/// Public verification of a certificate code. Anyone (rate-limited per client).
#[server(input = GetUrl, prefix = "/api", endpoint = "verify")]
pub async fn verify_certificate(code: String) -> Result<crate::model::CertificateView, AppError> {
    answer(async { crate::service::backend()?.verify(&code).await }.await)
}

/// The signed-in learner's own transcript. Signed-in users only.
#[server(input = GetUrl, prefix = "/api", endpoint = "transcript")]
pub async fn transcript_page(
    from: Option<String>,
    to: Option<String>,
) -> Result<crate::model::TranscriptPage, AppError> {
    answer(
        async {
            crate::service::backend()?
                .transcript(
                    from.as_deref().unwrap_or_default(),
                    to.as_deref().unwrap_or_default(),
                )
                .await
        }
        .await,
    )
}

/// Administrators only: completion counts for the accreditation export.
#[server(input = GetUrl, prefix = "/api", endpoint = "report")]
pub async fn report_page(
    activity: Option<String>,
    from: Option<String>,
    to: Option<String>,
) -> Result<crate::model::ReportPage, AppError> {
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

/// Administrators only: the certificate console.
#[server(input = GetUrl, prefix = "/api", endpoint = "admin-certificates")]
pub async fn admin_certificates() -> Result<crate::model::AdminCertificatesPage, AppError> {
    answer(async { crate::service::backend()?.admin_certificates().await }.await)
}
