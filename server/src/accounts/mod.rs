//! Accounts: who a user is, what they may do (role), how their password is checked and
//! stored, the validation of every field they give us, and the forms that register, sign
//! in and out, edit the profile and password, and change roles. The routes are here.

pub mod forms;
mod pages;
pub mod password;
pub mod roles;
pub mod store;
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
        Route::post("/account/login", Rule::Anyone, forms::login),
        // Signing out of no session is harmless.
        Route::post("/account/logout", Rule::Anyone, forms::logout),
        Route::post("/account/profile", Rule::SignedIn, forms::update_profile),
        Route::post("/account/password", Rule::SignedIn, forms::change_password),
        Route::post("/admin/users/role", Rule::Admin, roles::change_role),
        Route::server_fn("/api/viewer", Rule::Anyone),
        Route::server_fn("/api/form-state", Rule::Anyone),
        Route::server_fn("/api/profile", Rule::SignedIn),
        Route::server_fn("/api/admin-users", Rule::Admin),
    ]
}
