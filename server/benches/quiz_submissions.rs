//! 64 learners submitting the post-test at the same moment, round after round, through the
//! real router on a file database (WAL, `synchronous = FULL`): prints graded, committed
//! submissions per second and the submission latency (p50/p95/max). Each round first opens
//! one attempt per learner (not timed), then fires the 64 submissions together (timed).
//!
//! Run by hand: `cargo bench -p server --bench quiz_submissions`

mod common;
use axum::Router;
use axum::body::Body;
use common::ORIGIN;
use common::{call, percentile, post};
use http::{Request, StatusCode};
use server::accounts::store::{self, NewUser, ProfileUpdate};
use server::quizzes::Quiz;
use server::{build_router, start};
use std::path::Path;
use std::time::{Duration, Instant};

const LEARNERS: usize = 64;
const ROUNDS: usize = 20;
const PASSWORD: &str = "river lantern quietly";
const COURSE: &str = "telehealth-for-clinical-teams";

async fn open_attempt(router: &Router, cookie: &str) -> String {
    let page = call(
        router,
        Request::get(format!("/learning/{COURSE}/quiz/post-test"))
            .header("cookie", cookie)
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert_eq!(page.status, StatusCode::OK);
    let marker = "name=\"token\" value=\"";
    let start = page.body.find(marker).expect("a quiz form") + marker.len();
    page.body[start..]
        .split('"')
        .next()
        .expect("token")
        .to_owned()
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    // The demo content with room for many attempts, so every learner can submit each round.
    let content = dir.path().join("content");
    common::copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../content"),
        &content,
    );
    // Learners go straight to the post-test (the bench measures submissions, not study).
    let course_file = content.join(format!("courses/{COURSE}/course.md"));
    let course = std::fs::read_to_string(&course_file).expect("course");
    std::fs::write(
        &course_file,
        course.replacen("featured = true", "featured = true\ntest_out = true", 1),
    )
    .expect("write course");
    let quiz_file = content.join(format!("courses/{COURSE}/post-test.quiz.md"));
    let text = std::fs::read_to_string(&quiz_file).expect("quiz");
    std::fs::write(
        &quiz_file,
        text.replacen("max_attempts = 3", "max_attempts = 100", 1),
    )
    .expect("write quiz");

    let settings = common::settings(
        dir.path(),
        content,
        ORIGIN,
        server::accounts::password::HashCost::Production,
    );
    let state = start(&settings).await.expect("start");
    let router = build_router(state.clone());

    let definition: String = sqlx::query_scalar(
        "SELECT q.definition FROM quiz_revisions q JOIN course_revisions r ON r.id = q.revision_id \
         JOIN courses c ON c.id = r.course_id WHERE c.slug = $1 AND q.kind = 'post'",
    )
    .bind(COURSE)
    .fetch_one(&state.pool)
    .await
    .expect("quiz");
    let quiz: Quiz = serde_json::from_str(&definition).expect("quiz definition");
    // Every question answered, the first three wrongly: 70 %, below the 75 % pass mark (a
    // pass would close the quiz), and graded in full like any other submission.
    let answers: String = quiz
        .questions
        .iter()
        .enumerate()
        .flat_map(|(i, q)| {
            let picked: Vec<_> = if i < 3 {
                q.options.iter().filter(|o| !o.correct).take(1).collect()
            } else {
                q.options.iter().filter(|o| o.correct).collect()
            };
            picked
                .into_iter()
                .map(|o| format!("&q-{}={}", q.id, o.id))
                .collect::<Vec<_>>()
        })
        .collect();

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
        let cookie = signed_in.cookie.expect("signed in");
        let enrolled = call(
            &router,
            post(
                "/learning/enroll",
                format!("course={COURSE}"),
                Some(&cookie),
            ),
        )
        .await;
        assert_eq!(enrolled.status, StatusCode::SEE_OTHER);
        cookies.push(cookie);
    }

    let mut latencies = Vec::with_capacity(LEARNERS * ROUNDS);
    let mut busy = Duration::ZERO;
    for round in 1..=ROUNDS {
        let mut tokens = Vec::with_capacity(LEARNERS);
        for cookie in &cookies {
            tokens.push(open_attempt(&router, cookie).await);
        }
        let started = Instant::now();
        let tasks: Vec<_> = cookies
            .iter()
            .zip(tokens)
            .map(|(cookie, token)| {
                let router = router.clone();
                let body = format!("token={token}{answers}");
                let cookie = cookie.clone();
                tokio::spawn(async move {
                    let sent = Instant::now();
                    let answer = call(&router, post("/learning/quiz", body, Some(&cookie))).await;
                    (sent.elapsed(), answer.status, answer.location)
                })
            })
            .collect();
        for task in tasks {
            let (took, status, location) = task.await.expect("task");
            assert_eq!(status, StatusCode::SEE_OTHER);
            assert!(
                location.ends_with(&format!("/quiz/post-test/{round}")),
                "recorded as attempt {round}: {location}"
            );
            latencies.push(took);
        }
        busy += started.elapsed();
    }
    let recorded: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM quiz_attempts WHERE number IS NOT NULL AND percent = 70",
    )
    .fetch_one(&state.pool)
    .await
    .expect("count");
    assert_eq!(usize::try_from(recorded).ok(), Some(LEARNERS * ROUNDS));

    println!(
        "quiz submission benchmark (in-process router, file SQLite WAL synchronous=FULL, {} cores)",
        std::thread::available_parallelism().map_or(1, usize::from)
    );
    #[expect(clippy::cast_precision_loss, reason = "small counts")]
    let rate = (LEARNERS * ROUNDS) as f64 / busy.as_secs_f64();
    println!(
        "{LEARNERS} concurrent learners x {ROUNDS} rounds: {} graded, committed submissions in {:.2} s: {rate:.0} submissions/s",
        LEARNERS * ROUNDS,
        busy.as_secs_f64()
    );
    let (p50, p95, max) = (
        percentile(&mut latencies, 0.50),
        percentile(&mut latencies, 0.95),
        percentile(&mut latencies, 1.0),
    );
    println!("submission latency: p50 {p50:.2} ms  p95 {p95:.2} ms  max {max:.2} ms");
    common::figure(
        "quiz submissions: throughput (SQLite)",
        &format!("{rate:.0} submissions/s"),
        "",
    );
    common::figure(
        "quiz submissions: p50 (SQLite)",
        &format!("{p50:.2} ms"),
        "",
    );
    common::figure(
        "quiz submissions: p95 (SQLite)",
        &format!("{p95:.2} ms"),
        "",
    );
    common::figure(
        "quiz submissions: max (SQLite)",
        &format!("{max:.2} ms"),
        "",
    );
    common::print_memory("quiz submissions");
}
