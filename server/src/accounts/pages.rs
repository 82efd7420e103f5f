//! The account pages' data: who is signed in, their form state, their profile, and the
//! administrators' user list.

use crate::accounts::store;
use crate::backend::{ServerBackend, admin, current_viewer, signed_in};
use crate::error::Error;
use app::accounts::AccountsBackend;
use app::accounts::{InvitationLink, InvitationRow, Profile, ResetLink, UserPage, Viewer};
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

    async fn reset_link(&self, token: &str) -> Result<ResetLink, AppError> {
        let found = super::recovery::find(&self.pool, token)
            .await
            .map_err(AppError::from)?;
        Ok(
            match (
                super::recovery::refusal(found.as_ref().map(|r| r.state)),
                found,
            ) {
                (None, Some(found)) => ResetLink::Usable { email: found.email },
                (reason, _) => ResetLink::Refused {
                    reason: reason.unwrap_or_default().to_owned(),
                },
            },
        )
    }

    async fn invitation_link(&self, token: &str) -> Result<InvitationLink, AppError> {
        let found = super::invitations::find(&self.pool, token)
            .await
            .map_err(AppError::from)?;
        Ok(match (super::invitations::refusal(found.as_ref()), found) {
            (None, Some(found)) => InvitationLink::Usable {
                email: found.email,
                role: found.role,
                invited_by: found.invited_by,
            },
            (reason, _) => InvitationLink::Refused {
                reason: reason.unwrap_or_default(),
            },
        })
    }

    async fn invitations(&self) -> Result<Vec<InvitationRow>, AppError> {
        admin()?;
        super::invitations::recent(&self.pool)
            .await
            .map_err(AppError::from)
    }
}
