//! The webinar file: `content/webinars/<slug>.md`, TOML front matter and a markdown
//! description, parsed into a typed [`Webinar`] with every problem collected and named by
//! file and line, each saying what to write instead. Session times are written as local
//! date-times with an IANA zone name and turned into UTC instants here, once; a local time
//! that does not exist (skipped by a daylight-saving change) or happens twice is refused.
//! A webinar may have a post-test next to it, `<slug>.post-test.quiz.md`, in the course
//! quiz format; it is part of the webinar's revision.

use crate::content::activity::{self, CreditMeta, PersonMeta, StatementsMeta};
use crate::content::front_matter::{self};
use crate::content::kit::{Problems, hash_files, is_slug};
use crate::content::{ContentError, SourceFile, markdown};
use app::accounts::Profession;
use app::catalog::{CreditType, Hours};
use chrono::TimeZone as _;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// Names under `/webinars/` that the site's own forms and pages use: no webinar may take one.
const RESERVED: &[&str] = &[
    "register",
    "cancel",
    "post-test",
    "attendance",
    "registrations",
];

/// Whether `slug` is a name the site's own webinar forms and pages use (no course path has
/// such names: `http.rs` tests both).
pub fn is_reserved(slug: &str) -> bool {
    RESERVED.contains(&slug)
}

/// How a webinar's post-test file is named, after the webinar's slug.
pub const POST_TEST_SUFFIX: &str = ".post-test.quiz.md";

/// A webinar's post-test as written and as validated.
#[derive(Debug, Clone)]
pub struct PostTest {
    pub source: String,
    pub quiz: crate::content::quiz::Quiz,
}

/// A webinar file: `*.md` that is not a quiz.
fn is_webinar_file(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "md")
        && !path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().ends_with(".quiz.md"))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WebinarMeta {
    title: String,
    summary: String,
    professions: Vec<Profession>,
    capacity: i64,
    registration_opens: toml::value::Datetime,
    registration_closes: toml::value::Datetime,
    service: Service,
    join_url: String,
    #[serde(default)]
    objectives: Vec<String>,
    #[serde(default)]
    organizers: Vec<String>,
    #[serde(default)]
    presenters: Vec<PersonMeta>,
    #[serde(default)]
    planners: Vec<PersonMeta>,
    statements: Option<StatementsMeta>,
    #[serde(default)]
    credits: Vec<CreditMeta>,
    attendance: Option<AttendanceMeta>,
    #[serde(default)]
    sessions: Vec<SessionMeta>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AttendanceMeta {
    min_minutes: Option<i64>,
    min_percent: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SessionMeta {
    start: toml::value::Datetime,
    zone: String,
    minutes: i64,
}

/// The conferencing service a webinar is held on (the video stays there).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Service {
    Zoom,
    Teams,
    Bigbluebutton,
    Jitsi,
    Webex,
    Other,
}

impl Service {
    pub fn label(self) -> &'static str {
        match self {
            Self::Zoom => "Zoom",
            Self::Teams => "Microsoft Teams",
            Self::Bigbluebutton => "BigBlueButton",
            Self::Jitsi => "Jitsi Meet",
            Self::Webex => "Webex",
            Self::Other => "the conferencing service",
        }
    }
}

/// Who earns attendance credit for a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum AttendanceRule {
    /// At least this many minutes of the session.
    MinMinutes(u32),
    /// At least this share of the session, in percent.
    MinPercent(u32),
}

pub use crate::content::activity::Person;

/// One live session: when it starts (as written and as a UTC instant) and how long it is.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Session {
    /// 1-based, in the order written.
    pub number: u32,
    /// As written: `2031-03-04T09:00:00`.
    pub local_start: String,
    /// The IANA zone it was written in.
    pub zone: String,
    /// Unix seconds, UTC.
    pub starts_at: i64,
    pub minutes: u32,
}

impl Session {
    pub fn ends_at(&self) -> i64 {
        self.starts_at + i64::from(self.minutes) * 60
    }
}

