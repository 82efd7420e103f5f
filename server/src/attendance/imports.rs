//! Importing a participant report: the organizer uploads the file and chooses the session
//! and the zone its times are in; the preview names every row's problem (no seat: an
//! address with an account and one without get the same words, leave before join, outside the session, a duplicate of an earlier import or of an
//! earlier line, an unreadable time or duration, the organizer's own row) and writes
//! nothing. A row without an email (every BigBlueButton row, Zoom's guests) that matches
//! one learner with a seat by the name they registered with is only a suggestion: the
//! preview shows that account's email beside the name, and the row is written only if the
//! organizer ticks it. The upload and its preview are kept in the database
//! ([`store::keep_preview`]) between the two steps, one per organizer and session, for a
//! day at most. Writing adds every row without a problem in one transaction, with the file
//! kept byte for byte and the skipped rows listed in the import's record; the same file
//! imported twice adds nothing.

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

/// How long an unwritten preview is kept.
pub const PREVIEW_KEPT_SECS: i64 = 24 * 60 * 60;
/// Rows without a problem shown in the preview.
const SHOWN_ACCEPTED: usize = 50;
/// Rows with a problem, and rows to confirm, shown in the preview (each).
const SHOWN_OTHERS: usize = 500;

/// What becomes of one row of a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Add,
    /// Matched by name only: added if the organizer confirms it.
    Confirm,
    Problem(String),
}

/// A report checked against the webinar's people and ledger.
#[derive(Debug)]
pub struct Checked {
    pub report: Report,
    /// Per row, in file order: who it is and what becomes of it.
    pub rows: Vec<(Option<Person>, Outcome)>,
    /// `(user, line, interval)` of the rows to add.
    pub accepted: Vec<(i64, u32, (i64, i64))>,
}

impl Checked {
    fn count(&self, wanted: fn(&Outcome) -> bool) -> usize {
        self.rows.iter().filter(|(_, o)| wanted(o)).count()
    }
}

