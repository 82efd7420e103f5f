//! One evaluation for every kind of activity: the statements rated from "strongly disagree"
//! to "strongly agree", what the learner will change in their practice (required) and
//! comments, read and checked here ([`read_evaluation`]) and recorded once, after what must
//! come first, by the one flow [`evaluate`]. The activity's domain says what must come first
//! and where the answers are kept ([`Evaluated`]).

use crate::error::{Error, Result};
use crate::forms::Back;
use app::forms::FormState;
use app::learning::LIKERT;

/// Longest answers accepted in the evaluation's free-text fields.
const PRACTICE_CHANGE_MAX: usize = 2000;
const COMMENTS_MAX: usize = 4000;

/// How one activity (a course, a live session, …) takes part in the evaluation.
#[async_trait::async_trait]
pub trait Evaluated: Sync {
    /// The evaluation form, which every answer goes back to.
    fn back(&self) -> Back;

    /// The form's fields that say what is evaluated (the course; the webinar and session).
    fn context_fields(&self) -> &'static [&'static str];

    /// The statements rated.
    fn statements(&self) -> Vec<String>;

    /// What to say when the learner evaluated it already (nothing changes then).
    async fn earlier(&self, conn: &mut crate::db::Connection, user: i64) -> Result<Option<String>>;

    /// What must come first, if anything is still missing: said as is.
    async fn not_yet(&self, conn: &mut crate::db::Connection, user: i64) -> Result<Option<String>>;

    /// Keeps the answers in `conn`'s transaction; returns what the learner is told.
    async fn record(
        &self,
        conn: &mut crate::db::Connection,
        user: i64,
        answers: &EvaluationAnswers,
    ) -> Result<String>;
}

/// The evaluation of `fields` (in the order sent) for `activity`, inside the caller's
/// transaction, which holds the learner's lock: the notice the learner sees (their thanks,
/// or that they evaluated it already). A refusal goes back to the form with the answers kept
/// and nothing recorded.
pub async fn evaluate(
    conn: &mut crate::db::Connection,
    user: i64,
    activity: &dyn Evaluated,
    fields: &[(String, String)],
) -> Result<String> {
    if let Some(said) = activity.earlier(conn, user).await? {
        return Ok(said);
    }
    let context = activity.context_fields();
    let kept: Vec<(String, String)> = fields
        .iter()
        .filter(|(n, _)| !context.contains(&n.as_str()))
        .cloned()
        .collect();
    let refuse = |errors: Vec<(String, String)>, values: Vec<(String, String)>| {
        Error::invalid(activity.back().with_state(FormState {
            errors,
            values,
            notice: None,
        }))
    };
    if let Some(first) = activity.not_yet(conn, user).await? {
        return Err(refuse(vec![("form".into(), first)], kept));
    }
    let answers = match read_evaluation(&activity.statements(), fields, context) {
        Ok(answers) => answers,
        Err(EvaluationProblem::Unknown(name)) => {
            return Err(refuse(
                vec![(
                    "form".into(),
                    format!(
                        "The form sent a field the evaluation does not have (\"{name}\"); nothing was recorded."
                    ),
                )],
                kept,
            ));
        }
        Err(EvaluationProblem::Fields(errors)) => return Err(refuse(errors, kept)),
    };
    activity.record(conn, user, &answers).await
}

fn value<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// An evaluation's answers, checked: a rating from 1 to 5 per statement, what the learner
/// will change in their practice (required), comments.
#[derive(Debug, Clone)]
pub struct EvaluationAnswers {
    pub ratings: Vec<(String, u8)>,
    pub practice_change: String,
    pub comments: String,
}

/// Why an evaluation form was not accepted.
#[derive(Debug, Clone)]
pub enum EvaluationProblem {
    /// A message per field.
    Fields(Vec<(String, String)>),
    /// A field no evaluation form has (besides `also`): made by hand.
    Unknown(String),
}

/// Reads the evaluation form (`rating-N`, `practice_change`, `comments`) for `statements`;
/// `also` are the fields the form carries besides (which activity it is for). Shared by
/// courses and webinars.
pub fn read_evaluation(
    statements: &[String],
    fields: &[(String, String)],
    also: &[&str],
) -> std::result::Result<EvaluationAnswers, EvaluationProblem> {
    let mut errors = Vec::new();
    let mut ratings = Vec::with_capacity(statements.len());
    for (index, statement) in statements.iter().enumerate() {
        let name = format!("rating-{index}");
        match value(fields, &name).map(str::trim) {
            None | Some("") => errors.push((name, "Choose how far you agree.".to_owned())),
            Some(text) => match text.parse::<u8>() {
                Ok(rating @ 1..=5) => ratings.push((statement.clone(), rating)),
                _ => errors.push((
                    name,
                    format!(
                        "Choose one of the five answers, from \"{}\" to \"{}\".",
                        LIKERT[0], LIKERT[4]
                    ),
                )),
            },
        }
    }
    let change = value(fields, "practice_change").unwrap_or_default().trim();
    if change.is_empty() {
        errors.push((
            "practice_change".into(),
            "Say what you will change in your practice (or that you will change nothing, and why)."
                .into(),
        ));
    } else if change.chars().count() > PRACTICE_CHANGE_MAX {
        errors.push((
            "practice_change".into(),
            format!("Keep this to {PRACTICE_CHANGE_MAX} characters."),
        ));
    }
    let comments = value(fields, "comments").unwrap_or_default().trim();
    if comments.chars().count() > COMMENTS_MAX {
        errors.push((
            "comments".into(),
            format!("Keep comments to {COMMENTS_MAX} characters."),
        ));
    }
    let known = |name: &str| {
        matches!(name, "practice_change" | "comments")
            || also.contains(&name)
            || name
                .strip_prefix("rating-")
                .and_then(|i| i.parse::<usize>().ok())
                .is_some_and(|i| i < statements.len())
    };
    if let Some((name, _)) = fields.iter().find(|(n, _)| !known(n)) {
        return Err(EvaluationProblem::Unknown(name.chars().take(60).collect()));
    }
    if errors.is_empty() {
        Ok(EvaluationAnswers {
            ratings,
            practice_change: change.to_owned(),
            comments: comments.to_owned(),
        })
    } else {
        Err(EvaluationProblem::Fields(errors))
    }
}
