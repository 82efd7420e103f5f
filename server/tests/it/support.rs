//! `TestApp`: a fresh database in a temp folder, the demo content (or a copy), the real router.

use axum::Router;
use axum::body::Body;
use http::{HeaderMap, Request, StatusCode};
use http_body_util::BodyExt;
use server::{AppState, Settings, build_router, start};
use std::path::{Path, PathBuf};
use tower::ServiceExt;

pub struct TestApp {
    pub router: Router,
    pub state: AppState,
    pub dir: tempfile::TempDir,
}

pub struct Page {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
    /// The body as sent (for binary responses such as PDFs).
    pub raw: Vec<u8>,
}

/// The public URL test apps run under; form posts come from here.
pub const ORIGIN: &str = "http://localhost";

pub fn demo_content() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../content")
}

impl TestApp {
    pub async fn new() -> Self {
        Self::with_content(&demo_content()).await
    }

    pub async fn with_content(content: &Path) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let state = Self::start_on(dir.path(), content).await;
        Self {
            router: build_router(state.clone()),
            state,
            dir,
        }
    }

    /// Starts the app again on an existing folder's database, as a restart would.
    pub async fn start_on(dir: &Path, content: &Path) -> AppState {
        let settings = Settings {
            database_url: format!("sqlite:{}", dir.join("grandrounds.db").display()),
            content_dir: content.to_path_buf(),
            site_root: dir.join("site"),
            public_url: ORIGIN.to_owned(),
            provider: "Grand Rounds".to_owned(),
            trusted_proxies: Vec::new(),
            password_cost: server::accounts::password::HashCost::Fast,
        };
        start(&settings).await.expect("app starts")
    }

    pub async fn request(&self, request: Request<Body>) -> Page {
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("router answers");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        Page {
            status,
            headers,
            // Hydration markers (`<!>`) sit between dynamic parts; their placement depends on
            // build flags, and assertions are about what a reader sees.
            body: String::from_utf8_lossy(&bytes).replace("<!>", ""),
            raw: bytes.to_vec(),
        }
    }

    pub async fn get(&self, path: &str) -> Page {
        self.request(Request::get(path).body(Body::empty()).expect("request"))
            .await
    }
}

impl TestApp {
    /// GET with a session cookie.
    pub async fn get_as(&self, path: &str, cookie: &str) -> Page {
        self.request(
            Request::get(path)
                .header("cookie", cookie)
                .body(Body::empty())
                .expect("request"),
        )
        .await
    }

    /// A browser form post from this site's own page.
    pub async fn post_form(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        cookie: Option<&str>,
    ) -> Page {
        let body = fields
            .iter()
            .map(|(k, v)| format!("{}={}", urlencode(k), urlencode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let mut request = Request::post(path)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("origin", ORIGIN);
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }
        self.request(request.body(Body::from(body)).expect("request"))
            .await
    }
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            b' ' => "+".to_owned(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

impl Page {
    /// The `name=value` part of the session cookie this response set, if any.
    pub fn session_cookie(&self) -> Option<String> {
        self.set_cookie()
            .map(|c| c.split(';').next().unwrap_or_default().to_owned())
    }

    /// The whole Set-Cookie header for the session cookie.
    pub fn set_cookie(&self) -> Option<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with("gr_session="))
            .map(str::to_owned)
    }

    pub fn location(&self) -> &str {
        self.header("location")
    }

    /// Byte offset of `needle` in the body, failing the test with the page if absent.
    pub fn position(&self, needle: &str) -> usize {
        self.body
            .find(needle)
            .unwrap_or_else(|| panic!("{needle:?} not found in page:\n{}", self.body))
    }

    pub fn assert_contains(&self, needle: &str) {
        self.position(needle);
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_else(|| panic!("missing header {name}"))
    }
}

/// Copies a content folder so a test can change it.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}