/// A webinar file that passed every check.
#[derive(Debug, Clone)]
pub struct Webinar {
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub professions: Vec<Profession>,
    pub capacity: u32,
    /// Unix seconds, UTC.
    pub registration_opens: i64,
    pub registration_closes: i64,
    pub service: Service,
    /// Kept server-side: shown only to registered learners inside the join window.
    pub join_url: String,
    pub objectives: Vec<String>,
    /// Emails of the educators who organize it (they see its registrations).
    pub organizers: Vec<String>,
    pub presenters: Vec<Person>,
    pub planners: Vec<Person>,
    pub accreditation_statement: String,
    pub designation_statement: String,
    pub credits: Vec<(CreditType, Hours)>,
    pub attendance: AttendanceRule,
    pub sessions: Vec<Session>,
    pub description_html: String,
    /// The file as written.
    pub source: String,
    /// Passed before credit is claimed, when there is one.
    pub post_test: Option<PostTest>,
    /// Of the webinar file and its post-test's.
    pub content_hash: String,
}

impl Webinar {
    /// The webinar's files as written, by name: what its revision keeps and the studio edits.
    pub fn files(&self) -> Vec<SourceFile> {
        let mut files = vec![SourceFile {
            name: format!("{}.md", self.slug),
            text: self.source.clone(),
        }];
        if let Some(post_test) = &self.post_test {
            files.push(SourceFile {
                name: format!("{}{POST_TEST_SUFFIX}", self.slug),
                text: post_test.source.clone(),
            });
        }
        files
    }
}

/// The attendance rule of a stored revision's file (which passed every check when it was
/// imported): only its `[attendance]` table is read.
pub fn attendance_rule(source: &str) -> Option<AttendanceRule> {
    #[derive(Deserialize)]
    struct Only {
        attendance: Option<AttendanceMeta>,
    }
    let split = front_matter::split(Path::new("webinar.md"), source).ok()?;
    let only: Only = toml::from_str(split.front_matter).ok()?;
    match only.attendance? {
        AttendanceMeta {
            min_minutes: Some(m),
            min_percent: None,
        } => u32::try_from(m).ok().map(AttendanceRule::MinMinutes),
        AttendanceMeta {
            min_minutes: None,
            min_percent: Some(p),
        } => u32::try_from(p).ok().map(AttendanceRule::MinPercent),
        _ => None,
    }
}

/// A local date-time as chrono's, or why the value is not one.
fn local_datetime(value: &toml::value::Datetime) -> Result<chrono::NaiveDateTime, &'static str> {
    let (Some(date), Some(time)) = (value.date, value.time) else {
        return Err("write a date and a time, as in 2031-03-04T09:00:00");
    };
    if value.offset.is_some() {
        return Err(
            "write the local time without an offset (as in 2031-03-04T09:00:00) and name the zone with zone = \"…\"",
        );
    }
    chrono::NaiveDate::from_ymd_opt(
        i32::from(date.year),
        u32::from(date.month),
        u32::from(date.day),
    )
    .and_then(|d| {
        d.and_hms_opt(
            u32::from(time.hour),
            u32::from(time.minute),
            u32::from(time.second),
        )
    })
    .ok_or("this is not a date and time that exists")
}

/// The instant of `local` in `zone`, or what to write instead.
fn in_zone(local: chrono::NaiveDateTime, zone: chrono_tz::Tz) -> Result<i64, String> {
    match zone.from_local_datetime(&local) {
        chrono::LocalResult::Single(at) => Ok(at.timestamp()),
        chrono::LocalResult::Ambiguous(first, second) => Err(format!(
            "{local} happens twice in {zone} (the clocks go back that night: {} and {}); choose a time outside the repeated hour",
            first.format("%H:%M %Z"),
            second.format("%H:%M %Z")
        )),
        chrono::LocalResult::None => Err(format!(
            "{local} does not exist in {zone} (the clocks skip that hour for daylight saving); choose another time"
        )),
    }
}

