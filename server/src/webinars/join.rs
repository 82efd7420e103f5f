//! When a webinar's join link is open: from 15 minutes before a session to its end. The
//! webinar page shows the link (or when it opens); the join itself, which records the click
//! as attendance evidence, is `attendance::join`.

use super::store::{Stored, StoredSession};
use super::times;

/// How long before a session its join link opens.
pub const OPENS_BEFORE_SECS: i64 = 15 * 60;

/// The session whose join window holds `now`: from 15 minutes before its start to its end.
pub fn open_session(stored: &Stored, now: i64) -> Option<&StoredSession> {
    stored
        .sessions
        .iter()
        .filter(|s| !s.cancelled)
        .find(|s| s.starts_at - OPENS_BEFORE_SECS <= now && now < s.ends_at())
}

/// When the link opens next, or that it will not, in `zone` (None: the session's own).
pub fn when_it_opens(stored: &Stored, now: i64, zone: Option<&str>) -> String {
    match stored
        .sessions
        .iter()
        .filter(|s| !s.cancelled)
        .find(|s| s.starts_at - OPENS_BEFORE_SECS > now)
    {
        Some(next) => format!(
            "The join link opens on {}, 15 minutes before session {} starts.",
            times::instant(
                next.starts_at - OPENS_BEFORE_SECS,
                zone.unwrap_or(&next.zone)
            ),
            next.number
        ),
        None => "Every session of this webinar has ended: the join link is closed.".to_owned(),
    }
}
