//! Issue 12: two real `grandrounds serve` processes on one database (the suite's: SQLite, or
//! PostgreSQL when `GRANDROUNDS_TEST_POSTGRES` names a cluster), as behind a load balancer.
//! A learner signs in on one and continues on the other, finishes the course with requests
//! alternating between them, claims from both at the same moment, and gets exactly one
//! certificate that both verify.

use crate::support::{COURSE, PASSWORD, answers, database_for, demo_content, stored_quiz_in};
use axum::body::Bytes;
use http::{Method, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// The public URL both servers are configured with (the load balancer's).
const PUBLIC: &str = "http://localhost";

/// A running `grandrounds serve`, stopped (SIGTERM, then waited for) when dropped.
struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

fn spawn(database_url: &str, dir: &std::path::Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_grandrounds"))
        .env_remove("DATABASE_URL")
        .env("RUST_LOG", "warn")
        // Its messages stay in the test's folder (on PostgreSQL the default is data/outbox
        // in the working directory, which is the source tree here).
        .env("GRANDROUNDS_OUTBOX_DIR", dir.join("outbox"))
        .arg("--database-url")
        .arg(database_url)
        .arg("--content-dir")
        .arg(demo_content())
        .arg("--key-dir")
        .arg(dir.join("keys"))
        .args(["serve", "--listen", "127.0.0.1:0", "--public-url", PUBLIC])
        .arg("--site-root")
        .arg(dir.join("site"))
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the server starts")
}

/// Waits for the start-up line and returns the server with its address.
fn started(mut child: Child) -> Server {
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("a start-up line");
    let address = line
        .strip_prefix("Grand Rounds is serving at http://")
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("unexpected start-up line: {line:?}"))
        .to_owned();
    Server {
        child,
        base: format!("http://{address}"),
    }
}

struct Answer {
    status: StatusCode,
    location: String,
    cookie: Option<String>,
    body: String,
}

#[derive(Clone)]
struct Http(Client<HttpConnector, Full<Bytes>>);

impl Http {
    fn new() -> Self {
        Self(Client::builder(TokioExecutor::new()).build_http())
    }

