//! Responses that are files to save (a certificate PDF, a signed credential, a transcript):
//! named, and never kept by a shared cache, since each is someone's own record.

use axum::http::header;
use axum::response::{IntoResponse, Response};

/// `body` as a download called `filename` (letters, digits, `.` and `-` only: it goes in a
/// header as it is).
pub fn attachment(content_type: &str, filename: &str, body: Vec<u8>) -> Response {
    debug_assert!(
        filename
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
    );
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        body,
    )
        .into_response()
}

/// A CSV file for people to open in a spreadsheet. Every cell that a spreadsheet would read
/// as a formula (one beginning with `=`, `+`, `-`, `@`, a tab or a carriage return) is
/// written with a leading `'`, as OWASP advises against CSV injection, so a learner named
/// `=HYPERLINK(…)` stays text in an administrator's export. Every CSV the site writes goes
/// through this writer.
pub struct SpreadsheetCsv(csv::Writer<Vec<u8>>);

impl Default for SpreadsheetCsv {
    fn default() -> Self {
        Self::new()
    }
}

impl SpreadsheetCsv {
    pub fn new() -> Self {
        Self(csv::Writer::from_writer(Vec::new()))
    }

    pub fn row<I, T>(&mut self, cells: I) -> Result<(), csv::Error>
    where
        I: IntoIterator<Item = T>,
        T: AsRef<str>,
    {
        let cells: Vec<String> = cells
            .into_iter()
            .map(|cell| neutralise(cell.as_ref()).into_owned())
            .collect();
        self.0.write_record(&cells)
    }

    pub fn finish(self) -> Result<Vec<u8>, csv::Error> {
        self.0
            .into_inner()
            .map_err(|error| csv::Error::from(error.into_error()))
    }
}

/// `cell`, or `'cell` when a spreadsheet would take it for a formula.
pub fn neutralise(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_become_text() {
        for bad in [
            "=1+1",
            "+1",
            "-A1",
            "@SUM(A1)",
            "\tx",
            "\rx",
            "=HYPERLINK(\"//e\")",
        ] {
            assert_eq!(neutralise(bad), format!("'{bad}"), "{bad:?}");
        }
        for good in ["Ana Silva", "0.75", "1234567893", "2026-12-01", "", "a=b"] {
            assert_eq!(neutralise(good), good);
        }
    }
}
