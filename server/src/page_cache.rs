//! Rendered pages kept for anonymous readers. Published content only changes when the
//! catalog is reloaded, so a lesson rendered once can be served again without running the
//! view code. Opt-in: only routes a domain marks [`crate::access::Route::cached`] are kept.
//!
//! The cache is the outermost layer: a page it holds is answered before any other layer runs
//! (they ran when it was rendered: the kept headers are those the whole stack sent), already
//! compressed in the encoding the client takes (gzip and brotli, made once when kept).
//! Only pages without a script nonce are kept (no page with an island is public), so a kept
//! page is served byte for byte.

use crate::access::RouteTable;
use crate::catalog::CatalogService;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, RwLock};

/// The memory the kept pages may take; beyond it the oldest page is dropped first.
const BYTE_BUDGET: usize = 64 * 1024 * 1024;
/// Pages larger than this are not kept.
const MAX_BODY: usize = 512 * 1024;
/// Longer paths are never real pages of the catalog (slugs are short): not kept.
const MAX_KEY: usize = 256;

struct Entry {
    generation: u64,
    /// The day it was rendered on: the catalog hides activities after their expiry date, so
    /// a page is not served past the day it was made.
    day: i64,
    /// The headers the whole stack sent with the uncompressed page.
    headers: HeaderMap,
    identity: Bytes,
    gzip: Bytes,
    br: Bytes,
}

impl Entry {
    fn size(&self, key: &str) -> usize {
        key.len() + self.identity.len() + self.gzip.len() + self.br.len() + self.headers.len() * 64
    }

    /// The kept page in the encoding the client takes.
    fn answer(&self, encoding: Encoding) -> Response {
        let (body, name) = match encoding {
            Encoding::Brotli => (self.br.clone(), Some("br")),
            Encoding::Gzip => (self.gzip.clone(), Some("gzip")),
            Encoding::Identity => (self.identity.clone(), None),
        };
        let mut response = Response::new(Body::from(body));
        let headers = response.headers_mut();
        *headers = self.headers.clone();
        headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        if let Some(name) = name {
            headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(name));
        }
        response
    }
}

/// What a client takes, by its `Accept-Encoding`: brotli first, then gzip; a coding with
/// `q=0` is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encoding {
    Brotli,
    Gzip,
    Identity,
}

impl Encoding {
    fn accepted(headers: &HeaderMap) -> Encoding {
        let (mut br, mut gzip) = (false, false);
        for value in headers.get_all(header::ACCEPT_ENCODING) {
            let Ok(value) = value.to_str() else { continue };
            for item in value.split(',') {
                let mut parts = item.split(';');
                let name = parts.next().unwrap_or_default().trim();
                // `q=0` refuses a coding; a weight that is not a number from 0 to 1 is
                // taken as a refusal too.
                let refused = parts.any(|p| {
                    let Some((name, value)) = p.split_once('=') else {
                        return false;
                    };
                    name.trim().eq_ignore_ascii_case("q")
                        && !value
                            .trim()
                            .parse::<f32>()
                            .is_ok_and(|q| q > 0.0 && q <= 1.0)
                });
                if name.eq_ignore_ascii_case("br") {
                    br = !refused;
                } else if name.eq_ignore_ascii_case("gzip") {
                    gzip = !refused;
                }
            }
        }
        if br {
            Encoding::Brotli
        } else if gzip {
            Encoding::Gzip
        } else {
            Encoding::Identity
        }
    }
}

#[derive(Default)]
struct Pages {
    entries: HashMap<String, Arc<Entry>>,
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
    /// One render at a time per page: the others wait for it and are answered from the cache
    /// (after midnight or a publish every page is missing at once).
    rendering: Arc<std::sync::Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>>,
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
            rendering: Arc::default(),
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

    fn get(&self, key: &str) -> Option<Arc<Entry>> {
        let generation = self.catalog.generation();
        let pages = self.pages.read().ok()?;
        pages
            .entries
            .get(key)
            .filter(|e| e.generation == generation && e.day == today())
            .cloned()
    }

