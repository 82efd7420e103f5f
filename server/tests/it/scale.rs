//! Issue 12: several app servers on one database. Each "server" here is a whole second
//! application (`start` on the same database: its own pool, session store, catalog, page
//! cache and hasher), so nothing is shared but the database, as between two machines. The
//! races run on real threads; on PostgreSQL (`GRANDROUNDS_TEST_POSTGRES`) they meet its
//! READ COMMITTED isolation, on SQLite its single writer. The two-process test is in
//! `two_servers.rs`.

use crate::support::{
    COURSE, ORIGIN, PASSWORD, TestApp, answers, demo_content, only_code, stored_quiz, token,
};
use axum::Router;
use axum::body::Body;
use http::{Request, StatusCode};
use http_body_util::BodyExt;
use std::path::Path;
use tower::ServiceExt;

/// A second app server on `app`'s database (and key folder, as a deployment shares it).
async fn second_server(app: &TestApp, content: &Path) -> TestApp {
    let state = TestApp::start_on(app.dir.path(), content).await;
    TestApp {
        router: server::build_router(state.clone()),
        state,
        // The folder stays with the first app; this one only borrows its database.
        dir: tempfile::tempdir().expect("temp dir"),
    }
}

async fn send(router: &Router, request: Request<Body>) -> (StatusCode, String) {
    let response = router.clone().oneshot(request).await.expect("answer");
    let status = response.status();
    let body = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    (status, String::from_utf8_lossy(&body).into_owned())
}

fn form(path: &str, cookie: Option<&str>, body: String) -> Request<Body> {
    let mut request = Request::post(path)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", ORIGIN);
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    request.body(Body::from(body)).expect("request")
}

fn get(path: &str, cookie: &str) -> Request<Body> {
    Request::get(path)
        .header("cookie", cookie)
        .body(Body::empty())
        .expect("request")
}

fn encoded(fields: &[(String, String)]) -> String {
    fields
        .iter()
        .map(|(name, value)| format!("{name}={}", value.replace(' ', "+")))
        .collect::<Vec<_>>()
        .join("&")
}

/// One learner claims 50 times at once, half through each server: one claim, one
/// certificate, both servers verify it, and nobody sees an error.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn claims_raced_through_two_servers_issue_one_certificate() {
    let a = TestApp::new().await;
    let b = second_server(&a, &demo_content()).await;
    let cookie = a.finished("ana@clinic.org").await.cookie;
    let body = format!("course={COURSE}&hours-nursing-contact-hours=0.75&attest=0.75");
    let tasks: Vec<_> = (0..50)
        .map(|i| {
            let router = if i % 2 == 0 {
                a.router.clone()
            } else {
                b.router.clone()
            };
            let request = form("/learning/claim", Some(&cookie), body.clone());
            tokio::spawn(async move { send(&router, request).await.0 })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.expect("task"), StatusCode::SEE_OTHER);
    }
    assert_eq!(a.count("SELECT COUNT(*) FROM credit_claims").await, 1);
    assert_eq!(a.count("SELECT COUNT(*) FROM certificates").await, 1);
    let code = only_code(&a).await;
    for server in [&a, &b] {
        let page = server.get(&format!("/verify/{code}")).await;
        assert_eq!(page.status, 200);
        page.assert_contains("Valid.");
    }
}

