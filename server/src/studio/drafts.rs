//! Drafts: started from a template (a new activity) or from the live revision (on the first
//! change), saved one file at a time. Each file carries a version: a save made from an
//! older copy than the one stored is a conflict, shown side by side, never a silent
//! overwrite. Lessons are files named `NN-<slug>.md`; adding, renaming, moving and removing
//! them renames files and numbers them again from 01. Every change serialises on the
//! activity's `studio:` key.

use super::{Kind, MAX_FILE_BYTES, authorize, store, working};
use crate::AppState;
use crate::auth::Educator;
use crate::content::SourceFile;
use crate::content::kit::is_slug;
use crate::db::On;
use crate::error::{Error, Result};
use crate::forms::{Back, Fields, Submission};
use app::accounts::Role;
use app::accounts::Viewer;
use app::studio::SaveConflict;
use axum::extract::State;
use axum::response::{IntoResponse as _, Response};

/// The lock key every change to an activity's draft takes.
pub fn key(kind: Kind, slug: &str) -> String {
    format!("studio:{}:{slug}", kind.as_str())
}

/// Where the text a save could not store is kept for the next view of the file's page.
pub fn typed_key(kind: Kind, slug: &str, name: &str) -> String {
    format!("studio-typed:{}:{slug}:{name}", kind.as_str())
}

/// Where a stale save's conflict is kept for the next view of the file's page.
pub fn conflict_key(kind: Kind, slug: &str, name: &str) -> String {
    format!("studio-conflict:{}:{slug}:{name}", kind.as_str())
}

/// A TOML basic string holding `text`.
fn toml_string(text: &str) -> String {
    toml::Value::String(text.to_owned()).to_string()
}

/// A new course: every required part, each with an example to replace.
pub fn course_template(title: &str, author: &str, today: chrono::NaiveDate) -> Vec<SourceFile> {
    let expiry = today
        .checked_add_months(chrono::Months::new(24))
        .and_then(|d| d.pred_opt())
        .unwrap_or(today);
    let course = format!(
        r#"+++
title = {title}
summary = "Write one sentence on what the course teaches, and for whom."
professions = ["physician", "nurse"]
estimated_minutes = 30
release_date = {today}
expiry_date = {expiry}
objectives = ["Write what a learner will be able to do after the course."]

[[credits]]
type = "participation"
max_hours = 0.5

[[faculty]]
name = {author}
role = "Course director"
disclosure = "none"

[statements]
accreditation = "Write the accreditation statement your accreditor gave you."
designation = "Write the credit designation statement, e.g. this activity is designated for a maximum of 0.5 hours of participation."
+++
Write the course's overview here: who it is for and what it covers.
"#,
        title = toml_string(title),
        author = toml_string(author),
    );
    vec![
        SourceFile {
            name: "course.md".into(),
            text: course,
        },
        SourceFile {
            name: "01-introduction.md".into(),
            text: "# Introduction\n\nWrite the first lesson here.\n".into(),
        },
        SourceFile {
            name: "post-test.quiz.md".into(),
            text: quiz_template("post"),
        },
    ]
}

fn quiz_template(kind: &str) -> String {
    let (pass_mark, attempts) = if kind == "pre" { (0, 1) } else { (75, 3) };
    format!(
        "+++\nkind = \"{kind}\"\npass_mark = {pass_mark}\nmax_attempts = {attempts}\n+++\n\n## Write the first question here?\n\n- [x] The correct answer\n- [ ] A wrong answer\n- [ ] Another wrong answer\n\n> Why the correct answer is correct.\n"
    )
}

/// A new webinar: one session a month from today, in UTC, for the owner to move.
pub fn webinar_template(title: &str, author: &str, today: chrono::NaiveDate) -> Vec<SourceFile> {
    let session = today + chrono::Days::new(30);
    let text = format!(
        r#"+++
title = {title}
summary = "Write one sentence on what the webinar covers, and for whom."
professions = ["physician", "nurse"]
capacity = 100
registration_opens = {today}T00:00:00Z
registration_closes = {session}T11:45:00
service = "zoom"
join_url = "https://zoom.example.org/j/replace-with-your-link"
objectives = ["Write what a participant will be able to do after the webinar."]

[[presenters]]
name = {author}
role = "Presenter"
disclosure = "none"

[statements]
accreditation = "Write the accreditation statement your accreditor gave you."
designation = "Write the credit designation statement, e.g. this live activity is designated for a maximum of 1.0 hour of participation."

[[credits]]
type = "participation"
max_hours = 1.0

[attendance]
min_percent = 80

[[sessions]]
start = {session}T12:00:00
zone = "UTC"
minutes = 60
+++
Write the webinar's description here: who it is for and what will be discussed.
"#,
        title = toml_string(title),
        author = toml_string(author),
    );
    vec![SourceFile {
        name: "{slug}.md".into(),
        text,
    }]
}

