//! `/studio/{kind}/{slug}/details`: an activity's front matter as form fields (title,
//! summary, professions, objectives, credits, faculty, statements, dates, evaluation; for a
//! webinar its sessions, capacity, window, service, link, organizers and rule). Saving
//! writes the keys the form shows (and only the ones it sent) into the file's TOML with
//! `toml_edit`, keeping the rest of the file as it was written (comments, order, keys not
//! shown such as a recording's table; a table of rows such as `[[credits]]` is written anew,
//! so comments inside it are not kept), as a new version of the same file the text editor
//! saves: a stale form is refused like a stale save. A file whose keys are written in a
//! shape the form cannot show (`credits = [{ … }]` inline, more than 50 rows) is edited as
//! text. Problems are `content check`'s own, found by its line and shown next to the
//! field whose key stands on that line.

use super::{Kind, authorize, store, working};
use crate::AppState;
use crate::auth::Educator;
use crate::content::front_matter;
use crate::db::On;
use crate::error::{Error, Result};
use crate::forms::{Back, Fields};
use app::studio::{DetailField, DetailGroup, Problem};
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use toml_edit::{ArrayOfTables, DocumentMut, Item, Table, Value};

/// The longest value one field may hold, in bytes.
pub const MAX_FIELD_BYTES: usize = 20 * 1024;
/// Rows of a table (credits, faculty, sessions) a form may send.
pub const MAX_ROWS: usize = 50;
/// Empty rows offered under a table's rows, for adding.
const BLANK_ROWS: usize = 2;

/// How a field is typed in and written to TOML.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Input {
    /// One line of text.
    Line,
    /// Text on several lines, written as one string.
    Area,
    /// A whole or decimal number.
    Number,
    /// A date such as 2026-01-15.
    Date,
    /// A date and time such as 2031-03-04T09:00:00 (local) or …Z (UTC).
    DateTime,
    /// One of a list.
    Select(&'static [(&'static str, &'static str)]),
    /// On or off.
    Check,
    /// Several of a list (checkboxes), written as an array.
    Choices(&'static [(&'static str, &'static str)]),
    /// One entry per line, written as an array of strings.
    Lines,
}

impl Input {
    fn name(self) -> &'static str {
        match self {
            Self::Line => "line",
            Self::Area => "area",
            Self::Number => "number",
            Self::Date => "date",
            Self::DateTime => "datetime",
            Self::Select(_) => "select",
            Self::Check => "check",
            Self::Choices(_) => "choices",
            Self::Lines => "lines",
        }
    }
}

/// One key of the front matter: `key` is `title`, `statements.accreditation`, or, within a
/// table's rows, the column's key.
struct Spec {
    key: &'static str,
    label: &'static str,
    input: Input,
    hint: &'static str,
    /// Written (empty if need be) rather than removed when left empty, so content check
    /// says it is missing at its field.
    required: bool,
}

const fn field(key: &'static str, label: &'static str, input: Input, hint: &'static str) -> Spec {
    Spec {
        key,
        label,
        input,
        hint,
        required: false,
    }
}

const fn required(
    key: &'static str,
    label: &'static str,
    input: Input,
    hint: &'static str,
) -> Spec {
    Spec {
        key,
        label,
        input,
        hint,
        required: true,
    }
}

/// A group of fields, or the rows of an array of tables (`[[credits]]`).
struct Group {
    legend: &'static str,
    hint: &'static str,
    rows_of: Option<&'static str>,
    fields: &'static [Spec],
}

const PROFESSIONS: &[(&str, &str)] = &[
    ("physician", "Physicians"),
    ("nurse", "Nurses"),
    ("pharmacist", "Pharmacists"),
    ("allied-health", "Allied health professionals"),
    ("community-health-worker", "Community health workers"),
    ("other", "Other health workers"),
];

const CREDIT_TYPES: &[(&str, &str)] = &[
    ("ama-pra-category-1", "AMA PRA Category 1 Credit™"),
    ("nursing-contact-hours", "Nursing contact hours"),
    ("pharmacy-contact-hours", "Pharmacy contact hours"),
    ("participation", "Certificate of participation"),
];

const SERVICES: &[(&str, &str)] = &[
    ("zoom", "Zoom"),
    ("teams", "Microsoft Teams"),
    ("bigbluebutton", "BigBlueButton"),
    ("jitsi", "Jitsi Meet"),
    ("webex", "Webex"),
    ("other", "Another service"),
];