/// The same quiz form sent 20 times at once through both servers records one attempt; then
/// learners racing for new attempts on both servers never get past `max_attempts` (3) and
/// never share a number.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn quiz_attempts_raced_through_two_servers_stay_unique_and_within_the_limit() {
    let a = TestApp::new().await;
    let b = second_server(&a, &demo_content()).await;
    let cookie = a.studied("lee@clinic.org", "nurse").await.cookie;
    let post = stored_quiz(&a, "post").await;
    let wrong = answers(&post, false);
    let quiz_path = format!("/learning/{COURSE}/quiz/post-test");

    let (status, page) = send(&a.router, get(&quiz_path, &cookie)).await;
    assert_eq!(status, 200);
    let mut fields = vec![("token".to_owned(), token(&page))];
    fields.extend(wrong.iter().cloned());
    let body = encoded(&fields);
    let twice: Vec<_> = (0..20)
        .map(|i| {
            let router = if i % 2 == 0 {
                a.router.clone()
            } else {
                b.router.clone()
            };
            let request = form("/learning/quiz", Some(&cookie), body.clone());
            tokio::spawn(async move { send(&router, request).await.0 })
        })
        .collect();
    for task in twice {
        let status = task.await.expect("task");
        assert!(!status.is_server_error(), "{status}");
    }
    assert_eq!(
        a.count("SELECT COUNT(*) FROM quiz_attempts WHERE kind = 'post' AND number IS NOT NULL")
            .await,
        1,
        "one form, one attempt"
    );

    // Four rounds of both servers opening the quiz and submitting at the same moment.
    for _ in 0..4 {
        let rounds: Vec<_> = [a.router.clone(), b.router.clone()]
            .into_iter()
            .map(|router| {
                let cookie = cookie.clone();
                let quiz_path = quiz_path.clone();
                let wrong = wrong.clone();
                tokio::spawn(async move {
                    let (status, page) = send(&router, get(&quiz_path, &cookie)).await;
                    assert!(!status.is_server_error(), "{status}: {page}");
                    if !page.contains("name=\"token\"") {
                        return;
                    }
                    let mut fields = vec![("token".to_owned(), token(&page))];
                    fields.extend(wrong);
                    let (status, body) = send(
                        &router,
                        form("/learning/quiz", Some(&cookie), encoded(&fields)),
                    )
                    .await;
                    assert!(!status.is_server_error(), "{status}: {body}");
                })
            })
            .collect();
        for task in rounds {
            task.await.expect("no server error");
        }
    }
    let numbers: Vec<i64> = sqlx::query_scalar(
        "SELECT number FROM quiz_attempts WHERE kind = 'post' AND number IS NOT NULL ORDER BY number",
    )
    .fetch_all(&a.state.pool)
    .await
    .expect("numbers");
    assert_eq!(numbers, vec![1, 2, 3], "max_attempts = 3, each number once");
}

/// Forty wrong passwords at once, half through each server: every one is counted in the
/// shared count, and together the servers check no more passwords than the lock allows.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sign_in_failures_on_two_servers_are_all_counted() {
    let a = TestApp::new().await;
    a.learner("kim@clinic.org").await;
    let b = second_server(&a, &demo_content()).await;
    let (before_a, before_b) = (
        a.state.hasher.verifications(),
        b.state.hasher.verifications(),
    );
    let tasks: Vec<_> = (0..40)
        .map(|i| {
            let router = if i % 2 == 0 {
                a.router.clone()
            } else {
                b.router.clone()
            };
            let request = form(
                "/account/login",
                None,
                format!("email=kim%40clinic.org&password=wrong+guess+{i}"),
            );
            tokio::spawn(async move { send(&router, request).await.0 })
        })
        .collect();
    for task in tasks {
        let status = task.await.expect("task");
        assert!(!status.is_server_error(), "{status}");
    }
    let failures: i64 = sqlx::query_scalar(
        "SELECT failures FROM login_throttle WHERE key LIKE 'pair:kim@clinic.org|%'",
    )
    .fetch_one(&a.state.pool)
    .await
    .expect("the pair's count");
    assert_eq!(
        failures, 40,
        "every failure counted, whichever server saw it"
    );
    let checked =
        a.state.hasher.verifications() - before_a + b.state.hasher.verifications() - before_b;
    assert!(
        checked <= 10,
        "{checked} passwords checked; the lock is at 10"
    );
    // The right password is refused too while the lock lasts, on either server.
    let (_, page) = send(
        &b.router,
        form(
            "/account/login",
            None,
            format!(
                "email=kim%40clinic.org&password={}",
                PASSWORD.replace(' ', "+")
            ),
        ),
    )
    .await;
    assert!(
        !page.contains("Signed in"),
        "locked on the other server too"
    );
}

/// The `/verify` lookup limit is one count for all servers: 12 lookups on each make 24,
/// and those past 20 are refused wherever they arrive.
#[tokio::test]
async fn verification_lookups_are_limited_across_servers() {
    let a = TestApp::new().await;
    let b = second_server(&a, &demo_content()).await;
    let mut statuses = Vec::new();
    for i in 0..12 {
        statuses.push(
            a.get(&format!("/verify/NOPE-A{i:03}"))
                .await
                .status
                .as_u16(),
        );
    }
    for i in 0..12 {
        statuses.push(
            b.get(&format!("/verify/NOPE-B{i:03}"))
                .await
                .status
                .as_u16(),
        );
    }
    assert!(statuses[..20].iter().all(|s| *s == 404), "{statuses:?}");
    assert!(statuses[20..].iter().all(|s| *s == 429), "{statuses:?}");
}

