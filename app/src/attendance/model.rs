//! The data the attendance pages show, built by the server, times already written out.

use serde::{Deserialize, Serialize};

/// A learner's own attendance of one session, on the webinar's page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LearnerAttendance {
    pub session: u32,
    /// `(source, time it shows)`: "join link on this site", "0 min"; "attendance codes", ….
    pub per_source: Vec<(String, String)>,
    /// The union of every source: "52 min 10 s".
    pub total: String,
    pub eligible: bool,
    /// "Eligible for credit." or "Not eligible yet: 12 min 30 s more are needed …".
    pub verdict: String,
    /// After the session, for an eligible learner: what comes next towards the certificate.
    pub step: Option<CreditStep>,
}

/// The next step from attendance to a certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CreditStep {
    /// The evaluation, with its statements (rated 1 to 5).
    Evaluate { statements: Vec<String> },
    /// The webinar's post-test, to pass before the claim.
    PostTest {
        href: String,
        pass_mark: u8,
        questions: u32,
        /// Why no attempt is left (all used without a pass): credit cannot be claimed.
        closed: Option<String>,
    },
    /// The claim: `field` is the form field, `cap` the most that may be claimed.
    Claim {
        field: String,
        credit: String,
        max_hours: String,
        attended_hours: String,
        cap: String,
    },
    Claimed {
        code: String,
        hours: String,
        credit: String,
    },
    /// The webinar offers no credit for the learner's profession.
    NoCredit,
}

/// One learner's row in the organizers' table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttendeeRow {
    pub name: String,
    pub email: String,
    /// "registered" or "waitlisted".
    pub status: String,
    pub total: String,
    pub seconds: i64,
    /// Per source, as written.
    pub per_source: String,
    pub eligible: bool,
    /// Why not, when not.
    pub why: Option<String>,
}

/// A ledger row, for the evidence table and corrections.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceRow {
    pub id: i64,
    pub learner: String,
    pub source: String,
    /// "09:01:30 CST – 09:40:00 CST", or "withdrawn".
    pub interval: String,
    pub recorded: String,
    pub reason: Option<String>,
}

/// A report imported for a session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportRow {
    pub file_name: String,
    pub format: String,
    pub sha256: String,
    pub imported: String,
    pub by: String,
    pub rows_read: i64,
    pub rows_added: i64,
    /// `(line, why)` of each row not added.
    pub skipped: Vec<(u32, String)>,
}

/// A code window, as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeWindowRow {
    pub code: String,
    /// "09:20:00 – 09:25:00 CST".
    pub shown: String,
    pub open: bool,
    pub entered: u32,
}

/// One session on the organizers' page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionAttendance {
    pub number: u32,
    pub when: String,
    /// The webinar's rule in words, with the seconds it asks of this session.
    pub rule: String,
    pub registered: usize,
    pub attended: usize,
    pub eligible: usize,
    pub attendees: Vec<AttendeeRow>,
    /// One page of the current ledger rows (the ledger can be long: a click a minute per
    /// learner), oldest first.
    pub evidence: Vec<EvidenceRow>,
    /// The current ledger rows in all, and the first row's place on this page (from 1).
    pub evidence_total: i64,
    pub evidence_from: i64,
    pub imports: Vec<ImportRow>,
    pub windows: Vec<CodeWindowRow>,
    /// A code window may be opened now (the session is running).
    pub running: bool,
    pub started: bool,
}

/// `/webinars/{webinar}/attendance`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttendancePage {
    pub slug: String,
    pub title: String,
    /// The zone times are written in (the first session's).
    pub zone: String,
    pub sessions: Vec<SessionAttendance>,
    /// The ledger page shown (from 1), and how many rows a page holds.
    pub ledger_page: u32,
    pub ledger_page_size: u32,
    /// The viewer's import preview waiting to be written (kept a day), if any.
    pub preview: Option<ImportPreview>,
}

/// One row of an import preview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviewRow {
    pub line: u32,
    pub name: String,
    pub email: String,
    /// The learner it matched.
    pub learner: Option<String>,
    /// A row without an email matched by name only: the account's email, shown beside the
    /// name so the organizer can confirm the match before it is written.
    pub to_confirm: Option<String>,
    /// The account that email belongs to: a tick confirms this account on this line, so
    /// the row is written only if the same account still matches when it is.
    pub confirm_user: Option<i64>,
    pub joined: String,
    pub left: String,
    /// What the row adds inside the session.
    pub counted: Option<String>,
    pub note: Option<String>,
    pub problem: Option<String>,
}

/// What an upload would write, before anything is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportPreview {
    /// The kept preview the write form names.
    pub id: i64,
    pub slug: String,
    pub session: u32,
    pub session_time: String,
    pub zone: String,
    pub file_name: String,
    pub sha256: String,
    pub format: String,
    pub rows_read: usize,
    pub accepted: usize,
    /// Rows matched by name only, added only if the organizer confirms each.
    pub to_confirm: usize,
    pub problems: usize,
    /// Rows to add that the preview does not list (it lists the first 50).
    pub accepted_not_shown: usize,
    /// Rows with a problem or to confirm that the preview does not list (it lists 500 of
    /// each; the rest are skipped with their reason when the import is written).
    pub others_not_shown: usize,
    pub rows: Vec<PreviewRow>,
}

/// `/webinars/{webinar}/code`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeScreen {
    pub slug: String,
    pub title: String,
    /// The code shown now and until when, if a window is open.
    pub code: Option<String>,
    pub until: Option<String>,
    /// A window may be opened now.
    pub running: bool,
}
