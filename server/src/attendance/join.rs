//! `GET /webinars/{webinar}/join`: the only way to the conferencing service's link (the
//! "Join" button on the webinar's page is a link to it, as is the address calendars carry;
//! a form posting here could not be sent on to the service, whose address the pages' CSP
//! `form-action 'self'` does not allow). For a learner holding a seat, from 15 minutes
//! before a session to its end, it records the click (to the second: the first kind of
//! attendance evidence) and redirects to the service. A click is recorded at most once a
//! minute per learner and session, so no amount of clicking grows the ledger, and never
//! for a browser's prefetch (`Sec-Purpose` or `Purpose: prefetch`), which no one clicked.
//! Anyone else, or at any other time, is sent back to the webinar's page, told why and
//! when the link opens.

use crate::AppState;
use crate::auth::SignedIn;
use crate::db::On;
use crate::error::Result;
use crate::forms::Back;
use crate::webinars::join::{open_session, when_it_opens};
use crate::webinars::store::{self, Standing};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};

/// Join clicks closer together than this add no row.
pub const CLICK_EVERY_SECS: i64 = 60;

/// Whether the request is a browser's prefetch or prerender rather than a click.
fn prefetch(headers: &axum::http::HeaderMap) -> bool {
    ["sec-purpose", "purpose", "x-moz", "x-purpose"]
        .iter()
        .filter_map(|name| headers.get(*name))
        .filter_map(|value| value.to_str().ok())
        .any(|value| {
            let value = value.to_ascii_lowercase();
            value.contains("prefetch") || value.contains("prerender")
        })
}

/// `GET /webinars/{webinar}/join`.
pub async fn join(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    Path(slug): Path<String>,
    headers: axum::http::HeaderMap,
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
    drop(conn);
    if prefetch(&headers) {
        return Ok(Redirect::to(&url).into_response());
    }
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
