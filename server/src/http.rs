//! The axum router: Leptos pages and server functions, `/healthz`, static files, and the
//! middleware every response passes through (compression, tracing, limits, security headers).

use crate::AppState;
use crate::access::{Route, RouteTable, Rule, Serve};
use crate::auth;
use crate::backend::ServerBackend;
use crate::certificates::routes as certificates;
use app::service::SharedBackend;
use app::{App, shell};
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes, file_and_error_handler_with_context, generate_route_list};
use std::sync::Arc;
use std::time::Duration;
use tower::ServiceBuilder;
use tower_http::compression::CompressionLayer;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// Every domain's routes, merged: to add a domain, add its `routes()` here. The access
/// middleware, the start-up check and the page cache are all built from this one list.
fn routes() -> Vec<Route> {
    [
        vec![Route::get("/healthz", Rule::Anyone, healthz)],
        crate::catalog::routes(),
        crate::accounts::routes(),
        crate::enrollment::routes(),
        crate::quizzes::routes(),
        crate::credit::routes(),
        crate::certificates::routes(),
        crate::transcript::routes(),
        crate::reports::routes(),
        crate::mail::routes(),
        crate::webinars::routes(),
        crate::attendance::routes(),
        crate::studio::routes(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Who may call what, route by route (for the access-matrix test and tools).
pub fn route_table() -> RouteTable {
    RouteTable::new(&routes())
}

const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// For responses that are not pages (pages set their own, with a script nonce).
const DEFAULT_CSP: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";

pub fn build_router(state: AppState) -> Router {
    let backend: SharedBackend = Arc::new(ServerBackend::new(&state));
    let context = move || {
        provide_context(backend.clone());
        // A page without an island is never hydrated: Leptos need not write its resources'
        // data into it as script (serialised, escaped, then dropped by
        // `valid_rendered_html`), which cost a tenth of a signed-in lesson page's time.
        // Only for a page: a server function's owner is not a page's root.
        if let Some(parts) = leptos::prelude::use_context::<axum::http::request::Parts>()
            && parts.method == axum::http::Method::GET
            && !parts.uri.path().starts_with("/api/")
            && !app::has_island(parts.uri.path())
            && let Some(shared) = leptos::prelude::Owner::current_shared_context()
        {
            shared.set_is_hydrating(false);
        }
    };
    let pages = generate_route_list(App);
    let declared = routes();
    let table = RouteTable::new(&declared);
    crate::access::assert_every_route_has_a_rule(
        &table,
        &pages
            .iter()
            .map(|route| route.path().to_owned())
            .collect::<Vec<_>>(),
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

    // The files of the site root (favicon, robots.txt) are served here, and Leptos' file
    // handler is only ever asked about a path that is no file, so it only renders the 404
    // page. Its file branch made a reactive owner that inherits whichever owner the worker
    // thread last left current: when that was a page still rendering, it applied that page's
    // response options to the file and took them, so the page went out without its CSP and
    // the browser blocked its scripts. (It also answers any method on a file, reading it as a
    // GET: another method on a file of the root is refused here with 405.)
    let not_found = axum::handler::Handler::with_state(
        file_and_error_handler_with_context::<AppState, _>(context.clone(), shell),
        state.clone(),
    );
    let files = ServeDir::new(&*options.site_root);
    let site_files = tower::service_fn(move |request: axum::extract::Request| {
        let (files, not_found) = (files.clone(), not_found.clone());
        async move {
            use tower::ServiceExt as _;
            let (parts, body) = request.into_parts();
            let reads = matches!(
                parts.method,
                axum::http::Method::GET | axum::http::Method::HEAD
            );
            // What a read of this path finds (with the request's own headers, so conditional
            // and range requests are answered as ServeDir answers them).
            let mut probe =
                axum::http::Request::from_parts(parts.clone(), axum::body::Body::empty());
            if !reads {
                *probe.method_mut() = axum::http::Method::GET;
            }
            let found = match files.oneshot(probe).await {
                Ok(found) => found,
                Err(never) => match never {},
            };
            if found.status() != StatusCode::NOT_FOUND {
                return Ok::<_, std::convert::Infallible>(if reads {
                    found.map(axum::body::Body::new)
                } else {
                    (
                        StatusCode::METHOD_NOT_ALLOWED,
                        [(header::ALLOW, "GET, HEAD")],
                    )
                        .into_response()
                });
            }
            not_found
                .oneshot(axum::http::Request::from_parts(parts, body))
                .await
        }
    });

    let cache = state.page_cache.clone();

    let trusted_proxies = state.trusted_proxies.clone();
    // Behind a TLS proxy the public URL is https: the cookie is then Secure and browsers are
    // told to use https only.
    let hsts = state.public_url.starts_with("https://");
    let sessions = auth::session_layer(&state.sessions, hsts);

    let mut router = Router::new();
    for route in declared {
        if let Serve::Handler(handler) = route.serve {
            router = router.route(route.path, *handler);
        }
    }
    router
        .leptos_routes_with_context(&state, pages, context.clone(), move || {
            shell(options.clone())
        })
        .nest_service("/pkg", pkg)
        .fallback_service(site_files)
        .with_state(state.clone())
        .layer(axum::middleware::from_fn(valid_rendered_html))
        .layer(axum::middleware::from_fn_with_state(
            table.clone(),
            crate::access::enforce,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::load_viewer,
        ))
        .layer(sessions)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::same_origin_only,
        ))
        .layer(axum::middleware::from_fn_with_state(
            (state, certificates::VerifyLimit::new()),
            certificates::limit_verify,
        ))
        .layer(axum::middleware::from_fn_with_state(
            trusted_proxies,
            crate::client_addr::resolve,
        ))
        .layer(axum::middleware::from_fn(canonical_paths_only))
        .layer(
            ServiceBuilder::new()
                // The span names the path, never the query: reset and invitation links carry
                // their token there.
                .layer(TraceLayer::new_for_http().make_span_with(
                    |request: &axum::http::Request<axum::body::Body>| {
                        tracing::debug_span!(
                            "request",
                            method = %request.method(),
                            path = %request.uri().path(),
                        )
                    },
                ))
                .option_layer(hsts.then(|| {
                    SetResponseHeaderLayer::overriding(
                        header::STRICT_TRANSPORT_SECURITY,
                        HeaderValue::from_static("max-age=31536000"),
                    )
                }))
                .layer(axum::middleware::from_fn_with_state(
                    table.clone(),
                    explain_too_large,
                ))
                .layer(axum::middleware::from_fn_with_state(table, limit_body))
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
        // A kept public page is answered before any other layer runs (they ran, and set
        // their headers, when it was rendered), already compressed.
        .layer(axum::middleware::from_fn_with_state(
            cache,
            crate::page_cache::serve_cached,
        ))
        // Outermost: compresses what is not compressed yet for a client that takes it (every
        // response but a kept page, which the cache answers in the client's encoding).
        .layer(CompressionLayer::new().gzip(true).br(true))
}

/// Two things Leptos 0.8 writes that are not valid HTML, set right once per rendered page
/// (pages are rendered whole, async SSR; cached pages keep the fixed bytes):
/// - `HydrationScripts` puts the script nonce into the `crossorigin` attribute of its module
///   and wasm preload links (`crossorigin="<nonce>"`; the value must be `anonymous` or
///   `use-credentials`, and the nonce does not belong in an attribute);
/// - the resource scripts come after `</html>` ("stray start tag"); they move to the end of
///   `<body>`, which runs them at the same point, before the deferred module script. A page
///   without an island (its CSP runs no script) has nothing to hand them to: they go.
async fn valid_rendered_html(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let response = next.run(request).await;
    if !crate::page_cache::is_html(response.headers()) {
        return response;
    }
    let scriptless = response
        .headers()
        .get(header::CONTENT_SECURITY_POLICY)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|csp| csp.contains("script-src 'none'"));
    let nonce = crate::page_cache::csp_nonce(response.headers());
    if !scriptless && nonce.is_none() {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let bytes = match http_body_util::BodyExt::collect(body).await {
        Ok(collected) => collected.to_bytes(),
        Err(error) => {
            tracing::error!(%error, "could not read a rendered page");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    let text = String::from_utf8_lossy(&bytes);
    let body = match nonce {
        _ if scriptless => {
            let end = text
                .rfind("</html>")
                .map_or(text.len(), |at| at + "</html>".len());
            text[..end].to_owned()
        }
        Some(nonce) => scripts_into_body(&text.replace(
            &format!("crossorigin=\"{nonce}\""),
            "crossorigin=\"anonymous\"",
        )),
        None => text.into_owned(),
    };
    Response::from_parts(parts, axum::body::Body::from(body))
}

/// Moves scripts written after `</html>` to just before `</body>`.
fn scripts_into_body(html: &str) -> String {
    let (Some(end), Some(body_end)) = (html.rfind("</html>"), html.rfind("</body>")) else {
        return html.to_owned();
    };
    let tail = &html[end + "</html>".len()..];
    let scripts = tail.trim_start_matches("<!>");
    if body_end > end || !scripts.trim_start().starts_with("<script") {
        return html.to_owned();
    }
    let mut out = String::with_capacity(html.len());
    out.push_str(&html[..body_end]);
    out.push_str(scripts);
    out.push_str(&html[body_end..end + "</html>".len()]);
    out
}

/// A path with `.` or `..` segments, an empty segment, a backslash or an encoded slash or
/// dot would reach a page under another name than the one the rate limits and the access
/// table match. Reading requests are sent to the one canonical path; others are refused.
async fn canonical_paths_only(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let path = request.uri().path();
    match canonical(path) {
        Canonical::Yes => next.run(request).await,
        Canonical::Use(clean)
            if matches!(
                *request.method(),
                axum::http::Method::GET | axum::http::Method::HEAD
            ) =>
        {
            let target = match request.uri().query() {
                Some(query) => format!("{clean}?{query}"),
                None => clean,
            };
            (StatusCode::PERMANENT_REDIRECT, [(header::LOCATION, target)]).into_response()
        }
        Canonical::Use(_) | Canonical::Refused => crate::error::page(
            StatusCode::BAD_REQUEST,
            "Address not accepted",
            "This address contains parts such as \"./\", \"../\", \"//\" or an encoded slash that this site does not accept. Type the address without them.",
        ),
    }
}

/// Whether `path` is already its one canonical form (see `canonical_paths_only`).
pub(crate) fn is_canonical(path: &str) -> bool {
    canonical(path) == Canonical::Yes
}

#[derive(Debug, PartialEq, Eq)]
enum Canonical {
    Yes,
    Use(String),
    Refused,
}

fn canonical(path: &str) -> Canonical {
    let lower = path.to_ascii_lowercase();
    if !path.starts_with('/')
        || path.contains('\\')
        || ["%2e", "%2f", "%5c", "%00"]
            .iter()
            .any(|bad| lower.contains(bad))
    {
        return Canonical::Refused;
    }
    let mut segments: Vec<&str> = Vec::new();
    let mut changed = false;
    let inner = &path[1..];
    let count = inner.split('/').count();
    for (index, segment) in inner.split('/').enumerate() {
        match segment {
            "." => changed = true,
            ".." => {
                changed = true;
                segments.pop();
            }
            // A trailing slash is a segment of its own; an empty one inside is not.
            "" if index + 1 < count => changed = true,
            other => segments.push(other),
        }
    }
    if !changed {
        return Canonical::Yes;
    }
    Canonical::Use(format!("/{}", segments.join("/")))
}

/// Refuses a body larger than its route's limit: at once when its length says so, else
/// when reading it passes the limit (the extractors then answer 413 too).
async fn limit_body(
    State(table): State<RouteTable>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let limit = table.body_limit(request.method(), request.uri().path());
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|length| length > u64::try_from(limit).unwrap_or(u64::MAX)) {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    }
    let request =
        request.map(|body| axum::body::Body::new(http_body_util::Limited::new(body, limit)));
    next.run(request).await
}

/// The body limit's bare 413 becomes a page that says what happened and what to do (a
/// browser without JavaScript shows it in place of the form).
async fn explain_too_large(
    State(table): State<RouteTable>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let request_path = request.uri().path().to_owned();
    let bulk = request_path == "/admin/certificates/bulk";
    let limit = table.body_limit(request.method(), request.uri().path());
    let response = next.run(request).await;
    if response.status() != StatusCode::PAYLOAD_TOO_LARGE {
        return response;
    }
    let advice = if bulk {
        "Split the CSV file into smaller files (about 2,000 rows each at most) and upload them one at a time."
    } else if request_path == "/studio/images" {
        "An image may be at most 5 MB: export it smaller (or as JPEG) and upload it again."
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
        limit / 1024
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

#[cfg(test)]
mod tests {
    use super::{Canonical, canonical};

    #[test]
    fn no_activity_can_take_the_name_of_a_route() {
        // A course or webinar slug is the segment after /courses/ or /webinars/: every
        // literal segment a route puts there is refused as a slug.
        for route in super::routes() {
            let mut parts = route.path.trim_start_matches('/').split('/');
            let (first, second) = (parts.next(), parts.next());
            match (first, second) {
                (Some("courses"), Some(segment)) => assert!(
                    segment.starts_with('{'),
                    "{}: a course could be called {segment}",
                    route.path
                ),
                (Some("webinars"), Some(segment)) if !segment.starts_with('{') => assert!(
                    crate::webinars::format::is_reserved(segment),
                    "{}: add {segment} to the webinars' reserved names",
                    route.path
                ),
                _ => {}
            }
        }
    }

    #[test]
    fn trailing_scripts_move_into_the_body() {
        assert_eq!(
            super::scripts_into_body(
                "<html><body><p>x</p></body><!></html><!><script>a</script><script>b</script>"
            ),
            "<html><body><p>x</p><script>a</script><script>b</script></body><!></html>"
        );
        let plain = "<html><body></body></html>";
        assert_eq!(super::scripts_into_body(plain), plain);
    }

    #[test]
    fn paths_are_canonical_or_made_so() {
        assert_eq!(canonical("/verify/ABC"), Canonical::Yes);
        assert_eq!(canonical("/"), Canonical::Yes);
        assert_eq!(canonical("/courses/"), Canonical::Yes);
        assert_eq!(
            canonical("/./verify/ABC"),
            Canonical::Use("/verify/ABC".into())
        );
        assert_eq!(
            canonical("/x/../verify/ABC"),
            Canonical::Use("/verify/ABC".into())
        );
        assert_eq!(canonical("/../../etc"), Canonical::Use("/etc".into()));
        assert_eq!(
            canonical("//evil.example"),
            Canonical::Use("/evil.example".into())
        );
        assert_eq!(canonical("/verify/%2e%2e/x"), Canonical::Refused);
        assert_eq!(canonical("/a%2Fb"), Canonical::Refused);
        assert_eq!(canonical("/a\\b"), Canonical::Refused);
    }
}
