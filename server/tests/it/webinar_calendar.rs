//! A registration's life outside the site, through the real router on both databases:
//! calendar files read back by an independent parser (Python's `icalendar` from PyPI, which
//! the test command installs), the private feed and its token, the learner's time zone, the
//! gated join link and the click it records, and reminders sent exactly once.

use crate::smtp;
use crate::support::{TestApp, copy_dir, demo_content};
use app::accounts::Role;
use http::StatusCode;
use serde_json::Value;

const CASES: &str = "store-and-forward-case-conference";
const JOIN_URL: &str = "https://zoom.example.org/j/84125530917?pwd=demo";

/// Reads `ics` with Python's icalendar and returns what it found: the calendar's METHOD and,
/// per event, UID, SEQUENCE, start and end (ISO 8601, with their offset), whether both are
/// in UTC, STATUS and DESCRIPTION.
fn parse_ics(ics: &str) -> Value {
    let python = std::env::var("GRANDROUNDS_ICAL_PYTHON").unwrap_or_else(|_| {
        panic!(
            "GRANDROUNDS_ICAL_PYTHON is not set: the calendar tests read every .ics with Python's \
             icalendar. Run them through .ci/test, or `. .ci/lib.sh && install_ical_parser` first."
        )
    });
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("calendar.ics");
    std::fs::write(&file, ics).expect("write");
    let script = r#"
import json, sys, datetime, icalendar
cal = icalendar.Calendar.from_ical(open(sys.argv[1], "rb").read())
events = []
for ev in cal.walk("VEVENT"):
    start, end = ev.decoded("DTSTART"), ev.decoded("DTEND")
    utc = all(isinstance(t, datetime.datetime) and t.utcoffset() == datetime.timedelta(0) for t in (start, end))
    events.append({"uid": str(ev["UID"]), "sequence": int(ev.get("SEQUENCE", -1)),
                   "start": start.isoformat(), "end": end.isoformat(), "utc": utc,
                   "status": str(ev.get("STATUS", "")), "description": str(ev.get("DESCRIPTION", ""))})
print(json.dumps({"method": str(cal.get("METHOD", "")), "version": str(cal.get("VERSION", "")), "events": events}))
"#;
    let out = std::process::Command::new(&python)
        .arg("-c")
        .arg(script)
        .arg(&file)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {python}: {e}"));
    assert!(
        out.status.success(),
        "icalendar refused the calendar: {}\n{ics}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json")
}

fn only_event(calendar: &Value) -> &Value {
    let events = calendar["events"].as_array().expect("events");
    assert_eq!(events.len(), 1, "{calendar}");
    &events[0]
}

/// The raw message of the newest outbox row of `kind` for `user`.
async fn newest(app: &TestApp, kind: &str, user: i64) -> String {
    let raw: Vec<u8> = sqlx::query_scalar(
        "SELECT raw FROM outbox WHERE kind = $1 AND user_id = $2 ORDER BY id DESC LIMIT 1",
    )
    .bind(kind)
    .bind(user)
    .fetch_one(&app.state.pool)
    .await
    .unwrap_or_else(|e| panic!("no {kind} message for user {user}: {e}"));
    String::from_utf8(raw).expect("utf-8")
}

/// The calendar attached to a raw message, with its part's own Content-Type checked.
fn attached_calendar(raw: &str) -> String {
    let unfolded = raw.replace("\r\n", "\n");
    assert!(
        unfolded.contains("Content-Type: text/calendar; charset=utf-8; method=PUBLISH"),
        "{raw}"
    );
    smtp::part(raw, "text/calendar").expect("a calendar part")
}

async fn landing(app: &TestApp, after: &crate::support::Page, cookie: &str) -> String {
    app.get_as(after.location(), cookie).await.body
}

async fn register(app: &TestApp, cookie: &str) -> crate::support::Page {
    app.post_form("/webinars/register", &[("webinar", CASES)], Some(cookie))
        .await
}

