//! The data learning pages show, built by the server and sent through the server functions.

use crate::catalog::{CreditType, Hours, LessonLink};
use crate::forms::FormState;
use serde::{Deserialize, Serialize};

/// A learner's place in one course.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enrollment {
    pub course_slug: String,
    pub course_title: String,
    /// The revision the learner studies, and the newest one published.
    pub revision: i64,
    pub latest_revision: i64,
    pub lessons_total: u32,
    pub lessons_completed: u32,
    /// The first lesson not yet completed.
    pub next_lesson: Option<LessonLink>,
    /// ISO date.
    pub enrolled_on: String,
    /// Which quizzes the pinned revision has.
    pub has_pre_test: bool,
    pub has_post_test: bool,
    /// The pre-test score (first attempt): the baseline.
    pub pre_score: Option<u8>,
    /// The best post-test score so far, and whether any attempt passed.
    pub post_score: Option<u8>,
    pub post_passed: bool,
    pub evaluated: bool,
    /// ISO date credit was claimed, once it is.
    pub claimed_on: Option<String>,
    /// The server's answers to the completion rule (decided once, in its `credit` domain):
    /// every lesson complete; everything credit requires done; the evaluation may be taken.
    pub lessons_done: bool,
    pub complete: bool,
    pub evaluation_open: bool,
}

/// Which quiz of a course: the URL segment is `pre-test` or `post-test`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum QuizKind {
    Pre,
    Post,
}

impl QuizKind {
    pub fn slug(self) -> &'static str {
        match self {
            Self::Pre => "pre-test",
            Self::Post => "post-test",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Pre => "Pre-test",
            Self::Post => "Post-test",
        }
    }

    /// The value stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pre => "pre",
            Self::Post => "post",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Self> {
        match slug {
            "pre-test" => Some(Self::Pre),
            "post-test" => Some(Self::Post),
            _ => None,
        }
    }
}

/// A question as the learner sees it before submitting: no answer key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuestionView {
    pub id: String,
    pub prompt: String,
    /// Sanitised HTML (may be empty).
    pub body_html: String,
    /// Select all that apply (checkboxes) rather than one answer (radio buttons).
    pub multiple: bool,
    /// `(option id, text)` in the order shown.
    pub options: Vec<(String, String)>,
}

/// One submitted attempt, as a list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttemptSummary {
    pub number: u32,
    pub percent: u8,
    pub passed: bool,
    /// ISO date.
    pub submitted_on: String,
}

/// Where a quiz belongs: a course's pre- or post-test, or a live webinar's post-test. The
/// quiz and result pages are the same for both; only the links around them differ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuizPlace {
    /// The course's or webinar's title.
    pub title: String,
    /// "the course" or "the webinar".
    pub noun: String,
    /// The activity's page.
    pub activity_href: String,
    /// The quiz page; attempt `n` is at `{quiz_href}/{n}`.
    pub quiz_href: String,
    /// Where the quiz form is posted.
    pub action: String,
    /// The steps towards credit that follow the quiz, and the words of the link to them
    /// when the quiz is closed and once it is passed.
    pub credit_href: String,
    pub credit_label: String,
    pub passed_label: String,
    /// The first breadcrumb: `(label, href)`.
    pub crumb: (String, String),
}

impl QuizPlace {
    pub fn course(slug: &str, title: &str, kind: QuizKind) -> Self {
        Self {
            title: title.to_owned(),
            noun: "the course".into(),
            activity_href: format!("/courses/{slug}"),
            quiz_href: format!("/learning/{slug}/quiz/{}", kind.slug()),
            action: "/learning/quiz".into(),
            credit_href: format!("/learning/{slug}/credit"),
            credit_label: "Completion and credit".into(),
            passed_label: "Go on to the evaluation and credit".into(),
            crumb: ("My learning".into(), "/learning".into()),
        }
    }

