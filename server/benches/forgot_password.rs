//! `/forgot-password` must answer in about the same time whether or not an account uses the
//! address (OWASP: no timing oracle). Posts 300 requests for addresses with an account and
//! 300 for addresses without, interleaved, and prints p50/p95 of each and their difference.
//! The per-address and per-email counts are cleared between requests (outside the timing),
//! so every request does its full work.
//!
//! Run by hand: `cargo bench -p server --bench forgot_password`

mod common;
use axum::body::Body;
use common::percentile;
use http::{Request, StatusCode};
use http_body_util::BodyExt;
use server::accounts::store::{self, NewUser, ProfileUpdate};
use server::{build_router, start};
use std::path::Path;
use std::time::{Duration, Instant};
use tower::ServiceExt;

const EACH: usize = 300;
const ORIGIN: &str = "http://127.0.0.1:3000";

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let settings = common::settings(
        dir.path(),
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../content"),
        ORIGIN,
        server::accounts::password::HashCost::Fast,
    );
    let state = start(&settings).await.expect("start");
    let router = build_router(state.clone());
    for i in 0..EACH {
        let user = NewUser {
            email: format!("known{i}@clinic.org"),
            password_hash: "$argon2id$unused".into(),
            full_name: format!("Learner {i}"),
            profession: app::accounts::Profession::Nurse,
            role: app::accounts::Role::Learner,
        };
        store::create_with_profile(&state.pool, &user, &ProfileUpdate::default())
            .await
            .expect("user");
    }
    let request = |email: &str| {
        Request::post("/forgot-password")
            .header("origin", ORIGIN)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(format!("email={}", email.replace('@', "%40"))))
            .expect("request")
    };
    let time = |email: String| {
        let router = router.clone();
        let request = request(&email);
        async move {
            let started = Instant::now();
            let response = router.oneshot(request).await.expect("answer");
            assert_eq!(response.status(), StatusCode::SEE_OTHER);
            let _ = response.into_body().collect().await;
            started.elapsed()
        }
    };
    // Warm up both paths.
    for i in 0..20 {
        time(format!("warm{i}@clinic.org")).await;
    }
    let (mut known, mut unknown): (Vec<Duration>, Vec<Duration>) = (Vec::new(), Vec::new());
    for i in 0..EACH {
        sqlx::query("DELETE FROM login_throttle")
            .execute(&state.pool)
            .await
            .expect("clear counts");
        known.push(time(format!("known{i}@clinic.org")).await);
        unknown.push(time(format!("nobody{i}@clinic.org")).await);
    }
    let links: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM password_resets")
        .fetch_one(&state.pool)
        .await
        .expect("count");
    assert_eq!(
        links,
        i64::try_from(EACH).expect("small"),
        "every known address got its link"
    );
    println!(
        "forgot-password timing (in-process router, file SQLite, {} cores, {EACH} requests each)",
        std::thread::available_parallelism().map_or(1, usize::from)
    );
    let (k50, k95) = (percentile(&mut known, 0.5), percentile(&mut known, 0.95));
    let (u50, u95) = (
        percentile(&mut unknown, 0.5),
        percentile(&mut unknown, 0.95),
    );
    println!("  account exists:   p50 {k50:.2} ms  p95 {k95:.2} ms");
    println!("  no such account:  p50 {u50:.2} ms  p95 {u95:.2} ms");
    println!(
        "  difference:       p50 {:.2} ms  p95 {:.2} ms",
        k50 - u50,
        k95 - u95
    );
    let ms = |value: f64| format!("{value:.2} ms");
    common::figure("forgot password, account exists: p50", &ms(k50), "");
    common::figure("forgot password, account exists: p95", &ms(k95), "");
    common::figure("forgot password, no such account: p50", &ms(u50), "");
    common::figure("forgot password, no such account: p95", &ms(u95), "");
    common::figure(
        "forgot password, difference (exists - none): p50",
        &ms(k50 - u50),
        "about 0 ms (no timing oracle)",
    );
    common::figure(
        "forgot password, difference (exists - none): p95",
        &ms(k95 - u95),
        "about 0 ms (no timing oracle)",
    );
    common::print_memory("forgot password");
}
