//! Webinars through the real router: the list (upcoming and past by the one clock, by
//! profession), the page (disclosures and statements, times with zone and offset, never the
//! join URL), and the import (revisions only on change, a moved session's SEQUENCE, a
//! removed file retired).

use crate::support::{TestApp, copy_dir, demo_content};
use http::StatusCode;

const CASES: &str = "store-and-forward-case-conference";
const CLUB: &str = "remote-monitoring-journal-club";

#[tokio::test]
async fn upcoming_and_past_follow_the_clock_and_the_profession() {
    let app = TestApp::new().await;
    server::clock::set_clock(time::macros::datetime!(2030-01-01 12:00 UTC));
    let page = app.get("/webinars").await;
    assert_eq!(page.status, StatusCode::OK);
    let upcoming = page.position("Upcoming");
    let past = page.position("<h2 id=\"past-heading\">Past</h2>");
    let cases = page.position("Store-and-forward dermatology: a case conference");
    let club = page.position("Journal club: remote monitoring after heart-failure discharge");
    assert!(
        upcoming < cases && cases < past && past < club,
        "{}",
        page.body
    );
    page.assert_contains(
        "Tuesday 4 March 2031, 09:00\u{2013}10:00 CST (UTC\u{2212}06:00, America/Chicago)",
    );

    let workers = app
        .get("/webinars?profession=community-health-worker")
        .await;
    assert!(!workers.body.contains("Store-and-forward dermatology"));
    workers.assert_contains("Journal club: remote monitoring");
    workers.assert_contains("No upcoming webinar matches");
    let bad = app.get("/webinars?profession=astronaut").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);

    // After the session, both are past.
    server::clock::set_clock(time::macros::datetime!(2031-03-04 16:00:01 UTC));
    let later = app.get("/webinars").await;
    let past = later.position("<h2 id=\"past-heading\">Past</h2>");
    assert!(later.position("Store-and-forward dermatology") > past);
}

#[tokio::test]
async fn the_page_shows_what_accreditation_asks_and_never_the_join_link() {
    let app = TestApp::new().await;
    server::clock::set_clock(time::macros::datetime!(2030-01-01 12:00 UTC));
    let page = app.get(&format!("/webinars/{CASES}")).await;
    assert_eq!(page.status, StatusCode::OK);
    for text in [
        "Learning objectives",
        "Take clinical photographs a remote dermatologist can read",
        "Presenters, planners and disclosures",
        "Dr Ines Moreau",
        "Dr Amara Okafor",
        "No relevant financial relationships",
        "Accreditation statement",
        "designates this live activity for a maximum of 1.0 AMA PRA Category 1 Credit",
        "at least 45 minutes of a session",
        "Tuesday 4 March 2031, 09:00\u{2013}10:00 CST (UTC\u{2212}06:00, America/Chicago)",
        "15:00\u{2013}16:00 UTC, 4 March 2031",
        "Open until 4 March 2031, 08:45 CST (UTC\u{2212}06:00)",
        "Zoom",
    ] {
        page.assert_contains(text);
    }
    assert!(
        !page.body.contains("zoom.example.org"),
        "the join URL stays on the server"
    );
    let api = app.get(&format!("/api/webinar?slug={CASES}")).await;
    assert!(!api.body.contains("zoom.example.org"));

    let club = app.get(&format!("/webinars/{CLUB}")).await;
    club.assert_contains(
        "Wednesday 10 June 2026, 12:00\u{2013}13:00 CEST (UTC+02:00, Europe/Berlin)",
    );
    club.assert_contains("Past live webinar");
    club.assert_contains("Closed on 10 June 2026, 11:45 CEST");
    assert_eq!(
        app.get("/webinars/no-such-webinar").await.status,
        StatusCode::NOT_FOUND
    );
    assert!(app.get("/webinars/..%2Fetc").await.status.is_client_error());

    let home = app.get("/").await;
    home.assert_contains("href=\"/webinars\"");
}

