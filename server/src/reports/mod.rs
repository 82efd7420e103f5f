//! Accreditation reporting: administrators count and download the completions of learners
//! who consented, per activity and period; learners who did not consent are counted, never
//! listed, and every download is audited. The routes are here; the SQL in [`store`].

mod pages;
pub mod store;

pub use store::{COLUMNS, summary};

use crate::AppState;
use crate::access::{Route, Rule};
use crate::auth::Admin;
use crate::error::{Error, Result};
use crate::transcript::parse_range;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

pub fn routes() -> Vec<Route> {
    vec![
        Route::page("/admin", Rule::Admin),
        Route::page("/admin/reports", Rule::Admin),
        Route::get("/admin/export.csv", Rule::Admin, export),
        Route::server_fn("/api/report", Rule::Admin),
        Route::server_fn("/api/admin-console", Rule::Admin),
    ]
}

#[derive(Debug, Deserialize)]
pub struct ReportQuery {
    #[serde(default)]
    activity: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

/// `GET /admin/export.csv?activity=&from=&to=`: administrators only; audited.
async fn export(
    State(state): State<AppState>,
    Admin(viewer): Admin,
    Query(query): Query<ReportQuery>,
) -> Result<Response> {
    let (from, to) = parse_range(&query.from, &query.to)
        .map_err(|(field, message)| Error::bad_request(format!("{field}: {message}")))?;
    let activity = query.activity.trim();
    let bytes = store::csv(&state.pool, activity, &from, &to).await?;
    store::record_export(&state.pool, viewer.id, activity, &from, &to).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"grandrounds-completions.csv\"",
            ),
            (header::CACHE_CONTROL, "private, no-store"),
        ],
        bytes,
    )
        .into_response())
}
