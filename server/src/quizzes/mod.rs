//! Quizzes written in markdown (`*.quiz.md` in a course folder): the format and its
//! validation (`format.rs`), grading (`grading.rs`), and the learners' attempts
//! (`attempts.rs`: started, recorded, shown). The quiz routes are here.

pub mod attempts;
pub mod format;
pub mod grading;
mod pages;

use crate::AppState;
use crate::access::{Route, Rule};
use crate::auth::SignedIn;
use crate::error::{Error, Result};
use crate::forms::{Back, Fields};
use attempts::Outcome;
use axum::Form;
use axum::extract::State;
use serde::{Deserialize, Serialize};

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

/// Pre (a baseline, never gates credit) or post (must be passed for credit).
pub use app::learning::QuizKind;

/// A validated quiz, answer key included: it never leaves the server as is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quiz {
    pub kind: QuizKind,
    /// Percent, 0 to 100.
    pub pass_mark: u8,
    pub max_attempts: u32,
    pub shuffle_questions: bool,
    pub shuffle_options: bool,
    pub questions: Vec<Question>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    /// Stable within the quiz revision: the heading's slug.
    pub id: String,
    pub prompt: String,
    /// Extra text between the heading and the options, sanitised HTML (may be empty).
    pub body_html: String,
    pub options: Vec<QuizOption>,
    /// Shown only after submission.
    pub explanation_html: Option<String>,
}

impl Question {
    /// Several correct options make a "select all that apply" question.
    pub fn is_multiple(&self) -> bool {
        self.options.iter().filter(|o| o.correct).count() > 1
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuizOption {
    /// `a`, `b`, `c`, … in the order written.
    pub id: String,
    pub text: String,
    pub correct: bool,
}
