//! Joining a session. `POST /webinars/join` (`webinar`), the form button on the webinar's
//! page, is the only way to the conferencing service's link: for a learner holding a seat,
//! from 15 minutes before a session to its end, it records the click (to the second: the
//! first kind of attendance evidence, at most one row a minute per learner and session, so
//! no amount of clicking grows the ledger) and redirects to the service; anyone else, or at
//! any other time, is sent back to the webinar's page, told why and when the link opens.
//! `GET /webinars/{webinar}/join` (the address calendars carry) records nothing: it leads
//! to that button.

use crate::AppState;
use crate::auth::SignedIn;
use crate::db::On;
use crate::error::{Error, Result};
use crate::forms::{Back, Fields, Submission};
use crate::webinars::join::{open_session, when_it_opens};
use crate::webinars::store::{self, Standing};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};

/// Join clicks closer together than this add no row.
pub const CLICK_EVERY_SECS: i64 = 60;

/// `GET /webinars/{webinar}/join`: to the join button on the webinar's page.
pub async fn to_page(
    State(state): State<AppState>,
    SignedIn(_viewer): SignedIn,
    Path(slug): Path<String>,
) -> Result<Response> {
    let stored = crate::webinars::published(&state.pool, &slug).await?;
    Ok(Redirect::to(&format!("/webinars/{}#join", stored.detail.slug)).into_response())
}

/// `POST /webinars/join` (`webinar`).
pub async fn join(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    fields: Fields,
) -> Result<Response> {
    let mut form = Submission::new(fields);
    if let Some(problem) = form.problem() {
        return Err(Error::bad_request(problem));
    }
    let stored = crate::webinars::published(&state.pool, &form.get("webinar")).await?;
    let back = Back::to("webinar", format!("/webinars/{}", stored.detail.slug));
    let now = crate::clock::now_secs();
    let mut conn = state.pool.acquire().await?;
    match store::standing(&mut conn, stored.webinar_id, viewer.id).await? {
        Standing::Registered => {}
        Standing::Waitlisted(place) => {
            return Ok(back
                .error("form", format!("You are number {place} on the waitlist: the join link is for learners with a seat. If a seat frees up it is yours in turn, and you will be told by email."))
                .into_response());
        }
        Standing::NotRegistered => {
            return Ok(back
                .error("form", "The join link is for registered learners. Register below while seats are open.")
                .into_response());
        }
    }
    let Some(session) = open_session(&stored, now) else {
        let zone = crate::accounts::store::time_zone(&mut conn, viewer.id).await?;
        return Ok(back
            .error("form", when_it_opens(&stored, now, zone.as_deref()))
            .into_response());
    };
    let url = store::join_url(&mut conn, stored.webinar_id).await?;
    drop(conn);
    // Evidence is only ever added: a click is a row, to the second, in UTC; one a minute.
    let mut tx = crate::db::write_tx(&state.pool).await?;
    // Serialises on the learner: their last click is read, then one may be added.
    crate::db::lock(&mut tx, On::Row(crate::db::Table::Users, viewer.id)).await?;
    let last = super::store::last_click(&mut tx, session.id, viewer.id).await?;
    if last.is_none_or(|at| now - at >= CLICK_EVERY_SECS || at > now) {
        super::store::record_click(&mut tx, session.id, viewer.id, now).await?;
    }
    tx.commit().await?;
    Ok(Redirect::to(&url).into_response())
}
