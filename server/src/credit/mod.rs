//! Credit for a finished course: the evaluation, completion and the claim that issues the
//! certificate (issuing itself is [`crate::certificates::Issuer::issue_for_claim`]). The
//! routes and forms are here; the SQL and the rules in [`store`].

pub mod claim;
mod course;
pub mod once;
mod pages;
pub mod store;

use crate::AppState;
use crate::access::{Route, Rule};
use crate::auth::SignedIn;
use crate::error::{Error, Result};
use crate::forms::{Back, Fields, sent_twice, sent_twice_message};
use axum::Form;
use axum::extract::State;

pub fn routes() -> Vec<Route> {
    vec![
        Route::page("/learning/{course}/credit", Rule::SignedIn),
        Route::post("/learning/evaluation", Rule::SignedIn, evaluation_form),
        Route::post("/learning/claim", Rule::SignedIn, claim_form),
        Route::server_fn("/api/credit", Rule::SignedIn),
    ]
}

/// The fields in the order sent, and the course they are about; a field sent twice goes
/// back to `which` form with a message, before anything is read.
fn read(form: Fields, which: &str) -> Result<(String, Vec<(String, String)>)> {
    let Ok(Form(fields)) = form else {
        return Err(Error::bad_request(
            "The form could not be read. Go back, reload the page and submit it again.",
        ));
    };
    let course = fields
        .iter()
        .find(|(name, _)| name == "course")
        .map(|(_, value)| value.clone())
        .unwrap_or_default();
    if let Some(name) = sent_twice(&fields) {
        return Err(Error::invalid(
            Back::to(which, store::credit_url(&course)).error("form", sent_twice_message(name)),
        ));
    }
    if crate::forms::with_nul(&fields).is_some() {
        return Err(Error::invalid(
            Back::to(which, store::credit_url(&course)).error("form", crate::forms::NUL_MESSAGE),
        ));
    }
    Ok((course, fields))
}

/// `POST /learning/evaluation`: signed-in learners, for their own enrollment.
async fn evaluation_form(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    form: Fields,
) -> Result<Back> {
    let (course, fields) = read(form, store::EVALUATION)?;
    let notice = store::evaluate(&state.pool, viewer.id, &course, &fields).await?;
    Ok(Back::to(store::EVALUATION, store::credit_url(&course)).notice(notice))
}

/// `POST /learning/claim`: signed-in learners, for their own enrollment.
async fn claim_form(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    form: Fields,
) -> Result<Back> {
    let (course, fields) = read(form, store::CLAIM)?;
    let notice = course::claim(&state.pool, &state.issuer, viewer.id, &course, &fields).await?;
    state.mail.wake();
    Ok(Back::to(store::CLAIM, store::credit_url(&course)).notice(notice))
}
