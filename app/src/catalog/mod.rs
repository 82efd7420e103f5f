//! The catalog: published courses, lessons and their credit.
//! The home page, the catalog, a course's overview and its lessons, their data and server functions.

pub mod api;
pub mod course;
pub mod home;
pub mod lesson;
pub mod list;
mod model;

pub use model::*;

#[cfg(feature = "ssr")]
use crate::error::AppError;

/// What the catalog pages ask the server for; implemented in the server crate.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait CatalogBackend: Send + Sync + 'static {
    /// Published courses that match the filter, featured first, then by title.
    async fn courses(&self, filter: &CatalogFilter) -> Result<Vec<CourseCard>, AppError>;

    async fn course(&self, slug: &str) -> Result<CourseDetail, AppError>;

    async fn lesson(&self, course: &str, lesson: &str) -> Result<LessonPage, AppError>;

    /// The instant a rehearsal clock started at (`serve --clock`), as the banner shows it.
    async fn rehearsal_clock(&self) -> Result<Option<String>, AppError>;
}
