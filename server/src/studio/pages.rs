//! The studio's pages' data: the list, a draft's overview, a file in its editor, the
//! publish review and the history. Each asks `authorize` first.

use super::check::{Preview, check, preview};
use super::{Kind, Working, authorize, store, working};
use crate::backend::ServerBackend;
use crate::content::SourceFile;
use crate::content::markdown::Media;
use crate::error::Error;
use app::accounts::Role;
use app::error::AppError;
use app::studio::{
    DetailsPage, DoorConflict, DraftFile, DraftPage, FileEditor, HistoryPage, ImageRow,
    LivePreviewData, OwnerRow, Problem, PublishPage, RevisionRow, SaveConflict, StudioBackend,
    StudioItem, StudioList,
};
use std::path::Path;

/// The activity's title, from its main file's front matter (the short name when the file
/// cannot be read yet).
fn title_of(kind: Kind, slug: &str, files: &[SourceFile]) -> String {
    let main = match kind {
        Kind::Course => "course.md".to_owned(),
        Kind::Webinar => format!("{slug}.md"),
    };
    files
        .iter()
        .find(|f| f.name == main)
        .and_then(|f| {
            let split = crate::content::front_matter::split(Path::new(&main), &f.text).ok()?;
            let table: toml::Table = toml::from_str(split.front_matter).ok()?;
            table.get("title")?.as_str().map(|t| t.trim().to_owned())
        })
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| slug.to_owned())
}

/// What a file is, in the educator's words.
fn role_of(kind: Kind, slug: &str, name: &str, lessons: &[String]) -> String {
    match (kind, name) {
        (Kind::Course, "course.md") => "Course page and settings".into(),
        (_, "pre-test.quiz.md") => "Pre-test".into(),
        (_, "post-test.quiz.md") => "Post-test".into(),
        (Kind::Webinar, n) if n == format!("{slug}.md") => "Webinar page and settings".into(),
        (Kind::Webinar, _) if name.ends_with(".quiz.md") => "Post-test".into(),
        _ => match lessons.iter().position(|l| l == name) {
            Some(i) => format!("Lesson {}", i + 1),
            None => "Other file".into(),
        },
    }
}

/// In Open edX Studio's words.
fn state_of(working: &Working) -> &'static str {
    match (&working.draft, &working.live) {
        (None, _) => "Published",
        (Some(_), None) => "Never published",
        (Some(_), Some(live)) if live.hash == working.hash() => "Published",
        (Some(_), Some(_)) => "Published with unpublished changes",
    }
}

async fn name_of(conn: &mut crate::db::Connection, user: i64) -> Result<String, Error> {
    Ok(crate::accounts::store::contact(conn, user)
        .await?
        .map_or_else(|| "someone".to_owned(), |(_, name)| name))
}

/// "7 December 2026, 12:10 UTC by Ana Educator".
async fn last_edit(
    conn: &mut crate::db::Connection,
    kind: Kind,
    slug: &str,
    working: &Working,
) -> Result<String, Error> {
    if let Some(draft) = &working.draft {
        let by = name_of(conn, draft.updated_by).await?;
        return Ok(format!("{} by {by}", super::written_time(draft.updated_at)));
    }
    let revisions = store::revisions(conn, kind.as_str(), slug).await?;
    Ok(revisions.first().map_or_else(String::new, |r| {
        format!(
            "revision {} by {}",
            r.number,
            r.publisher
                .clone()
                .unwrap_or_else(|| "the content/ folder".into())
        )
    }))
}

async fn opened(
    backend: &ServerBackend,
    kind: &str,
    slug: &str,
) -> Result<(app::accounts::Viewer, Kind, Working), AppError> {
    let viewer = crate::backend::signed_in()?;
    let kind = Kind::parse(kind)?;
    let mut conn = backend.pool.acquire().await.map_err(Error::from)?;
    authorize(&mut conn, &viewer, kind, slug).await?;
    let working = working(&mut conn, kind, slug)
        .await?
        .ok_or_else(|| super::not_yours(slug))?;
    Ok((viewer, kind, working))
}

