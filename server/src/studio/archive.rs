//! `GET /studio/{kind}/{slug}/files.zip`: an activity's files as a zip of the `content/`
//! layout (`courses/<slug>/…` or `webinars/<slug>.md`), the draft's by default or a
//! published revision's (`?revision=N`), ready for `content check` and a git repository.

use super::{Kind, authorize, store, working};
use crate::AppState;
use crate::auth::Educator;
use crate::content::SourceFile;
use crate::error::{Error, Result};
use axum::extract::{Path, Query, State};
use axum::response::Response;
use std::io::Write as _;

#[derive(serde::Deserialize)]
pub struct Which {
    revision: Option<String>,
}

/// The files under the folder `content/` holds them in.
pub fn zip(kind: Kind, slug: &str, files: &[SourceFile]) -> Result<Vec<u8>> {
    let folder = match kind {
        Kind::Course => format!("courses/{slug}/"),
        Kind::Webinar => "webinars/".to_owned(),
    };
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .unix_permissions(0o644);
    for file in files {
        writer
            .start_file(format!("{folder}{}", file.name), options)
            .map_err(Error::internal)?;
        writer
            .write_all(file.text.as_bytes())
            .map_err(Error::internal)?;
    }
    Ok(writer.finish().map_err(Error::internal)?.into_inner())
}

pub async fn download(
    State(state): State<AppState>,
    Educator(viewer): Educator,
    Path((kind, slug)): Path<(String, String)>,
    Query(which): Query<Which>,
) -> Result<Response> {
    let kind = Kind::parse(&kind)?;
    let mut conn = state.pool.acquire().await?;
    authorize(&mut conn, &viewer, kind, &slug).await?;
    let (files, name) = match which.revision.as_deref().map(str::trim) {
        None | Some("") => {
            let working = working(&mut conn, kind, &slug)
                .await?
                .ok_or_else(|| super::not_yours(&slug))?;
            let name = if working.draft.is_some() {
                format!("{slug}-draft.zip")
            } else {
                format!(
                    "{slug}-revision-{}.zip",
                    working.live.as_ref().map_or(0, |l| l.number)
                )
            };
            (working.sources(), name)
        }
        Some(number) => {
            let revisions = store::revisions(&mut conn, kind.as_str(), &slug).await?;
            let revision = number
                .parse::<i64>()
                .ok()
                .and_then(|n| revisions.into_iter().find(|r| r.number == n))
                .ok_or_else(|| Error::not_found("There is no such revision."))?;
            let files =
                crate::content::store::revision_files(&mut conn, kind.as_str(), revision.id)
                    .await?;
            (files, format!("{slug}-revision-{}.zip", revision.number))
        }
    };
    Ok(crate::download::attachment(
        "application/zip",
        &name,
        zip(kind, &slug, &files)?,
    ))
}
