//! Reminder mail a day and an hour before each session, to learners holding a seat who did
//! not turn reminders off. Every app server looks for due reminders every 30 seconds; a
//! reminder is a row keyed by (session, learner, kind, start time) written in the same
//! transaction as its message, so whichever server inserts the row first sends it and the
//! others' inserts do nothing: once, however many servers run. A session moved to another
//! time is reminded of again.

use super::store;
use super::times;
use crate::db::Pool;
use crate::error::Result;
use crate::mail::compose::{Identity, templates};

pub const DAY_SECS: i64 = 24 * 3600;
pub const HOUR_SECS: i64 = 3600;
const EVERY: std::time::Duration = std::time::Duration::from_secs(30);

/// Which reminder is due for a session starting at `starts_at`: within the hour, the
/// hour's; within the day, the day's; else none.
pub fn due_kind(starts_at: i64, now: i64) -> Option<&'static str> {
    let ahead = starts_at - now;
    if ahead <= 0 {
        None
    } else if ahead <= HOUR_SECS {
        Some("hour")
    } else if ahead <= DAY_SECS {
        Some("day")
    } else {
        None
    }
}

/// Writes every reminder due now (with its message) and returns how many were written.
pub async fn send_due(pool: &Pool, identity: &Identity) -> Result<usize> {
    let now = crate::clock::now_secs();
    let sessions = store::sessions_starting(pool, now, now + DAY_SECS).await?;
    let mut written = 0;
    for (session, webinar, starts_at, minutes, zone) in sessions {
        let Some(kind) = due_kind(starts_at, now) else {
            continue;
        };
        let Some(stored) = store::by_id(pool, webinar).await? else {
            continue;
        };
        let waiting = store::unreminded(pool, webinar, session, kind, starts_at).await?;
        for user in waiting {
            let mut tx = crate::db::write_tx(pool).await?;
            // Serialises on the reminder's key: the first server's insert wins, every
            // other one (on this server or another) inserts nothing and sends nothing.
            let inserted = store::claim_reminder(&mut tx, session, user, kind, starts_at).await?;
            if inserted == 1
                && let Some((email, name)) = crate::accounts::store::contact(&mut tx, user).await?
            {
                let learner_zone = crate::accounts::store::time_zone(&mut tx, user).await?;
                let when = times::session(
                    starts_at,
                    u32::try_from(minutes).unwrap_or(0),
                    learner_zone.as_deref().unwrap_or(&zone),
                );
                let letter = templates::webinar_reminder(
                    identity,
                    user,
                    &email,
                    &name,
                    templates::Webinar {
                        title: &stored.detail.title,
                        slug: &stored.detail.slug,
                    },
                    &when,
                    kind == "hour",
                );
                // None when the learner turned reminders off: the row still says it is done.
                if let Some(id) = crate::mail::enqueue(&mut tx, identity, &letter).await? {
                    store::reminder_sent(&mut tx, session, user, kind, starts_at, id).await?;
                }
                written += 1;
            }
            tx.commit().await?;
        }
    }
    Ok(written)
}

/// The reminder loop of one app server.
pub fn spawn(pool: Pool, mail: std::sync::Arc<crate::mail::Mail>) {
    tokio::spawn(async move {
        loop {
            match send_due(&pool, &mail.identity).await {
                Ok(0) => {}
                Ok(n) => {
                    tracing::info!(reminders = n, "webinar reminders queued");
                    mail.wake();
                }
                Err(error) => {
                    tracing::warn!(%error, "could not look for due webinar reminders; trying again");
                }
            }
            tokio::time::sleep(EVERY).await;
        }
    });
}
