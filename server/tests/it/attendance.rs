//! The attendance ledger through the router: participant reports of every format (preview
//! first, nothing written; then all at once, once), code windows, the interval union as
//! learners and organizers see it, corrections, and the ledger's refusal to be edited.

use crate::support::{TestApp, User, copy_dir, demo_content};
use app::accounts::Role;
use http::StatusCode;
use std::path::{Path, PathBuf};

const CASES: &str = "store-and-forward-case-conference";
const ORGANIZER: &str = "educator@grandrounds.example";

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/attendance")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

struct Setup {
    app: TestApp,
    ada: User,
    ben: User,
    organizer: User,
    _content: tempfile::TempDir,
}

/// The demo content; Ada and Ben hold seats for the case conference (4 March 2031, 09:00 to
/// 10:00 in Chicago, 15:00 to 16:00 UTC), Chidi has an account and no seat; the organizer
/// named in the webinar's file has an educator's account.
async fn setup() -> Setup {
    let content = tempfile::tempdir().expect("dir");
    copy_dir(&demo_content(), content.path());
    server::clock::set_clock(time::macros::datetime!(2030-01-01 12:00 UTC));
    let app = TestApp::with_content(content.path()).await;
    let ada = app.learner("ada.okafor@example.org").await;
    let ben = app.learner("ben.lindqvist@example.org").await;
    app.learner("chidi.eze@example.org").await;
    for (id, name) in [(ada.id, "Ada Okafor"), (ben.id, "Ben Lindqvist")] {
        sqlx::query("UPDATE users SET full_name = $1 WHERE id = $2")
            .bind(name)
            .bind(id)
            .execute(&app.state.pool)
            .await
            .expect("name");
    }
    for user in [&ada, &ben] {
        let page = app
            .post_form(
                "/webinars/register",
                &[("webinar", CASES)],
                Some(&user.cookie),
            )
            .await;
        assert_eq!(page.status, StatusCode::SEE_OTHER);
    }
    let organizer = app.user(ORGANIZER, Role::Educator).await;
    Setup {
        app,
        ada,
        ben,
        organizer,
        _content: content,
    }
}

/// Moves the clock and signs everyone in again (sessions last a day or so of clock time).
async fn at(setup: &mut Setup, instant: time::OffsetDateTime) {
    server::clock::set_clock(instant);
    let app = &setup.app;
    setup.ada.cookie = app.sign_in("ada.okafor@example.org").await;
    setup.ben.cookie = app.sign_in("ben.lindqvist@example.org").await;
    setup.organizer.cookie = app.sign_in(ORGANIZER).await;
}

async fn upload(app: &TestApp, cookie: &str, name: &str, bytes: &[u8]) -> crate::support::Page {
    app.post_multipart(
        "/webinars/attendance/import",
        &[
            ("webinar", CASES),
            ("action", "preview"),
            ("session", "1"),
            ("zone", "America/Chicago"),
        ],
        Some((name, bytes)),
        Some(cookie),
    )
    .await
}

fn sha(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// The newest kept preview of the report `bytes` ("0" when there is none).
async fn preview_id(app: &TestApp, bytes: &[u8]) -> String {
    let id: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM attendance_import_previews WHERE sha256 = $1 ORDER BY id DESC LIMIT 1",
    )
    .bind(sha(bytes))
    .fetch_optional(&app.state.pool)
    .await
    .expect("previews");
    id.unwrap_or(0).to_string()
}

async fn write(app: &TestApp, cookie: &str, bytes: &[u8]) -> crate::support::Page {
    write_confirming(app, cookie, bytes, &[]).await
}

/// Writes the kept preview of `bytes`, confirming the name-only matches on `lines`.
async fn write_confirming(
    app: &TestApp,
    cookie: &str,
    bytes: &[u8],
    lines: &[&str],
) -> crate::support::Page {
    let id = preview_id(app, bytes).await;
    let mut fields = vec![
        ("webinar", CASES),
        ("action", "write"),
        ("preview", id.as_str()),
    ];
    fields.extend(lines.iter().map(|line| ("confirm", *line)));
    app.post_multipart("/webinars/attendance/import", &fields, None, Some(cookie))
        .await
}

async fn attendance_page(app: &TestApp, cookie: &str) -> String {
    let page = app
        .get_as(&format!("/webinars/{CASES}/attendance"), cookie)
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    page.body
}

async fn ledger_rows(app: &TestApp) -> i64 {
    app.count("SELECT COUNT(*) FROM attendance_ledger").await
}

