//! When a course is complete: the one statement of the rule, which enrollment pages, quizzes
//! and credit all ask.

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
