//! Reading a conferencing service's participant report, whatever the service: the encoding
//! (UTF-8, with or without a byte-order mark, or UTF-16 as Teams writes it), the delimiter
//! (comma, tab or semicolon) and the header row (found by its shape: a row naming a join
//! and a leave column, and an email or a name column, wherever it is) all come from the file
//! itself. Zoom's participant CSV, Teams' attendance report, BigBlueButton's learning
//! dashboard and a plain `email,join,leave` file are recognised by name; any other table
//! with those columns is read the same way. Times without a zone are read in the zone the
//! organizer chose; nothing here touches the database.

use chrono::{DateTime, NaiveDateTime, TimeZone as _};
use chrono_tz::Tz;
use std::borrow::Cow;

/// The largest report accepted (a 3,000-person Teams file is about 1 MB).
pub const MAX_BYTES: usize = 8 * 1024 * 1024;
/// The most rows one report may carry.
pub const MAX_ROWS: usize = 20_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Zoom,
    Teams,
    BigBlueButton,
    Plain,
    /// Another table with join, leave and email (or name) columns.
    Table,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Self::Zoom => "Zoom participant report",
            Self::Teams => "Microsoft Teams attendance report",
            Self::BigBlueButton => "BigBlueButton learning dashboard",
            Self::Plain => "CSV with email, join and leave",
            Self::Table => "table with join and leave columns",
        }
    }
}

/// One row of the report, as read: its interval, or why it has none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The file's line (1-based), as an editor shows it.
    pub line: u32,
    pub name: String,
    /// Lowercase and trimmed; empty when the file has none for this row.
    pub email: String,
    /// `(join, leave)` in unix seconds, UTC.
    pub interval: Result<(i64, i64), String>,
    /// What was done to the times, for the preview (BigBlueButton's duration cap).
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub format: Format,
    pub rows: Vec<Row>,
}

/// Reads `bytes` with times in `zone`; an `Err` is a problem with the file as a whole.
///
/// The whole decoded text goes through one CSV reader, so a quoted cell keeps its line
/// breaks (a display name written on two lines is one cell of one row, and the rows after
/// it keep their own lines). The header is found among the records; the delimiter is the
/// one that makes a header of some record (tab first, as Teams' times hold commas, then
/// semicolon, then comma).
pub fn read(bytes: &[u8], zone: Tz) -> Result<Report, String> {
    if bytes.len() > MAX_BYTES {
        return Err(format!(
            "the file is {} KB; a report may be at most {} KB",
            bytes.len() / 1024,
            MAX_BYTES / 1024
        ));
    }
    let text = decode(bytes)?;
    if let Some(at) = text.find('\0') {
        return Err(format!(
            "line {} holds a NUL character: this is not a text report (export it from the service again)",
            text[..at].matches('\n').count() + 1
        ));
    }
    let found = [b'\t', b';', b','].into_iter().find_map(|delimiter| {
        find_header(&text, delimiter)
            .map(|(header, columns, sections)| (delimiter, header, columns, sections))
    });
    let Some((delimiter, header, columns, sections)) = found else {
        return Err(
            "no header row naming join and leave times was found: the report needs columns such as \
             \"Join Time\" and \"Leave Time\" (Zoom, Teams), \"Join\" and \"Left\" (BigBlueButton) or \
             \"email,join,leave\", with an email or a name column"
                .to_owned(),
        );
    };
    let format = detect(sections, &header.cells, &columns);
    let mut rows = Vec::new();
    let mut records = Records::new(&text, delimiter);
    records.skip_to(header.index);
    let mut blank_before = header.blank_follows;
    for record in records {
        // The table ends at a blank line (which the reader skips) or at the next numbered
        // section (Teams).
        if blank_before
            || record.cells.iter().all(|c| c.is_empty())
            || is_section_title(&record.cells)
        {
            break;
        }
        blank_before = record.blank_follows;
        if rows.len() >= MAX_ROWS {
            return Err(format!(
                "the report has more than {MAX_ROWS} rows: split it and import each part"
            ));
        }
        rows.push(read_row(record.line, &record.cells, &columns, format, zone));
    }
    Ok(Report { format, rows })
}

