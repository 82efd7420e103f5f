//! Registering for a webinar and cancelling, with plain forms. Everything about one
//! webinar's seats serialises on its `webinar:<id>` key: arrival order is the order requests
//! take that key, seats go to the first `capacity` of them, and a freed seat goes to the
//! first on the waitlist, who is told by mail in the same transaction.

use super::store::{self, Standing, Stored};
use super::times;
use crate::AppState;
use crate::db::On;
use crate::error::{Error, Result};
use crate::forms::{Back, Fields, Submission};
use crate::mail::compose::templates;
use app::accounts::Viewer;
use axum::extract::State;

const FORM: &str = "webinar";

fn key(webinar: i64) -> String {
    format!("webinar:{webinar}")
}

/// Each live session written out in `zone` (the learner's), else in its own.
pub(crate) fn session_times(stored: &Stored, zone: Option<&str>) -> Vec<String> {
    stored
        .sessions
        .iter()
        .filter(|s| !s.cancelled)
        .map(|s| times::session(s.starts_at, s.minutes, zone.unwrap_or(&s.zone)))
        .collect()
}

/// Why registration is not possible now, in words the page shows.
pub fn closed_because(stored: &Stored, now: i64) -> Option<String> {
    let zone = stored
        .sessions
        .iter()
        .find(|s| !s.cancelled)
        .map_or("UTC", |s| s.zone.as_str());
    if !stored
        .sessions
        .iter()
        .any(|s| !s.cancelled && s.ends_at() > now)
    {
        Some("This webinar is over: registration is closed.".into())
    } else if now < stored.registration_opens {
        Some(format!(
            "Registration opens on {}. Come back then.",
            times::instant(stored.registration_opens, zone)
        ))
    } else if now >= stored.registration_closes {
        Some(format!(
            "Registration closed on {}.",
            times::instant(stored.registration_closes, zone)
        ))
    } else {
        None
    }
}

/// `POST /webinars/register`: anyone may post; a signed-out visitor is told to sign in.
pub async fn register(
    State(state): State<AppState>,
    parts: axum::http::request::Parts,
    fields: Fields,
) -> Result<Back> {
    let mut form = Submission::new(fields);
    if let Some(problem) = form.problem() {
        return Err(Error::bad_request(problem));
    }
    let stored = super::published(&state.pool, &form.get("webinar")).await?;
    let back = Back::to(FORM, format!("/webinars/{}", stored.detail.slug));
    let Some(viewer) = parts.extensions.get::<Viewer>().cloned() else {
        return Err(Error::invalid(back.error(
            "form",
            format!(
                "Sign in to register (or create an account, it takes a minute): /login?next=/webinars/{}",
                stored.detail.slug
            ),
        )));
    };
    if let Some(reason) = closed_because(&stored, crate::clock::now_secs()) {
        return Err(Error::invalid(back.error("form", reason)));
    }
    let mut conn = state.pool.acquire().await?;
    if !crate::accounts::confirmation::is_confirmed(&mut conn, viewer.id).await? {
        return Err(Error::invalid(
            back.error("form", crate::accounts::confirmation::UNCONFIRMED),
        ));
    }
    drop(conn);
    let identity = &state.mail.identity;
    let mut tx = crate::db::write_tx(&state.pool).await?;
    // Serialises on the webinar: seats and waitlist places in strict arrival order.
    crate::db::lock(&mut tx, On::Key(&key(stored.webinar_id))).await?;
    // Read under the lock: an import may have changed it since the page was read.
    let capacity = store::capacity(&mut tx, stored.webinar_id).await?;
    // Seats a raised capacity freed go to those already waiting, before any newcomer.
    let promoted = store::promote_while_free(&mut tx, stored.webinar_id, capacity).await?;
    tell_promoted(&mut tx, identity, &stored, &promoted).await?;
    let notice = match store::standing(&mut tx, stored.webinar_id, viewer.id).await? {
        Standing::Registered => "You are registered already.".to_owned(),
        Standing::Waitlisted(place) => format!("You are on the waitlist already, number {place}."),
        Standing::NotRegistered => {
            let got = store::register(
                &mut tx,
                stored.webinar_id,
                viewer.id,
                capacity,
                stored.revision_id,
            )
            .await?;
            if let Some((email, name)) = crate::accounts::store::contact(&mut tx, viewer.id).await?
            {
                let place = match got {
                    Standing::Waitlisted(place) => Some(place),
                    _ => None,
                };
                let mut letter = templates::webinar_registration(
                    identity,
                    viewer.id,
                    &email,
                    &name,
                    &stored.detail.title,
                    &stored.detail.slug,
                    &session_times(
                        &stored,
                        crate::accounts::store::time_zone(&mut tx, viewer.id)
                            .await?
                            .as_deref(),
                    ),
                    place,
                );
                super::calendar::attach(&mut tx, identity, &stored, viewer.id, &mut letter).await?;
                crate::mail::enqueue(&mut tx, identity, &letter).await?;
            }
            match got {
                Standing::Registered => {
                    "You are registered. A confirmation is on its way by email.".to_owned()
                }
                Standing::Waitlisted(place) => format!(
                    "The webinar is full: you are number {place} on the waitlist. Seats go to the waitlist in order, and you will be told by email."
                ),
                Standing::NotRegistered => String::new(),
            }
        }
    };
    tx.commit().await?;
    state.mail.wake();
    Ok(back.notice(notice))
}

