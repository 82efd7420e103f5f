//! The attendance ledger under load, through the real router (in process) on a file SQLite
//! database and, when `GRANDROUNDS_TEST_POSTGRES` names a cluster, on a fresh PostgreSQL
//! database:
//!
//! - **Codes**: during the session an organizer shows a code; 1,000 learners with seats
//!   enter it within one minute (learner `i` at `i × 60 ms`, every tenth sending the form
//!   twice at once). Prints p50/p95/max and checks that nothing was lost or doubled: exactly
//!   one ledger row per learner, every answer "accepted".
//! - **Import**: after the session the organizer imports a 3,000-row Zoom participant report
//!   (2,500 learners, 500 of whom rejoined). Prints the preview and the write times and
//!   checks that all 3,000 rows are in the ledger once, and a second write adds nothing.
//!
//! Run by hand: `bash bench/attendance.sh` (starts a throwaway PostgreSQL cluster with fsync
//! on); `cargo bench -p server --bench attendance` runs SQLite only.

mod common;
use common::{call, percentile, post};
use http::StatusCode;
use server::accounts::store::{self, NewUser, ProfileUpdate};
use server::{build_router, start};
use std::fmt::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

const WEBINAR: &str = "store-and-forward-case-conference";
const ORGANIZER: &str = "educator@grandrounds.example";
const PASSWORD: &str = "river lantern quietly";
const LEARNERS: usize = 2_500;
const REJOINED: usize = 500;
const CODE_LEARNERS: usize = 1_000;
const CODE_SPREAD: Duration = Duration::from_secs(60);
const TWICE_EVERY: usize = 10;

struct Figures {
    code_requests: usize,
    code_took: Duration,
    p50: f64,
    p95: f64,
    max: f64,
    rows: usize,
    preview: Duration,
    write: Duration,
}

fn instant(unix: i64) -> time::OffsetDateTime {
    time::OffsetDateTime::from_unix_timestamp(unix).expect("instant")
}

/// 4 March 2031, 15:00 UTC (09:00 in Chicago): the demo case conference's session.
const SESSION_START: i64 = 1_930_402_800;

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
        text.replacen(
            "\ncapacity = 30\n",
            &format!("\ncapacity = {LEARNERS}\n"),
            1,
        ),
    )
    .expect("write webinar");

    // Each database's label in the tables, its name in the figures, and its figures.
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
            "PostgreSQL: not run (GRANDROUNDS_TEST_POSTGRES is unset; bash bench/attendance.sh starts a cluster)"
        ),
    }
    println!(
        "attendance benchmark (in-process router, {} cores)",
        std::thread::available_parallelism().map_or(1, usize::from)
    );
    println!(
        "codes: {CODE_LEARNERS} learners entering the code shown within {} s, every {TWICE_EVERY}th sending it twice",
        CODE_SPREAD.as_secs()
    );
    println!(
        "{:<38} {:>9} {:>9} {:>9} {:>9} {:>9}",
        "", "requests", "all in s", "p50 ms", "p95 ms", "max ms"
    );
    for (label, _, f) in &rows {
        println!(
            "{label:<38} {:>9} {:>9.2} {:>9.2} {:>9.2} {:>9.2}",
            f.code_requests,
            f.code_took.as_secs_f64(),
            f.p50,
            f.p95,
            f.max
        );
    }
    println!("import: a Zoom participant report, {LEARNERS} learners, {REJOINED} of them rejoined");
    println!(
        "{:<38} {:>9} {:>11} {:>11}",
        "", "rows", "preview s", "write s"
    );
    for (label, _, f) in &rows {
        println!(
            "{label:<38} {:>9} {:>11.2} {:>11.2}",
            f.rows,
            f.preview.as_secs_f64(),
            f.write.as_secs_f64()
        );
    }
    println!(
        "checked on each: one code row per learner, every entry accepted; every report row in the ledger once; the same file again adds nothing"
    );
    for (_, database, f) in &rows {
        let ms = |value: f64| format!("{value:.2} ms");
        let seconds = |value: Duration| format!("{:.2} s", value.as_secs_f64());
        let name = |what: &str| format!("attendance {what} ({database})");
        common::figure(&name("codes: p50"), &ms(f.p50), "");
        common::figure(&name("codes: p95"), &ms(f.p95), "");
        common::figure(&name("codes: max"), &ms(f.max), "");
        common::figure(
            &name(&format!(
                "codes: all {} entries answered in",
                f.code_requests
            )),
            &seconds(f.code_took),
            "",
        );
        // `run` stops the benchmark unless each learner has exactly one code row.
        common::figure(
            &name("codes: entries lost / doubled"),
            "lost 0 / doubled 0",
            "lost 0 / doubled 0",
        );
        common::figure(
            &name(&format!("import of {} report rows: preview", f.rows)),
            &seconds(f.preview),
            "",
        );
        common::figure(
            &name(&format!("import of {} report rows: write", f.rows)),
            &seconds(f.write),
            "",
        );
        // `run` stops the benchmark unless every row is in the ledger once, and once only
        // after the same file is written again.
        common::figure(
            &name("import: report rows lost / doubled"),
            "lost 0 / doubled 0",
            "lost 0 / doubled 0",
        );
    }
    common::print_memory("attendance");
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