#[tokio::test]
async fn every_calendar_parses_in_utc_with_one_uid_and_a_sequence_that_only_grows() {
    let dir = tempfile::tempdir().expect("dir");
    let content = dir.path().join("content");
    copy_dir(&demo_content(), &content);
    server::clock::set_clock(time::macros::datetime!(2030-01-01 12:00 UTC));
    let app = TestApp::with_content(&content).await;
    let ana = app.learner("ana@clinic.org").await;
    let raj = app.learner("raj@clinic.org").await;
    // Raj reads times in Kolkata (UTC+05:30, no daylight saving).
    let zone = app
        .post_form(
            "/account/time-zone",
            &[("time_zone", "Asia/Kolkata")],
            Some(&raj.cookie),
        )
        .await;
    assert!(
        landing(&app, &zone, &raj.cookie)
            .await
            .contains("Webinar times are shown in Asia/Kolkata.")
    );
    register(&app, &ana.cookie).await;
    register(&app, &raj.cookie).await;

    // The confirmation carries the calendar.
    let confirmation = newest(&app, "webinar-registered", ana.id).await;
    let attached = parse_ics(&attached_calendar(&confirmation));
    assert_eq!(attached["method"], "PUBLISH");
    assert_eq!(attached["version"], "2.0");
    let event = only_event(&attached);
    assert_eq!(event["start"], "2031-03-04T15:00:00+00:00");
    assert_eq!(event["end"], "2031-03-04T16:00:00+00:00");
    assert_eq!(event["utc"], true);
    assert_eq!(event["status"], "CONFIRMED");
    let uid = event["uid"].as_str().expect("uid").to_owned();
    assert!(
        uid.starts_with("session-") && uid.contains(".webinar@"),
        "{uid}"
    );
    let first_sequence = event["sequence"].as_i64().expect("sequence");
    assert!(
        event["description"]
            .as_str()
            .expect("description")
            .contains("Tuesday 4 March 2031, 09:00\u{2013}10:00 CST"),
        "{event}"
    );

    // The download: the same event, in the learner's own zone in its description.
    let download = app
        .get_as(&format!("/webinars/{CASES}/calendar.ics"), &raj.cookie)
        .await;
    assert_eq!(download.status, StatusCode::OK);
    assert_eq!(
        download.header("content-type"),
        "text/calendar; charset=utf-8; method=PUBLISH"
    );
    assert!(
        download.body.contains("DTSTART:20310304T150000Z"),
        "{}",
        download.body
    );
    let raj_event = parse_ics(&download.body);
    let raj_event = only_event(&raj_event);
    assert_eq!(raj_event["uid"], uid.as_str());
    assert!(
        raj_event["description"]
            .as_str()
            .expect("description")
            .contains("Tuesday 4 March 2031, 20:30\u{2013}21:30 IST (UTC+05:30, Asia/Kolkata)"),
        "{raj_event}"
    );
    // Nobody else's registration: a stranger, and a path that tries to leave the folder.
    let stranger = app.learner("lee@clinic.org").await;
    assert_eq!(
        app.get_as(&format!("/webinars/{CASES}/calendar.ics"), &stranger.cookie)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert!(
        app.get_as("/webinars/..%2F..%2Fetc/calendar.ics", &ana.cookie)
            .await
            .status
            .is_client_error()
    );

    // The session moves an hour: every registrant is told, with the new time and a higher
    // SEQUENCE under the same UID.
    let file = content.join(format!("webinars/{CASES}.md"));
    let text = std::fs::read_to_string(&file).expect("read");
    std::fs::write(
        &file,
        text.replace("start = 2031-03-04T09:00:00", "start = 2031-03-04T10:00:00"),
    )
    .expect("write");
    server::webinars::import_dir(&app.state.pool, &content, &app.state.mail.identity)
        .await
        .expect("import");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE kind = 'webinar-changed'")
            .await,
        2,
        "both registrants are told"
    );
    let changed = newest(&app, "webinar-changed", ana.id).await;
    let text_part = smtp::part(&changed, "text/plain").expect("text");
    assert!(
        text_part.contains("moved from Tuesday 4 March 2031, 09:00\u{2013}10:00 CST")
            && text_part.contains("to Tuesday 4 March 2031, 10:00\u{2013}11:00 CST"),
        "{text_part}"
    );
    let moved = parse_ics(&attached_calendar(&changed));
    let moved = only_event(&moved);
    assert_eq!(moved["uid"], uid.as_str());
    assert_eq!(moved["start"], "2031-03-04T16:00:00+00:00");
    let moved_sequence = moved["sequence"].as_i64().expect("sequence");
    assert!(
        moved_sequence > first_sequence,
        "{moved_sequence} > {first_sequence}"
    );
    // An import that changes nothing tells nobody.
    server::webinars::import_dir(&app.state.pool, &content, &app.state.mail.identity)
        .await
        .expect("import");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE kind = 'webinar-changed'")
            .await,
        2
    );

    // Ana cancels: the same UID, STATUS:CANCELLED, a higher SEQUENCE still, in the mail and
    // in the download.
    app.post_form("/webinars/cancel", &[("webinar", CASES)], Some(&ana.cookie))
        .await;
    let cancelled_mail = newest(&app, "webinar-cancelled", ana.id).await;
    let cancelled = parse_ics(&attached_calendar(&cancelled_mail));
    let cancelled = only_event(&cancelled);
    assert_eq!(cancelled["uid"], uid.as_str());
    assert_eq!(cancelled["status"], "CANCELLED");
    let cancelled_sequence = cancelled["sequence"].as_i64().expect("sequence");
    assert!(cancelled_sequence > moved_sequence);
    let after = app
        .get_as(&format!("/webinars/{CASES}/calendar.ics"), &ana.cookie)
        .await;
    let after = parse_ics(&after.body);
    assert_eq!(only_event(&after)["status"], "CANCELLED");
    assert_eq!(only_event(&after)["sequence"], cancelled_sequence);

    // Registering again: confirmed again, and the SEQUENCE keeps growing.
    register(&app, &ana.cookie).await;
    let again = parse_ics(&attached_calendar(
        &newest(&app, "webinar-registered", ana.id).await,
    ));
    assert_eq!(only_event(&again)["status"], "CONFIRMED");
    assert!(only_event(&again)["sequence"].as_i64().expect("sequence") > cancelled_sequence);
}

