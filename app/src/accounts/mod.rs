//! Accounts: who is signed in, profiles, roles and the administrators' user list.
//! The account pages (sign in, register, account, user list), their data and server functions.

pub mod account;
pub mod api;
pub mod auth;
mod model;
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
}
