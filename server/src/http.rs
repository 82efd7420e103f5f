//! The axum router: Leptos pages and server functions, `/healthz`, static files, and the
//! middleware every response passes through (compression, tracing, limits, security headers).

use crate::AppState;
use crate::auth::{self, forms};
use crate::backend::ServerBackend;
use crate::certificates::routes as certificates;
use app::service::SharedBackend;
use app::{App, shell};
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes, file_and_error_handler_with_context, generate_route_list};
use std::sync::Arc;
use std::time::Duration;
use tower::ServiceBuilder;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// The routes this module adds besides Leptos' pages and server functions; each must have
/// a rule in [`crate::access::RULES`].
const FORM_ROUTES: &[(&str, &str)] = &[
    ("GET", "/healthz"),
    ("POST", "/account/register"),
    ("POST", "/account/login"),
    ("POST", "/account/logout"),
    ("POST", "/account/profile"),
    ("POST", "/account/password"),
    ("POST", "/admin/users/role"),
    ("POST", "/learning/enroll"),
    ("POST", "/learning/complete"),
    ("POST", "/learning/quiz"),
    ("POST", "/learning/evaluation"),
    ("POST", "/learning/claim"),
    ("POST", "/learning/switch"),
    ("GET", "/issuer"),
    ("GET", "/issuer/jwks.json"),
    ("GET", "/certificates/{code}/credential.jwt"),
    ("POST", "/admin/certificates/revoke"),
    ("POST", "/admin/certificates/reissue"),
    ("GET", "/certificates/{code}/certificate.pdf"),
    ("GET", "/transcript.csv"),
    ("POST", "/transcript/external"),
    ("POST", "/transcript/external/remove"),
    ("GET", "/admin/export.csv"),
    ("POST", "/admin/certificates/bulk"),
    ("POST", "/admin/certificates/issue"),
    ("GET", "/transcript.pdf"),
];

/// Largest request body accepted (forms; uploads get their own limit when they come).
const BODY_LIMIT: usize = 256 * 1024;
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// For responses that are not pages (pages set their own, with a script nonce).
const DEFAULT_CSP: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";