/// The private address the account page shows once after `action=new`.
async fn new_feed(app: &TestApp, cookie: &str) -> String {
    let made = app
        .post_form("/account/calendar-feed", &[("action", "new")], Some(cookie))
        .await;
    assert_eq!(made.location(), "/account");
    let page = landing(app, &made, cookie).await;
    let start = page.find("/calendar/").expect("the feed address is shown");
    let rest = &page[start..];
    let end = rest.find(".ics").expect(".ics") + 4;
    rest[..end].to_owned()
}

#[tokio::test]
async fn the_private_feed_lists_the_learners_sessions_and_a_replaced_or_revoked_address_is_gone() {
    server::clock::set_clock(time::macros::datetime!(2030-01-01 12:00 UTC));
    let app = TestApp::new().await;
    let ana = app.learner("ana@clinic.org").await;
    let lee = app.learner("lee@clinic.org").await;
    register(&app, &ana.cookie).await;
    let feed = new_feed(&app, &ana.cookie).await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM calendar_feeds WHERE revoked_at IS NULL")
            .await,
        1
    );
    // Only a hash is kept.
    let token = feed
        .trim_start_matches("/calendar/")
        .trim_end_matches(".ics");
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM calendar_feeds WHERE token_hash = '{token}'"
        ))
        .await,
        0
    );

    // No cookie: the address is the key.
    let got = app.get(&feed).await;
    assert_eq!(got.status, StatusCode::OK);
    assert!(got.header("content-type").starts_with("text/calendar"));
    assert_eq!(got.header("cache-control"), "private, no-store");
    let calendar = parse_ics(&got.body);
    let event = only_event(&calendar);
    assert_eq!(event["status"], "CONFIRMED");
    assert_eq!(event["start"], "2031-03-04T15:00:00+00:00");
    // The account page says a feed exists but never shows the address again.
    let account = app.get_as("/account", &ana.cookie).await;
    assert!(!account.body.contains(token));

    // Lee's feed holds nothing of Ana's.
    let lees = new_feed(&app, &lee.cookie).await;
    let lees = parse_ics(&app.get(&lees).await.body);
    assert!(lees["events"].as_array().expect("events").is_empty());

    // A new address replaces the old one; turning the feed off ends it.
    let replaced = new_feed(&app, &ana.cookie).await;
    assert_ne!(replaced, feed);
    assert_eq!(app.get(&feed).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get(&replaced).await.status, StatusCode::OK);
    let off = app
        .post_form(
            "/account/calendar-feed",
            &[("action", "off")],
            Some(&ana.cookie),
        )
        .await;
    assert!(
        landing(&app, &off, &ana.cookie)
            .await
            .contains("Your calendar feed is off")
    );
    assert_eq!(app.get(&replaced).await.status, StatusCode::NOT_FOUND);

    // Guesses and odd addresses: the same 404.
    for path in [
        "/calendar/abc.ics",
        "/calendar/abc",
        "/calendar/.%2F..%2Fgrandrounds.db",
        "/calendar/%00.ics",
    ] {
        let status = app.get(path).await.status;
        assert!(
            status == StatusCode::NOT_FOUND || status == StatusCode::BAD_REQUEST,
            "{path}: {status}"
        );
    }
    // A bad action is named, and changes nothing.
    let before = app.count("SELECT COUNT(*) FROM calendar_feeds").await;
    let odd = app
        .post_form(
            "/account/calendar-feed",
            &[("action", "delete-all")],
            Some(&ana.cookie),
        )
        .await;
    assert!(landing(&app, &odd, &ana.cookie).await.contains("Choose"));
    let twice = app
        .post_form(
            "/account/calendar-feed",
            &[("action", "new"), ("action", "off")],
            Some(&ana.cookie),
        )
        .await;
    assert!(twice.status.is_client_error() || twice.status.is_redirection());
    assert_eq!(
        app.count("SELECT COUNT(*) FROM calendar_feeds").await,
        before
    );
    // Ten new addresses at once leave exactly one that works.
    let mut tasks = Vec::new();
    for _ in 0..10 {
        let (router, cookie) = (app.router.clone(), ana.cookie.clone());
        tasks.push(tokio::spawn(async move {
            use tower::ServiceExt as _;
            let request = http::Request::post("/account/calendar-feed")
                .header("content-type", "application/x-www-form-urlencoded")
                .header("origin", crate::support::ORIGIN)
                .header("cookie", cookie)
                .body(axum::body::Body::from("action=new"))
                .expect("request");
            router.oneshot(request).await.expect("answer").status()
        }));
    }
    for task in tasks {
        assert_eq!(task.await.expect("task"), StatusCode::SEE_OTHER);
    }
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM calendar_feeds WHERE user_id = {} AND revoked_at IS NULL",
            ana.id
        ))
        .await,
        1
    );
}

