//! Scale-out benchmark (issue 12): real `grandrounds serve` processes over HTTP, on SQLite
//! with one server and on PostgreSQL with one and with two servers, in one run. For each:
//!
//! - 64 signed-in learners submit the post-test at the same moment, round after round (each
//!   round first opens one attempt per learner, not timed): graded, committed submissions
//!   per second and their p95;
//! - the same 64 learners read a lesson page as fast as they can for 10 s (64 connections,
//!   each learner on their own server when there are two): requests per second and p99.
//!
//! Run by hand: `bash bench/scale-out.sh` (builds the release binary, starts a throwaway
//! PostgreSQL cluster with fsync on, like SQLite's `synchronous = FULL`, and runs this).

mod common;
use axum::body::Bytes;
use common::percentile;
use http::{Method, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use server::accounts::store::{self, NewUser, ProfileUpdate};
use server::quizzes::Quiz;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const LEARNERS: usize = 64;
const ROUNDS: usize = 10;
const READ_FOR: Duration = Duration::from_secs(10);
const PASSWORD: &str = "river lantern quietly";
const COURSE: &str = "telehealth-for-clinical-teams";
const LESSON: &str = "/courses/telehealth-for-clinical-teams/modalities";
const PUBLIC: &str = "http://localhost";

type Http = Client<HttpConnector, Full<Bytes>>;

struct Server(Child, String);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status();
        let _ = self.0.wait();
    }
}

struct Answer {
    status: StatusCode,
    location: String,
    cookie: Option<String>,
    body: String,
}

async fn call(
    http: &Http,
    base: &str,
    method: Method,
    path: &str,
    cookie: Option<&str>,
    form: Option<String>,
) -> Answer {
    let mut request = Request::builder()
        .method(method)
        .uri(format!("{base}{path}"));
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    if form.is_some() {
        request = request
            .header("content-type", "application/x-www-form-urlencoded")
            .header("origin", PUBLIC);
    }
    let response = http
        .request(
            request
                .body(Full::new(Bytes::from(form.unwrap_or_default())))
                .expect("request"),
        )
        .await
        .expect("the server answers");
    let status = response.status();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let location = header("location").unwrap_or_default();
    let cookie = header("set-cookie")
        .filter(|c| c.starts_with("gr_session="))
        .map(|c| c.split(';').next().unwrap_or_default().to_owned());
    let body = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    Answer {
        status,
        location,
        cookie,
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}

fn spawn(binary: &Path, database_url: &str, content: &Path, keys: &Path, site: &Path) -> Child {
    Command::new(binary)
        .env_remove("DATABASE_URL")
        .env("RUST_LOG", "warn")
        .arg("--database-url")
        .arg(database_url)
        .arg("--content-dir")
        .arg(content)
        .arg("--key-dir")
        .arg(keys)
        .args(["serve", "--listen", "127.0.0.1:0", "--public-url", PUBLIC])
        .arg("--site-root")
        .arg(site)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the server starts")
}

fn started(mut child: Child) -> Server {
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("a start-up line");
    let address = line
        .strip_prefix("Grand Rounds is serving at http://")
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("unexpected start-up line: {line:?}"))
        .to_owned();
    Server(child, format!("http://{address}"))
}

/// The demo content with room for many attempts, learners going straight to the post-test.
fn bench_content(dir: &Path) -> PathBuf {
    let content = dir.join("content");
    common::copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../content"),
        &content,
    );
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
    content
}

struct Figures {
    submissions_per_sec: f64,
    submit_p95_ms: f64,
    lessons_per_sec: f64,
    lesson_p99_ms: f64,
}