#[tokio::test]
async fn an_import_stores_a_revision_only_on_change_and_a_moved_session_gets_a_new_sequence() {
    let dir = tempfile::tempdir().expect("dir");
    let content = dir.path().join("content");
    copy_dir(&demo_content(), &content);
    let app = TestApp::with_content(&content).await;
    let revisions = || app.count("SELECT COUNT(*) FROM webinar_revisions");
    assert_eq!(revisions().await, 2);
    let (again, _) =
        server::webinars::import_dir(&app.state.pool, &content, &app.state.mail.identity)
            .await
            .expect("import");
    assert!(again.created.is_empty() && again.rescheduled.is_empty());
    assert_eq!(again.unchanged, 2);
    assert_eq!(revisions().await, 2, "nothing new when nothing changed");

    let file = content.join(format!("webinars/{CASES}.md"));
    let text = std::fs::read_to_string(&file).expect("read");
    std::fs::write(
        &file,
        text.replace("start = 2031-03-04T09:00:00", "start = 2031-03-04T10:00:00"),
    )
    .expect("write");
    let (summary, problems) =
        server::webinars::import_dir(&app.state.pool, &content, &app.state.mail.identity)
            .await
            .expect("import");
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(summary.created, vec![(CASES.to_owned(), 2)]);
    assert_eq!(summary.rescheduled, vec![(CASES.to_owned(), 1)]);
    let (starts_at, sequence): (i64, i64) = sqlx::query_as(
        "SELECT s.starts_at, s.sequence FROM webinar_sessions s JOIN webinars w ON w.id = s.webinar_id WHERE w.slug = $1",
    )
    .bind(CASES)
    .fetch_one(&app.state.pool)
    .await
    .expect("session");
    assert_eq!(
        starts_at,
        time::macros::datetime!(2031-03-04 16:00 UTC).unix_timestamp()
    );
    assert_eq!(sequence, 1);
    // Once the session has started, a file that moves it is not imported and says why.
    server::clock::set_clock(time::macros::datetime!(2031-03-04 16:10 UTC));
    std::fs::write(
        &file,
        text.replace("start = 2031-03-04T09:00:00", "start = 2031-03-04T11:00:00"),
    )
    .expect("write");
    let (frozen, problems) =
        server::webinars::import_dir(&app.state.pool, &content, &app.state.mail.identity)
            .await
            .expect("import");
    assert!(frozen.created.is_empty() && frozen.rescheduled.is_empty());
    assert!(
        problems
            .iter()
            .any(|p| p.to_string().contains("session 1 has started")),
        "{problems:?}"
    );
    assert_eq!(revisions().await, 3);
    std::fs::write(
        &file,
        text.replace("start = 2031-03-04T09:00:00", "start = 2031-03-04T10:00:00"),
    )
    .expect("write back");
    // The first revision is kept as it was written.
    let first: String = sqlx::query_scalar(
        "SELECT r.source FROM webinar_revisions r JOIN webinars w ON w.id = r.webinar_id WHERE w.slug = $1 AND r.number = 1",
    )
    .bind(CASES)
    .fetch_one(&app.state.pool)
    .await
    .expect("revision 1");
    assert!(first.contains("start = 2031-03-04T09:00:00"));

    // A broken file keeps the last good revision published; a removed one is retired.
    std::fs::write(&file, "+++\ntitle = \"x\"\n+++\n").expect("break");
    let (summary, problems) =
        server::webinars::import_dir(&app.state.pool, &content, &app.state.mail.identity)
            .await
            .expect("import");
    assert!(!problems.is_empty() && summary.retired.is_empty());
    assert_eq!(
        app.get(&format!("/webinars/{CASES}")).await.status,
        StatusCode::OK
    );
    std::fs::remove_file(&file).expect("remove");
    let (summary, _) =
        server::webinars::import_dir(&app.state.pool, &content, &app.state.mail.identity)
            .await
            .expect("import");
    assert_eq!(summary.retired, vec![CASES.to_owned()]);
    assert_eq!(
        app.get(&format!("/webinars/{CASES}")).await.status,
        StatusCode::NOT_FOUND
    );
}

async fn register(app: &TestApp, cookie: Option<&str>) -> crate::support::Page {
    app.post_form("/webinars/register", &[("webinar", CASES)], cookie)
        .await
}

