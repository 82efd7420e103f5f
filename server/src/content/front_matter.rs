//! Splits TOML front matter (between `+++` lines) from a markdown file and deserialises it
//! into a typed struct, turning every error into one that names the file and line.

use super::ContentError;
use serde::de::DeserializeOwned;
use std::path::Path;

pub const FENCE: &str = "+++";

/// A markdown file split in two.
#[derive(Debug)]
pub struct Split<'a> {
    /// The TOML between the fences.
    pub front_matter: &'a str,
    /// The markdown after the closing fence.
    pub body: &'a str,
    /// 1-based line of the file on which the front matter's first line stands.
    pub front_matter_line: usize,
    /// 1-based line of the file on which the body's first line stands.
    pub body_line: usize,
}

pub fn split<'a>(file: &Path, text: &'a str) -> Result<Split<'a>, ContentError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.split_inclusive('\n');
    let first = lines.next().unwrap_or_default();
    if first.trim_end() != FENCE {
        return Err(ContentError::new(
            file,
            Some(1),
            "the file must start with TOML front matter between two `+++` lines",
        ));
    }
    let start = first.len();
    let mut offset = start;
    for (line, current) in (2..).zip(lines) {
        if current.trim_end() == FENCE {
            return Ok(Split {
                front_matter: &text[start..offset],
                body: &text[offset + current.len()..],
                front_matter_line: 2,
                body_line: line + 1,
            });
        }
        offset += current.len();
    }
    Err(ContentError::new(
        file,
        Some(1),
        "the front matter opened with `+++` is never closed by a second `+++` line",
    ))
}

/// Deserialises front matter; unknown keys are errors, so a typo never passes silently.
pub fn parse<T: DeserializeOwned>(file: &Path, split: &Split<'_>) -> Result<T, ContentError> {
    toml::from_str(split.front_matter).map_err(|error| {
        let line = error
            .span()
            .map(|span| split.front_matter_line + line_of(split.front_matter, span.start) - 1);
        ContentError::new(file, line, error.message().trim())
    })
}

/// 1-based line of a byte offset within `text`.
pub fn line_of(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    text.as_bytes()[..offset]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// 1-based file line on which `key = …` is written in the front matter, for errors found
/// after parsing (a missing value points at the opening fence instead).
pub fn key_line(split: &Split<'_>, key: &str) -> usize {
    split
        .front_matter
        .lines()
        .position(|line| {
            let line = line.trim_start();
            line.strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
                || line == format!("[{key}]")
                || line == format!("[[{key}]]")
        })
        .map_or(1, |index| split.front_matter_line + index)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use std::path::PathBuf;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[expect(
        dead_code,
        reason = "the fields only give the TOML a shape to fail against"
    )]
    struct Meta {
        title: String,
        hours: f64,
    }

    fn file() -> PathBuf {
        PathBuf::from("content/courses/demo/course.md")
    }

    #[test]
    fn splits_front_matter_and_body_with_line_numbers() {
        let text = "+++\ntitle = \"A\"\nhours = 1.0\n+++\n# Body\n";
        let split = super::split(&file(), text).expect("valid");
        assert_eq!(split.front_matter, "title = \"A\"\nhours = 1.0\n");
        assert_eq!(split.body, "# Body\n");
        assert_eq!(split.body_line, 5);
    }

    #[test]
    fn toml_syntax_error_names_file_and_line() {
        let text = "+++\ntitle = \"A\"\n\nhours = = 1\n+++\nbody";
        let split = super::split(&file(), text).expect("fences are fine");
        let error = parse::<Meta>(&file(), &split).expect_err("bad TOML");
        assert_eq!(error.line, Some(4), "{error}");
        assert!(
            error
                .to_string()
                .starts_with("content/courses/demo/course.md:4: "),
            "{error}"
        );
    }

    #[test]
    fn wrong_type_and_unknown_key_name_their_line() {
        let text = "+++\ntitle = \"A\"\nhours = \"one\"\n+++\n";
        let split = super::split(&file(), text).expect("fences are fine");
        let error = parse::<Meta>(&file(), &split).expect_err("string for float");
        assert_eq!(error.line, Some(3), "{error}");

        let text = "+++\ntitle = \"A\"\nhours = 1.0\ntitel = \"B\"\n+++\n";
        let split = super::split(&file(), text).expect("fences are fine");
        let error = parse::<Meta>(&file(), &split).expect_err("unknown key");
        assert_eq!(error.line, Some(4), "{error}");
        assert!(error.message.contains("titel"), "{error}");
    }

    #[test]
    fn missing_fences_are_reported_on_line_one() {
        let error = split(&file(), "# no front matter\n").expect_err("no fence");
        assert_eq!(error.line, Some(1));
        let error = split(&file(), "+++\ntitle = \"A\"\n").expect_err("unclosed");
        assert!(error.message.contains("never closed"), "{error}");
    }

    #[test]
    fn key_line_finds_keys_and_tables() {
        let text = "+++\ntitle = \"A\"\n\n[statements]\naccreditation = \"x\"\n+++\n";
        let split = super::split(&file(), text).expect("valid");
        assert_eq!(key_line(&split, "title"), 2);
        assert_eq!(key_line(&split, "statements"), 4);
        assert_eq!(key_line(&split, "objectives"), 1);
    }
}