/// One record of the file: the line it starts on (1-based), its cells (trimmed), and
/// whether a blank line follows it.
#[derive(Debug, Clone, Default)]
struct Record {
    index: usize,
    line: u32,
    blank_follows: bool,
    cells: Vec<String>,
}

/// The records of `text` read with `delimiter` by one CSV reader: quoted cells keep their
/// delimiters and line breaks; rows may have any number of cells.
struct Records<'a> {
    text: &'a str,
    reader: csv::Reader<&'a [u8]>,
    record: csv::StringRecord,
    index: usize,
}

impl<'a> Records<'a> {
    fn new(text: &'a str, delimiter: u8) -> Self {
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .delimiter(delimiter)
            .flexible(true)
            .from_reader(text.as_bytes());
        Self {
            text,
            reader,
            record: csv::StringRecord::new(),
            index: 0,
        }
    }

    /// Reads on past record `index` (the next one returned is `index + 1`).
    fn skip_to(&mut self, index: usize) {
        while self.index <= index && self.next().is_some() {}
    }
}

impl Iterator for Records<'_> {
    type Item = Record;

    fn next(&mut self) -> Option<Record> {
        // The text is valid UTF-8 and the reader is flexible: it cannot fail on a record.
        if !self.reader.read_record(&mut self.record).ok()? {
            return None;
        }
        let line = self.record.position().map_or(0, csv::Position::line);
        // The reader stops after the first byte of the record's terminator (`\n`, or the
        // `\r` of `\r\n`); a blank line follows if another terminator comes next.
        let end = usize::try_from(self.reader.position().byte()).unwrap_or(usize::MAX);
        let bytes = self.text.as_bytes();
        let mut rest = bytes.get(end..).unwrap_or_default();
        if end > 0 && bytes.get(end - 1) == Some(&b'\r') {
            rest = rest.strip_prefix(b"\n").unwrap_or(rest);
        }
        let record = Record {
            index: self.index,
            line: u32::try_from(line).unwrap_or(u32::MAX),
            blank_follows: rest.starts_with(b"\n") || rest.starts_with(b"\r"),
            cells: self
                .record
                .iter()
                .map(|c| c.trim().trim_start_matches('\u{feff}').to_owned())
                .collect(),
        };
        self.index += 1;
        Some(record)
    }
}

/// The text of the file: UTF-16 (little or big endian) when it starts with a byte-order mark
/// or looks like it, UTF-8 otherwise (its mark, if any, removed; borrowed, not copied).
fn decode(bytes: &[u8]) -> Result<Cow<'_, str>, String> {
    let utf16 = |bytes: &[u8], little: bool| -> Result<Cow<'_, str>, String> {
        if !bytes.len().is_multiple_of(2) {
            return Err("the file looks like UTF-16 but has an odd number of bytes: it was cut short; export it again".into());
        }
        let units = bytes.chunks_exact(2).map(|pair| {
            if little {
                u16::from_le_bytes([pair[0], pair[1]])
            } else {
                u16::from_be_bytes([pair[0], pair[1]])
            }
        });
        char::decode_utf16(units)
            .collect::<Result<String, _>>()
            .map(Cow::Owned)
            .map_err(|_| {
                "the file is not valid UTF-16 text: export it from the service again".into()
            })
    };
    match bytes {
        [0xFF, 0xFE, rest @ ..] => utf16(rest, true),
        [0xFE, 0xFF, rest @ ..] => utf16(rest, false),
        [0xEF, 0xBB, 0xBF, rest @ ..] => utf8(rest),
        // UTF-16 without a mark: every other byte of ASCII text is zero.
        [first, 0, _, 0, ..] if *first != 0 => utf16(bytes, true),
        [0, second, 0, _, ..] if *second != 0 => utf16(bytes, false),
        _ => utf8(bytes),
    }
}

fn utf8(bytes: &[u8]) -> Result<Cow<'_, str>, String> {
    std::str::from_utf8(bytes).map(Cow::Borrowed).map_err(|error| {
        let at = error.valid_up_to();
        let line = bytes[..at].iter().filter(|b| **b == b'\n').count() + 1;
        format!(
            "line {line} is not UTF-8 text: save the report as \"CSV UTF-8\" (or export it from the service again) and upload that"
        )
    })
}

