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
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, RwLock};

/// The memory the kept pages may take; beyond it the oldest page is dropped first.
const BYTE_BUDGET: usize = 64 * 1024 * 1024;
/// Pages larger than this are not kept.
const MAX_BODY: usize = 512 * 1024;
/// Longer paths are never real pages of the catalog (slugs are short): not kept.
const MAX_KEY: usize = 256;

#[derive(Clone)]
struct Entry {
    generation: u64,
    /// The day it was rendered on: the catalog hides activities after their expiry date, so
    /// a page is not served past the day it was made.
    day: i64,
    headers: HeaderMap,
    body: Bytes,
    /// The nonce the page was rendered with; replaced by a fresh one on every hit.
    nonce: Option<String>,
}

impl Entry {
    fn size(&self, key: &str) -> usize {
        key.len() + self.body.len() + self.headers.len() * 64
    }
}

#[derive(Default)]
struct Pages {
    entries: HashMap<String, Entry>,
    /// Keys in the order they were kept: the first is dropped first.
    order: VecDeque<String>,
    bytes: usize,
}

/// How much the cache holds (for tests and operators).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stats {
    pub pages: usize,
    pub bytes: usize,
}

#[derive(Clone)]
pub struct PageCache {
    pages: Arc<RwLock<Pages>>,
    catalog: Arc<CatalogService>,
    routes: RouteTable,
    budget: usize,
}

impl PageCache {
    pub fn new(catalog: Arc<CatalogService>, routes: RouteTable) -> Self {
        Self::with_budget(catalog, routes, BYTE_BUDGET)
    }

    pub fn with_budget(catalog: Arc<CatalogService>, routes: RouteTable, budget: usize) -> Self {
        Self {
            pages: Arc::default(),
            catalog,
            routes,
            budget,
        }
    }

    pub fn stats(&self) -> Stats {
        self.pages
            .read()
            .map_or(Stats { pages: 0, bytes: 0 }, |p| Stats {
                pages: p.entries.len(),
                bytes: p.bytes,
            })
    }

    fn get(&self, key: &str) -> Option<Entry> {
        let generation = self.catalog.generation();
        let pages = self.pages.read().ok()?;
        pages
            .entries
            .get(key)
            .filter(|e| e.generation == generation && e.day == today())
            .cloned()
    }

    fn put(&self, key: String, entry: Entry) {
        let size = entry.size(&key);
        if size > self.budget {
            return;
        }
        let Ok(mut pages) = self.pages.write() else {
            return;
        };
        let generation = self.catalog.generation();
        if pages.entries.values().any(|e| e.generation != generation) {
            *pages = Pages::default();
        }
        if let Some(old) = pages.entries.remove(&key) {
            pages.bytes -= old.size(&key);
            pages.order.retain(|k| k != &key);
        }
        while pages.bytes + size > self.budget {
            let Some(oldest) = pages.order.pop_front() else {
                break;
            };
            if let Some(old) = pages.entries.remove(&oldest) {
                pages.bytes -= old.size(&oldest);
            }
        }
        pages.bytes += size;
        pages.order.push_back(key.clone());
        pages.entries.insert(key, entry);
    }
}

/// Only anonymous GETs of routes marked cacheable, keyed on the path alone: a request
/// carrying cookies or credentials may see a personal page, and one with a query string (a
/// filter, `?next=`, or anything a client makes up) is rendered each time, so made-up URLs
/// cannot fill the cache.
fn cache_key(routes: &RouteTable, request: &Request) -> Option<String> {
    let path = request.uri().path();
    let cacheable = request.method() == Method::GET
        && request.uri().query().is_none()
        && path.len() <= MAX_KEY
        && !request.headers().contains_key(header::COOKIE)
        && !request.headers().contains_key(header::AUTHORIZATION)
        && routes.cacheable(path);
    cacheable.then(|| path.to_owned())
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

    // The catalog this page is rendered from: a reload while it renders (another server
    // published) must not file the old page under the new catalog.
    let generation = cache.catalog.generation();
    let response = next.run(request).await;
    let is_html = is_html(response.headers());
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
    if body.len() <= MAX_BODY && cache.catalog.generation() == generation {
        let nonce = csp_nonce(&parts.headers);
        let mut headers = parts.headers.clone();
        headers.remove(header::DATE);
        headers.remove(header::CONTENT_LENGTH);
        cache.put(
            key,
            Entry {
                generation,
                day: today(),
                headers,
                body: body.clone(),
                nonce,
            },
        );
    }
    Response::from_parts(parts, Body::from(body))
}

/// Whether a response is an HTML page.
pub(crate) fn is_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"))
}

/// The script nonce a page was rendered with, read from its CSP header.
pub(crate) fn csp_nonce(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::CONTENT_SECURITY_POLICY)
        .and_then(|v| v.to_str().ok())
        .and_then(|csp| csp.split("'nonce-").nth(1))
        .and_then(|rest| rest.split('\'').next())
        .map(str::to_owned)
}

/// Days since the epoch, by the site's one clock.
fn today() -> i64 {
    crate::clock::now_secs().div_euclid(86_400)
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
