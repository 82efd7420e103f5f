//! Accounts: who a user is, what they may do (role), how their password is checked and
//! stored, the validation of every field they give us, and the forms that register, sign
//! in and out, edit the profile and password, and change roles. The routes are here.

pub mod confirmation;
pub mod forms;
pub mod invitations;
mod pages;
pub mod password;
pub mod recovery;
pub mod roles;
pub mod store;
pub mod tokens;
pub mod validate;

pub use app::accounts::Role;

use crate::access::{Route, Rule};

pub fn routes() -> Vec<Route> {
    vec![
        Route::page("/login", Rule::Anyone).cached(),
        Route::page("/register", Rule::Anyone).cached(),
        Route::page("/account", Rule::SignedIn),
        Route::page("/admin/users", Rule::Admin),
        Route::post("/account/register", Rule::Anyone, forms::register),
        // Leads to sign-in with the token; confirms nothing on its own.
        Route::get("/confirm-address", Rule::Anyone, confirmation::confirm),
        // The same answer for every address.
        Route::post("/account/confirmation", Rule::Anyone, confirmation::resend),
        Route::post("/account/login", Rule::Anyone, forms::login),
        // Signing out of no session is harmless.
        Route::post("/account/logout", Rule::Anyone, forms::logout),
        Route::post("/account/profile", Rule::SignedIn, forms::update_profile),
        Route::post("/account/password", Rule::SignedIn, forms::change_password),
        Route::post("/admin/users/role", Rule::Admin, roles::change_role),
        Route::post("/account/mail", Rule::SignedIn, forms::mail_preferences),
        Route::post("/account/time-zone", Rule::SignedIn, forms::time_zone),
        Route::page("/forgot-password", Rule::Anyone).cached(),
        Route::post("/forgot-password", Rule::Anyone, recovery::forgot),
        // The token in the address decides; anyone holding it may use it.
        Route::page("/reset-password", Rule::Anyone),
        Route::post("/reset-password", Rule::Anyone, recovery::reset),
        Route::server_fn("/api/reset-link", Rule::Anyone),
        Route::page("/invitation", Rule::Anyone),
        Route::post("/invitation/accept", Rule::Anyone, invitations::accept),
        Route::server_fn("/api/invitation-link", Rule::Anyone),
        Route::post("/admin/users/invite", Rule::Admin, invitations::invite),
        Route::post(
            "/admin/users/invitations/revoke",
            Rule::Admin,
            invitations::revoke,
        ),
        Route::post(
            "/admin/users/invitations/resend",
            Rule::Admin,
            invitations::resend,
        ),
        Route::server_fn("/api/admin-invitations", Rule::Admin),
        Route::server_fn("/api/viewer", Rule::Anyone),
        Route::server_fn("/api/form-state", Rule::Anyone),
        Route::server_fn("/api/profile", Rule::SignedIn),
        Route::server_fn("/api/admin-users", Rule::Admin),
    ]
}