/// The page a browser lands on after a post: a signed-in reader's form state is in the
/// session, an anonymous one's in the cookie the answer set.
async fn landing(app: &TestApp, after: &crate::support::Page, cookie: &str) -> String {
    let cookie = if cookie.is_empty() {
        after.cookies().unwrap_or_default()
    } else {
        cookie.to_owned()
    };
    app.get_as(after.location(), &cookie).await.body
}

async fn statuses(app: &TestApp) -> Vec<(String, i64, i64)> {
    sqlx::query_as(
        "SELECT r.status, r.position, r.user_id FROM webinar_registrations r JOIN webinars w ON w.id = r.webinar_id \
         WHERE w.slug = $1 ORDER BY r.position",
    )
    .bind(CASES)
    .fetch_all(&app.state.pool)
    .await
    .expect("registrations")
}

#[tokio::test]
async fn a_hundred_at_once_for_thirty_seats_gives_thirty_seats_and_seventy_waiting_in_order() {
    let app = TestApp::new().await;
    server::clock::set_clock(time::macros::datetime!(2030-01-01 12:00 UTC));
    let mut learners = Vec::new();
    for n in 0..100 {
        learners.push(app.learner(&format!("learner{n}@clinic.org")).await);
    }
    let mut tasks = Vec::new();
    for learner in &learners {
        let (router, cookie) = (app.router.clone(), learner.cookie.clone());
        tasks.push(tokio::spawn(async move {
            use tower::ServiceExt as _;
            let request = http::Request::post("/webinars/register")
                .header("content-type", "application/x-www-form-urlencoded")
                .header("origin", crate::support::ORIGIN)
                .header("cookie", cookie)
                .body(axum::body::Body::from(format!("webinar={CASES}")))
                .expect("request");
            router.oneshot(request).await.expect("answer").status()
        }));
    }
    for task in tasks {
        assert_eq!(task.await.expect("task"), StatusCode::SEE_OTHER);
    }
    let rows = statuses(&app).await;
    assert_eq!(rows.len(), 100);
    let registered = rows.iter().filter(|(s, ..)| s == "registered").count();
    let waiting = rows.iter().filter(|(s, ..)| s == "waitlisted").count();
    assert_eq!((registered, waiting), (30, 70));
    // Arrival order: positions 1..=100 with no gap, the seats to the first thirty.
    let positions: Vec<i64> = rows.iter().map(|(_, p, _)| *p).collect();
    assert_eq!(positions, (1..=100).collect::<Vec<i64>>());
    assert!(rows[..30].iter().all(|(s, ..)| s == "registered"));
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM outbox WHERE kind IN ('webinar-registered', 'webinar-waitlisted')"
        )
        .await,
        100,
        "one confirmation each, in the registration's transaction"
    );

    // A seat freed goes to the first waiting, who is told.
    let first_waiting = rows[30].2;
    let leaver = learners
        .iter()
        .find(|l| l.id == rows[0].2)
        .expect("a registered learner");
    let cancelled = app
        .post_form(
            "/webinars/cancel",
            &[("webinar", CASES)],
            Some(&leaver.cookie),
        )
        .await;
    assert_eq!(cancelled.status, StatusCode::SEE_OTHER);
    let rows = statuses(&app).await;
    assert!(
        rows.iter()
            .any(|(s, _, u)| s == "registered" && *u == first_waiting)
    );
    assert_eq!(rows.iter().filter(|(s, ..)| s == "registered").count(), 30);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE kind = 'webinar-promoted'")
            .await,
        1
    );
    // Cancelling twice is harmless, and frees nothing more.
    let again = app
        .post_form(
            "/webinars/cancel",
            &[("webinar", CASES)],
            Some(&leaver.cookie),
        )
        .await;
    assert!(
        landing(&app, &again, &leaver.cookie)
            .await
            .contains("there was nothing to cancel")
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE kind = 'webinar-promoted'")
            .await,
        1
    );
    // The promoted learner's page says so.
    let promoted = learners
        .iter()
        .find(|l| l.id == first_waiting)
        .expect("promoted");
    let page = app
        .get_as(&format!("/webinars/{CASES}"), &promoted.cookie)
        .await;
    page.assert_contains("You are registered.");
    let waiting = learners
        .iter()
        .find(|l| l.id == rows[31].2)
        .expect("waiting");
    let page = app
        .get_as(&format!("/webinars/{CASES}"), &waiting.cookie)
        .await;
    page.assert_contains("You are number 1 on the waitlist.");
    page.assert_contains("30 of 30 seats taken, 69 on the waitlist.");
}

