//! Accounts: who a user is, what they may do (role), how their password is checked and
//! stored, and the validation of every field they give us.

pub mod password;
pub mod store;
pub mod validate;

pub use app::model::Role;