/// One line of text, trimmed: 1 to `max` characters, no control characters.
fn one_line(value: &str, what: &str, max: usize) -> std::result::Result<String, String> {
    let value = value.trim();
    if value.is_empty() {
        return Err(format!("Write the {what}."));
    }
    if value.chars().count() > max {
        return Err(format!("Keep the {what} to {max} characters."));
    }
    if value.chars().any(char::is_control) {
        return Err(format!(
            "The {what} holds a control character (a tab or line break): write it on one line."
        ));
    }
    Ok(value.to_owned())
}

/// `POST /studio/new` (`kind`, `title`, `slug`, and for an administrator `owner`): an
/// educator starts a course or webinar and owns it; an administrator may name its first
/// owner.
pub async fn start(
    State(state): State<AppState>,
    Educator(viewer): Educator,
    client: crate::client_addr::ClientAddress,
    fields: Fields,
) -> Result<Back> {
    let mut form = Submission::new(fields);
    if let Some(problem) = form.problem() {
        return Err(Error::invalid(
            Back::to("studio-new", "/studio#new").error("form", problem),
        ));
    }
    let kind = form.get("kind");
    let kind = form.check(
        "kind",
        Kind::parse(&kind).map_err(|_| "Choose a course or a webinar.".to_owned()),
    );
    let title = form.get("title");
    let title = form.check("title", one_line(&title, "title", 200));
    let slug = form.get("slug").trim().to_owned();
    if !is_slug(&slug) {
        form.fail(
            "slug",
            "Write the short name in lowercase letters, digits and single hyphens, at most 80 characters (e.g. wound-photography-basics).",
        );
    } else if kind == Some(Kind::Webinar) && crate::webinars::format::is_reserved(&slug) {
        form.fail(
            "slug",
            format!("\"{slug}\" is a name the site's own pages use: choose another."),
        );
    }
    let owner = if viewer.role == Role::Admin {
        let owner = form.get("owner");
        if owner.trim().is_empty() {
            None
        } else {
            form.check(
                "owner",
                crate::accounts::validate::email(&owner).map_err(|_| {
                    "Write the owner's sign-in email, like name@clinic.org.".to_owned()
                }),
            )
        }
    } else {
        None
    };
    let (Some(kind), Some(title), true) = (kind, title, form.ok()) else {
        return Err(Error::invalid(form.back("studio-new", "/studio#new")));
    };

    let mut tx = crate::db::write_tx(&state.pool).await?;
    // Serialises on the activity: two people starting the same name make one draft.
    crate::db::lock(&mut tx, On::Key(&key(kind, &slug))).await?;
    if store::slug_taken(&mut tx, kind.as_str(), &slug).await? {
        form.fail(
            "slug",
            format!(
                "There already is a {} called \"{slug}\": choose another short name.",
                kind.as_str()
            ),
        );
        return Err(Error::invalid(form.back("studio-new", "/studio#new")));
    }
    let named = match owner {
        Some(email) => {
            let role = crate::accounts::store::role_by_email(&mut tx, &email).await?;
            if !matches!(role.as_deref(), Some("educator" | "admin")) {
                form.fail(
                    "owner",
                    "No educator has this sign-in email: give the account the educator role (Users) first.",
                );
                return Err(Error::invalid(form.back("studio-new", "/studio#new")));
            }
            Some(email)
        }
        None if viewer.role == Role::Educator => {
            crate::accounts::store::contact(&mut tx, viewer.id)
                .await?
                .map(|(email, _)| email)
        }
        None => None,
    };
    let author = crate::accounts::store::contact(&mut tx, viewer.id)
        .await?
        .map(|(_, name)| name)
        .unwrap_or_default();
    let today = chrono::DateTime::from_timestamp(crate::clock::now_secs(), 0)
        .map(|at| at.date_naive())
        .unwrap_or_default();
    let files = match kind {
        Kind::Course => course_template(&title, &author, today),
        Kind::Webinar => webinar_template(&title, &author, today)
            .into_iter()
            .map(|f| SourceFile {
                name: format!("{slug}.md"),
                text: f.text,
            })
            .collect(),
    };
    store::insert_draft(&mut tx, kind.as_str(), &slug, None, &files, viewer.id).await?;
    if let Some(email) = &named {
        crate::content::store::add_owner(&mut tx, kind.as_str(), &slug, email, viewer.id).await?;
    }
    crate::db::audit::record(
        &mut tx,
        Some(viewer.id),
        "studio.start",
        &format!("{}:{slug}", kind.as_str()),
        &format!(
            "owner {}; from {}",
            named.as_deref().unwrap_or("none"),
            client.0
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(Back::to("studio-draft", kind.studio_path(&slug)).notice(format!(
        "The draft of \"{title}\" is started. Replace each example with your own words, then review and publish."
    )))
}

/// Makes the draft (from the live revision) if there is none yet, in the caller's
/// transaction, which holds the activity's key; the draft's id.
pub async fn draft_id(
    tx: &mut crate::db::Connection,
    kind: Kind,
    slug: &str,
    by: i64,
) -> Result<i64> {
    if let Some(draft) = store::draft(tx, kind.as_str(), slug).await? {
        return Ok(draft.id);
    }
    let Some(live) = super::live(tx, kind, slug).await? else {
        return Err(super::not_yours(slug));
    };
    Ok(store::insert_draft(tx, kind.as_str(), slug, Some(live.number), &live.files, by).await?)
}

/// The page a save from an ended session gets: the typed text, kept in the page itself (no
/// row is written for a visitor who is not signed in), and a sign-in form that sends it
/// again with the credentials.
fn sign_in_to_save(fields: &[(String, String)], failed: bool) -> Response {
    use crate::html::escape;
    let one = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    };
    let hidden: String = ["kind", "slug", "name", "version", "action"]
        .iter()
        .map(|field| {
            format!(
                "<input type=\"hidden\" name=\"{field}\" value=\"{}\">",
                escape(&one(field).chars().take(200).collect::<String>())
            )
        })
        .collect();
    let problem = if failed {
        format!(
            "<p role=\"alert\"><strong>{}</strong></p>",
            escape(crate::accounts::forms::SIGN_IN_FAILED)
        )
    } else {
        String::new()
    };
    let html = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Sign in to save · Grand Rounds</title></head><body><main>\
         <h1>Sign in to save {name}</h1>\
         <p>Your session ended while you were editing, so nothing was saved yet. Your text is below, \
         kept in this page: sign in and it is saved (if someone saved the file meanwhile, you will see both versions).</p>\
         {problem}<form method=\"post\" action=\"/studio/save\">{hidden}\
         <p><label for=\"field-email\">Email</label><br><input id=\"field-email\" name=\"email\" type=\"email\" autocomplete=\"username\" required value=\"{email}\"></p>\
         <p><label for=\"field-password\">Password</label><br><input id=\"field-password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required></p>\
         <p><button type=\"submit\">Sign in and save</button></p>\
         <p><label for=\"field-text\">Your text</label><br><textarea id=\"field-text\" name=\"text\" rows=\"20\" cols=\"80\">{text}</textarea></p>\
         </form></main></body></html>",
        name = escape(&one("name").chars().take(200).collect::<String>()),
        email = escape(&one("email").chars().take(254).collect::<String>()),
        text = app::forms::textarea_html(one("text")),
    );
    let mut response = (axum::http::StatusCode::OK, axum::response::Html(html)).into_response();
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    response
}

