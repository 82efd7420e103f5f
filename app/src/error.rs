//! The one error type that crosses the server-function boundary: safe to show to a user.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// What went wrong, in words a user can act on. Internal causes are logged on the server and
/// never carried here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    NotFound(String),
    #[error("Please sign in to continue.")]
    Unauthorized,
    #[error("You do not have permission to do that.")]
    Forbidden,
    #[error("{field}: {message}")]
    Validation { field: String, message: String },
    #[error("{0}")]
    Conflict(String),
    #[error("Something went wrong on our side. Please try again in a moment.")]
    Internal,
    /// The request never reached the server function (network, encoding).
    #[error("Could not reach Grand Rounds: {0}")]
    Transport(String),
}

impl AppError {
    pub fn not_found(what: impl Into<String>) -> Self {
        Self::NotFound(what.into())
    }

    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Validation {
            field: field.into(),
            message: message.into(),
        }
    }

    /// The HTTP status a page showing this error should carry.
    pub fn status(&self) -> u16 {
        match self {
            Self::NotFound(_) => 404,
            Self::Unauthorized => 401,
            Self::Forbidden => 403,
            Self::Validation { .. } => 400,
            Self::Conflict(_) => 409,
            Self::Internal => 500,
            Self::Transport(_) => 502,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(message) | ServerFnErrorErr::MissingArg(message) => {
                Self::validation("request", message)
            }
            other => Self::Transport(other.to_string()),
        }
    }
}