#[tokio::test]
async fn the_same_form_twice_registers_once_and_the_window_and_sign_in_are_explained() {
    let app = TestApp::new().await;
    // Sessions are signed in by the one clock: move it first.
    server::clock::set_clock(time::macros::datetime!(2030-01-01 12:00 UTC));
    let learner = app.learner("ana@clinic.org").await;
    let first = register(&app, Some(&learner.cookie)).await;
    assert!(
        landing(&app, &first, &learner.cookie)
            .await
            .contains("You are registered. A confirmation is on its way")
    );
    let second = register(&app, Some(&learner.cookie)).await;
    assert!(
        landing(&app, &second, &learner.cookie)
            .await
            .contains("You are registered already.")
    );
    assert_eq!(statuses(&app).await.len(), 1);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE kind = 'webinar-registered'")
            .await,
        1
    );

    // Signed out: told to sign in, nothing written.
    let anonymous = register(&app, None).await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
    let shown = landing(&app, &anonymous, "").await;
    assert!(shown.contains("Sign in to register"), "{shown}");
    // Unknown webinar, field twice.
    let unknown = app
        .post_form(
            "/webinars/register",
            &[("webinar", "no-such")],
            Some(&learner.cookie),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let twice = app
        .post_form(
            "/webinars/register",
            &[("webinar", CASES), ("webinar", CLUB)],
            Some(&learner.cookie),
        )
        .await;
    assert_eq!(twice.status, StatusCode::BAD_REQUEST);
    let huge = "w".repeat(100_000);
    let long = app
        .post_form(
            "/webinars/register",
            &[("webinar", &huge)],
            Some(&learner.cookie),
        )
        .await;
    assert_eq!(long.status, StatusCode::NOT_FOUND);

    // Outside the window, and for a past webinar.
    let other = app.learner("lee@clinic.org").await;
    server::clock::set_clock(time::macros::datetime!(2031-03-04 14:50 UTC));
    let late = register(&app, Some(&other.cookie)).await;
    assert!(
        landing(&app, &late, &other.cookie)
            .await
            .contains("Registration closed on 4 March 2031, 08:45 CST")
    );
    let past = app
        .post_form(
            "/webinars/register",
            &[("webinar", CLUB)],
            Some(&other.cookie),
        )
        .await;
    assert!(
        landing(&app, &past, &other.cookie)
            .await
            .contains("This webinar is over")
    );
    server::clock::set_clock(time::macros::datetime!(2025-12-01 12:00 UTC));
    let early = register(&app, Some(&other.cookie)).await;
    assert!(
        landing(&app, &early, &other.cookie)
            .await
            .contains("Registration opens on 31 December 2025")
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM webinar_registrations")
            .await,
        1,
        "no refusal writes anything"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE kind LIKE 'webinar-%'")
            .await,
        1
    );
}

