//! What a webinar's organizers (its owners: named in its file by sign-in email, or in the
//! studio) and
//! administrators do with its registrations: see them, download them as CSV, cancel one
//! (audited; the seat goes to the first waiting). [`may_organize`] is the ownership half of
//! `Rule::ActivityOwner` for webinars.

use super::store::{self, Stored};
use crate::AppState;
use crate::auth::Educator;
use crate::db::On;
use crate::error::{Error, Result};
use crate::forms::{Back, Fields, Submission};
use app::accounts::{Role, Viewer};
use axum::extract::{Path, State};
use axum::response::Response;

/// The viewer owns `stored` (the one ownership model of `crate::content::owners`: named in
/// its file's `organizers`, or by an administrator in the studio) or is an administrator.
pub async fn may_organize(pool: &crate::db::Pool, viewer: &Viewer, stored: &Stored) -> Result<()> {
    if viewer.role == Role::Admin {
        return Ok(());
    }
    let mut conn = pool.acquire().await?;
    if viewer.role == Role::Educator
        && crate::content::owners::owns(&mut conn, "webinar", &stored.detail.slug, viewer.id)
            .await?
    {
        Ok(())
    } else {
        Err(Error::forbidden(
            "Only this webinar's organizers and administrators see its registrations.",
        ))
    }
}

/// Whether the account `user` owns (organizes) the webinar (administrators do not, unless
/// named). An organizer does not record attendance for themselves.
pub async fn names_as_organizer(
    conn: &mut crate::db::Connection,
    user: i64,
    stored: &Stored,
) -> Result<bool> {
    Ok(crate::content::owners::owns(conn, "webinar", &stored.detail.slug, user).await?)
}

/// The one organizer check: the published webinar `slug` names (from the path or the
/// form), if the viewer may organize it; "no such webinar" otherwise, and a refusal for
/// anyone who may not. Every organizer route asks here.
pub async fn organized(pool: &crate::db::Pool, viewer: &Viewer, slug: &str) -> Result<Stored> {
    let stored = super::published(pool, slug).await?;
    may_organize(pool, viewer, &stored).await?;
    Ok(stored)
}

/// `GET /webinars/{webinar}/registrations.csv`: organizers and administrators.
pub async fn csv(
    State(state): State<AppState>,
    Educator(viewer): Educator,
    Path(slug): Path<String>,
) -> Result<Response> {
    let stored = organized(&state.pool, &viewer, &slug).await?;
    let mut out = crate::download::SpreadsheetCsv::new();
    let fail = |error: csv::Error| Error::internal(error);
    out.row([
        "status",
        "place",
        "name",
        "email",
        "profession",
        "since_utc",
        "seat_since_utc",
    ])
    .map_err(fail)?;
    let mut place = 0;
    for person in store::registrants(&state.pool, stored.webinar_id).await? {
        place += 1;
        out.row([
            person.status.as_str(),
            &place.to_string(),
            &person.name,
            &person.email,
            &person.profession,
            &person.arrived_at,
            person.registered_at.as_deref().unwrap_or(""),
        ])
        .map_err(fail)?;
    }
    let body = out.finish().map_err(fail)?;
    Ok(crate::download::attachment(
        "text/csv; charset=utf-8",
        &format!("{}-registrations.csv", stored.detail.slug),
        body,
    ))
}

/// `POST /webinars/registrations/cancel`: organizers and administrators cancel a learner's
/// registration or waitlist place. Audited; a freed seat goes to the first waiting.
pub async fn cancel(
    State(state): State<AppState>,
    Educator(viewer): Educator,
    fields: Fields,
) -> Result<Back> {
    let mut form = Submission::new(fields);
    if let Some(problem) = form.problem() {
        return Err(Error::bad_request(problem));
    }
    let slug = form.get("webinar");
    let stored = organized(&state.pool, &viewer, &slug).await?;
    let back = Back::to(
        "webinar-registrations",
        format!("/webinars/{}/registrations", stored.detail.slug),
    );
    let Ok(user) = form.get("user_id").trim().parse::<i64>() else {
        return Err(Error::invalid(
            back.error("form", "Choose a person from the list."),
        ));
    };
    let identity = &state.mail.identity;
    let mut tx = crate::db::write_tx(&state.pool).await?;
    // Serialises on the webinar, as registrations do.
    crate::db::lock(&mut tx, On::Key(&format!("webinar:{}", stored.webinar_id))).await?;
    if !store::cancel(&mut tx, stored.webinar_id, user, viewer.id).await? {
        return Err(Error::invalid(back.error(
            "form",
            "That person has no registration or waitlist place here (it may have been cancelled already).",
        )));
    }
    super::registration::tell_cancelled(&mut tx, identity, &stored, user, true).await?;
    crate::db::audit::record(
        &mut tx,
        Some(viewer.id),
        "webinar.cancel",
        &format!("webinar:{} user:{user}", stored.detail.slug),
        "registration cancelled by an organizer",
    )
    .await?;
    let now = crate::clock::now_secs();
    if stored
        .sessions
        .iter()
        .any(|s| !s.cancelled && s.ends_at() > now)
    {
        let capacity = store::capacity(&mut tx, stored.webinar_id).await?;
        let promoted = store::promote_while_free(&mut tx, stored.webinar_id, capacity).await?;
        super::registration::tell_promoted(&mut tx, identity, &stored, &promoted).await?;
    }
    tx.commit().await?;
    state.mail.wake();
    Ok(back.notice("The place is cancelled, and the cancellation recorded in the audit log."))
}