fn name_key(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Checks every row of `report` for `session`, imported by `importer`; a row matched by
/// name only is added when `confirmed` names its line with the account it matches now,
/// and otherwise waits for confirmation.
pub async fn check(
    conn: &mut crate::db::Connection,
    stored: &Stored,
    session: &StoredSession,
    report: Report,
    importer: i64,
    confirmed: &HashMap<u32, i64>,
) -> Result<Checked> {
    let people = store::people(conn, stored.webinar_id).await?;
    let by_email: HashMap<&str, &Person> = people.iter().map(|p| (p.email.as_str(), p)).collect();
    // By the name each learner registered with, not their name now: renaming oneself
    // before an import takes no one else's minutes.
    let mut by_name: HashMap<String, Vec<&Person>> = HashMap::new();
    for person in people.iter().filter(|p| p.seated) {
        by_name
            .entry(name_key(&person.registered_name))
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
        let by_name_only = row.email.is_empty();
        let person: Option<&Person> = if by_name_only {
            match by_name.get(&name_key(&row.name)).map(Vec::as_slice) {
                Some([one]) => Some(*one),
                _ => None,
            }
        } else {
            by_email.get(row.email.as_str()).copied()
        };
        let problem = match (&row.interval, person) {
            (Err(problem), _) => Some(problem.clone()),
            (Ok(_), None) if by_name_only => Some(match by_name.get(&name_key(&row.name)) {
                Some(many) => format!(
                    "the row has no email, and {} learners with a seat registered as \"{}\": add the email to the row",
                    many.len(),
                    row.name.chars().take(80).collect::<String>()
                ),
                None => format!(
                    "the row has no email, and no learner with a seat registered as \"{}\"",
                    row.name.chars().take(80).collect::<String>()
                ),
            }),
            (Ok(_), None) => Some(format!(
                "{} has no seat in this webinar (no registration with this address)",
                row.email.chars().take(120).collect::<String>()
            )),
            (Ok(_), Some(person)) if person.user_id == importer => Some(
                "this row is your own attendance: an organizer does not import their own; another organizer or an administrator can"
                    .to_owned(),
            ),
            (Ok(_), Some(person)) if !person.seated => Some(format!(
                "{} has no seat in this webinar (waitlisted or cancelled)",
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
                } else {
                    seen.get(&key)
                        .map(|line| format!("repeats line {line} of this file"))
                }
            }
        };
        let outcome = match (problem, row.interval.as_ref(), person) {
            (Some(problem), _, _) => Outcome::Problem(problem),
            (None, Ok(&(join, leave)), Some(person)) => {
                if by_name_only && confirmed.get(&row.line) != Some(&person.user_id) {
                    Outcome::Confirm
                } else {
                    seen.insert((person.user_id, join, leave), row.line);
                    accepted.push((person.user_id, row.line, (join, leave)));
                    Outcome::Add
                }
            }
            (None, _, _) => Outcome::Problem("the row cannot be read".to_owned()),
        };
        rows.push((person.cloned(), outcome));
    }
    Ok(Checked {
        report,
        rows,
        accepted,
    })
}

/// The preview the page shows: every row to confirm and every problem (up to 500 of each),
/// and the first rows to add.
fn preview(
    stored: &Stored,
    session: &StoredSession,
    zone: &str,
    file_name: &str,
    sha256: &str,
    checked: &Checked,
) -> ImportPreview {
    let mut rows = Vec::new();
    let (mut shown_accepted, mut shown_confirm, mut shown_problems) = (0, 0, 0);
    let mut others_not_shown = 0;
    for (row, (person, outcome)) in checked.report.rows.iter().zip(&checked.rows) {
        let (count, limit) = match outcome {
            Outcome::Add => (&mut shown_accepted, SHOWN_ACCEPTED),
            Outcome::Confirm => (&mut shown_confirm, SHOWN_OTHERS),
            Outcome::Problem(_) => (&mut shown_problems, SHOWN_OTHERS),
        };
        *count += 1;
        if *count > limit {
            if *outcome != Outcome::Add {
                others_not_shown += 1;
            }
            continue;
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
            to_confirm: match (outcome, person) {
                (Outcome::Confirm, Some(person)) => Some(person.email.clone()),
                _ => None,
            },
            confirm_user: match (outcome, person) {
                (Outcome::Confirm, Some(person)) => Some(person.user_id),
                _ => None,
            },
            joined,
            left,
            counted: seconds.map(super::intervals::written),
            note: row.note.clone(),
            problem: match outcome {
                Outcome::Problem(problem) => Some(problem.clone()),
                _ => None,
            },
        });
    }
    ImportPreview {
        id: 0,
        slug: stored.detail.slug.clone(),
        session: session.number,
        session_time: crate::webinars::times::session(session.starts_at, session.minutes, zone),
        zone: zone.to_owned(),
        file_name: file_name.to_owned(),
        sha256: sha256.to_owned(),
        format: checked.report.format.name().to_owned(),
        rows_read: checked.report.rows.len(),
        accepted: checked.accepted.len(),
        to_confirm: checked.count(|o| *o == Outcome::Confirm),
        problems: checked.count(|o| matches!(o, Outcome::Problem(_))),
        accepted_not_shown: shown_accepted.saturating_sub(SHOWN_ACCEPTED),
        others_not_shown,
        rows,
    }
}

/// Removes the previews nobody wrote within [`PREVIEW_KEPT_SECS`], every 10 minutes.
pub fn spawn_preview_sweep(pool: &crate::db::Pool) {
    let pool = pool.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(600));
        loop {
            every.tick().await;
            if let Err(error) = forget_old_previews(&pool).await {
                tracing::warn!(%error, "could not remove old import previews; trying again in 10 minutes");
            }
        }
    });
}

/// Removes the previews older than [`PREVIEW_KEPT_SECS`]; how many.
pub async fn forget_old_previews(pool: &crate::db::Pool) -> Result<u64> {
    let mut conn = pool.acquire().await?;
    let removed =
        store::forget_previews(&mut conn, crate::clock::now_secs() - PREVIEW_KEPT_SECS).await?;
    Ok(removed)
}

