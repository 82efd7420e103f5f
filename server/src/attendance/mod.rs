//! Attendance: the append-only ledger of evidence that a learner attended a webinar session
//! ([`store`]): join clicks, attendance codes ([`codes`]), the conferencing service's
//! participant reports ([`participant_reports`] reads them, [`imports`] checks and writes them) and
//! organizers' corrections ([`corrections`]); the minutes it adds up to and who is eligible
//! ([`intervals`], [`summary`]); and the pages and CSV organizers and learners read
//! ([`pages`], [`csv`]); and the steps from an eligible session to a certificate: the
//! evaluation and claim ([`claims`]) and the webinar's post-test ([`assessment`]).

pub mod assessment;
pub mod claims;
pub mod codes;
pub mod corrections;
pub mod csv;
pub mod imports;
pub mod intervals;
pub mod join;
pub mod pages;
pub mod participant_reports;
pub mod store;
pub mod summary;

use crate::access::{Route, Rule};
use crate::forms::Back;
use crate::webinars::store::Stored;
use chrono::TimeZone as _;

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/webinars/{webinar}/join", Rule::SignedIn, join::join),
        // The webinar's organizers (by email in its file) and administrators.
        Route::page("/webinars/{webinar}/attendance", Rule::ActivityOwner),
        Route::server_fn("/api/webinar-attendance", Rule::ActivityOwner),
        Route::get(
            "/webinars/{webinar}/attendance.csv",
            Rule::ActivityOwner,
            csv::download,
        ),
        Route::get(
            "/webinars/{webinar}/attendance/files/{file}",
            Rule::ActivityOwner,
            csv::report_file,
        ),
        Route::page("/webinars/{webinar}/code", Rule::ActivityOwner),
        Route::server_fn("/api/webinar-code", Rule::ActivityOwner),
        Route::post(
            "/webinars/attendance/codes",
            Rule::ActivityOwner,
            codes::open,
        ),
        Route::upload(
            "/webinars/attendance/import",
            Rule::ActivityOwner,
            imports::import,
            participant_reports::MAX_BYTES + 64 * 1024,
        ),
        Route::post(
            "/webinars/attendance/correct",
            Rule::ActivityOwner,
            corrections::correct,
        ),
        // A learner with a seat, during a session.
        Route::post("/webinars/attendance/code", Rule::SignedIn, codes::enter),
        // A learner the ledger makes eligible, after the session.
        Route::post(
            "/webinars/attendance/evaluate",
            Rule::SignedIn,
            claims::evaluate,
        ),
        Route::post("/webinars/attendance/claim", Rule::SignedIn, claims::claim),
        // The learner's own post-test and attempts: looked up by the viewer.
        Route::page("/webinars/{webinar}/post-test", Rule::SignedIn),
        Route::page("/webinars/{webinar}/post-test/{number}", Rule::SignedIn),
        Route::server_fn("/api/webinar-quiz", Rule::SignedIn),
        Route::server_fn("/api/webinar-attempt", Rule::SignedIn),
        Route::post("/webinars/post-test", Rule::SignedIn, assessment::submit),
    ]
}

/// Back to the organizers' attendance page, to the named form.
pub(crate) fn to_attendance(slug: &str, form: &str) -> Back {
    Back::to(
        &format!("attendance-{form}"),
        format!("/webinars/{slug}/attendance#{form}"),
    )
}

/// The zone of a webinar's session (its first one's when `session` is not given).
pub(crate) fn zone_of(stored: &Stored, session: Option<i64>) -> String {
    stored
        .sessions
        .iter()
        .find(|s| session.is_none_or(|id| s.id == id))
        .or_else(|| stored.sessions.first())
        .map_or_else(|| "UTC".to_owned(), |s| s.zone.clone())
}

fn zoned(at: i64, zone: &str) -> Option<chrono::DateTime<chrono_tz::Tz>> {
    let zone: chrono_tz::Tz = zone.parse().unwrap_or(chrono_tz::UTC);
    chrono::Utc
        .timestamp_opt(at, 0)
        .single()
        .map(|at| at.with_timezone(&zone))
}

/// "09:58:31 CST": evidence is to the second.
pub(crate) fn clock(at: i64, zone: &str) -> String {
    zoned(at, zone).map_or_else(String::new, |at| at.format("%H:%M:%S %Z").to_string())
}

/// "4 March 2031, 09:58:31 CST".
pub(crate) fn clock_dated(at: i64, zone: &str) -> String {
    zoned(at, zone).map_or_else(String::new, |at| {
        at.format("%-d %B %Y, %H:%M:%S %Z").to_string()
    })
}