/// A revision published while servers run (`grandrounds content import`, the deploy step
/// for servers started with `--no-import`) is served by every server within seconds,
/// although they had the old page in their page cache; a `--no-import` server started on
/// the changed folder publishes nothing by itself.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revision_published_while_servers_run_reaches_all_of_them() {
    let content = tempfile::tempdir().expect("dir");
    crate::support::copy_dir(&demo_content(), content.path());
    let a = TestApp::with_content(content.path()).await;
    let lesson_path = format!("/courses/{COURSE}/telehealth-and-telemedicine");
    let before = a.get(&lesson_path).await;
    assert_eq!(before.status, 200, "{}", before.body);
    assert!(!before.body.contains("Revised for the scale-out test"));
    // Served again from the page cache (anonymous lesson pages are kept).
    a.get(&lesson_path).await;
    a.state.catalog.clone().watch(a.state.pool.clone());

    let lesson = content.path().join(format!(
        "courses/{COURSE}/01-telehealth-and-telemedicine.md"
    ));
    let text = std::fs::read_to_string(&lesson).expect("lesson file");
    std::fs::write(
        &lesson,
        format!("{text}\n\nRevised for the scale-out test.\n"),
    )
    .expect("write");
    let revisions = "SELECT COUNT(*) FROM course_revisions";
    let stored = a.count(revisions).await;
    let mut settings = TestApp::settings(a.dir.path(), content.path()).await;
    settings.import_content = false;
    let state = server::start(&settings)
        .await
        .expect("a --no-import server starts");
    let b = TestApp {
        router: server::build_router(state.clone()),
        state,
        dir: tempfile::tempdir().expect("dir"),
    };
    b.state.catalog.clone().watch(b.state.pool.clone());
    assert_eq!(
        a.count(revisions).await,
        stored,
        "--no-import stores nothing"
    );
    assert!(
        !b.get(&lesson_path)
            .await
            .body
            .contains("Revised for the scale-out test")
    );

    let output = std::process::Command::new(env!("CARGO_BIN_EXE_grandrounds"))
        .env_remove("DATABASE_URL")
        .env("RUST_LOG", "warn")
        .args(["--database-url", &a.database_url(), "content", "import"])
        .arg(content.path())
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains(&format!("{COURSE}: revision 2 stored")),
        "{stdout}"
    );
    assert_eq!(a.count(revisions).await, stored + 1);

    let started = std::time::Instant::now();
    for server in [&a, &b] {
        loop {
            if server
                .get(&lesson_path)
                .await
                .body
                .contains("Revised for the scale-out test")
            {
                break;
            }
            assert!(
                started.elapsed() < std::time::Duration::from_secs(8),
                "a server still serves the old revision after 8 s"
            );
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
    }
}

/// `content import` is strict: one broken course and nothing is stored.
#[tokio::test]
async fn content_import_refuses_a_folder_with_a_problem() {
    let content = tempfile::tempdir().expect("dir");
    crate::support::copy_dir(&demo_content(), content.path());
    let a = TestApp::with_content(content.path()).await;
    let course = content.path().join(format!("courses/{COURSE}/course.md"));
    let text = std::fs::read_to_string(&course).expect("course");
    std::fs::write(
        &course,
        text.replacen("max_hours = 1.0", "max_hours = 0.6", 1),
    )
    .expect("write");
    let lesson = content
        .path()
        .join("courses/remote-monitoring-for-nurses/course.md");
    let other = std::fs::read_to_string(&lesson).expect("course");
    std::fs::write(
        &lesson,
        format!("{other}\nA change that alone would import.\n"),
    )
    .expect("write");
    let stored = a.count("SELECT COUNT(*) FROM course_revisions").await;
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_grandrounds"))
        .env_remove("DATABASE_URL")
        .env("RUST_LOG", "warn")
        .args(["--database-url", &a.database_url(), "content", "import"])
        .arg(content.path())
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("course.md:") && stderr.contains("nothing was imported"),
        "{stderr}"
    );
    assert_eq!(
        a.count("SELECT COUNT(*) FROM course_revisions").await,
        stored
    );
}