const PERSON: &[Spec] = &[
    required("name", "Name", Input::Line, ""),
    required("role", "Role", Input::Line, ""),
    required(
        "disclosure",
        "Disclosure",
        Input::Area,
        "\"none\", or each relevant financial relationship and how it was mitigated.",
    ),
];

const CREDITS: &[Spec] = &[
    required("type", "Credit type", Input::Select(CREDIT_TYPES), ""),
    required(
        "max_hours",
        "Maximum hours",
        Input::Number,
        "In quarter hours: 0.25, 0.5, 1.0 …",
    ),
];

const STATEMENTS: &[Spec] = &[
    field(
        "statements.accreditation",
        "Accreditation statement",
        Input::Area,
        "",
    ),
    field(
        "statements.designation",
        "Credit designation statement",
        Input::Area,
        "",
    ),
];

const CREDIT_ROWS: Group = Group {
    legend: "Credit",
    hint: "One row per credit type. Leave a row empty to remove it.",
    rows_of: Some("credits"),
    fields: CREDITS,
};

const STATEMENT_FIELDS: Group = Group {
    legend: "Statements",
    hint: "",
    rows_of: None,
    fields: STATEMENTS,
};

const COURSE: &[Group] = &[
    Group {
        legend: "About the course",
        hint: "",
        rows_of: None,
        fields: &[
            required("title", "Title", Input::Line, ""),
            required(
                "summary",
                "Summary",
                Input::Area,
                "One or two sentences for the catalog.",
            ),
            required(
                "professions",
                "For",
                Input::Choices(PROFESSIONS),
                "Who the course is written for.",
            ),
            required(
                "estimated_minutes",
                "Estimated minutes",
                Input::Number,
                "How long the course takes, in minutes.",
            ),
            required(
                "release_date",
                "Release date",
                Input::Date,
                "Like 2026-01-15: learners may claim credit from this day.",
            ),
            required(
                "expiry_date",
                "Expiry date",
                Input::Date,
                "Like 2028-01-14: no credit is claimed after it (at most three years for enduring material).",
            ),
            field(
                "objectives",
                "Learning objectives",
                Input::Lines,
                "One per line.",
            ),
            field(
                "test_out",
                "Learners may take the post-test without the lessons (testing out)",
                Input::Check,
                "",
            ),
        ],
    },
    CREDIT_ROWS,
    Group {
        legend: "Faculty and planners",
        hint: "Everyone in control of the content, with their disclosure. Leave a row empty to remove it.",
        rows_of: Some("faculty"),
        fields: PERSON,
    },
    STATEMENT_FIELDS,
    Group {
        legend: "Evaluation",
        hint: "",
        rows_of: None,
        fields: &[field(
            "evaluation",
            "Agreement statements",
            Input::Lines,
            "One per line; leave empty for the standard statements.",
        )],
    },
];

const WEBINAR: &[Group] = &[
    Group {
        legend: "About the webinar",
        hint: "",
        rows_of: None,
        fields: &[
            required("title", "Title", Input::Line, ""),
            required(
                "summary",
                "Summary",
                Input::Area,
                "One or two sentences for the listing.",
            ),
            required("professions", "For", Input::Choices(PROFESSIONS), ""),
            field(
                "objectives",
                "Learning objectives",
                Input::Lines,
                "One per line.",
            ),
        ],
    },
    Group {
        legend: "Registration and joining",
        hint: "",
        rows_of: None,
        fields: &[
            required(
                "capacity",
                "Capacity",
                Input::Number,
                "Seats; later registrations join the waitlist.",
            ),
            required(
                "registration_opens",
                "Registration opens",
                Input::DateTime,
                "Like 2026-01-01T00:00:00Z (UTC), or a local time such as 2031-03-04T08:45:00 in the first session's zone.",
            ),
            required(
                "registration_closes",
                "Registration closes",
                Input::DateTime,
                "As above.",
            ),
            required(
                "service",
                "Conferencing service",
                Input::Select(SERVICES),
                "",
            ),
            required(
                "join_url",
                "Join link",
                Input::Line,
                "The https link learners are sent to from 15 minutes before the start.",
            ),
            field(
                "organizers",
                "Organizers",
                Input::Lines,
                "Sign-in emails, one per line. Only administrators may change them.",
            ),
        ],
    },
    Group {
        legend: "Sessions",
        hint: "The local start time in its IANA zone. A session that has started cannot be moved. Leave a row empty to remove it.",
        rows_of: Some("sessions"),
        fields: &[
            required(
                "start",
                "Start",
                Input::DateTime,
                "Like 2031-03-04T09:00:00",
            ),
            required("zone", "Time zone", Input::Line, "Like America/Chicago"),
            required("minutes", "Minutes", Input::Number, ""),
        ],
    },
    Group {
        legend: "Attendance rule",
        hint: "Write one of the two: the minutes, or the share of the session, a learner must attend to earn credit.",
        rows_of: None,
        fields: &[
            field(
                "attendance.min_minutes",
                "Minimum minutes",
                Input::Number,
                "",
            ),
            field(
                "attendance.min_percent",
                "Minimum share of the session (%)",
                Input::Number,
                "",
            ),
        ],
    },
    CREDIT_ROWS,
    Group {
        legend: "Presenters",
        hint: "Leave a row empty to remove it.",
        rows_of: Some("presenters"),
        fields: PERSON,
    },
    Group {
        legend: "Planners",
        hint: "Leave a row empty to remove it.",
        rows_of: Some("planners"),
        fields: PERSON,
    },
    STATEMENT_FIELDS,
];

