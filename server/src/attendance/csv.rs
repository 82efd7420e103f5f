//! Downloads for organizers: the attendance of every session as CSV (a cell a spreadsheet
//! would run as a formula is defused), and an imported report file as it was uploaded.

use super::intervals::{self, Eligibility};
use super::store::Source;
use super::summary;
use crate::AppState;
use crate::auth::Educator;
use crate::error::{Error, Result};
use axum::extract::{Path, State};
use axum::response::Response;

/// `GET /webinars/{webinar}/attendance.csv`: organizers and administrators.
pub async fn download(
    State(state): State<AppState>,
    Educator(viewer): Educator,
    Path(slug): Path<String>,
) -> Result<Response> {
    let stored = crate::webinars::organizers::organized(&state.pool, &viewer, &slug).await?;
    let registrants = crate::webinars::store::registrants(&state.pool, stored.webinar_id).await?;
    let mut conn = state.pool.acquire().await?;
    let rule = crate::webinars::store::attendance_rule(&mut conn, stored.webinar_id).await?;
    let mut out = crate::download::SpreadsheetCsv::new();
    let fail = |error: csv::Error| Error::internal(error);
    out.row([
        "session",
        "session_start_utc",
        "name",
        "email",
        "seat",
        "seconds_attended",
        "seconds_join_link",
        "seconds_codes",
        "seconds_report",
        "seconds_corrections",
        "seconds_required",
        "eligible",
        "seconds_missing",
        "code_only",
    ])
    .map_err(fail)?;
    for session in stored.sessions.iter().filter(|s| !s.cancelled) {
        let start = chrono::DateTime::from_timestamp(session.starts_at, 0)
            .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
            .unwrap_or_default();
        let required = intervals::required_seconds(rule, session.ends_at() - session.starts_at);
        for row in
            summary::session(&mut conn, stored.webinar_id, session, rule, &registrants).await?
        {
            let of = |source: Source| {
                row.attendance
                    .per_source
                    .iter()
                    .find(|(s, _)| *s == source)
                    .map_or(0, |(_, seconds)| *seconds)
                    .to_string()
            };
            let (eligible, missing) = match row.attendance.eligibility {
                Eligibility::Eligible => ("yes", 0),
                Eligibility::Missing { seconds } => ("no", seconds),
            };
            out.row([
                session.number.to_string().as_str(),
                &start,
                &row.person.name,
                &row.person.email,
                &row.person.status,
                &row.attendance.seconds.to_string(),
                &of(Source::JoinClick),
                &of(Source::Code),
                &of(Source::Report),
                &of(Source::Correction),
                &required.to_string(),
                eligible,
                &missing.to_string(),
                if row.attendance.code_only() {
                    "yes"
                } else {
                    "no"
                },
            ])
            .map_err(fail)?;
        }
    }
    let body = out.finish().map_err(fail)?;
    Ok(crate::download::attachment(
        "text/csv; charset=utf-8",
        &format!("{}-attendance.csv", stored.detail.slug),
        body,
    ))
}

/// `GET /webinars/{webinar}/attendance/files/{sha256}`: a report imported for one of the
/// webinar's sessions, byte for byte. Organizers and administrators.
pub async fn report_file(
    State(state): State<AppState>,
    Educator(viewer): Educator,
    Path((slug, file)): Path<(String, String)>,
) -> Result<Response> {
    let stored = crate::webinars::organizers::organized(&state.pool, &viewer, &slug).await?;
    let sha = file.trim().to_lowercase();
    let not_found =
        || Error::not_found("No report with that SHA-256 was imported for this webinar.");
    if sha.len() != 64 || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(not_found());
    }
    let mut conn = state.pool.acquire().await?;
    let mut imported = false;
    for session in &stored.sessions {
        imported |= super::store::import_by_hash(&mut conn, session.id, &sha)
            .await?
            .is_some();
    }
    if !imported {
        return Err(not_found());
    }
    let bytes = super::store::file(&mut conn, &sha)
        .await?
        .ok_or_else(not_found)?;
    Ok(crate::download::attachment(
        "application/octet-stream",
        &format!("report-{}.csv", &sha[..16]),
        bytes,
    ))
}
