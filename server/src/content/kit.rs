//! What every content file format shares: problems named with their file and line
//! ([`Problems`]), the line of a key inside a `[[table]]`, slugs, and the hash of the files
//! an activity is made of.

use super::ContentError;
use super::front_matter::{self, Split};
use sha2::{Digest, Sha256};
use std::path::Path;

/// A file as written, kept with the revision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    pub name: String,
    pub text: String,
}

/// Collects a file's problems, each at the line it is about.
pub struct Problems<'a> {
    pub path: &'a Path,
    pub split: &'a Split<'a>,
    pub errors: Vec<ContentError>,
}

impl<'a> Problems<'a> {
    pub fn new(path: &'a Path, split: &'a Split<'a>) -> Self {
        Self {
            path,
            split,
            errors: Vec::new(),
        }
    }

    /// At the line of the front matter's `key`.
    pub fn at_key(&mut self, key: &str, message: String) {
        let line = front_matter::key_line(self.split, key);
        self.at_line(line, message);
    }

    /// At the line of `key` in the `index`-th `[[table]]`.
    pub fn at_table(&mut self, table: &str, index: usize, key: &str, message: String) {
        let line = table_key_line(self.split, table, index, key);
        self.at_line(line, message);
    }

    pub fn at_line(&mut self, line: usize, message: String) {
        self.errors
            .push(ContentError::new(self.path, Some(line), message));
    }
}

/// Line of `key` inside the `index`-th `[[table]]`, or of the table header itself.
pub fn table_key_line(split: &Split<'_>, table: &str, index: usize, key: &str) -> usize {
    let header = format!("[[{table}]]");
    let lines: Vec<&str> = split.front_matter.lines().collect();
    let Some(start) = lines
        .iter()
        .enumerate()
        .filter(|(_, line)| line.trim() == header)
        .nth(index)
        .map(|(i, _)| i)
    else {
        return front_matter::key_line(split, table);
    };
    let found = lines[start + 1..]
        .iter()
        .take_while(|line| !line.trim_start().starts_with('['))
        .position(|line| {
            line.trim_start()
                .strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        });
    split.front_matter_line + start + found.map_or(0, |offset| offset + 1)
}

/// A slug: lowercase letters, digits and single inner hyphens, at most 80 characters.
pub fn is_slug(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 80
        && !text.starts_with('-')
        && !text.ends_with('-')
        && !text.contains("--")
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// The hash of an activity's files (names and texts), which says whether a new revision is
/// needed.
pub fn hash_files(files: &[SourceFile]) -> String {
    let mut hasher = Sha256::new();
    for file in files {
        hasher.update(file.name.as_bytes());
        hasher.update([0]);
        hasher.update((file.text.len() as u64).to_le_bytes());
        hasher.update(file.text.as_bytes());
    }
    hex::encode(hasher.finalize())
}
