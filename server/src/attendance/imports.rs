//! Importing a participant report: the organizer uploads the file and chooses the session
//! and the zone its times are in; the preview names every row's problem (unknown email, no
//! seat, leave before join, outside the session, a duplicate of an earlier import or of an
//! earlier line, an unreadable time) and writes nothing. Writing adds every row without a
//! problem in one transaction, with the file kept byte for byte and the skipped rows listed
//! in the import's record; the same file imported twice adds nothing.

use super::participant_reports::{self, Report};
use super::store::{self, Person};
use crate::AppState;
use crate::auth::Educator;
use crate::db::On;
use crate::error::{Error, Result};
use crate::webinars::store::{Stored, StoredSession};
use app::attendance::{ImportPreview, PreviewRow};
use axum::extract::{Multipart, State};
use axum::response::{IntoResponse as _, Response};
use std::collections::HashMap;

/// The session key the preview is kept under for the next view of the attendance page.
pub const PREVIEW: &str = "attendance-import-preview";
/// Rows without a problem shown in the preview (all rows with one are shown).
const SHOWN_ACCEPTED: usize = 50;

/// A report checked against the webinar's people and ledger.
#[derive(Debug)]
pub struct Checked {
    pub report: Report,
    /// Per row, in file order: who it is and what is wrong with it (None: it will be added).
    pub rows: Vec<(Option<Person>, Option<String>)>,
    /// `(user, line, interval)` of the rows to add.
    pub accepted: Vec<(i64, u32, (i64, i64))>,
}

