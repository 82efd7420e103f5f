//! Requests that end badly: a client that goes away (a TCP reset, a proxy's timeout) drops
//! its handler at whatever point it waits. None of that may leave a transaction open, a
//! lock held or a record half-written; every kind of write works at once afterwards.

use crate::support::{
    COURSE, ORIGIN, PASSWORD, TestApp, User, answers, finish_course, open_quiz, stored_quiz, study,
    submit,
};
use http::StatusCode;
use rand::Rng as _;
use std::sync::{Arc, Mutex};
use std::task::Poll;
use std::time::Duration;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

const CASES: &str = "store-and-forward-case-conference";
const ORGANIZER: &str = "educator@grandrounds.example";

/// What a dropped request may have left, checked after each drop: a write takes the lock
/// within a second (SQLite's busy timeout is ten), and the row the dropped work inserted is
/// there whole or not at all.
async fn writes_at_once(pool: &server::db::Pool, key: &str) {
    let mut tx = tokio::time::timeout(Duration::from_secs(1), server::db::write_tx(pool))
        .await
        .unwrap_or_else(|_| panic!("after {key}: the write lock was not free within a second"))
        .unwrap_or_else(|error| panic!("after {key}: a write transaction cannot begin: {error}"));
    sqlx::query("INSERT INTO login_throttle (key, failures, window_start, locked_until) VALUES ($1, 1, 0, 0)")
        .bind(format!("check:{key}"))
        .execute(&mut *tx)
        .await
        .unwrap_or_else(|error| panic!("after {key}: cannot write: {error}"));
    // The commit waits for the disk (fsync), which a busy machine can make slow.
    tokio::time::timeout(Duration::from_secs(5), tx.commit())
        .await
        .unwrap_or_else(|_| panic!("after {key}: the commit waited 5 s"))
        .unwrap_or_else(|error| panic!("after {key}: cannot commit: {error}"));
}

/// A read-then-write as every store does it: begin, lock a learner's row, write two rows,
/// commit. Dropped after its `stop`-th wait, again for every `stop` until it finishes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_dropped_at_any_point_it_waits_leaves_no_lock_and_no_half_record() {
    use server::db::{On, Table};
    let app = TestApp::new().await;
    let learner = app.learner("dropped.writer@example.org").await;
    let pool = app.state.pool.clone();
    // Between two polls: none (a busy caller), a little, and time enough for each step.
    for (round, pause) in [0_u64, 100, 2_000].into_iter().enumerate() {
        let mut stop = 1;
        loop {
            let key = format!("round {round}, dropped after wait {stop}");
            let work = {
                let pool = pool.clone();
                let key = key.clone();
                async move {
                    let mut tx = server::db::write_tx(&pool).await?;
                    server::db::lock(&mut tx, On::Row(Table::Users, learner.id)).await?;
                    for half in ["a", "b"] {
                        sqlx::query(
                            "INSERT INTO login_throttle (key, failures, window_start, locked_until) \
                             VALUES ($1, 1, 0, 0)",
                        )
                        .bind(format!("{key}:{half}"))
                        .execute(&mut *tx)
                        .await?;
                    }
                    tx.commit().await
                }
            };
            let mut work = Box::pin(work);
            let mut waits = 0;
            let finished = loop {
                match futures::poll!(work.as_mut()) {
                    Poll::Ready(result) => {
                        result.unwrap_or_else(|error| panic!("{key}: the write failed: {error}"));
                        break true;
                    }
                    Poll::Pending => {
                        waits += 1;
                        if waits == stop {
                            break false;
                        }
                        if pause == 0 {
                            tokio::task::yield_now().await;
                        } else {
                            tokio::time::sleep(Duration::from_micros(pause)).await;
                        }
                    }
                }
            };
            drop(work);
            writes_at_once(&pool, &key).await;
            let halves: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM login_throttle WHERE key LIKE $1")
                    .bind(format!("{key}:%"))
                    .fetch_one(&pool)
                    .await
                    .expect("count");
            assert!(
                halves == 0 || halves == 2,
                "{key}: {halves} of the 2 rows were written"
            );
            if finished {
                assert_eq!(halves, 2, "{key}: finished but not written");
                break;
            }
            stop += 1;
            assert!(stop < 5_000, "{key}: the write never finished");
        }
    }
}

