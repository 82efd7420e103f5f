//! Calendar files: one `.ics` per registration (downloaded from the webinar page and
//! attached to the confirmation), and a private feed per learner listing every session they
//! registered for. Times are UTC (`…Z`); each session has one UID for its whole life, and
//! its SEQUENCE (the session's own, moved on by every change of its time, plus the
//! registration's, moved on by every register, cancel and promotion) only grows, so a
//! calendar always takes the newest copy. A cancelled registration or session carries the
//! same UID with `STATUS:CANCELLED`.

use super::store::{self, Stored, StoredSession};
use super::times;
use crate::AppState;
use crate::accounts::tokens;
use crate::auth::SignedIn;
use crate::error::{Error, Result};
use crate::forms::{Back, Fields, Submission};
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::TimeZone as _;
use icalendar::{Calendar, Component, Event, EventLike, EventStatus};

/// The media type of every calendar the site makes (pages and mail alike).
pub use crate::mail::compose::CALENDAR_CONTENT_TYPE as CONTENT_TYPE;

/// One session as a learner's calendar shows it.
pub struct Entry<'a> {
    pub slug: &'a str,
    pub title: &'a str,
    pub session: &'a StoredSession,
    /// The registration's own change count.
    pub registration_sequence: i64,
    /// The learner holds a seat (else the event is cancelled in their calendar).
    pub confirmed: bool,
}

/// `session-<id>.webinar@<domain>`: the same for a session whatever changes.
pub fn uid(session_id: i64, domain: &str) -> String {
    format!("session-{session_id}.webinar@{domain}")
}

fn utc(at: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::Utc
        .timestamp_opt(at, 0)
        .single()
        .unwrap_or_default()
}

/// Text for a calendar property: the `icalendar` crate escapes line feeds, commas,
/// semicolons and backslashes; a carriage return, which some readers take as a line break,
/// becomes a line feed first, and other control characters go.
fn text(value: &str) -> String {
    value
        .replace("\r\n", "\n")
        .replace('\r', "\n")
        .chars()
        .filter(|c| *c == '\n' || !c.is_control())
        .collect()
}

/// A calendar of `entries`, times described in `zone` (the learner's, else each session's).
pub fn calendar(
    identity: &crate::mail::compose::Identity,
    name: &str,
    entries: &[Entry<'_>],
    zone: Option<&str>,
) -> String {
    let mut calendar = Calendar::empty();
    calendar
        .append_property(("VERSION", "2.0"))
        .append_property(("PRODID", "-//Grand Rounds//Webinars//EN"))
        .append_property(("CALSCALE", "GREGORIAN"))
        .append_property(("METHOD", "PUBLISH"))
        .append_property(("X-WR-CALNAME", text(name).as_str()));
    let stamp = utc(crate::clock::now_secs());
    for entry in entries {
        let session = entry.session;
        let local = times::session(
            session.starts_at,
            session.minutes,
            zone.unwrap_or(&session.zone),
        );
        let page = identity.link(&format!("/webinars/{}", entry.slug));
        let join = identity.link(&format!("/webinars/{}/join", entry.slug));
        let cancelled = session.cancelled || !entry.confirmed;
        let sequence = session.sequence + entry.registration_sequence;
        let description = if cancelled {
            format!("Cancelled: {local}.\nThe webinar's page: {page}",)
        } else {
            format!(
                "{local}.\nJoin from 15 minutes before the start: {join}\nThe webinar's page: {page}"
            )
        };
        let mut event = Event::new();
        event
            .uid(&uid(session.id, &identity.domain))
            .sequence(u32::try_from(sequence).unwrap_or(u32::MAX))
            .timestamp(stamp)
            .summary(&text(entry.title))
            .description(&description)
            .starts(utc(session.starts_at))
            .ends(utc(session.ends_at()))
            .location(&join)
            .url(&page)
            .status(if cancelled {
                EventStatus::Cancelled
            } else {
                EventStatus::Confirmed
            });
        calendar.push(event.done());
    }
    calendar.done().to_string()
}

/// The `.ics` of `user`'s registration for `stored`: every session, confirmed while they
/// hold a seat and cancelled once they do not.
pub fn registration_calendar(
    identity: &crate::mail::compose::Identity,
    stored: &Stored,
    confirmed: bool,
    registration_sequence: i64,
    zone: Option<&str>,
) -> String {
    let entries: Vec<Entry<'_>> = stored
        .sessions
        .iter()
        .map(|session| Entry {
            slug: &stored.detail.slug,
            title: &stored.detail.title,
            session,
            registration_sequence,
            confirmed,
        })
        .collect();
    calendar(identity, &stored.detail.title, &entries, zone)
}

/// Attaches the learner's calendar for `stored` to `letter` (read in the caller's
/// transaction, so it shows what is being committed); nothing for a waitlist place.
pub async fn attach(
    conn: &mut crate::db::Connection,
    identity: &crate::mail::compose::Identity,
    stored: &Stored,
    user: i64,
    letter: &mut crate::mail::compose::Letter,
) -> Result<()> {
    if let Some((confirmed, sequence)) =
        store::calendar_standing(conn, stored.webinar_id, user).await?
    {
        let zone = crate::accounts::store::time_zone(conn, user).await?;
        letter.calendar = Some(registration_calendar(
            identity,
            stored,
            confirmed,
            sequence,
            zone.as_deref(),
        ));
    }
    Ok(())
}

fn ics(filename: &str, body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, CONTENT_TYPE.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        body,
    )
        .into_response()
}

