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
pub async fn webinar_attendance(slug: String, page: u32) -> Result<AttendancePage, AppError> {
    answer(async { crate::service::backend()?.attendance(&slug, page).await }.await)
}

/// The webinar's organizers and administrators only.
#[server(input = GetUrl, prefix = "/api", endpoint = "webinar-code")]
pub async fn webinar_code(slug: String) -> Result<CodeScreen, AppError> {
    answer(async { crate::service::backend()?.code_screen(&slug).await }.await)
}

/// The signed-in learner's post-test for the webinar; their own attempts only.
#[server(input = GetUrl, prefix = "/api", endpoint = "webinar-quiz")]
pub async fn webinar_post_test(slug: String) -> Result<crate::learning::QuizPage, AppError> {
    answer(async { crate::service::backend()?.post_test(&slug).await }.await)
}

/// One of the signed-in learner's post-test attempts; their own only.
#[server(input = GetUrl, prefix = "/api", endpoint = "webinar-attempt")]
pub async fn webinar_post_test_attempt(
    slug: String,
    number: String,
) -> Result<crate::learning::AttemptResult, AppError> {
    answer(
        async {
            let number: u32 = number
                .parse()
                .map_err(|_| AppError::not_found(format!("There is no attempt \"{number}\".")))?;
            crate::service::backend()?
                .post_test_attempt(&slug, number)
                .await
        }
        .await,
    )
}