    async fn send(
        &self,
        base: &str,
        method: Method,
        path: &str,
        cookie: Option<&str>,
        form: Option<&[(&str, &str)]>,
    ) -> Answer {
        let mut request = Request::builder()
            .method(method)
            .uri(format!("{base}{path}"));
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }
        let body = match form {
            Some(fields) => {
                request = request
                    .header("content-type", "application/x-www-form-urlencoded")
                    .header("origin", PUBLIC);
                url::form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(fields)
                    .finish()
            }
            None => String::new(),
        };
        let response = self
            .0
            .request(request.body(Full::new(Bytes::from(body))).expect("request"))
            .await
            .expect("the server answers");
        let status = response.status();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let location = header("location").unwrap_or_default();
        let cookie = header("set-cookie")
            .filter(|c| c.starts_with("gr_session="))
            .map(|c| c.split(';').next().unwrap_or_default().to_owned());
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        Answer {
            status,
            location,
            cookie,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    async fn get(&self, base: &str, path: &str, cookie: &str) -> Answer {
        self.send(base, Method::GET, path, Some(cookie), None).await
    }

    async fn post(&self, base: &str, path: &str, cookie: &str, form: &[(&str, &str)]) -> Answer {
        self.send(base, Method::POST, path, Some(cookie), Some(form))
            .await
    }
}

fn token(body: &str) -> String {
    crate::support::token(body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_learner_finishes_a_course_across_two_servers_and_gets_one_certificate() {
    let dir = tempfile::tempdir().expect("dir");
    let database_url = database_for(dir.path()).await;
    // Both start at the same moment on the new database.
    let (first, second) = (
        spawn(&database_url, dir.path()),
        spawn(&database_url, dir.path()),
    );
    let servers = [started(first), started(second)];
    let [a, b] = &servers;
    let http = Http::new();

    // Register and sign in on A; the session works on B.
    let registered = http
        .send(
            &a.base,
            Method::POST,
            "/account/register",
            None,
            Some(&[
                ("email", "ana@clinic.org"),
                ("password", PASSWORD),
                ("full_name", "Ana Silva"),
                ("profession", "nurse"),
            ]),
        )
        .await;
    assert_eq!(registered.location, "/login", "{}", registered.body);
    // The address is confirmed through the mailed link, followed on B; then sign in on A.
    let pool = server::db::connect(&database_url).await.expect("connect");
    let raw: Vec<u8> = sqlx::query_scalar(
        "SELECT raw FROM outbox WHERE kind = 'address-confirmation' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(&pool)
    .await
    .expect("the confirmation message");
    let text = crate::smtp::part(&String::from_utf8_lossy(&raw), "text/plain").expect("text");
    let link = crate::smtp::link(&text, &format!("{PUBLIC}/confirm-address?token="));
    let confirm = link.split("token=").nth(1).expect("a token").to_owned();
    let confirmed = http
        .send(
            &b.base,
            Method::GET,
            link.trim_start_matches(PUBLIC),
            None,
            None,
        )
        .await;
    assert_eq!(
        confirmed.location,
        format!("/login?confirm={confirm}"),
        "{}",
        confirmed.body
    );
    let signed_in = http
        .send(
            &a.base,
            Method::POST,
            "/account/login",
            None,
            Some(&[
                ("email", "ana@clinic.org"),
                ("password", PASSWORD),
                ("confirm", &confirm),
            ]),
        )
        .await;
    let cookie = signed_in.cookie.expect("a session");
    let account = http.get(&b.base, "/account", &cookie).await;
    assert_eq!(account.status, 200);
    assert!(
        account.body.contains("ana@clinic.org"),
        "B knows the session"
    );

    // Enrol on B, study with every request alternating between the servers.
    let enrolled = http
        .post(&b.base, "/learning/enroll", &cookie, &[("course", COURSE)])
        .await;
    assert_eq!(enrolled.location, format!("/courses/{COURSE}"));
    let pre = stored_quiz_in(&pool, "pre").await;
    let post = stored_quiz_in(&pool, "post").await;
    let quiz = |kind: &str| format!("/learning/{COURSE}/quiz/{kind}");

    let page = http.get(&a.base, &quiz("pre-test"), &cookie).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let mut fields = vec![("token".to_owned(), token(&page.body))];
    fields.extend(answers(&pre, false));
    let fields_ref: Vec<(&str, &str)> = fields
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let submitted = http
        .post(&b.base, "/learning/quiz", &cookie, &fields_ref)
        .await;
    assert_eq!(
        submitted.status,
        StatusCode::SEE_OTHER,
        "{}",
        submitted.body
    );

    let lessons: Vec<String> = sqlx::query_scalar(
        "SELECT l.slug FROM lesson_revisions l JOIN course_revisions r ON r.id = l.revision_id \
         JOIN courses c ON c.id = r.course_id WHERE c.slug = $1 ORDER BY r.number DESC, l.position",
    )
    .bind(COURSE)
    .fetch_all(&pool)
    .await
    .expect("lessons");
    for (i, lesson) in lessons.iter().enumerate() {
        let (reader, marker) = if i % 2 == 0 { (a, b) } else { (b, a) };
        let page = http
            .get(
                &reader.base,
                &format!("/courses/{COURSE}/{lesson}"),
                &cookie,
            )
            .await;
        assert_eq!(page.status, 200, "lesson {lesson}");
        let done = http
            .post(
                &marker.base,
                "/learning/complete",
                &cookie,
                &[("course", COURSE), ("lesson", lesson)],
            )
            .await;
        assert_eq!(done.location, format!("/courses/{COURSE}/{lesson}"));
    }

    let page = http.get(&b.base, &quiz("post-test"), &cookie).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let mut fields = vec![("token".to_owned(), token(&page.body))];
    fields.extend(answers(&post, true));
    let fields_ref: Vec<(&str, &str)> = fields
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let passed = http
        .post(&a.base, "/learning/quiz", &cookie, &fields_ref)
        .await;
    assert_eq!(passed.status, StatusCode::SEE_OTHER, "{}", passed.body);
    let evaluated = http
        .post(
            &b.base,
            "/learning/evaluation",
            &cookie,
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
        )
        .await;
    assert_eq!(
        evaluated.status,
        StatusCode::SEE_OTHER,
        "{}",
        evaluated.body
    );

    // The claim, sent to both servers at the same moment, ten times each.
    let claims: Vec<_> = (0..20)
        .map(|i| {
            let http = http.clone();
            let cookie = cookie.clone();
            let base = servers[i % 2].base.clone();
            tokio::spawn(async move {
                let answer = http
                    .post(
                        &base,
                        "/learning/claim",
                        &cookie,
                        &[
                            ("course", COURSE),
                            ("hours-nursing-contact-hours", "0.75"),
                            ("attest", "0.75"),
                        ],
                    )
                    .await;
                (answer.status, answer.body)
            })
        })
        .collect();
    for claim in claims {
        let (status, body) = claim.await.expect("task");
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    }
    let (claims, certificates): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM credit_claims), (SELECT COUNT(*) FROM certificates)",
    )
    .fetch_one(&pool)
    .await
    .expect("counts");
    assert_eq!((claims, certificates), (1, 1), "one claim, one certificate");
    let code: String = sqlx::query_scalar("SELECT code FROM certificates")
        .fetch_one(&pool)
        .await
        .expect("the code");
    for server in &servers {
        let verified = http.get(&server.base, &format!("/verify/{code}"), "").await;
        assert_eq!(verified.status, 200);
        assert!(verified.body.contains("Valid."), "{}", verified.body);
        let mine = http
            .get(&server.base, &format!("/certificates/{code}"), &cookie)
            .await;
        assert_eq!(mine.status, 200, "the learner's certificate page on both");
    }
}