/// `POST /studio/save` (`kind`, `slug`, `name`, `version`, `text`, `action`): one file of
/// the draft. A value with NUL, a field sent twice or a file over the limit writes nothing
/// and hands the text back; a copy older than the stored one is a conflict. A save whose
/// session ended meanwhile gets a sign-in form that carries the text and saves it after
/// (`email`, `password`: the sign-in form's check and limits).
pub async fn save(
    State(state): State<AppState>,
    session: tower_sessions::Session,
    viewer: Option<axum::Extension<Viewer>>,
    client: crate::client_addr::ClientAddress,
    fields: Fields,
) -> Result<Response> {
    let fields = match fields {
        Ok(axum::Form(fields)) => fields,
        Err(_) => return Err(Error::bad_request(crate::forms::FORM_UNREADABLE)),
    };
    let one = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    };
    let viewer = match viewer {
        Some(axum::Extension(viewer)) => viewer,
        None if one("password").is_empty() => return Ok(sign_in_to_save(&fields, false)),
        None => {
            let signed = crate::accounts::forms::sign_in_with_password(
                &state,
                &session,
                one("email"),
                one("password").to_owned(),
                &client.0,
            )
            .await?;
            match signed {
                Some(_) => crate::auth::viewer(&state, &session)
                    .await?
                    .ok_or_else(|| Error::forbidden("Sign in again."))?,
                None => return Ok(sign_in_to_save(&fields, true)),
            }
        }
    };
    if !matches!(viewer.role, Role::Educator | Role::Admin) {
        return Err(super::not_yours(one("slug")));
    }
    let kind = Kind::parse(one("kind"))?;
    let slug = one("slug").to_owned();
    let name = one("name").to_owned();
    let page = format!("{}/files/{name}", kind.studio_path(&slug));
    let back = || Back::to("studio-file", page.clone());
    let mut conn = state.pool.acquire().await?;
    authorize(&mut conn, &viewer, kind, &slug).await?;
    drop(conn);
    // What was typed is handed back whatever is wrong, without NUL characters.
    let typed = one("text").replace('\0', "");
    if let Some(field) = crate::forms::sent_twice(&fields) {
        return Err(Error::invalid(
            back()
                .error("text", crate::forms::sent_twice_message(field))
                .keep(&typed_key(kind, &slug, &name), &typed),
        ));
    }
    if crate::forms::with_nul(&fields).is_some() {
        return Err(Error::invalid(
            back()
                .error("text", "The text held NUL characters (code 0), which no file can hold: they were taken out below and nothing was saved. Check the text and save again.")
                .keep(&typed_key(kind, &slug, &name), &typed),
        ));
    }
    if typed.len() > MAX_FILE_BYTES {
        return Err(Error::invalid(
            back()
                .error(
                    "text",
                    format!(
                        "This file is {} KB; a file may hold at most {} KB, so nothing was saved. Your text is below: split it into two lessons.",
                        typed.len().div_ceil(1024),
                        MAX_FILE_BYTES / 1024
                    ),
                )
                .keep(&typed_key(kind, &slug, &name), &typed),
        ));
    }
    let Ok(version) = one("version").trim().parse::<i64>() else {
        return Err(Error::bad_request(
            "The form could not be read. Reload the page and try again.",
        ));
    };
    // Text areas send CRLF line ends; files keep LF.
    let text = typed.replace("\r\n", "\n");

    let mut tx = crate::db::write_tx(&state.pool).await?;
    // Serialises on the activity's draft: two saves of one file never both win.
    crate::db::lock(&mut tx, On::Key(&key(kind, &slug))).await?;
    let Some(current) = working(&mut tx, kind, &slug).await? else {
        return Err(super::not_yours(&slug));
    };
    let stored = current.files.iter().find(|f| f.name == name);
    match stored {
        Some(file) if file.version == version => {}
        other => {
            let (theirs, note) = match other {
                Some(file) => {
                    let by = crate::accounts::store::contact(&mut tx, file.updated_by)
                        .await?
                        .map(|(_, name)| name)
                        .unwrap_or_else(|| "someone".into());
                    (
                        file.text.clone(),
                        format!("saved by {by}, {}", super::written_time(file.updated_at)),
                    )
                }
                None => (
                    String::new(),
                    "the file was renamed or removed from the draft".to_owned(),
                ),
            };
            return Err(Error::invalid(
                back()
                    .error("form", "Not saved: this file changed since you opened it. Both versions are below.")
                    .keep(
                        &conflict_key(kind, &slug, &name),
                        &SaveConflict {
                            yours: text,
                            theirs,
                            theirs_note: note,
                        },
                    ),
            ));
        }
    }
    let draft = draft_id(&mut tx, kind, &slug, viewer.id).await?;
    store::update_file(&mut tx, draft, &name, &text, viewer.id).await?;
    store::touch_draft(&mut tx, draft, viewer.id).await?;
    tx.commit().await?;
    let to = if one("action") == "preview" {
        format!("{page}#preview")
    } else {
        page
    };
    Ok(Back::to("studio-file", to)
        .notice("Saved in the draft. Learners see it once it is published.")
        .into_response())
}

