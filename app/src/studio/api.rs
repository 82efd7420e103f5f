//! The studio's server functions: thin, each hands over to the backend
//! ([`super::StudioBackend`]), which checks who asks.

#[cfg(feature = "ssr")]
use crate::api::answer;
use crate::error::AppError;
use crate::studio::{
    DetailsPage, DraftPage, FileEditor, HistoryPage, LivePreviewData, PublishPage, StudioList,
};
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

/// Educators and administrators.
#[server(input = GetUrl, prefix = "/api", endpoint = "studio")]
pub async fn studio_activities() -> Result<StudioList, AppError> {
    answer(async { crate::service::backend()?.studio_list().await }.await)
}

/// The activity's owners and administrators.
#[server(input = GetUrl, prefix = "/api", endpoint = "studio-draft")]
pub async fn studio_draft(kind: String, slug: String) -> Result<DraftPage, AppError> {
    answer(async { crate::service::backend()?.studio_draft(&kind, &slug).await }.await)
}

/// The activity's owners and administrators.
#[server(input = GetUrl, prefix = "/api", endpoint = "studio-file")]
pub async fn studio_file(kind: String, slug: String, name: String) -> Result<FileEditor, AppError> {
    answer(
        async {
            crate::service::backend()?
                .studio_file(&kind, &slug, &name)
                .await
        }
        .await,
    )
}

/// The activity's owners and administrators.
#[server(input = GetUrl, prefix = "/api", endpoint = "studio-publish")]
pub async fn studio_publish(kind: String, slug: String) -> Result<PublishPage, AppError> {
    answer(
        async {
            crate::service::backend()?
                .studio_publish(&kind, &slug)
                .await
        }
        .await,
    )
}

/// The activity's owners and administrators.
#[server(input = GetUrl, prefix = "/api", endpoint = "studio-history")]
pub async fn studio_history(kind: String, slug: String) -> Result<HistoryPage, AppError> {
    answer(
        async {
            crate::service::backend()?
                .studio_history(&kind, &slug)
                .await
        }
        .await,
    )
}

/// The activity's owners and administrators.
#[server(input = GetUrl, prefix = "/api", endpoint = "studio-details")]
pub async fn studio_details(kind: String, slug: String) -> Result<DetailsPage, AppError> {
    answer(
        async {
            crate::service::backend()?
                .studio_details(&kind, &slug)
                .await
        }
        .await,
    )
}

/// The activity's owners and administrators: the preview of text being typed (a POST, for
/// text up to a file's limit). Nothing is saved.
#[server(prefix = "/api", endpoint = "studio-preview")]
pub async fn studio_preview(
    kind: String,
    slug: String,
    name: String,
    text: String,
) -> Result<LivePreviewData, AppError> {
    answer(
        async {
            crate::service::backend()?
                .studio_preview(&kind, &slug, &name, &text)
                .await
        }
        .await,
    )
}