fn groups(kind: Kind) -> &'static [Group] {
    match kind {
        Kind::Course => COURSE,
        Kind::Webinar => WEBINAR,
    }
}

/// The file whose front matter the form edits.
pub fn main_file(kind: Kind, slug: &str) -> String {
    match kind {
        Kind::Course => "course.md".to_owned(),
        Kind::Webinar => format!("{slug}.md"),
    }
}

// The lists above are the site's own enums: a new profession or credit type is a test
// failure here, not a missing choice.
#[cfg(test)]
fn lists_match_the_enums() -> bool {
    use app::accounts::Profession;
    use app::catalog::CreditType;
    PROFESSIONS.len() == Profession::ALL.len()
        && Profession::ALL
            .iter()
            .zip(PROFESSIONS)
            .all(|(p, (slug, _))| p.slug() == *slug)
        && CREDIT_TYPES.len() == CreditType::ALL.len()
        && CreditType::ALL
            .iter()
            .zip(CREDIT_TYPES)
            .all(|(c, (slug, _))| c.slug() == *slug)
}

// ---------------------------------------------------------------------------------------
// Reading the file.

/// The file split into its front matter (parsed, format kept) and the rest.
struct Parsed {
    doc: DocumentMut,
    body: String,
}

fn parse(kind: Kind, text: &str, name: &str) -> std::result::Result<Parsed, String> {
    let split = front_matter::split(std::path::Path::new(name), text)
        .map_err(|e| format!("{name}: {}", e.message))?;
    let doc = split.front_matter.parse::<DocumentMut>().map_err(|e| {
        format!(
            "{name}'s front matter is not valid TOML ({}): correct it in the text editor first.",
            e.message()
        )
    })?;
    // Shapes the form cannot show are edited as text, never blanked by a save.
    let as_text = |what: String| format!("{what}: edit {name} as text.");
    for group in groups(kind) {
        match group.rows_of {
            Some(key) => match doc.get(key) {
                None => {}
                Some(Item::ArrayOfTables(rows)) if rows.len() > MAX_ROWS => {
                    return Err(as_text(format!("{key} has more than {MAX_ROWS} rows")));
                }
                Some(Item::ArrayOfTables(_)) => {}
                Some(_) => {
                    return Err(as_text(format!(
                        "{key} is written inline; the form shows it written as [[{key}]] tables"
                    )));
                }
            },
            None => {
                for spec in group.fields {
                    if let Some((outer, _)) = spec.key.split_once('.')
                        && doc.get(outer).is_some_and(|item| !item.is_table())
                    {
                        return Err(as_text(format!(
                            "{outer} is written inline; the form shows it written as a [{outer}] table"
                        )));
                    }
                }
            }
        }
    }
    Ok(Parsed {
        doc,
        body: split.body.to_owned(),
    })
}

fn lookup<'a>(table: &'a Table, key: &str) -> Option<&'a Item> {
    match key.split_once('.') {
        Some((outer, inner)) => table.get(outer)?.as_table()?.get(inner),
        None => table.get(key),
    }
}

/// A value as a form field shows it.
fn shown(item: Option<&Item>, input: Input) -> String {
    let Some(value) = item.and_then(Item::as_value) else {
        return String::new();
    };
    match value {
        Value::String(s) => s.value().clone(),
        Value::Integer(i) => i.value().to_string(),
        Value::Float(f) => {
            let f = *f.value();
            if f.fract() == 0.0 {
                format!("{f:.1}")
            } else {
                f.to_string()
            }
        }
        Value::Boolean(b) if *b.value() => "on".to_owned(),
        Value::Boolean(_) => String::new(),
        Value::Datetime(d) => d.value().to_string(),
        Value::Array(items) => items
            .iter()
            .map(|v| match v {
                Value::String(s) => s.value().clone(),
                other => other.to_string().trim().to_owned(),
            })
            .collect::<Vec<_>>()
            .join(if matches!(input, Input::Choices(_)) {
                " "
            } else {
                "\n"
            }),
        Value::InlineTable(t) => t.to_string(),
    }
}