/// An instant written either with an offset (`2031-03-01T00:00:00Z`) or as a local time in
/// `zone` (the first session's).
fn instant(value: &toml::value::Datetime, zone: Option<chrono_tz::Tz>) -> Result<i64, String> {
    if value.offset.is_some() {
        let text = value.to_string();
        return time::OffsetDateTime::parse(&text, &time::format_description::well_known::Rfc3339)
            .map(time::OffsetDateTime::unix_timestamp)
            .map_err(|_| format!("{text} is not an instant: write it as 2031-03-01T00:00:00Z"));
    }
    let local = local_datetime(value).map_err(str::to_owned)?;
    let zone = zone.ok_or_else(|| {
        "a local time needs a zone: write it with an offset (2031-03-01T00:00:00Z), or add a session with its zone".to_owned()
    })?;
    in_zone(local, zone)
}

fn https_url(text: &str) -> Result<(), String> {
    let parsed = url::Url::parse(text.trim()).map_err(|_| {
        format!(
            "\"{text}\" is not a web address: write the full https:// link the service gave you"
        )
    })?;
    if parsed.scheme() != "https" {
        return Err(format!(
            "\"{text}\" is not https: write the service's https:// link (learners' browsers and the service need it encrypted)"
        ));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(format!(
            "\"{text}\" names no host: write the full https:// link"
        ));
    }
    Ok(())
}

/// Validates a webinar's files as held in memory (a studio draft): `<slug>.md` and, when it
/// has one, `<slug>.post-test.quiz.md`, named as in `dir` (the `webinars` folder).
pub fn check_webinar(
    dir: &Path,
    slug: &str,
    files: &[SourceFile],
) -> Result<Webinar, Vec<ContentError>> {
    let main = format!("{slug}.md");
    let quiz_name = format!("{slug}{POST_TEST_SUFFIX}");
    let strays: Vec<ContentError> = files
        .iter()
        .filter(|f| f.name != main && f.name != quiz_name)
        .map(|f| {
            ContentError::new(
                &dir.join(&f.name),
                None,
                format!("a webinar is {main} and, if it has one, {quiz_name}: this file belongs to neither"),
            )
        })
        .collect();
    if !strays.is_empty() {
        return Err(strays);
    }
    let Some(text) = files.iter().find(|f| f.name == main) else {
        return Err(vec![ContentError::new(
            &dir.join(&main),
            None,
            "the webinar's file is missing",
        )]);
    };
    let quiz = files
        .iter()
        .find(|f| f.name == quiz_name)
        .map(|f| (dir.join(&f.name), f.text.clone()));
    with_post_test(parse_webinar(&dir.join(&main), slug, &text.text), quiz)
}

/// Reads and validates one webinar file; every problem, not just the first.
pub fn load_webinar(path: &Path) -> Result<Webinar, Vec<ContentError>> {
    let slug = path
        .file_stem()
        .map(|stem| stem.to_string_lossy().into_owned())
        .unwrap_or_default();
    let text = std::fs::read_to_string(path).map_err(|error| {
        vec![ContentError::new(
            path,
            None,
            format!("cannot read the file: {error}"),
        )]
    })?;
    let quiz_path = path.with_file_name(format!("{slug}{POST_TEST_SUFFIX}"));
    let quiz = match std::fs::read_to_string(&quiz_path) {
        Ok(quiz) => Some((quiz_path, quiz)),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => None,
        Err(error) => {
            return Err(vec![ContentError::new(
                &quiz_path,
                None,
                format!("cannot read the file: {error}"),
            )]);
        }
    };
    with_post_test(parse_webinar(path, &slug, &text), quiz)
}

