//! The educators' studio: drafts of courses and webinars stored as the same files
//! `content/` holds ([`drafts`]: started from the live revision or a template, saved file by
//! file with a version that catches stale copies, lessons added, renamed, moved and
//! removed), checked by `content check`'s own code with a preview from the publishing
//! renderer ([`check`]), published through the one writer each activity kind has, with
//! what changes shown line by line ([`diff`], [`publish`]: publish, discard, publish an old
//! revision again, settle a two-doors conflict), and their owners named by administrators
//! ([`owners`]). Who owns what is `crate::content::owners`: one model for every activity.

pub mod archive;
pub mod check;
pub mod details;
pub mod diff;
pub mod drafts;
pub mod images;
pub mod owners;
pub mod pages;
pub mod publish;
pub mod store;

use crate::access::{BODY_LIMIT, Route, Rule};
use crate::content::SourceFile;
use crate::error::{Error, Result};
use app::accounts::{Role, Viewer};

/// The largest file a draft may hold, in bytes (the longest demo lesson is under 10 KB).
pub const MAX_FILE_BYTES: usize = 200 * 1024;

pub fn routes() -> Vec<Route> {
    // Open to a visitor whose session ended while editing: the handler answers with a
    // sign-in form that carries the text, and checks the owner itself.
    let mut save = Route::post("/studio/save", Rule::Anyone, drafts::save);
    // Room for a file over the limit to arrive, be measured and be handed back intact.
    save.body_limit = 4 * MAX_FILE_BYTES + BODY_LIMIT;
    vec![
        Route::page("/studio", Rule::Educator),
        Route::server_fn("/api/studio", Rule::Educator),
        Route::post("/studio/new", Rule::Educator, drafts::start),
        // The activity's owners and administrators (checked by `authorize`).
        Route::page("/studio/{kind}/{slug}", Rule::ActivityOwner),
        Route::page("/studio/{kind}/{slug}/files/{name}", Rule::ActivityOwner),
        Route::page("/studio/{kind}/{slug}/publish", Rule::ActivityOwner),
        Route::page("/studio/{kind}/{slug}/history", Rule::ActivityOwner),
        Route::page("/studio/{kind}/{slug}/details", Rule::ActivityOwner),
        Route::get(
            "/studio/{kind}/{slug}/files.zip",
            Rule::ActivityOwner,
            archive::download,
        ),
        Route::server_fn("/api/studio-draft", Rule::ActivityOwner),
        Route::server_fn("/api/studio-file", Rule::ActivityOwner),
        Route::server_fn("/api/studio-publish", Rule::ActivityOwner),
        Route::server_fn("/api/studio-history", Rule::ActivityOwner),
        Route::server_fn("/api/studio-details", Rule::ActivityOwner),
        // The live preview of the text being typed: a POST for up to a file's text.
        Route::server_fn_post(
            "/api/studio-preview",
            Rule::ActivityOwner,
            4 * MAX_FILE_BYTES + BODY_LIMIT,
        ),
        save,
        details_route(),
        // Room for a file up to twice the limit to arrive and be refused on the draft's
        // page with a message; beyond that, the explained "too large" page.
        Route::upload(
            "/studio/images",
            Rule::ActivityOwner,
            images::upload,
            2 * images::MAX_UPLOAD_BYTES + BODY_LIMIT,
        ),
        // Images are public by their content's hash (lesson pages show them to anyone).
        Route::get("/media/{file}", Rule::Anyone, images::serve),
        Route::post("/studio/lessons", Rule::ActivityOwner, drafts::lessons),
        Route::post("/studio/publish", Rule::ActivityOwner, publish::publish),
        Route::post("/studio/discard", Rule::ActivityOwner, publish::discard),
        Route::post("/studio/republish", Rule::ActivityOwner, publish::republish),
        Route::post("/studio/doors", Rule::ActivityOwner, publish::doors),
        // Only administrators name and remove owners.
        Route::post("/studio/owners", Rule::Admin, owners::change),
    ]
}

fn details_route() -> Route {
    let mut route = Route::post("/studio/details", Rule::ActivityOwner, details::save);
    // Room for fields over their limit to arrive and be refused with a message.
    route.body_limit = 4 * MAX_FILE_BYTES + BODY_LIMIT;
    route
}

