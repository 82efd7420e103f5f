//! Quizzes written in markdown (`*.quiz.md` in a course folder): the format and its
//! validation (`format.rs`) and grading (`grading.rs`).

pub mod format;
pub mod grading;

use serde::{Deserialize, Serialize};

/// Pre (a baseline, never gates credit) or post (must be passed for credit).
pub use app::model::QuizKind;

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