/// Seconds attended per learner, as the organizers' CSV says.
async fn seconds_in_csv(app: &TestApp, cookie: &str) -> Vec<(String, i64, String)> {
    let page = app
        .get_as(&format!("/webinars/{CASES}/attendance.csv"), cookie)
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let mut reader = csv::Reader::from_reader(page.body.as_bytes());
    reader
        .records()
        .map(|r| {
            let r = r.expect("row");
            (
                r[3].to_owned(),
                r[5].parse::<i64>().expect("seconds"),
                r[11].to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_zoom_report_is_previewed_with_every_problem_then_written_once() {
    let mut setup = setup().await;
    at(&mut setup, time::macros::datetime!(2031-03-04 17:00 UTC)).await;
    let app = &setup.app;
    let organizer = setup.organizer.cookie.clone();
    let mut file = fixture("zoom-participants.csv");
    file.extend_from_slice(
        b"Late Typist,ben.lindqvist@example.org,03/04/2031 9:75:00 AM,03/04/2031 09:58:30 AM,1,No,No\n\
          Chidi Eze,chidi.eze@example.org,03/04/2031 09:00:00 AM,03/04/2031 10:00:00 AM,60,No,No\n\
          Nobody,nobody@example.org,03/04/2031 09:00:00 AM,03/04/2031 10:00:00 AM,60,No,No\n\
          Backwards,ada.okafor@example.org,03/04/2031 09:50:00 AM,03/04/2031 09:40:00 AM,0,No,No\n\
          Early,ada.okafor@example.org,03/04/2031 07:00:00 AM,03/04/2031 08:00:00 AM,60,No,No\n",
    );

    // The preview names every row's problem and writes nothing.
    let preview = upload(app, &organizer, "zoom.csv", &file).await;
    assert_eq!(preview.status, StatusCode::SEE_OTHER, "{}", preview.body);
    let page = attendance_page(app, &organizer).await;
    assert!(page.contains("Read as a Zoom participant report"), "{page}");
    assert!(
        page.contains("11 rows, 4 to add, 0 matched by name only, 7 with a problem"),
        "{page}"
    );
    for problem in [
        "educator@grandrounds.example has no seat in this webinar (no registration with this address)",
        "no learner with a seat registered as \"Dr. Visiting Guest\"",
        "join time: \"03/04/2031 9:75:00 AM\" is not a time the importer reads",
        "chidi.eze@example.org has no seat in this webinar (no registration with this address)",
        "nobody@example.org has no seat in this webinar (no registration with this address)",
        "is before join",
        "outside the session",
    ] {
        assert!(page.contains(problem), "{problem}: {page}");
    }
    assert_eq!(ledger_rows(app).await, 0);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM attendance_imports").await,
        0
    );

    // Writing adds the four good rows at once; the file is kept, the rest listed.
    let written = write(app, &organizer, &file).await;
    assert_eq!(written.status, StatusCode::SEE_OTHER, "{}", written.body);
    assert_eq!(ledger_rows(app).await, 4);
    let page = attendance_page(app, &organizer).await;
    assert!(
        page.contains("4 rows added to the ledger, 7 skipped"),
        "{page}"
    );
    assert!(
        page.contains("line 13: nobody@example.org has no seat in this webinar"),
        "{page}"
    );
    let stored: Vec<u8> =
        sqlx::query_scalar("SELECT bytes FROM attendance_files WHERE sha256 = $1")
            .bind(sha(&file))
            .fetch_one(&app.state.pool)
            .await
            .expect("the file is kept");
    assert_eq!(stored, file);
    let download = app
        .get_as(
            &format!("/webinars/{CASES}/attendance/files/{}", sha(&file)),
            &organizer,
        )
        .await;
    assert_eq!(download.raw, file);

    // Ada: phone and laptop overlap, and she came before the start: the whole hour, once.
    // Ben: 26 minutes, a gap, 22.5 minutes: 48.5 minutes, eligible (45 needed).
    let csv = seconds_in_csv(app, &organizer).await;
    assert!(
        csv.contains(&("ada.okafor@example.org".into(), 3600, "yes".into())),
        "{csv:?}"
    );
    assert!(
        csv.contains(&("ben.lindqvist@example.org".into(), 2910, "yes".into())),
        "{csv:?}"
    );

    // The same file again adds nothing, whether previewed or written.
    let again = upload(app, &organizer, "zoom.csv", &file).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    assert!(
        attendance_page(app, &organizer)
            .await
            .contains("imported for session 1 already")
    );
    write(app, &organizer, &file).await;
    assert_eq!(ledger_rows(app).await, 4);

    // Another export of the same meeting: its rows are known, line by line.
    let mut other = fixture("zoom-participants.csv");
    other.extend_from_slice(b"\n");
    upload(app, &organizer, "zoom-again.csv", &other).await;
    let page = attendance_page(app, &organizer).await;
    assert!(page.contains("0 to add"), "{page}");
    assert!(
        page.contains("already imported (line 6 of an earlier report)"),
        "{page}"
    );

    // The learner sees her minutes per source and that she is eligible.
    let ada = app
        .get_as(&format!("/webinars/{CASES}"), &setup.ada.cookie)
        .await;
    ada.assert_contains("Session 1: 1 h recorded");
    ada.assert_contains("the service's participant report: 1 h");
    ada.assert_contains("Eligible for credit for this session.");
}

#[tokio::test]
async fn teams_bigbluebutton_and_plain_reports_are_read_from_the_files_themselves() {
    let mut setup = setup().await;
    at(&mut setup, time::macros::datetime!(2031-03-04 17:00 UTC)).await;
    let app = &setup.app;
    let organizer = setup.organizer.cookie.clone();

    // Teams: UTF-16 with a byte-order mark, tabs, numbered sections; the activities give
    // each stay (Ada left for 7 minutes), not the first join and last leave.
    let teams = fixture("teams-attendance.csv");
    upload(app, &organizer, "teams.csv", &teams).await;
    let page = attendance_page(app, &organizer).await;
    assert!(
        page.contains("Read as a Microsoft Teams attendance report"),
        "{page}"
    );
    assert!(
        page.contains("4 rows, 3 to add, 0 matched by name only, 1 with a problem"),
        "{page}"
    );
    write(app, &organizer, &teams).await;
    let csv = seconds_in_csv(app, &organizer).await;
    assert!(
        csv.contains(&(
            "ada.okafor@example.org".into(),
            27 * 60 + 49 + 22 * 60 + 2,
            "yes".into()
        )),
        "{csv:?}"
    );
    assert!(
        csv.contains(&(
            "ben.lindqvist@example.org".into(),
            39 * 60 + 30,
            "no".into()
        )),
        "{csv:?}"
    );
    let ben = app
        .get_as(&format!("/webinars/{CASES}"), &setup.ben.cookie)
        .await;
    ben.assert_contains("Not eligible: 5 min 30 s more would have been needed");

    // BigBlueButton: no email, so rows match a learner with a seat by the name they
    // registered with, as suggestions to confirm; Ben's row is counted for its duration
    // (40 minutes), not from first join to last leave; the anonymous poll row is named,
    // not dropped.
    let bbb = fixture("bigbluebutton-dashboard.csv");
    upload(app, &organizer, "bbb.csv", &bbb).await;
    let page = attendance_page(app, &organizer).await;
    assert!(
        page.contains("Read as a BigBlueButton learning dashboard"),
        "{page}"
    );
    assert!(
        page.contains("4 rows, 0 to add, 2 matched by name only, 2 with a problem"),
        "{page}"
    );
    assert!(
        page.contains("Same person as the account ada.okafor@example.org"),
        "{page}"
    );
    assert!(
        page.contains("counted for its duration, 40 min, from the join"),
        "{page}"
    );
    assert!(
        page.contains("the poll answers given anonymously"),
        "{page}"
    );

    // Plain CSV: an offset, a Z and a local time read in the zone chosen.
    let plain = fixture("plain.csv");
    upload(app, &organizer, "plain.csv", &plain).await;
    let page = attendance_page(app, &organizer).await;
    assert!(
        page.contains("Read as a CSV with email, join and leave"),
        "{page}"
    );
    assert!(
        page.contains("3 rows, 2 to add, 0 matched by name only, 1 with a problem"),
        "{page}"
    );
    assert!(page.contains("chidi.eze@example.org has no seat"), "{page}");

    // A file that is no report at all: said so, nothing kept as an import.
    upload(app, &organizer, "notes.csv", b"just,some,words\n1,2,3\n").await;
    let page = attendance_page(app, &organizer).await;
    assert!(
        page.contains("no header row naming join and leave times was found"),
        "{page}"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM attendance_imports").await,
        1
    );
}

#[tokio::test]
async fn only_organizers_and_administrators_import_and_the_choices_are_checked() {
    let mut setup = setup().await;
    at(&mut setup, time::macros::datetime!(2031-03-04 17:00 UTC)).await;
    let app = &setup.app;
    let other = app.user("other.educator@example.org", Role::Educator).await;
    let admin = app.user("admin@example.org", Role::Admin).await;
    let file = fixture("plain.csv");
    assert_eq!(
        upload(app, &other.cookie, "plain.csv", &file).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        upload(app, &setup.ada.cookie, "plain.csv", &file)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get_as(&format!("/webinars/{CASES}/attendance"), &other.cookie)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get_as(&format!("/webinars/{CASES}/attendance.csv"), &other.cookie)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    // A zone that is not one, and a session the webinar does not have.
    let bad_zone = app
        .post_multipart(
            "/webinars/attendance/import",
            &[
                ("webinar", CASES),
                ("action", "preview"),
                ("session", "1"),
                ("zone", "Mars/Olympus"),
            ],
            Some(("plain.csv", &file)),
            Some(&admin.cookie),
        )
        .await;
    assert_eq!(bad_zone.status, StatusCode::SEE_OTHER);
    let page = attendance_page(app, &admin.cookie).await;
    assert!(
        page.contains("\"Mars/Olympus\" is not a time zone"),
        "{page}"
    );
    app.post_multipart(
        "/webinars/attendance/import",
        &[
            ("webinar", CASES),
            ("action", "preview"),
            ("session", "7"),
            ("zone", ""),
        ],
        Some(("plain.csv", &file)),
        Some(&admin.cookie),
    )
    .await;
    assert!(
        attendance_page(app, &admin.cookie)
            .await
            .contains("Choose the session the report is for.")
    );
    // A field sent twice is refused before anything is read.
    let twice = app
        .post_multipart(
            "/webinars/attendance/import",
            &[("webinar", CASES), ("session", "1"), ("session", "2")],
            Some(("plain.csv", &file)),
            Some(&admin.cookie),
        )
        .await;
    assert_eq!(twice.status, StatusCode::BAD_REQUEST);
    // Larger than any report: refused with the reason, nothing kept.
    let huge = vec![b'a'; server::attendance::participant_reports::MAX_BYTES + 128 * 1024];
    let refused = upload(app, &admin.cookie, "huge.csv", &huge).await;
    assert_eq!(
        refused.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        refused.body
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM attendance_files").await, 0);
    // A form elsewhere still has the small limit.
    let long = format!("webinar={}", "x".repeat(300 * 1024));
    let form = app
        .request(
            http::Request::post("/webinars/register")
                .header("content-type", "application/x-www-form-urlencoded")
                .header("content-length", long.len())
                .header("cookie", &setup.ada.cookie)
                .body(axum::body::Body::from(long))
                .expect("request"),
        )
        .await;
    assert_eq!(form.status, StatusCode::PAYLOAD_TOO_LARGE);
    form.assert_contains("larger than 256 KB");
    assert_eq!(ledger_rows(app).await, 0);
}

async fn evaluate_as(app: &TestApp, cookie: &str, change: &str) -> String {
    app.post_form(
        "/webinars/attendance/evaluate",
        &[
            ("webinar", CASES),
            ("session", "1"),
            ("rating-0", "5"),
            ("rating-1", "4"),
            ("rating-2", "5"),
            ("practice_change", change),
            ("comments", ""),
        ],
        Some(cookie),
    )
    .await;
    app.get_as(&format!("/webinars/{CASES}"), cookie).await.body
}

async fn claim_as(app: &TestApp, cookie: &str, hours: &str) -> String {
    let page = app
        .post_form(
            "/webinars/attendance/claim",
            &[
                ("webinar", CASES),
                ("session", "1"),
                ("hours-nursing-contact-hours", hours),
            ],
            Some(cookie),
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    app.get_as(&format!("/webinars/{CASES}"), cookie).await.body
}

async fn webinar_quiz(app: &TestApp) -> server::quizzes::Quiz {
    let definition: String = sqlx::query_scalar(
        "SELECT q.definition FROM webinar_quizzes q JOIN webinar_revisions r ON r.id = q.revision_id \
         JOIN webinars w ON w.id = r.webinar_id WHERE w.slug = $1 ORDER BY r.number DESC LIMIT 1",
    )
    .bind(CASES)
    .fetch_one(&app.state.pool)
    .await
    .expect("the case conference has a post-test");
    serde_json::from_str(&definition).expect("quiz definition")
}

/// Opens the webinar's post-test and sends it, right or wrong: the page it lands on.
async fn take_post_test(app: &TestApp, cookie: &str, right: bool) -> crate::support::Page {
    let page = app
        .get_as(&format!("/webinars/{CASES}/post-test"), cookie)
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    let token = crate::support::token(&page.body);
    let answers = crate::support::answers(&webinar_quiz(app).await, right);
    let mut fields: Vec<(&str, &str)> = vec![("token", &token)];
    fields.extend(answers.iter().map(|(q, o)| (q.as_str(), o.as_str())));
    let sent = app
        .post_form("/webinars/post-test", &fields, Some(cookie))
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    app.get_as(sent.location(), cookie).await
}

#[tokio::test]
async fn eligible_learners_evaluate_then_claim_once_up_to_the_time_attended() {
    let mut setup = setup().await;
    // During the session nothing can be claimed yet.
    at(&mut setup, time::macros::datetime!(2031-03-04 15:30 UTC)).await;
    let early = claim_as(&setup.app, &setup.ada.cookie, "1").await;
    assert!(early.contains("has not ended yet"), "{early}");
    at(&mut setup, time::macros::datetime!(2031-03-04 17:00 UTC)).await;
    let app = &setup.app;
    let organizer = setup.organizer.cookie.clone();
    // Nothing recorded yet: not eligible, with the figures.
    let refused = claim_as(app, &setup.ada.cookie, "1").await;
    assert!(
        refused.contains("The attendance recorded for session 1 is 0 min, 45 min short"),
        "{refused}"
    );
    let file = fixture("zoom-participants.csv");
    upload(app, &organizer, "zoom.csv", &file).await;
    write(app, &organizer, &file).await;

    // The evaluation comes first, with its commitment-to-change question.
    let page = app
        .get_as(&format!("/webinars/{CASES}"), &setup.ada.cookie)
        .await;
    page.assert_contains("Evaluate session 1");
    page.assert_contains("What will you change in your practice after this session?");
    let first = claim_as(app, &setup.ada.cookie, "1").await;
    assert!(first.contains("Evaluate the session first"), "{first}");
    let missing = evaluate_as(app, &setup.ada.cookie, "").await;
    assert!(
        missing.contains("Say what you will change in your practice"),
        "{missing}"
    );
    let done = evaluate_as(
        app,
        &setup.ada.cookie,
        "Photograph every lesion with a ruler in frame.",
    )
    .await;
    assert!(done.contains("your evaluation is recorded"), "{done}");
    // Then the webinar's post-test: the claim waits for a pass.
    assert!(done.contains("Take the post-test"), "{done}");
    let early = claim_as(app, &setup.ada.cookie, "1").await;
    assert!(
        early.contains("Pass the webinar&#x27;s post-test first")
            || early.contains("Pass the webinar's post-test first"),
        "{early}"
    );
    let failed = take_post_test(app, &setup.ada.cookie, false).await;
    failed.assert_contains("Not passed: the pass mark is 75 %.");
    failed.assert_contains("Try the post-test again");
    let passed = take_post_test(app, &setup.ada.cookie, true).await;
    passed.assert_contains("Post-test, attempt 2: 100 %");
    passed.assert_contains("Go on to your credit claim");
    let done = app
        .get_as(&format!("/webinars/{CASES}"), &setup.ada.cookie)
        .await
        .body;
    assert!(done.contains("Claim credit for session 1"), "{done}");

    // Above the webinar's maximum, or a credit type her profession does not claim: refused.
    let above = claim_as(app, &setup.ada.cookie, "1.25").await;
    assert!(above.contains("claim no more than 1 hours"), "{above}");
    let other = app
        .post_form(
            "/webinars/attendance/claim",
            &[
                ("webinar", CASES),
                ("session", "1"),
                ("hours-ama-pra-category-1", "1"),
            ],
            Some(&setup.ada.cookie),
        )
        .await;
    assert_eq!(other.status, StatusCode::SEE_OTHER);
    assert_eq!(app.count("SELECT COUNT(*) FROM webinar_claims").await, 0);

    // Twenty claims at once: one claim, one certificate.
    let fields = [
        ("webinar", CASES),
        ("session", "1"),
        ("hours-nursing-contact-hours", "1"),
    ];
    let sent = (0..20).map(|_| {
        app.post_form(
            "/webinars/attendance/claim",
            &fields,
            Some(&setup.ada.cookie),
        )
    });
    for page in futures::future::join_all(sent).await {
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM webinar_claims").await, 1);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM certificates WHERE user_id = {}",
            setup.ada.id
        ))
        .await,
        1
    );
    let (format, completed_on, title, quarters): (String, String, String, i64) = sqlx::query_as(
        "SELECT format, completed_on, activity_title, quarters FROM certificates WHERE user_id = $1",
    )
    .bind(setup.ada.id)
    .fetch_one(&app.state.pool)
    .await
    .expect("certificate");
    assert_eq!(
        (format.as_str(), completed_on.as_str(), quarters),
        ("live-webinar", "2031-03-04", 4)
    );
    assert!(
        title.ends_with("live session of 4 March 2031, 09:00 CST (America/Chicago)"),
        "{title}"
    );
    let page = app
        .get_as(&format!("/webinars/{CASES}"), &setup.ada.cookie)
        .await;
    page.assert_contains("You claimed 1 hours of");
    let transcript = app.get_as("/transcript", &setup.ada.cookie).await;
    transcript.assert_contains("live session of 4 March 2031");

    // Ben attended 48 min 30 s: 0.75 hours in whole quarter hours, whatever the maximum.
    evaluate_as(
        app,
        &setup.ben.cookie,
        "Send the referral note with the images.",
    )
    .await;
    take_post_test(app, &setup.ben.cookie, true).await;
    let capped = claim_as(app, &setup.ben.cookie, "1").await;
    assert!(
        capped.contains("You attended 48 min 30 s (0.75 hours in whole quarter hours): claim no more than 0.75 hours."),
        "{capped}"
    );
    let claimed = claim_as(app, &setup.ben.cookie, "0.75").await;
    assert!(claimed.contains("You claimed 0.75 hours of"), "{claimed}");

    // A later report adds minutes: the claims and certificates stay as issued.
    let more =
        b"email,join,leave\nben.lindqvist@example.org,2031-03-04T09:30:00,2031-03-04T09:36:00\n";
    upload(app, &organizer, "late.csv", more).await;
    write(app, &organizer, more).await;
    let quarters: Vec<i64> = sqlx::query_scalar("SELECT quarters FROM certificates ORDER BY id")
        .fetch_all(&app.state.pool)
        .await
        .expect("certificates");
    assert_eq!(quarters, vec![4, 3]);
}

#[tokio::test]
async fn a_later_import_makes_a_learner_eligible_who_was_not() {
    let mut setup = setup().await;
    at(&mut setup, time::macros::datetime!(2031-03-04 17:00 UTC)).await;
    let app = &setup.app;
    let organizer = setup.organizer.cookie.clone();
    let teams = fixture("teams-attendance.csv");
    upload(app, &organizer, "teams.csv", &teams).await;
    write(app, &organizer, &teams).await;
    let refused = evaluate_as(app, &setup.ben.cookie, "More photographs").await;
    assert!(
        refused.contains("is 39 min 30 s, 5 min 30 s short"),
        "{refused}"
    );
    // The second half of the session, from a sign-in sheet: 49 min 30 s now.
    let sheet =
        b"email,join,leave\nben.lindqvist@example.org,2031-03-04T09:40:00,2031-03-04T09:50:00\n";
    upload(app, &organizer, "sheet.csv", sheet).await;
    write(app, &organizer, sheet).await;
    let page = evaluate_as(app, &setup.ben.cookie, "More photographs").await;
    assert!(page.contains("your evaluation is recorded"), "{page}");
    take_post_test(app, &setup.ben.cookie, true).await;
    let claimed = claim_as(app, &setup.ben.cookie, "0.75").await;
    assert!(claimed.contains("You claimed 0.75 hours of"), "{claimed}");
}

#[tokio::test]
async fn the_webinar_post_test_opens_after_an_eligible_session_to_seats_only_and_counts_each_form_once()
 {
    let mut setup = setup().await;
    at(&mut setup, time::macros::datetime!(2031-03-04 17:00 UTC)).await;
    let app = &setup.app;
    // Before any evidence: closed, with why; no attempt is started.
    let closed = app
        .get_as(&format!("/webinars/{CASES}/post-test"), &setup.ada.cookie)
        .await;
    closed.assert_contains("The post-test opens after a session you attended long enough");
    assert!(!closed.body.contains("name=\"token\""), "{}", closed.body);
    // Chidi holds no seat.
    let chidi = app.sign_in("chidi.eze@example.org").await;
    let page = app
        .get_as(&format!("/webinars/{CASES}/post-test"), &chidi)
        .await;
    page.assert_contains("The post-test is for learners who held a seat at this webinar.");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM webinar_quiz_attempts")
            .await,
        0
    );
    // Signed out: the sign-in page.
    let anonymous = app.get(&format!("/webinars/{CASES}/post-test")).await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);

    let file = fixture("zoom-participants.csv");
    upload(app, &setup.organizer.cookie, "zoom.csv", &file).await;
    write(app, &setup.organizer.cookie, &file).await;
    let page = app
        .get_as(&format!("/webinars/{CASES}/post-test"), &setup.ada.cookie)
        .await;
    page.assert_contains("Attempt 1 of 3");
    let token = crate::support::token(&page.body);
    let quiz = webinar_quiz(app).await;
    let answers = crate::support::answers(&quiz, false);
    let mut fields: Vec<(&str, &str)> = vec![("token", &token)];
    fields.extend(answers.iter().map(|(q, o)| (q.as_str(), o.as_str())));
    // Ada's form sent by Ben: not his, nothing recorded.
    let stolen = app
        .post_form("/webinars/post-test", &fields, Some(&setup.ben.cookie))
        .await;
    assert_eq!(stolen.status, StatusCode::BAD_REQUEST);
    stolen.assert_contains("That post-test form is not one we gave you");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM webinar_quiz_attempts WHERE number IS NOT NULL")
            .await,
        0
    );
    // A token sent twice is refused whole.
    let mut doubled = fields.clone();
    doubled.push(("token", "another"));
    let refused = app
        .post_form("/webinars/post-test", &doubled, Some(&setup.ada.cookie))
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    // An answer missing: named, nothing recorded.
    let partial = app
        .post_form("/webinars/post-test", &fields[..2], Some(&setup.ada.cookie))
        .await;
    let shown = app.get_as(partial.location(), &setup.ada.cookie).await;
    shown.assert_contains("Answer every question before you submit");
    // A 100 KB option: refused with a short message, nothing recorded.
    let huge = "x".repeat(100 * 1024);
    let mut oversized = fields.clone();
    oversized[1].1 = &huge;
    let refused = app
        .post_form("/webinars/post-test", &oversized, Some(&setup.ada.cookie))
        .await;
    assert_eq!(refused.status, StatusCode::SEE_OTHER, "{}", refused.body);
    let shown = app.get_as(refused.location(), &setup.ada.cookie).await;
    shown.assert_contains(
        "This submission was refused and nothing was recorded: it chooses an option (\"xxxx",
    );
    assert!(
        !shown.body.contains(&huge[..1000]),
        "the value is not repeated"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM webinar_quiz_attempts WHERE number IS NOT NULL")
            .await,
        0
    );
    // The same form fifty times at once: one attempt.
    let sent =
        (0..50).map(|_| app.post_form("/webinars/post-test", &fields, Some(&setup.ada.cookie)));
    for page in futures::future::join_all(sent).await {
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
        assert_eq!(page.location(), format!("/webinars/{CASES}/post-test/1"));
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM webinar_quiz_attempts WHERE number IS NOT NULL")
            .await,
        1
    );
    // A failed attempt keeps the key back; after three, the post-test is closed.
    let result = app
        .get_as(&format!("/webinars/{CASES}/post-test/1"), &setup.ada.cookie)
        .await;
    result.assert_contains("The correct answers and the explanations appear once you pass");
    take_post_test(app, &setup.ada.cookie, false).await;
    let last = take_post_test(app, &setup.ada.cookie, false).await;
    last.assert_contains("correct answer");
    let over = app
        .get_as(&format!("/webinars/{CASES}/post-test"), &setup.ada.cookie)
        .await;
    over.assert_contains("You have used all 3 attempts at the post-test.");
    // The webinar page and the claim say plainly that credit cannot be claimed now.
    let page = evaluate_as(app, &setup.ada.cookie, "Retake blurred photographs.").await;
    assert!(
        page.contains("credit for this webinar cannot be claimed"),
        "{page}"
    );
    let refused = claim_as(app, &setup.ada.cookie, "1").await;
    assert!(refused.contains("The post-test was not passed, so credit for this webinar cannot be claimed; nothing was recorded."), "{refused}");
    assert_eq!(app.count("SELECT COUNT(*) FROM webinar_claims").await, 0);
    // Another learner's attempt is not there for Ben.
    let other = app
        .get_as(&format!("/webinars/{CASES}/post-test/1"), &setup.ben.cookie)
        .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND, "{}", other.body);

    // A new revision that allows five attempts reopens nothing: registrations keep the
    // revision they were made on, and with it its post-test and its limit.
    let quiz_file = setup
        ._content
        .path()
        .join(format!("webinars/{CASES}.post-test.quiz.md"));
    let text = std::fs::read_to_string(&quiz_file).expect("quiz");
    std::fs::write(
        &quiz_file,
        text.replace("max_attempts = 3", "max_attempts = 5"),
    )
    .expect("write");
    TestApp::start_on(app.dir.path(), setup._content.path()).await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM webinar_revisions r JOIN webinars w ON w.id = r.webinar_id WHERE w.slug = 'store-and-forward-case-conference'").await,
        2
    );
    let still = app
        .get_as(&format!("/webinars/{CASES}/post-test"), &setup.ada.cookie)
        .await;
    still.assert_contains("You have used all 3 attempts at the post-test.");
    assert!(!still.body.contains("name=\"token\""));
    let refused = claim_as(app, &setup.ada.cookie, "1").await;
    assert!(
        refused.contains("The post-test was not passed"),
        "{refused}"
    );
}