    /// A live webinar's post-test, at `/webinars/{slug}/post-test`.
    pub fn webinar(slug: &str, title: &str) -> Self {
        Self {
            title: title.to_owned(),
            noun: "the webinar".into(),
            activity_href: format!("/webinars/{slug}"),
            quiz_href: format!("/webinars/{slug}/post-test"),
            action: "/webinars/post-test".into(),
            credit_href: format!("/webinars/{slug}#attendance"),
            credit_label: "Attendance and credit".into(),
            passed_label: "Go on to your credit claim".into(),
            crumb: ("Webinars".into(), "/webinars".into()),
        }
    }
}

/// `/learning/{course}/quiz/{kind}` or `/webinars/{webinar}/post-test`: the quiz form, or
/// why it cannot be taken now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuizPage {
    pub place: QuizPlace,
    pub kind: QuizKind,
    pub pass_mark: u8,
    pub max_attempts: u32,
    pub attempts: Vec<AttemptSummary>,
    /// The open attempt's token; `None` when no attempt may be started.
    pub token: Option<String>,
    /// Why there is no form (all attempts used, already passed).
    pub closed_reason: Option<String>,
    /// Empty when there is no form.
    pub questions: Vec<QuestionView>,
    /// What the last refused submission left: messages per question and the answers chosen.
    pub state: FormState,
}

/// One option of a graded question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GradedOption {
    pub text: String,
    pub chosen: bool,
    /// `None` while the key is withheld ([`AttemptResult::key_shown`]).
    pub correct: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GradedQuestion {
    pub prompt: String,
    pub body_html: String,
    pub options: Vec<GradedOption>,
    pub is_correct: bool,
    /// Sanitised HTML.
    pub explanation_html: Option<String>,
}

/// `/learning/{course}/quiz/{kind}/{number}`: a submitted attempt with the answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttemptResult {
    pub place: QuizPlace,
    pub kind: QuizKind,
    pub number: u32,
    pub correct: u32,
    pub total: u32,
    pub percent: u8,
    pub pass_mark: u8,
    pub passed: bool,
    pub submitted_on: String,
    /// Whether another attempt may be started.
    pub can_retry: bool,
    /// Whether the correct options and the explanations are in this result: only once the
    /// quiz is passed or no attempt is left (for the pre-test, once the post-test is), so a
    /// failed attempt never hands out the key for the next one.
    pub key_shown: bool,
    pub questions: Vec<GradedQuestion>,
}

/// A claimable credit type and its course maximum.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimOption {
    pub kind: CreditType,
    pub max_hours: Hours,
}

/// A stored claim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimRecord {
    pub kind: CreditType,
    pub hours: Hours,
    pub completed_on: String,
    pub claimed_on: String,
    pub revision: i64,
    /// The code of the certificate issued from this claim.
    pub certificate: Option<String>,
}

/// `/learning/{course}/credit`: what completion still needs, the evaluation, the claim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditPage {
    pub enrollment: Enrollment,
    /// The Likert statements of the evaluation (the course's or the defaults).
    pub statements: Vec<String>,
    /// What the learner may claim; empty with `claim_blocked` saying why.
    pub claim_options: Vec<ClaimOption>,
    pub claim_blocked: Option<String>,
    pub claims: Vec<ClaimRecord>,
    /// Minutes between first opening a lesson and passing the post-test, as a guide.
    pub recorded_minutes: Option<u32>,
    pub evaluation_state: FormState,
    pub claim_state: FormState,
}

/// The five points of an evaluation's agreement scale, lowest first.
pub const LIKERT: [&str; 5] = [
    "Strongly disagree",
    "Disagree",
    "Neutral",
    "Agree",
    "Strongly agree",
];

/// The evaluation statements a course gets when it defines none.
pub const DEFAULT_EVALUATION: [&str; 3] = [
    "The learning objectives were met.",
    "The content was free of commercial bias.",
    "The content is relevant to my practice.",
];

/// Where a signed-in reader stands on one lesson.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LessonStatus {
    pub enrolled: bool,
    pub completed: bool,
}
