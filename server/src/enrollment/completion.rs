//! When a course is complete: the one statement of the rule ([`missing_for_completion`]),
//! when it became complete ([`completed_at`]) and the minutes of study recorded until then,
//! which enrollment pages, quizzes and credit all ask.

use super::store::Enrolled;
use crate::error::Error;

/// What a learner needs to do for an enrollment to be complete, in order; empty when it
/// is. The one statement of the rule: a course is complete when every lesson of the revision
/// studied is complete, the post-test (if the course has one) is passed, and the evaluation
/// is submitted. Pages get its answer (`Enrollment::complete`), never their own copy.
pub fn missing_for_completion(
    lessons_done: bool,
    has_post_test: bool,
    post_passed: bool,
    evaluated: bool,
) -> Vec<Requirement> {
    let mut missing = Vec::new();
    if !lessons_done {
        missing.push(Requirement::Lessons);
    }
    if has_post_test && !post_passed {
        missing.push(Requirement::PostTest);
    }
    if !evaluated {
        missing.push(Requirement::Evaluation);
    }
    missing
}

/// One of the things completion requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Requirement {
    Lessons,
    PostTest,
    Evaluation,
}

impl Requirement {
    /// What the learner is asked to do, as in "To claim credit, … first."
    pub fn label(self) -> &'static str {
        match self {
            Self::Lessons => "complete every lesson",
            Self::PostTest => "pass the post-test",
            Self::Evaluation => "submit the evaluation",
        }
    }
}

/// When the last requirement was met, if all are: lessons, post-test, evaluation.
pub(crate) async fn completed_at(
    conn: &mut crate::db::Connection,
    enrollment: &Enrolled,
) -> Result<Result<String, Vec<Requirement>>, Error> {
    // Only the lessons of the revision studied count (after a switch to a newer revision,
    // a lesson that no longer exists does not).
    let done: Vec<String> = super::store::completed_lessons(conn, enrollment.id)
        .await?
        .into_iter()
        .filter(|(slug, _)| enrollment.detail.lessons.iter().any(|l| l.slug == *slug))
        .map(|(_, at)| at)
        .collect();
    let has_post = super::store::has_post_test(conn, enrollment.revision).await?;
    let passed = super::store::post_test_passed_at(conn, enrollment.id).await?;
    let evaluated = super::store::evaluated_at(conn, enrollment.id).await?;
    // A course that allows testing out counts a passed post-test in place of the lessons.
    let missing = missing_for_completion(
        done.len() >= enrollment.detail.lessons.len()
            || (enrollment.detail.test_out && passed.is_some()),
        has_post,
        passed.is_some(),
        evaluated.is_some(),
    );
    if !missing.is_empty() {
        return Ok(Err(missing));
    }
    Ok(Ok(done
        .into_iter()
        .chain(passed)
        .chain(evaluated)
        .max()
        .unwrap_or_default()))
}

/// Minutes from first opening a lesson to completion, a guide for the claim.
pub async fn recorded_minutes(
    conn: &mut crate::db::Connection,
    enrollment: i64,
    completed: &str,
) -> Result<Option<u32>, Error> {
    let first = super::store::first_opened_at(conn, enrollment).await?;
    let parse = |s: &str| {
        time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()
    };
    Ok(first
        .as_deref()
        .and_then(parse)
        .zip(parse(completed))
        .map(|(from, to)| u32::try_from((to - from).whole_minutes().max(0)).unwrap_or(u32::MAX)))
}