// ---------------------------------------------------------------------------------------
// Writing the file.

/// A typed value as TOML: numbers, dates and true/false as themselves when they read as
/// such, text otherwise (content check then says what is wrong at the key's line).
fn written(input: Input, typed: &str) -> Option<Value> {
    let typed = typed.trim();
    match input {
        Input::Check => (!typed.is_empty()).then(|| Value::from(true)),
        Input::Lines => {
            let lines: Vec<&str> = typed
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect();
            (!lines.is_empty()).then(|| Value::Array(multiline(&lines)))
        }
        Input::Choices(_) => {
            let chosen: Vec<&str> = typed.split_whitespace().collect();
            let mut array = toml_edit::Array::new();
            for choice in chosen {
                array.push(choice);
            }
            Some(Value::Array(array))
        }
        _ if typed.is_empty() => None,
        Input::Number => Some(
            typed
                .parse::<i64>()
                .map(Value::from)
                .or_else(|_| typed.parse::<f64>().map(Value::from))
                .unwrap_or_else(|_| Value::from(typed)),
        ),
        Input::Date | Input::DateTime => Some(
            typed
                .parse::<toml_edit::Datetime>()
                .map(Value::from)
                .unwrap_or_else(|_| Value::from(typed)),
        ),
        Input::Line | Input::Area | Input::Select(_) => Some(Value::from(typed)),
    }
}

/// `["a", "b"]` written one element per line, as the demo content writes objectives.
fn multiline(lines: &[&str]) -> toml_edit::Array {
    let mut array = toml_edit::Array::new();
    for line in lines {
        let mut value = Value::from(*line);
        value.decor_mut().set_prefix("\n  ");
        array.push_formatted(value);
    }
    array.set_trailing_comma(true);
    array.set_trailing("\n");
    array
}

fn set(table: &mut Table, key: &str, value: Option<Value>) {
    match key.split_once('.') {
        Some((outer, inner)) => {
            if value.is_none() && !table.contains_key(outer) {
                return;
            }
            let entry = table
                .entry(outer)
                .or_insert_with(|| Item::Table(Table::new()));
            if let Some(inner_table) = entry.as_table_mut() {
                set(inner_table, inner, value);
                if inner_table.is_empty() {
                    table.remove(outer);
                }
            }
        }
        None => match value {
            Some(value) => {
                // Keep the comment written before the key.
                let decor = table.key(key).map(|k| k.leaf_decor().prefix().cloned());
                table.insert(key, Item::Value(value));
                if let (Some(Some(prefix)), Some(mut k)) = (decor, table.key_mut(key)) {
                    k.leaf_decor_mut().set_prefix(prefix);
                }
            }
            None => {
                table.remove(key);
            }
        },
    }
}

/// What a details form sent, by field name.
pub type Typed = HashMap<String, String>;