/// Lines the server logs, kept for the test to read.
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Log {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Log {
    fn install() -> Self {
        let log = Self::default();
        let writer = log.clone();
        tracing_subscriber::fmt()
            .with_env_filter("info")
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .init();
        log
    }

    fn errors(&self) -> Vec<String> {
        let bytes = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        String::from_utf8_lossy(&bytes)
            .lines()
            .filter(|line| line.contains("ERROR"))
            .map(str::to_owned)
            .collect()
    }
}

/// One form post of the storm, as a browser sends it, from its own address (the sign-up and
/// sign-in limits count per address; a clinic's learners do not all share one).
#[derive(Clone)]
struct Post {
    kind: &'static str,
    path: &'static str,
    fields: Vec<(String, String)>,
    cookie: Option<String>,
}

impl Post {
    fn new(kind: &'static str, path: &'static str, fields: &[(&str, &str)]) -> Self {
        Self {
            kind,
            path,
            fields: fields
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            cookie: None,
        }
    }

    fn by(mut self, user: &User) -> Self {
        self.cookie = Some(user.cookie.clone());
        self
    }

    fn bytes(&self, address: &str) -> Vec<u8> {
        let body = self
            .fields
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let cookie = self
            .cookie
            .as_ref()
            .map(|c| format!("Cookie: {c}\r\n"))
            .unwrap_or_default();
        format!(
            "POST {} HTTP/1.1\r\nHost: localhost\r\nOrigin: {ORIGIN}\r\nX-Forwarded-For: {address}\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n{cookie}\
             Connection: close\r\n\r\n{body}",
            self.path,
            body.len()
        )
        .into_bytes()
    }
}

fn encode(value: &str) -> String {
    percent_encoding::utf8_percent_encode(value, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// Sends `post` over a new connection. With `abort_after`, resets the connection that long
/// after sending (the answer is never read); otherwise reads the answer's status.
async fn send(
    address: std::net::SocketAddr,
    post: &Post,
    from: &str,
    abort_after: Option<Duration>,
) -> Option<u16> {
    let mut stream = tokio::net::TcpStream::connect(address)
        .await
        .expect("connect");
    stream
        .write_all(&post.bytes(from))
        .await
        .expect("send the request");
    if let Some(after) = abort_after {
        tokio::time::sleep(after).await;
        // A reset, not a polite close: the server learns at once that nobody is listening.
        stream.set_zero_linger().expect("SO_LINGER 0");
        drop(stream);
        return None;
    }
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(60), stream.read_to_end(&mut answer))
        .await
        .unwrap_or_else(|_| panic!("{}: no answer within a minute", post.kind))
        .expect("read the answer");
    let head = String::from_utf8_lossy(&answer);
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("{}: not an HTTP answer: {head:.200}", post.kind));
    Some(status)
}

/// The storm the load test found the lock with, extended to every write learners send in
/// bursts: 60 at once, half of them reset by the client 0–50 ms after sending.
async fn storm(address: std::net::SocketAddr, posts: Vec<Post>, label: &str) {
    use futures::StreamExt as _;
    let total = posts.len();
    let answered: Vec<(&'static str, Option<u16>)> =
        futures::stream::iter(posts.into_iter().enumerate())
            .map(|(n, post)| async move {
                let (abort, after) = {
                    let mut rng = rand::rng();
                    (rng.random_bool(0.5), rng.random_range(0..=50_000))
                };
                let from = format!("10.{}.{}.{}", n / 65_536 % 256, n / 256 % 256, n % 256);
                let status = send(
                    address,
                    &post,
                    &from,
                    abort.then(|| Duration::from_micros(after)),
                )
                .await;
                (post.kind, status)
            })
            .buffer_unordered(60)
            .collect()
            .await;
    let failed: Vec<_> = answered
        .iter()
        .filter(|(_, status)| status.is_some_and(|s| s >= 500))
        .collect();
    let completed = answered.iter().filter(|(_, s)| s.is_some()).count();
    assert!(
        failed.is_empty(),
        "{label}: {} of {completed} answered requests (of {total}) failed: {:?}",
        failed.len(),
        failed.iter().take(20).collect::<Vec<_>>()
    );
}

/// A learner of the storm's pools, signed in through the form.
async fn learners(app: &TestApp, prefix: &str, n: usize) -> Vec<User> {
    let mut users = Vec::new();
    for i in 0..n {
        users.push(app.learner(&format!("{prefix}.{i}@example.org")).await);
    }
    users
}

async fn enrol(app: &TestApp, user: &User) {
    let page = app
        .post_form(
            "/learning/enroll",
            &[("course", COURSE)],
            Some(&user.cookie),
        )
        .await;
    assert_eq!(
        page.location(),
        format!("/courses/{COURSE}"),
        "{}",
        page.body
    );
}

/// Studied, post-test passed, evaluation not yet sent.
async fn passed(app: &TestApp, user: &User) {
    enrol(app, user).await;
    study(app, &user.cookie).await;
    let post = stored_quiz(app, "post").await;
    let token = open_quiz(app, &user.cookie, "post-test").await;
    submit(app, &user.cookie, &token, &answers(&post, true)).await;
}

fn evaluation() -> Vec<(&'static str, &'static str)> {
    vec![
        ("course", COURSE),
        ("rating-0", "5"),
        ("rating-1", "4"),
        ("rating-2", "4"),
        (
            "practice_change",
            "Book video follow-ups for stable patients.",
        ),
    ]
}

fn claim_fields() -> Vec<(&'static str, &'static str)> {
    vec![
        ("course", COURSE),
        ("hours-nursing-contact-hours", "0.75"),
        ("attest", "0.75"),
    ]
}

async fn seat(app: &TestApp, user: &User) {
    let page = app
        .post_form(
            "/webinars/register",
            &[("webinar", CASES)],
            Some(&user.cookie),
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
}

async fn sign_in_again(app: &TestApp, users: &mut [User]) {
    for user in users {
        let email: String = sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
            .bind(user.id)
            .fetch_one(&app.state.pool)
            .await
            .expect("email");
        user.cookie = app.sign_in(&email).await;
    }
}

/// Sends `post` normally and expects it to be answered with a redirect within five seconds
/// (a lock left held makes SQLite wait its ten-second busy timeout, then fail).
async fn works_at_once(address: std::net::SocketAddr, post: &Post) {
    let status = tokio::time::timeout(
        Duration::from_secs(5),
        send(address, post, "192.0.2.1", None),
    )
    .await
    .unwrap_or_else(|_| panic!("after the storm, {} waited over 5 s", post.kind));
    assert_eq!(
        status,
        Some(303),
        "after the storm, {} answered {status:?}",
        post.kind
    );
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(&app.state.pool)
        .await
        .unwrap_or_else(|error| panic!("{sql}: {error}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_abort_storm_leaves_every_write_working_and_nothing_half_written() {
    let log = Log::install();
    let content = tempfile::tempdir().expect("dir");
    crate::support::copy_dir(&crate::support::demo_content(), content.path());
    let app = TestApp::with_settings(
        |settings| settings.trusted_proxies = vec!["127.0.0.1/32".parse().expect("net")],
        content.path(),
    )
    .await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(server::serve::serve(
        listener,
        app.router.clone(),
        server::serve::Limits::default(),
        async {
            let _ = stopped.await;
        },
    ));

    // Learners in each state a storm's write needs; the last of each pool is kept out of
    // the storm for the write that must work afterwards.
    let _signing_in = learners(&app, "signs.in", 6).await;
    let enrolling = learners(&app, "enrols", 11).await;
    let quizzing = learners(&app, "quizzes", 11).await;
    let evaluating = learners(&app, "evaluates", 11).await;
    let claiming = learners(&app, "claims", 11).await;
    let registering = learners(&app, "registers", 11).await;
    let mut attending = learners(&app, "attends", 9).await;
    let post = stored_quiz(&app, "post").await;
    let mut quiz_tokens = Vec::new();
    for user in &quizzing {
        enrol(&app, user).await;
        study(&app, &user.cookie).await;
        quiz_tokens.push(open_quiz(&app, &user.cookie, "post-test").await);
    }
    for user in &evaluating {
        passed(&app, user).await;
    }
    for user in &claiming {
        enrol(&app, user).await;
        finish_course(&app, &user.cookie).await;
    }
    for user in &attending {
        seat(&app, user).await;
    }
    let right = answers(&post, true);
    let quiz_post = |i: usize| {
        let mut fields = vec![("token", quiz_tokens[i].as_str())];
        fields.extend(right.iter().map(|(q, o)| (q.as_str(), o.as_str())));
        Post::new("quiz submission", "/learning/quiz", &fields).by(&quizzing[i])
    };

    // Phase one: 1,000 posts. Registrations and sign-ins (right and wrong passwords) half
    // and half, as the load test sent them, then the learners' other writes, each learner's
    // form several times at once.
    let mut posts = Vec::new();
    for i in 0..300 {
        posts.push(Post::new(
            "registration",
            "/account/register",
            &[
                ("email", &format!("storm.{i}@example.org")),
                ("password", PASSWORD),
                ("full_name", "Storm Learner"),
                ("profession", "nurse"),
            ],
        ));
        let user = i % 5;
        let password = if i % 3 == 0 {
            "wrong password here"
        } else {
            PASSWORD
        };
        posts.push(Post::new(
            "sign-in",
            "/account/login",
            &[
                ("email", &format!("signs.in.{user}@example.org")),
                ("password", password),
            ],
        ));
    }
    for round in 0..8 {
        for i in 0..10 {
            posts.push(
                Post::new("enrolment", "/learning/enroll", &[("course", COURSE)]).by(&enrolling[i]),
            );
            posts.push(quiz_post(i));
            posts.push(
                Post::new("evaluation", "/learning/evaluation", &evaluation()).by(&evaluating[i]),
            );
            posts.push(Post::new("claim", "/learning/claim", &claim_fields()).by(&claiming[i]));
            if round < 5 {
                posts.push(
                    Post::new(
                        "webinar registration",
                        "/webinars/register",
                        &[("webinar", CASES)],
                    )
                    .by(&registering[i]),
                );
            }
        }
    }
    {
        use rand::seq::SliceRandom as _;
        posts.shuffle(&mut rand::rng());
    }
    storm(address, posts, "registrations, sign-ins and learning").await;

    // Every kind of write works at once, for learners the storm left alone.
    works_at_once(
        address,
        &Post::new(
            "registration",
            "/account/register",
            &[
                ("email", "after.storm@example.org"),
                ("password", PASSWORD),
                ("full_name", "After Storm"),
                ("profession", "nurse"),
            ],
        ),
    )
    .await;
    works_at_once(
        address,
        &Post::new(
            "sign-in",
            "/account/login",
            &[("email", "signs.in.5@example.org"), ("password", PASSWORD)],
        ),
    )
    .await;
    works_at_once(
        address,
        &Post::new("enrolment", "/learning/enroll", &[("course", COURSE)]).by(&enrolling[10]),
    )
    .await;
    works_at_once(address, &quiz_post(10)).await;
    works_at_once(
        address,
        &Post::new("evaluation", "/learning/evaluation", &evaluation()).by(&evaluating[10]),
    )
    .await;
    works_at_once(
        address,
        &Post::new("claim", "/learning/claim", &claim_fields()).by(&claiming[10]),
    )
    .await;
    works_at_once(
        address,
        &Post::new(
            "webinar registration",
            "/webinars/register",
            &[("webinar", CASES)],
        )
        .by(&registering[10]),
    )
    .await;
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM credit_claims WHERE user_id IN (SELECT id FROM users WHERE email = 'claims.10@example.org')").await,
        1,
        "the claim after the storm was recorded"
    );

    // Phase two, on the session day: the organizer shows a code and the seated learners
    // enter it, each several times at once.
    server::clock::set_clock(time::macros::datetime!(2031-03-04 15:05 UTC));
    sign_in_again(&app, &mut attending).await;
    let organizer = app.user(ORGANIZER, app::accounts::Role::Educator).await;
    let opened = app
        .post_form(
            "/webinars/attendance/codes",
            &[("webinar", CASES), ("minutes", "10")],
            Some(&organizer.cookie),
        )
        .await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER, "{}", opened.body);
    let code: String =
        sqlx::query_scalar("SELECT code FROM attendance_code_windows ORDER BY id DESC LIMIT 1")
            .fetch_one(&app.state.pool)
            .await
            .expect("a code");
    let code_post = |user: &User| {
        Post::new(
            "attendance code",
            "/webinars/attendance/code",
            &[("webinar", CASES), ("code", &code)],
        )
        .by(user)
    };
    let mut posts = Vec::new();
    for _ in 0..12 {
        for user in &attending[..8] {
            posts.push(code_post(user));
        }
    }
    storm(address, posts, "attendance codes").await;
    works_at_once(address, &code_post(&attending[8])).await;

    // Nothing half-written: every claim has its certificate, every submitted attempt its
    // answers and score, no learner two certificates for the course.
    for (what, sql) in [
        (
            "claims without a certificate",
            "SELECT COUNT(*) FROM credit_claims c WHERE NOT EXISTS \
             (SELECT 1 FROM certificates WHERE claim_id = c.id)",
        ),
        (
            "submitted attempts without answers or a score",
            "SELECT COUNT(*) FROM quiz_attempts WHERE submitted_at IS NOT NULL \
             AND (answers IS NULL OR correct IS NULL OR total IS NULL OR number IS NULL)",
        ),
        (
            "learners with two certificates for the course",
            "SELECT COUNT(*) FROM (SELECT user_id FROM certificates WHERE activity_slug = \
             'telehealth-for-clinical-teams' GROUP BY user_id HAVING COUNT(*) > 1) AS twice",
        ),
    ] {
        assert_eq!(count(&app, sql).await, 0, "{what}");
    }
    assert!(
        count(&app, "SELECT COUNT(*) FROM attendance_ledger").await >= 1,
        "the code entries after the storm were recorded"
    );

    let _ = stop.send(());
    serving.await.expect("the server stops");
    let errors = log.errors();
    assert!(
        errors.is_empty(),
        "the server logged {} errors during the storms:\n{}",
        errors.len(),
        errors
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// Reads one answer (head, then a body of its `Content-Length`) from a kept-alive
/// connection; `None` if it does not come within `wait`.
async fn read_answer(stream: &mut tokio::net::TcpStream, wait: Duration) -> Option<String> {
    let read = async {
        let mut answer = Vec::new();
        let mut byte = [0u8; 4096];
        loop {
            let n = stream.read(&mut byte).await.ok()?;
            if n == 0 {
                return None;
            }
            answer.extend_from_slice(&byte[..n]);
            let text = String::from_utf8_lossy(&answer).into_owned();
            if let Some(end) = text.find("\r\n\r\n") {
                let length = text[..end]
                    .lines()
                    .find_map(|line| {
                        let (name, value) = line.split_once(':')?;
                        name.eq_ignore_ascii_case("content-length")
                            .then(|| value.trim().parse::<usize>().ok())?
                    })
                    .unwrap_or(0);
                if answer.len() >= end + 4 + length {
                    return Some(text);
                }
            }
        }
    };
    tokio::time::timeout(wait, read).await.ok().flatten()
}

const HEALTH: &[u8] = b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n";

/// Browsers keep their connection open after a page. More of them than the server serves at
/// once must not keep a new visitor waiting: quiet kept-alive connections make room.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn more_idle_kept_alive_connections_than_the_cap_leave_room_for_a_new_visitor() {
    let app = TestApp::new().await;
    let limits = server::serve::Limits {
        header_read_timeout: Duration::from_secs(10),
        // Far longer than the test: only making room can free a slot.
        idle_timeout: Duration::from_secs(60),
        max_connections: 20,
        shutdown_grace: Duration::from_secs(1),
    };
    let address = app.serve_with(limits).await;
    let mut browsers = Vec::new();
    for _ in 0..30 {
        let mut stream = tokio::net::TcpStream::connect(address)
            .await
            .expect("connect");
        stream.write_all(HEALTH).await.expect("send");
        browsers.push(stream);
    }
    // Each is answered and stays open; the ten beyond the cap once others have been quiet.
    for (n, stream) in browsers.iter_mut().enumerate() {
        let answer = read_answer(stream, Duration::from_secs(5))
            .await
            .unwrap_or_else(|| panic!("browser {n} of 30 was not answered within 5 s"));
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    }
    let started = std::time::Instant::now();
    let mut visitor = tokio::net::TcpStream::connect(address)
        .await
        .expect("connect");
    visitor.write_all(HEALTH).await.expect("send");
    let answer = read_answer(&mut visitor, Duration::from_secs(3))
        .await
        .unwrap_or_else(|| {
            panic!(
                "with 30 idle connections open, a new visitor waited {:?} unanswered",
                started.elapsed()
            )
        });
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    // A connection in use is never the one closed: the visitor's, used again at once.
    visitor.write_all(HEALTH).await.expect("send");
    assert!(
        read_answer(&mut visitor, Duration::from_secs(3))
            .await
            .is_some_and(|a| a.starts_with("HTTP/1.1 200")),
        "the visitor's kept-alive connection serves a second request"
    );
}

/// An idle kept-alive connection is closed after the idle timeout, long before the header
/// timeout; and the answer to a form's POST keeps the connection like any other.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_connections_close_after_the_idle_timeout_and_posts_keep_theirs() {
    let app = TestApp::new().await;
    let limits = server::serve::Limits {
        header_read_timeout: Duration::from_secs(30),
        idle_timeout: Duration::from_secs(1),
        max_connections: 100,
        shutdown_grace: Duration::from_secs(1),
    };
    let address = app.serve_with(limits).await;
    let mut stream = tokio::net::TcpStream::connect(address)
        .await
        .expect("connect");
    let body = format!(
        "email=nobody%40example.org&password={}",
        encode("not the password")
    );
    let post = format!(
        "POST /account/login HTTP/1.1\r\nHost: localhost\r\nOrigin: {ORIGIN}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(post.as_bytes()).await.expect("send");
    let answer = read_answer(&mut stream, Duration::from_secs(10))
        .await
        .expect("the sign-in is answered");
    assert!(answer.starts_with("HTTP/1.1 303"), "{answer}");
    assert!(
        !answer.to_ascii_lowercase().contains("connection: close"),
        "the POST's answer closes the connection: {answer}"
    );
    stream.write_all(HEALTH).await.expect("send");
    let next = read_answer(&mut stream, Duration::from_secs(5)).await;
    assert!(
        next.is_some_and(|a| a.starts_with("HTTP/1.1 200")),
        "the redirect's next request goes over the same connection"
    );
    // Then quiet: closed after about a second, not the 30 s header timeout.
    let started = std::time::Instant::now();
    let mut rest = Vec::new();
    let closed = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut rest)).await;
    assert!(
        closed.is_ok(),
        "an idle connection was still open after {:?}",
        started.elapsed()
    );
}
