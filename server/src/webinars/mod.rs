//! Live webinars: the activity a learner finds, registers for and joins (the video stays on
//! the conferencing service): the webinar file format and its checks ([`format`]), its
//! storage as revisions with a schedule per session ([`store`]), the times written out in a
//! zone ([`times`]), the list and detail pages, registration with a waitlist
//! ([`registration`]), calendar files and the private feed ([`calendar`]), when the join
//! link opens ([`join`]; the join itself records attendance, in `attendance::join`),
//! reminders ([`reminders`]) and the organizers' lists ([`organizers`]).

pub mod calendar;
pub mod format;
pub mod import;
pub mod join;
pub mod organizers;
mod pages;
pub mod registration;
pub mod reminders;
pub mod store;
pub mod times;

use crate::access::{Route, Rule};

/// The published webinar `slug` names (as a path or a form gives it), or the one "no such
/// webinar" answer.
pub async fn published(pool: &crate::db::Pool, slug: &str) -> crate::error::Result<store::Stored> {
    store::by_slug(pool, slug.trim()).await?.ok_or_else(|| {
        crate::error::Error::not_found(format!(
            "There is no webinar \"{}\".",
            slug.chars().take(80).collect::<String>()
        ))
    })
}

pub fn routes() -> Vec<Route> {
    vec![
        // Not cached: a webinar moves from upcoming to past with the clock, not with content.
        Route::page("/webinars", Rule::Anyone),
        Route::page("/webinars/{webinar}", Rule::Anyone),
        Route::server_fn("/api/webinars", Rule::Anyone),
        Route::server_fn("/api/webinar", Rule::Anyone),
        // Anyone may post; a signed-out visitor is told to sign in first.
        Route::post("/webinars/register", Rule::Anyone, registration::register),
        Route::post("/webinars/cancel", Rule::SignedIn, registration::cancel),
        // The learner's own registration (404 for anyone without one).
        Route::get(
            "/webinars/{webinar}/calendar.ics",
            Rule::SignedIn,
            calendar::download,
        ),
        // Calendar apps send no cookie: the unguessable token in the address is the key.
        Route::get("/calendar/{file}", Rule::Anyone, calendar::feed),
        Route::server_fn("/api/calendar-settings", Rule::SignedIn),
        Route::post(
            "/account/calendar-feed",
            Rule::SignedIn,
            calendar::feed_settings,
        ),
        // The webinar's organizers (by email in its file) and administrators.
        Route::page("/webinars/{webinar}/registrations", Rule::ActivityOwner),
        Route::get(
            "/webinars/{webinar}/registrations.csv",
            Rule::ActivityOwner,
            organizers::csv,
        ),
        Route::server_fn("/api/webinar-registrations", Rule::ActivityOwner),
        Route::post(
            "/webinars/registrations/cancel",
            Rule::ActivityOwner,
            organizers::cancel,
        ),
    ]
}

/// Imports the webinars under `dir/webinars/` (a bad file is reported and skipped).
pub async fn import_dir(
    pool: &crate::db::Pool,
    dir: &std::path::Path,
    identity: &crate::mail::compose::Identity,
) -> Result<(import::ImportSummary, Vec<crate::content::ContentError>), crate::error::Error> {
    let (webinars, mut errors) = format::load_dir(dir);
    let present = format::present(dir);
    let summary = import::import(pool, &webinars, &present, identity).await?;
    // A file that would move a started session keeps its last revision, like a file with
    // a problem, and says why.
    for (slug, problems) in &summary.frozen {
        for problem in problems {
            errors.push(crate::content::ContentError::new(
                &dir.join("webinars").join(format!("{slug}.md")),
                None,
                problem.clone(),
            ));
        }
    }
    Ok((summary, errors))
}