#[tokio::test]
async fn the_time_zone_setting_is_checked_and_moves_every_time_on_the_page() {
    server::clock::set_clock(time::macros::datetime!(2030-01-01 12:00 UTC));
    let app = TestApp::new().await;
    let ana = app.learner("ana@clinic.org").await;
    let huge = "Z".repeat(100_000);
    for (bad, says) in [
        ("Mars/Olympus_Mons", "Mars/Olympus_Mons"),
        ("asia kolkata", "is not a time zone we know"),
        ("UTC\u{0}", "NUL"),
        (huge.as_str(), "is not a time zone we know"),
    ] {
        let refused = app
            .post_form(
                "/account/time-zone",
                &[("time_zone", bad)],
                Some(&ana.cookie),
            )
            .await;
        assert_eq!(refused.location(), "/account", "{}", bad.len());
        let shown = landing(&app, &refused, &ana.cookie).await;
        assert!(shown.contains(says), "{}: {shown}", bad.len());
        assert!(!shown.contains(&huge));
    }
    let twice = app
        .post_form(
            "/account/time-zone",
            &[
                ("time_zone", "Asia/Kolkata"),
                ("time_zone", "Europe/Berlin"),
            ],
            Some(&ana.cookie),
        )
        .await;
    assert!(
        landing(&app, &twice, &ana.cookie)
            .await
            .contains("more than once")
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users WHERE time_zone IS NOT NULL")
            .await,
        0,
        "no refusal stores anything"
    );
    // A tab around a good name is trimmed.
    app.post_form(
        "/account/time-zone",
        &[("time_zone", "Europe/Berlin\t")],
        Some(&ana.cookie),
    )
    .await;
    let stored: Option<String> = sqlx::query_scalar("SELECT time_zone FROM users WHERE id = $1")
        .bind(ana.id)
        .fetch_one(&app.state.pool)
        .await
        .expect("zone");
    assert_eq!(stored.as_deref(), Some("Europe/Berlin"));

    app.post_form(
        "/account/time-zone",
        &[("time_zone", "Australia/Adelaide")],
        Some(&ana.cookie),
    )
    .await;
    let page = app.get_as(&format!("/webinars/{CASES}"), &ana.cookie).await;
    // 15:00 UTC on 4 March is 01:30 the next day in Adelaide (daylight time, UTC+10:30).
    page.assert_contains(
        "Wednesday 5 March 2031, 01:30\u{2013}02:30 ACDT (UTC+10:30, Australia/Adelaide)",
    );
    let account = app.get_as("/account", &ana.cookie).await;
    account.assert_contains("<option value=\"Australia/Adelaide\" selected");
    // Back to each webinar's own zone.
    app.post_form(
        "/account/time-zone",
        &[("time_zone", "")],
        Some(&ana.cookie),
    )
    .await;
    let page = app.get_as(&format!("/webinars/{CASES}"), &ana.cookie).await;
    page.assert_contains(
        "Tuesday 4 March 2031, 09:00\u{2013}10:00 CST (UTC\u{2212}06:00, America/Chicago)",
    );
}

