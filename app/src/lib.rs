//! Grand Rounds' user interface: one module per domain (accounts, catalog, learning,
//! certificates, transcript, webinars, attendance, studio, mail, reports), each with its page data
//! (`model.rs`), its server functions (`api.rs`), its pages and the backend trait the server
//! implements; plus the shared components, forms, errors and the shell with the routes.

// Release builds (without `erase_components`) nest view types deeply.
#![recursion_limit = "256"]

pub mod accounts;
pub mod api;
pub mod attendance;
pub mod catalog;
pub mod certificates;
pub mod components;
pub mod error;
pub mod forms;
pub mod learning;
pub mod mail;
mod not_found;
pub mod reports;
pub mod response;
#[cfg(feature = "ssr")]
pub mod service;
mod shell;
pub mod studio;
pub mod transcript;
pub mod webinars;

#[cfg(feature = "ssr")]
pub use shell::first_paint;
pub use shell::{App, has_island, shell};

/// Browser entry point. Pages are server-rendered HTML with real forms (islands mode): only
/// the components marked `#[island]` are compiled to wasm and hydrated.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