async fn open_code(app: &TestApp, cookie: &str, minutes: &str) -> crate::support::Page {
    app.post_form(
        "/webinars/attendance/codes",
        &[("webinar", CASES), ("minutes", minutes)],
        Some(cookie),
    )
    .await
}

async fn latest_code(app: &TestApp) -> String {
    sqlx::query_scalar("SELECT code FROM attendance_code_windows ORDER BY id DESC LIMIT 1")
        .fetch_one(&app.state.pool)
        .await
        .expect("a code")
}

async fn enter(app: &TestApp, cookie: &str, code: &str) -> String {
    let page = app
        .post_form(
            "/webinars/attendance/code",
            &[("webinar", CASES), ("code", code)],
            Some(cookie),
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    app.get_as(&format!("/webinars/{CASES}"), cookie).await.body
}

#[tokio::test]
async fn codes_count_inside_their_window_only_from_seats_and_guessing_is_throttled() {
    let mut setup = setup().await;
    // Before the session: no window can open.
    at(&mut setup, time::macros::datetime!(2031-03-04 14:00 UTC)).await;
    let early = open_code(&setup.app, &setup.organizer.cookie, "5").await;
    assert_eq!(early.status, StatusCode::SEE_OTHER);
    assert!(
        attendance_page(&setup.app, &setup.organizer.cookie)
            .await
            .contains("A code can be shown only during a session")
    );
    // Ada clicks join at 14:58; the organizer shows a code at 15:05 for 5 minutes.
    at(&mut setup, time::macros::datetime!(2031-03-04 14:58 UTC)).await;
    let joined = setup
        .app
        .get_as(&format!("/webinars/{CASES}/join"), &setup.ada.cookie)
        .await;
    assert_eq!(joined.status, StatusCode::SEE_OTHER);
    at(&mut setup, time::macros::datetime!(2031-03-04 15:05 UTC)).await;
    let app = &setup.app;
    for minutes in ["0", "31", "five", ""] {
        open_code(app, &setup.organizer.cookie, minutes).await;
        assert!(
            attendance_page(app, &setup.organizer.cookie)
                .await
                .contains("Write how many minutes the code is shown"),
            "{minutes}"
        );
    }
    let other = app.user("other.educator@example.org", Role::Educator).await;
    assert_eq!(
        open_code(app, &other.cookie, "5").await.status,
        StatusCode::FORBIDDEN
    );
    let opened = open_code(app, &setup.organizer.cookie, "5").await;
    assert_eq!(opened.location(), format!("/webinars/{CASES}/code"));
    let code = latest_code(app).await;
    let screen = app
        .get_as(&format!("/webinars/{CASES}/code"), &setup.organizer.cookie)
        .await;
    screen.assert_contains(&format!(">{code}</p>"));
    assert_eq!(
        app.get_as(&format!("/webinars/{CASES}/code"), &setup.ada.cookie)
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    // Chidi has no seat: refused whatever he types.
    let app_cookie_chidi = app.sign_in("chidi.eze@example.org").await;
    let chidi = enter(app, &app_cookie_chidi, &code).await;
    assert!(
        chidi.contains("count only for learners with a seat"),
        "{chidi}"
    );

    // A wrong code is named as wrong; the right one (any case, with a dash) is accepted.
    server::clock::set_clock(time::macros::datetime!(2031-03-04 15:06 UTC));
    let wrong = enter(app, &setup.ada.cookie, "QQQQQQ").await;
    assert!(
        wrong.contains("That is not the code being shown"),
        "{wrong}"
    );
    let typed = format!("{}-{}", &code[..3].to_lowercase(), &code[3..]);
    let accepted = enter(app, &setup.ada.cookie, &typed).await;
    assert!(
        accepted.contains("Code accepted at 09:06:00 CST"),
        "{accepted}"
    );
    // A join click starts no chain: the code counts from its window's opening (15:05).
    assert!(accepted.contains("attendance codes: 1 min"), "{accepted}");
    let again = enter(app, &setup.ada.cookie, &code).await;
    assert!(
        again.contains("Your code was recorded already, at 09:06:00 CST"),
        "{again}"
    );

    // Fifty entries of the same code at once by Ben: one row.
    let fields = [("webinar", CASES), ("code", code.as_str())];
    let sent = (0..50).map(|_| {
        app.post_form(
            "/webinars/attendance/code",
            &fields,
            Some(&setup.ben.cookie),
        )
    });
    for page in futures::future::join_all(sent).await {
        assert_eq!(page.status, StatusCode::SEE_OTHER);
    }
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM attendance_ledger WHERE source = 'code' AND user_id = {}",
            setup.ben.id
        ))
        .await,
        1
    );

    // After the window: the code is named as late.
    server::clock::set_clock(time::macros::datetime!(2031-03-04 15:10 UTC));
    let ben = app.sign_in("ben.lindqvist@example.org").await;
    let late = enter(app, &ben, &code).await;
    assert!(
        late.contains("That code was shown until 09:10:00 CST"),
        "{late}"
    );

    // Guessing: after 8 codes not accepted in 10 minutes, even the right one is not checked.
    server::clock::set_clock(time::macros::datetime!(2031-03-04 15:20 UTC));
    let ben = app.sign_in("ben.lindqvist@example.org").await;
    let organizer = app.sign_in(ORGANIZER).await;
    open_code(app, &organizer, "5").await;
    let fresh = latest_code(app).await;
    let ada = app.sign_in("ada.okafor@example.org").await;
    for guess in 0..8 {
        let page = enter(app, &ada, &format!("ZZZZZ{guess}")).await;
        assert!(
            page.contains("That is not the code being shown"),
            "{guess}: {page}"
        );
    }
    let throttled = enter(app, &ada, &fresh).await;
    assert!(
        throttled.contains("Too many codes that were not accepted"),
        "{throttled}"
    );
    // Ben, from the same address, is not locked out by Ada's guesses.
    let ben_page = enter(app, &ben, &fresh).await;
    assert!(ben_page.contains("Code accepted"), "{ben_page}");
    // Ben answered the window before this one too: the chain covers 15:05 to 15:20.
    assert!(ben_page.contains("attendance codes: 15 min"), "{ben_page}");
}