async fn clicks(app: &TestApp) -> Vec<(i64, i64)> {
    sqlx::query_as(
        "SELECT user_id, starts_at FROM attendance_ledger WHERE source = 'join_click' ORDER BY id",
    )
    .fetch_all(&app.state.pool)
    .await
    .expect("clicks")
}

#[tokio::test]
async fn the_join_link_opens_for_seats_fifteen_minutes_before_and_records_a_click_a_minute() {
    let dir = tempfile::tempdir().expect("dir");
    let content = dir.path().join("content");
    copy_dir(&demo_content(), &content);
    let file = content.join(format!("webinars/{CASES}.md"));
    let text = std::fs::read_to_string(&file).expect("read");
    std::fs::write(&file, text.replace("capacity = 30", "capacity = 1")).expect("write");
    server::clock::set_clock(time::macros::datetime!(2030-01-01 12:00 UTC));
    let app = TestApp::with_content(&content).await;
    let seated = app.learner("ana@clinic.org").await;
    let waiting = app.learner("lee@clinic.org").await;
    app.learner("sam@clinic.org").await;
    app.user("other@clinic.org", Role::Educator).await;
    app.user("admin@clinic.org", Role::Admin).await;
    register(&app, &seated.cookie).await;
    register(&app, &waiting.cookie).await;
    let join = format!("/webinars/{CASES}/join");
    let page_path = format!("/webinars/{CASES}");
    let post_join = |cookie: String| {
        let (app, join) = (&app, join.clone());
        async move { app.get_as(&join, &cookie).await }
    };
    let button = format!("href=\"{join}\"");
    let button = button.as_str();

    // One second before the window: told when it opens; no link, nothing recorded.
    server::clock::set_clock(time::macros::datetime!(2031-03-04 14:44:59 UTC));
    let ana = app.sign_in("ana@clinic.org").await;
    let early = post_join(ana.clone()).await;
    assert_eq!(early.location(), page_path);
    let shown = landing(&app, &early, &ana).await;
    assert!(
        shown.contains("The join link opens on 4 March 2031, 08:45 CST"),
        "{shown}"
    );
    assert!(!shown.contains(button));
    assert!(!shown.contains("zoom.example.org"));
    assert!(clicks(&app).await.is_empty());

    // Inside the window: the page shows the join link; following it goes to the service.
    // A browser's prefetch of it goes there too, and records nothing: no one clicked.
    server::clock::set_clock(time::macros::datetime!(2031-03-04 14:45:00 UTC));
    let page = app.get_as(&page_path, &ana).await;
    page.assert_contains(button);
    assert!(
        !page.body.contains("zoom.example.org"),
        "the service's link stays behind /join"
    );
    let prefetched = app
        .request(
            http::Request::get(&join)
                .header("cookie", &ana)
                .header("sec-purpose", "prefetch;prerender")
                .body(axum::body::Body::empty())
                .expect("request"),
        )
        .await;
    assert_eq!(prefetched.location(), JOIN_URL);
    assert!(clicks(&app).await.is_empty());
    let opened = post_join(ana.clone()).await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER);
    assert_eq!(opened.location(), JOIN_URL);
    // Fifty clicks at once, and more within the minute: still one row.
    let presses = (0..50).map(|_| post_join(ana.clone()));
    for pressed in futures::future::join_all(presses).await {
        assert_eq!(pressed.location(), JOIN_URL);
    }
    server::clock::set_clock(time::macros::datetime!(2031-03-04 14:45:59 UTC));
    let ana = app.sign_in("ana@clinic.org").await;
    assert_eq!(post_join(ana.clone()).await.location(), JOIN_URL);
    assert_eq!(clicks(&app).await.len(), 1);
    server::clock::set_clock(time::macros::datetime!(2031-03-04 15:59:59 UTC));
    let ana = app.sign_in("ana@clinic.org").await;
    assert_eq!(post_join(ana.clone()).await.location(), JOIN_URL);
    assert_eq!(
        clicks(&app).await,
        vec![
            (
                seated.id,
                time::macros::datetime!(2031-03-04 14:45:00 UTC).unix_timestamp()
            ),
            (
                seated.id,
                time::macros::datetime!(2031-03-04 15:59:59 UTC).unix_timestamp()
            ),
        ],
        "a click a minute at most, to the second"
    );

    // Everyone else inside the window: the waitlisted, a learner and an educator without a
    // registration, and an administrator: back to the page with the reason; anonymous: sign in.
    for (email, reason) in [
        ("lee@clinic.org", "You are number 1 on the waitlist"),
        ("sam@clinic.org", "The join link is for registered learners"),
        (
            "other@clinic.org",
            "The join link is for registered learners",
        ),
        (
            "admin@clinic.org",
            "The join link is for registered learners",
        ),
    ] {
        let cookie = app.sign_in(email).await;
        let refused = post_join(cookie.clone()).await;
        assert_eq!(refused.location(), page_path, "{email}");
        assert!(
            landing(&app, &refused, &cookie).await.contains(reason),
            "{email}"
        );
        let page = app.get_as(&page_path, &cookie).await;
        assert!(!page.body.contains(button), "{email}");
        assert!(!page.body.contains("zoom.example.org"), "{email}");
    }
    let anonymous = app.get(&join).await;
    assert!(anonymous.location().starts_with("/login?next="));
    assert_eq!(clicks(&app).await.len(), 2);

    // At the end the window is shut for good.
    server::clock::set_clock(time::macros::datetime!(2031-03-04 16:00:00 UTC));
    let ana = app.sign_in("ana@clinic.org").await;
    let late = post_join(ana.clone()).await;
    assert!(
        landing(&app, &late, &ana)
            .await
            .contains("Every session of this webinar has ended")
    );
    assert_eq!(clicks(&app).await.len(), 2);
}