fn lessons_in(files: &[SourceFile]) -> Vec<String> {
    let mut lessons: Vec<String> = files
        .iter()
        .map(|f| f.name.clone())
        .filter(|n| {
            n != "course.md"
                && !n.ends_with(".quiz.md")
                && n.len() > 3
                && n.as_bytes()[..2].iter().all(u8::is_ascii_digit)
                && n.as_bytes()[2] == b'-'
        })
        .collect();
    lessons.sort();
    lessons
}

#[async_trait::async_trait]
impl StudioBackend for ServerBackend {
    async fn studio_list(&self) -> Result<StudioList, AppError> {
        let viewer = crate::backend::signed_in()?;
        if !matches!(viewer.role, Role::Educator | Role::Admin) {
            return Err(AppError::Forbidden);
        }
        let mut conn = self.pool.acquire().await.map_err(Error::from)?;
        let mut activities = if viewer.role == Role::Admin {
            let mut all = store::all_published(&mut conn).await.map_err(Error::from)?;
            all.extend(store::all_drafts(&mut conn).await.map_err(Error::from)?);
            all
        } else {
            crate::content::store::owned_by(&mut conn, viewer.id)
                .await
                .map_err(Error::from)?
        };
        activities.sort();
        activities.dedup();
        let conflicts = crate::content::store::conflicts(&mut conn)
            .await
            .map_err(Error::from)?;
        let mut items = Vec::new();
        for (kind_name, slug) in activities {
            let kind = Kind::parse(&kind_name)?;
            let Some(working) = working(&mut conn, kind, &slug).await? else {
                continue;
            };
            items.push(StudioItem {
                title: title_of(kind, &slug, &working.sources()),
                state: state_of(&working).into(),
                last_edit: last_edit(&mut conn, kind, &slug, &working).await?,
                conflict: conflicts.contains(&(kind_name.clone(), slug.clone())),
                kind: kind_name,
                slug,
            });
        }
        Ok(StudioList {
            items,
            is_admin: viewer.role == Role::Admin,
            form: self.form_state("studio-new").await?,
        })
    }