async fn run(binary: &Path, database_url: &str, servers: usize, content: &Path) -> Figures {
    let dir = tempfile::tempdir().expect("dir");
    let children: Vec<Child> = (0..servers)
        .map(|_| {
            spawn(
                binary,
                database_url,
                content,
                &dir.path().join("keys"),
                &dir.path().join("site"),
            )
        })
        .collect();
    let servers: Vec<Server> = children.into_iter().map(started).collect();
    let bases: Vec<String> = servers.iter().map(|s| s.1.clone()).collect();
    let http: Http = Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(LEARNERS)
        .build_http();

    let pool = server::db::connect(database_url).await.expect("connect");
    let hasher = server::accounts::password::Hasher::with_cost(
        1,
        server::accounts::password::HashCost::Fast,
    );
    let hash = hasher.hash(PASSWORD.into()).await.expect("hash");
    let mut learners = Vec::with_capacity(LEARNERS);
    for i in 0..LEARNERS {
        let email = format!("learner{i}@clinic.org");
        let user = NewUser {
            email: email.clone(),
            password_hash: hash.clone(),
            full_name: format!("Learner {i}"),
            profession: app::accounts::Profession::Nurse,
            role: app::accounts::Role::Learner,
        };
        store::create_with_profile(&pool, &user, &ProfileUpdate::default())
            .await
            .expect("user");
        let base = bases[i % bases.len()].clone();
        let signed_in = call(
            &http,
            &base,
            Method::POST,
            "/account/login",
            None,
            Some(format!(
                "email={}&password={}",
                email.replace('@', "%40"),
                PASSWORD.replace(' ', "+")
            )),
        )
        .await;
        let cookie = signed_in.cookie.expect("signed in");
        let enrolled = call(
            &http,
            &base,
            Method::POST,
            "/learning/enroll",
            Some(&cookie),
            Some(format!("course={COURSE}")),
        )
        .await;
        assert_eq!(enrolled.status, StatusCode::SEE_OTHER);
        learners.push((base, cookie));
    }
    let definition: String = sqlx::query_scalar(
        "SELECT q.definition FROM quiz_revisions q JOIN course_revisions r ON r.id = q.revision_id \
         JOIN courses c ON c.id = r.course_id WHERE c.slug = $1 AND q.kind = 'post'",
    )
    .bind(COURSE)
    .fetch_one(&pool)
    .await
    .expect("quiz");
    let quiz: Quiz = serde_json::from_str(&definition).expect("quiz definition");
    // The first three questions wrong: 70 %, below the pass mark, graded in full.
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

    let mut latencies = Vec::with_capacity(LEARNERS * ROUNDS);
    let mut busy = Duration::ZERO;
    for round in 1..=ROUNDS {
        let mut tokens = Vec::with_capacity(LEARNERS);
        for (base, cookie) in &learners {
            let page = call(
                &http,
                base,
                Method::GET,
                &format!("/learning/{COURSE}/quiz/post-test"),
                Some(cookie),
                None,
            )
            .await;
            assert_eq!(page.status, StatusCode::OK);
            let marker = "name=\"token\" value=\"";
            let start = page.body.find(marker).expect("a quiz form") + marker.len();
            tokens.push(
                page.body[start..]
                    .split('"')
                    .next()
                    .expect("token")
                    .to_owned(),
            );
        }
        let began = Instant::now();
        let tasks: Vec<_> = learners
            .iter()
            .zip(tokens)
            .map(|((base, cookie), token)| {
                let (http, base, cookie) = (http.clone(), base.clone(), cookie.clone());
                let body = format!("token={token}{answers}");
                tokio::spawn(async move {
                    let sent = Instant::now();
                    let answer = call(
                        &http,
                        &base,
                        Method::POST,
                        "/learning/quiz",
                        Some(&cookie),
                        Some(body),
                    )
                    .await;
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
        busy += began.elapsed();
    }
    let recorded: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM quiz_attempts WHERE number IS NOT NULL AND percent = 70",
    )
    .fetch_one(&pool)
    .await
    .expect("count");
    assert_eq!(usize::try_from(recorded).ok(), Some(LEARNERS * ROUNDS));
    #[expect(clippy::cast_precision_loss, reason = "small counts")]
    let submissions_per_sec = (LEARNERS * ROUNDS) as f64 / busy.as_secs_f64();
    let submit_p95_ms = percentile(&mut latencies, 0.95);

    // Signed-in readers: each learner's connection reads the lesson until the time is up.
    let until = Instant::now() + READ_FOR;
    let readers: Vec<_> = learners
        .iter()
        .map(|(base, cookie)| {
            let (http, base, cookie) = (http.clone(), base.clone(), cookie.clone());
            tokio::spawn(async move {
                let mut took = Vec::new();
                while Instant::now() < until {
                    let sent = Instant::now();
                    let page = call(&http, &base, Method::GET, LESSON, Some(&cookie), None).await;
                    assert_eq!(page.status, StatusCode::OK);
                    took.push(sent.elapsed());
                }
                took
            })
        })
        .collect();
    let mut reads = Vec::new();
    for reader in readers {
        reads.extend(reader.await.expect("reader"));
    }
    #[expect(clippy::cast_precision_loss, reason = "counts")]
    let lessons_per_sec = reads.len() as f64 / READ_FOR.as_secs_f64();
    let lesson_p99_ms = percentile(&mut reads, 0.99);
    drop(servers);
    Figures {
        submissions_per_sec,
        submit_p95_ms,
        lessons_per_sec,
        lesson_p99_ms,
    }
}

#[tokio::main]
async fn main() {
    let binary = PathBuf::from(
        std::env::var("GRANDROUNDS_BIN").unwrap_or_else(|_| "target/release/grandrounds".into()),
    );
    let binary = if binary.is_absolute() {
        binary
    } else {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("..")
            .join(binary)
    };
    assert!(
        binary.is_file(),
        "{} is missing: run bash bench/scale-out.sh (it builds it)",
        binary.display()
    );
    let admin = std::env::var("GRANDROUNDS_TEST_POSTGRES")
        .expect("GRANDROUNDS_TEST_POSTGRES: run bash bench/scale-out.sh, which starts PostgreSQL");
    let dir = tempfile::tempdir().expect("dir");
    let content = bench_content(dir.path());

    let mut rows = Vec::new();
    let sqlite = format!("sqlite:{}", dir.path().join("bench.db").display());
    rows.push(("SQLite, 1 server", run(&binary, &sqlite, 1, &content).await));
    for (label, servers) in [("PostgreSQL, 1 server", 1), ("PostgreSQL, 2 servers", 2)] {
        let database = common::fresh_database(&admin).await;
        rows.push((label, run(&binary, &database, servers, &content).await));
    }

    println!(
        "scale-out benchmark: real servers over HTTP on loopback, {} cores shared by the servers, PostgreSQL and this client",
        std::thread::available_parallelism().map_or(1, usize::from)
    );
    println!(
        "{LEARNERS} learners; quiz: {ROUNDS} rounds of {LEARNERS} simultaneous graded, committed submissions; lesson: {LEARNERS} signed-in readers for {} s",
        READ_FOR.as_secs()
    );
    println!(
        "{:<24} {:>14} {:>10} {:>14} {:>10}",
        "", "submissions/s", "p95 ms", "lesson req/s", "p99 ms"
    );
    for (label, f) in rows {
        println!(
            "{label:<24} {:>14.0} {:>10.1} {:>14.0} {:>10.1}",
            f.submissions_per_sec, f.submit_p95_ms, f.lessons_per_sec, f.lesson_p99_ms
        );
        common::figure(
            &format!("scale-out, quiz submissions: throughput ({label})"),
            &format!("{:.0} submissions/s", f.submissions_per_sec),
            "",
        );
        common::figure(
            &format!("scale-out, quiz submissions: p95 ({label})"),
            &format!("{:.1} ms", f.submit_p95_ms),
            "",
        );
        common::figure(
            &format!("scale-out, lesson page: throughput ({label})"),
            &format!("{:.0} requests/s", f.lessons_per_sec),
            "",
        );
        common::figure(
            &format!("scale-out, lesson page: p99 ({label})"),
            &format!("{:.1} ms", f.lesson_p99_ms),
            "",
        );
    }
    // The servers are processes of their own: this is the load client's memory only.
    common::print_memory("scale-out, load client only");
}
