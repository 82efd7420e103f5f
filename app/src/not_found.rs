//! The page for any address that matches no route.

use crate::components::ErrorPanel;
use crate::error::AppError;
use leptos::prelude::*;

#[component]
pub fn NotFound() -> impl IntoView {
    view! { <ErrorPanel error=AppError::not_found("There is no page at this address. It may have moved, or the link may be mistyped.") /> }
}
