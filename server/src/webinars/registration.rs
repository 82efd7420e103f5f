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

fn session_times(stored: &Stored) -> Vec<String> {
    stored
        .sessions
        .iter()
        .filter(|s| !s.cancelled)
        .map(|s| times::session(s.starts_at, s.minutes, &s.zone))
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

/// The webinar a form names, published.
async fn chosen(state: &AppState, form: &mut Submission) -> Result<Stored> {
    let slug = form.get("webinar");
    store::by_slug(&state.pool, slug.trim())
        .await?
        .ok_or_else(|| {
            Error::not_found(format!(
                "There is no webinar \"{}\".",
                slug.chars().take(80).collect::<String>()
            ))
        })
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
    let stored = chosen(&state, &mut form).await?;
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
    if let Some(reason) = closed_because(&stored, crate::db::now_secs()) {
        return Err(Error::invalid(back.error("form", reason)));
    }
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
            let got = store::register(&mut tx, stored.webinar_id, viewer.id, capacity).await?;
            if let Some((email, name)) = crate::accounts::store::contact(&mut tx, viewer.id).await?
            {
                let place = match got {
                    Standing::Waitlisted(place) => Some(place),
                    _ => None,
                };
                let letter = templates::webinar_registration(
                    identity,
                    viewer.id,
                    &email,
                    &name,
                    &stored.detail.title,
                    &stored.detail.slug,
                    &session_times(&stored),
                    place,
                );
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
    let stored = chosen(&state, &mut form).await?;
    let back = Back::to(FORM, format!("/webinars/{}", stored.detail.slug));
    let identity = &state.mail.identity;
    let mut tx = crate::db::write_tx(&state.pool).await?;
    // Serialises on the webinar: the freed seat goes to exactly one waiting learner.
    crate::db::lock(&mut tx, On::Key(&key(stored.webinar_id))).await?;
    let cancelled = store::cancel(&mut tx, stored.webinar_id, viewer.id, viewer.id).await?;
    // A seat freed before the last session ends goes to the first waiting; after it, nobody
    // is offered a seat at a webinar that is over.
    let now = crate::db::now_secs();
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
            let letter = templates::webinar_promoted(
                identity,
                *user,
                &email,
                &name,
                &stored.detail.title,
                &stored.detail.slug,
                &session_times(stored),
            );
            crate::mail::enqueue(conn, identity, &letter).await?;
        }
    }
    Ok(())
}