/// The file with the form's fields written into its front matter.
pub fn apply(
    kind: Kind,
    name: &str,
    text: &str,
    typed: &Typed,
) -> std::result::Result<String, String> {
    let Parsed { mut doc, body } = parse(kind, text, name)?;
    let value = |name: &str| typed.get(name).map_or("", String::as_str);
    for group in groups(kind) {
        match group.rows_of {
            None => {
                for spec in group.fields {
                    // Only what the form sent changes (a box sends its marker when unticked).
                    let sent = typed.contains_key(spec.key)
                        || (matches!(spec.input, Input::Check)
                            && typed.contains_key(&format!("{}.sent", spec.key)));
                    if !sent {
                        continue;
                    }
                    let written = written(spec.input, value(spec.key)).or_else(|| {
                        (spec.required && !matches!(spec.input, Input::Check))
                            .then(|| Value::from(""))
                    });
                    set(doc.as_table_mut(), spec.key, written);
                }
            }
            Some(rows_key) => {
                // Rows change only when the form sent how many it showed.
                let Some(count) = typed
                    .get(&format!("{rows_key}.rows"))
                    .and_then(|n| n.trim().parse::<usize>().ok())
                else {
                    continue;
                };
                let count = count.min(MAX_ROWS);
                let mut rows = ArrayOfTables::new();
                for index in 0..count {
                    let cells: Vec<(&Spec, &str)> = group
                        .fields
                        .iter()
                        .map(|spec| (spec, value(&format!("{rows_key}.{index}.{}", spec.key))))
                        .collect();
                    if cells.iter().all(|(_, v)| v.trim().is_empty()) {
                        continue;
                    }
                    let mut table = Table::new();
                    for (spec, typed) in cells {
                        let written = written(spec.input, typed)
                            .or_else(|| spec.required.then(|| Value::from("")));
                        if let Some(written) = written {
                            table.insert(spec.key, Item::Value(written));
                        }
                    }
                    rows.push(table);
                }
                if rows.is_empty() {
                    doc.remove(rows_key);
                } else {
                    doc.insert(rows_key, Item::ArrayOfTables(rows));
                }
            }
        }
    }
    let mut front = doc.to_string();
    if !front.ends_with('\n') {
        front.push('\n');
    }
    // A line of `+++` inside a text would end the front matter there.
    if front
        .lines()
        .any(|line| line.trim_end() == front_matter::FENCE)
    {
        return Err(format!(
            "A field holds a line of just {}, which would end the front matter: change that line.",
            front_matter::FENCE
        ));
    }
    Ok(format!("+++\n{front}+++\n{body}"))
}

// ---------------------------------------------------------------------------------------
// Problems next to their fields.

/// The form field a line of the front matter (1-based, within it) belongs to:
/// `title`, `statements.designation`, `credits.1.max_hours`, or a table's name.
pub fn field_at(front: &str, line: usize) -> Option<String> {
    let mut table: Option<(String, Option<usize>)> = None;
    let mut counts: HashMap<String, usize> = HashMap::new();
    let mut found: Option<String> = None;
    for text in front.lines().take(line) {
        let trimmed = text.trim();
        if let Some(name) = trimmed
            .strip_prefix("[[")
            .and_then(|r| r.split_once("]]"))
            .map(|(n, _)| n.trim().to_owned())
        {
            let count = counts.entry(name.clone()).or_insert(0);
            table = Some((name.clone(), Some(*count)));
            found = Some(format!("{name}.{count}"));
            *count += 1;
        } else if let Some(name) = trimmed
            .strip_prefix('[')
            .and_then(|r| r.split_once(']'))
            .map(|(n, _)| n.trim().to_owned())
            .filter(|_| !text.starts_with(' ') && !text.starts_with('\t'))
        {
            table = Some((name.clone(), None));
            found = Some(name);
        } else if let Some((key, _)) = text.split_once('=') {
            let key = key.trim();
            let is_key = !key.is_empty()
                && !text.starts_with(' ')
                && !text.starts_with('\t')
                && key
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
            if is_key {
                found = Some(match &table {
                    None => key.to_owned(),
                    Some((name, None)) => format!("{name}.{key}"),
                    Some((name, Some(index))) => format!("{name}.{index}.{key}"),
                });
            }
        }
    }
    found
}

/// `content check`'s problems with `name`: those at a form field's line by field, the rest
/// (the body, a file-wide problem) as they are.
fn placed(
    problems: Vec<Problem>,
    name: &str,
    text: &str,
    fields: &[String],
) -> (HashMap<String, String>, Vec<Problem>) {
    let split = front_matter::split(std::path::Path::new(name), text).ok();
    let mut at: HashMap<String, String> = HashMap::new();
    let mut rest = Vec::new();
    for problem in problems {
        let field = match (&split, problem.line) {
            (Some(split), Some(line)) if problem.file == name => {
                let line = line as usize;
                let last = split.body_line.saturating_sub(2);
                (line >= split.front_matter_line && line <= last)
                    .then(|| field_at(split.front_matter, line + 1 - split.front_matter_line))
                    .flatten()
                    .and_then(|key| {
                        // A table's row points at its first field; a table at its first key.
                        fields
                            .iter()
                            .find(|f| **f == key || f.starts_with(&format!("{key}.")))
                            .cloned()
                    })
            }
            _ => None,
        };
        match field {
            Some(field) => {
                let entry = at.entry(field).or_default();
                if !entry.is_empty() {
                    entry.push(' ');
                }
                entry.push_str(&problem.message);
            }
            None => rest.push(problem),
        }
    }
    (at, rest)
}

