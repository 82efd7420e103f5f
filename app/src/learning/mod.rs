//! Learning: enrollments, lesson progress, quizzes, the evaluation and the credit claim.
//! My learning, the quizzes and their results, and the credit page, their data and server functions.

pub mod api;
pub mod credit;
pub mod evaluation;
mod model;
pub mod my_learning;
pub mod quiz;

pub use model::*;

#[cfg(feature = "ssr")]
use crate::error::AppError;

/// What the learning pages ask about enrollments and lesson progress (the server's `enrollment` domain); implemented in the server crate.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait EnrollmentBackend: Send + Sync + 'static {
    /// The signed-in learner's enrollments.
    async fn my_enrollments(&self) -> Result<Vec<Enrollment>, AppError>;

    /// The reader's enrollment in a course, if signed in and enrolled.
    async fn enrollment(&self, course: &str) -> Result<Option<Enrollment>, AppError>;

    /// The reader's standing on a lesson (recording the first opening).
    async fn lesson_status(&self, course: &str, lesson: &str) -> Result<LessonStatus, AppError>;
}

/// What the learning pages ask about quizzes and attempts (the server's `quizzes` domain); implemented in the server crate.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait QuizzesBackend: Send + Sync + 'static {
    /// The signed-in learner's quiz: starts (or reuses) an attempt when one may be taken.
    async fn quiz(&self, course: &str, kind: QuizKind) -> Result<QuizPage, AppError>;

    /// One of the signed-in learner's submitted attempts, with answers and explanations.
    async fn attempt(
        &self,
        course: &str,
        kind: QuizKind,
        number: u32,
    ) -> Result<AttemptResult, AppError>;
}

/// What the learning pages ask about the evaluation and claim (the server's `credit` domain); implemented in the server crate.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait CreditBackend: Send + Sync + 'static {
    /// The signed-in learner's completion, evaluation and claim for a course.
    async fn credit(&self, course: &str) -> Result<CreditPage, AppError>;
}