/// Two servers starting at the same moment on a new database: the migrations, the content
/// import and the signing key happen once, and both start.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn servers_starting_together_import_once_and_make_one_key() {
    let dir = tempfile::tempdir().expect("dir");
    let settings = TestApp::settings(dir.path(), &demo_content()).await;
    let (one, two) = tokio::join!(server::start(&settings), server::start(&settings));
    let one = one.expect("the first starts");
    two.expect("the second starts");
    let count = |sql: &'static str| {
        let pool = one.pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>(sql)
                .fetch_one(&pool)
                .await
                .expect("count")
        }
    };
    let courses = std::fs::read_dir(demo_content().join("courses"))
        .expect("courses")
        .count();
    assert_eq!(
        count("SELECT COUNT(*) FROM course_revisions").await,
        i64::try_from(courses).expect("few")
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM courses").await,
        i64::try_from(courses).expect("few")
    );
    assert_eq!(count("SELECT COUNT(*) FROM signing_keys").await, 1);
    let key_files = std::fs::read_dir(dir.path().join("keys"))
        .expect("keys")
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.file_name().to_string_lossy().starts_with("signing-"))
        })
        .count();
    assert_eq!(key_files, 1);
}

/// PostgreSQL cannot store a NUL character in text (SQLite can): a form value holding one
/// gets a message on both databases, and nothing is written.
#[tokio::test]
async fn a_nul_character_in_a_form_gets_a_message_and_writes_nothing() {
    let app = TestApp::new().await;
    let user = app.studied("noa@clinic.org", "nurse").await;
    let post = stored_quiz(&app, "post").await;
    let token = crate::support::open_quiz(&app, &user.cookie, "post-test").await;
    crate::support::submit(&app, &user.cookie, &token, &answers(&post, true)).await;
    let page = app
        .post_form(
            "/learning/evaluation",
            &[
                ("course", COURSE),
                ("rating-0", "5"),
                ("rating-1", "5"),
                ("rating-2", "4"),
                ("practice_change", "Video follow-up\0 for stable patients."),
            ],
            Some(&user.cookie),
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let form = app.get_as(page.location(), &user.cookie).await;
    form.assert_contains("NUL character");
    assert_eq!(app.count("SELECT COUNT(*) FROM evaluations").await, 0);
}

/// Signing out on one app server while the other holds a copy of the session (read a moment
/// before, `read_cache`): a form posted there in the meantime reads the database and is
/// refused, nothing it does brings the session back, and after the copies' lifetime the
/// other server refuses the cookie for pages too.
#[tokio::test]
async fn a_session_ended_on_one_server_is_not_brought_back_by_the_other() {
    let a = TestApp::new().await;
    let b = second_server(&a, &demo_content()).await;
    let user = a.learner("lee@clinic.org").await;
    let cookie = user.cookie.clone();
    // Server B reads the session and user (and keeps copies of them).
    assert_eq!(b.get_as("/account", &cookie).await.status, StatusCode::OK);
    let id: tower_sessions::session::Id = cookie
        .split_once('=')
        .expect("name=value")
        .1
        .parse()
        .expect("session id");
    let record = tower_sessions::SessionStore::load(&b.state.sessions, &id)
        .await
        .expect("load")
        .expect("the session");
    // Signed out on A: the session's row is gone.
    let out = a.post_form("/account/logout", &[], Some(&cookie)).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    let sessions = || async {
        sqlx::query_scalar::<_, i64>(&format!(
            "SELECT COUNT(*) FROM {}",
            a.state.sessions.table()
        ))
        .fetch_one(&a.state.pool)
        .await
        .expect("count")
    };
    assert_eq!(sessions().await, 0);
    // B saves what it read before (as a page view moving the expiry on would): the row
    // does not come back.
    tower_sessions::SessionStore::save(&b.state.sessions, &record)
        .await
        .expect("save");
    assert_eq!(sessions().await, 0, "a save brought the ended session back");
    // A form posted on B at once reads the database: not signed in, nothing saved.
    let refused = b
        .post_form(
            "/account/profile",
            &[("full_name", "Someone Else"), ("profession", "nurse")],
            Some(&cookie),
        )
        .await;
    assert_eq!(refused.status, StatusCode::SEE_OTHER);
    assert!(
        refused.location().starts_with("/login"),
        "{}",
        refused.location()
    );
    let name: String = sqlx::query_scalar("SELECT full_name FROM users WHERE id = $1")
        .bind(user.id)
        .fetch_one(&a.state.pool)
        .await
        .expect("name");
    assert_ne!(name, "Someone Else");
    // A page read on B within the copies' lifetime may still show the reader signed in, but
    // it writes no session back.
    let _ = b.get_as("/account", &cookie).await;
    assert_eq!(sessions().await, 0, "the ended session came back");
    tokio::time::sleep(server::read_cache::FRESH + std::time::Duration::from_millis(100)).await;
    assert_eq!(
        b.get_as("/account", &cookie).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(sessions().await, 0);
}