fn name_key(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Checks every row of `report` for `session`.
pub async fn check(
    conn: &mut crate::db::Connection,
    stored: &Stored,
    session: &StoredSession,
    report: Report,
) -> Result<Checked> {
    let emails: Vec<String> = {
        let mut emails: Vec<String> = report
            .rows
            .iter()
            .filter(|r| !r.email.is_empty())
            .map(|r| r.email.clone())
            .collect();
        emails.sort();
        emails.dedup();
        emails
    };
    let people = store::people(conn, stored.webinar_id, &emails).await?;
    let by_email: HashMap<&str, &Person> = people.iter().map(|p| (p.email.as_str(), p)).collect();
    let mut by_name: HashMap<String, Vec<&Person>> = HashMap::new();
    for person in people.iter().filter(|p| p.seated) {
        by_name
            .entry(name_key(&person.name))
            .or_default()
            .push(person);
    }
    // What earlier imports of this session added: a row already there adds nothing.
    // Superseded rows too: a row an organizer withdrew or corrected does not come back
    // with another export of the same report.
    let earlier: HashMap<(i64, i64, i64), (Option<i64>, bool)> =
        store::report_rows_ever(conn, session.id)
            .await?
            .into_iter()
            .map(|(user, start, end, line, superseded)| ((user, start, end), (line, superseded)))
            .collect();
    let mut seen: HashMap<(i64, i64, i64), u32> = HashMap::new();
    let (start, end) = (session.starts_at, session.ends_at());
    let mut rows = Vec::with_capacity(report.rows.len());
    let mut accepted = Vec::new();
    for row in &report.rows {
        let person: Option<&Person> = if row.email.is_empty() {
            match by_name.get(&name_key(&row.name)).map(Vec::as_slice) {
                Some([one]) => Some(*one),
                _ => None,
            }
        } else {
            by_email.get(row.email.as_str()).copied()
        };
        let problem = match (&row.interval, person) {
            (Err(problem), _) => Some(problem.clone()),
            (Ok(_), None) if row.email.is_empty() => {
                Some(match by_name.get(&name_key(&row.name)) {
                    Some(many) => format!(
                        "the row has no email, and {} learners with a seat are called \"{}\": add the email to the row",
                        many.len(),
                        row.name
                    ),
                    None => format!(
                        "the row has no email, and no learner with a seat is called \"{}\"",
                        row.name.chars().take(80).collect::<String>()
                    ),
                })
            }
            (Ok(_), None) => Some(format!(
                "no account has the email {}",
                row.email.chars().take(120).collect::<String>()
            )),
            (Ok(_), Some(person)) if !person.seated => Some(format!(
                "{} has no seat in this webinar (not registered, waitlisted or cancelled)",
                person.email
            )),
            (Ok((join, leave)), Some(_)) if *leave <= start || *join >= end => Some(format!(
                "outside the session ({}): check the session and the time zone chosen",
                crate::webinars::times::session(session.starts_at, session.minutes, &session.zone)
            )),
            (Ok((join, leave)), Some(person)) => {
                let key = (person.user_id, *join, *leave);
                if let Some((line, superseded)) = earlier.get(&key) {
                    let line = line
                        .map_or_else(String::new, |l| format!(" (line {l} of an earlier report)"));
                    Some(if *superseded {
                        format!(
                            "imported before{line} and corrected or withdrawn by an organizer since: correct it on the ledger if it should count"
                        )
                    } else {
                        format!("already imported{line}")
                    })
                } else if let Some(line) = seen.get(&key) {
                    Some(format!("repeats line {line} of this file"))
                } else {
                    seen.insert(key, row.line);
                    accepted.push((person.user_id, row.line, (*join, *leave)));
                    None
                }
            }
        };
        rows.push((person.cloned(), problem));
    }
    Ok(Checked {
        report,
        rows,
        accepted,
    })
}

/// The preview the page shows.
fn preview(
    stored: &Stored,
    session: &StoredSession,
    zone: &str,
    file_name: &str,
    sha256: &str,
    checked: &Checked,
) -> ImportPreview {
    let mut rows = Vec::new();
    let mut shown_accepted = 0;
    for (row, (person, problem)) in checked.report.rows.iter().zip(&checked.rows) {
        if problem.is_none() {
            shown_accepted += 1;
            if shown_accepted > SHOWN_ACCEPTED {
                continue;
            }
        }
        let (joined, left, seconds) = match row.interval {
            Ok((join, leave)) => (
                super::clock(join, zone),
                super::clock(leave, zone),
                Some(super::intervals::attended_seconds(
                    &[(join, leave)],
                    session.starts_at,
                    session.ends_at(),
                )),
            ),
            Err(_) => (String::new(), String::new(), None),
        };
        rows.push(PreviewRow {
            line: row.line,
            name: row.name.chars().take(120).collect(),
            email: row.email.chars().take(254).collect(),
            learner: person.as_ref().map(|p| p.name.clone()),
            joined,
            left,
            counted: seconds.map(super::intervals::written),
            note: row.note.clone(),
            problem: problem.clone(),
        });
    }
    ImportPreview {
        slug: stored.detail.slug.clone(),
        session: session.number,
        session_time: crate::webinars::times::session(session.starts_at, session.minutes, zone),
        zone: zone.to_owned(),
        file_name: file_name.to_owned(),
        sha256: sha256.to_owned(),
        format: checked.report.format.name().to_owned(),
        rows_read: checked.report.rows.len(),
        accepted: checked.accepted.len(),
        problems: checked.rows.iter().filter(|(_, p)| p.is_some()).count(),
        accepted_not_shown: shown_accepted.saturating_sub(SHOWN_ACCEPTED),
        rows,
    }
}

/// What the upload form sent.
#[derive(Default)]
struct Upload {
    webinar: String,
    session: String,
    zone: String,
    action: String,
    sha256: String,
    file_name: String,
    file: Option<Vec<u8>>,
    twice: Option<String>,
}

/// Why an upload was not read: too large (the explained 413 page), or not readable.
enum Unread {
    TooLarge,
    Bad(Error),
}

async fn read_upload(mut multipart: Multipart) -> std::result::Result<Upload, Unread> {
    let unreadable = |error: axum::extract::multipart::MultipartError| {
        if error.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            Unread::TooLarge
        } else {
            Unread::Bad(Error::bad_request(format!(
                "The upload could not be read: {error}"
            )))
        }
    };
    let mut upload = Upload::default();
    let mut seen = std::collections::HashSet::new();
    while let Some(field) = multipart.next_field().await.map_err(unreadable)? {
        let name = field.name().unwrap_or_default().to_owned();
        if !seen.insert(name.clone()) && upload.twice.is_none() {
            upload.twice = Some(name.clone());
        }
        if name == "file" {
            upload.file_name = field
                .file_name()
                .unwrap_or_default()
                .chars()
                .filter(|c| !c.is_control())
                .take(120)
                .collect();
            let bytes = field.bytes().await.map_err(unreadable)?;
            if !bytes.is_empty() {
                upload.file = Some(bytes.to_vec());
            }
            continue;
        }
        let value = field.text().await.map_err(unreadable)?;
        if value.contains('\0') {
            return Err(Unread::Bad(Error::bad_request(crate::forms::NUL_MESSAGE)));
        }
        let value: String = value
            .chars()
            .filter(|c| !c.is_control())
            .take(200)
            .collect();
        match name.as_str() {
            "webinar" => upload.webinar = value,
            "session" => upload.session = value,
            "zone" => upload.zone = value,
            "action" => upload.action = value,
            "sha256" => upload.sha256 = value,
            "file_name" if upload.file_name.is_empty() => upload.file_name = value,
            _ => {}
        }
    }
    Ok(upload)
}