/// The webinar with its post-test (`quiz`: its path and text), which must be a valid
/// post-test; the errors of both when either has any.
pub fn with_post_test(
    webinar: Result<Webinar, Vec<ContentError>>,
    quiz: Option<(PathBuf, String)>,
) -> Result<Webinar, Vec<ContentError>> {
    let Some((path, text)) = quiz else {
        return webinar;
    };
    let post_test = match crate::content::quiz::parse(&path, &text) {
        Ok(quiz) if quiz.kind != crate::content::quiz::QuizKind::Post => {
            Err(vec![ContentError::new(
                &path,
                Some(2),
                "a webinar's quiz is its post-test: write kind = \"post\"",
            )])
        }
        Ok(quiz) => Ok(PostTest {
            source: text.clone(),
            quiz,
        }),
        Err(errors) => Err(errors),
    };
    match (webinar, post_test) {
        (Ok(mut webinar), Ok(post_test)) => {
            let name = |p: &Path| {
                p.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default()
            };
            webinar.content_hash = hash_files(&[
                SourceFile {
                    name: format!("{}.md", webinar.slug),
                    text: webinar.source.clone(),
                },
                SourceFile {
                    name: name(&path),
                    text,
                },
            ]);
            webinar.post_test = Some(post_test);
            Ok(webinar)
        }
        (Err(mut errors), Err(mut more)) => {
            errors.append(&mut more);
            Err(errors)
        }
        (Err(errors), Ok(_)) | (Ok(_), Err(errors)) => Err(errors),
    }
}

