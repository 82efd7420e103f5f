//! Quizzes: grading (`grading.rs`) and the learners' attempts (`attempts.rs`: started,
//! recorded, shown), and the quiz routes. The file format (`*.quiz.md`) and the quiz types
//! are content's (`content::quiz`).

pub mod attempts;
pub mod grading;
mod pages;
pub mod store;

use crate::AppState;
use crate::access::{Route, Rule};
use crate::auth::SignedIn;
use crate::error::{Error, Result};
use crate::forms::{Back, Fields};
use attempts::Outcome;
use axum::Form;
use axum::extract::State;

pub fn routes() -> Vec<Route> {
    vec![
        // A learner's own quiz and attempts: the pages look them up by the viewer.
        Route::page("/learning/{course}/quiz/{kind}", Rule::SignedIn),
        Route::page("/learning/{course}/quiz/{kind}/{number}", Rule::SignedIn),
        Route::post("/learning/quiz", Rule::SignedIn, submit_form),
        Route::server_fn("/api/quiz", Rule::SignedIn),
        Route::server_fn("/api/attempt", Rule::SignedIn),
    ]
}

pub fn quiz_url(course: &str, kind: QuizKind) -> String {
    format!("/learning/{course}/quiz/{}", kind.slug())
}

/// `POST /learning/quiz`: signed-in learners, for their own attempts.
async fn submit_form(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    form: Fields,
) -> Result<Back> {
    let Ok(Form(fields)) = form else {
        return Err(Error::bad_request(
            "The quiz form could not be read. Go back, reload the quiz and submit it again.",
        ));
    };
    match attempts::submit(&state.pool, viewer.id, &fields).await? {
        Outcome::Recorded {
            course,
            kind,
            number,
        }
        | Outcome::AlreadyRecorded {
            course,
            kind,
            number,
        } => Ok(Back::to(
            "quiz",
            format!("{}/{number}", quiz_url(&course, kind)),
        )),
        Outcome::Refused { course, state } => Ok(match &course {
            Some((course, kind)) => Back::to("quiz", quiz_url(course, *kind)),
            None => Back::to("learning", "/learning"),
        }
        .with_state(state)),
    }
}

/// The quiz file format and its types belong to content (a course's and a webinar's quizzes
/// are read with the rest of their files); grading and attempts are here.
pub use crate::content::quiz::{Question, Quiz, QuizKind, QuizOption};