/// The groups of fields for `text`, with typed values (a refused form's) over the file's,
/// and `problems` placed next to their fields; the problems placed nowhere.
pub fn form(
    kind: Kind,
    name: &str,
    text: &str,
    typed: &app::forms::FormState,
    problems: Vec<Problem>,
) -> std::result::Result<(Vec<DetailGroup>, Vec<Problem>), String> {
    let parsed = parse(kind, text, name)?;
    let root = parsed.doc.as_table();
    let mut out = Vec::new();
    let mut names = Vec::new();
    let make = |spec: &Spec, name: String, item: Option<&Item>| DetailField {
        value: typed
            .value(&name)
            .unwrap_or_else(|| shown(item, spec.input)),
        name,
        label: spec.label.to_owned(),
        input: spec.input.name().to_owned(),
        hint: spec.hint.to_owned(),
        options: match spec.input {
            Input::Select(options) | Input::Choices(options) => options
                .iter()
                .map(|(value, label)| ((*value).to_owned(), (*label).to_owned()))
                .collect(),
            _ => Vec::new(),
        },
        required: spec.required,
        error: None,
    };
    for group in groups(kind) {
        let (fields, rows) = match group.rows_of {
            None => (
                group
                    .fields
                    .iter()
                    .map(|spec| make(spec, spec.key.to_owned(), lookup(root, spec.key)))
                    .collect(),
                Vec::new(),
            ),
            Some(rows_key) => {
                let stored: Vec<&Table> = root
                    .get(rows_key)
                    .and_then(Item::as_array_of_tables)
                    .map(|a| a.iter().collect())
                    .unwrap_or_default();
                let kept = typed
                    .value(&format!("{rows_key}.rows"))
                    .and_then(|n| n.parse::<usize>().ok());
                let count = kept
                    .unwrap_or(stored.len() + BLANK_ROWS)
                    .max(stored.len())
                    .min(MAX_ROWS);
                let rows = (0..count)
                    .map(|index| {
                        group
                            .fields
                            .iter()
                            .map(|spec| {
                                make(
                                    spec,
                                    format!("{rows_key}.{index}.{}", spec.key),
                                    stored.get(index).and_then(|t| t.get(spec.key)),
                                )
                            })
                            .collect()
                    })
                    .collect();
                (Vec::new(), rows)
            }
        };
        let rows: Vec<Vec<DetailField>> = rows;
        names.extend(fields.iter().map(|f: &DetailField| f.name.clone()));
        names.extend(rows.iter().flatten().map(|f| f.name.clone()));
        out.push(DetailGroup {
            legend: group.legend.to_owned(),
            hint: group.hint.to_owned(),
            rows_of: group.rows_of.unwrap_or_default().to_owned(),
            columns: group.fields.iter().map(|s| s.label.to_owned()).collect(),
            fields,
            rows,
        });
    }
    let (mut at, rest) = placed(problems, name, text, &names);
    for group in &mut out {
        for field in group
            .fields
            .iter_mut()
            .chain(group.rows.iter_mut().flatten())
        {
            field.error = typed.error(&field.name).or_else(|| at.remove(&field.name));
        }
    }
    Ok((out, rest))
}

// ---------------------------------------------------------------------------------------
// The form's POST.

