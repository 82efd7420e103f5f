//! The catalog's pages as the app asks for them: the course list with its filter, a course
//! overview and a lesson (with the viewer's enrollment, when signed in).

use super::*;
use crate::backend::{ServerBackend, current_viewer};
use app::catalog::CatalogBackend;

#[async_trait::async_trait]
impl CatalogBackend for ServerBackend {
    async fn rehearsal_clock(&self) -> Result<Option<String>, AppError> {
        Ok(crate::clock::rehearsal().map(|at| {
            at.format(&time::format_description::well_known::Rfc3339)
                .map(|text| text.replace('T', " ").replace('Z', " UTC"))
                .unwrap_or_default()
        }))
    }

    async fn courses(&self, filter: &CatalogFilter) -> Result<Vec<CourseCard>, AppError> {
        self.catalog.courses(filter).await
    }

    async fn course(&self, slug: &str) -> Result<CourseDetail, AppError> {
        self.catalog.course(slug).await
    }

    async fn lesson(&self, course: &str, lesson: &str) -> Result<LessonPage, AppError> {
        // An enrolled learner reads the revision they enrolled on, even after an update: from
        // memory when it is the published one or was read before (a published revision never
        // changes), else from the database once.
        if let Some(viewer) = current_viewer()
            && let Some(enrollment::Standing { revision, .. }) =
                enrollment::standing(self, viewer.id, course, lesson)
                    .await
                    .map_err(AppError::from)?
        {
            if let Some(page) = self.catalog.lesson_of_revision(revision, course, lesson) {
                return Ok(page);
            }
            if let Some(page) = enrollment::pinned_lesson(&self.pool, revision, course, lesson)
                .await
                .map_err(AppError::from)?
            {
                self.catalog.keep_pinned(revision, &page);
                return Ok(page);
            }
        }
        self.catalog.lesson(course, lesson).await
    }
}