async fn reminders(app: &TestApp, kind: &str) -> i64 {
    app.count(&format!(
        "SELECT COUNT(*) FROM outbox WHERE kind = 'webinar-reminder' AND subject LIKE '{kind}%'"
    ))
    .await
}

#[tokio::test]
async fn reminders_go_a_day_and_an_hour_before_once_each_and_not_to_those_who_said_no() {
    server::clock::set_clock(time::macros::datetime!(2030-01-01 12:00 UTC));
    let app = TestApp::new().await;
    let ana = app.learner("ana@clinic.org").await;
    let lee = app.learner("lee@clinic.org").await;
    let sam = app.learner("sam@clinic.org").await;
    register(&app, &ana.cookie).await;
    register(&app, &lee.cookie).await;
    // Lee turns optional mail off; Sam never registers.
    app.post_form("/account/mail", &[], Some(&lee.cookie)).await;
    let _ = sam;
    let identity = &app.state.mail.identity;
    let send = || server::webinars::reminders::send_due(&app.state.pool, identity);

    // More than a day ahead: nothing.
    server::clock::set_clock(time::macros::datetime!(2031-03-03 14:59:59 UTC));
    send().await.expect("send");
    assert_eq!(app.count("SELECT COUNT(*) FROM webinar_reminders").await, 0);

    // A day ahead, several servers looking at once: one reminder for Ana, none for Lee.
    server::clock::set_clock(time::macros::datetime!(2031-03-03 15:00:00 UTC));
    let (a, b, c, d) = tokio::join!(send(), send(), send(), send());
    let written: usize = [a, b, c, d].into_iter().map(|r| r.expect("send")).sum();
    assert_eq!(written, 2, "one row each for Ana and Lee, whoever wrote it");
    assert_eq!(reminders(&app, "Reminder").await, 1);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM outbox WHERE kind = 'webinar-reminder' AND user_id = {}",
            lee.id
        ))
        .await,
        0
    );
    let raw = newest(&app, "webinar-reminder", ana.id).await;
    let text = smtp::part(&raw, "text/plain").expect("text");
    assert!(
        text.contains("Tuesday 4 March 2031, 09:00\u{2013}10:00 CST"),
        "{text}"
    );
    assert!(text.contains(&format!("/webinars/{CASES}\n")), "{text}");
    // Later in the day: still one.
    server::clock::set_clock(time::macros::datetime!(2031-03-04 08:00:00 UTC));
    send().await.expect("send");
    assert_eq!(reminders(&app, "Reminder").await, 1);

    // An hour ahead: the second reminder, once.
    server::clock::set_clock(time::macros::datetime!(2031-03-04 14:00:00 UTC));
    let (a, b) = tokio::join!(send(), send());
    a.expect("send");
    b.expect("send");
    send().await.expect("send");
    assert_eq!(reminders(&app, "Starting soon").await, 1);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE kind = 'webinar-reminder'")
            .await,
        2
    );
    // After the start: nothing more.
    server::clock::set_clock(time::macros::datetime!(2031-03-04 15:00:01 UTC));
    send().await.expect("send");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE kind = 'webinar-reminder'")
            .await,
        2
    );
}