/// The kinds of activity the studio edits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Course,
    Webinar,
}

impl Kind {
    pub fn parse(text: &str) -> Result<Self> {
        match text {
            "course" => Ok(Self::Course),
            "webinar" => Ok(Self::Webinar),
            _ => Err(Error::not_found(
                "The studio edits courses and webinars only.",
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Course => "course",
            Self::Webinar => "webinar",
        }
    }

    /// Where learners find it.
    pub fn public_path(self, slug: &str) -> String {
        match self {
            Self::Course => format!("/courses/{slug}"),
            Self::Webinar => format!("/webinars/{slug}"),
        }
    }

    /// The studio's page of the activity.
    pub fn studio_path(self, slug: &str) -> String {
        format!("/studio/{}/{slug}", self.as_str())
    }
}

/// What "not yours" answers: the same as "no such activity", so a draft's existence is
/// never shown to anyone who may not see it.
fn not_yours(slug: &str) -> Error {
    Error::not_found(format!(
        "There is no activity \"{}\" among the ones you may edit.",
        slug.chars().take(80).collect::<String>()
    ))
}

/// The one studio check: the viewer owns the activity or is an administrator.
pub async fn authorize(
    conn: &mut crate::db::Connection,
    viewer: &Viewer,
    kind: Kind,
    slug: &str,
) -> Result<()> {
    match viewer.role {
        Role::Admin => Ok(()),
        Role::Educator
            if crate::content::owners::owns(conn, kind.as_str(), slug, viewer.id).await? =>
        {
            Ok(())
        }
        _ => Err(not_yours(slug)),
    }
}

/// The live revision of an activity, with its files as written.
#[derive(Debug, Clone)]
pub struct Live {
    pub number: i64,
    pub hash: String,
    pub files: Vec<SourceFile>,
}

/// What the studio works on: the draft when there is one, the live revision's files
/// otherwise (at version 0: the first save makes the draft).
#[derive(Debug, Clone)]
pub struct Working {
    pub draft: Option<store::Draft>,
    pub files: Vec<store::DraftFile>,
    pub live: Option<Live>,
}

impl Working {
    pub fn sources(&self) -> Vec<SourceFile> {
        self.files
            .iter()
            .map(|f| SourceFile {
                name: f.name.clone(),
                text: f.text.clone(),
            })
            .collect()
    }

    /// The hash of the files as `content::kit::hash_files` computes it for a folder.
    pub fn hash(&self) -> String {
        crate::content::kit::hash_files(&self.sources())
    }
}

/// The live revision of an activity, if it has one.
pub async fn live(
    conn: &mut crate::db::Connection,
    kind: Kind,
    slug: &str,
) -> Result<Option<Live>> {
    let revisions = store::revisions(conn, kind.as_str(), slug).await?;
    let Some(latest) = revisions.into_iter().next() else {
        return Ok(None);
    };
    let files = crate::content::store::revision_files(conn, kind.as_str(), latest.id).await?;
    Ok(Some(Live {
        number: latest.number,
        hash: latest.content_hash,
        files,
    }))
}

/// The draft or, without one, the live revision; `None` when the activity has neither.
pub async fn working(
    conn: &mut crate::db::Connection,
    kind: Kind,
    slug: &str,
) -> Result<Option<Working>> {
    // The draft first: a publish removes it and writes the revision in one commit, so read
    // outside a transaction in this order, one of the two is always found.
    let draft = store::draft(conn, kind.as_str(), slug).await?;
    let live = live(conn, kind, slug).await?;
    let files = match &draft {
        Some(draft) => store::draft_files(conn, draft.id).await?,
        None => match &live {
            Some(live) => live
                .files
                .iter()
                .map(|f| store::DraftFile {
                    name: f.name.clone(),
                    text: f.text.clone(),
                    version: 0,
                    updated_by: 0,
                    updated_at: 0,
                })
                .collect(),
            None => return Ok(None),
        },
    };
    Ok(Some(Working { draft, files, live }))
}

/// "7 December 2026, 12:10 UTC".
pub fn written_time(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0)
        .map(|at| at.format("%-d %B %Y, %H:%M UTC").to_string())
        .unwrap_or_default()
}