#[tokio::test]
async fn a_correction_supersedes_a_row_and_the_ledger_refuses_edits() {
    let mut setup = setup().await;
    at(&mut setup, time::macros::datetime!(2031-03-04 17:00 UTC)).await;
    let app = &setup.app;
    let organizer = setup.organizer.cookie.clone();
    let plain = fixture("plain.csv");
    upload(app, &organizer, "plain.csv", &plain).await;
    write(app, &organizer, &plain).await;
    let ben_row: i64 = sqlx::query_scalar("SELECT id FROM attendance_ledger WHERE user_id = $1")
        .bind(setup.ben.id)
        .fetch_one(&app.state.pool)
        .await
        .expect("Ben's row");
    let row = ben_row.to_string();
    let correct = |fields: Vec<(&'static str, String)>| correct(app, &organizer, &row, fields);
    // Without a reason, or with a leave before the join: refused, nothing added.
    let page = correct(vec![
        ("join", "2031-03-04T09:05:00".into()),
        ("leave", "2031-03-04T09:55:00".into()),
        ("reason", String::new()),
    ])
    .await;
    assert!(page.contains("Say why the row is corrected"), "{page}");
    let page = correct(vec![
        ("join", "2031-03-04T09:55:00".into()),
        ("leave", "2031-03-04T09:05:00".into()),
        ("reason", "x".into()),
    ])
    .await;
    assert!(page.contains("Left must be after joined."), "{page}");
    assert_eq!(ledger_rows(app).await, 2);

    // Ben was there from 09:05 to 09:55 (the sign-in sheet was misread): 50 minutes now.
    let page = correct(vec![
        ("join", "2031-03-04T09:05:00".into()),
        ("leave", "2031-03-04T09:55:00".into()),
        (
            "reason",
            "Sign-in sheet misread; the presenter confirms 09:05 to 09:55".into(),
        ),
    ])
    .await;
    assert!(page.contains("now supersedes row"), "{page}");
    let csv = seconds_in_csv(app, &organizer).await;
    assert!(
        csv.contains(&("ben.lindqvist@example.org".into(), 3000, "yes".into())),
        "{csv:?}"
    );
    // Another export of the same report does not bring back what was corrected.
    let mut again = plain.clone();
    again.extend_from_slice(b"\n");
    upload(app, &organizer, "plain-again.csv", &again).await;
    let page = attendance_page(app, &organizer).await;
    assert!(page.contains("0 to add"), "{page}");
    assert!(
        page.contains("corrected or withdrawn by an organizer since"),
        "{page}"
    );
    // The superseded row is still there, and cannot be corrected twice.
    assert_eq!(ledger_rows(app).await, 3);
    let page = correct(vec![("reason", "again".into())]).await;
    assert!(page.contains("has no current row"), "{page}");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'attendance.correct'")
            .await,
        1
    );

    // The database itself refuses to change or remove evidence.
    let update = sqlx::query("UPDATE attendance_ledger SET ends_at = ends_at + 600")
        .execute(&app.state.pool)
        .await;
    assert!(update.is_err_and(|e| e.to_string().contains("append-only")));
    let delete = sqlx::query("DELETE FROM attendance_ledger")
        .execute(&app.state.pool)
        .await;
    assert!(delete.is_err_and(|e| e.to_string().contains("append-only")));
    assert_eq!(ledger_rows(app).await, 3);
}