    async fn studio_draft(&self, kind: &str, slug: &str) -> Result<DraftPage, AppError> {
        let (viewer, kind, working) = opened(self, kind, slug).await?;
        let sources = working.sources();
        let problems = match check(&self.pool, kind, slug, &sources).await {
            Ok(_) => Vec::new(),
            Err(problems) => problems,
        };
        let lessons = lessons_in(&sources);
        let files = sources
            .iter()
            .map(|f| DraftFile {
                role: role_of(kind, slug, &f.name, &lessons),
                problems: problems.iter().filter(|p| p.file == f.name).count(),
                lesson: lessons.contains(&f.name).then(|| {
                    f.name
                        .trim_end_matches(".md")
                        .split_once('-')
                        .map(|(_, s)| s.to_owned())
                        .unwrap_or_default()
                }),
                name: f.name.clone(),
            })
            .collect();
        let mut conn = self.pool.acquire().await.map_err(Error::from)?;
        let owners = crate::content::store::owners(&mut conn, kind.as_str(), slug)
            .await
            .map_err(Error::from)?
            .into_iter()
            .map(|(email, source)| OwnerRow {
                removable: source == "studio",
                source: if source == "studio" {
                    "named in the studio".into()
                } else {
                    "named in the webinar's file".into()
                },
                email,
            })
            .collect();
        let conflict = match crate::content::store::conflict(&mut conn, kind.as_str(), slug)
            .await
            .map_err(Error::from)?
        {
            Some((files, _)) => {
                let files: Vec<(String, String)> =
                    serde_json::from_str(&files).map_err(Error::from)?;
                let folder: Vec<SourceFile> = files
                    .into_iter()
                    .map(|(name, text)| SourceFile { name, text })
                    .collect();
                let live = working
                    .live
                    .as_ref()
                    .map(|l| l.files.clone())
                    .unwrap_or_default();
                Some(DoorConflict {
                    changes: super::diff::files(&live, &folder),
                })
            }
            None => None,
        };
        let images = store::activity_images(&mut conn, kind.as_str(), slug)
            .await
            .map_err(Error::from)?
            .into_iter()
            .map(|image| {
                let width = u32::try_from(image.width).unwrap_or_default();
                let path = Media::path(&image.hash, width, &image.format);
                ImageRow {
                    markdown: format!("![{}]({path})", image.alt.replace(['[', ']'], "")),
                    thumbnail: Media::path(
                        &image.hash,
                        width.min(Media::PHONE_WIDTH),
                        &image.format,
                    ),
                    size: format!("{} × {} pixels", image.width, image.height),
                    file_name: image.file_name,
                    alt: image.alt,
                    path,
                }
            })
            .collect();
        Ok(DraftPage {
            images,
            images_form: self.form_state("studio-images").await?,
            title: title_of(kind, slug, &sources),
            state: state_of(&working).into(),
            last_edit: last_edit(&mut conn, kind, slug, &working).await?,
            live: working.live.as_ref().map(|l| l.number),
            files,
            problems,
            owners,
            is_admin: viewer.role == Role::Admin,
            conflict,
            lessons_form: self.form_state("studio-lessons").await?,
            owners_form: self.form_state("studio-owners").await?,
            draft_form: self.form_state("studio-draft").await?,
            kind: kind.as_str().into(),
            slug: slug.into(),
        })
    }

    async fn studio_file(
        &self,
        kind: &str,
        slug: &str,
        name: &str,
    ) -> Result<FileEditor, AppError> {
        let (_, kind, working) = opened(self, kind, slug).await?;
        let sources = working.sources();
        let Some(file) = working.files.iter().find(|f| f.name == name) else {
            return Err(AppError::not_found(format!(
                "The draft has no file \"{}\": it may have been renamed or removed.",
                name.chars().take(80).collect::<String>()
            )));
        };
        let problems: Vec<Problem> = match check(&self.pool, kind, slug, &sources).await {
            Ok(_) => Vec::new(),
            Err(problems) => problems.into_iter().filter(|p| p.file == name).collect(),
        };
        let names: Vec<String> = sources.iter().map(|f| f.name.clone()).collect();
        let (preview_html, quiz) = match preview(kind, slug, name, &file.text, &names) {
            Preview::Html(html) => (html, Vec::new()),
            Preview::Quiz(questions) => (String::new(), questions),
        };
        let conflict: Option<SaveConflict> = self
            .take_kept(&super::drafts::conflict_key(kind, slug, name))
            .await?;
        let typed: Option<String> = self
            .take_kept(&super::drafts::typed_key(kind, slug, name))
            .await?;
        let text = conflict
            .as_ref()
            .map(|c| c.yours.clone())
            .or(typed)
            .unwrap_or_else(|| file.text.clone());
        let lessons = lessons_in(&sources);
        Ok(FileEditor {
            title: title_of(kind, slug, &sources),
            role: role_of(kind, slug, name, &lessons),
            name: name.into(),
            text,
            version: file.version,
            problems,
            preview_html,
            quiz,
            form: self.form_state("studio-file").await?,
            conflict,
            kind: kind.as_str().into(),
            slug: slug.into(),
        })
    }

