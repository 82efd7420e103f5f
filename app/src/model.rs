//! The data the pages show, shared by the server (which builds it) and the browser (which
//! receives it through server functions). Plain data: no parsing, no database.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Who a course is written for. The slugs are the values used in URLs and front matter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Profession {
    Physician,
    Nurse,
    Pharmacist,
    AlliedHealth,
    CommunityHealthWorker,
    Other,
}

impl Profession {
    pub const ALL: [Profession; 6] = [
        Self::Physician,
        Self::Nurse,
        Self::Pharmacist,
        Self::AlliedHealth,
        Self::CommunityHealthWorker,
        Self::Other,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            Self::Physician => "physician",
            Self::Nurse => "nurse",
            Self::Pharmacist => "pharmacist",
            Self::AlliedHealth => "allied-health",
            Self::CommunityHealthWorker => "community-health-worker",
            Self::Other => "other",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Physician => "Physicians",
            Self::Nurse => "Nurses",
            Self::Pharmacist => "Pharmacists",
            Self::AlliedHealth => "Allied health professionals",
            Self::CommunityHealthWorker => "Community health workers",
            Self::Other => "Other health workers",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.slug() == slug)
    }
}

/// What a user may do. Every account starts as a learner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Learner,
    Educator,
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Self::Learner, Self::Educator, Self::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Learner => "learner",
            Self::Educator => "educator",
            Self::Admin => "admin",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Learner => "Learner",
            Self::Educator => "Educator",
            Self::Admin => "Administrator",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Role {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        match value {
            "learner" => Ok(Self::Learner),
            "educator" => Ok(Self::Educator),
            "admin" | "administrator" => Ok(Self::Admin),
            other => Err(format!(
                "\"{other}\" is not a role: use learner, educator or admin"
            )),
        }
    }
}

/// The signed-in user, as pages see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewer {
    pub id: i64,
    pub name: String,
    pub role: Role,
}

/// What a form left behind after a submission that did not go through: a message per
/// field and the values typed (never passwords), so the form can be shown again as it was.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormState {
    /// `(field, message)`; the field `"form"` is about the form as a whole.
    pub errors: Vec<(String, String)>,
    pub values: Vec<(String, String)>,
    /// A confirmation after a successful submission.
    pub notice: Option<String>,
}

impl FormState {
    pub fn error(&self, field: &str) -> Option<String> {
        self.errors
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.clone())
    }

    pub fn value(&self, field: &str) -> Option<String> {
        self.values
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, v)| v.clone())
    }

    /// Whether `value` was among the values kept for `field` (checkboxes send several).
    pub fn has_value(&self, field: &str, value: &str) -> bool {
        self.values.iter().any(|(f, v)| f == field && v == value)
    }
}

/// A learner's own account details, as the account page shows them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub email: String,
    pub full_name: String,
    pub profession: Option<Profession>,
    pub npi: String,
    pub licence_number: String,
    pub licence_state: String,
    pub board_id: String,
    pub birth_month: Option<u8>,
    pub birth_day: Option<u8>,
    pub consent_reporting: bool,
    pub role: Option<Role>,
}

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
}

impl Enrollment {
    pub fn lessons_done(&self) -> bool {
        self.lessons_completed >= self.lessons_total
    }

    /// Everything credit requires: lessons, the post-test passed, the evaluation.
    pub fn complete(&self) -> bool {
        self.lessons_done() && (self.post_passed || !self.has_post_test) && self.evaluated
    }
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

/// `/learning/{course}/quiz/{kind}`: the quiz form, or why it cannot be taken now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuizPage {
    pub course_slug: String,
    pub course_title: String,
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
    pub correct: bool,
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
    pub course_slug: String,
    pub course_title: String,
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

/// One account in the administrators' list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRow {
    pub id: i64,
    pub email: String,
    pub full_name: String,
    pub role: Role,
    /// ISO date the account was created.
    pub created: String,
}

/// A page of the administrators' user list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserPage {
    pub users: Vec<UserRow>,
    pub total: u32,
    /// 1-based.
    pub page: u32,
    pub per_page: u32,
    pub query: String,
}