/// The organizers' page shows the ledger a page at a time, and its summaries read who
/// clicked join rather than every click: a long ledger leaves the page the same size.
#[tokio::test]
async fn the_ledger_is_paged_and_clicks_are_summed_up_not_listed() {
    let mut setup = setup().await;
    at(&mut setup, time::macros::datetime!(2031-03-04 17:00 UTC)).await;
    let app = &setup.app;
    // 250 join clicks of Ada's (a click a minute would take hours; written here directly).
    let session: i64 = sqlx::query_scalar(
        "SELECT s.id FROM webinar_sessions s JOIN webinars w ON w.id = s.webinar_id \
         WHERE w.slug = $1 ORDER BY s.id LIMIT 1",
    )
    .bind(CASES)
    .fetch_one(&app.state.pool)
    .await
    .expect("session");
    for n in 0..250_i64 {
        let at = 1_930_402_800 - 900 + n * 17;
        sqlx::query(
            "INSERT INTO attendance_ledger (session_id, user_id, source, starts_at, ends_at, recorded_by, recorded_at) \
             VALUES ($1, $2, 'join_click', $3, $3, $2, $3)",
        )
        .bind(session)
        .bind(setup.ada.id)
        .bind(at)
        .execute(&app.state.pool)
        .await
        .expect("click");
    }
    let organizer = setup.organizer.cookie.clone();
    let first = attendance_page(app, &organizer).await;
    assert!(
        first.contains("Rows 1 to 100 of 250 (page 1 of 3)"),
        "{first}"
    );
    assert!(first.contains("join link on this site: 0 min"), "{first}");
    let last = app
        .get_as(
            &format!("/webinars/{CASES}/attendance?ledger=3"),
            &organizer,
        )
        .await;
    assert!(
        last.body.contains("Rows 201 to 250 of 250 (page 3 of 3)"),
        "{}",
        last.body
    );
    let beyond = app
        .get_as(
            &format!("/webinars/{CASES}/attendance?ledger=99"),
            &organizer,
        )
        .await;
    assert!(
        beyond.body.contains("No rows on page 99"),
        "{}",
        beyond.body
    );
    // One page holds 100 rows, whatever the ledger's length.
    assert_eq!(first.matches("join link on this site</td>").count(), 100);
}