/// A lesson file's number and slug: `03-thresholds.md` → `(3, "thresholds")`.
fn lesson_of(name: &str) -> Option<(u32, String)> {
    let stem = name.strip_suffix(".md")?;
    if stem == "course" || name.ends_with(".quiz.md") {
        return None;
    }
    let (number, slug) = stem.split_once('-')?;
    (number.len() == 2 && number.bytes().all(|b| b.is_ascii_digit()))
        .then(|| Some((number.parse().ok()?, slug.to_owned())))
        .flatten()
}

/// `POST /studio/lessons` (`kind`, `slug`, `action`: add, rename, up, down, remove,
/// add-pre-test, add-post-test; `lesson`, `new_slug`, `title`).
pub async fn lessons(
    State(state): State<AppState>,
    Educator(viewer): Educator,
    fields: Fields,
) -> Result<Back> {
    let mut form = Submission::new(fields);
    let kind = Kind::parse(form.peek("kind"))?;
    let slug = form.peek("slug").to_owned();
    let path = format!("{}#files", kind.studio_path(&slug));
    if let Some(problem) = form.problem() {
        return Err(Error::invalid(
            Back::to("studio-lessons", path).error("form", problem),
        ));
    }
    let mut conn = state.pool.acquire().await?;
    authorize(&mut conn, &viewer, kind, &slug).await?;
    drop(conn);
    let action = form.peek("action").to_owned();
    let lesson = form.peek("lesson").to_owned();

    let mut tx = crate::db::write_tx(&state.pool).await?;
    // Serialises on the activity's draft, as saves do.
    crate::db::lock(&mut tx, On::Key(&key(kind, &slug))).await?;
    if working(&mut tx, kind, &slug).await?.is_none() {
        return Err(super::not_yours(&slug));
    }
    let draft = draft_id(&mut tx, kind, &slug, viewer.id).await?;
    let files = store::draft_files(&mut tx, draft).await?;
    let mut order: Vec<(u32, String, String)> = files
        .iter()
        .filter_map(|f| lesson_of(&f.name).map(|(n, s)| (n, s, f.name.clone())))
        .collect();
    order.sort();
    let position = order.iter().position(|(_, s, _)| *s == lesson);
    let notice;
    match action.as_str() {
        "add-pre-test" | "add-post-test" => {
            let which = if action == "add-pre-test" {
                "pre"
            } else {
                "post"
            };
            let name = match kind {
                Kind::Course => format!("{which}-test.quiz.md"),
                Kind::Webinar if which == "post" => {
                    format!("{slug}{}", crate::webinars::format::POST_TEST_SUFFIX)
                }
                Kind::Webinar => {
                    return Err(Error::invalid(
                        Back::to("studio-lessons", path)
                            .error("form", "A webinar has a post-test only."),
                    ));
                }
            };
            if files.iter().any(|f| f.name == name) {
                return Err(Error::invalid(Back::to("studio-lessons", path).error(
                    "form",
                    format!("The draft already has {name}: edit it instead."),
                )));
            }
            store::insert_file(&mut tx, draft, &name, &quiz_template(which), 0, viewer.id).await?;
            notice = format!("{name} added with an example question to replace.");
        }
        "add" => {
            if kind != Kind::Course {
                return Err(Error::invalid(
                    Back::to("studio-lessons", path).error("form", "Only courses have lessons."),
                ));
            }
            let title = form.get("title");
            let title = form.check("title", one_line(&title, "lesson title", 200));
            let new_slug = form.get("new_slug").trim().to_owned();
            if !is_slug(&new_slug) {
                form.fail("new_slug", "Write the short name in lowercase letters, digits and single hyphens, at most 80 characters.");
            } else if order.iter().any(|(_, s, _)| *s == new_slug) {
                form.fail(
                    "new_slug",
                    format!("The course already has a lesson \"{new_slug}\"."),
                );
            }
            if order.len() >= 99 {
                form.fail("form", "A course holds at most 99 lessons.");
            }
            let (Some(title), true) = (title, form.ok()) else {
                return Err(Error::invalid(form.back("studio-lessons", path)));
            };
            let name = format!("{:02}-{new_slug}.md", order.len() + 1);
            // A title written on one line is safe as a heading; `#` at its start would not be.
            let heading = title.trim_start_matches('#').trim();
            store::insert_file(
                &mut tx,
                draft,
                &name,
                &format!("# {heading}\n\nWrite the lesson here.\n"),
                0,
                viewer.id,
            )
            .await?;
            notice = format!("Lesson \"{heading}\" added as {name}.");
        }
        "rename" | "up" | "down" | "remove" => {
            let Some(index) = position else {
                return Err(Error::invalid(Back::to("studio-lessons", path).error(
                    "form",
                    "That lesson is no longer in the draft (someone renamed or removed it): see the files below.",
                )));
            };
            match action.as_str() {
                "remove" => {
                    let (_, _, name) = order.remove(index);
                    store::delete_file(&mut tx, draft, &name).await?;
                    notice = format!("{name} removed from the draft.");
                }
                "up" if index > 0 => {
                    order.swap(index, index - 1);
                    notice = "Lesson moved up.".into();
                }
                "down" if index + 1 < order.len() => {
                    order.swap(index, index + 1);
                    notice = "Lesson moved down.".into();
                }
                "up" | "down" => notice = "The lesson is already at that end.".into(),
                _ => {
                    let new_slug = form.get("new_slug").trim().to_owned();
                    if !is_slug(&new_slug) {
                        return Err(Error::invalid(Back::to("studio-lessons", path).error(
                            "form",
                            "Write the new short name in lowercase letters, digits and single hyphens, at most 80 characters.",
                        )));
                    }
                    if order.iter().any(|(_, s, _)| *s == new_slug) {
                        return Err(Error::invalid(Back::to("studio-lessons", path).error(
                            "form",
                            format!("The course already has a lesson \"{new_slug}\"."),
                        )));
                    }
                    order[index].1 = new_slug;
                    notice = "Lesson renamed. Links to its old file name in other lessons need the new name.".into();
                }
            }
            // Number every lesson again from 01, in order: through temporary names, so no
            // two files ever hold the same name.
            let renames: Vec<(String, String)> = order
                .iter()
                .enumerate()
                .map(|(i, (_, lesson, name))| (name.clone(), format!("{:02}-{lesson}.md", i + 1)))
                .filter(|(from, to)| from != to)
                .collect();
            for (from, _) in &renames {
                store::rename_file(&mut tx, draft, from, &format!("~{from}"), viewer.id).await?;
            }
            for (from, to) in &renames {
                store::rename_file(&mut tx, draft, &format!("~{from}"), to, viewer.id).await?;
            }
        }
        _ => {
            return Err(Error::bad_request(
                "The form could not be read. Reload the page and try again.",
            ));
        }
    }
    store::touch_draft(&mut tx, draft, viewer.id).await?;
    tx.commit().await?;
    Ok(Back::to("studio-lessons", path).notice(notice))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_pass_content_check_whatever_the_title() {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 7).expect("date");
        let title = "Quotes \" and \\ backslashes, = signs and <script>";
        let course = course_template(title, "Ana \"Educator\"", today);
        let checked =
            crate::content::check_course(std::path::Path::new("courses/new"), "new", course);
        assert!(checked.is_ok(), "{:?}", checked.err());
        assert_eq!(
            checked.map(|c| c.detail.card.title).ok().as_deref(),
            Some(title)
        );
        let webinar: Vec<SourceFile> = webinar_template(title, "Ana", today)
            .into_iter()
            .map(|f| SourceFile {
                name: "new.md".into(),
                text: f.text,
            })
            .collect();
        let checked = crate::webinars::format::check_webinar(
            std::path::Path::new("webinars"),
            "new",
            &webinar,
        );
        assert!(checked.is_ok(), "{:?}", checked.err());
    }

    #[test]
    fn lesson_files_are_told_from_the_others() {
        assert_eq!(
            lesson_of("03-thresholds.md"),
            Some((3, "thresholds".into()))
        );
        assert_eq!(lesson_of("course.md"), None);
        assert_eq!(lesson_of("post-test.quiz.md"), None);
        assert_eq!(lesson_of("3-x.md"), None);
    }
}