/// The kinds of credit an activity can designate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CreditType {
    /// AMA PRA Category 1 Credit(s)™, for physicians.
    #[serde(rename = "ama-pra-category-1")]
    AmaPraCategory1,
    /// Nursing continuing professional development contact hours.
    NursingContactHours,
    /// Pharmacy continuing education contact hours.
    PharmacyContactHours,
    /// A certificate of participation, for everyone else.
    Participation,
}

impl CreditType {
    pub const ALL: [CreditType; 4] = [
        Self::AmaPraCategory1,
        Self::NursingContactHours,
        Self::PharmacyContactHours,
        Self::Participation,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            Self::AmaPraCategory1 => "ama-pra-category-1",
            Self::NursingContactHours => "nursing-contact-hours",
            Self::PharmacyContactHours => "pharmacy-contact-hours",
            Self::Participation => "participation",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::AmaPraCategory1 => "AMA PRA Category 1 Credit™",
            Self::NursingContactHours => "Nursing contact hours",
            Self::PharmacyContactHours => "Pharmacy contact hours",
            Self::Participation => "Hours of participation",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.slug() == slug)
    }
}

/// An amount of credit, kept as a whole number of quarter hours so that 0.25 steps are exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Hours {
    pub quarters: u32,
}

impl Hours {
    pub fn from_quarters(quarters: u32) -> Self {
        Self { quarters }
    }
}

impl fmt::Display for Hours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let whole = self.quarters / 4;
        match self.quarters % 4 {
            0 => write!(f, "{whole}"),
            1 => write!(f, "{whole}.25"),
            2 => write!(f, "{whole}.5"),
            _ => write!(f, "{whole}.75"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credit {
    pub kind: CreditType,
    pub max_hours: Hours,
}

/// One person who planned or taught an activity, with the disclosure accreditation requires.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FacultyMember {
    pub name: String,
    pub role: String,
    /// `None` means the person declared no relevant financial relationships.
    pub relationships: Option<String>,
}

/// What the catalog shows about a course.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CourseCard {
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub professions: Vec<Profession>,
    pub credits: Vec<Credit>,
    pub estimated_minutes: u32,
    pub lesson_count: u32,
    /// ISO dates, `YYYY-MM-DD`.
    pub release_date: String,
    pub expiry_date: String,
    pub featured: bool,
    pub revision: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LessonLink {
    pub slug: String,
    pub title: String,
    /// 1-based order in the course.
    pub position: u32,
}

/// Everything a learner must see before starting a course.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CourseDetail {
    pub card: CourseCard,
    pub objectives: Vec<String>,
    pub faculty: Vec<FacultyMember>,
    pub accreditation_statement: String,
    pub designation_statement: String,
    /// The sanitised body of `course.md`, rendered when the content was loaded.
    pub overview_html: String,
    pub lessons: Vec<LessonLink>,
    /// The course's own evaluation statements (empty: the defaults apply).
    #[serde(default)]
    pub evaluation: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TocEntry {
    pub level: u8,
    pub id: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LessonPage {
    pub course_slug: String,
    pub course_title: String,
    pub lesson: LessonLink,
    pub lesson_count: u32,
    /// Sanitised HTML rendered when the content was loaded.
    pub html: String,
    pub toc: Vec<TocEntry>,
    pub previous: Option<LessonLink>,
    pub next: Option<LessonLink>,
}

/// The catalog's filters, as they arrive in the query string.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogFilter {
    pub profession: Option<Profession>,
    pub credit: Option<CreditType>,
}

impl CatalogFilter {
    pub fn matches(&self, card: &CourseCard) -> bool {
        self.profession
            .is_none_or(|p| card.professions.contains(&p))
            && self
                .credit
                .is_none_or(|c| card.credits.iter().any(|credit| credit.kind == c))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_print_in_quarter_steps() {
        let shown: Vec<String> = (0..6)
            .map(|q| Hours::from_quarters(q).to_string())
            .collect();
        assert_eq!(shown, ["0", "0.25", "0.5", "0.75", "1", "1.25"]);
    }

    #[test]
    fn slugs_round_trip() {
        for p in Profession::ALL {
            assert_eq!(Profession::from_slug(p.slug()), Some(p));
        }
        for c in CreditType::ALL {
            assert_eq!(CreditType::from_slug(c.slug()), Some(c));
        }
        assert_eq!(Profession::from_slug("dentist"), None);
    }
}

/// Where a certificate stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CertificateStatus {
    Valid,
    /// ISO date and the administrator's reason.
    Revoked {
        on: String,
        reason: String,
    },
    /// Replaced (for instance after a name correction) by the certificate with this code.
    Superseded {
        by: String,
    },
}

/// A certificate as its page and the public verification page show it: every field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateView {
    pub code: String,
    pub learner_name: String,
    pub profession: String,
    pub activity_title: String,
    /// The course revision completed, for catalog activities.
    pub revision: Option<i64>,
    /// "Online course", "Live webinar", "Recording".
    pub format: String,
    /// ISO date.
    pub completed_on: String,
    pub provider: String,
    pub credit: CreditType,
    pub hours: Hours,
    pub accreditation_statement: String,
    pub designation_statement: String,
    /// ISO date.
    pub issued_on: String,
    pub status: CertificateStatus,
    /// The public verification address (also in the QR code).
    pub verify_url: String,
    /// The QR code of `verify_url`, as SVG markup made by the server.
    pub qr_svg: String,
}