pub fn parse_webinar(path: &Path, slug: &str, text: &str) -> Result<Webinar, Vec<ContentError>> {
    let mut errors = Vec::new();
    if RESERVED.contains(&slug) {
        errors.push(ContentError::new(
            path,
            None,
            format!("\"{slug}\" is the name of a page of the site (/webinars/{slug}): give the webinar file another name"),
        ));
    }
    if !is_slug(slug) {
        errors.push(ContentError::new(
            path,
            None,
            "a webinar file name must be lowercase letters, digits and single hyphens, ending .md (it becomes the URL)",
        ));
    }
    let split = front_matter::split(path, text).map_err(|e| vec![e])?;
    let meta: WebinarMeta = match front_matter::parse(path, &split) {
        Ok(meta) => meta,
        Err(error) => {
            errors.push(error);
            return Err(errors);
        }
    };
    let mut problems = Problems::new(path, &split);
    problems.errors = errors;
    activity::check_title_and_summary(&mut problems, &meta.title, &meta.summary);
    activity::check_professions(&mut problems, &meta.professions, "webinar");
    let capacity = match u32::try_from(meta.capacity) {
        Ok(seats @ 1..=100_000) => seats,
        _ => {
            problems.at_key(
                "capacity",
                format!(
                    "capacity = {} is not a number of seats: write at least 1 (at most 100000)",
                    meta.capacity
                ),
            );
            1
        }
    };
    if let Err(message) = https_url(&meta.join_url) {
        problems.at_key("join_url", message);
    }
    let objectives = activity::check_objectives(&mut problems, &meta.objectives);
    for (index, email) in meta.organizers.iter().enumerate() {
        if crate::accounts::validate::email(email).is_err() {
            problems.at_key(
                "organizers",
                format!("organizer {} (\"{email}\") is not an email address: write the educator's sign-in email", index + 1),
            );
        }
    }
    let presenters = activity::check_people(
        &mut problems,
        "presenters",
        &meta.presenters,
        Some("presenter"),
    );
    let planners = activity::check_people(&mut problems, "planners", &meta.planners, None);
    let (accreditation_statement, designation_statement) =
        activity::check_statements(&mut problems, meta.statements.as_ref());
    let credits: Vec<(CreditType, Hours)> = activity::check_credits(&mut problems, &meta.credits)
        .into_iter()
        .map(|credit| (credit.kind, credit.max_hours))
        .collect();

    // Sessions: each in its zone, turned into UTC once.
    let mut sessions = Vec::new();
    let mut first_zone = None;
    if meta.sessions.is_empty() {
        problems.at_key(
            "sessions",
            "missing sessions: add a [[sessions]] table with start, zone and minutes".into(),
        );
    }
    for (index, session) in meta.sessions.iter().enumerate() {
        let zone = match session.zone.trim().parse::<chrono_tz::Tz>() {
            Ok(zone) => Some(zone),
            Err(_) => {
                problems.at_table("sessions", index, "zone", format!(
                    "zone = \"{}\" is not an IANA time zone name: write one like America/Chicago, Europe/Berlin or Asia/Kolkata",
                    session.zone
                ));
                None
            }
        };
        first_zone = first_zone.or(zone);
        let minutes = match u32::try_from(session.minutes) {
            Ok(m @ 1..=1440) => Some(m),
            _ => {
                problems.at_table(
                    "sessions",
                    index,
                    "minutes",
                    format!(
                        "minutes = {}: {}; write its length in minutes, from 1 to 1440",
                        session.minutes,
                        if session.minutes <= 0 {
                            "the session would end before it starts"
                        } else {
                            "a session lasts at most a day"
                        }
                    ),
                );
                None
            }
        };
        let local = match local_datetime(&session.start) {
            Ok(local) => Some(local),
            Err(message) => {
                problems.at_table(
                    "sessions",
                    index,
                    "start",
                    format!("start = {}: {message}", session.start),
                );
                None
            }
        };
        if let (Some(zone), Some(local), Some(minutes)) = (zone, local, minutes) {
            match in_zone(local, zone) {
                Ok(starts_at) => sessions.push(Session {
                    number: u32::try_from(index + 1).unwrap_or(u32::MAX),
                    local_start: local.format("%Y-%m-%dT%H:%M:%S").to_string(),
                    zone: zone.name().to_owned(),
                    starts_at,
                    minutes,
                }),
                Err(message) => problems.at_table("sessions", index, "start", message),
            }
        }
    }
    for pair in sessions.windows(2) {
        if pair[1].starts_at < pair[0].ends_at() {
            problems.at_table("sessions", usize::try_from(pair[1].number).unwrap_or(1) - 1, "start", format!(
                "session {} starts before session {} ends: list sessions in order, one after the other",
                pair[1].number, pair[0].number
            ));
        }
    }

    let opens = instant(&meta.registration_opens, first_zone);
    let closes = instant(&meta.registration_closes, first_zone);
    let (registration_opens, registration_closes) = match (opens, closes) {
        (Ok(opens), Ok(closes)) => {
            if closes <= opens {
                problems.at_key("registration_closes", format!(
                    "registration_closes ({}) is not after registration_opens ({}): registration must close after it opens",
                    meta.registration_closes, meta.registration_opens
                ));
            }
            if let Some(last) = sessions.last()
                && closes > last.ends_at()
            {
                problems.at_key(
                    "registration_closes",
                    "registration_closes is after the last session ends: close it before then"
                        .into(),
                );
            }
            (opens, closes)
        }
        (opens, closes) => {
            if let Err(message) = opens {
                problems.at_key(
                    "registration_opens",
                    format!("registration_opens: {message}"),
                );
            }
            if let Err(message) = closes {
                problems.at_key(
                    "registration_closes",
                    format!("registration_closes: {message}"),
                );
            }
            (0, 0)
        }
    };

    let shortest = sessions.iter().map(|s| s.minutes).min().unwrap_or(0);
    let attendance = match &meta.attendance {
        Some(AttendanceMeta {
            min_minutes: Some(m),
            min_percent: None,
        }) => match u32::try_from(*m) {
            Ok(m) if m >= 1 && (shortest == 0 || m <= shortest) => AttendanceRule::MinMinutes(m),
            _ => {
                problems.at_key("min_minutes", format!(
                    "min_minutes = {m}: write how many minutes of a session earn credit, from 1 to the session's length ({shortest})"
                ));
                AttendanceRule::MinMinutes(1)
            }
        },
        Some(AttendanceMeta {
            min_minutes: None,
            min_percent: Some(p),
        }) => match u32::try_from(*p) {
            Ok(p @ 1..=100) => AttendanceRule::MinPercent(p),
            _ => {
                problems.at_key(
                    "min_percent",
                    format!("min_percent = {p}: write a share of the session from 1 to 100"),
                );
                AttendanceRule::MinPercent(100)
            }
        },
        _ => {
            problems.at_key("attendance", "write the attendance rule as [attendance] with either min_minutes = 45 or min_percent = 80 (not both)".into());
            AttendanceRule::MinPercent(100)
        }
    };

    problems.errors.extend(crate::content::image_problems(
        path,
        split.body_line - 1,
        split.body,
    ));
    let rendered = markdown::render(split.body, false, &|_| None);
    let description_html = markdown::sanitize(&rendered.html, std::collections::HashSet::new());
    if !problems.errors.is_empty() {
        return Err(problems.errors);
    }
    let content_hash = hash_files(&[SourceFile {
        name: format!("{slug}.md"),
        text: text.to_owned(),
    }]);
    Ok(Webinar {
        slug: slug.to_owned(),
        title: meta.title.trim().to_owned(),
        summary: meta.summary.trim().to_owned(),
        professions: meta.professions,
        capacity,
        registration_opens,
        registration_closes,
        service: meta.service,
        join_url: meta.join_url.trim().to_owned(),
        objectives,
        organizers: meta
            .organizers
            .iter()
            .filter_map(|e| crate::accounts::validate::email(e).ok())
            .collect(),
        presenters,
        planners,
        accreditation_statement,
        designation_statement,
        credits,
        attendance,
        sessions,
        description_html,
        source: text.to_owned(),
        post_test: None,
        content_hash,
    })
}