/// Resident memory of this process now and its peak since the last reset, in bytes.
fn resident() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let read = |field: &str| -> u64 {
        status
            .lines()
            .find_map(|line| line.strip_prefix(field))
            .and_then(|rest| {
                rest.trim()
                    .trim_end_matches("kB")
                    .trim()
                    .parse::<u64>()
                    .ok()
            })
            .expect("a kB figure")
            * 1024
    };
    (read("VmRSS:"), read("VmHWM:"))
}

/// Reading the largest report accepted (8 MB, about 19,500 rows with long names) takes at
/// most three times the file's size on top of the file itself: the rows read and the
/// reader's buffers (UTF-8 text is read in place, not copied; about 2.2 times measured).
#[test]
fn reading_an_8_mb_report_stays_within_three_times_its_size() {
    use server::attendance::participant_reports::{MAX_BYTES, MAX_ROWS, read};
    let mut file =
        b"Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\n".to_vec();
    let mut n = 0;
    loop {
        let row = format!(
            "\"Learner {n:05} {}\",learner{n}@example.org,03/04/2031 09:00:00 AM,03/04/2031 10:00:00 AM,60,No\n",
            "with a long display name, ".repeat(13)
        );
        if file.len() + row.len() > MAX_BYTES || n == MAX_ROWS {
            break;
        }
        file.extend_from_slice(row.as_bytes());
        n += 1;
    }
    assert!(file.len() > MAX_BYTES - 1024, "{}", file.len());
    // Linux resets the peak to the current figure when 5 is written here.
    std::fs::write("/proc/self/clear_refs", "5").expect("reset the peak");
    let (before, _) = resident();
    let report = read(&file, chrono_tz::UTC).expect("read");
    let (_, peak) = resident();
    assert_eq!(report.rows.len(), n);
    let grew = peak.saturating_sub(before);
    println!(
        "read {} rows of an {:.1} MiB report: peak grew by {:.1} MiB",
        n,
        file.len() as f64 / 1048576.0,
        grew as f64 / 1048576.0
    );
    assert!(
        grew <= 3 * file.len() as u64,
        "reading took {grew} bytes for a {} byte file",
        file.len()
    );
}

