//! The public pages: catalog and filters, course overview, lessons, 404s, health, headers.

use crate::support::{TestApp, copy_dir, demo_content};
use axum::body::Body;
use http::{Request, StatusCode};

const MAIN: &str = "Telehealth and telemedicine for clinical teams";
const NURSING: &str = "Running a remote patient monitoring programme";

#[tokio::test]
async fn catalog_lists_every_course() {
    let app = TestApp::new().await;
    let page = app.get("/courses").await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains(MAIN);
    page.assert_contains(NURSING);
    page.assert_contains("3 courses");
    page.assert_contains("<form");
    page.assert_contains("method=\"get\"");
}

#[tokio::test]
async fn catalog_filters_by_profession_and_credit() {
    let app = TestApp::new().await;

    let physicians = app.get("/courses?profession=physician").await;
    assert_eq!(physicians.status, StatusCode::OK);
    physicians.assert_contains(MAIN);
    assert!(
        !physicians.body.contains(NURSING),
        "the nursing course is not for physicians"
    );
    physicians.assert_contains("<option value=\"physician\" selected");

    let nurses = app.get("/courses?profession=nurse").await;
    nurses.assert_contains(MAIN);
    nurses.assert_contains(NURSING);

    let ama = app.get("/courses?credit=ama-pra-category-1").await;
    ama.assert_contains(MAIN);
    assert!(!ama.body.contains(NURSING));

    let none = app
        .get("/courses?profession=pharmacist&credit=nursing-contact-hours")
        .await;
    assert_eq!(none.status, StatusCode::OK);
    // The pharmacist filter keeps only the main course, which also offers nursing hours.
    none.assert_contains(MAIN);

    let empty = app.get("/courses?profession=other").await;
    empty.assert_contains("No course matches these filters");
}

#[tokio::test]
async fn unknown_filter_values_get_a_clear_message() {
    let app = TestApp::new().await;
    let page = app.get("/courses?profession=dentist").await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    page.assert_contains("profession: \"dentist\" is not a profession we list");
}

#[tokio::test]
async fn course_page_shows_objectives_disclosures_and_statements_before_lessons() {
    let app = TestApp::new().await;
    let page = app.get("/courses/telehealth-for-clinical-teams").await;
    assert_eq!(page.status, StatusCode::OK);
    let objectives = page.position("Learning objectives");
    let objective = page.position("Distinguish telehealth from telemedicine");
    let disclosures = page.position("Faculty, planners and disclosures");
    let none = page.position("No relevant financial relationships");
    let relationship = page.position("Advisory board, Northwind Health Devices");
    let accreditation = page.position("Accreditation statement");
    let designation = page.position("designates this enduring material");
    let credit = page.position("AMA PRA Category 1 Credit™");
    let lessons = page.position("id=\"lessons-heading\"");
    let first_lesson = page
        .position("href=\"/courses/telehealth-for-clinical-teams/telehealth-and-telemedicine\"");
    for (name, at) in [
        ("objectives", objectives),
        ("objective", objective),
        ("disclosures", disclosures),
        ("no-relationship disclosure", none),
        ("relationship disclosure", relationship),
        ("accreditation", accreditation),
        ("designation", designation),
        ("credit", credit),
    ] {
        assert!(
            at < lessons && at < first_lesson,
            "{name} must come before the lesson list"
        );
    }
    page.assert_contains(
        "<title>Telehealth and telemedicine for clinical teams · Grand Rounds</title>",
    );
}

#[tokio::test]
async fn lesson_renders_headings_toc_and_neighbours() {
    let app = TestApp::new().await;
    let page = app
        .get("/courses/telehealth-for-clinical-teams/modalities")
        .await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("<h1>The four modalities of remote care</h1>");
    page.assert_contains("<h2 id=\"live-video-synchronous\">Live video (synchronous)</h2>");
    page.assert_contains(
        "<a href=\"#store-and-forward-asynchronous\">Store-and-forward (asynchronous)</a>",
    );
    page.assert_contains("Lesson 2 of 5");
    page.assert_contains(
        "href=\"/courses/telehealth-for-clinical-teams/telehealth-and-telemedicine\" rel=\"prev\"",
    );
    page.assert_contains(
        "href=\"/courses/telehealth-for-clinical-teams/who-takes-part\" rel=\"next\"",
    );
    // The lesson file link written as 03-who-takes-part.md was rewritten to the lesson URL.
    assert!(!page.body.contains("03-who-takes-part.md"));
    // One h1 per page: the lesson's own `# Title` is not repeated in the body.
    assert_eq!(page.body.matches("<h1").count(), 1);
}

