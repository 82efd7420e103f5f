//! `TestApp`: a fresh database in a temp folder, the demo content (or a copy), the real
//! router; signed-in users in the states the tests need (registered, enrolled, finished,
//! claimed); and the helpers every test file shares.

use app::accounts::{Profession, Role};
use axum::Router;
use axum::body::Body;
use http::{HeaderMap, Request, StatusCode};
use http_body_util::BodyExt;
use server::accounts::store::{self, NewUser, ProfileUpdate};
use server::quizzes::Quiz;
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

/// Every test account's password.
pub const PASSWORD: &str = "river lantern quietly";
/// The demo course most tests study.
pub const COURSE: &str = "telehealth-for-clinical-teams";

/// A signed-in user of a test app.
#[derive(Debug, Clone)]
pub struct User {
    pub id: i64,
    /// The `name=value` session cookie their requests carry.
    pub cookie: String,
}

/// The throwaway PostgreSQL cluster the test command starts (`.ci/with-postgres` and
/// `.ci/test` export `GRANDROUNDS_TEST_POSTGRES`, its superuser's URL). Tests that need
/// PostgreSQL whatever the suite runs on (the schema comparison, the copy between the two)
/// fail without it, saying how to start one; they never skip.
pub fn postgres_admin_url() -> String {
    std::env::var("GRANDROUNDS_TEST_POSTGRES")
        .ok()
        .filter(|url| !url.trim().is_empty())
        .unwrap_or_else(|| {
            panic!(
                "this test needs PostgreSQL: run the suite through `bash .ci/test`, or \
                 `bash .ci/with-postgres cargo nextest run`, which start a throwaway cluster"
            )
        })
}

/// Whether the suite runs on PostgreSQL (`GRANDROUNDS_TEST_DATABASE=postgres`) or on SQLite
/// (the default).
pub fn on_postgres() -> bool {
    std::env::var("GRANDROUNDS_TEST_DATABASE").is_ok_and(|db| db.trim() == "postgres")
}

/// The database of the test folder `dir`: a SQLite file in it, or on PostgreSQL a fresh
/// database made for it (its URL kept in the folder, so a restart finds the same one). A
/// cluster that cannot be reached fails the test; it never falls back.
pub async fn database_for(dir: &Path) -> String {
    if !on_postgres() {
        return format!("sqlite:{}", dir.join("grandrounds.db").display());
    }
    let kept = dir.join("database-url");
    if let Ok(url) = std::fs::read_to_string(&kept) {
        return url;
    }
    let url = fresh_postgres_database(&postgres_admin_url()).await;
    std::fs::write(&kept, &url).expect("keep the database URL");
    url
}

/// Creates an empty database on the cluster at `admin` and returns its URL.
pub async fn fresh_postgres_database(admin: &str) -> String {
    use sqlx::Connection as _;
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let name = format!(
        "t_{}_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |t| t.subsec_nanos())
    );
    let mut connection = sqlx::PgConnection::connect(admin)
        .await
        .unwrap_or_else(|error| {
            panic!("GRANDROUNDS_TEST_POSTGRES={admin} cannot be reached: {error}")
        });
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut connection)
        .await
        .expect("create a test database");
    let (base, _) = admin.rsplit_once('/').expect("the URL names a database");
    format!("{base}/{name}")
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
        Self::with_settings(|_| {}, content).await
    }

    /// A test app whose settings `change` adjusts first (a public URL, proxies).
    pub async fn with_settings(change: impl FnOnce(&mut Settings), content: &Path) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut settings = Self::settings(dir.path(), content).await;
        change(&mut settings);
        let state = start(&settings).await.expect("app starts");
        Self {
            router: build_router(state.clone()),
            state,
            dir,
        }
    }

    pub async fn settings(dir: &Path, content: &Path) -> Settings {
        Settings {
            database_url: database_for(dir).await,
            content_dir: content.to_path_buf(),
            site_root: dir.join("site"),
            public_url: ORIGIN.to_owned(),
            provider: "Grand Rounds".to_owned(),
            trusted_proxies: Vec::new(),
            password_cost: server::accounts::password::HashCost::Fast,
            key_dir: dir.join("keys"),
            import_content: true,
            mail: server::mail::MailSettings {
                smtp_url: None,
                outbox_dir: dir.join("outbox"),
                from: None,
            },
        }
    }

    /// Starts the app again on an existing folder's database, as a restart would.
    pub async fn start_on(dir: &Path, content: &Path) -> AppState {
        start(&Self::settings(dir, content).await)
            .await
            .expect("app starts")
    }

    /// The URL of this app's database (as `--database-url` takes it).
    pub fn database_url(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("database-url")).unwrap_or_else(|_| {
            format!(
                "sqlite:{}",
                self.dir.path().join("grandrounds.db").display()
            )
        })
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
            // build flags, and assertions are about what a reader sees: not the rule names of
            // the stylesheet part every page carries in its head (`raw` keeps it).
            body: String::from_utf8_lossy(&bytes)
                .replace(app::first_paint::CSS.as_str(), "")
                .replace("<!>", ""),
            raw: bytes.to_vec(),
        }
    }

    /// Serves this app through the real connection loop (`server::serve`) with `limits` on
    /// a free port, until the test ends.
    pub async fn serve_with(&self, limits: server::serve::Limits) -> std::net::SocketAddr {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let address = listener.local_addr().expect("address");
        tokio::spawn(server::serve::serve(
            listener,
            self.router.clone(),
            limits,
            std::future::pending(),
        ));
        address
    }

    pub async fn get(&self, path: &str) -> Page {
        self.request(Request::get(path).body(Body::empty()).expect("request"))
            .await
    }
}

