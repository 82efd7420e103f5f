//! Attendance: the organizers' page for a webinar's evidence (`/webinars/{webinar}/attendance`:
//! per session who attended, for how long and whether that earns credit; the code windows;
//! the participant-report import with its preview; corrections), the code shown in large
//! type for screen sharing (`/webinars/{webinar}/code`), and the learner's part of the
//! webinar page (entering a code, their recorded minutes).

pub mod api;
mod model;
pub mod page;

pub use model::*;

#[cfg(feature = "ssr")]
use crate::error::AppError;

/// What the attendance pages ask the server for; implemented in the server crate.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait AttendanceBackend: Send + Sync + 'static {
    /// The webinar's organizers and administrators only.
    async fn attendance(&self, slug: &str) -> Result<AttendancePage, AppError>;

    /// The webinar's organizers and administrators only: the code being shown now.
    async fn code_screen(&self, slug: &str) -> Result<CodeScreen, AppError>;
}
