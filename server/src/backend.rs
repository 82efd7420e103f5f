//! What the pages' server functions reach, and the one place that knows how to read the
//! request they serve: its signed-in viewer (and their role) and its form state. Each
//! domain implements its page trait for [`ServerBackend`] in its own `pages.rs`.

use crate::AppState;
use crate::error::Error;
use crate::forms::form_key;
use app::accounts::{Role, Viewer};
use app::error::AppError;
use app::forms::FormState;
use axum::http::request::Parts;
use tower_sessions::Session;

/// What the server functions reach: the app's state (its pool, catalog, issuer and mail),
/// read through `Deref`. Each domain implements its page trait for it in its own
/// `pages.rs` (for example `impl CatalogBackend for ServerBackend` in `catalog/pages.rs`).
pub struct ServerBackend {
    state: AppState,
}

impl ServerBackend {
    pub fn new(state: &AppState) -> Self {
        Self {
            state: state.clone(),
        }
    }
}

impl std::ops::Deref for ServerBackend {
    type Target = AppState;

    fn deref(&self) -> &AppState {
        &self.state
    }
}

pub(crate) fn request_parts() -> Option<Parts> {
    leptos::prelude::use_context::<Parts>()
}

pub(crate) fn current_viewer() -> Option<Viewer> {
    request_parts().and_then(|parts| parts.extensions.get::<Viewer>().cloned())
}

/// The signed-in viewer, or why not: the server functions' side of [`crate::auth::SignedIn`].
pub(crate) fn signed_in() -> Result<Viewer, AppError> {
    current_viewer().ok_or(AppError::Unauthorized)
}

/// The signed-in administrator, or why not: the server functions' [`crate::auth::Admin`].
pub(crate) fn admin() -> Result<Viewer, AppError> {
    let viewer = signed_in()?;
    if viewer.role == Role::Admin {
        Ok(viewer)
    } else {
        Err(AppError::Forbidden)
    }
}

impl ServerBackend {
    /// What the named form left behind on its last submission in this session (taken: it
    /// is shown once).
    pub(crate) async fn form_state(&self, form: &str) -> Result<FormState, AppError> {
        Ok(self
            .take_kept::<FormState>(&form_key(form))
            .await?
            .unwrap_or_default())
    }

    /// A value kept for one view under `key` (a bulk preview), taken.
    pub(crate) async fn take_kept<T: serde::de::DeserializeOwned>(
        &self,
        key: &str,
    ) -> Result<Option<T>, AppError> {
        let parts = request_parts();
        // An anonymous visitor's state came in the signed cookie.
        if let Some(value) = parts
            .as_ref()
            .and_then(|p| p.extensions.get::<crate::forms::KeptInCookie>())
            .and_then(|kept| kept.take(key))
        {
            return Ok(serde_json::from_value(value).ok());
        }
        match parts.and_then(|parts| parts.extensions.get::<Session>().cloned()) {
            // Only a value that is there is removed: removing marks the session changed,
            // and a changed session is written to the database.
            Some(session) => {
                let kept = session
                    .get::<serde_json::Value>(key)
                    .await
                    .map_err(Error::from)?;
                match kept {
                    Some(_) => Ok(session.remove::<T>(key).await.map_err(Error::from)?),
                    None => Ok(None),
                }
            }
            None => Ok(None),
        }
    }
}