/// `POST /studio/details` (`kind`, `slug`, `version` of the main file, and the fields):
/// writes them into the draft's main file.
pub async fn save(
    State(state): State<AppState>,
    Educator(viewer): Educator,
    fields: Fields,
) -> Result<Response> {
    let Ok(axum::Form(fields)) = fields else {
        return Err(Error::bad_request(crate::forms::FORM_UNREADABLE));
    };
    let one = |name: &str| {
        fields
            .iter()
            .find(|(n, _)| n == name)
            .map_or("", |(_, v)| v.as_str())
    };
    let kind = Kind::parse(one("kind"))?;
    let slug = one("slug").to_owned();
    let mut conn = state.pool.acquire().await?;
    authorize(&mut conn, &viewer, kind, &slug).await?;
    drop(conn);
    let page = format!("{}/details", kind.studio_path(&slug));
    // What was typed comes back on a refusal, but for a value too long to keep.
    let kept: Vec<(String, String)> = fields
        .iter()
        .filter(|(n, v)| {
            !matches!(n.as_str(), "kind" | "slug" | "version")
                && !n.contains(':')
                && v.len() <= MAX_FIELD_BYTES
        })
        .map(|(n, v)| (n.clone(), v.replace('\0', "")))
        .filter(|(n, _)| !groups_have_choices(n))
        .chain(checkboxes(&fields))
        .collect();
    let back = |field: &str, message: String| {
        Error::invalid(
            Back::to("studio-details", page.clone())
                .values(kept.clone())
                .error(field, message),
        )
    };
    if let Some(name) = crate::forms::sent_twice(&fields) {
        return Err(back("form", crate::forms::sent_twice_message(name)));
    }
    if let Some(name) = crate::forms::with_nul(&fields) {
        return Err(back(name, crate::forms::NUL_MESSAGE.into()));
    }
    if let Some((name, _)) = fields.iter().find(|(_, v)| v.len() > MAX_FIELD_BYTES) {
        return Err(back(
            name,
            format!(
                "This field holds at most {} KB. Shorten it and save again.",
                MAX_FIELD_BYTES / 1024
            ),
        ));
    }
    let Ok(version) = one("version").trim().parse::<i64>() else {
        return Err(Error::bad_request(crate::forms::FORM_UNREADABLE));
    };
    let typed: Typed = fields
        .iter()
        .filter(|(n, _)| !n.contains(':'))
        .map(|(n, v)| (n.clone(), v.replace("\r\n", "\n")))
        .chain(checkboxes(&fields))
        .collect();
    let name = main_file(kind, &slug);

    let mut tx = crate::db::write_tx(&state.pool).await?;
    // Serialises on the activity's draft, as the text editor's saves do.
    crate::db::lock(&mut tx, On::Key(&super::drafts::key(kind, &slug))).await?;
    let Some(current) = working(&mut tx, kind, &slug).await? else {
        return Err(super::not_yours(&slug));
    };
    let Some(file) = current.files.iter().find(|f| f.name == name) else {
        return Err(back(
            "form",
            format!("The draft has no {name}: add it in the text editor."),
        ));
    };
    if file.version != version {
        return Err(back(
            "form",
            format!(
                "Not saved: {name} changed since you opened this form (someone saved it). Your values are below: check them against the file and save again."
            ),
        ));
    }
    let text = apply(kind, &name, &file.text, &typed).map_err(|message| back("form", message))?;
    if text.len() > super::MAX_FILE_BYTES {
        return Err(back(
            "form",
            format!(
                "{name} would be larger than {} KB. Shorten the longest fields.",
                super::MAX_FILE_BYTES / 1024
            ),
        ));
    }
    let draft = super::drafts::draft_id(&mut tx, kind, &slug, viewer.id).await?;
    if text != file.text {
        store::update_file(&mut tx, draft, &name, &text, viewer.id).await?;
        store::touch_draft(&mut tx, draft, viewer.id).await?;
    }
    tx.commit().await?;
    Ok(Back::to("studio-details", page)
        .notice(format!(
            "Saved in the draft's {name}. Problems content check finds are shown at their fields."
        ))
        .into_response())
}

/// Checkboxes of a list (`professions:nurse` = on) as one space-separated value, and a
/// list left with none ticked as empty.
fn checkboxes(fields: &[(String, String)]) -> Vec<(String, String)> {
    let mut lists: Vec<(String, String)> = Vec::new();
    for (name, _) in fields {
        if let Some((list, choice)) = name.split_once(':') {
            match lists.iter_mut().find(|(l, _)| l == list) {
                Some((_, chosen)) => {
                    chosen.push(' ');
                    chosen.push_str(choice);
                }
                None => lists.push((list.to_owned(), choice.to_owned())),
            }
        }
    }
    // A list with no box ticked sends only its marker field (`professions` = "").
    for (name, _) in fields {
        if groups_have_choices(name) && !lists.iter().any(|(l, _)| l == name) {
            lists.push((name.clone(), String::new()));
        }
    }
    lists
}

