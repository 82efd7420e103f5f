//! Attendance codes: during a session an organizer opens a window of a few minutes and a
//! short code appears in large type for screen sharing; a learner with a seat who enters it
//! inside the window adds a row to the ledger. A code proves the learner saw the screen at
//! the moment they typed it, so the row covers observed time only:
//!
//! - **Chained:** if the learner also answered the window before this one in the same
//!   session, at most [`CHAIN_MAX_GAP_SECS`] earlier, the row runs from that answer to this
//!   one (they were seen at both ends and a code was on the screen in between).
//! - **Unchained** (the first code, a missed one before it, or answers further apart than
//!   the maximum): the row runs from [`GRACE_SECS`] before the entry (never before the
//!   window opened) to the entry. A 30-minute window answered at its 29th minute credits
//!   2 minutes, not 29.
//!
//! A join click, which shows only that the link was followed, starts no chain. Guessing is
//! throttled in the database (every app server counts into the same limits): a learner's
//! codes that are not accepted (wrong or late) lock that learner alone out for a while; the
//! ones from one address in one webinar only slow that address down and are logged, so a
//! hospital behind one address, or a proxy not declared trusted, keeps working.

use super::store::{self, CodeWindow};
use crate::AppState;
use crate::auth::{Educator, SignedIn};
use crate::client_addr::ClientAddress;
use crate::db::On;
use crate::error::{Error, Result};
use crate::forms::{Back, Fields, Submission};
use crate::webinars::store::{Standing, Stored, StoredSession};
use axum::extract::State;

/// Letters and digits nobody misreads on a shared screen (no 0/O, 1/I/L, 5/S, 2/Z).
const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRTUVWXY346789";
pub const CODE_LENGTH: usize = 6;
/// Window lengths an organizer may choose, in minutes.
pub const MIN_MINUTES: i64 = 1;
pub const MAX_MINUTES: i64 = 30;
/// How long before an unchained entry the learner is taken to have been watching: the time
/// to read a code off the screen and type it.
pub const GRACE_SECS: i64 = 2 * 60;
/// Two answers further apart than this do not chain: nothing shows the learner was there in
/// between.
pub const CHAIN_MAX_GAP_SECS: i64 = 30 * 60;

/// The interval an entry at `now` in a window opened at `opens_at` credits, given the
/// learner's answer to the window before it, if any.
pub fn credited(opens_at: i64, previous_answer: Option<i64>, now: i64) -> (i64, i64) {
    let start = match previous_answer {
        Some(at) if at <= now && now - at <= CHAIN_MAX_GAP_SECS => at,
        _ => now.saturating_sub(GRACE_SECS).max(opens_at).min(now),
    };
    (start, now)
}

pub fn new_code() -> String {
    use rand::Rng as _;
    let mut rng = rand::rng();
    (0..CODE_LENGTH)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect()
}

/// What a learner typed, as compared: capitals, without spaces or dashes.
pub fn normalised(typed: &str) -> String {
    typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_uppercase)
        .take(40)
        .collect()
}

/// The session during which a code window may be opened: from 15 minutes before it starts
/// (a code shown as people arrive) to its end.
pub fn running_session(stored: &Stored, now: i64) -> Option<&StoredSession> {
    crate::webinars::join::open_session(stored, now)
}

/// `POST /webinars/attendance/codes` (`webinar`, `minutes`): an organizer opens a window.
pub async fn open(
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
    let back = super::to_attendance(&stored.detail.slug, "codes");
    let minutes = form.get("minutes");
    let minutes = match minutes.trim().parse::<i64>() {
        Ok(m) if (MIN_MINUTES..=MAX_MINUTES).contains(&m) => m,
        _ => {
            return Err(Error::invalid(back.error(
                "minutes",
                format!(
                    "Write how many minutes the code is shown, a whole number from {MIN_MINUTES} to {MAX_MINUTES} (5 suits most sessions)."
                ),
            )));
        }
    };
    let now = crate::clock::now_secs();
    let Some(session) = running_session(&stored, now) else {
        return Err(Error::invalid(back.error(
            "form",
            "A code can be shown only during a session (from 15 minutes before it starts to its end).",
        )));
    };
    let closes = (now + minutes * 60).min(session.ends_at());
    let mut conn = state.pool.acquire().await?;
    store::open_window(&mut conn, session.id, &new_code(), now, closes, viewer.id).await?;
    Ok(Back::to(
        "attendance-code",
        format!("/webinars/{}/code", stored.detail.slug),
    )
    .notice(format!(
        "The code is shown until {}. Share this screen in the session.",
        super::clock(closes, &session.zone)
    )))
}

/// The windows of `stored` whose code is `code`, and whether one is open at `now`.
fn matching<'a>(windows: &'a [CodeWindow], code: &str) -> Vec<&'a CodeWindow> {
    windows.iter().filter(|w| w.code == code).collect()
}