/// `GET /webinars/{webinar}/calendar.ics`: the signed-in learner's own registration (a seat,
/// or a cancelled one to remove it from their calendar). Waiting and never registered: 404.
pub async fn download(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    Path(slug): Path<String>,
) -> Result<Response> {
    let stored = store::by_slug(&state.pool, slug.trim())
        .await?
        .ok_or_else(|| Error::not_found("There is no such webinar."))?;
    let mut conn = state.pool.acquire().await?;
    let Some((confirmed, sequence)) =
        store::calendar_standing(&mut conn, stored.webinar_id, viewer.id).await?
    else {
        return Err(Error::not_found(
            "You have no registration for this webinar, so there is no calendar file for it. Register on the webinar's page first.",
        ));
    };
    let zone = crate::accounts::store::time_zone(&mut conn, viewer.id).await?;
    let body = registration_calendar(
        &state.mail.identity,
        &stored,
        confirmed,
        sequence,
        zone.as_deref(),
    );
    Ok(ics(&format!("{}.ics", stored.detail.slug), body))
}

/// `GET /calendar/{token}.ics`: a learner's private feed, for calendar apps that subscribe
/// (they send no cookie; the token in the address is the key). A wrong, revoked or
/// malformed token gets the same 404.
pub async fn feed(State(state): State<AppState>, Path(file): Path<String>) -> Result<Response> {
    let missing = || {
        Error::not_found(
            "There is no calendar at this address (it may have been replaced or turned off on the account page).",
        )
    };
    let token = file.strip_suffix(".ics").ok_or_else(missing)?;
    if !tokens::well_formed(token) {
        return Err(missing());
    }
    let mut conn = state.pool.acquire().await?;
    let user = store::feed_owner(&mut conn, &tokens::hash(token))
        .await?
        .ok_or_else(missing)?;
    let zone = crate::accounts::store::time_zone(&mut conn, user).await?;
    drop(conn);
    let rows = store::feed_rows(&state.pool, user).await?;
    let entries: Vec<Entry<'_>> = rows
        .iter()
        .map(|row| Entry {
            slug: &row.slug,
            title: &row.title,
            session: &row.session,
            registration_sequence: row.registration_sequence,
            confirmed: row.confirmed,
        })
        .collect();
    let name = format!("{} webinars", state.mail.identity.site_name);
    let body = calendar(&state.mail.identity, &name, &entries, zone.as_deref());
    Ok(ics("webinars.ics", body))
}

/// `POST /account/calendar-feed`: `action=new` makes a new private address (replacing the
/// old one, which stops working) and shows it once; `action=off` turns the feed off.
pub async fn feed_settings(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    fields: Fields,
) -> Result<Back> {
    let mut form = Submission::new(fields);
    let action = form.get("action");
    let back = Back::to("calendar", "/account");
    if let Some(problem) = form.problem() {
        return Err(Error::invalid(back.error("form", problem)));
    }
    match action.trim() {
        "new" => {
            let (token, hash) = tokens::new_token();
            store::replace_feed(&state.pool, viewer.id, Some(&hash)).await?;
            Ok(back.notice(format!(
                "Your new private calendar address (copy it now: it is shown only once, and the old one no longer works): {}",
                state
                    .mail
                    .identity
                    .link(&format!("/calendar/{token}.ics"))
            )))
        }
        "off" => {
            store::replace_feed(&state.pool, viewer.id, None).await?;
            Ok(back.notice(
                "Your calendar feed is off: its address no longer works. Make a new one whenever you like.",
            ))
        }
        _ => Err(Error::invalid(back.error(
            "form",
            "Choose \"Make a new address\" or \"Turn the feed off\".",
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_and_line_breaks_in_a_title_stay_inside_its_text() {
        let identity =
            crate::mail::compose::Identity::new("Grand Rounds", "https://cme.example.org", None)
                .expect("identity");
        let title = "Risk\r\nATTACH:https://evil.example/x.exe\nBEGIN:VALARM\r\nTRIGGER:-PT1M;X=1,Y=2\\ <script>alert(1)</script><img src=x onerror=alert(2)>";
        let session = StoredSession {
            id: 7,
            number: 1,
            starts_at: 1_800_000_000,
            minutes: 60,
            zone: "America/Chicago".into(),
            sequence: 0,
            cancelled: false,
        };
        let entries = [Entry {
            slug: "risk",
            title,
            session: &session,
            registration_sequence: 0,
            confirmed: true,
        }];
        let ics = calendar(&identity, title, &entries, None);
        // Unfolded, every line is one property: none of them came from the title.
        let unfolded = ics.replace("\r\n ", "").replace("\r\n\t", "");
        for line in unfolded.split("\r\n") {
            for injected in ["ATTACH", "BEGIN:VALARM", "TRIGGER", "<script"] {
                assert!(!line.starts_with(injected), "{line}\n{ics}");
            }
        }
        assert_eq!(unfolded.matches("BEGIN:VEVENT").count(), 1, "{ics}");
        assert_eq!(
            unfolded.matches("\r\nBEGIN:").count(),
            1,
            "one event, no alarm: {ics}"
        );
        let summary = unfolded
            .split("\r\n")
            .find(|l| l.starts_with("SUMMARY"))
            .expect("summary");
        assert!(
            summary.contains("Risk\\nATTACH:https://evil.example/x.exe\\nBEGIN:VALARM"),
            "line breaks escaped: {summary}"
        );
        assert!(summary.contains("-PT1M\\;X=1\\,Y=2\\\\"), "{summary}");
        let name = unfolded
            .split("\r\n")
            .find(|l| l.starts_with("X-WR-CALNAME"))
            .expect("name");
        assert!(!name.contains('\n') && name.contains("Risk"), "{name}");
    }
}
