//! The account pages' data: who is signed in, their form state, their profile, and the
//! administrators' user list.

use crate::accounts::store;
use crate::backend::{ServerBackend, admin, current_viewer, signed_in};
use crate::error::Error;
use app::accounts::AccountsBackend;
use app::accounts::{Profile, UserPage, Viewer};
use app::error::AppError;
use app::forms::FormState;

#[async_trait::async_trait]
impl AccountsBackend for ServerBackend {
    async fn viewer(&self) -> Result<Option<Viewer>, AppError> {
        Ok(current_viewer())
    }

    async fn take_form_state(&self, form: &str) -> Result<FormState, AppError> {
        self.form_state(form).await
    }

    async fn my_profile(&self) -> Result<Profile, AppError> {
        let viewer = signed_in()?;
        store::profile(&self.pool, viewer.id)
            .await
            .map_err(|error| AppError::from(Error::from(error)))?
            .ok_or(AppError::Unauthorized)
    }

    async fn users(&self, query: &str, page: u32) -> Result<UserPage, AppError> {
        admin()?;
        if query.chars().count() > 100 {
            return Err(AppError::validation(
                "q",
                "search with at most 100 characters",
            ));
        }
        store::list(&self.pool, query, page)
            .await
            .map_err(|error| Error::from(error).into())
    }
}