/// A header cell, compared without case, spacing or a byte-order mark.
fn label(cell: &str) -> String {
    cell.trim_start_matches('\u{feff}')
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Where the columns the importer reads are.
#[derive(Debug, Clone, Default)]
struct Columns {
    name: Option<usize>,
    email: Option<usize>,
    join: usize,
    leave: usize,
    duration: Option<usize>,
    /// The duration is a number of minutes (Zoom's `Duration (Minutes)`).
    duration_in_minutes: bool,
    /// Each row is one stay (not a first join and a last leave).
    per_stay: bool,
    /// The header says the times are in UTC (`Join Time (UTC)`), whatever zone was chosen.
    in_utc: bool,
}

fn columns(row: &[String]) -> Option<Columns> {
    let labels: Vec<String> = row.iter().map(|c| label(c)).collect();
    let find = |names: &[&str]| labels.iter().position(|l| names.contains(&l.as_str()));
    let join_names = [
        "join time",
        "join",
        "joined",
        "join time (utc)",
        "first join",
        "first join time",
    ];
    let leave_names = [
        "leave time",
        "leave",
        "left",
        "leave time (utc)",
        "last leave",
        "last leave time",
    ];
    let join = find(&join_names)?;
    let leave = find(&leave_names)?;
    let email = find(&[
        "email",
        "user email",
        "e-mail",
        "email address",
        "attendee email",
    ])
    .or_else(|| labels.iter().position(|l| l.contains("email")));
    let name = labels.iter().position(|l| {
        l == "name"
            || l.starts_with("name (")
            || l == "full name"
            || l == "display name"
            || l == "participant"
    });
    if email.is_none() && name.is_none() {
        return None;
    }
    let duration = labels.iter().position(|l| l.contains("duration"));
    let duration_in_minutes = duration.is_some_and(|at| labels[at].contains("minute"));
    let per_stay = !labels[join].starts_with("first");
    let in_utc = labels[join].contains("(utc)") && labels[leave].contains("(utc)");
    Some(Columns {
        name,
        email,
        join,
        leave,
        duration,
        duration_in_minutes,
        per_stay,
        in_utc,
    })
}

/// The header row read with `delimiter`: the record with the columns above, preferring a
/// table of single stays (Teams' "In-Meeting Activities") to one of first joins and last
/// leaves; and whether the file has Teams' numbered sections.
fn find_header(text: &str, delimiter: u8) -> Option<(Record, Columns, bool)> {
    let mut best: Option<(Record, Columns)> = None;
    let mut sections = false;
    for record in Records::new(text, delimiter) {
        if let Some(first) = record.cells.first() {
            let first = label(first);
            sections |= first.starts_with("1. summary")
                || first.starts_with("2. participants")
                || first.contains("in-meeting activities");
        }
        let Some(found) = columns(&record.cells) else {
            continue;
        };
        match &best {
            Some((_, current)) if current.per_stay || !found.per_stay => {}
            _ => best = Some((record, found)),
        }
    }
    best.map(|(record, columns)| (record, columns, sections))
}

/// Teams numbers its sections: `1. Summary`, `2. Participants`, `3. In-Meeting Activities`.
fn is_section_title(row: &[String]) -> bool {
    let filled: Vec<&String> = row.iter().filter(|c| !c.trim().is_empty()).collect();
    let [only] = filled.as_slice() else {
        return false;
    };
    let mut chars = only.trim().chars();
    chars.next().is_some_and(|c| c.is_ascii_digit())
        && chars
            .find(|c| !c.is_ascii_digit())
            .is_some_and(|c| c == '.')
}

fn detect(sections: bool, header: &[String], columns: &Columns) -> Format {
    let labels: Vec<String> = header.iter().map(|c| label(c)).collect();
    let has = |name: &str| labels.iter().any(|l| l == name);
    if sections || has("participant id (upn)") {
        Format::Teams
    } else if labels.iter().any(|l| l.starts_with("name (original name)")) || has("guest") {
        Format::Zoom
    } else if has("moderator") || has("activity score") || has("talk time") {
        Format::BigBlueButton
    } else if columns.email.is_some() && labels.len() <= 4 && has("join") && has("leave") {
        Format::Plain
    } else {
        Format::Table
    }
}

fn read_row(line: u32, row: &[String], columns: &Columns, format: Format, zone: Tz) -> Row {
    let cell = |at: Option<usize>| -> String {
        at.and_then(|i| row.get(i))
            .map(|c| c.trim().to_owned())
            .unwrap_or_default()
    };
    let zone = if columns.in_utc { Tz::UTC } else { zone };
    let name = cell(columns.name);
    let email = cell(columns.email).to_lowercase();
    let (join, leave) = (cell(Some(columns.join)), cell(Some(columns.leave)));
    let mut note = None;
    let interval = if format == Format::BigBlueButton
        && name.eq_ignore_ascii_case("anonymous")
        && join.is_empty()
    {
        Err("the poll answers given anonymously: not a person, nothing to add".to_owned())
    } else if email.is_empty() && name.is_empty() {
        Err("the row has neither an email nor a name".to_owned())
    } else {
        match (parse_time(&join, zone), parse_time(&leave, zone)) {
            (Err(problem), _) => Err(format!("join time: {problem}")),
            (_, Err(problem)) => Err(format!("leave time: {problem}")),
            (Ok(start), Ok(end)) if end < start => Err(format!(
                "leave ({leave}) is before join ({join}): correct the row or leave it out"
            )),
            (Ok(start), Ok(end)) => {
                // A row may run from a first join to a last leave (BigBlueButton, Teams'
                // participants, Zoom's "unique users"); its duration is the time actually
                // online, so a row never counts for more than its duration says.
                // A duration column that cannot be read is a problem with the row, never a
                // reason to count it from join to leave.
                let online = columns.duration.map(|at| {
                    let text = cell(Some(at));
                    duration(&text, columns.duration_in_minutes).ok_or_else(|| {
                        format!(
                            "the duration \"{}\" cannot be read ({}): correct the row or export the report again",
                            text.chars().take(40).collect::<String>(),
                            if columns.duration_in_minutes {
                                "a whole number of minutes is expected"
                            } else {
                                "HH:MM:SS, MM:SS or 1h 27m 51s is expected"
                            }
                        )
                    })
                });
                match online {
                    Some(Err(problem)) => Err(problem),
                    Some(Ok(seconds)) => match start.checked_add(seconds) {
                        Some(until) if until < end => {
                            note = Some(format!(
                                "counted for its duration, {}, from the join",
                                super::intervals::written(seconds)
                            ));
                            Ok((start, until))
                        }
                        _ => Ok((start, end)),
                    },
                    None => Ok((start, end)),
                }
            }
        }
    };
    Row {
        line,
        name,
        email,
        interval,
        note,
    }
}

/// A row's duration in seconds: `HH:MM:SS` or `MM:SS` (BigBlueButton), `1h 27m 51s`
/// (Teams), or a number of minutes when the column says so (Zoom, which rounds up).
fn duration(text: &str, in_minutes: bool) -> Option<i64> {
    let text = text.trim();
    if in_minutes {
        return text
            .parse::<i64>()
            .ok()
            .filter(|m| *m >= 0)
            .and_then(|m| m.checked_mul(60));
    }
    if text.contains(':') {
        return clock_duration(text);
    }
    let mut total: i64 = 0;
    let mut seen = false;
    for part in text.split_whitespace() {
        let (number, unit) = part.split_at(part.find(|c: char| !c.is_ascii_digit())?);
        let number: i64 = number.parse().ok()?;
        let unit = match unit {
            "h" => 3600,
            "m" | "min" => 60,
            "s" => 1,
            _ => return None,
        };
        total = total.checked_add(number.checked_mul(unit)?)?;
        seen = true;
    }
    seen.then_some(total)
}

/// `HH:MM:SS` (BigBlueButton's duration) in seconds.
fn clock_duration(text: &str) -> Option<i64> {
    let parts: Vec<i64> = text
        .trim()
        .split(':')
        .map(|p| p.parse::<i64>().ok().filter(|n| *n >= 0))
        .collect::<Option<_>>()?;
    match parts.as_slice() {
        [h, m, s] if *m < 60 && *s < 60 => h.checked_mul(3600)?.checked_add(m * 60 + s),
        [m, s] if *s < 60 => m.checked_mul(60)?.checked_add(*s),
        _ => None,
    }
}

/// The date-time layouts the services write: Zoom's `07/22/2026 07:02:11 PM`, Teams'
/// `7/22/26, 7:02:11 PM` (US locale), BigBlueButton's, and ISO 8601 without a zone.
const LAYOUTS: &[&str] = &[
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y, %I:%M:%S %p",
    "%m/%d/%Y, %I:%M %p",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y, %H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%Y/%m/%d %H:%M:%S",
];

/// Two-digit years only in Teams' layout (`7/22/26`), tried after the four-digit ones.
const SHORT_YEAR_LAYOUTS: &[&str] = &[
    "%m/%d/%y, %I:%M:%S %p",
    "%m/%d/%y %I:%M:%S %p",
    "%m/%d/%y, %I:%M %p",
    "%m/%d/%y, %H:%M:%S",
];

/// A time from a report, in unix seconds: with its own offset when it has one (ISO 8601),
/// else read in `zone`. A time that happens twice or not at all there is refused.
pub fn parse_time(text: &str, zone: Tz) -> Result<i64, String> {
    // Newer locale data puts a narrow no-break space before AM/PM.
    let normal: String = text
        .replace(['\u{202f}', '\u{a0}'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if normal.is_empty() {
        return Err("empty".into());
    }
    if let Ok(at) = DateTime::parse_from_rfc3339(&normal) {
        return Ok(at.timestamp());
    }
    if let Ok(at) = DateTime::parse_from_str(&normal, "%Y-%m-%d %H:%M:%S%z") {
        return Ok(at.timestamp());
    }
    let upper = normal.to_uppercase();
    let naive = LAYOUTS
        .iter()
        .find_map(|layout| {
            let parsed = NaiveDateTime::parse_from_str(&upper, layout).ok()?;
            // `%Y` would take "26" as the year 26.
            (parsed.and_utc().timestamp() > 0).then_some(parsed)
        })
        .or_else(|| {
            SHORT_YEAR_LAYOUTS
                .iter()
                .find_map(|layout| NaiveDateTime::parse_from_str(&upper, layout).ok())
        })
        .ok_or_else(|| {
            format!(
                "\"{}\" is not a time the importer reads: write MM/DD/YYYY hh:mm:ss AM/PM or ISO 8601 (2026-07-22T19:02:11, with a zone offset if it has one)",
                text.chars().take(60).collect::<String>()
            )
        })?;
    match zone.from_local_datetime(&naive) {
        chrono::LocalResult::Single(at) => Ok(at.timestamp()),
        chrono::LocalResult::Ambiguous(_, _) => Err(format!(
            "{normal} happens twice in {} (the clocks went back): use a report with UTC offsets or times in UTC",
            zone.name()
        )),
        chrono::LocalResult::None => Err(format!(
            "{normal} does not exist in {} (the clocks went forward): check the time zone chosen for the import",
            zone.name()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chicago() -> Tz {
        "America/Chicago".parse().unwrap_or(Tz::UTC)
    }

    fn at(text: &str) -> i64 {
        DateTime::parse_from_rfc3339(text).map_or(0, |t| t.timestamp())
    }

    const ZOOM: &str = "Meeting ID,Topic,Start Time,End Time,User Email,Duration (Minutes),Participants\n\
        812 3456 7890,Case conference,07/22/2026 06:55:02 PM,07/22/2026 08:04:40 PM,host@example.org,70,3\n\
        \n\
        Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\n\
        \"Okafor, Ada\",Ada@Example.org,07/22/2026 07:01:30 PM,07/22/2026 07:40:00 PM,39,No\n\
        Ada (phone),ada@example.org,07/22/2026 07:30:00 PM,07/22/2026 08:00:00 PM,30,No\n\
        Guest,,07/22/2026 07:05:00 PM,07/22/2026 07:06:00 PM,1,Yes\n";

    #[test]
    fn zoom_skips_the_summary_block_and_reads_each_join() {
        let report = read(ZOOM.as_bytes(), chicago()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(report.format, Format::Zoom);
        assert_eq!(report.rows.len(), 3);
        assert_eq!(report.rows[0].line, 5);
        assert_eq!(report.rows[0].name, "Okafor, Ada");
        assert_eq!(report.rows[0].email, "ada@example.org");
        assert_eq!(
            report.rows[0].interval,
            Ok((at("2026-07-23T00:01:30Z"), at("2026-07-23T00:40:00Z")))
        );
        assert_eq!(report.rows[2].email, "");
        assert_eq!(report.rows[2].name, "Guest");
    }

    fn utf16le(text: &str) -> Vec<u8> {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in text.encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        bytes
    }

    #[test]
    fn teams_utf16_takes_the_activities_section_not_the_first_joins() {
        let text = "1. Summary\r\nMeeting title\tCase conference\r\nStart time\t7/22/26, 6:58:03 PM\r\n\r\n\
            2. Participants\r\nName\tFirst Join\tLast Leave\tIn-Meeting Duration\tEmail\tParticipant ID (UPN)\tRole\r\n\
            Ada Okafor\t7/22/26, 7:02:11 PM\t7/22/26, 8:29:02 PM\t1h 27m 51s\tada@example.org\tada@example.org\tAttendee\r\n\r\n\
            3. In-Meeting Activities\r\nname\tjoin time\tleave time\tduration\temail\trole\r\n\
            Ada Okafor\t7/22/26, 7:02:11\u{202f}PM\t7/22/26, 7:30:00 PM\t27m 49s\tada@example.org\tAttendee\r\n\
            Ada Okafor\t7/22/26, 7:45:00 PM\t7/22/26, 8:29:02 PM\t44m 2s\tADA@example.org\tAttendee\r\n";
        let report = read(&utf16le(text), chicago()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(report.format, Format::Teams);
        assert_eq!(report.rows.len(), 2);
        assert_eq!(
            report.rows[0].interval,
            Ok((at("2026-07-23T00:02:11Z"), at("2026-07-23T00:30:00Z")))
        );
        assert_eq!(report.rows[1].email, "ada@example.org");
    }

    #[test]
    fn bigbluebutton_caps_at_its_duration_and_names_the_anonymous_row() {
        let text = "Name,Moderator,Activity Score,Talk Time,Webcam Time,Messages,Emojis,Raise Hands,Join,Left,Duration,Status,Which device?\n\
            Ada Okafor,false,4.2,00:03:10,00:00:00,2,1,0,2026-07-22 19:02:00,2026-07-22 20:00:00,00:40:00,online,Phone\n\
            Anonymous,,,,,,,,,,,,Laptop\n";
        let report = read(text.as_bytes(), chicago()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(report.format, Format::BigBlueButton);
        let start = at("2026-07-23T00:02:00Z");
        assert_eq!(report.rows[0].interval, Ok((start, start + 2400)));
        assert!(report.rows[0].note.is_some());
        assert!(
            report.rows[1]
                .interval
                .as_ref()
                .is_err_and(|e| e.contains("anonymously"))
        );
    }

    #[test]
    fn plain_csv_reads_offsets_and_names_bad_rows() {
        let text = "email,join,leave\n\
            ada@example.org,2026-07-22T19:00:00-05:00,2026-07-22T20:00:00-05:00\n\
            bo@example.org,2026-07-22T19:00:00,2026-07-22T18:00:00\n\
            cy@example.org,22/07/2026 19:00,2026-07-22T19:30:00\n";
        let report = read(text.as_bytes(), chicago()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(report.format, Format::Plain);
        assert_eq!(
            report.rows[0].interval,
            Ok((at("2026-07-23T00:00:00Z"), at("2026-07-23T01:00:00Z")))
        );
        assert!(
            report.rows[1]
                .interval
                .as_ref()
                .is_err_and(|e| e.contains("before join"))
        );
        assert!(
            report.rows[2]
                .interval
                .as_ref()
                .is_err_and(|e| e.contains("not a time"))
        );
    }

    #[test]
    fn files_that_are_not_reports_are_refused_with_the_reason() {
        assert!(read(b"a,b,c\n1,2,3\n", chicago()).is_err_and(|e| e.contains("no header row")));
        assert!(read(b"email,join,leave\n\xff\xfe\xfa,1,2\n", chicago()).is_err());
        assert!(read(b"email,join,leave\nx\0,1,2\n", chicago()).is_err_and(|e| e.contains("NUL")));
    }

    #[test]
    fn a_first_join_to_last_leave_row_counts_for_its_duration_only() {
        // Zoom with "unique users": one row per person, 60 minutes wide, 20 minutes online.
        let text = "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\n\
            Ada,ada@example.org,07/22/2026 07:00:00 PM,07/22/2026 08:00:00 PM,20,No\n";
        let report = read(text.as_bytes(), chicago()).unwrap_or_else(|e| panic!("{e}"));
        let start = at("2026-07-23T00:00:00Z");
        assert_eq!(report.rows[0].interval, Ok((start, start + 1200)));
        assert_eq!(duration("1h 27m 51s", false), Some(5271));
        assert_eq!(duration("44m 2s", false), Some(2642));
        assert_eq!(duration("00:40:00", false), Some(2400));
        assert_eq!(duration("39", true), Some(2340));
        assert_eq!(duration("soon", false), None);
    }

    #[test]
    fn a_quoted_line_break_stays_inside_its_cell() {
        // A display name typed on two lines: one cell of one row; the next row keeps its
        // own line number, and the row after a blank line is not part of the table.
        let text = "name,email,join,leave\n\
            \"Ada\nOkafor, RN\",ada@example.org,2026-07-22T19:00:00Z,2026-07-22T19:30:00Z\n\
            Ben,ben@example.org,2026-07-22T19:05:00Z,2026-07-22T19:40:00Z\n\
            \n\
            Footer,x@example.org,2026-07-22T19:05:00Z,2026-07-22T19:40:00Z\n";
        let report = read(text.as_bytes(), Tz::UTC).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(report.rows.len(), 2, "{report:?}");
        assert_eq!(report.rows[0].name, "Ada\nOkafor, RN");
        assert_eq!(report.rows[0].email, "ada@example.org");
        assert_eq!(report.rows[0].line, 2);
        assert_eq!(report.rows[1].line, 4);
        assert_eq!(report.rows[1].email, "ben@example.org");
        // The delimiter is the header's: semicolons here, though names hold commas.
        let text = "Name;Email;Join;Leave\n\"Okafor, Ada\";ada@example.org;2026-07-22T19:00:00Z;2026-07-22T19:30:00Z\n";
        let report = read(text.as_bytes(), Tz::UTC).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(report.rows[0].name, "Okafor, Ada");
        assert!(report.rows[0].interval.is_ok());
    }

    #[test]
    fn an_unreadable_duration_is_a_problem_never_join_to_leave() {
        let text = "Name,Moderator,Activity Score,Talk Time,Webcam Time,Messages,Emojis,Raise Hands,Join,Left,Duration,Status\n\
            Ada Okafor,false,4.2,00:03:10,00:00:00,2,1,0,2026-07-22 19:02:00,2026-07-22 20:00:00,40 min,online\n\
            Ben Lindqvist,false,4.2,00:03:10,00:00:00,2,1,0,2026-07-22 19:02:00,2026-07-22 20:00:00,,online\n";
        let report = read(text.as_bytes(), chicago()).unwrap_or_else(|e| panic!("{e}"));
        assert!(
            report.rows[0]
                .interval
                .as_ref()
                .is_err_and(|e| e.contains("the duration \"40 min\" cannot be read")),
            "{:?}",
            report.rows[0]
        );
        assert!(report.rows[1].interval.is_err());
        // Durations too large to add up are unreadable, not a wrap or a panic.
        assert_eq!(duration("99999999999999999999 h", false), None);
        assert_eq!(duration("9223372036854775807h 1s", false), None);
        assert_eq!(duration("9223372036854775807", true), None);
        assert_eq!(clock_duration("9223372036854775807:00:00"), None);
        let huge = "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\n\
            Ada,ada@example.org,07/22/2026 07:00:00 PM,07/22/2026 08:00:00 PM,153722867280912930,No\n";
        let report = read(huge.as_bytes(), chicago()).unwrap_or_else(|e| panic!("{e}"));
        let start = at("2026-07-23T00:00:00Z");
        assert_eq!(report.rows[0].interval, Ok((start, start + 3600)));
    }

    #[test]
    fn local_times_that_happen_twice_or_never_are_refused() {
        // America/Chicago: clocks went back at 2:00 on 2026-11-01, forward on 2026-03-08.
        assert!(
            parse_time("11/01/2026 01:30:00 AM", chicago()).is_err_and(|e| e.contains("twice"))
        );
        assert!(
            parse_time("03/08/2026 02:30:00 AM", chicago())
                .is_err_and(|e| e.contains("does not exist"))
        );
        assert_eq!(
            parse_time("2026-07-22T19:00:00Z", chicago()),
            Ok(at("2026-07-22T19:00:00Z"))
        );
    }
}
