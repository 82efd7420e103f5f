//! Attendance: the organizers' page for a webinar's evidence (`/webinars/{webinar}/attendance`:
//! per session who attended, for how long and whether that earns credit; the code windows;
//! the participant-report import with its preview; corrections), the code shown in large
//! type for screen sharing (`/webinars/{webinar}/code`), and the learner's part of the
//! webinar page (entering a code, their recorded minutes, the steps to credit: the
//! evaluation, the post-test at `/webinars/{webinar}/post-test`, the claim).

pub mod api;
pub mod learner;
mod model;
pub mod organizers;

pub use model::*;

#[cfg(feature = "ssr")]
use crate::error::AppError;

/// What the attendance pages ask the server for; implemented in the server crate.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait AttendanceBackend: Send + Sync + 'static {
    /// The signed-in learner's recorded attendance of a webinar, session by session, for
    /// the webinar's page: empty for anyone else, and for a learner with no seat and no
    /// minutes.
    async fn learner_attendance(&self, slug: &str) -> Result<Vec<LearnerAttendance>, AppError>;

    /// The webinar's organizers and administrators only; `ledger_page` (from 1) pages each
    /// session's ledger table.
    async fn attendance(&self, slug: &str, ledger_page: u32) -> Result<AttendancePage, AppError>;

    /// The webinar's organizers and administrators only: the code being shown now.
    async fn code_screen(&self, slug: &str) -> Result<CodeScreen, AppError>;

    /// The signed-in learner's post-test for the webinar: starts (or reuses) an attempt when
    /// one may be taken.
    async fn post_test(&self, slug: &str) -> Result<crate::learning::QuizPage, AppError>;

    /// One of the signed-in learner's submitted post-test attempts.
    async fn post_test_attempt(
        &self,
        slug: &str,
        number: u32,
    ) -> Result<crate::learning::AttemptResult, AppError>;
}
