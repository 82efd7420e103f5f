//! The server's one error type. Handlers and domain functions return [`Error`]; its one
//! [`IntoResponse`] turns it into the site's HTML error page, or (for a form problem) into
//! the post-redirect-get back to the form with its messages and the values typed. Internal
//! causes are logged here, once, and never shown. Server functions get the same error as an
//! [`AppError`] through the one `From` below.

use crate::forms::Back;
use crate::html::escape;
use app::error::AppError;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The thing asked for does not exist (or is not the asker's to know about).
    #[error("not found: {0}")]
    NotFound(String),
    /// Nobody is signed in; a page or form sends them to sign in.
    #[error("sign-in required")]
    Unauthorized,
    /// Signed in, but not allowed: the message says what is refused.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// A form problem: back to the form with a message per field and the values kept.
    #[error("invalid form {}", .0.form)]
    Invalid(Box<Back>),
    /// The request itself could not be read (not a form this site made).
    #[error("bad request: {0}")]
    BadRequest(String),
    /// The request is well-formed but clashes with what is stored.
    #[error("conflict: {0}")]
    Conflict(String),
    /// Our fault: logged with its cause, shown as a generic apology.
    #[error("internal: {0}")]
    Internal(Box<dyn std::error::Error + Send + Sync>),
    /// Our fault, with advice for the user (what to do instead); the cause is logged.
    #[error("failed ({advice}): {cause}")]
    Failed {
        cause: Box<dyn std::error::Error + Send + Sync>,
        advice: String,
    },
}

impl Error {
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::NotFound(message.into())
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::Forbidden(message.into())
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::BadRequest(message.into())
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::Conflict(message.into())
    }

    /// Anything that is our fault and has a cause worth logging.
    pub fn internal(cause: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self::Internal(cause.into())
    }

    /// Our fault, with a sentence for the user saying what to do instead.
    pub fn failed(
        cause: impl Into<Box<dyn std::error::Error + Send + Sync>>,
        advice: impl Into<String>,
    ) -> Self {
        Self::Failed {
            cause: cause.into(),
            advice: advice.into(),
        }
    }

    /// A stored value that does not decode into its type: a bug or a damaged database,
    /// never a silent zero.
    pub fn corrupt(what: &str, value: impl std::fmt::Display) -> Self {
        Self::internal(format!("stored {what} does not decode: {value}"))
    }

    /// The post-redirect-get back to a form, as an error.
    pub fn invalid(back: Back) -> Self {
        Self::Invalid(Box::new(back))
    }
}

impl From<Back> for Error {
    fn from(back: Back) -> Self {
        Self::invalid(back)
    }
}

impl From<sqlx::Error> for Error {
    fn from(error: sqlx::Error) -> Self {
        // PostgreSQL refuses text with a NUL character (SQLite stores it): the input's
        // fault, not the server's. Forms refuse it first ([`crate::forms::with_nul`]); this
        // is the backstop for any other way in.
        if error
            .as_database_error()
            .and_then(|db| db.code())
            .is_some_and(|code| code == "22021")
        {
            return Self::BadRequest(crate::forms::NUL_MESSAGE.into());
        }
        Self::Internal(Box::new(error))
    }
}

impl From<serde_json::Error> for Error {
    fn from(error: serde_json::Error) -> Self {
        Self::Internal(Box::new(error))
    }
}

impl From<tower_sessions::session::Error> for Error {
    fn from(error: tower_sessions::session::Error) -> Self {
        Self::Internal(Box::new(error))
    }
}

/// Turns a unique-constraint violation on `target` (SQLite: `table.column`; PostgreSQL:
/// the constraint's name) into the error `conflict` makes; any other error stays internal.
///
/// ```ignore
/// store::create(..).await.map_err(on_unique("users.email", || Error::conflict("taken")))?;
/// ```
pub fn on_unique(
    target: &str,
    conflict: impl FnOnce() -> Error,
) -> impl FnOnce(sqlx::Error) -> Error {
    move |error| {
        if crate::db::is_unique_violation(&error, target) {
            conflict()
        } else {
            error.into()
        }
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        match self {
            Self::Invalid(back) => back.into_response(),
            Self::Unauthorized => Redirect::to("/login").into_response(),
            Self::NotFound(message) => page(StatusCode::NOT_FOUND, "Not found", &message),
            Self::Forbidden(message) => page(StatusCode::FORBIDDEN, "Not allowed", &message),
            Self::BadRequest(message) => page(
                StatusCode::BAD_REQUEST,
                "This request could not be read",
                &message,
            ),
            Self::Conflict(message) => page(StatusCode::CONFLICT, "Not possible now", &message),
            Self::Internal(cause) => {
                tracing::error!(error = %cause, "request failed");
                page(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong",
                    "Something went wrong on our side and nothing was changed. Go back and try again in a moment.",
                )
            }
            Self::Failed { cause, advice } => {
                tracing::error!(error = %cause, "request failed");
                page(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong",
                    &format!("Something went wrong on our side. {advice}"),
                )
            }
        }
    }
}