    async fn studio_publish(&self, kind: &str, slug: &str) -> Result<PublishPage, AppError> {
        let (_, kind, working) = opened(self, kind, slug).await?;
        let sources = working.sources();
        let live = working
            .live
            .as_ref()
            .map(|l| l.files.clone())
            .unwrap_or_default();
        let problems = match check(&self.pool, kind, slug, &sources).await {
            Ok(_) => Vec::new(),
            Err(problems) => problems,
        };
        Ok(PublishPage {
            title: title_of(kind, slug, &sources),
            live: working.live.as_ref().map(|l| l.number),
            changes: super::diff::files(&live, &sources),
            problems,
            stamp: working.hash(),
            form: self.form_state("studio-publish").await?,
            kind: kind.as_str().into(),
            slug: slug.into(),
        })
    }

    async fn studio_preview(
        &self,
        kind: &str,
        slug: &str,
        name: &str,
        text: &str,
    ) -> Result<LivePreviewData, AppError> {
        let (_, kind, working) = opened(self, kind, slug).await?;
        if text.len() > super::MAX_FILE_BYTES {
            return Err(AppError::validation(
                "text",
                format!(
                    "The preview shows files of up to {} KB.",
                    super::MAX_FILE_BYTES / 1024
                ),
            ));
        }
        if text.contains('\0') {
            return Err(AppError::validation("text", crate::forms::NUL_MESSAGE));
        }
        let names: Vec<String> = working.files.iter().map(|f| f.name.clone()).collect();
        if !names.iter().any(|n| n == name) {
            return Err(AppError::not_found("The draft has no such file."));
        }
        let text = text.replace("\r\n", "\n");
        Ok(match preview(kind, slug, name, &text, &names) {
            Preview::Html(html) => LivePreviewData {
                html,
                quiz: Vec::new(),
            },
            Preview::Quiz(quiz) => LivePreviewData {
                html: String::new(),
                quiz,
            },
        })
    }

    async fn studio_details(&self, kind: &str, slug: &str) -> Result<DetailsPage, AppError> {
        let (_, kind, working) = opened(self, kind, slug).await?;
        let sources = working.sources();
        let name = super::details::main_file(kind, slug);
        let Some(file) = working.files.iter().find(|f| f.name == name) else {
            return Err(AppError::not_found(format!(
                "The draft has no {name}: add it in the text editor."
            )));
        };
        let problems: Vec<Problem> = match check(&self.pool, kind, slug, &sources).await {
            Ok(_) => Vec::new(),
            Err(problems) => problems.into_iter().filter(|p| p.file == name).collect(),
        };
        let form = self.form_state("studio-details").await?;
        let (groups, other_problems, unreadable) =
            match super::details::form(kind, &name, &file.text, &form, problems.clone()) {
                Ok((groups, rest)) => (groups, rest, None),
                Err(message) => (Vec::new(), problems, Some(message)),
            };
        Ok(DetailsPage {
            title: title_of(kind, slug, &sources),
            version: file.version,
            groups,
            other_problems,
            unreadable,
            form,
            name,
            kind: kind.as_str().into(),
            slug: slug.into(),
        })
    }

    async fn studio_history(&self, kind: &str, slug: &str) -> Result<HistoryPage, AppError> {
        let (_, kind, working) = opened(self, kind, slug).await?;
        let mut conn = self.pool.acquire().await.map_err(Error::from)?;
        let revisions = store::revisions(&mut conn, kind.as_str(), slug)
            .await
            .map_err(Error::from)?;
        let live = revisions.first().map(|r| r.number);
        Ok(HistoryPage {
            title: title_of(kind, slug, &working.sources()),
            revisions: revisions
                .into_iter()
                .map(|r| RevisionRow {
                    live: Some(r.number) == live,
                    when: r
                        .created_at
                        .chars()
                        .take(16)
                        .collect::<String>()
                        .replace('T', " ")
                        + " UTC",
                    by: r.publisher.map_or_else(
                        || "the content/ folder".into(),
                        |name| format!("{name} (studio)"),
                    ),
                    number: r.number,
                })
                .collect(),
            form: self.form_state("studio-history").await?,
            kind: kind.as_str().into(),
            slug: slug.into(),
        })
    }
}