/// Users, through the same forms a browser uses (accounts of other roles are made in the
/// store, as `grandrounds user add` would, then sign in through the form).
impl TestApp {
    pub async fn count(&self, sql: &str) -> i64 {
        sqlx::query_scalar(sql)
            .fetch_one(&self.state.pool)
            .await
            .expect("count")
    }

    async fn id_of(&self, email: &str) -> i64 {
        sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
            .bind(email)
            .fetch_one(&self.state.pool)
            .await
            .expect("the user exists")
    }

    /// Registers through the form as "Ana Silva" of `profession` (a slug), signed in.
    pub async fn register_as(&self, email: &str, profession: &str) -> User {
        let page = self
            .post_form(
                "/account/register",
                &[
                    ("email", email),
                    ("password", PASSWORD),
                    ("full_name", "Ana Silva"),
                    ("profession", profession),
                ],
                None,
            )
            .await;
        assert_eq!(
            page.location(),
            "/login",
            "{email} registers: {}",
            page.body
        );
        assert!(
            page.session_cookie().is_none(),
            "registering signs no one in"
        );
        // Every test account comes from one address; the per-address registration limit
        // has its own test (audit.rs) and must not cap how many accounts a test can make.
        sqlx::query("DELETE FROM login_throttle WHERE key LIKE 'register:%'")
            .execute(&self.state.pool)
            .await
            .expect("reset the registration count");
        let signed_in = self.confirm_address(email).await;
        User {
            id: self.id_of(email).await,
            cookie: signed_in.session_cookie().expect("a session cookie"),
        }
    }

    /// Follows the confirmation link mailed to `email` (read from the outbox, then taken out
    /// of it, so tests that count messages count their own; the confirmation's own tests
    /// read it through the mail folder) and signs in with it and [`PASSWORD`], which
    /// confirms the address. The sign-in's answer: a redirect with the session cookie.
    pub async fn confirm_address(&self, email: &str) -> Page {
        let email = email.to_lowercase();
        let (id, raw): (i64, Vec<u8>) = sqlx::query_as(
            "SELECT id, raw FROM outbox WHERE kind = 'address-confirmation' AND recipient LIKE $1 \
             ORDER BY id DESC LIMIT 1",
        )
        .bind(format!("%{email}%"))
        .fetch_one(&self.state.pool)
        .await
        .unwrap_or_else(|e| panic!("no confirmation message to {email}: {e}"));
        let text =
            crate::smtp::part(&String::from_utf8_lossy(&raw), "text/plain").expect("a text part");
        let public = self.state.public_url.trim_end_matches('/').to_owned();
        let link = crate::smtp::link(&text, &format!("{public}/confirm-address?token="));
        let token = link.split("token=").nth(1).expect("a token").to_owned();
        let page = self.get(link.trim_start_matches(&public)).await;
        assert_eq!(page.location(), format!("/login?confirm={token}"), "{link}");
        sqlx::query("DELETE FROM outbox WHERE id = $1")
            .bind(id)
            .execute(&self.state.pool)
            .await
            .expect("take the message out");
        let signed_in = self
            .post_form(
                "/account/login",
                &[
                    ("email", email.as_str()),
                    ("password", PASSWORD),
                    ("confirm", token.as_str()),
                ],
                None,
            )
            .await;
        assert_eq!(signed_in.location(), "/account", "{link}");
        assert_eq!(
            self.count(&format!(
                "SELECT COUNT(*) FROM users WHERE email = '{email}' AND email_confirmed_at IS NOT NULL"
            ))
            .await,
            1,
            "{email} is confirmed ({link})"
        );
        signed_in
    }