/// `POST /webinars/attendance/code` (`webinar`, `code`): a learner enters the code shown.
pub async fn enter(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ClientAddress(address): ClientAddress,
    fields: Fields,
) -> Result<Back> {
    let mut form = Submission::new(fields);
    if let Some(problem) = form.problem() {
        return Err(Error::bad_request(problem));
    }
    let stored = crate::webinars::published(&state.pool, &form.get("webinar")).await?;
    let back = Back::to(
        "webinar-code",
        format!("/webinars/{}#attendance", stored.detail.slug),
    );
    let typed = normalised(&form.get("code"));
    let back = back.values(vec![("code".into(), typed.clone())]);
    if typed.is_empty() {
        return Err(Error::invalid(back.error(
            "code",
            "Type the code shown in the session (6 letters and digits).",
        )));
    }
    let mut conn = state.pool.acquire().await?;
    match crate::webinars::store::standing(&mut conn, stored.webinar_id, viewer.id).await? {
        Standing::Registered => {}
        Standing::Waitlisted(_) | Standing::NotRegistered => {
            return Err(Error::invalid(back.error(
                "form",
                "Attendance codes count only for learners with a seat in this webinar.",
            )));
        }
    }
    if crate::webinars::organizers::names_as_organizer(&mut conn, viewer.id, &stored).await? {
        return Err(Error::invalid(back.error(
            "form",
            "You organize this webinar: an organizer's own attendance is not recorded by the codes the organizers show.",
        )));
    }
    drop(conn);
    let pause =
        crate::auth::rate_limit::code_pause(&state.pool, stored.webinar_id, &address).await?;
    if !pause.is_zero() {
        tokio::time::sleep(pause).await;
    }
    let now = crate::clock::now_secs();
    let sessions: Vec<i64> = stored.sessions.iter().map(|s| s.id).collect();
    let mut tx = crate::db::write_tx(&state.pool).await?;
    // Serialises on the learner: their chain of checkpoints is read, then extended.
    crate::db::lock(&mut tx, On::Row(crate::db::Table::Users, viewer.id)).await?;
    if !crate::auth::rate_limit::code_allowed(&mut tx, viewer.id).await? {
        tx.commit().await?;
        return Err(Error::invalid(back.error(
            "code",
            "Too many codes that were not accepted in the last 10 minutes: wait a few minutes, then type the code shown now.",
        )));
    }
    let windows = store::windows(&mut tx, &sessions).await?;
    let found = matching(&windows, &typed);
    let open = found
        .iter()
        .find(|w| w.opens_at <= now && now < w.closes_at)
        .copied();
    let Some(window) = open else {
        crate::auth::rate_limit::code_refused(&mut tx, viewer.id, stored.webinar_id, &address)
            .await?;
        tx.commit().await?;
        let zone = super::zone_of(&stored, found.first().map(|w| w.session_id));
        let message = match found.last() {
            Some(late) => format!(
                "That code was shown until {}: a code counts only while it is on the screen. Type the code shown now, if there is one.",
                super::clock(late.closes_at, &zone)
            ),
            None if windows
                .iter()
                .any(|w| w.opens_at <= now && now < w.closes_at) =>
            {
                "That is not the code being shown. Check the letters and digits and type it again."
                    .to_owned()
            }
            None => {
                "No code is being shown for this webinar now. Type it while it is on the screen."
                    .to_owned()
            }
        };
        return Err(Error::invalid(back.error("code", message)));
    };
    if window.opened_by == viewer.id {
        tx.commit().await?;
        return Err(Error::invalid(back.error(
            "form",
            "You are showing this code: it records the attendance of the people who see it, not yours.",
        )));
    }
    if let Some(at) = store::code_entered_at(&mut tx, window.id, viewer.id).await? {
        tx.commit().await?;
        let zone = super::zone_of(&stored, Some(window.session_id));
        return Ok(back.notice(format!(
            "Your code was recorded already, at {}.",
            super::clock(at, &zone)
        )));
    }
    // The session's windows in the order they opened: the one before this, if the learner
    // answered it too, carries the chain back to that answer.
    let previous_window = windows.iter().rev().find(|w| {
        w.session_id == window.session_id && (w.opens_at, w.id) < (window.opens_at, window.id)
    });
    let previous = match previous_window {
        Some(earlier) => store::standing_code_answer(&mut tx, earlier.id, viewer.id).await?,
        None => None,
    };
    let interval = credited(window.opens_at, previous, now);
    store::record_code(&mut tx, window, viewer.id, interval, now).await?;
    tx.commit().await?;
    let zone = super::zone_of(&stored, Some(window.session_id));
    Ok(back.notice(format!(
        "Code accepted at {}: your attendance is recorded.",
        super::clock(now, &zone)
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_use_only_unmistakable_characters() {
        for _ in 0..200 {
            let code = new_code();
            assert_eq!(code.len(), CODE_LENGTH);
            assert!(code.bytes().all(|b| ALPHABET.contains(&b)), "{code}");
        }
    }

    #[test]
    fn a_code_credits_observed_time_only() {
        let opens = 1_000_000;
        // A 30-minute window answered at its 29th minute: the grace, not 29 minutes.
        assert_eq!(
            credited(opens, None, opens + 29 * 60),
            (opens + 27 * 60, opens + 29 * 60)
        );
        // Answered at once: from the opening, never before it.
        assert_eq!(credited(opens, None, opens + 30), (opens, opens + 30));
        // Chained to an answer 15 minutes before: the whole stretch.
        let before = opens - 15 * 60;
        assert_eq!(
            credited(opens, Some(before), opens + 60),
            (before, opens + 60)
        );
        // Answers 31 minutes apart do not chain.
        let long_ago = opens + 60 - CHAIN_MAX_GAP_SECS - 60;
        assert_eq!(
            credited(opens, Some(long_ago), opens + 60),
            (opens, opens + 60)
        );
        // An answer "after" this one (a clock step) does not chain either.
        assert_eq!(
            credited(opens, Some(opens + 600), opens + 60),
            (opens, opens + 60)
        );
    }

    #[test]
    fn typed_codes_are_compared_without_case_spaces_or_dashes() {
        assert_eq!(normalised(" k7m-4qx\t"), "K7M4QX");
        assert_eq!(normalised(&"a".repeat(100_000)).len(), 40);
    }
}