/// What the upload form sent.
#[derive(Default)]
struct Upload {
    webinar: String,
    session: String,
    zone: String,
    action: String,
    preview: String,
    /// The previewed file's SHA-256, as the write form saw it.
    sha256: String,
    file_name: String,
    file: Option<Vec<u8>>,
    /// The rows matched by name only that the organizer confirmed: line → the account
    /// the preview showed.
    confirmed: HashMap<u32, i64>,
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
        if name != "confirm" && !seen.insert(name.clone()) && upload.twice.is_none() {
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
            "preview" => upload.preview = value,
            "sha256" => upload.sha256 = value.trim().to_lowercase(),
            "confirm" => {
                let parsed = value.trim().split_once(':').and_then(|(line, user)| {
                    Some((line.parse::<u32>().ok()?, user.parse::<i64>().ok()?))
                });
                let Some((line, user)) = parsed else {
                    return Err(Unread::Bad(Error::bad_request(
                        "A confirmed row is named by its line in the report and the account it matched (line:account).",
                    )));
                };
                if upload.confirmed.len() >= participant_reports::MAX_ROWS {
                    return Err(Unread::Bad(Error::bad_request(
                        "More rows were confirmed than a report may have.",
                    )));
                }
                upload.confirmed.insert(line, user);
            }
            "file_name" if upload.file_name.is_empty() => upload.file_name = value,
            _ => {}
        }
    }
    Ok(upload)
}

/// `POST /webinars/attendance/import` (multipart), the webinar's organizers and
/// administrators only: `action` = `preview` (with the `file`, the `session` number and the
/// `zone` its times are in), `write` (the kept `preview`'s id, with a `confirm` per row
/// matched by name only that the organizer confirms) or `discard` (the `preview`'s id).
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
    let now = crate::clock::now_secs();
    if matches!(upload.action.as_str(), "write" | "discard") {
        let kept = match upload.preview.trim().parse::<i64>() {
            Ok(id) => {
                let mut conn = state.pool.acquire().await?;
                store::preview(&mut conn, id, viewer.id, now - PREVIEW_KEPT_SECS).await?
            }
            Err(_) => None,
        };
        let session = kept.as_ref().and_then(|k| {
            stored
                .sessions
                .iter()
                .find(|s| s.id == k.session_id && !s.cancelled)
        });
        let (Some(kept), Some(session)) = (kept, session) else {
            return Err(Error::invalid(back.error(
                "file",
                "That preview is not kept any more (a preview is kept for a day, and only for the organizer who made it): upload the report again.",
            )));
        };
        if upload.action == "write" && !upload.sha256.is_empty() && upload.sha256 != kept.sha256 {
            return Err(Error::invalid(back.error(
                "file",
                "This preview was replaced by a newer upload for the same session: check the preview shown now, then write it.",
            )));
        }
        if upload.action == "discard" {
            let mut conn = state.pool.acquire().await?;
            store::drop_preview(&mut conn, kept.id, viewer.id).await?;
            return Ok(back
                .notice(format!(
                    "The preview of {} was discarded; nothing was written.",
                    kept.file_name
                ))
                .into_response());
        }
        return write(
            &state,
            &viewer,
            &stored,
            session,
            kept,
            &upload.confirmed,
            back,
        )
        .await;
    }

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
    let Some(bytes) = upload.file else {
        return Err(Error::invalid(back.error(
            "file",
            "Choose the participant report to upload (the CSV or text file the service exported).",
        )));
    };
    let sha256 = {
        use sha2::Digest as _;
        hex::encode(sha2::Sha256::digest(&bytes))
    };
    let mut conn = state.pool.acquire().await?;
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
    let checked = check(
        &mut conn,
        &stored,
        session,
        report,
        viewer.id,
        &HashMap::new(),
    )
    .await?;
    let shown = preview(&stored, session, zone.name(), &file_name, &sha256, &checked);
    let json = serde_json::to_string(&shown).map_err(Error::internal)?;
    store::forget_previews(&mut conn, now - PREVIEW_KEPT_SECS).await?;
    store::keep_preview(
        &mut conn,
        &store::NewPreview {
            session: session.id,
            sha256: &sha256,
            bytes: &bytes,
            file_name: &file_name,
            time_zone: zone.name(),
            shown: &json,
            by: viewer.id,
            now,
        },
    )
    .await?;
    let notice = format!(
        "Preview of {}: {} rows read, {} to add, {} matched by name only (tick each you confirm), {} with a problem. Nothing is written until you choose \"Write\".",
        file_name, shown.rows_read, shown.accepted, shown.to_confirm, shown.problems
    );
    Ok(back.notice(notice).into_response())
}