    /// A nurse, registered and signed in, enrolled in nothing.
    pub async fn learner(&self, email: &str) -> User {
        self.register_as(email, "nurse").await
    }

    /// A learner of `profession` enrolled in [`COURSE`].
    pub async fn enrolled(&self, email: &str, profession: &str) -> User {
        let user = self.register_as(email, profession).await;
        let enrolled = self
            .post_form(
                "/learning/enroll",
                &[("course", COURSE)],
                Some(&user.cookie),
            )
            .await;
        assert_eq!(enrolled.location(), format!("/courses/{COURSE}"));
        user
    }

    /// A learner of `profession` enrolled in [`COURSE`] who took the pre-test and completed
    /// every lesson: the post-test is open.
    pub async fn studied(&self, email: &str, profession: &str) -> User {
        let user = self.enrolled(email, profession).await;
        study(self, &user.cookie).await;
        user
    }

    /// A nurse who completed every lesson of [`COURSE`], passed its post-test and submitted
    /// the evaluation: ready to claim.
    pub async fn finished(&self, email: &str) -> User {
        let user = self.enrolled(email, "nurse").await;
        finish_course(self, &user.cookie).await;
        user
    }

    /// A nurse who claimed 0.75 contact hours for [`COURSE`]: one certificate issued.
    pub async fn claimed(&self, email: &str) -> User {
        let user = self.finished(email).await;
        let page = claim(self, &user.cookie).await;
        assert_eq!(page.location(), format!("/learning/{COURSE}/credit"));
        user
    }

    /// An account with `role`, made in the store, then signed in through the form.
    pub async fn user(&self, email: &str, role: Role) -> User {
        let hash = self.state.hasher.hash(PASSWORD.into()).await.expect("hash");
        let user = NewUser {
            email: email.into(),
            password_hash: hash,
            full_name: format!("{role} user"),
            profession: Profession::Physician,
            role,
        };
        let id = store::create_with_profile(&self.state.pool, &user, &ProfileUpdate::default())
            .await
            .expect("create");
        User {
            id,
            cookie: self.sign_in(email).await,
        }
    }

    /// Signs in through the form (a new session each time) and returns its cookie.
    pub async fn sign_in(&self, email: &str) -> String {
        let page = self
            .post_form(
                "/account/login",
                &[("email", email), ("password", PASSWORD)],
                None,
            )
            .await;
        assert_eq!(page.location(), "/account", "{email} signs in");
        page.session_cookie().expect("cookie")
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
        let origin = self.state.public_url.trim_end_matches('/').to_owned();
        let mut request = Request::post(path)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("origin", origin);
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }
        self.request(request.body(Body::from(body)).expect("request"))
            .await
    }
}