#[tokio::test]
async fn first_and_last_lessons_have_one_neighbour() {
    let app = TestApp::new().await;
    let first = app
        .get("/courses/telehealth-for-clinical-teams/telehealth-and-telemedicine")
        .await;
    assert!(!first.body.contains("rel=\"prev\""));
    first.assert_contains("rel=\"next\"");
    let last = app
        .get("/courses/telehealth-for-clinical-teams/barriers")
        .await;
    last.assert_contains("rel=\"prev\"");
    assert!(!last.body.contains("rel=\"next\""));
}

#[tokio::test]
async fn unknown_course_lesson_and_page_are_404() {
    let app = TestApp::new().await;
    for path in [
        "/courses/no-such-course",
        "/courses/no-such-course/intro",
        "/courses/telehealth-for-clinical-teams/no-such-lesson",
        "/definitely/not/here",
    ] {
        let page = app.get(path).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
        page.assert_contains("Not found");
        page.assert_contains("<html");
    }
    let page = app
        .get("/courses/telehealth-for-clinical-teams/no-such-lesson")
        .await;
    page.assert_contains("The course has no lesson called");
}

#[tokio::test]
async fn healthz_checks_the_database() {
    let app = TestApp::new().await;
    let page = app.get("/healthz").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.body, r#"{"database":"ok","status":"ok"}"#);

    app.state.pool.close().await;
    let page = app.get("/healthz").await;
    assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE);
}

/// Issue 31: the stylesheet blocks no first paint. The rules a learner's pages show at once are
/// in the head, allowed by their hash alone; the whole sheet, under its hashed name, is linked
/// as the last thing in `<body>`; no other inline style is allowed.
#[tokio::test]
async fn the_first_paint_rules_are_inline_by_hash_and_the_stylesheet_comes_last() {
    use base64::Engine;
    use sha2::Digest;
    let app = TestApp::new().await;
    for path in [
        "/",
        "/courses",
        "/courses/telehealth-for-clinical-teams/modalities",
        "/login",
    ] {
        let page = app.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        let html = String::from_utf8_lossy(&page.raw).into_owned();
        let head = &html[..html.find("</head>").expect("a head")];
        let start = head.find("<style>").expect("an inline style in the head") + "<style>".len();
        let css = &head[start..start + head[start..].find("</style>").expect("</style>")];
        assert_eq!(css, app::first_paint::CSS.as_str(), "{path}");
        assert!(
            css.contains(".site-header") && !css.contains("/*"),
            "{path}"
        );
        let hash = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(css));
        let csp = page.header("content-security-policy");
        assert!(
            csp.contains(&format!("style-src 'self' 'sha256-{hash}';")),
            "{path}: {csp}"
        );
        assert!(
            !csp.contains("unsafe-inline") && !csp.contains("unsafe-hashes"),
            "{csp}"
        );
        assert_eq!(
            html.matches("<style").count(),
            1,
            "{path}: one inline style"
        );
        assert!(
            !head.contains("stylesheet"),
            "{path}: nothing in the head waits for a file"
        );
        let link = html
            .rfind("<link rel=\"stylesheet\"")
            .expect("the stylesheet link");
        let body_end = html.rfind("</body>").expect("</body>");
        assert!(
            link > html.find("<body").expect("<body"),
            "{path}: linked in the body"
        );
        assert!(
            html[link..body_end].replace("<!>", "").matches('<').count() == 1,
            "{path}: the link is the body's last element: {}",
            &html[link..body_end]
        );
    }
}