/// Writes the kept preview `kept` for `session`, with the rows matched by name only whose
/// lines are in `confirmed`.
async fn write(
    state: &AppState,
    viewer: &app::accounts::Viewer,
    stored: &Stored,
    session: &StoredSession,
    kept: store::KeptPreview,
    confirmed: &HashMap<u32, i64>,
    back: crate::forms::Back,
) -> Result<Response> {
    let now = crate::clock::now_secs();
    let zone = kept
        .time_zone
        .parse::<chrono_tz::Tz>()
        .unwrap_or(chrono_tz::UTC);
    let report = match participant_reports::read(&kept.bytes, zone) {
        Ok(report) => report,
        Err(problem) => {
            return Err(Error::invalid(back.error(
                "file",
                format!("The file cannot be imported: {problem}. Nothing was written."),
            )));
        }
    };
    let mut tx = crate::db::write_tx(&state.pool).await?;
    // Serialises on the session's imports: the duplicate checks read what earlier imports
    // wrote, so two imports of one session never interleave.
    crate::db::lock(
        &mut tx,
        On::Key(&format!("attendance-import:{}", session.id)),
    )
    .await?;
    // The preview is taken first: two writes of one preview (a double click) write once.
    if !store::drop_preview(&mut tx, kept.id, viewer.id).await? {
        tx.commit().await?;
        return Err(Error::invalid(back.error(
            "file",
            "This preview was written or discarded a moment ago: nothing more was written.",
        )));
    }
    if store::import_by_hash(&mut tx, session.id, &kept.sha256)
        .await?
        .is_some()
    {
        tx.commit().await?;
        return Err(Error::invalid(back.error(
            "file",
            "This file was imported for this session a moment ago: importing it again adds nothing.",
        )));
    }
    let checked = check(&mut tx, stored, session, report, viewer.id, confirmed).await?;
    if checked.accepted.is_empty() {
        // Rolled back: the preview stays for the organizer to tick rows or discard it.
        drop(tx);
        return Err(Error::invalid(back.error(
            "file",
            "Nothing to write: no row is ready to add. Tick the rows matched by name that are the same person, or discard the preview.",
        )));
    }
    let skipped: Vec<(u32, String)> = checked
        .report
        .rows
        .iter()
        .zip(&checked.rows)
        .filter_map(|(row, (_, outcome))| match outcome {
            Outcome::Add => None,
            Outcome::Confirm => Some((
                row.line,
                "matched by name only and not confirmed by the organizer".to_owned(),
            )),
            Outcome::Problem(problem) => Some((row.line, problem.clone())),
        })
        .collect();
    let by_name = checked
        .report
        .rows
        .iter()
        .zip(&checked.rows)
        .filter(|(row, (_, outcome))| row.email.is_empty() && *outcome == Outcome::Add)
        .count();
    let skipped_json = serde_json::to_string(&skipped).map_err(Error::internal)?;
    let format = checked.report.format.name();
    store::keep_file(&mut tx, &kept.sha256, &kept.bytes, viewer.id, now).await?;
    let id = store::write_import(
        &mut tx,
        &store::NewImport {
            session: session.id,
            sha256: &kept.sha256,
            format,
            file_name: &kept.file_name,
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
            "{format} {} sha256:{}: {} rows added ({by_name} matched by name and confirmed), {} skipped",
            kept.file_name,
            kept.sha256,
            checked.accepted.len(),
            skipped.len()
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(back
        .notice(format!(
            "Imported {} ({format}) for session {}: {} rows added to the ledger, {} skipped (listed with the import below).",
            kept.file_name,
            session.number,
            checked.accepted.len(),
            skipped.len()
        ))
        .into_response())
}
