//! The accredited-activity core every activity file shares, whatever its kind (a course's
//! `course.md`, a webinar's file): its title and summary, the professions it is for, its
//! learning objectives, the credit it offers, the people who teach and plan it with their
//! disclosures, and the accreditation and designation statements. One set of checks and one
//! set of messages; each format keeps only what is its own (lessons; sessions and their
//! zones) and names its tables of people (`faculty`; `presenters` and `planners`).

use super::kit::Problems;
use app::accounts::Profession;
use app::catalog::{Credit, CreditType, Hours};
use serde::Deserialize;

/// A `[[credits]]` table as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreditMeta {
    #[serde(rename = "type")]
    pub kind: CreditType,
    pub max_hours: f64,
}

/// A person who teaches or plans the activity, as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonMeta {
    pub name: String,
    pub role: String,
    /// Relevant financial relationships, or `"none"`.
    pub disclosure: String,
}

/// The `[statements]` table as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatementsMeta {
    pub accreditation: String,
    pub designation: String,
}

/// A person, checked: names, role and disclosure trimmed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Person {
    pub name: String,
    pub role: String,
    pub disclosure: String,
}

impl Person {
    /// The disclosure as pages show it: `None` for "none".
    pub fn relationships(&self) -> Option<String> {
        (!self.disclosure.eq_ignore_ascii_case("none")).then(|| self.disclosure.clone())
    }
}

/// `title` and `summary` are written.
pub fn check_title_and_summary(problems: &mut Problems<'_>, title: &str, summary: &str) {
    for (key, value) in [("title", title), ("summary", summary)] {
        if value.trim().is_empty() {
            problems.at_key(key, format!("{key} is empty: write one"));
        }
    }
}

/// At least one profession: `noun` is "course", "webinar", ….
pub fn check_professions(problems: &mut Problems<'_>, professions: &[Profession], noun: &str) {
    if professions.is_empty() {
        problems.at_key(
            "professions",
            format!(
                "professions is empty: name who the {noun} is for, as in [\"physician\", \"nurse\"]"
            ),
        );
    }
}

/// At least one learning objective; the objectives, trimmed, empty ones dropped.
pub fn check_objectives(problems: &mut Problems<'_>, objectives: &[String]) -> Vec<String> {
    if objectives.iter().all(|o| o.trim().is_empty()) {
        problems.at_key(
            "objectives",
            "missing learning objectives: learners must see them before they start, as objectives = [\"…\"]"
                .into(),
        );
    }
    objectives
        .iter()
        .map(|o| o.trim().to_owned())
        .filter(|o| !o.is_empty())
        .collect()
}

/// At least one credit type, each once, in 0.25-hour steps up to 100 hours.
pub fn check_credits(problems: &mut Problems<'_>, credits: &[CreditMeta]) -> Vec<Credit> {
    if credits.is_empty() {
        problems.at_key(
            "credits",
            "missing credit: add at least one [[credits]] table with type and max_hours".into(),
        );
    }
    let mut checked: Vec<Credit> = Vec::new();
    for (index, credit) in credits.iter().enumerate() {
        let quarters = credit.max_hours * 4.0;
        if credit.max_hours <= 0.0 || quarters.fract() != 0.0 || quarters > 4.0 * 100.0 {
            problems.at_table(
                "credits",
                index,
                "max_hours",
                format!(
                    "max_hours = {} is not a credit amount: credit moves in 0.25 steps (0.25, 0.5, 0.75, 1, …) up to 100",
                    credit.max_hours
                ),
            );
            continue;
        }
        if checked.iter().any(|c| c.kind == credit.kind) {
            problems.at_table(
                "credits",
                index,
                "type",
                format!("credit type \"{}\" is listed twice", credit.kind.slug()),
            );
            continue;
        }
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "checked: a positive whole number up to 400"
        )]
        checked.push(Credit {
            kind: credit.kind,
            max_hours: Hours::from_quarters(quarters as u32),
        });
    }
    checked
}

/// The people of the `[[table]]` tables: each with a name, a role and a disclosure. At least
/// one when `required` (`what` says who, for the message).
pub fn check_people(
    problems: &mut Problems<'_>,
    table: &str,
    people: &[PersonMeta],
    required: Option<&str>,
) -> Vec<Person> {
    if let Some(what) = required
        && people.is_empty()
    {
        problems.at_key(
            table,
            format!(
                "missing {table}: list every {what} in a [[{table}]] table with name, role and disclosure"
            ),
        );
    }
    for (index, person) in people.iter().enumerate() {
        if person.name.trim().is_empty() {
            problems.at_table(
                table,
                index,
                "name",
                "missing name: write the person's name as it should appear".into(),
            );
        }
        if person.role.trim().is_empty() {
            problems.at_table(
                table,
                index,
                "role",
                format!(
                    "missing role for {}: write what they do, as in \"Presenter\" or \"Planner\"",
                    person.name.trim()
                ),
            );
        }
        if person.disclosure.trim().is_empty() {
            problems.at_table(
                table,
                index,
                "disclosure",
                format!(
                    "missing disclosure for {}: write the relevant financial relationships, or \"none\"",
                    person.name
                ),
            );
        }
    }
    people
        .iter()
        .map(|p| Person {
            name: p.name.trim().to_owned(),
            role: p.role.trim().to_owned(),
            disclosure: p.disclosure.trim().to_owned(),
        })
        .collect()
}

/// The accreditation and designation statements, both written.
pub fn check_statements(
    problems: &mut Problems<'_>,
    statements: Option<&StatementsMeta>,
) -> (String, String) {
    let Some(statements) = statements else {
        problems.at_key(
            "statements",
            "missing [statements]: write the accreditation and credit designation statements"
                .into(),
        );
        return (String::new(), String::new());
    };
    if statements.accreditation.trim().is_empty() {
        problems.at_key("accreditation", "missing accreditation statement".into());
    }
    if statements.designation.trim().is_empty() {
        problems.at_key("designation", "missing credit designation statement".into());
    }
    (
        statements.accreditation.trim().to_owned(),
        statements.designation.trim().to_owned(),
    )
}
