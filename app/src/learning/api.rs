//! The learning server functions: thin, each says who may call it, then hands over to the
//! backend ([`super::EnrollmentBackend`], [`super::QuizzesBackend`], [`super::CreditBackend`]).

#[cfg(feature = "ssr")]
use crate::api::answer;
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

/// The signed-in learner's enrollments with progress. Signed-in users only; their own.
#[server(input = GetUrl, prefix = "/api", endpoint = "enrollments")]
pub async fn my_enrollments() -> Result<Vec<crate::learning::Enrollment>, AppError> {
    answer(async { crate::service::backend()?.my_enrollments().await }.await)
}

/// The reader's enrollment in one course (`None` when signed out or not enrolled). Anyone;
/// their own only.
#[server(input = GetUrl, prefix = "/api", endpoint = "enrollment")]
pub async fn course_enrollment(
    course: String,
) -> Result<Option<crate::learning::Enrollment>, AppError> {
    answer(async { crate::service::backend()?.enrollment(&course).await }.await)
}

/// The reader's standing on a lesson; records the first opening for enrolled learners.
/// Anyone; their own only.
#[server(input = GetUrl, prefix = "/api", endpoint = "lesson-status")]
pub async fn lesson_status(
    course: String,
    lesson: String,
) -> Result<crate::learning::LessonStatus, AppError> {
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
fn quiz_kind(slug: &str) -> Result<crate::learning::QuizKind, AppError> {
    crate::learning::QuizKind::from_slug(slug).ok_or_else(|| {
        AppError::not_found(format!(
            "There is no quiz called \"{slug}\": a course has a pre-test and a post-test."
        ))
    })
}

/// The signed-in learner's quiz form (starting an attempt when one may be taken). Signed-in
/// users only; their own attempts only.
#[server(input = GetUrl, prefix = "/api", endpoint = "quiz")]
pub async fn quiz_page(
    course: String,
    kind: String,
) -> Result<crate::learning::QuizPage, AppError> {
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
) -> Result<crate::learning::AttemptResult, AppError> {
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
pub async fn credit_page(course: String) -> Result<crate::learning::CreditPage, AppError> {
    answer(async { crate::service::backend()?.credit(&course).await }.await)
}