/// A Zoom participant report: the meeting block, a blank line, one row per stay.
fn zoom_report() -> Vec<u8> {
    let mut out = String::from(
        "Meeting ID,Topic,Start Time,End Time,User Email,Duration (Minutes),Participants\n\
         841 2553 0917,Case conference,03/04/2031 08:52:10 AM,03/04/2031 10:03:44 AM,educator@grandrounds.example,72,2500\n\
         \n\
         Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest,In Waiting Room\n",
    );
    for i in 0..LEARNERS {
        let email = format!("learner{i}@clinic.org");
        let second = i % 60;
        if i < REJOINED {
            let _ = writeln!(
                out,
                "Learner {i},{email},03/04/2031 09:0{}:{second:02} AM,03/04/2031 09:30:00 AM,28,No,No",
                i % 10
            );
            let _ = writeln!(
                out,
                "Learner {i} (phone),{email},03/04/2031 09:35:{second:02} AM,03/04/2031 09:59:00 AM,24,No,No"
            );
        } else {
            let _ = writeln!(
                out,
                "Learner {i},{email},03/04/2031 08:5{}:{second:02} AM,03/04/2031 10:0{}:00 AM,62,No,No",
                i % 10,
                i % 5
            );
        }
    }
    out.into_bytes()
}

fn multipart(fields: &[(&str, &str)], file: Option<&[u8]>) -> (String, Vec<u8>) {
    const BOUNDARY: &str = "----grandrounds-bench-boundary";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    if let Some(bytes) = file {
        body.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"zoom.csv\"\r\nContent-Type: text/csv\r\n\r\n").as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={BOUNDARY}"), body)
}

async fn upload(
    router: &axum::Router,
    cookie: &str,
    fields: &[(&str, &str)],
    file: Option<&[u8]>,
) -> common::Answer {
    let (content_type, body) = multipart(fields, file);
    let request = http::Request::post("/webinars/attendance/import")
        .header("origin", common::ORIGIN)
        .header("content-type", content_type)
        .header("content-length", body.len())
        .header("cookie", cookie)
        .body(axum::body::Body::from(body))
        .expect("request");
    call(router, request).await
}