/// The one conversion to the error server functions carry to the browser.
impl From<Error> for AppError {
    fn from(error: Error) -> Self {
        match error {
            Error::NotFound(message) => Self::NotFound(message),
            Error::Unauthorized => Self::Unauthorized,
            Error::Forbidden(_) => Self::Forbidden,
            Error::Invalid(back) => {
                let (field, message) = back
                    .state
                    .errors
                    .first()
                    .cloned()
                    .unwrap_or_else(|| ("form".into(), "Check the form and try again.".into()));
                Self::Validation { field, message }
            }
            Error::BadRequest(message) => Self::validation("request", message),
            Error::Conflict(message) => Self::Conflict(message),
            Error::Internal(cause) | Error::Failed { cause, .. } => {
                tracing::error!(error = %cause, "server function failed");
                Self::Internal
            }
        }
    }
}

/// The site's error page: complete HTML that needs no script or style sheet, never cached.
pub fn page(status: StatusCode, title: &str, message: &str) -> Response {
    let html = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} · Grand Rounds</title></head><body><main><h1>{title}</h1>\
         <p>{message}</p><p><a href=\"/\">Go to the home page</a></p></main></body></html>",
        title = escape(title),
        message = escape(message),
    );
    let mut response = (status, Html(html)).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt as _;

    async fn body(response: Response) -> String {
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        String::from_utf8_lossy(&bytes).into_owned()
    }

    #[tokio::test]
    async fn an_internal_cause_is_never_shown() {
        let response = Error::internal("secret table users_pw is corrupt").into_response();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let text = body(response).await;
        assert!(!text.contains("users_pw"), "{text}");
        assert!(text.contains("Something went wrong on our side"));
    }

    #[tokio::test]
    async fn messages_are_escaped_into_the_page() {
        let response = Error::not_found("no course \"<script>\"").into_response();
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        let text = body(response).await;
        assert!(text.contains("&lt;script&gt;") && !text.contains("<script>"));
    }

    #[tokio::test]
    async fn a_named_unique_violation_becomes_the_conflict_and_others_stay_internal() {
        let dir = tempfile::tempdir().expect("temp dir");
        let pool = crate::db::connect(&format!("sqlite:{}", dir.path().join("t.db").display()))
            .await
            .expect("connect");
        sqlx::query("CREATE TABLE users (email TEXT NOT NULL UNIQUE, name TEXT UNIQUE)")
            .execute(&pool)
            .await
            .expect("create");
        let insert = |email: &'static str, name: &'static str| {
            let pool = pool.clone();
            async move {
                sqlx::query("INSERT INTO users (email, name) VALUES ($1, $2)")
                    .bind(email)
                    .bind(name)
                    .execute(&pool)
                    .await
            }
        };
        insert("a@b.org", "A").await.expect("first");
        let taken = insert("a@b.org", "B")
            .await
            .map_err(on_unique("users.email", || Error::conflict("taken")))
            .expect_err("duplicate email");
        assert!(
            matches!(taken, Error::Conflict(ref m) if m == "taken"),
            "{taken:?}"
        );
        let other = insert("c@b.org", "A")
            .await
            .map_err(on_unique("users.email", || Error::conflict("taken")))
            .expect_err("duplicate name");
        assert!(matches!(other, Error::Internal(_)), "{other:?}");
    }

    #[test]
    fn the_app_error_keeps_the_first_field_message() {
        let back = Back::to("register", "/register").error("email", "use a real address");
        assert_eq!(
            AppError::from(Error::invalid(back)),
            AppError::validation("email", "use a real address")
        );
        assert_eq!(AppError::from(Error::internal("cause")), AppError::Internal);
    }
}
