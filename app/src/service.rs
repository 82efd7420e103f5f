//! The backend the server functions call, provided as Leptos context by the server crate so
//! that this crate never links the database or the markdown pipeline.

use crate::error::AppError;
use crate::model::{
    AdminCertificatesPage, AttemptResult, CatalogFilter, CertificatePage, CertificateView,
    CourseCard, CourseDetail, CreditPage, Enrollment, FormState, LessonPage, LessonStatus, Profile,
    QuizKind, QuizPage, ReportPage, TranscriptPage, UserPage, Viewer,
};
use std::sync::Arc;

#[async_trait::async_trait]
pub trait Backend: Send + Sync + 'static {
    /// Published courses that match the filter, featured first, then by title.
    async fn courses(&self, filter: &CatalogFilter) -> Result<Vec<CourseCard>, AppError>;
    async fn course(&self, slug: &str) -> Result<CourseDetail, AppError>;
    async fn lesson(&self, course: &str, lesson: &str) -> Result<LessonPage, AppError>;
    /// The signed-in user of the current request.
    async fn viewer(&self) -> Result<Option<Viewer>, AppError>;
    /// What the named form left behind on its last submission in this session (taken: it
    /// is shown once).
    async fn take_form_state(&self, form: &str) -> Result<FormState, AppError>;
    /// The signed-in user's own profile.
    async fn my_profile(&self) -> Result<Profile, AppError>;
    /// Administrators only: accounts matching `query`, one page at a time.
    async fn users(&self, query: &str, page: u32) -> Result<UserPage, AppError>;
    /// The signed-in learner's enrollments.
    async fn my_enrollments(&self) -> Result<Vec<Enrollment>, AppError>;
    /// The reader's enrollment in a course, if signed in and enrolled.
    async fn enrollment(&self, course: &str) -> Result<Option<Enrollment>, AppError>;
    /// The reader's standing on a lesson (recording the first opening).
    async fn lesson_status(&self, course: &str, lesson: &str) -> Result<LessonStatus, AppError>;
    /// The signed-in learner's quiz: starts (or reuses) an attempt when one may be taken.
    async fn quiz(&self, course: &str, kind: QuizKind) -> Result<QuizPage, AppError>;
    /// One of the signed-in learner's submitted attempts, with answers and explanations.
    async fn attempt(
        &self,
        course: &str,
        kind: QuizKind,
        number: u32,
    ) -> Result<AttemptResult, AppError>;
    /// The signed-in learner's completion, evaluation and claim for a course.
    async fn credit(&self, course: &str) -> Result<CreditPage, AppError>;
    /// A certificate for its learner or an administrator.
    async fn certificate(&self, code: &str) -> Result<CertificatePage, AppError>;
    /// Public verification: every field and the status.
    async fn verify(&self, code: &str) -> Result<CertificateView, AppError>;
    /// The signed-in learner's transcript in a date range (ISO dates; empty = open).
    async fn transcript(&self, from: &str, to: &str) -> Result<TranscriptPage, AppError>;
    /// Administrators only: completion counts for the accreditation export.
    async fn report(&self, activity: &str, from: &str, to: &str) -> Result<ReportPage, AppError>;
    /// Administrators only: issue by hand, bulk preview, the latest certificates.
    async fn admin_certificates(&self) -> Result<AdminCertificatesPage, AppError>;
}

pub type SharedBackend = Arc<dyn Backend>;

/// The backend of the current request.
pub fn backend() -> Result<SharedBackend, AppError> {
    leptos::prelude::use_context::<SharedBackend>().ok_or(AppError::Internal)
}
