//! Grand Rounds' user interface: the pages, the components and the thin server functions
//! that reach the backend through a context-provided service.

// Release builds (without `erase_components`) nest view types deeply.
#![recursion_limit = "256"]

pub mod api;
pub mod components;
pub mod error;
pub mod forms;
pub mod model;
pub mod pages;
pub mod response;
#[cfg(feature = "ssr")]
pub mod service;
mod shell;

pub use shell::{App, shell};

/// Browser entry point. Pages are server-rendered HTML with real forms (islands mode): only
/// the components marked `#[island]` are compiled to wasm and hydrated.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