#[tokio::test]
async fn pages_carry_security_headers_and_a_nonce_csp() {
    let app = TestApp::new().await;
    // A page without an island runs no script at all.
    let page = app.get("/courses").await;
    let csp = page.header("content-security-policy");
    assert!(csp.contains("script-src 'none'"), "{csp}");
    assert!(!page.body.contains("<script"), "{}", page.body);
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    // A page with one (a studio file's live preview) names its nonce.
    let admin = app.user("ada@clinic.org", app::accounts::Role::Admin).await;
    let page = app
        .get_as(
            "/studio/course/telehealth-for-clinical-teams/files/course.md",
            &admin.cookie,
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let csp = page.header("content-security-policy");
    assert!(csp.contains("script-src 'self' 'nonce-"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert_eq!(page.header("x-content-type-options"), "nosniff");
    assert_eq!(
        page.header("referrer-policy"),
        "strict-origin-when-cross-origin"
    );
    assert_eq!(page.header("x-frame-options"), "DENY");
    // Every inline script carries the nonce the header names.
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("nonce");
    for script in page.body.split("<script").skip(1) {
        let tag = script.split('>').next().unwrap_or_default();
        assert!(
            tag.contains(&format!("nonce=\"{nonce}\"")),
            "script without nonce: <script{tag}>"
        );
    }

    let health = app.get("/healthz").await;
    assert!(
        health
            .header("content-security-policy")
            .contains("default-src 'none'")
    );
}

#[tokio::test]
async fn responses_are_compressed_when_asked() {
    let app = TestApp::new().await;
    for encoding in ["br", "gzip"] {
        let page = app
            .request(
                Request::get("/courses/telehealth-for-clinical-teams/modalities")
                    .header("accept-encoding", encoding)
                    .body(Body::empty())
                    .expect("request"),
            )
            .await;
        assert_eq!(page.status, StatusCode::OK);
        assert_eq!(page.header("content-encoding"), encoding);
    }
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let app = TestApp::new().await;
    let page = app
        .request(
            Request::post("/api/courses")
                .header("content-type", "application/x-www-form-urlencoded")
                .header("content-length", 512 * 1024)
                .body(Body::from(vec![b'a'; 512 * 1024]))
                .expect("request"),
        )
        .await;
    assert_eq!(page.status, StatusCode::PAYLOAD_TOO_LARGE);
    page.assert_contains("larger than 256 KB");
    page.assert_contains("Nothing was saved.");
}

#[tokio::test]
async fn server_function_returns_the_filtered_catalog_as_json() {
    let app = TestApp::new().await;
    let page = app.get("/api/courses?profession=physician").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.starts_with('['), "{}", page.body);
    assert!(page.body.contains("telehealth-for-clinical-teams"));
    assert!(!page.body.contains("remote-monitoring-for-nurses"));
}

#[tokio::test]
async fn restart_creates_revisions_only_for_changed_courses() {
    let app = TestApp::new().await;
    let content = app.dir.path().join("content");
    copy_dir(&demo_content(), &content);
    let count = |state: server::AppState| async move {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM course_revisions")
            .fetch_one(&state.pool)
            .await
            .expect("count")
    };

    let fresh = tempfile::tempdir().expect("dir");
    let first = TestApp::start_on(fresh.path(), &content).await;
    assert_eq!(count(first.clone()).await, 3);
    first.pool.close().await;

    let unchanged = TestApp::start_on(fresh.path(), &content).await;
    assert_eq!(
        count(unchanged.clone()).await,
        3,
        "unchanged files create no revision"
    );
    unchanged.pool.close().await;

    let lesson = content.join("courses/remote-monitoring-for-nurses/01-setting-up.md");
    let text = std::fs::read_to_string(&lesson).expect("read");
    std::fs::write(
        &lesson,
        text.replace("Start\nwith a small group", "Begin\nwith a small group"),
    )
    .expect("write");
    let changed = TestApp::start_on(fresh.path(), &content).await;
    assert_eq!(
        count(changed.clone()).await,
        4,
        "one changed course, one new revision"
    );
    let revision: i64 = sqlx::query_scalar(
        "SELECT MAX(r.number) FROM course_revisions r JOIN courses c ON c.id = r.course_id WHERE c.slug = 'remote-monitoring-for-nurses'",
    )
    .fetch_one(&changed.pool)
    .await
    .expect("revision");
    assert_eq!(revision, 2);
    // The new revision carries its own copy of the course's quizzes; the old ones stay.
    let quizzes: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM quiz_revisions")
        .fetch_one(&changed.pool)
        .await
        .expect("quizzes");
    assert_eq!(quizzes, 8);
}

#[tokio::test]
async fn a_broken_course_is_skipped_and_the_rest_still_served() {
    let dir = tempfile::tempdir().expect("dir");
    let content = dir.path().join("content");
    copy_dir(&demo_content(), &content);
    let course_md = content.join("courses/remote-monitoring-for-nurses/course.md");
    let text = std::fs::read_to_string(&course_md).expect("read");
    std::fs::write(
        &course_md,
        text.replace("max_hours = 0.5", "max_hours = 0.4"),
    )
    .expect("write");

    let app = TestApp::with_content(&content).await;
    let page = app.get("/courses").await;
    page.assert_contains(MAIN);
    assert!(!page.body.contains(NURSING));
    assert_eq!(
        app.get("/courses/telehealth-for-clinical-teams")
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn home_page_introduces_and_features_courses() {
    let app = TestApp::new().await;
    let page = app.get("/").await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("<title>Grand Rounds</title>");
    page.assert_contains("Featured courses");
    page.assert_contains(MAIN);
    page.assert_contains("<main id=\"main\"");
    page.assert_contains("<html lang=\"en\"");
}

fn nonce_of(page: &crate::support::Page) -> String {
    let csp = page.header("content-security-policy");
    csp.split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("nonce")
        .to_owned()
}

/// A cached page is served again byte for byte: it has no script, so no nonce to swap.
#[tokio::test]
async fn a_page_served_again_has_the_same_html_and_no_nonce() {
    let app = TestApp::new().await;
    let path = "/courses/telehealth-for-clinical-teams/barriers";
    let first = app.get(path).await;
    for _ in 0..2 {
        let again = app.get(path).await;
        assert_eq!(again.status, StatusCode::OK);
        assert_eq!(again.body, first.body);
        assert_eq!(
            again.header("content-security-policy"),
            first.header("content-security-policy")
        );
        assert!(!again.header("content-security-policy").contains("nonce"));
        assert_eq!(again.header("x-content-type-options"), "nosniff");
    }
}

/// Issue 31: a kept page is answered by the outermost layer, in the encoding the client
/// takes (made once when kept), with every header the whole stack sets; the first request
/// for a page is answered the same way; an address that is not canonical never reaches it.
#[tokio::test]
async fn a_kept_page_is_served_compressed_as_asked_with_every_header() {
    use std::io::Read as _;
    let app = TestApp::new().await;
    let get = |path: &'static str, accept: &'static str| {
        let app = &app;
        async move {
            let mut request = Request::get(path);
            if !accept.is_empty() {
                request = request.header("accept-encoding", accept);
            }
            app.request(request.body(Body::empty()).expect("request"))
                .await
        }
    };
    // First sight of a page, asking for brotli: rendered, kept, answered in brotli.
    let first = get("/courses/telehealth-for-clinical-teams/barriers", "br").await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(first.header("content-encoding"), "br");
    let plain = get("/courses/telehealth-for-clinical-teams/barriers", "").await;
    assert!(plain.headers.get("content-encoding").is_none());
    assert!(String::from_utf8_lossy(&plain.raw).contains("</html>"));
    let decode = |encoding: Option<&str>, raw: &[u8]| -> Vec<u8> {
        let mut out = Vec::new();
        match encoding {
            Some("br") => brotli::Decompressor::new(raw, 4096).read_to_end(&mut out),
            Some("gzip") => flate2::read::GzDecoder::new(raw).read_to_end(&mut out),
            _ => return raw.to_vec(),
        }
        .expect("decodes");
        out
    };
    assert_eq!(decode(Some("br"), &first.raw), plain.raw);
    for (accept, expected) in [
        ("gzip, deflate, br, zstd", Some("br")),
        ("gzip", Some("gzip")),
        ("br;q=0, gzip;q=0.5", Some("gzip")),
        ("BR", Some("br")),
        ("identity", None),
        ("br;q=0, gzip;q=0", None),
        ("", None),
    ] {
        let page = get("/courses/telehealth-for-clinical-teams/barriers", accept).await;
        assert_eq!(page.status, StatusCode::OK, "{accept}");
        let encoding = page
            .headers
            .get("content-encoding")
            .and_then(|v| v.to_str().ok());
        assert_eq!(encoding, expected, "{accept}");
        assert_eq!(
            decode(encoding, &page.raw),
            plain.raw,
            "{accept}: the same page"
        );
        assert_eq!(page.header("vary"), "accept-encoding");
        assert_eq!(page.header("x-content-type-options"), "nosniff");
        assert_eq!(page.header("x-frame-options"), "DENY");
        assert_eq!(
            page.header("referrer-policy"),
            "strict-origin-when-cross-origin"
        );
        assert!(page.header("permissions-policy").contains("camera=()"));
        assert!(
            page.header("content-security-policy")
                .contains("script-src 'none'")
        );
        assert!(page.header("content-type").starts_with("text/html"));
    }
    // Not canonical: sent to the canonical address, not answered from the cache.
    let page = get("/courses//telehealth-for-clinical-teams/barriers", "br").await;
    assert_eq!(page.status, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(app.state.page_cache.stats().pages, 1);
    // Another spelling of the same page (the router decodes `%74`) is rendered and sent
    // compressed, but never kept: each spelling would be one more page to render and compress.
    for spelling in [
        "/courses/%74elehealth-for-clinical-teams/barriers",
        "/courses/Telehealth-for-clinical-teams/barriers",
    ] {
        let request = Request::get(spelling).header("accept-encoding", "gzip");
        let page = app
            .request(request.body(Body::empty()).expect("request"))
            .await;
        if page.status == StatusCode::OK {
            assert_eq!(page.header("content-encoding"), "gzip", "{spelling}");
        }
        assert_eq!(app.state.page_cache.stats().pages, 1, "{spelling} was kept");
    }
    // Twenty first requests for one page at once: each gets the page, one copy is kept.
    let path = "/courses/telehealth-for-clinical-teams/modalities";
    let pages = futures::future::join_all((0..20).map(|_| get(path, "br"))).await;
    for page in &pages {
        assert_eq!(page.status, StatusCode::OK);
        assert_eq!(page.raw, pages[0].raw);
        assert_eq!(page.header("content-encoding"), "br");
    }
    assert_eq!(app.state.page_cache.stats().pages, 2);
}

/// A page with an island gets a fresh nonce every time, and only that one.
#[tokio::test]
async fn a_page_with_an_island_has_a_fresh_nonce_each_time() {
    let app = TestApp::new().await;
    let admin = app.user("ada@clinic.org", app::accounts::Role::Admin).await;
    let path = "/studio/course/telehealth-for-clinical-teams/files/course.md";
    let first = app.get_as(path, &admin.cookie).await;
    let second = app.get_as(path, &admin.cookie).await;
    let (n1, n2) = (nonce_of(&first), nonce_of(&second));
    assert_ne!(n1, n2);
    assert!(second.body.contains(&format!("nonce=\"{n2}\"")));
    assert!(
        !second.body.contains(&n1),
        "the first response's nonce leaked"
    );
}

#[tokio::test]
async fn reloading_the_catalog_refreshes_served_pages() {
    let dir = tempfile::tempdir().expect("dir");
    let content = dir.path().join("content");
    copy_dir(&demo_content(), &content);
    let app = TestApp::with_content(&content).await;
    let path = "/courses/remote-monitoring-for-nurses/setting-up";
    app.get(path).await.assert_contains("Choosing patients");

    // Publish a changed lesson as a restart would, then reload the running catalog.
    let lesson = content.join("courses/remote-monitoring-for-nurses/01-setting-up.md");
    let text = std::fs::read_to_string(&lesson).expect("read");
    std::fs::write(
        &lesson,
        text.replace("## Choosing patients", "## Selecting patients"),
    )
    .expect("write");
    let report = server::content::load_dir(&content);
    server::content::import::import(&app.state.pool, &report.courses, &report.present)
        .await
        .expect("import");
    app.state
        .catalog
        .reload(&app.state.pool)
        .await
        .expect("reload");

    let page = app.get(path).await;
    page.assert_contains("Selecting patients");
    assert!(!page.body.contains("Choosing patients"));
}

#[tokio::test]
async fn requests_with_cookies_are_rendered_fresh() {
    let app = TestApp::new().await;
    let path = "/courses";
    app.get(path).await;
    let page = app
        .request(
            Request::get(path)
                .header("cookie", "x=1")
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("3 courses");
}

#[tokio::test]
async fn fingerprinted_assets_are_cached_for_a_year_and_served_precompressed() {
    let app = TestApp::new().await;
    let pkg = app.dir.path().join("site/pkg");
    std::fs::create_dir_all(&pkg).expect("mkdir");
    std::fs::write(pkg.join("grandrounds.abc123.js"), "console.log('plain');").expect("write");
    std::fs::write(pkg.join("grandrounds.abc123.js.br"), b"BROTLI-BYTES").expect("write");

    let page = app
        .request(
            Request::get("/pkg/grandrounds.abc123.js")
                .header("accept-encoding", "br")
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        page.header("cache-control"),
        "public, max-age=31536000, immutable"
    );
    assert_eq!(page.header("content-encoding"), "br");
    assert_eq!(
        page.body, "BROTLI-BYTES",
        "the build-time file, not a second compression"
    );

    let plain = app.get("/pkg/grandrounds.abc123.js").await;
    assert_eq!(plain.body, "console.log('plain');");
    assert_eq!(
        app.get("/pkg/missing.js").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn no_rehearsal_banner_on_the_real_clock_and_one_on_a_rehearsal() {
    let app = TestApp::new().await;
    assert!(!app.get("/").await.body.contains("Rehearsal clock"));
    // Moving the clock for a test is not a rehearsal; starting one is.
    server::clock::set_clock(time::macros::datetime!(2031-03-04 15:00 UTC));
    assert!(!app.get("/courses").await.body.contains("Rehearsal clock"));
    server::clock::start_rehearsal(time::macros::datetime!(2031-03-04 15:00 UTC));
    let page = app.get("/login").await;
    page.assert_contains("Rehearsal clock.");
    page.assert_contains("started at 2031-03-04 15:00:00 UTC");
}

/// Every page keeps its own CSP while files of the site root are served beside it. (Leptos'
/// file handler made an owner that inherited whichever page's reactive owner the worker
/// thread last left current, and applied that page's response options to the file: it took
/// the page's headers, so a browser got a page whose scripts its CSP blocked.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_keep_their_csp_while_site_files_are_served() {
    let app = std::sync::Arc::new(TestApp::new().await);
    std::fs::create_dir_all(app.dir.path().join("site")).expect("site root");
    std::fs::write(app.dir.path().join("site/robots.txt"), "User-agent: *\n").expect("file");
    let user = app.register_as("csp@clinic.org", "nurse").await;
    let mut tasks = tokio::task::JoinSet::new();
    for round in 0..450 {
        let app = app.clone();
        let cookie = user.cookie.clone();
        tasks.spawn(async move {
            if round % 3 == 2 {
                // Another method on a file of the root: refused here, never read as a GET
                // by Leptos' file handler.
                let refused = app
                    .request(
                        Request::post("/robots.txt")
                            .header("content-type", "application/x-www-form-urlencoded")
                            .header("origin", crate::support::ORIGIN)
                            .body(Body::empty())
                            .expect("request"),
                    )
                    .await;
                assert_ne!(refused.status, StatusCode::OK, "round {round}");
                let csp = refused.headers.get(http::header::CONTENT_SECURITY_POLICY);
                assert!(
                    csp.is_none_or(|value| !value
                        .to_str()
                        .unwrap_or("")
                        .contains("default-src 'self'")),
                    "round {round}: a refused request has a page's CSP: {csp:?}"
                );
            } else if round % 3 == 0 {
                let page = app.get_as("/webinars", &cookie).await;
                assert_eq!(page.status, StatusCode::OK);
                let csp = page.headers.get(http::header::CONTENT_SECURITY_POLICY);
                let csp = csp
                    .and_then(|value| value.to_str().ok())
                    .unwrap_or("(none)");
                assert!(
                    csp.contains("default-src 'self'") && csp.contains("script-src 'none'"),
                    "round {round}: the page's CSP is {csp}"
                );
            } else {
                let file = app.get("/robots.txt").await;
                assert_eq!(file.status, StatusCode::OK, "round {round}");
                assert_eq!(file.body, "User-agent: *\n");
                let csp = file.headers.get(http::header::CONTENT_SECURITY_POLICY);
                assert!(
                    csp.is_some_and(|value| !value
                        .to_str()
                        .unwrap_or("")
                        .contains("default-src 'self'")),
                    "round {round}: the file has a page's CSP: {csp:?}"
                );
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.expect("round");
    }
}