/// `POST /webinars/cancel`: the signed-in learner, for their own registration. Cancelling
/// what is not there is harmless.
pub async fn cancel(
    State(state): State<AppState>,
    crate::auth::SignedIn(viewer): crate::auth::SignedIn,
    fields: Fields,
) -> Result<Back> {
    let mut form = Submission::new(fields);
    if let Some(problem) = form.problem() {
        return Err(Error::bad_request(problem));
    }
    let stored = super::published(&state.pool, &form.get("webinar")).await?;
    let back = Back::to(FORM, format!("/webinars/{}", stored.detail.slug));
    let identity = &state.mail.identity;
    let mut tx = crate::db::write_tx(&state.pool).await?;
    // Serialises on the webinar: the freed seat goes to exactly one waiting learner.
    crate::db::lock(&mut tx, On::Key(&key(stored.webinar_id))).await?;
    let cancelled = store::cancel(&mut tx, stored.webinar_id, viewer.id, viewer.id).await?;
    if cancelled {
        tell_cancelled(&mut tx, identity, &stored, viewer.id, false).await?;
    }
    // A seat freed before the last session ends goes to the first waiting; after it, nobody
    // is offered a seat at a webinar that is over.
    let now = crate::clock::now_secs();
    let over = !stored
        .sessions
        .iter()
        .any(|s| !s.cancelled && s.ends_at() > now);
    if cancelled && !over {
        let capacity = store::capacity(&mut tx, stored.webinar_id).await?;
        let promoted = store::promote_while_free(&mut tx, stored.webinar_id, capacity).await?;
        tell_promoted(&mut tx, identity, &stored, &promoted).await?;
    }
    tx.commit().await?;
    state.mail.wake();
    Ok(back.notice(if cancelled {
        "Your registration is cancelled. Thank you for freeing the seat."
    } else {
        "You were not registered for this webinar: there was nothing to cancel."
    }))
}

/// Queues "a seat is yours" to each promoted learner, in the caller's transaction.
pub(crate) async fn tell_promoted(
    conn: &mut crate::db::Connection,
    identity: &crate::mail::compose::Identity,
    stored: &Stored,
    promoted: &[i64],
) -> Result<()> {
    for user in promoted {
        if let Some((email, name)) = crate::accounts::store::contact(conn, *user).await? {
            let mut letter = templates::webinar_promoted(
                identity,
                *user,
                &email,
                &name,
                &stored.detail.title,
                &stored.detail.slug,
                &session_times(
                    stored,
                    crate::accounts::store::time_zone(conn, *user)
                        .await?
                        .as_deref(),
                ),
            );
            super::calendar::attach(conn, identity, stored, *user, &mut letter).await?;
            crate::mail::enqueue(conn, identity, &letter).await?;
        }
    }
    Ok(())
}

/// Queues "your registration is cancelled" with the calendar that removes its sessions, in
/// the caller's transaction.
pub(crate) async fn tell_cancelled(
    conn: &mut crate::db::Connection,
    identity: &crate::mail::compose::Identity,
    stored: &Stored,
    user: i64,
    by_organizer: bool,
) -> Result<()> {
    if let Some((email, name)) = crate::accounts::store::contact(conn, user).await? {
        let mut letter = templates::webinar_cancelled(
            identity,
            user,
            &email,
            &name,
            &stored.detail.title,
            &stored.detail.slug,
            by_organizer,
        );
        super::calendar::attach(conn, identity, stored, user, &mut letter).await?;
        if letter.calendar.is_none() {
            letter.after.clear();
        }
        crate::mail::enqueue(conn, identity, &letter).await?;
    }
    Ok(())
}

/// Tells every registrant and waiting learner of `stored` what changed in its schedule
/// (`changes`: session number, its old start and length, whether it is cancelled), with the
/// updated calendar for those holding a seat, in the caller's transaction.
pub(crate) async fn tell_changed(
    conn: &mut crate::db::Connection,
    identity: &crate::mail::compose::Identity,
    stored: &Stored,
    changes: &[(u32, i64, u32, bool)],
) -> Result<()> {
    for (user, _, _) in store::to_tell(conn, stored.webinar_id).await? {
        let Some((email, name)) = crate::accounts::store::contact(conn, user).await? else {
            continue;
        };
        let zone = crate::accounts::store::time_zone(conn, user).await?;
        let lines: Vec<String> = changes
            .iter()
            .map(|(number, old_start, old_minutes, cancelled)| {
                let session = stored.sessions.iter().find(|s| s.number == *number);
                let in_zone = |z: &str| zone.clone().unwrap_or_else(|| z.to_owned());
                let old_zone = in_zone(session.map_or("UTC", |s| s.zone.as_str()));
                let old = times::session(*old_start, *old_minutes, &old_zone);
                match session {
                    Some(s) if !cancelled && !s.cancelled => format!(
                        "Session {number} moved from {old} to {}.",
                        times::session(s.starts_at, s.minutes, &in_zone(&s.zone))
                    ),
                    _ => format!("Session {number} ({old}) is cancelled."),
                }
            })
            .collect();
        let mut letter = templates::webinar_changed(
            identity,
            user,
            &email,
            &name,
            templates::Webinar {
                title: &stored.detail.title,
                slug: &stored.detail.slug,
            },
            &lines,
            &session_times(stored, zone.as_deref()),
        );
        super::calendar::attach(conn, identity, stored, user, &mut letter).await?;
        crate::mail::enqueue(conn, identity, &letter).await?;
    }
    Ok(())
}