/// `/certificates/{code}`: the learner's certificate, with the administrators' actions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificatePage {
    pub certificate: CertificateView,
    /// The viewer is an administrator: show revoke and reissue.
    pub manage: bool,
    pub state: FormState,
}

/// One line of a transcript.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TranscriptEntry {
    /// The certificate code (`None` for self-reported credit).
    pub code: Option<String>,
    /// The self-reported entry's id, for removing it.
    pub external_id: Option<i64>,
    pub title: String,
    pub provider: String,
    pub credit: CreditType,
    pub hours: Hours,
    /// ISO date.
    pub completed_on: String,
    /// Revoked certificates are listed but never counted.
    pub revoked: bool,
}

/// Hours per credit type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditTotal {
    pub credit: CreditType,
    pub hours: Hours,
}

/// `/transcript`: the learner's certificates and self-reported credit, in a date range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TranscriptPage {
    pub learner_name: String,
    /// The range as given (ISO dates, empty for open).
    pub from: String,
    pub to: String,
    pub verified: Vec<TranscriptEntry>,
    pub verified_totals: Vec<CreditTotal>,
    pub reported: Vec<TranscriptEntry>,
    pub reported_totals: Vec<CreditTotal>,
    pub state: FormState,
}

/// `/admin/reports`: completions for accreditation reporting, by activity and period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportPage {
    /// `(slug, title)` of every activity with certificates.
    pub activities: Vec<(String, String)>,
    /// The filter as given (empty = all).
    pub activity: String,
    pub from: String,
    pub to: String,
    /// Completions of consenting learners (in the CSV).
    pub listed: u32,
    /// Completions of learners who did not consent (counted, not listed).
    pub not_listed: u32,
}

/// One row of a bulk issue, as checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkRow {
    /// The line in the file (the header is line 1).
    pub line: u32,
    pub email: String,
    pub activity: String,
    pub credit: String,
    pub hours: String,
    pub completed_on: String,
    /// What is wrong with the row; `None` when it can be issued.
    pub problem: Option<String>,
}

/// A checked bulk file: every row's problem, or ready to issue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkPreview {
    /// The file's text, sent back with the confirmation.
    pub csv: String,
    pub rows: Vec<BulkRow>,
    /// A problem with the file as a whole (no header, not CSV, empty).
    pub file_problem: Option<String>,
}

impl BulkPreview {
    pub fn ready(&self) -> bool {
        self.file_problem.is_none()
            && !self.rows.is_empty()
            && self.rows.iter().all(|r| r.problem.is_none())
    }
}

/// A recently issued certificate, in the administrators' list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedRow {
    pub code: String,
    pub learner_name: String,
    pub activity_title: String,
    pub credit: String,
    pub issued_on: String,
    pub status: String,
}

/// `/admin/certificates`: issue one by hand, bulk-issue from CSV with a preview, and the
/// latest certificates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminCertificatesPage {
    /// `(slug, title)` of the catalog's courses.
    pub activities: Vec<(String, String)>,
    pub preview: Option<BulkPreview>,
    pub state: FormState,
    pub recent: Vec<IssuedRow>,
}