    fn put(&self, key: String, entry: Arc<Entry>) {
        let size = entry.size(&key);
        if size > self.budget {
            return;
        }
        let Ok(mut pages) = self.pages.write() else {
            return;
        };
        let generation = self.catalog.generation();
        // Rendered from a catalog that has since been reloaded: not kept.
        if entry.generation != generation {
            return;
        }
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

/// Only anonymous GETs of routes marked cacheable, at their one canonical path, keyed on the
/// path alone: a request carrying cookies or credentials may see a personal page, and one with
/// a query string (a filter, `?next=`, or anything a client makes up) is rendered each time,
/// so made-up URLs cannot fill the cache.
fn cache_key(routes: &RouteTable, request: &Request) -> Option<String> {
    let path = request.uri().path();
    let cacheable = request.method() == Method::GET
        && request.uri().query().is_none()
        && path.len() <= MAX_KEY
        && path_is_plain(path)
        && !request.headers().contains_key(header::COOKIE)
        && !request.headers().contains_key(header::AUTHORIZATION)
        && crate::http::is_canonical(path)
        && routes.cacheable(path);
    cacheable.then(|| path.to_owned())
}

/// Only the characters slugs are made of: `/courses/%74elehealth…` reaches the same page as
/// `/courses/telehealth…` (the router decodes it), and each spelling would be another key to
/// render and compress.
fn path_is_plain(path: &str) -> bool {
    path.bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'/')
}

/// The outermost layer: a kept page is answered at once; any other page the cache may keep is
/// rendered by the whole stack as for a client that takes no compression, kept with its gzip
/// and brotli forms, and answered in the client's encoding.
pub async fn serve_cached(
    State(cache): State<PageCache>,
    request: Request,
    next: Next,
) -> Response {
    let Some(key) = cache_key(&cache.routes, &request) else {
        return next.run(request).await;
    };
    let encoding = Encoding::accepted(request.headers());
    if let Some(entry) = cache.get(&key) {
        return entry.answer(encoding);
    }
    let turn = {
        let Ok(mut rendering) = cache.rendering.lock() else {
            return next.run(request).await;
        };
        rendering.entry(key.clone()).or_default().clone()
    };
    let _turn = turn.lock().await;
    let response = render_and_keep(&cache, &key, encoding, request, next).await;
    if let Ok(mut rendering) = cache.rendering.lock() {
        rendering.remove(&key);
    }
    response
}

async fn render_and_keep(
    cache: &PageCache,
    key: &str,
    encoding: Encoding,
    mut request: Request,
    next: Next,
) -> Response {
    // Another request for this page may have kept it while this one waited its turn.
    if let Some(entry) = cache.get(key) {
        return entry.answer(encoding);
    }
    // The catalog and the day this page is rendered from: a reload while it renders (another
    // server published) must not file the old page under the new catalog, nor a page made
    // before midnight under the new day.
    let generation = cache.catalog.generation();
    let day = today();
    request.headers_mut().remove(header::ACCEPT_ENCODING);
    let response = next.run(request).await;
    if response.status() != StatusCode::OK
        || !is_html(response.headers())
        || response.headers().contains_key(header::SET_COOKIE)
        || csp_nonce(response.headers()).is_some()
    {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let body = match body.collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(error) => {
            tracing::error!(%error, "could not read a rendered page");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    if body.len() > MAX_BODY || cache.catalog.generation() != generation {
        return Response::from_parts(parts, Body::from(body));
    }
    parts.headers.remove(header::DATE);
    parts.headers.remove(header::CONTENT_LENGTH);
    let identity = body.clone();
    let compressed =
        tokio::task::spawn_blocking(move || (gzip(&identity), brotli(&identity))).await;
    let Ok((Ok(gzip), Ok(br))) = compressed else {
        tracing::error!("could not compress a rendered page");
        return Response::from_parts(parts, Body::from(body));
    };
    let entry = Arc::new(Entry {
        generation,
        day,
        headers: parts.headers,
        identity: body,
        gzip,
        br,
    });
    cache.put(key.to_owned(), entry.clone());
    entry.answer(encoding)
}

fn gzip(body: &[u8]) -> std::io::Result<Bytes> {
    use std::io::Write as _;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(body)?;
    Ok(Bytes::from(encoder.finish()?))
}

/// Brotli at its best quality: done once per page and catalog, read many times.
fn brotli(body: &[u8]) -> std::io::Result<Bytes> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 22,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &body[..], &mut out, &params)?;
    Ok(Bytes::from(out))
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
