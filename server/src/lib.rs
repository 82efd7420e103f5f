//! The Grand Rounds server as a library: start-up (database, content import) and
//! [`build_router`], so tests and benchmarks drive the real router without a socket.
//!
//! The modules form layers, and each uses only its own layer and those below it (bottom
//! first): kernel → content → mail → accounts → enrollment → catalog → quizzes → certificates → credit → transcript → webinars → attendance → studio → reports → site.
//!
//! - **kernel**: what every domain stands on and that names none of them: the errors
//!   (`error`), the one clock (`clock`), hours and dates as people write them (`values`),
//!   the database (`db`), keys, the client's address, downloads, PDF, forms, sign-in and
//!   the rate limits (`auth`), the access rules (`access`) and the pages' backend
//!   (`backend`).
//! - the **domains**, each a slice with its routes, rules, store (SQL only) and pages:
//!   content (the file formats: courses, webinars, quizzes), mail (the outbox), accounts,
//!   enrollment (and when a course is complete), catalog, quizzes (grading, attempts),
//!   certificates, credit (evaluation and claims, and that an activity earns credit once),
//!   transcript, webinars, attendance (the evidence, the join, live credit), reports.
//! - **site**: what puts it together: the router (`http`), settings (`config`), the
//!   connection loop (`serve`) and the page cache.
//!
//! `src/layers.rs` holds the order and a test that fails on an import that breaks it.

// Release builds (without `erase_components`) nest the pages' view types deeply.
#![recursion_limit = "256"]

pub mod access;
pub mod accounts;
pub mod attendance;
pub mod auth;
mod backend;
pub mod catalog;
pub mod certificates;
pub mod client_addr;
pub mod clock;
pub mod commands;
pub mod config;
pub mod content;
pub mod credit;
pub mod db;
pub mod download;
pub mod enrollment;
pub mod error;
pub mod forms;
pub mod html;
mod http;
pub mod keys;
#[cfg(test)]
mod layers;
pub mod mail;
pub mod page_cache;
pub mod pdf;
pub mod quizzes;
pub mod read_cache;
pub mod reports;
pub mod serve;
pub mod studio;
pub mod transcript;
pub mod values;
pub mod webinars;

pub use http::{build_router, route_table};

use axum::extract::FromRef;
use catalog::CatalogService;
use leptos::config::LeptosOptions;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Everything a request handler can reach: one shared copy, so that the clone every layer
/// and handler takes of it per request is a reference count, not a copy of each field
/// (which a profile of the lesson page found to be a third of its time).
#[derive(Clone)]
pub struct AppState(Arc<SharedState>);

impl std::ops::Deref for AppState {
    type Target = SharedState;

    fn deref(&self) -> &SharedState {
        &self.0
    }
}

/// Changing a field (tests and start-up only) changes this copy alone.
impl std::ops::DerefMut for AppState {
    fn deref_mut(&mut self) -> &mut SharedState {
        Arc::make_mut(&mut self.0)
    }
}