/// `POST /webinars/attendance/import` (multipart): `action` = `preview` (with the `file`) or
/// `write` (with the previewed file's `sha256`), the `session` number and the `zone` its
/// times are in. The webinar's organizers and administrators only.
pub async fn import(
    State(state): State<AppState>,
    Educator(viewer): Educator,
    multipart: Multipart,
) -> Result<Response> {
    let upload = match read_upload(multipart).await {
        Ok(upload) => upload,
        Err(Unread::TooLarge) => {
            return Ok(axum::http::StatusCode::PAYLOAD_TOO_LARGE.into_response());
        }
        Err(Unread::Bad(error)) => return Err(error),
    };
    if let Some(name) = &upload.twice {
        return Err(Error::bad_request(crate::forms::sent_twice_message(name)));
    }
    let stored =
        crate::webinars::organizers::organized(&state.pool, &viewer, &upload.webinar).await?;
    let back = super::to_attendance(&stored.detail.slug, "import");
    let back = back.values(vec![
        ("session".into(), upload.session.clone()),
        ("zone".into(), upload.zone.clone()),
    ]);
    let Some(session) = upload.session.trim().parse::<u32>().ok().and_then(|n| {
        stored
            .sessions
            .iter()
            .find(|s| s.number == n && !s.cancelled)
    }) else {
        return Err(Error::invalid(
            back.error("session", "Choose the session the report is for."),
        ));
    };
    let zone_name = if upload.zone.trim().is_empty() {
        session.zone.clone()
    } else {
        upload.zone.trim().to_owned()
    };
    let Ok(zone) = zone_name.parse::<chrono_tz::Tz>() else {
        return Err(Error::invalid(back.error(
            "zone",
            format!(
                "\"{}\" is not a time zone: write an IANA name such as {} or UTC",
                zone_name.chars().take(60).collect::<String>(),
                session.zone
            ),
        )));
    };
    let now = crate::clock::now_secs();
    let mut conn = state.pool.acquire().await?;
    let (bytes, sha256) = match (upload.action.as_str(), upload.file) {
        ("write", _) => {
            let sha = upload.sha256.trim().to_lowercase();
            match store::file(&mut conn, &sha).await? {
                Some(bytes) => (bytes, sha),
                None => {
                    return Err(Error::invalid(back.error(
                        "file",
                        "That report is not on the server any more: upload it again for a new preview.",
                    )));
                }
            }
        }
        (_, None) => {
            return Err(Error::invalid(back.error(
                "file",
                "Choose the participant report to upload (the CSV or text file the service exported).",
            )));
        }
        (_, Some(bytes)) => {
            use sha2::Digest as _;
            let sha = hex::encode(sha2::Sha256::digest(&bytes));
            (bytes, sha)
        }
    };
    if let Some(done) = store::import_by_hash(&mut conn, session.id, &sha256).await? {
        return Err(Error::invalid(back.error(
            "file",
            format!(
                "This file was imported for session {} already, on {} by {} ({} rows added): importing it again adds nothing.",
                session.number,
                super::clock_dated(done.imported_at, &session.zone),
                done.imported_by,
                done.rows_added
            ),
        )));
    }
    let report = match participant_reports::read(&bytes, zone) {
        Ok(report) => report,
        Err(problem) => {
            return Err(Error::invalid(back.error(
                "file",
                format!("The file cannot be imported: {problem}. Nothing was written."),
            )));
        }
    };
    let file_name = if upload.file_name.is_empty() {
        "report.csv".to_owned()
    } else {
        upload.file_name.clone()
    };
    if upload.action != "write" {
        store::keep_file(&mut conn, &sha256, &bytes, viewer.id, now).await?;
        let checked = check(&mut conn, &stored, session, report).await?;
        let shown = preview(&stored, session, zone.name(), &file_name, &sha256, &checked);
        let notice = format!(
            "Preview of {}: {} rows read, {} to add, {} with a problem. Nothing is written until you choose \"Write\".",
            file_name, shown.rows_read, shown.accepted, shown.problems
        );
        return Ok(back.notice(notice).keep(PREVIEW, &shown).into_response());
    }
    drop(conn);
    let mut tx = crate::db::write_tx(&state.pool).await?;
    // Serialises on the session's imports: the duplicate checks read what earlier imports
    // wrote, so two imports of one session never interleave.
    crate::db::lock(
        &mut tx,
        On::Key(&format!("attendance-import:{}", session.id)),
    )
    .await?;
    if store::import_by_hash(&mut tx, session.id, &sha256)
        .await?
        .is_some()
    {
        tx.commit().await?;
        return Err(Error::invalid(back.error(
            "file",
            "This file was imported for this session a moment ago: importing it again adds nothing.",
        )));
    }
    let checked = check(&mut tx, &stored, session, report).await?;
    let skipped: Vec<(u32, String)> = checked
        .report
        .rows
        .iter()
        .zip(&checked.rows)
        .filter_map(|(row, (_, problem))| problem.clone().map(|p| (row.line, p)))
        .collect();
    let skipped_json = serde_json::to_string(&skipped).map_err(Error::internal)?;
    let format = checked.report.format.name();
    let id = store::write_import(
        &mut tx,
        &store::NewImport {
            session: session.id,
            sha256: &sha256,
            format,
            file_name: &file_name,
            time_zone: zone.name(),
            rows_read: i64::try_from(checked.report.rows.len()).unwrap_or(i64::MAX),
            rows_skipped: &skipped_json,
            by: viewer.id,
            now,
            rows: &checked.accepted,
        },
    )
    .await?;
    crate::db::audit::record(
        &mut tx,
        Some(viewer.id),
        "attendance.import",
        &format!(
            "webinar:{} session:{} import:{id}",
            stored.detail.slug, session.number
        ),
        &format!(
            "{format} {file_name} sha256:{sha256}: {} rows added, {} skipped",
            checked.accepted.len(),
            skipped.len()
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(back
        .notice(format!(
            "Imported {file_name} ({format}) for session {}: {} rows added to the ledger, {} skipped (listed with the import below).",
            session.number,
            checked.accepted.len(),
            skipped.len()
        ))
        .into_response())
}