/// The slug of every webinar file present, valid or not: a file with errors keeps its last
/// good revision published rather than disappearing.
pub fn present(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir.join("webinars"))
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|entry| entry.path())
                .filter(|path| is_webinar_file(path))
                .filter_map(|path| path.file_stem().map(|s| s.to_string_lossy().into_owned()))
                .collect()
        })
        .unwrap_or_default()
}

/// Every webinar under `dir/webinars/` (a missing folder is no webinars), and every problem.
pub fn load_dir(dir: &Path) -> (Vec<Webinar>, Vec<ContentError>) {
    let folder = dir.join("webinars");
    let Ok(entries) = std::fs::read_dir(&folder) else {
        return (Vec::new(), Vec::new());
    };
    let mut paths: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .collect();
    paths.sort();
    let (mut webinars, mut errors) = (Vec::new(), Vec::new());
    // A quiz belongs to the webinar it is named after, which must be there.
    for quiz in paths.iter().filter(|path| {
        path.file_name()
            .is_some_and(|n| n.to_string_lossy().ends_with(".quiz.md"))
    }) {
        let name = quiz
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        match name.strip_suffix(POST_TEST_SUFFIX) {
            Some(slug) if paths.iter().any(|p| *p == folder.join(format!("{slug}.md"))) => {}
            Some(slug) => errors.push(ContentError::new(
                quiz,
                None,
                format!("there is no webinar {slug}.md for this post-test: name it after the webinar it belongs to"),
            )),
            None => errors.push(ContentError::new(
                quiz,
                None,
                "a webinar's quiz is its post-test, named <webinar>.post-test.quiz.md next to <webinar>.md",
            )),
        }
    }
    let files: Vec<_> = paths.iter().filter(|path| is_webinar_file(path)).collect();
    for file in files {
        match load_webinar(file) {
            Ok(webinar) => webinars.push(webinar),
            Err(mut problems) => errors.append(&mut problems),
        }
    }
    (webinars, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    pub const VALID: &str = r#"+++
title = "Tele-dermatology case conference"
summary = "Store-and-forward cases from rural clinics."
professions = ["physician", "nurse"]
capacity = 30
registration_opens = 2040-01-01T00:00:00Z
registration_closes = 2040-03-04T08:45:00
service = "zoom"
join_url = "https://zoom.example.org/j/123"
objectives = ["Choose photographs a dermatologist can read."]
organizers = ["Edu@Clinic.org"]

[[presenters]]
name = "Dr Ines Moreau"
role = "Dermatologist"
disclosure = "none"

[statements]
accreditation = "Accredited."
designation = "Designated."

[[credits]]
type = "ama-pra-category-1"
max_hours = 1.0

[attendance]
min_minutes = 45

[[sessions]]
start = 2040-03-04T09:00:00
zone = "America/Chicago"
minutes = 60
+++
Cases from the field.
"#;

    fn parse(text: &str) -> Result<Webinar, Vec<ContentError>> {
        parse_webinar(
            Path::new("webinars/case-conference.md"),
            "case-conference",
            text,
        )
    }

    fn problems(text: &str) -> Vec<String> {
        parse(text)
            .expect_err("refused")
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn a_valid_webinar_is_in_utc_with_its_zone() {
        let webinar = parse(VALID).expect("valid");
        let session = &webinar.sessions[0];
        // 09:00 in Chicago on 4 March 2040 (standard time, UTC-6) is 15:00 UTC.
        assert_eq!(
            session.starts_at,
            time::macros::datetime!(2040-03-04 15:00 UTC).unix_timestamp()
        );
        assert_eq!(session.zone, "America/Chicago");
        assert_eq!(
            webinar.registration_closes,
            time::macros::datetime!(2040-03-04 14:45 UTC).unix_timestamp()
        );
        assert_eq!(webinar.organizers, vec!["edu@clinic.org".to_owned()]);
        assert_eq!(webinar.attendance, AttendanceRule::MinMinutes(45));
        assert!(webinar.description_html.contains("Cases from the field."));
    }

    #[test]
    fn each_bad_value_is_named_with_its_line_and_what_to_write() {
        for (from, to, line, says) in [
            (
                "zone = \"America/Chicago\"",
                "zone = \"America/Chicgo\"",
                31,
                "America/Chicago, Europe/Berlin",
            ),
            ("minutes = 60", "minutes = -30", 32, "end before it starts"),
            ("capacity = 30", "capacity = 0", 5, "at least 1"),
            (
                "registration_opens = 2040-01-01T00:00:00Z",
                "registration_opens = 2040-03-05T00:00:00Z",
                7,
                "must close after it opens",
            ),
            (
                "join_url = \"https://zoom.example.org/j/123\"",
                "join_url = \"http://zoom.example.org/j/123\"",
                9,
                "is not https",
            ),
            (
                "start = 2040-03-04T09:00:00",
                "start = 2040-03-11T02:30:00",
                30,
                "does not exist in America/Chicago",
            ),
            (
                "start = 2040-03-04T09:00:00",
                "start = 2040-11-04T01:30:00",
                30,
                "happens twice",
            ),
            ("max_hours = 1.0", "max_hours = 1.1", 24, "0.25 steps"),
            (
                "min_minutes = 45",
                "min_minutes = 90",
                27,
                "from 1 to the session's length",
            ),
        ] {
            let text = VALID.replace(from, to);
            assert_ne!(text, VALID, "{from}");
            let found = problems(&text);
            assert!(
                found.iter().any(|p| p
                    .starts_with(&format!("webinars/case-conference.md:{line}:"))
                    && p.contains(says)),
                "{to}: expected line {line} saying {says:?}, got {found:?}"
            );
        }
    }

    #[test]
    fn a_half_hour_zone_and_both_sides_of_a_change() {
        let kolkata = VALID.replace("America/Chicago", "Asia/Kolkata");
        let webinar = parse(&kolkata).expect("valid");
        assert_eq!(
            webinar.sessions[0].starts_at,
            time::macros::datetime!(2040-03-04 03:30 UTC).unix_timestamp()
        );
        // Berlin: UTC+1 in winter, UTC+2 in summer.
        for (start, utc) in [
            (
                "2040-03-24T18:00:00",
                time::macros::datetime!(2040-03-24 17:00 UTC),
            ),
            (
                "2040-03-26T18:00:00",
                time::macros::datetime!(2040-03-26 16:00 UTC),
            ),
        ] {
            let text = VALID
                .replace("America/Chicago", "Europe/Berlin")
                .replace("2040-03-04T09:00:00", start)
                .replace(
                    "registration_closes = 2040-03-04T08:45:00",
                    "registration_closes = 2040-03-01T00:00:00Z",
                );
            let webinar = parse(&text).expect(start);
            assert_eq!(
                webinar.sessions[0].starts_at,
                utc.unix_timestamp(),
                "{start}"
            );
        }
    }

    #[test]
    fn unknown_keys_and_missing_rules_are_refused() {
        let found = problems(&VALID.replace("capacity = 30", "capacity = 30\nseats = 30"));
        assert!(found.iter().any(|p| p.contains("seats")), "{found:?}");
        let found = problems(&VALID.replace("[attendance]\nmin_minutes = 45\n", ""));
        assert!(
            found
                .iter()
                .any(|p| p.contains("min_minutes = 45 or min_percent = 80")),
            "{found:?}"
        );
    }

    #[test]
    fn a_post_test_sits_next_to_its_webinar_and_joins_its_revision() {
        let dir = tempfile::tempdir().expect("dir");
        let folder = dir.path().join("webinars");
        std::fs::create_dir_all(&folder).expect("folder");
        std::fs::write(folder.join("case-conference.md"), VALID).expect("webinar");
        let (plain, errors) = load_dir(dir.path());
        assert!(errors.is_empty(), "{errors:?}");
        let quiz = "+++\nkind = \"post\"\npass_mark = 80\nmax_attempts = 2\n+++\n## Q\n\n- [x] A\n- [ ] B\n";
        std::fs::write(folder.join("case-conference.post-test.quiz.md"), quiz).expect("quiz");
        let (with_quiz, errors) = load_dir(dir.path());
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(with_quiz.len(), 1, "the quiz is not a webinar of its own");
        assert_eq!(present(dir.path()), vec!["case-conference".to_owned()]);
        let post = with_quiz[0].post_test.as_ref().expect("post-test");
        assert_eq!((post.quiz.pass_mark, post.quiz.max_attempts), (80, 2));
        assert_ne!(
            plain[0].content_hash, with_quiz[0].content_hash,
            "a new revision"
        );
        // A pre-test, an orphan and a misnamed quiz are each named.
        std::fs::write(
            folder.join("case-conference.post-test.quiz.md"),
            quiz.replace("\"post\"", "\"pre\""),
        )
        .expect("quiz");
        std::fs::write(folder.join("gone.post-test.quiz.md"), quiz).expect("orphan");
        std::fs::write(folder.join("case-conference.quiz.md"), quiz).expect("misnamed");
        let (_, errors) = load_dir(dir.path());
        let errors: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert!(
            errors.iter().any(|e| e.contains(
                "case-conference.post-test.quiz.md:2: a webinar's quiz is its post-test"
            )),
            "{errors:?}"
        );
        assert!(
            errors
                .iter()
                .any(|e| e.contains("there is no webinar gone.md for this post-test")),
            "{errors:?}"
        );
        assert!(
            errors
                .iter()
                .any(|e| e
                    .contains("case-conference.quiz.md: a webinar's quiz is its post-test, named")),
            "{errors:?}"
        );
    }

    #[test]
    fn a_webinar_cannot_take_the_name_of_one_of_the_sites_forms() {
        for slug in ["register", "post-test", "attendance"] {
            let found = parse_webinar(Path::new("webinars/x.md"), slug, VALID)
                .expect_err("refused")
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>();
            assert!(
                found
                    .iter()
                    .any(|e| e.contains("is the name of a page of the site")),
                "{found:?}"
            );
        }
    }
}