#[tokio::test]
async fn a_raised_capacity_seats_those_waiting_before_any_newcomer() {
    let dir = tempfile::tempdir().expect("dir");
    let content = dir.path().join("content");
    copy_dir(&demo_content(), &content);
    let file = content.join(format!("webinars/{CASES}.md"));
    let text = std::fs::read_to_string(&file).expect("read");
    std::fs::write(&file, text.replace("capacity = 30", "capacity = 1")).expect("write");
    server::clock::set_clock(time::macros::datetime!(2030-01-01 12:00 UTC));
    let app = TestApp::with_content(&content).await;
    let mut people = Vec::new();
    for name in ["a", "b", "c", "d"] {
        people.push(app.learner(&format!("{name}@clinic.org")).await);
    }
    for person in &people[..3] {
        register(&app, Some(&person.cookie)).await;
    }
    let seated = |rows: &[(String, i64, i64)]| -> Vec<i64> {
        rows.iter()
            .filter(|(s, ..)| s == "registered")
            .map(|(_, _, u)| *u)
            .collect()
    };
    assert_eq!(seated(&statuses(&app).await), vec![people[0].id]);

    std::fs::write(&file, text.replace("capacity = 30", "capacity = 2")).expect("write");
    server::webinars::import_dir(&app.state.pool, &content, &app.state.mail.identity)
        .await
        .expect("import");
    register(&app, Some(&people[3].cookie)).await;
    let rows = statuses(&app).await;
    assert_eq!(
        seated(&rows),
        vec![people[0].id, people[1].id],
        "the first waiting got the new seat"
    );
    assert!(
        rows.iter()
            .any(|(s, _, u)| s == "waitlisted" && *u == people[3].id),
        "the newcomer waits"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE kind = 'webinar-promoted'")
            .await,
        1
    );

    // After the last session a cancellation offers nobody a seat.
    server::clock::set_clock(time::macros::datetime!(2031-03-05 12:00 UTC));
    let leaver = app.sign_in("a@clinic.org").await;
    app.post_form("/webinars/cancel", &[("webinar", CASES)], Some(&leaver))
        .await;
    assert_eq!(seated(&statuses(&app).await), vec![people[1].id]);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE kind = 'webinar-promoted'")
            .await,
        1
    );
}

#[tokio::test]
async fn organizers_and_administrators_see_the_list_download_it_and_cancel_with_an_audit() {
    server::clock::set_clock(time::macros::datetime!(2030-01-01 12:00 UTC));
    let app = TestApp::new().await;
    let organizer = app
        .user(
            "educator@grandrounds.example",
            app::accounts::Role::Educator,
        )
        .await;
    let other = app
        .user("other@clinic.org", app::accounts::Role::Educator)
        .await;
    let admin = app
        .user("admin@clinic.org", app::accounts::Role::Admin)
        .await;
    let learner = app.register_as("ana@clinic.org", "nurse").await;
    // A name a spreadsheet would run as a formula.
    sqlx::query("UPDATE users SET full_name = '=HYPERLINK(\"http://evil\")' WHERE id = $1")
        .bind(learner.id)
        .execute(&app.state.pool)
        .await
        .expect("rename");
    register(&app, Some(&learner.cookie)).await;
    let path = format!("/webinars/{CASES}/registrations");

    for cookie in [&organizer.cookie, &admin.cookie] {
        let page = app.get_as(&path, cookie).await;
        assert_eq!(page.status, StatusCode::OK);
        page.assert_contains("1 of 30 seats taken, 0 on the waitlist.");
        page.assert_contains("ana@clinic.org");
    }
    for cookie in [&other.cookie, &learner.cookie] {
        assert_eq!(
            app.get_as(&path, cookie).await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            app.get_as(&format!("{path}.csv"), cookie).await.status,
            StatusCode::FORBIDDEN
        );
        let refused = app
            .post_form(
                "/webinars/registrations/cancel",
                &[("webinar", CASES), ("user_id", &learner.id.to_string())],
                Some(cookie),
            )
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
    }
    let csv = app.get_as(&format!("{path}.csv"), &organizer.cookie).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.header("content-type").starts_with("text/csv"));
    assert!(
        csv.body.starts_with("status,place,name,email,profession"),
        "{}",
        csv.body
    );
    assert!(
        csv.body.contains("'=HYPERLINK"),
        "a formula stays text: {}",
        csv.body
    );

    let cancelled = app
        .post_form(
            "/webinars/registrations/cancel",
            &[("webinar", CASES), ("user_id", &learner.id.to_string())],
            Some(&organizer.cookie),
        )
        .await;
    assert_eq!(cancelled.location(), path);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'webinar.cancel'")
            .await,
        1
    );
    let again = app
        .post_form(
            "/webinars/registrations/cancel",
            &[("webinar", CASES), ("user_id", &learner.id.to_string())],
            Some(&organizer.cookie),
        )
        .await;
    let shown = app.get_as(again.location(), &organizer.cookie).await;
    shown.assert_contains("has no registration or waitlist place here");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'webinar.cancel'")
            .await,
        1
    );
}
