//! The data the studio's pages show, built by the server: times and names already written
//! out, rendered previews already sanitised by the publishing renderer.

use crate::forms::FormState;
use serde::{Deserialize, Serialize};

/// `/studio`: the viewer's activities (every activity for an administrator).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StudioList {
    pub items: Vec<StudioItem>,
    /// Administrators create activities for others and see every one.
    pub is_admin: bool,
    pub form: FormState,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StudioItem {
    /// "course" or "webinar".
    pub kind: String,
    pub slug: String,
    pub title: String,
    /// In Open edX Studio's words: "Never published", "Published", "Published with
    /// unpublished changes".
    pub state: String,
    /// "7 December 2026, 12:10 UTC by Ana Educator", or "" when nothing was edited here.
    pub last_edit: String,
    /// A folder in `content/` changed while the studio also published (the two doors).
    pub conflict: bool,
}

/// A problem `content check` finds, at its file and line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    pub file: String,
    pub line: Option<u32>,
    pub message: String,
}

/// One file of a draft, on its overview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftFile {
    pub name: String,
    /// "Course page", "Lesson 2: Thresholds", "Pre-test", "Post-test", "Webinar page".
    pub role: String,
    pub problems: usize,
    /// For lessons: the lesson's slug (renaming and moving).
    pub lesson: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnerRow {
    pub email: String,
    /// "named in the webinar's file" or "named in the studio".
    pub source: String,
    /// Only studio-named owners are removed on the owners form.
    pub removable: bool,
}

/// `/studio/{kind}/{slug}`: the draft's files, its problems, its owners.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftPage {
    pub kind: String,
    pub slug: String,
    pub title: String,
    pub state: String,
    pub last_edit: String,
    /// The live revision's number, if published.
    pub live: Option<i64>,
    pub files: Vec<DraftFile>,
    pub problems: Vec<Problem>,
    pub owners: Vec<OwnerRow>,
    pub is_admin: bool,
    /// The folder in `content/` that changed while the studio also published, if any.
    pub conflict: Option<DoorConflict>,
    pub lessons_form: FormState,
    pub owners_form: FormState,
    pub draft_form: FormState,
    /// The images uploaded to this activity.
    pub images: Vec<ImageRow>,
    pub images_form: FormState,
}

/// An image uploaded to an activity, with the markdown that shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageRow {
    pub file_name: String,
    pub alt: String,
    /// "1600 × 900 pixels".
    pub size: String,
    pub path: String,
    /// The phone-sized copy, or the image itself when it is no wider.
    pub thumbnail: String,
    /// `![alt](/media/…)`, to paste into a lesson.
    pub markdown: String,
}

/// A folder in `content/` held back because the studio also published (the two doors).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DoorConflict {
    /// The folder's files that differ from the live revision's, line by line.
    pub changes: Vec<FileDiff>,
}

/// `/studio/{kind}/{slug}/files/{name}`: one file in its text area.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEditor {
    pub kind: String,
    pub slug: String,
    pub title: String,
    pub name: String,
    pub role: String,
    pub text: String,
    /// The file's version when the page was made: a save from an older one is a conflict.
    pub version: i64,
    pub problems: Vec<Problem>,
    /// What learners will see (the publishing renderer and sanitiser).
    pub preview_html: String,
    /// A quiz file's questions with the correct options marked (for the educator only).
    pub quiz: Vec<QuizPreviewQuestion>,
    pub form: FormState,
    /// A save made from a stale copy: both versions side by side.
    pub conflict: Option<SaveConflict>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuizPreviewQuestion {
    pub prompt_html: String,
    /// `(option html, correct)`.
    pub options: Vec<(String, bool)>,
    pub explanation_html: Option<String>,
}

/// The text a save from a stale copy carried, kept for one view with the version saved
/// since (shown side by side; nothing was written over).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaveConflict {
    pub yours: String,
    pub theirs: String,
    /// "Saved by Ana Educator at 12:10 UTC", or "removed" when the file is gone.
    pub theirs_note: String,
}

/// One line of a diff: `'+'` added, `'-'` removed, `' '` kept (context).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffLine {
    pub tag: char,
    pub old: Option<u32>,
    pub new: Option<u32>,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileDiff {
    pub name: String,
    /// "added", "removed", "changed".
    pub status: String,
    pub lines: Vec<DiffLine>,
}

/// `/studio/{kind}/{slug}/publish`: what publishing changes, and whether it may.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishPage {
    pub kind: String,
    pub slug: String,
    pub title: String,
    pub live: Option<i64>,
    pub changes: Vec<FileDiff>,
    pub problems: Vec<Problem>,
    /// The hash of the draft's files shown: publishing publishes exactly these.
    pub stamp: String,
    pub form: FormState,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevisionRow {
    pub number: i64,
    pub when: String,
    /// "Ana Educator (studio)" or "content/ folder".
    pub by: String,
    pub live: bool,
}

/// `/studio/{kind}/{slug}/history`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryPage {
    pub kind: String,
    pub slug: String,
    pub title: String,
    pub revisions: Vec<RevisionRow>,
    pub form: FormState,
}

/// `/studio/{kind}/{slug}/details`: the main file's front matter as form fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DetailsPage {
    pub kind: String,
    pub slug: String,
    pub title: String,
    /// `course.md` or `<slug>.md`.
    pub name: String,
    /// The file's version when the page was made: a form from an older one is refused.
    pub version: i64,
    pub groups: Vec<DetailGroup>,
    /// Problems of the file placed at no field (its text, a file-wide problem).
    pub other_problems: Vec<Problem>,
    /// Why the fields cannot be shown (front matter that is not TOML), if so.
    pub unreadable: Option<String>,
    pub form: FormState,
}

/// A fieldset: plain fields, or the rows of a table (`rows_of` names it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DetailGroup {
    pub legend: String,
    pub hint: String,
    /// `credits`, `faculty`, `sessions` …, or "" for plain fields.
    pub rows_of: String,
    /// The columns' labels, for rows.
    pub columns: Vec<String>,
    pub fields: Vec<DetailField>,
    pub rows: Vec<Vec<DetailField>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DetailField {
    /// The form field's name: `title`, `statements.designation`, `credits.1.max_hours`.
    pub name: String,
    pub label: String,
    /// line, area, number, date, datetime, select, check, choices, lines.
    pub input: String,
    /// For choices: the chosen values separated by spaces; for a check: "on" or "".
    pub value: String,
    /// `(value, label)` for select and choices.
    pub options: Vec<(String, String)>,
    pub hint: String,
    pub required: bool,
    /// content check's message for the key on this field's line, or the form's.
    pub error: Option<String>,
}

/// What the live preview shows for the text typed so far.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LivePreviewData {
    pub html: String,
    pub quiz: Vec<QuizPreviewQuestion>,
}
