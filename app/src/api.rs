//! What every domain's server functions share. Each domain's functions live in its own
//! `api.rs` (for example [`crate::catalog::api`]) and say who may call them.

#[cfg(feature = "ssr")]
use crate::error::AppError;

/// Gives an error its own HTTP status (401, 404, …) instead of a blanket 500.
#[cfg(feature = "ssr")]
pub(crate) fn answer<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    if let Err(error) = &result {
        crate::response::set_status(error.status());
    }
    result
}
