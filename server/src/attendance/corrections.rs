//! Corrections: an organizer never edits the ledger; they add a row that supersedes one
//! earlier row, with the interval it should have had (or none, to withdraw it) and their
//! reason. Audited. A row is superseded at most once (a correction of a correction
//! supersedes the correction).

use super::store;
use crate::AppState;
use crate::auth::Educator;
use crate::db::On;
use crate::error::{Error, Result};
use crate::forms::{Back, Fields, Submission};
use axum::extract::State;

/// `POST /webinars/attendance/correct` (`webinar`, `session`, `row`, `join`, `leave`,
/// `reason`): the webinar's organizers and administrators.
pub async fn correct(
    State(state): State<AppState>,
    Educator(viewer): Educator,
    fields: Fields,
) -> Result<Back> {
    let mut form = Submission::new(fields);
    if let Some(problem) = form.problem() {
        return Err(Error::bad_request(problem));
    }
    let stored =
        crate::webinars::organizers::organized(&state.pool, &viewer, &form.get("webinar")).await?;
    let number = form.get("session");
    let Some(session) = number
        .trim()
        .parse::<u32>()
        .ok()
        .and_then(|n| stored.sessions.iter().find(|s| s.number == n))
    else {
        return Err(Error::bad_request("Choose one of the webinar's sessions."));
    };
    let zone: chrono_tz::Tz = session.zone.parse().unwrap_or(chrono_tz::UTC);
    let row = form.get("row");
    let row = form.check(
        "row",
        row.trim().parse::<i64>().map_err(|_| {
            "Write the number of the row to correct, from the ledger's first column.".to_owned()
        }),
    );
    let (join, leave) = (form.get("join"), form.get("leave"));
    let interval = match (join.trim(), leave.trim()) {
        ("", "") => None,
        (join, leave) => {
            let start = form.check(
                "join",
                super::participant_reports::parse_time(join, zone)
                    .map_err(|e| format!("Joined: {e}")),
            );
            let end = form.check(
                "leave",
                super::participant_reports::parse_time(leave, zone)
                    .map_err(|e| format!("Left: {e}")),
            );
            match (start, end) {
                (Some(start), Some(end)) if end < start => {
                    form.fail("leave", "Left must be after joined.");
                    None
                }
                (Some(start), Some(end)) => Some((start, end)),
                _ => None,
            }
        }
    };
    let reason = form.get("reason").trim().to_owned();
    if reason.is_empty() {
        form.fail(
            "reason",
            "Say why the row is corrected: the reason stays in the ledger.",
        );
    } else if reason.chars().count() > 500 {
        form.fail("reason", "Keep the reason to 500 characters.");
    }
    let slug = stored.detail.slug.clone();
    let path = format!("/webinars/{slug}/attendance#session-{}", session.number);
    if !form.ok() {
        return Err(Error::invalid(form.back("attendance-correct", path)));
    }
    let Some(row) = row else {
        return Err(Error::invalid(form.back("attendance-correct", path)));
    };
    let now = crate::clock::now_secs();
    let mut tx = crate::db::write_tx(&state.pool).await?;
    // Serialises with imports of the session: both read the ledger, then add to it.
    crate::db::lock(
        &mut tx,
        On::Key(&format!("attendance-import:{}", session.id)),
    )
    .await?;
    let Some(current) = store::current_row(&mut tx, session.id, row).await? else {
        tx.commit().await?;
        return Err(Error::invalid(form.back("attendance-correct", path).error(
            "row",
            format!(
                "Session {} has no current row {row} (it may have been corrected already).",
                session.number
            ),
        )));
    };
    if current.user_id == viewer.id {
        tx.commit().await?;
        return Err(Error::invalid(form.back("attendance-correct", path).error(
            "row",
            format!(
                "Row {row} is your own attendance: nobody corrects their own; another organizer or an administrator can."
            ),
        )));
    }
    let id = store::add_correction(
        &mut tx, &current, session.id, interval, &reason, viewer.id, now,
    )
    .await?;
    crate::db::audit::record(
        &mut tx,
        Some(viewer.id),
        "attendance.correct",
        &format!("webinar:{slug} session:{} row:{row}", session.number),
        &format!("row {id} supersedes row {row}: {reason}"),
    )
    .await?;
    tx.commit().await?;
    Ok(Back::to("attendance-correct", path)
        .values(vec![("session".into(), session.number.to_string())])
        .notice(format!(
            "Row {id} now supersedes row {row}{}.",
            if interval.is_none() {
                " and withdraws it"
            } else {
                ""
            }
        )))
}
