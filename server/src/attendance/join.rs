//! `GET /webinars/{webinar}/join`: the only way to the conferencing service's link. For a
//! learner holding a seat, from 15 minutes before a session to its end, it records the click
//! (to the second: the first kind of attendance evidence) and redirects to the service;
//! anyone else, or at any other time, is sent back to the webinar's page, told why and when
//! the link opens.

use crate::AppState;
use crate::auth::SignedIn;
use crate::error::Result;
use crate::forms::Back;
use crate::webinars::join::{open_session, when_it_opens};
use crate::webinars::store::{self, Standing};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};

pub async fn join(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    Path(slug): Path<String>,
) -> Result<Response> {
    let stored = crate::webinars::published(&state.pool, &slug).await?;
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
    // Evidence is only ever added: a click is a row, to the second, in UTC.
    super::store::record_click(&mut conn, session.id, viewer.id, now).await?;
    Ok(Redirect::to(&url).into_response())
}
