//! Join clicks cannot slow the organizers down: 100 learners with seats follow "Join" through
//! the real router (in process, SQLite file): first 5,000 clicks at once (50 each), then one
//! click a minute each for the whole hour. Prints how many ledger rows that made and the
//! organizers' attendance page and CSV times before and after (p50 and p95 of 30 requests),
//! which must stay flat: a click a minute at most is recorded, the summaries read who
//! clicked rather than every click, and the ledger table is shown a page at a time.
//!
//! `cargo bench -p server --bench join_clicks`.

mod common;
use common::{call, percentile, post};
use http::StatusCode;
use server::accounts::store::{self, NewUser, ProfileUpdate};
use server::{build_router, start};
use std::path::Path;
use std::time::{Duration, Instant};

const WEBINAR: &str = "store-and-forward-case-conference";
const ORGANIZER: &str = "educator@grandrounds.example";
const PASSWORD: &str = "river lantern quietly";
const LEARNERS: usize = 100;
const FLOOD_EACH: usize = 50;
const SAMPLES: usize = 30;
/// 4 March 2031, 15:00 UTC: the demo case conference's session (60 minutes).
const SESSION_START: i64 = 1_930_402_800;

fn instant(unix: i64) -> time::OffsetDateTime {
    time::OffsetDateTime::from_unix_timestamp(unix).expect("instant")
}

async fn sign_in(router: &axum::Router, email: &str) -> String {
    let answer = call(
        router,
        post(
            "/account/login",
            format!(
                "email={}&password={}",
                email.replace('@', "%40"),
                PASSWORD.replace(' ', "+")
            ),
            None,
        ),
    )
    .await;
    answer.cookie.expect("signed in")
}

/// p50 and p95 (ms) of `SAMPLES` GETs of `path`, and the last body's size.
async fn timed(router: &axum::Router, path: &str, cookie: &str) -> (f64, f64, usize) {
    let mut samples = Vec::with_capacity(SAMPLES);
    let mut size = 0;
    for _ in 0..SAMPLES {
        let request = http::Request::get(path)
            .header("cookie", cookie)
            .body(axum::body::Body::empty())
            .expect("request");
        let started = Instant::now();
        let answer = call(router, request).await;
        samples.push(started.elapsed());
        assert_eq!(answer.status, StatusCode::OK, "{path}");
        size = answer.body.len();
    }
    (
        percentile(&mut samples, 0.5),
        percentile(&mut samples, 0.95),
        size,
    )
}

