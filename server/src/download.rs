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
