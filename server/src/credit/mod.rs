//! Credit for any activity: the one evaluation ([`evaluation`]) and the one claim
//! ([`claim`]) every kind of activity goes through, what an activity offers a profession
//! ([`offers`]), and that one activity earns credit once, live or recorded ([`once`]). A
//! course takes part through [`course`] (here, with the credit page's routes and forms); a
//! live session through `attendance::claims`, which knows the attendance that makes a
//! learner eligible. The SQL is in [`store`]; certificates are issued by
//! [`crate::certificates::Issuer`].

pub mod claim;
pub mod course;
pub mod evaluation;
pub mod offers;
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
            Back::to(which, course::credit_url(&course)).error("form", sent_twice_message(name)),
        ));
    }
    if crate::forms::with_nul(&fields).is_some() {
        return Err(Error::invalid(
            Back::to(which, course::credit_url(&course)).error("form", crate::forms::NUL_MESSAGE),
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
    let (course, fields) = read(form, course::EVALUATION)?;
    let notice = course::evaluate(&state.pool, viewer.id, &course, &fields).await?;
    Ok(Back::to(course::EVALUATION, course::credit_url(&course)).notice(notice))
}

/// `POST /learning/claim`: signed-in learners, for their own enrollment.
async fn claim_form(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    form: Fields,
) -> Result<Back> {
    let (course, fields) = read(form, course::CLAIM)?;
    let notice = course::claim(&state.pool, &state.issuer, viewer.id, &course, &fields).await?;
    state.mail.wake();
    Ok(Back::to(course::CLAIM, course::credit_url(&course)).notice(notice))
}
