//! 1,000 registrations arriving within 10 seconds for a 300-seat webinar, through the real
//! router (in process) on a file SQLite database and, when `GRANDROUNDS_TEST_POSTGRES` names
//! a cluster, on a fresh PostgreSQL database: learner `i` sends the register form at
//! `i × 10 ms`, and every tenth learner sends it twice at once (a double click). Prints the
//! registration latency (p50/p95/max) and checks that nothing was lost or doubled: one place
//! per learner, exactly 300 seats, 700 on the waitlist, positions 1 to 1,000 with every seat
//! ahead of every waiting place.
//!
//! Run by hand: `bash bench/webinar-registrations.sh` (starts a throwaway PostgreSQL cluster
//! with fsync on); `cargo bench -p server --bench webinar_registrations` runs SQLite only.

mod common;
use common::{call, percentile, post};
use http::StatusCode;
use server::accounts::store::{self, NewUser, ProfileUpdate};
use server::{build_router, start};
use std::path::Path;
use std::time::{Duration, Instant};

const LEARNERS: usize = 1_000;
const SEATS: usize = 300;
const SPREAD: Duration = Duration::from_secs(10);
const TWICE_EVERY: usize = 10;
const WEBINAR: &str = "store-and-forward-case-conference";
const PASSWORD: &str = "river lantern quietly";

struct Figures {
    requests: usize,
    took: Duration,
    p50: f64,
    p95: f64,
    max: f64,
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
    assert!(
        text.contains("\ncapacity = 30\n"),
        "the demo webinar has 30 seats"
    );
    std::fs::write(
        &file,
        text.replacen("\ncapacity = 30\n", &format!("\ncapacity = {SEATS}\n"), 1),
    )
    .expect("write webinar");
    // 1 January 2030, 12:00 UTC: inside the registration window whatever today's date is.
    server::clock::start_rehearsal(
        time::OffsetDateTime::from_unix_timestamp(1_893_499_200).expect("instant"),
    );

    // Each database's label in the table, its name in the figures, and its figures.
    let mut rows = vec![(
        "SQLite (file, WAL, synchronous=FULL)",
        "SQLite",
        run(&dir.path().join("sqlite"), &content, None).await,
    )];
    match std::env::var("GRANDROUNDS_TEST_POSTGRES") {
        Ok(admin) => {
            let url = common::fresh_database(&admin).await;
            rows.push((
                "PostgreSQL",
                "PostgreSQL",
                run(&dir.path().join("postgres"), &content, Some(url)).await,
            ));
        }
        Err(_) => println!(
            "PostgreSQL: not run (GRANDROUNDS_TEST_POSTGRES is unset; bash bench/webinar-registrations.sh starts a cluster)"
        ),
    }

    println!(
        "webinar registration benchmark (in-process router, {} cores): {LEARNERS} learners arriving over {} s for {SEATS} seats, every {TWICE_EVERY}th sending the form twice",
        std::thread::available_parallelism().map_or(1, usize::from),
        SPREAD.as_secs()
    );
    println!(
        "{:<38} {:>9} {:>9} {:>9} {:>9} {:>9}",
        "", "requests", "all in s", "p50 ms", "p95 ms", "max ms"
    );
    for (label, _, f) in &rows {
        println!(
            "{label:<38} {:>9} {:>9.2} {:>9.2} {:>9.2} {:>9.2}",
            f.requests,
            f.took.as_secs_f64(),
            f.p50,
            f.p95,
            f.max
        );
    }
    println!(
        "checked on each: {LEARNERS} places, one per learner; {SEATS} registered, {} waitlisted; positions 1..{LEARNERS}, every seat ahead of every waiting place",
        LEARNERS - SEATS
    );
    for (_, database, f) in &rows {
        let ms = |value: f64| format!("{value:.2} ms");
        let name = |what: &str| format!("webinar registrations: {what} ({database})");
        common::figure(&name("p50"), &ms(f.p50), "");
        common::figure(&name("p95"), &ms(f.p95), "");
        common::figure(&name("max"), &ms(f.max), "");
        common::figure(
            &name(&format!("all {} requests answered in", f.requests)),
            &format!("{:.2} s", f.took.as_secs_f64()),
            "",
        );
        // `run` stops the benchmark unless every learner has exactly one place.
        common::figure(
            &name("places lost / doubled"),
            "lost 0 / doubled 0",
            "lost 0 / doubled 0",
        );
        common::figure(
            &name("seats / waitlisted"),
            &format!("{SEATS} / {}", LEARNERS - SEATS),
            &format!("{SEATS} / {}", LEARNERS - SEATS),
        );
    }
    common::print_memory("webinar registrations");
}