async fn click_all(router: &axum::Router, cookies: &[String], each: usize) -> Duration {
    let started = Instant::now();
    let mut tasks = Vec::new();
    for cookie in cookies {
        for _ in 0..each {
            let (router, cookie) = (router.clone(), cookie.clone());
            tasks.push(tokio::spawn(async move {
                let request = http::Request::get(format!("/webinars/{WEBINAR}/join"))
                    .header("cookie", cookie)
                    .body(axum::body::Body::empty())
                    .expect("request");
                call(&router, request).await
            }));
        }
    }
    for task in tasks {
        let answer = task.await.expect("task");
        assert_eq!(answer.status, StatusCode::SEE_OTHER);
        assert!(
            answer.location.starts_with("https://"),
            "{}",
            answer.location
        );
    }
    started.elapsed()
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let content = dir.path().join("content");
    common::copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../content"),
        &content,
    );
    let file = content.join(format!("webinars/{WEBINAR}.md"));
    let text = std::fs::read_to_string(&file).expect("webinar");
    std::fs::write(
        &file,
        text.replacen(
            "\ncapacity = 30\n",
            &format!("\ncapacity = {LEARNERS}\n"),
            1,
        ),
    )
    .expect("write webinar");
    server::clock::set_clock(instant(1_893_499_200));
    let settings = common::settings(
        dir.path(),
        content,
        common::ORIGIN,
        server::accounts::password::HashCost::Fast,
    );
    let state = start(&settings).await.expect("start");
    let router = build_router(state.clone());
    let pool = &state.pool;
    let hash = state.hasher.hash(PASSWORD.into()).await.expect("hash");
    let webinar: i64 = sqlx::query_scalar("SELECT id FROM webinars WHERE slug = $1")
        .bind(WEBINAR)
        .fetch_one(pool)
        .await
        .expect("webinar");
    for i in 0..LEARNERS {
        let user = NewUser {
            email: format!("learner{i}@clinic.org"),
            password_hash: hash.clone(),
            full_name: format!("Learner {i}"),
            profession: app::accounts::Profession::Nurse,
            role: app::accounts::Role::Learner,
        };
        let id = store::create_with_profile(pool, &user, &ProfileUpdate::default())
            .await
            .expect("user");
        sqlx::query(
            "INSERT INTO webinar_registrations (webinar_id, user_id, status, position, arrived_at, registered_at, registered_name) \
             VALUES ($1, $2, 'registered', $3, $4, $4, $5)",
        )
        .bind(webinar)
        .bind(id)
        .bind(i64::try_from(i + 1).expect("position"))
        .bind(server::clock::now())
        .bind(format!("Learner {i}"))
        .execute(pool)
        .await
        .expect("seat");
    }
    let organizer = NewUser {
        email: ORGANIZER.into(),
        password_hash: hash.clone(),
        full_name: "Grand Rounds Educator".into(),
        profession: app::accounts::Profession::Physician,
        role: app::accounts::Role::Educator,
    };
    store::create_with_profile(pool, &organizer, &ProfileUpdate::default())
        .await
        .expect("organizer");

    server::clock::set_clock(instant(SESSION_START - 10 * 60));
    let organizer = sign_in(&router, ORGANIZER).await;
    let mut cookies = Vec::with_capacity(LEARNERS);
    for i in 0..LEARNERS {
        cookies.push(sign_in(&router, &format!("learner{i}@clinic.org")).await);
    }
    let page = format!("/webinars/{WEBINAR}/attendance");
    let csv = format!("/webinars/{WEBINAR}/attendance.csv");
    let rows = || async {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM attendance_ledger")
            .fetch_one(pool)
            .await
            .expect("rows")
    };
    let mut lines = Vec::new();
    // Each stage's figures for bench/run-all: its name, the most ledger rows a click a
    // minute at most allows (none before the first clicks), and the times.
    let mut stages = Vec::new();
    let mut measure = |label: String,
                       stage: String,
                       most: Option<usize>,
                       rows: i64,
                       page: (f64, f64, usize),
                       csv: (f64, f64, usize)| {
        lines.push(format!(
            "{label:<44} {rows:>7} {:>9.2} {:>9.2} {:>8} {:>9.2} {:>9.2}",
            page.0, page.1, page.2, csv.0, csv.1
        ));
        stages.push((stage, most, rows, page, csv));
    };
    measure(
        "no clicks".into(),
        "no clicks".into(),
        None,
        rows().await,
        timed(&router, &page, &organizer).await,
        timed(&router, &csv, &organizer).await,
    );

    let flood = click_all(&router, &cookies, FLOOD_EACH).await;
    // Checked: no learner has two click rows less than a minute apart.
    let clicks: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT user_id, starts_at FROM attendance_ledger WHERE source = 'join_click' ORDER BY user_id, starts_at",
    )
    .fetch_all(pool)
    .await
    .expect("clicks");
    for pair in clicks.windows(2) {
        if pair[0].0 == pair[1].0 {
            assert!(
                pair[1].1 - pair[0].1 >= 60,
                "learner {} has clicks at {} and {}",
                pair[0].0,
                pair[0].1,
                pair[1].1
            );
        }
    }
    measure(
        format!(
            "{} clicks at once ({:.1} s)",
            LEARNERS * FLOOD_EACH,
            flood.as_secs_f64()
        ),
        format!("after {} clicks at once", LEARNERS * FLOOD_EACH),
        Some(LEARNERS),
        rows().await,
        timed(&router, &page, &organizer).await,
        timed(&router, &csv, &organizer).await,
    );

    // Then a click a minute by everyone, from 15 minutes before the start to the end.
    let mut clicks = 0;
    for minute in -9..60_i64 {
        server::clock::set_clock(instant(SESSION_START + minute * 60));
        click_all(&router, &cookies, 1).await;
        clicks += LEARNERS;
    }
    measure(
        format!("then {clicks} clicks, one a minute each"),
        format!("then {clicks} clicks, one a minute each"),
        Some(LEARNERS + clicks),
        rows().await,
        timed(&router, &page, &organizer).await,
        timed(&router, &csv, &organizer).await,
    );

    println!(
        "join clicks and the organizers' page (in-process router, SQLite file, {} cores, {LEARNERS} learners)",
        std::thread::available_parallelism().map_or(1, usize::from)
    );
    println!(
        "{:<44} {:>7} {:>9} {:>9} {:>8} {:>9} {:>9}",
        "", "rows", "page p50", "page p95", "bytes", "csv p50", "csv p95"
    );
    for line in lines {
        println!("{line}");
    }
    println!("times in ms; page size in bytes");
    common::figure(
        &format!(
            "join clicks, {} clicks at once: all answered in",
            LEARNERS * FLOOD_EACH
        ),
        &format!("{:.1} s", flood.as_secs_f64()),
        "",
    );
    for (stage, most, rows, page, csv) in stages {
        // The organizers' times must stay flat as the clicks come in.
        let flat = if most.is_some() {
            "flat (as with no clicks)"
        } else {
            ""
        };
        let ms = |value: f64| format!("{value:.2} ms");
        common::figure(
            &format!("join clicks, {stage}: ledger rows"),
            &rows.to_string(),
            &most.map_or(String::new(), |most| {
                format!("<= {most} (a click a minute at most)")
            }),
        );
        common::figure(
            &format!("join clicks, {stage}: attendance page p50"),
            &ms(page.0),
            flat,
        );
        common::figure(
            &format!("join clicks, {stage}: attendance page p95"),
            &ms(page.1),
            flat,
        );
        common::figure(
            &format!("join clicks, {stage}: attendance CSV p50"),
            &ms(csv.0),
            flat,
        );
        common::figure(
            &format!("join clicks, {stage}: attendance CSV p95"),
            &ms(csv.1),
            flat,
        );
    }
    common::print_memory("join clicks");
}