async fn run(dir: &Path, content: &Path, database_url: Option<String>) -> Figures {
    std::fs::create_dir_all(dir).expect("dir");
    server::clock::set_clock(instant(1_893_499_200));
    let mut settings = common::settings(
        dir,
        content.to_path_buf(),
        common::ORIGIN,
        server::accounts::password::HashCost::Fast,
    );
    if let Some(url) = database_url {
        settings.database_url = url;
    }
    let state = start(&settings).await.expect("start");
    let router = build_router(state.clone());
    let pool = &state.pool;

    // 2,500 learners with seats (written directly: registering is another benchmark's).
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
            "INSERT INTO webinar_registrations (webinar_id, user_id, status, position, arrived_at, registered_at) \
             VALUES ($1, $2, 'registered', $3, $4, $4)",
        )
        .bind(webinar)
        .bind(id)
        .bind(i64::try_from(i + 1).expect("position"))
        .bind(server::clock::now())
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

    // During the session: the organizer shows a code; 1,000 learners enter it in a minute.
    server::clock::set_clock(instant(SESSION_START + 10 * 60));
    let organizer = sign_in(&router, ORGANIZER).await;
    let mut cookies = Vec::with_capacity(CODE_LEARNERS);
    for i in 0..CODE_LEARNERS {
        cookies.push(sign_in(&router, &format!("learner{i}@clinic.org")).await);
    }
    let opened = call(
        &router,
        post(
            "/webinars/attendance/codes",
            format!("webinar={WEBINAR}&minutes=5"),
            Some(&organizer),
        ),
    )
    .await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER);
    let code: String =
        sqlx::query_scalar("SELECT code FROM attendance_code_windows ORDER BY id DESC LIMIT 1")
            .fetch_one(pool)
            .await
            .expect("a code is shown");
    let started = Instant::now();
    let step = CODE_SPREAD / u32::try_from(CODE_LEARNERS).expect("count");
    let mut tasks = Vec::new();
    for (i, cookie) in cookies.iter().enumerate() {
        let at = step * u32::try_from(i).expect("index");
        let copies = if i % TWICE_EVERY == 0 { 2 } else { 1 };
        for _ in 0..copies {
            let (router, cookie, code) = (router.clone(), cookie.clone(), code.clone());
            tasks.push(tokio::spawn(async move {
                tokio::time::sleep_until(tokio::time::Instant::from_std(started + at)).await;
                let sent = Instant::now();
                let answer = call(
                    &router,
                    post(
                        "/webinars/attendance/code",
                        format!("webinar={WEBINAR}&code={code}"),
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
        assert_eq!(status, StatusCode::SEE_OTHER, "the code form answered");
        assert!(
            location.starts_with(&format!("/webinars/{WEBINAR}")),
            "{location}"
        );
        latencies.push(took);
    }
    let code_took = started.elapsed();
    let (rows, learners): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), COUNT(DISTINCT user_id) FROM attendance_ledger WHERE source = 'code'",
    )
    .fetch_one(pool)
    .await
    .expect("count");
    let expected = i64::try_from(CODE_LEARNERS).expect("count");
    assert_eq!(
        (rows, learners),
        (expected, expected),
        "one code row per learner"
    );
    let refused: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM login_throttle WHERE key LIKE 'code-%' AND failures > 0",
    )
    .fetch_one(pool)
    .await
    .expect("count");
    assert_eq!(refused, 0, "every entry was accepted");

    // After the session: the organizer imports the 3,000-row report.
    server::clock::set_clock(instant(SESSION_START + 2 * 3600));
    let organizer = sign_in(&router, ORGANIZER).await;
    let report = zoom_report();
    let sha = {
        use sha2::Digest as _;
        hex::encode(sha2::Sha256::digest(&report))
    };
    let fields = |action: &'static str| -> Vec<(&'static str, String)> {
        vec![
            ("webinar", WEBINAR.to_owned()),
            ("action", action.to_owned()),
            ("session", "1".to_owned()),
            ("zone", "America/Chicago".to_owned()),
            ("sha256", sha.clone()),
            ("file_name", "zoom.csv".to_owned()),
        ]
    };
    let preview_fields = fields("preview");
    let preview_fields: Vec<(&str, &str)> = preview_fields
        .iter()
        .map(|(k, v)| (*k, v.as_str()))
        .collect();
    let began = Instant::now();
    let previewed = upload(&router, &organizer, &preview_fields, Some(&report)).await;
    let page = call(
        &router,
        http::Request::get(format!("/webinars/{WEBINAR}/attendance"))
            .header("cookie", &organizer)
            .body(axum::body::Body::empty())
            .expect("request"),
    )
    .await;
    let preview = began.elapsed();
    assert_eq!(previewed.status, StatusCode::SEE_OTHER);
    let rows_in_file = LEARNERS + REJOINED;
    assert!(
        page.body.contains(&format!(
            "{rows_in_file} rows, {rows_in_file} to add, 0 with a problem"
        )),
        "the preview accepts every row"
    );
    let write_fields = fields("write");
    let write_fields: Vec<(&str, &str)> =
        write_fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let began = Instant::now();
    let written = upload(&router, &organizer, &write_fields, None).await;
    let write = began.elapsed();
    assert_eq!(written.status, StatusCode::SEE_OTHER);
    let count = |pool: server::db::Pool| async move {
        sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM attendance_ledger WHERE source = 'report'",
        )
        .fetch_one(&pool)
        .await
        .expect("count")
    };
    let expected_rows = i64::try_from(rows_in_file).expect("count");
    assert_eq!(count(pool.clone()).await, expected_rows, "every row once");
    upload(&router, &organizer, &write_fields, None).await;
    assert_eq!(
        count(pool.clone()).await,
        expected_rows,
        "the same file adds nothing"
    );

    let code_requests = latencies.len();
    Figures {
        code_requests,
        code_took,
        p50: percentile(&mut latencies, 0.50),
        p95: percentile(&mut latencies, 0.95),
        max: percentile(&mut latencies, 1.0),
        rows: rows_in_file,
        preview,
        write,
    }
}