async fn run(dir: &Path, content: &Path, database_url: Option<String>) -> Figures {
    std::fs::create_dir_all(dir).expect("dir");
    let mut settings = common::settings(
        dir,
        content.to_path_buf(),
        common::ORIGIN,
        // Signing in is not what this measures: the cheapest hash keeps the set-up short.
        server::accounts::password::HashCost::Fast,
    );
    if let Some(url) = database_url {
        settings.database_url = url;
    }
    let state = start(&settings).await.expect("start");
    let router = build_router(state.clone());

    let hash = state.hasher.hash(PASSWORD.into()).await.expect("hash");
    let mut cookies = Vec::with_capacity(LEARNERS);
    for i in 0..LEARNERS {
        let email = format!("learner{i}@clinic.org");
        let user = NewUser {
            email: email.clone(),
            password_hash: hash.clone(),
            full_name: format!("Learner {i}"),
            profession: app::accounts::Profession::Nurse,
            role: app::accounts::Role::Learner,
        };
        store::create_with_profile(&state.pool, &user, &ProfileUpdate::default())
            .await
            .expect("user");
        let signed_in = call(
            &router,
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
        cookies.push(signed_in.cookie.expect("signed in"));
    }

    let started = Instant::now();
    let step = SPREAD / u32::try_from(LEARNERS).expect("count");
    let mut tasks = Vec::new();
    for (i, cookie) in cookies.iter().enumerate() {
        let at = step * u32::try_from(i).expect("index");
        let copies = if i % TWICE_EVERY == 0 { 2 } else { 1 };
        for _ in 0..copies {
            let router = router.clone();
            let cookie = cookie.clone();
            tasks.push(tokio::spawn(async move {
                tokio::time::sleep_until(tokio::time::Instant::from_std(started + at)).await;
                let sent = Instant::now();
                let answer = call(
                    &router,
                    post(
                        "/webinars/register",
                        format!("webinar={WEBINAR}"),
                        Some(&cookie),
                    ),
                )
                .await;
                (sent.elapsed(), answer.status, answer.location)
            }));
        }
    }
    let mut latencies = Vec::with_capacity(tasks.len());
    for task in tasks {
        let (took, status, location) = task.await.expect("task");
        assert_eq!(status, StatusCode::SEE_OTHER, "registration answered");
        assert!(
            location.starts_with(&format!("/webinars/{WEBINAR}")),
            "back to the webinar: {location}"
        );
        latencies.push(took);
    }
    let took = started.elapsed();

    // Nothing lost or doubled.
    let (places, learners, first, last, distinct): (i64, i64, i64, i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), COUNT(DISTINCT r.user_id), MIN(r.position), MAX(r.position), COUNT(DISTINCT r.position) \
         FROM webinar_registrations r JOIN webinars w ON w.id = r.webinar_id WHERE w.slug = $1",
    )
    .bind(WEBINAR)
    .fetch_one(&state.pool)
    .await
    .expect("count");
    let expected = i64::try_from(LEARNERS).expect("count");
    assert_eq!(
        (places, learners, first, last, distinct),
        (expected, expected, 1, expected, expected),
        "one place per learner, positions 1..{LEARNERS}"
    );
    let standing: Vec<(String, i64, i64, i64)> = sqlx::query_as(
        "SELECT r.status, COUNT(*), MIN(r.position), MAX(r.position) FROM webinar_registrations r \
         JOIN webinars w ON w.id = r.webinar_id WHERE w.slug = $1 GROUP BY r.status ORDER BY r.status",
    )
    .bind(WEBINAR)
    .fetch_all(&state.pool)
    .await
    .expect("standing");
    let seats = i64::try_from(SEATS).expect("count");
    assert_eq!(
        standing,
        vec![
            ("registered".to_owned(), seats, 1, seats),
            (
                "waitlisted".to_owned(),
                expected - seats,
                seats + 1,
                expected
            ),
        ],
        "{SEATS} seats to the first {SEATS} arrivals, the rest waiting in order"
    );

    let requests = latencies.len();
    Figures {
        requests,
        took,
        p50: percentile(&mut latencies, 0.50),
        p95: percentile(&mut latencies, 0.95),
        max: percentile(&mut latencies, 1.0),
    }
}