fn groups_have_choices(name: &str) -> bool {
    COURSE
        .iter()
        .chain(WEBINAR)
        .flat_map(|g| g.fields)
        .any(|s| s.key == name && matches!(s.input, Input::Choices(_)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_choice_lists_are_the_sites_enums() {
        assert!(lists_match_the_enums());
    }

    #[test]
    fn the_form_writes_its_keys_and_keeps_the_rest_of_the_file() {
        let text = "+++\n# Written by hand: keep me.\ntitle = \"Old\"\nsummary = \"S\"\nprofessions = [\"nurse\"]\nestimated_minutes = 30\nrelease_date = 2026-01-01\nexpiry_date = 2027-01-01\nfeatured = true\n\n[[credits]]\ntype = \"participation\"\nmax_hours = 1.0\n\n[recording]\nwebinar = \"w\"\nvideo_url = \"https://v.example/1\"\nminutes = 60\n+++\nThe body stays.\n";
        let typed: Typed = [
            ("title", "New \"quoted\" = title"),
            ("summary", "Line one\nline two"),
            ("professions", "nurse physician"),
            ("estimated_minutes", "45"),
            ("release_date", "2026-02-01"),
            ("expiry_date", "not a date"),
            ("objectives", "First\n\n  Second  \n"),
            ("credits.rows", "3"),
            ("credits.0.type", "participation"),
            ("credits.0.max_hours", "1.5"),
            ("credits.1.type", ""),
            ("credits.1.max_hours", ""),
            ("credits.2.type", "nursing-contact-hours"),
            ("credits.2.max_hours", "0.75"),
            ("statements.accreditation", "Accredited."),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        let out = apply(Kind::Course, "course.md", text, &typed).expect("applied");
        // Fields the form did not send are left as they were.
        let partial: Typed = [("title".to_owned(), "Only the title".to_owned())].into();
        let kept = apply(Kind::Course, "course.md", text, &partial).expect("applied");
        assert!(
            kept.contains("summary = \"S\"") && kept.contains("[[credits]]"),
            "{kept}"
        );
        assert!(
            kept.contains("featured = true") && kept.contains("title = \"Only the title\""),
            "{kept}"
        );
        assert!(
            out.contains("# Written by hand: keep me.\ntitle = "),
            "{out}"
        );
        assert!(out.contains(r#"title = 'New "quoted" = title'"#), "{out}");
        assert!(
            out.contains("featured = true"),
            "keys not on the form stay: {out}"
        );
        assert!(out.contains("[recording]"), "{out}");
        assert!(
            out.contains("expiry_date = \"not a date\""),
            "left for content check: {out}"
        );
        assert!(
            out.contains("objectives = [\n  \"First\",\n  \"Second\",\n]"),
            "{out}"
        );
        assert!(out.ends_with("+++\nThe body stays.\n"), "{out}");
        assert_eq!(out.matches("[[credits]]").count(), 2, "{out}");
        assert!(out.contains("max_hours = 0.75"), "{out}");
        assert!(
            out.contains("[statements]\naccreditation = \"Accredited.\""),
            "{out}"
        );
        assert!(
            !out.contains("test_out"),
            "an unticked box writes nothing: {out}"
        );
        // Read back by the content parser, the problem is at the expiry date's field.
        let split = front_matter::split(std::path::Path::new("course.md"), &out).expect("split");
        let line = out
            .lines()
            .position(|l| l.starts_with("expiry_date"))
            .expect("line")
            + 1;
        assert_eq!(
            field_at(split.front_matter, line + 1 - split.front_matter_line).as_deref(),
            Some("expiry_date")
        );
        let line = out
            .lines()
            .position(|l| l.contains("max_hours = 0.75"))
            .expect("line")
            + 1;
        assert_eq!(
            field_at(split.front_matter, line + 1 - split.front_matter_line).as_deref(),
            Some("credits.1.max_hours")
        );
    }

    #[test]
    fn front_matter_that_is_not_toml_is_refused_with_a_message() {
        let message = apply(
            Kind::Course,
            "course.md",
            "+++\ntitle = \"open\n+++\nBody\n",
            &Typed::new(),
        )
        .err()
        .unwrap_or_default();
        assert!(message.contains("not valid TOML"), "{message}");
        let text = "+++\ntitle = \"T\"\n+++\nBody\n";
        let typed: Typed = [("summary".to_owned(), "One\n+++\nTwo".to_owned())].into();
        let message = apply(Kind::Course, "course.md", text, &typed)
            .err()
            .unwrap_or_default();
        assert!(message.contains("end the front matter"), "{message}");
        for (text, says) in [
            (
                "+++\ntitle = \"T\"\ncredits = [{ type = \"participation\", max_hours = 1.0 }]\n+++\n",
                "credits is written inline",
            ),
            (
                "+++\ntitle = \"T\"\nstatements = { accreditation = \"A\" }\n+++\n",
                "statements is written inline",
            ),
        ] {
            let message = apply(Kind::Course, "course.md", text, &Typed::new())
                .err()
                .unwrap_or_default();
            assert!(
                message.contains(says) && message.contains("as text"),
                "{message}"
            );
        }
        let many = format!(
            "+++\ntitle = \"T\"\n{}+++\n",
            "[[faculty]]\nname = \"N\"\n".repeat(MAX_ROWS + 1)
        );
        let message = apply(Kind::Course, "course.md", &many, &Typed::new())
            .err()
            .unwrap_or_default();
        assert!(message.contains("more than 50 rows"), "{message}");
    }
}
