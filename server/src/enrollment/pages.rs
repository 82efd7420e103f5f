//! The learning pages' enrollment data: the learner's enrollments and their standing on a
//! lesson (recording the first opening).

use crate::backend::{ServerBackend, current_viewer, signed_in};
use crate::enrollment;
use app::error::AppError;
use app::learning::EnrollmentBackend;
use app::learning::{Enrollment, LessonStatus};

#[async_trait::async_trait]
impl EnrollmentBackend for ServerBackend {
    async fn my_enrollments(&self) -> Result<Vec<Enrollment>, AppError> {
        let viewer = signed_in()?;
        enrollment::summaries(&self.pool, viewer.id, None)
            .await
            .map_err(AppError::from)
    }

    async fn enrollment(&self, course: &str) -> Result<Option<Enrollment>, AppError> {
        let Some(viewer) = current_viewer() else {
            return Ok(None);
        };
        let found = enrollment::summaries(&self.pool, viewer.id, Some(course))
            .await
            .map_err(AppError::from)?;
        Ok(found.into_iter().next())
    }

    async fn lesson_status(&self, course: &str, lesson: &str) -> Result<LessonStatus, AppError> {
        let Some(viewer) = current_viewer() else {
            return Ok(LessonStatus {
                enrolled: false,
                completed: false,
            });
        };
        enrollment::lesson_status(self, viewer.id, course, lesson)
            .await
            .map_err(AppError::from)
    }
}

/// What a page of a course's learning path says to someone not enrolled in it.
pub(crate) fn not_enrolled(course: &str, what: &str) -> AppError {
    AppError::not_found(format!(
        "There is no {what} for you at this address: you are not enrolled in a course called \"{course}\", or it has none."
    ))
}
