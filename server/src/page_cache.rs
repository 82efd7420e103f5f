//! Rendered pages kept for anonymous readers. Published content only changes when the
//! catalog is reloaded, so a lesson rendered once can be served again without running the
//! view code; each response still gets its own CSP nonce, swapped into the stored HTML.
//! Opt-in: only routes a domain marks [`crate::access::Route::cached`] are kept.

use crate::access::RouteTable;
use crate::catalog::CatalogService;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use http_body_util::BodyExt;
use rand::RngCore as _;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

/// Enough for every page of a large catalog; beyond it pages are rendered per request.
const MAX_ENTRIES: usize = 2048;
/// Pages larger than this are not kept.
const MAX_BODY: usize = 512 * 1024;

#[derive(Clone)]
struct Entry {
    generation: u64,
    headers: HeaderMap,
    body: Bytes,
    /// The nonce the page was rendered with; replaced by a fresh one on every hit.
    nonce: Option<String>,
}

#[derive(Clone)]
pub struct PageCache {
    entries: Arc<RwLock<HashMap<String, Entry>>>,
    catalog: Arc<CatalogService>,
    routes: RouteTable,
}

impl PageCache {
    pub fn new(catalog: Arc<CatalogService>, routes: RouteTable) -> Self {
        Self {
            entries: Arc::default(),
            catalog,
            routes,
        }
    }

    fn get(&self, key: &str) -> Option<Entry> {
        let generation = self.catalog.generation();
        let entries = self.entries.read().ok()?;
        entries
            .get(key)
            .filter(|e| e.generation == generation)
            .cloned()
    }

    fn put(&self, key: String, entry: Entry) {
        if let Ok(mut entries) = self.entries.write() {
            let generation = self.catalog.generation();
            entries.retain(|_, e| e.generation == generation);
            if entries.len() < MAX_ENTRIES {
                entries.insert(key, entry);
            }
        }
    }
}

/// Only anonymous GETs of routes marked cacheable: a request carrying cookies or
/// credentials may see a personal page and always goes to the renderer.
fn cache_key(routes: &RouteTable, request: &Request) -> Option<String> {
    let cacheable = request.method() == Method::GET
        && !request.headers().contains_key(header::COOKIE)
        && !request.headers().contains_key(header::AUTHORIZATION)
        && routes.cacheable(request.uri().path());
    cacheable.then(|| request.uri().to_string())
}

pub async fn serve_cached(
    State(cache): State<PageCache>,
    request: Request,
    next: Next,
) -> Response {
    let Some(key) = cache_key(&cache.routes, &request) else {
        return next.run(request).await;
    };
    if let Some(entry) = cache.get(&key) {
        return replay(entry);
    }

    let response = next.run(request).await;
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if response.status() != StatusCode::OK
        || !is_html
        || response.headers().contains_key(header::SET_COOKIE)
    {
        return response;
    }
    let (parts, body) = response.into_parts();
    let body = match body.collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(error) => {
            tracing::error!(%error, "could not read a rendered page");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    if body.len() <= MAX_BODY {
        let nonce = parts
            .headers
            .get(header::CONTENT_SECURITY_POLICY)
            .and_then(|v| v.to_str().ok())
            .and_then(|csp| csp.split("'nonce-").nth(1))
            .and_then(|rest| rest.split('\'').next())
            .map(str::to_owned);
        let mut headers = parts.headers.clone();
        headers.remove(header::DATE);
        headers.remove(header::CONTENT_LENGTH);
        cache.put(
            key,
            Entry {
                generation: cache.catalog.generation(),
                headers,
                body: body.clone(),
                nonce,
            },
        );
    }
    Response::from_parts(parts, Body::from(body))
}

fn replay(entry: Entry) -> Response {
    let Entry {
        mut headers,
        body,
        nonce,
        ..
    } = entry;
    let body = match nonce {
        None => body,
        Some(old) => {
            let fresh = fresh_nonce();
            if let Some(csp) = headers
                .get(header::CONTENT_SECURITY_POLICY)
                .and_then(|v| v.to_str().ok())
                .map(|csp| csp.replace(&old, &fresh))
                .and_then(|csp| HeaderValue::from_str(&csp).ok())
            {
                headers.insert(header::CONTENT_SECURITY_POLICY, csp);
            }
            Bytes::from(String::from_utf8_lossy(&body).replace(&old, &fresh))
        }
    };
    let mut response = Response::new(Body::from(body));
    *response.headers_mut() = headers;
    response
}

/// 128 random bits, URL-safe base64, as Leptos makes them.
fn fresh_nonce() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}