/// A row without an email is only a suggestion, by the name the learner registered with:
/// the organizer confirms it beside the account's email, or it is not written. A learner
/// who renames themselves after registering takes no one else's minutes. A duration that
/// cannot be read is a problem, a quoted line break stays in its name, a preview left
/// unwritten goes after a day (and is only ever its maker's), and nobody imports or
/// corrects their own attendance.
#[tokio::test]
async fn name_only_rows_are_confirmed_by_the_organizer_and_previews_are_kept_and_bounded() {
    let mut setup = setup().await;
    // Mallory registers as herself, then renames herself after a guest who had no seat.
    let mallory = setup.app.learner("mallory@example.org").await;
    let page = setup
        .app
        .post_form(
            "/webinars/register",
            &[("webinar", CASES)],
            Some(&mallory.cookie),
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let page = setup
        .app
        .post_form(
            "/account/profile",
            &[("full_name", "Dr. Visiting Guest"), ("profession", "nurse")],
            Some(&mallory.cookie),
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert_eq!(
        setup
            .app
            .count("SELECT COUNT(*) FROM users WHERE full_name = 'Dr. Visiting Guest'")
            .await,
        1
    );
    // The organizer holds a seat too (for the correction below).
    let page = setup
        .app
        .post_form(
            "/webinars/register",
            &[("webinar", CASES)],
            Some(&setup.organizer.cookie),
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    at(&mut setup, time::macros::datetime!(2031-03-04 17:00 UTC)).await;
    let app = &setup.app;
    let organizer = setup.organizer.cookie.clone();
    let bbb = "Name,Moderator,Activity Score,Talk Time,Webcam Time,Messages,Emojis,Raise Hands,Join,Left,Duration,Status\n\
        Ada Okafor,false,6.4,00:01:40,00:00:00,3,2,1,\"3/4/2031, 9:01:40 AM\",\"3/4/2031, 9:59:59 AM\",40 min,offline\n\
        \"Ben\nLindqvist\",false,2.2,00:00:00,00:00:00,0,0,0,\"3/4/2031, 9:02:00 AM\",\"3/4/2031, 9:58:00 AM\",00:50:00,offline\n\
        Dr. Visiting Guest,false,1.0,00:00:00,00:00:00,0,0,0,\"3/4/2031, 9:00:00 AM\",\"3/4/2031, 10:00:00 AM\",01:00:00,offline\n"
        .as_bytes()
        .to_vec();
    let preview = upload(app, &organizer, "bbb.csv", &bbb).await;
    assert_eq!(preview.status, StatusCode::SEE_OTHER, "{}", preview.body);
    let page = attendance_page(app, &organizer).await;
    assert!(
        page.contains("3 rows, 0 to add, 1 matched by name only, 2 with a problem"),
        "{page}"
    );
    assert!(
        page.contains("the duration &quot;40 min&quot; cannot be read")
            || page.contains("the duration \"40 min\" cannot be read"),
        "{page}"
    );
    assert!(
        page.contains("no learner with a seat registered as &quot;Dr. Visiting Guest&quot;")
            || page.contains("no learner with a seat registered as \"Dr. Visiting Guest\""),
        "{page}"
    );
    assert!(
        page.contains("Same person as the account ben.lindqvist@example.org"),
        "{page}"
    );
    assert!(
        page.contains(&format!(r#"name="confirm" value="3:{}""#, setup.ben.id)),
        "{page}"
    );
    // The preview is in the database, not in the organizer's session.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM attendance_import_previews")
            .await,
        1
    );

    // Another organizer's (or an administrator's) write cannot use this preview.
    let admin = app.user("admin@example.org", Role::Admin).await;
    let ben_line = format!("3:{}", setup.ben.id);
    write_confirming(app, &admin.cookie, &bbb, &[&ben_line]).await;
    assert_eq!(ledger_rows(app).await, 0);

    // Nothing ticked: nothing to write, and the preview stays.
    write(app, &organizer, &bbb).await;
    let page = attendance_page(app, &organizer).await;
    assert!(page.contains("Nothing to write"), "{page}");
    assert_eq!(ledger_rows(app).await, 0);
    // Ben's row ticked: written, and the audit says it was confirmed by name.
    // A tick names the line and the account the preview showed; another account on that
    // line (the seats changed since) is not written.
    let wrong_line = format!("3:{}", setup.ada.id);
    write_confirming(app, &organizer, &bbb, &[&wrong_line]).await;
    assert!(
        attendance_page(app, &organizer)
            .await
            .contains("Nothing to write")
    );
    let written = write_confirming(app, &organizer, &bbb, &[&ben_line]).await;
    assert_eq!(written.status, StatusCode::SEE_OTHER, "{}", written.body);
    assert_eq!(ledger_rows(app).await, 1);
    let csv = seconds_in_csv(app, &organizer).await;
    assert!(
        csv.contains(&("ben.lindqvist@example.org".into(), 3000, "yes".into())),
        "{csv:?}"
    );
    assert!(
        csv.contains(&("mallory@example.org".into(), 0, "no".into())),
        "{csv:?}"
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'attendance.import' \
             AND detail LIKE '%1 matched by name and confirmed%'"
        )
        .await,
        1
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM attendance_import_previews")
            .await,
        0
    );

    // A preview left unwritten is removed after a day, and cannot be written after.
    let plain = fixture("plain.csv");
    upload(app, &organizer, "plain.csv", &plain).await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM attendance_import_previews")
            .await,
        1
    );
    assert_eq!(
        server::attendance::imports::forget_old_previews(&app.state.pool)
            .await
            .expect("sweep"),
        0
    );
    at(&mut setup, time::macros::datetime!(2031-03-05 17:01 UTC)).await;
    let app = &setup.app;
    let organizer = setup.organizer.cookie.clone();
    let page = attendance_page(app, &organizer).await;
    assert!(!page.contains("Preview: plain.csv"), "{page}");
    write(app, &organizer, &plain).await;
    let page = attendance_page(app, &organizer).await;
    assert!(page.contains("That preview is not kept any more"), "{page}");
    assert_eq!(
        server::attendance::imports::forget_old_previews(&app.state.pool)
            .await
            .expect("sweep"),
        1
    );
    assert_eq!(ledger_rows(app).await, 1);

    // An administrator imports the organizer's own row; the organizer cannot correct it.
    let sheet = b"email,join,leave\neducator@grandrounds.example,2031-03-04T15:00:00Z,2031-03-04T15:20:00Z\n";
    let admin = app.sign_in("admin@example.org").await;
    upload(app, &admin, "sheet.csv", sheet).await;
    write(app, &admin, sheet).await;
    assert_eq!(ledger_rows(app).await, 2);
    let own: i64 = sqlx::query_scalar("SELECT id FROM attendance_ledger WHERE user_id = $1")
        .bind(setup.organizer.id)
        .fetch_one(&app.state.pool)
        .await
        .expect("the organizer's row");
    let page = correct(
        app,
        &organizer,
        &own.to_string(),
        vec![
            ("join", "2031-03-04T09:00:00".into()),
            ("leave", "2031-03-04T10:00:00".into()),
            ("reason", "I was there all along".into()),
        ],
    )
    .await;
    assert!(page.contains("is your own attendance"), "{page}");
    assert_eq!(ledger_rows(app).await, 2);
    // Nor import it: the organizer's own row (they hold a seat) is a problem in the preview.
    let own_sheet = b"email,join,leave\neducator@grandrounds.example,2031-03-04T15:20:00Z,2031-03-04T15:50:00Z\n";
    upload(app, &organizer, "own.csv", own_sheet).await;
    let page = attendance_page(app, &organizer).await;
    assert!(
        page.contains("this row is your own attendance: an organizer does not import their own"),
        "{page}"
    );
}

/// A code proves the learner saw the screen when they typed it: a 30-minute window answered
/// at its 29th minute credits the grace (2 minutes), not 29; a room of learners behind one
/// address who mistype 100 codes does not lock a colleague out; organizers record no
/// attendance of their own with codes; the organizers' page says which time rests on codes
/// alone.
#[tokio::test]
async fn codes_credit_observed_time_and_a_shared_address_cannot_lock_a_room_out() {
    let mut setup = setup().await;
    let guessers = {
        let mut guessers = Vec::new();
        for n in 0..13 {
            let email = format!("guesser{n}@example.org");
            let user = setup.app.learner(&email).await;
            let page = setup
                .app
                .post_form(
                    "/webinars/register",
                    &[("webinar", CASES)],
                    Some(&user.cookie),
                )
                .await;
            assert_eq!(page.status, StatusCode::SEE_OTHER);
            guessers.push(email);
        }
        guessers
    };
    let page = setup
        .app
        .post_form(
            "/webinars/register",
            &[("webinar", CASES)],
            Some(&setup.organizer.cookie),
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    at(&mut setup, time::macros::datetime!(2031-03-04 15:00 UTC)).await;
    let app = &setup.app;
    open_code(app, &setup.organizer.cookie, "30").await;
    let code = latest_code(app).await;

    // Ada types it at minute 29: two minutes observed, not 29.
    server::clock::set_clock(time::macros::datetime!(2031-03-04 15:29 UTC));
    let ada = app.sign_in("ada.okafor@example.org").await;
    let accepted = enter(app, &ada, &code).await;
    assert!(
        accepted.contains("Code accepted at 09:29:00 CST"),
        "{accepted}"
    );
    assert!(accepted.contains("attendance codes: 2 min"), "{accepted}");
    let organizer = app.sign_in(ORGANIZER).await;
    let page = attendance_page(app, &organizer).await;
    assert!(
        page.contains(
            "attendance codes: 2 min (codes only: seen at each answer; no report confirms it)"
        ),
        "{page}"
    );

    // The organizer (with a seat) cannot credit themselves with the code they show.
    let own = enter(app, &organizer, &code).await;
    assert!(own.contains("You organize this webinar"), "{own}");

    // Thirteen learners behind one address mistype 104 codes between them...
    for email in &guessers {
        let cookie = app.sign_in(email).await;
        for guess in 0..8 {
            let page = enter(app, &cookie, &format!("ZZZZZ{guess}")).await;
            assert!(page.contains("That is not the code being shown"), "{page}");
        }
    }
    // ... and their colleague's right code from the same address still counts.
    let ben = app.sign_in("ben.lindqvist@example.org").await;
    let started = std::time::Instant::now();
    let ben_page = enter(app, &ben, &code).await;
    assert!(ben_page.contains("Code accepted"), "{ben_page}");
    // Slowed, not locked: the address waits a little longer per refusal past 100.
    assert!(started.elapsed() >= std::time::Duration::from_millis(400));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM attendance_ledger WHERE source = 'code'")
            .await,
        2
    );
}

/// Every evidence table (report files, imports, code windows, the ledger) refuses to change
/// or lose a row, also by the back doors: `INSERT OR REPLACE` on SQLite (a replace deletes
/// the row it replaces) and `TRUNCATE` on PostgreSQL (which fires no row trigger).
#[tokio::test]
async fn every_evidence_table_refuses_replace_and_truncate() {
    let mut setup = setup().await;
    at(&mut setup, time::macros::datetime!(2031-03-04 17:00 UTC)).await;
    let app = &setup.app;
    let organizer = setup.organizer.cookie.clone();
    let plain = fixture("plain.csv");
    upload(app, &organizer, "plain.csv", &plain).await;
    write(app, &organizer, &plain).await;
    sqlx::query(
        "INSERT INTO attendance_code_windows (session_id, code, opens_at, closes_at, opened_by) \
         SELECT id, 'K7M4QX', starts_at, starts_at + 300, $1 FROM webinar_sessions LIMIT 1",
    )
    .bind(setup.organizer.id)
    .execute(&app.state.pool)
    .await
    .expect("a code window");
    let tables = [
        "attendance_files",
        "attendance_imports",
        "attendance_code_windows",
        "attendance_ledger",
    ];
    let mut before = Vec::new();
    for table in tables {
        let rows = app.count(&format!("SELECT COUNT(*) FROM {table}")).await;
        assert!(rows > 0, "{table} has rows to protect");
        before.push(rows);
    }
    for table in tables {
        let mut attacks = vec![
            format!("UPDATE {table} SET {} = {}", "session_id", "session_id"),
            format!("DELETE FROM {table}"),
        ];
        if table == "attendance_files" {
            attacks[0] = format!("UPDATE {table} SET uploaded_at = uploaded_at + 1");
        }
        if crate::support::on_postgres() {
            attacks.push(format!("TRUNCATE {table} CASCADE"));
        } else {
            attacks.push(format!(
                "INSERT OR REPLACE INTO {table} SELECT * FROM {table}"
            ));
        }
        for attack in attacks {
            let outcome = sqlx::query(&attack).execute(&app.state.pool).await;
            assert!(
                outcome
                    .as_ref()
                    .is_err_and(|e| e.to_string().contains("append-only")),
                "{attack}: {outcome:?}"
            );
        }
    }
    for (table, rows) in tables.iter().zip(before) {
        assert_eq!(
            app.count(&format!("SELECT COUNT(*) FROM {table}")).await,
            rows,
            "{table}"
        );
    }
}

async fn correct(
    app: &TestApp,
    organizer: &str,
    row: &str,
    fields: Vec<(&'static str, String)>,
) -> String {
    let mut all = vec![
        ("webinar", CASES.to_owned()),
        ("session", "1".to_owned()),
        ("row", row.to_owned()),
    ];
    all.extend(fields);
    let borrowed: Vec<(&str, &str)> = all.iter().map(|(k, v)| (*k, v.as_str())).collect();
    app.post_form("/webinars/attendance/correct", &borrowed, Some(organizer))
        .await;
    attendance_page(app, organizer).await
}

/// Evidence is only ever added: no code outside the migrations changes or removes a row.
#[test]
fn no_code_updates_or_deletes_the_ledger() {
    fn walk(dir: &Path, found: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).expect("read dir").flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, found);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("read").to_uppercase();
                for bad in ["UPDATE ATTENDANCE_LEDGER", "DELETE FROM ATTENDANCE_LEDGER"] {
                    if text.contains(bad) {
                        found.push(format!("{}: {bad}", path.display()));
                    }
                }
            }
        }
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut found = Vec::new();
    walk(&root.join("src"), &mut found);
    walk(&root.join("../app/src"), &mut found);
    assert!(found.is_empty(), "{found:?}");
}

const JOURNAL_CLUB: &str = "remote-monitoring-journal-club";
const RECORDING: &str = "remote-monitoring-journal-club-recording";

async fn quiz_of(app: &TestApp, course: &str, kind: &str) -> server::quizzes::Quiz {
    let definition: String = sqlx::query_scalar(
        "SELECT q.definition FROM quiz_revisions q JOIN course_revisions r ON r.id = q.revision_id \
         JOIN courses c ON c.id = r.course_id WHERE c.slug = $1 AND q.kind = $2 ORDER BY r.number DESC LIMIT 1",
    )
    .bind(course)
    .bind(kind)
    .fetch_one(&app.state.pool)
    .await
    .expect("quiz");
    serde_json::from_str(&definition).expect("quiz definition")
}