impl TestApp {
    /// A `multipart/form-data` post, as a browser sends a form with a file input: the
    /// `fields` in order, then the file (if any) as the field `file`.
    pub async fn post_multipart(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        file: Option<(&str, &[u8])>,
        cookie: Option<&str>,
    ) -> Page {
        const BOUNDARY: &str = "----grandrounds-test-boundary-7d3f";
        let mut body: Vec<u8> = Vec::new();
        for (name, value) in fields {
            body.extend_from_slice(
                format!(
                    "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                )
                .as_bytes(),
            );
        }
        if let Some((file_name, bytes)) = file {
            body.extend_from_slice(
                format!(
                    "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: text/csv\r\n\r\n"
                )
                .as_bytes(),
            );
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
        let mut request = Request::post(path)
            .header(
                "content-type",
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
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

    /// The cookies this response set (not those it cleared), as a `Cookie` header: the
    /// session and, for an anonymous visitor, the form-state cookie.
    pub fn cookies(&self) -> Option<String> {
        let pairs: Vec<String> = self
            .headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter(|c| !c.contains("Max-Age=0"))
            .filter_map(|c| c.split(';').next().map(str::to_owned))
            .collect();
        (!pairs.is_empty()).then(|| pairs.join("; "))
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

// Quizzes, as a learner takes them.

pub async fn stored_quiz(app: &TestApp, kind: &str) -> Quiz {
    stored_quiz_in(&app.state.pool, kind).await
}

/// [`stored_quiz`] from any pool on the test database.
pub async fn stored_quiz_in(pool: &server::db::Pool, kind: &str) -> Quiz {
    let definition: String = sqlx::query_scalar(
        "SELECT q.definition FROM quiz_revisions q JOIN course_revisions r ON r.id = q.revision_id \
         JOIN courses c ON c.id = r.course_id WHERE c.slug = $1 AND q.kind = $2 ORDER BY r.number DESC LIMIT 1",
    )
    .bind(COURSE)
    .bind(kind)
    .fetch_one(pool)
    .await
    .expect("quiz stored");
    serde_json::from_str(&definition).expect("quiz definition")
}

/// Every correct `(field, option)` pair, or every wrong one when `right` is false.
pub fn answers(quiz: &Quiz, right: bool) -> Vec<(String, String)> {
    quiz.questions
        .iter()
        .flat_map(|q| {
            let picked: Vec<_> = if right {
                q.options.iter().filter(|o| o.correct).collect()
            } else {
                q.options.iter().filter(|o| !o.correct).take(1).collect()
            };
            picked
                .into_iter()
                .map(|o| (format!("q-{}", q.id), o.id.clone()))
        })
        .collect()
}

pub fn token(body: &str) -> String {
    let start = body
        .find("name=\"token\" value=\"")
        .expect("the quiz form carries a token")
        + "name=\"token\" value=\"".len();
    body[start..]
        .split('"')
        .next()
        .expect("token value")
        .to_owned()
}

pub async fn open_quiz(app: &TestApp, cookie: &str, kind: &str) -> String {
    let page = app
        .get_as(&format!("/learning/{COURSE}/quiz/{kind}"), cookie)
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    token(&page.body)
}

pub async fn submit(
    app: &TestApp,
    cookie: &str,
    token: &str,
    answers: &[(String, String)],
) -> crate::support::Page {
    let mut fields: Vec<(&str, &str)> = vec![("token", token)];
    fields.extend(answers.iter().map(|(q, o)| (q.as_str(), o.as_str())));
    app.post_form("/learning/quiz", &fields, Some(cookie)).await
}

/// What the post-test waits for: the pre-test taken (a baseline, answered wrongly) and
/// every lesson of [`COURSE`] opened, then marked complete.
pub async fn study(app: &TestApp, cookie: &str) {
    let lessons: Vec<String> = sqlx::query_scalar(
        "SELECT l.slug FROM lesson_revisions l JOIN course_revisions r ON r.id = l.revision_id \
         JOIN courses c ON c.id = r.course_id WHERE c.slug = $1 ORDER BY r.number DESC, l.position LIMIT 5",
    )
    .bind(COURSE)
    .fetch_all(&app.state.pool)
    .await
    .expect("lessons");
    let pre = stored_quiz(app, "pre").await;
    let token = open_quiz(app, cookie, "pre-test").await;
    submit(app, cookie, &token, &answers(&pre, false)).await;
    for lesson in &lessons {
        let page = app
            .get_as(&format!("/courses/{COURSE}/{lesson}"), cookie)
            .await;
        assert_eq!(page.status, 200, "lesson {lesson}");
        let done = app
            .post_form(
                "/learning/complete",
                &[("course", COURSE), ("lesson", lesson)],
                Some(cookie),
            )
            .await;
        assert_eq!(done.location(), format!("/courses/{COURSE}/{lesson}"));
    }
}

/// Studies [`COURSE`] ([`study`]), passes the post-test and submits the evaluation.
pub async fn finish_course(app: &TestApp, cookie: &str) {
    study(app, cookie).await;
    let post = stored_quiz(app, "post").await;
    let token = open_quiz(app, cookie, "post-test").await;
    submit(app, cookie, &token, &answers(&post, true)).await;
    app.post_form(
        "/learning/evaluation",
        &[
            ("course", COURSE),
            ("rating-0", "5"),
            ("rating-1", "5"),
            ("rating-2", "4"),
            (
                "practice_change",
                "Use video follow-up for stable patients.",
            ),
        ],
        Some(cookie),
    )
    .await;
}

/// Claims 0.75 nursing contact hours for [`COURSE`], attesting the time (a test studies
/// for seconds, less than the hours claimed).
pub async fn claim(app: &TestApp, cookie: &str) -> Page {
    app.post_form(
        "/learning/claim",
        &[
            ("course", COURSE),
            ("hours-nursing-contact-hours", "0.75"),
            ("attest", "0.75"),
        ],
        Some(cookie),
    )
    .await
}

/// The code of the one certificate in the database.
pub async fn only_code(app: &TestApp) -> String {
    sqlx::query_scalar("SELECT code FROM certificates")
        .fetch_one(&app.state.pool)
        .await
        .expect("one certificate")
}
