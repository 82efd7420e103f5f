//! The educators' studio: `/studio` lists the viewer's activities with their state; an
//! activity's draft (`/studio/{kind}/{slug}`) is the same markdown-with-front-matter files
//! `content/` holds, each edited in a text area with its problems at their lines and a
//! preview rendered as learners will see it; publishing shows what changes, line by line,
//! and refuses while `content check` would; history publishes an old revision again. Every
//! action is a plain form.

pub mod api;
pub mod details;
pub mod draft;
pub mod list;
mod model;
pub mod publish;

pub use model::*;

#[cfg(feature = "ssr")]
use crate::error::AppError;

/// What the studio's pages ask the server for; implemented in the server crate. Each call
/// is for an educator or administrator, and for one activity its owners or an
/// administrator only.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait StudioBackend: Send + Sync + 'static {
    async fn studio_list(&self) -> Result<StudioList, AppError>;
    async fn studio_draft(&self, kind: &str, slug: &str) -> Result<DraftPage, AppError>;
    async fn studio_file(&self, kind: &str, slug: &str, name: &str)
    -> Result<FileEditor, AppError>;
    async fn studio_publish(&self, kind: &str, slug: &str) -> Result<PublishPage, AppError>;
    async fn studio_history(&self, kind: &str, slug: &str) -> Result<HistoryPage, AppError>;
    async fn studio_details(&self, kind: &str, slug: &str) -> Result<DetailsPage, AppError>;
    /// The preview of `text` as the file `name` of the draft, for the live preview.
    async fn studio_preview(
        &self,
        kind: &str,
        slug: &str,
        name: &str,
        text: &str,
    ) -> Result<LivePreviewData, AppError>;
}