/// Enrolls in `course`, completes its lessons, passes its post-test and evaluates it.
async fn complete_course(app: &TestApp, cookie: &str, course: &str) {
    let enrolled = app
        .post_form("/learning/enroll", &[("course", course)], Some(cookie))
        .await;
    assert_eq!(
        enrolled.location(),
        format!("/courses/{course}"),
        "{}",
        enrolled.body
    );
    let lessons: Vec<String> = sqlx::query_scalar(
        "SELECT l.slug FROM lesson_revisions l JOIN course_revisions r ON r.id = l.revision_id \
         JOIN courses c ON c.id = r.course_id WHERE c.slug = $1 ORDER BY r.number DESC, l.position",
    )
    .bind(course)
    .fetch_all(&app.state.pool)
    .await
    .expect("lessons");
    let pre = app
        .get_as(&format!("/learning/{course}/quiz/pre-test"), cookie)
        .await;
    let pre_quiz = quiz_of(app, course, "pre").await;
    crate::support::submit(
        app,
        cookie,
        &crate::support::token(&pre.body),
        &crate::support::answers(&pre_quiz, false),
    )
    .await;
    for lesson in &lessons {
        app.get_as(&format!("/courses/{course}/{lesson}"), cookie)
            .await;
        app.post_form(
            "/learning/complete",
            &[("course", course), ("lesson", lesson)],
            Some(cookie),
        )
        .await;
    }
    let quiz = quiz_of(app, course, "post").await;
    let page = app
        .get_as(&format!("/learning/{course}/quiz/post-test"), cookie)
        .await;
    let token = crate::support::token(&page.body);
    crate::support::submit(app, cookie, &token, &crate::support::answers(&quiz, true)).await;
    app.post_form(
        "/learning/evaluation",
        &[
            ("course", course),
            ("rating-0", "5"),
            ("rating-1", "5"),
            ("rating-2", "4"),
            (
                "practice_change",
                "Agree alert thresholds the team can answer.",
            ),
        ],
        Some(cookie),
    )
    .await;
}

async fn claim_recording(app: &TestApp, cookie: &str) -> String {
    let page = app
        .post_form(
            "/learning/claim",
            &[
                ("course", RECORDING),
                ("hours-nursing-contact-hours", "1"),
                ("attest", "1"),
            ],
            Some(cookie),
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    app.get_as(page.location(), cookie).await.body
}

async fn claim_live(app: &TestApp, cookie: &str) -> String {
    app.post_form(
        "/webinars/attendance/evaluate",
        &[
            ("webinar", JOURNAL_CLUB),
            ("session", "1"),
            ("rating-0", "5"),
            ("rating-1", "5"),
            ("rating-2", "5"),
            (
                "practice_change",
                "Call back every weight alert the same day.",
            ),
        ],
        Some(cookie),
    )
    .await;
    app.post_form(
        "/webinars/attendance/claim",
        &[
            ("webinar", JOURNAL_CLUB),
            ("session", "1"),
            ("hours-nursing-contact-hours", "1"),
        ],
        Some(cookie),
    )
    .await;
    app.get_as(&format!("/webinars/{JOURNAL_CLUB}"), cookie)
        .await
        .body
}

#[tokio::test]
async fn a_recording_is_an_activity_of_its_own_and_credit_is_claimed_once_live_or_recorded() {
    let content = tempfile::tempdir().expect("dir");
    copy_dir(&demo_content(), content.path());
    // The journal club (10 June 2026, 12:00 to 13:00 in Berlin) takes registrations from May.
    server::clock::set_clock(time::macros::datetime!(2026-05-15 12:00 UTC));
    let app = TestApp::with_content(content.path()).await;
    let ada = app.learner("ada.okafor@example.org").await;
    let ben = app.learner("ben.lindqvist@example.org").await;
    for user in [&ada, &ben] {
        app.post_form(
            "/webinars/register",
            &[("webinar", JOURNAL_CLUB)],
            Some(&user.cookie),
        )
        .await;
    }
    app.user(ORGANIZER, Role::Educator).await;

    // After the session and the recording's release: both attended the whole hour.
    server::clock::set_clock(time::macros::datetime!(2026-06-21 09:00 UTC));
    let organizer = app.sign_in(ORGANIZER).await;
    let ada = app.sign_in("ada.okafor@example.org").await;
    let ben = app.sign_in("ben.lindqvist@example.org").await;
    let sheet = b"email,join,leave\nada.okafor@example.org,2026-06-10T12:00:00,2026-06-10T13:00:00\nben.lindqvist@example.org,2026-06-10T12:00:00,2026-06-10T13:00:00\n";
    app.post_multipart(
        "/webinars/attendance/import",
        &[
            ("webinar", JOURNAL_CLUB),
            ("action", "preview"),
            ("session", "1"),
            ("zone", ""),
        ],
        Some(("sheet.csv", sheet)),
        Some(&organizer),
    )
    .await;
    app.post_multipart(
        "/webinars/attendance/import",
        &[
            ("webinar", JOURNAL_CLUB),
            ("action", "write"),
            ("preview", &preview_id(&app, sheet).await),
        ],
        None,
        Some(&organizer),
    )
    .await;
    assert_eq!(ledger_rows(&app).await, 2);

    // The recording is in the catalog as an on-demand activity with its own credit.
    let catalog = app.get("/courses").await;
    catalog.assert_contains("Recording: journal club on remote monitoring");
    let page = app.get(&format!("/courses/{RECORDING}")).await;
    page.assert_contains("Recording of a live webinar (on demand)");
    page.assert_contains("cannot claim it again for the recording");

    // Ada claims the live session; then the recording is refused, and told why.
    let live = claim_live(&app, &ada).await;
    assert!(live.contains("You claimed 1 hours of"), "{live}");
    complete_course(&app, &ada, RECORDING).await;
    let refused = claim_recording(&app, &ada).await;
    assert!(
        refused.contains("You claimed credit for the live session of this webinar already"),
        "{refused}"
    );

    // Ben claims the recording first; then the live session is refused.
    complete_course(&app, &ben, RECORDING).await;
    claim_recording(&app, &ben).await;
    let format: String = sqlx::query_scalar(
        "SELECT c.format FROM certificates c JOIN users u ON u.id = c.user_id WHERE u.email = $1",
    )
    .bind("ben.lindqvist@example.org")
    .fetch_one(&app.state.pool)
    .await
    .expect("Ben's certificate");
    assert_eq!(format, "recording");
    let live = claim_live(&app, &ben).await;
    assert!(
        live.contains("You claimed credit for this webinar&#x27;s recording already")
            || live.contains("You claimed credit for this webinar's recording already"),
        "{live}"
    );
    let formats: Vec<String> = sqlx::query_scalar("SELECT format FROM certificates ORDER BY id")
        .fetch_all(&app.state.pool)
        .await
        .expect("certificates");
    assert_eq!(formats, vec!["live-webinar", "recording"]);
}

#[tokio::test]
async fn the_learner_and_organizer_forms_refuse_a_field_sent_twice_and_survive_100_kb_values() {
    let mut setup = setup().await;
    at(&mut setup, time::macros::datetime!(2031-03-04 15:05 UTC)).await;
    let app = &setup.app;
    open_code(app, &setup.organizer.cookie, "5").await;
    let code = latest_code(app).await;
    let big = "Z".repeat(100 * 1024);
    for (path, fields, cookie) in [
        (
            "/webinars/attendance/code",
            vec![
                ("webinar", CASES),
                ("code", code.as_str()),
                ("code", code.as_str()),
            ],
            &setup.ada.cookie,
        ),
        (
            "/webinars/attendance/claim",
            vec![("webinar", CASES), ("session", "1"), ("session", "1")],
            &setup.ada.cookie,
        ),
        (
            "/webinars/attendance/correct",
            vec![("webinar", CASES), ("webinar", CASES), ("session", "1")],
            &setup.organizer.cookie,
        ),
    ] {
        let page = app.post_form(path, &fields, Some(cookie)).await;
        assert_eq!(
            page.status,
            StatusCode::BAD_REQUEST,
            "{path}: {}",
            page.body
        );
        assert!(page.body.contains("was sent more than once"), "{path}");
    }
    // A 100 KB code is read as a wrong code (compared on its first 40 characters), and a
    // 100 KB reason or time is refused back to the form; nothing is written.
    let long = enter(app, &setup.ada.cookie, &big).await;
    assert!(long.contains("That is not the code being shown"), "{long}");
    let refused = app
        .post_form(
            "/webinars/attendance/correct",
            &[
                ("webinar", CASES),
                ("session", "1"),
                ("row", "1"),
                ("join", &big),
                ("leave", ""),
                ("reason", &big),
            ],
            Some(&setup.organizer.cookie),
        )
        .await;
    assert_eq!(refused.status, StatusCode::SEE_OTHER, "{}", refused.body);
    assert!(refused.location().ends_with("/attendance#session-1"));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM attendance_ledger WHERE source <> 'join_click'")
            .await,
        0
    );
}
