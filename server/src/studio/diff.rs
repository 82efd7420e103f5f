//! What publishing changes: the files of two revisions compared file by file and line by
//! line (the `similar` crate), with three lines of context around each change.

use crate::content::SourceFile;
use app::studio::{DiffLine, FileDiff};

/// Lines of unchanged context shown around each change.
const CONTEXT: usize = 3;

/// Every file added, removed or changed from `old` to `new`, by name.
pub fn files(old: &[SourceFile], new: &[SourceFile]) -> Vec<FileDiff> {
    let mut names: Vec<&str> = old
        .iter()
        .chain(new.iter())
        .map(|f| f.name.as_str())
        .collect();
    names.sort_unstable();
    names.dedup();
    names
        .into_iter()
        .filter_map(|name| {
            let before = old.iter().find(|f| f.name == name).map(|f| f.text.as_str());
            let after = new.iter().find(|f| f.name == name).map(|f| f.text.as_str());
            let status = match (before, after) {
                (Some(a), Some(b)) if a == b => return None,
                (None, _) => "added",
                (_, None) => "removed",
                _ => "changed",
            };
            Some(FileDiff {
                name: name.to_owned(),
                status: status.to_owned(),
                lines: lines(before.unwrap_or(""), after.unwrap_or("")),
            })
        })
        .collect()
}

/// The changed lines of one file, with context.
pub fn lines(before: &str, after: &str) -> Vec<DiffLine> {
    let diff = similar::TextDiff::from_lines(before, after);
    let mut out = Vec::new();
    for group in diff.grouped_ops(CONTEXT) {
        for op in group {
            for change in diff.iter_changes(&op) {
                let tag = match change.tag() {
                    similar::ChangeTag::Delete => '-',
                    similar::ChangeTag::Insert => '+',
                    similar::ChangeTag::Equal => ' ',
                };
                let number = |n: Option<usize>| n.and_then(|n| u32::try_from(n + 1).ok());
                out.push(DiffLine {
                    tag,
                    old: number(change.old_index()),
                    new: number(change.new_index()),
                    text: change.value().trim_end_matches(['\n', '\r']).to_owned(),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, text: &str) -> SourceFile {
        SourceFile {
            name: name.into(),
            text: text.into(),
        }
    }

    #[test]
    fn each_file_shows_what_was_added_removed_or_changed_at_its_lines() {
        let old = [
            file("course.md", "a\nb\nc\n"),
            file("01-one.md", "# One\n"),
            file("02-two.md", "same\n"),
        ];
        let new = [
            file("course.md", "a\nB\nc\n"),
            file("02-two.md", "same\n"),
            file("03-three.md", "# Three\n"),
        ];
        let diffs = files(&old, &new);
        let summary: Vec<(&str, &str)> = diffs
            .iter()
            .map(|d| (d.name.as_str(), d.status.as_str()))
            .collect();
        assert_eq!(
            summary,
            [
                ("01-one.md", "removed"),
                ("03-three.md", "added"),
                ("course.md", "changed")
            ]
        );
        let course = &diffs[2].lines;
        let changed: Vec<(char, Option<u32>, Option<u32>, &str)> = course
            .iter()
            .map(|l| (l.tag, l.old, l.new, l.text.as_str()))
            .collect();
        assert_eq!(
            changed,
            [
                (' ', Some(1), Some(1), "a"),
                ('-', Some(2), None, "b"),
                ('+', None, Some(2), "B"),
                (' ', Some(3), Some(3), "c"),
            ]
        );
    }
}
