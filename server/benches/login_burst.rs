//! A burst of 200 concurrent sign-ins while a signed-in reader keeps fetching a lesson:
//! prints sign-in throughput and the lesson's p50/p95 with and without the burst. Argon2
//! runs on the blocking pool with a bound, so pages should stay fast during the burst.
//!
//! Run by hand: `cargo bench -p server --bench login_burst`

mod common;
use axum::Router;
use axum::body::Body;
use common::percentile;
use http::{Request, StatusCode};
use http_body_util::BodyExt;
use server::accounts::store::{self, NewUser, ProfileUpdate};
use server::{build_router, start};
use std::path::Path;
use std::time::{Duration, Instant};
use tower::ServiceExt;

const LOGINS: usize = 200;
const PASSWORD: &str = "river lantern quietly";
const LESSON: &str = "/courses/telehealth-for-clinical-teams/modalities";
const ORIGIN: &str = "http://127.0.0.1:3000";

async fn call(router: &Router, request: Request<Body>) -> (StatusCode, Option<String>) {
    let response = router
        .clone()
        .oneshot(request)
        .await
        .expect("router answers");
    let status = response.status();
    let cookie = response
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .map(|c| c.split(';').next().unwrap_or_default().to_owned());
    let _ = response.into_body().collect().await;
    (status, cookie)
}

fn login_request(email: &str) -> Request<Body> {
    Request::post("/account/login")
        .header("origin", ORIGIN)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(format!(
            "email={}&password={}",
            email.replace('@', "%40"),
            PASSWORD.replace(' ', "+")
        )))
        .expect("request")
}

async fn lesson(router: &Router, cookie: &str) -> Duration {
    let started = Instant::now();
    let request = Request::get(LESSON)
        .header("cookie", cookie)
        .body(Body::empty())
        .expect("request");
    let (status, _) = call(router, request).await;
    assert_eq!(status, StatusCode::OK);
    started.elapsed()
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let settings = common::settings(
        dir.path(),
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../content"),
        ORIGIN,
        server::accounts::password::HashCost::Production,
    );
    let state = start(&settings).await.expect("start");
    let router = build_router(state.clone());

    let hash = state.hasher.hash(PASSWORD.into()).await.expect("hash");
    for i in 0..=LOGINS {
        let user = NewUser {
            email: format!("learner{i}@clinic.org"),
            password_hash: hash.clone(),
            full_name: format!("Learner {i}"),
            profession: app::accounts::Profession::Nurse,
            role: app::accounts::Role::Learner,
        };
        store::create_with_profile(&state.pool, &user, &ProfileUpdate::default())
            .await
            .expect("user");
    }
    // The reader: signed in, so every lesson request is rendered and checks the session.
    let (_, reader) = call(
        &router,
        login_request(&format!("learner{LOGINS}@clinic.org")),
    )
    .await;
    let reader = reader.expect("reader cookie");
    for _ in 0..50 {
        lesson(&router, &reader).await;
    }

    let mut quiet: Vec<Duration> = Vec::new();
    for _ in 0..400 {
        quiet.push(lesson(&router, &reader).await);
    }

    let started = Instant::now();
    let burst: Vec<_> = (0..LOGINS)
        .map(|i| {
            let router = router.clone();
            tokio::spawn(async move {
                let (status, cookie) =
                    call(&router, login_request(&format!("learner{i}@clinic.org"))).await;
                assert_eq!(status, StatusCode::SEE_OTHER);
                assert!(cookie.is_some(), "signed in");
            })
        })
        .collect();
    let mut during: Vec<Duration> = Vec::new();
    while burst.iter().any(|task| !task.is_finished()) {
        during.push(lesson(&router, &reader).await);
    }
    for task in burst {
        task.await.expect("login task");
    }
    let burst_secs = started.elapsed().as_secs_f64();

    println!(
        "login burst benchmark (in-process router, file SQLite, {} cores)",
        std::thread::available_parallelism().map_or(1, usize::from)
    );
    #[expect(clippy::cast_precision_loss, reason = "small counts")]
    let rate = LOGINS as f64 / burst_secs;
    println!("{LOGINS} concurrent sign-ins in {burst_secs:.2} s: {rate:.1} sign-ins/s");
    let (quiet50, quiet95) = (percentile(&mut quiet, 0.50), percentile(&mut quiet, 0.95));
    let (during50, during95) = (percentile(&mut during, 0.50), percentile(&mut during, 0.95));
    println!(
        "lesson page, signed-in reader, no burst:     p50 {quiet50:.2} ms  p95 {quiet95:.2} ms  ({} requests)",
        quiet.len()
    );
    println!(
        "lesson page, signed-in reader, during burst: p50 {during50:.2} ms  p95 {during95:.2} ms  ({} requests)",
        during.len()
    );
    common::figure(
        &format!("login burst, {LOGINS} concurrent sign-ins: throughput"),
        &format!("{rate:.1} sign-ins/s"),
        "",
    );
    let ms = |value: f64| format!("{value:.2} ms");
    common::figure("login burst, lesson page, no burst: p50", &ms(quiet50), "");
    common::figure("login burst, lesson page, no burst: p95", &ms(quiet95), "");
    // Argon2 runs on a bounded blocking pool so that pages stay fast during the burst.
    common::figure(
        "login burst, lesson page, during burst: p50",
        &ms(during50),
        "stays fast",
    );
    common::figure(
        "login burst, lesson page, during burst: p95",
        &ms(during95),
        "stays fast",
    );
    common::print_memory("login burst");
}