pub fn build_router(state: AppState) -> Router {
    let backend: SharedBackend = Arc::new(ServerBackend::new(&state));
    let context = move || provide_context(backend.clone());
    let routes = generate_route_list(App);
    crate::access::assert_every_route_has_a_rule(
        routes.iter().map(|route| route.path().to_owned()).collect(),
        FORM_ROUTES,
    );
    let options = state.leptos_options.clone();
    let pkg_dir = std::path::Path::new(&*options.site_root).join(&*options.site_pkg_dir);

    // Files under /pkg carry a content hash in their names: cache them for a year.
    let pkg = ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=31536000, immutable"),
        ))
        // Release builds ship .br and .gz files made at build time (best compression, no
        // per-request work); other files are compressed on the fly.
        .service(
            ServeDir::new(pkg_dir)
                .precompressed_br()
                .precompressed_gzip(),
        );

    let cache = crate::page_cache::PageCache::new(state.catalog.clone());

    let trusted_proxies = state.trusted_proxies.clone();
    let sessions = auth::session_layer(&state.pool, state.public_url.starts_with("https://"));

    Router::new()
        .route(FORM_ROUTES[0].1, get(healthz))
        .route(FORM_ROUTES[1].1, post(forms::register))
        .route(FORM_ROUTES[2].1, post(forms::login))
        .route(FORM_ROUTES[3].1, post(forms::logout))
        .route(FORM_ROUTES[4].1, post(forms::update_profile))
        .route(FORM_ROUTES[5].1, post(forms::change_password))
        .route(FORM_ROUTES[6].1, post(crate::admin::change_role))
        .route(FORM_ROUTES[7].1, post(crate::enrollment::enroll_form))
        .route(FORM_ROUTES[8].1, post(crate::enrollment::complete_form))
        .route(FORM_ROUTES[9].1, post(crate::assessment::submit_form))
        .route(FORM_ROUTES[10].1, post(crate::completion::evaluation_form))
        .route(FORM_ROUTES[11].1, post(crate::completion::claim_form))
        .route(FORM_ROUTES[12].1, post(crate::enrollment::switch_form))
        .route(FORM_ROUTES[13].1, get(certificates::profile))
        .route(FORM_ROUTES[14].1, get(certificates::jwks))
        .route(FORM_ROUTES[15].1, get(certificates::credential))
        .route(FORM_ROUTES[16].1, post(certificates::revoke_form))
        .route(FORM_ROUTES[17].1, post(certificates::reissue_form))
        .route(FORM_ROUTES[18].1, get(certificates::pdf))
        .route(FORM_ROUTES[19].1, get(crate::transcript::csv_download))
        .route(FORM_ROUTES[20].1, post(crate::transcript::add_external))
        .route(FORM_ROUTES[21].1, post(crate::transcript::remove_external))
        .route(FORM_ROUTES[22].1, get(crate::reports::export))
        .route(FORM_ROUTES[23].1, post(certificates::bulk_form))
        .route(FORM_ROUTES[24].1, post(certificates::issue_form))
        .route(FORM_ROUTES[25].1, get(crate::transcript::pdf_download))
        .leptos_routes_with_context(&state, routes, context.clone(), move || {
            shell(options.clone())
        })
        .nest_service("/pkg", pkg)
        .fallback(file_and_error_handler_with_context::<AppState, _>(
            context, shell,
        ))
        .with_state(state.clone())
        .layer(axum::middleware::from_fn(crate::access::enforce))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::load_viewer,
        ))
        .layer(sessions)
        .layer(axum::middleware::from_fn_with_state(
            state,
            auth::same_origin_only,
        ))
        .layer(axum::middleware::from_fn_with_state(
            cache,
            crate::page_cache::serve_cached,
        ))
        .layer(axum::middleware::from_fn_with_state(
            certificates::VerifyLimit::new(),
            certificates::limit_verify,
        ))
        .layer(axum::middleware::from_fn_with_state(
            trusted_proxies,
            crate::client::resolve,
        ))
        .layer(
            ServiceBuilder::new()
                .layer(TraceLayer::new_for_http())
                .layer(axum::middleware::from_fn(explain_too_large))
                .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
                .layer(CompressionLayer::new().gzip(true).br(true))
                .layer(SetResponseHeaderLayer::if_not_present(
                    header::CONTENT_SECURITY_POLICY,
                    HeaderValue::from_static(DEFAULT_CSP),
                ))
                .layer(SetResponseHeaderLayer::overriding(
                    header::X_CONTENT_TYPE_OPTIONS,
                    HeaderValue::from_static("nosniff"),
                ))
                .layer(SetResponseHeaderLayer::overriding(
                    header::REFERRER_POLICY,
                    HeaderValue::from_static("strict-origin-when-cross-origin"),
                ))
                .layer(SetResponseHeaderLayer::overriding(
                    header::X_FRAME_OPTIONS,
                    HeaderValue::from_static("DENY"),
                ))
                .layer(SetResponseHeaderLayer::if_not_present(
                    header::HeaderName::from_static("permissions-policy"),
                    HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
                ))
                // Innermost, so it sees the router's own response body.
                .layer(TimeoutLayer::with_status_code(
                    StatusCode::REQUEST_TIMEOUT,
                    REQUEST_TIMEOUT,
                )),
        )
}

/// The body limit's bare 413 becomes a page that says what happened and what to do (a
/// browser without JavaScript shows it in place of the form).
async fn explain_too_large(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let bulk = request.uri().path() == "/admin/certificates/bulk";
    let response = next.run(request).await;
    if response.status() != StatusCode::PAYLOAD_TOO_LARGE {
        return response;
    }
    let advice = if bulk {
        "Split the CSV file into smaller files (about 2,000 rows each at most) and upload them one at a time."
    } else {
        "Shorten what you typed and send it again."
    };
    let page = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Too large to accept · Grand Rounds</title></head><body><main>\
         <h1>Too large to accept</h1><p>What you sent is larger than {} KB, the most this \
         site accepts at once. Nothing was saved.</p><p>{advice}</p>\
         <p>Use your browser's Back button to return to the form.</p></main></body></html>",
        BODY_LIMIT / 1024
    );
    (
        StatusCode::PAYLOAD_TOO_LARGE,
        [(header::CACHE_CONTROL, "no-store")],
        axum::response::Html(page),
    )
        .into_response()
}

/// Liveness with a database check: 200 when the database answers, 503 otherwise.
async fn healthz(State(state): State<AppState>) -> Response {
    match crate::db::ping(&state.pool).await {
        Ok(()) => (
            StatusCode::OK,
            [(header::CACHE_CONTROL, "no-store")],
            Json(serde_json::json!({ "status": "ok", "database": "ok" })),
        )
            .into_response(),
        Err(error) => {
            tracing::error!(%error, "health check: database unreachable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                [(header::CACHE_CONTROL, "no-store")],
                Json(serde_json::json!({ "status": "error", "database": "unreachable" })),
            )
                .into_response()
        }
    }
}