/// The fields of [`AppState`].
#[derive(Clone)]
pub struct SharedState {
    pub leptos_options: LeptosOptions,
    pub pool: crate::db::Pool,
    /// Sessions, in the same database (any app server can answer any request).
    pub sessions: crate::db::SessionStore,
    pub catalog: Arc<CatalogService>,
    pub hasher: accounts::password::Hasher,
    /// The address users reach the site at, without a trailing slash.
    pub public_url: Arc<str>,
    /// Signs and issues certificates.
    pub issuer: Arc<certificates::Issuer>,
    /// Reverse proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: client_addr::TrustedProxies,
    /// Rendered pages kept for anonymous readers.
    pub page_cache: page_cache::PageCache,
    /// Signs the cookie that carries an anonymous visitor's form state.
    pub form_cookie: forms::CookieKey,
    /// Who mail comes from and where it goes (the outbox's sender).
    pub mail: Arc<mail::Mail>,
    /// Signed-in users read in the last moments (see [`read_cache`]).
    pub viewers: Arc<auth::Viewers>,
    /// Learners' standings on lessons read in the last moments.
    pub standings: Arc<enrollment::Standings>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// What start-up needs to know.
#[derive(Debug, Clone)]
pub struct Settings {
    pub database_url: String,
    pub content_dir: PathBuf,
    pub site_root: PathBuf,
    /// `https://…` marks the session cookie Secure.
    pub public_url: String,
    /// The accredited provider named on certificates.
    pub provider: String,
    /// Reverse proxies in front of the server (see [`client_addr`]); empty when clients connect
    /// directly.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// The cost of new password hashes: production everywhere but in tests.
    pub password_cost: accounts::password::HashCost,
    /// The folder of the secret keys ([`keys`]).
    pub key_dir: PathBuf,
    /// Import `content_dir` at start (one server); off for servers that only serve what
    /// `grandrounds content import` published.
    pub import_content: bool,
    /// Where mail goes: SMTP or `.eml` files.
    pub mail: mail::MailSettings,
}

/// Opens the database, applies migrations, imports `content/` (a bad course is reported and
/// skipped, never fatal) and loads the catalog.
pub async fn start(settings: &Settings) -> anyhow::Result<AppState> {
    let pool = db::connect(&settings.database_url).await?;
    db::migrate(&pool).await?;
    let sessions = db::session_store(&pool).await?;
    db::with_key_held(&pool, "session-store-schema", async {
        sessions.migrate().await.map_err(anyhow::Error::from)
    })
    .await?;

    let mail = Arc::new(mail::Mail::new(
        &settings.mail,
        &settings.provider,
        &settings.public_url,
    )?);
    if settings.import_content {
        import_content(&pool, &settings.content_dir, &mail.identity).await?;
    } else {
        tracing::info!("content import skipped (--no-import): serving what the database holds");
    }
    let catalog = CatalogService::load(&pool).await?;
    tracing::info!(courses = catalog.snapshot().len(), "catalog loaded");

    let keys = keys::KeyDir::open(&settings.key_dir).map_err(|error| {
        anyhow::anyhow!(
            "cannot open the key folder {}: {error}",
            settings.key_dir.display()
        )
    })?;
    let form_cookie = forms::CookieKey::new(
        keys.secret("form-state.key")
            .map_err(|error| anyhow::anyhow!("cannot read the form-state key: {error}"))?,
    );
    let issuer = certificates::Issuer {
        mail: mail.identity.clone(),
        signer: certificates::signing::Signer::load_or_create(&pool, &keys).await?,
        public_url: settings.public_url.trim_end_matches('/').to_owned(),
        provider: settings.provider.clone(),
    };

    let catalog = Arc::new(catalog);
    let epoch = sessions.epoch().clone();
    Ok(AppState(Arc::new(SharedState {
        viewers: Arc::new(read_cache::ReadCache::new(&epoch)),
        standings: Arc::new(read_cache::ReadCache::new(&epoch)),
        leptos_options: leptos_options(&settings.site_root),
        pool,
        sessions,
        page_cache: page_cache::PageCache::new(catalog.clone(), route_table()),
        form_cookie,
        catalog,
        hasher: accounts::password::Hasher::for_this_machine(settings.password_cost),
        public_url: settings.public_url.trim_end_matches('/').into(),
        issuer: Arc::new(issuer),
        trusted_proxies: client_addr::TrustedProxies::new(&settings.trusted_proxies),
        mail,
    })))
}

/// Imports the content folder at `dir` (a bad course is reported and skipped, never
/// fatal): new revisions of changed courses, retirement of courses whose folder is gone.
pub async fn import_content(
    pool: &db::Pool,
    dir: &Path,
    identity: &mail::compose::Identity,
) -> anyhow::Result<content::import::ImportSummary> {
    let report = content::load_dir(dir);
    for error in &report.errors {
        tracing::warn!("content problem, course not updated: {error}");
    }
    let summary = content::import::import(pool, &report.courses, &report.present).await?;
    for (slug, number) in &summary.created {
        tracing::info!(course = %slug, revision = number, "new course revision stored");
    }
    for slug in &summary.retired {
        tracing::info!(course = %slug, "course folder gone: course retired");
    }
    for slug in &summary.conflicts {
        tracing::warn!(
            course = %slug,
            "content/courses/{slug} changed while the studio also published this course: the folder was not imported; an owner chooses in the studio (/studio/course/{slug})"
        );
    }
    let (webinars, problems) = webinars::import_dir(pool, dir, identity)
        .await
        .map_err(|error| anyhow::anyhow!("cannot import the webinars: {error}"))?;
    for error in &problems {
        tracing::warn!("content problem, webinar not updated: {error}");
    }
    for (slug, number) in &webinars.created {
        tracing::info!(webinar = %slug, revision = number, "new webinar revision stored");
    }
    for slug in &webinars.conflicts {
        tracing::warn!(
            webinar = %slug,
            "content/webinars/{slug}.md changed while the studio also published this webinar: the file was not imported; an owner chooses in the studio (/studio/webinar/{slug})"
        );
    }
    for (slug, session) in &webinars.rescheduled {
        tracing::warn!(webinar = %slug, session, "a session's time changed");
    }
    tracing::info!(
        unchanged = summary.unchanged,
        problems = report.errors.len() + problems.len(),
        webinars = webinars.created.len() + webinars.unchanged,
        "content imported"
    );
    Ok(summary)
}

/// Leptos' view of the built site. File hashing is on when cargo-leptos left its hash file
/// next to the binary (a `hash-files` build).
pub fn leptos_options(site_root: &Path) -> LeptosOptions {
    let hashed = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join("hash.txt")))
        .is_some_and(|file| file.is_file());
    LeptosOptions::builder()
        .output_name("grandrounds")
        .site_root(site_root.to_string_lossy().into_owned())
        .site_pkg_dir("pkg")
        .hash_files(hashed)
        .build()
}
