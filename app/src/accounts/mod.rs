//! Accounts: who is signed in, profiles, roles and the administrators' user list.
//! The account pages (sign in, register, account, user list), their data and server functions.

pub mod account;
pub mod api;
pub mod auth;
pub mod invitation;
mod model;
pub mod recovery;
pub mod users;

pub use model::*;

#[cfg(feature = "ssr")]
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::forms::FormState;

/// What the accounts pages ask the server for; implemented in the server crate.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait AccountsBackend: Send + Sync + 'static {
    /// The signed-in user of the current request.
    async fn viewer(&self) -> Result<Option<Viewer>, AppError>;

    /// What the named form left behind on its last submission in this session (taken: it
    /// is shown once).
    async fn take_form_state(&self, form: &str) -> Result<FormState, AppError>;

    /// The signed-in user's own profile.
    async fn my_profile(&self) -> Result<Profile, AppError>;

    /// Administrators only: accounts matching `query`, one page at a time.
    async fn users(&self, query: &str, page: u32) -> Result<UserPage, AppError>;

    /// Anyone: whether a password reset link works, and for which account.
    async fn reset_link(&self, token: &str) -> Result<ResetLink, AppError>;

    /// Anyone: whether an invitation link works, and what it invites to.
    async fn invitation_link(&self, token: &str) -> Result<InvitationLink, AppError>;

    /// Administrators only: the latest invitations.
    async fn invitations(&self) -> Result<Vec<InvitationRow>, AppError>;
}
