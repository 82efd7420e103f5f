//! The `grandrounds` binary's command line, run as a user would.

use crate::support::TestApp;
use crate::support::{copy_dir, demo_content};
use std::process::Command;

fn grandrounds() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_grandrounds"));
    command
        .env_remove("DATABASE_URL")
        .env_remove("GRANDROUNDS_SMTP_URL")
        .env("RUST_LOG", "warn");
    command
}

#[test]
fn content_check_passes_on_the_demo_content() {
    let output = grandrounds()
        .args(["content", "check"])
        .arg(demo_content())
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    assert!(
        stdout.starts_with("ok: 3 courses, 8 lessons, 6 quizzes"),
        "{stdout}"
    );
}

#[test]
fn content_check_fails_naming_file_and_line() {
    let dir = tempfile::tempdir().expect("dir");
    let content = dir.path().join("content");
    copy_dir(&demo_content(), &content);
    let course = content.join("courses/telehealth-for-clinical-teams/course.md");
    let text = std::fs::read_to_string(&course).expect("read");
    let broken = text
        .replacen("max_hours = 1.0", "max_hours = 1.1", 1)
        .replace("disclosure = \"none\"", "disclosure = \" \"");
    std::fs::write(&course, broken).expect("write");
    let lesson = content.join("courses/telehealth-for-clinical-teams/02-modalities.md");
    let text = std::fs::read_to_string(&lesson).expect("read");
    std::fs::write(
        &lesson,
        text.replace("03-who-takes-part.md", "03-who-takes-prat.md"),
    )
    .expect("write");

    let webinar = content.join("webinars/store-and-forward-case-conference.md");
    let text = std::fs::read_to_string(&webinar).expect("read");
    std::fs::write(&webinar, text.replace("America/Chicago", "America/Chicgo")).expect("write");

    let output = grandrounds()
        .args(["content", "check"])
        .arg(&content)
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "{}:50: zone = \"America/Chicgo\" is not an IANA time zone name: write one like America/Chicago",
            webinar.display()
        )),
        "{stdout}"
    );
    let file = content.join("courses/telehealth-for-clinical-teams/course.md");
    assert!(
        stdout.contains(&format!(
            "{}:19: max_hours = 1.1 is not a credit amount",
            file.display()
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains("missing disclosure for Amara Okafor"),
        "{stdout}"
    );
    assert!(
        stdout.contains("02-modalities.md:53: broken link: 03-who-takes-prat.md"),
        "{stdout}"
    );
    // The nursing course links to a lesson of the broken course, so it is reported too.
    assert!(
        stdout.contains("remote-monitoring-for-nurses/course.md"),
        "{stdout}"
    );
    assert!(
        stdout.contains("1 course(s) and 1 webinar(s) passed"),
        "{stdout}"
    );
}

#[test]
fn bad_flags_are_explained() {
    let output = grandrounds()
        .args(["serve", "--listen", "not-an-address"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--listen"), "{stderr}");
}

#[test]
fn migrate_creates_the_database_and_its_folder() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("nested/folder/gr.db");
    let output = grandrounds()
        .arg("migrate")
        .arg("--database-url")
        .arg(format!("sqlite:{}", db.display()))
        .output()
        .expect("runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(db.is_file());
}

/// Runs `future` to its end (for the plain tests that need the test database's URL).
fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(future)
}

/// The test folder's database, as the tests' database choice says (SQLite or PostgreSQL).
fn database_in(dir: &std::path::Path) -> String {
    block_on(crate::support::database_for(dir))
}

fn add_user(database_url: &str, args: &[&str], password: &str) -> std::process::Output {
    use std::io::Write;
    let mut child = grandrounds()
        .arg("--database-url")
        .arg(database_url)
        .args(["user", "add"])
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(password.as_bytes())
        .expect("write password");
    child.wait_with_output().expect("finishes")
}

#[test]
fn user_add_creates_an_admin_from_a_password_on_stdin() {
    let dir = tempfile::tempdir().expect("dir");
    let db = &database_in(dir.path());
    let output = add_user(
        db,
        &[
            "--email",
            "Chief@Clinic.org",
            "--role",
            "admin",
            "--name",
            "Ana Chief",
        ],
        "river lantern quietly\n",
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(stdout.trim(), "created admin chief@clinic.org (user 1)");

    let again = add_user(
        db,
        &["--email", "chief@clinic.org", "--role", "admin"],
        "another long password\n",
    );
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
}

#[test]
fn user_add_refuses_bad_input_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("dir");
    let db = &database_in(dir.path());
    for (args, password, expected) in [
        (
            vec!["--email", "chief@clinic.org"],
            "short\n",
            "at least 12",
        ),
        (
            vec!["--email", "chief@clinic.org"],
            "password1234\n",
            "commonly used",
        ),
        (
            vec!["--email", "not-an-email"],
            "river lantern quietly\n",
            "--email",
        ),
    ] {
        let output = add_user(db, &args, password);
        assert_eq!(output.status.code(), Some(1), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(expected), "{stderr}");
    }
    let output = add_user(
        db,
        &["--email", "a@b.org", "--role", "superuser"],
        "river lantern quietly\n",
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("not a role"));
    match db.strip_prefix("sqlite:") {
        Some(file) => assert!(
            !std::path::Path::new(file).exists(),
            "no database was written for refused input"
        ),
        None => {
            // PostgreSQL: the (empty) test database was not even migrated.
            let tables: i64 = block_on(async {
                use sqlx::Connection as _;
                let mut connection = sqlx::PgConnection::connect(db).await.expect("connect");
                sqlx::query_scalar(
                    "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'",
                )
                .fetch_one(&mut connection)
                .await
                .expect("count")
            });
            assert_eq!(tables, 0, "nothing was written for refused input");
        }
    }
}

#[tokio::test]
async fn an_admin_made_on_the_command_line_opens_the_user_list_and_a_learner_gets_403() {
    use crate::support::TestApp;
    let dir = tempfile::tempdir().expect("dir");
    let db = &crate::support::database_for(dir.path()).await;
    let output = add_user(
        db,
        &["--email", "chief@clinic.org", "--role", "admin"],
        "river lantern quietly\n",
    );
    assert!(output.status.success());
    let learner = add_user(
        db,
        &["--email", "lee@clinic.org"],
        "another fine passphrase\n",
    );
    assert!(learner.status.success());

    let state = TestApp::start_on(dir.path(), &demo_content()).await;
    let app = TestApp {
        router: server::build_router(state.clone()),
        state,
        dir,
    };
    let admin = app
        .post_form(
            "/account/login",
            &[
                ("email", "chief@clinic.org"),
                ("password", "river lantern quietly"),
            ],
            None,
        )
        .await
        .session_cookie()
        .expect("admin signed in");
    let page = app.get_as("/admin/users", &admin).await;
    assert_eq!(page.status, http::StatusCode::OK);
    page.assert_contains("lee@clinic.org");

    let learner = app
        .post_form(
            "/account/login",
            &[
                ("email", "lee@clinic.org"),
                ("password", "another fine passphrase"),
            ],
            None,
        )
        .await
        .session_cookie()
        .expect("learner signed in");
    assert_eq!(
        app.get_as("/admin/users", &learner).await.status,
        http::StatusCode::FORBIDDEN
    );
    let anonymous = app.get("/admin/users").await;
    assert_eq!(
        anonymous.status,
        http::StatusCode::SEE_OTHER,
        "{}",
        anonymous.body
    );
    assert_eq!(anonymous.header("location"), "/login?next=/admin/users");
}

#[test]
fn serve_prints_its_address_answers_and_stops_cleanly_on_sigterm() {
    use std::io::{Read, Write};
    let dir = tempfile::tempdir().expect("dir");
    let (mut child, address) = spawn_serve(
        dir.path(),
        &database_in(dir.path()),
        &[],
        std::process::Stdio::null(),
    );

    let mut stream = std::net::TcpStream::connect(&address).expect("connects");
    write!(
        stream,
        "GET /healthz HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .expect("request");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("response");
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    let status = child.wait().expect("exits");
    assert!(status.success(), "graceful shutdown exits 0, got {status}");
}

#[tokio::test]
async fn backup_copies_the_database_while_it_is_open_and_never_overwrites() {
    let app = TestApp::new().await;
    app.claimed("ana@clinic.org").await;
    let database = app.database_url();
    let target = app.dir.path().join("copy.db");
    let run = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_grandrounds"))
            .env_remove("DATABASE_URL")
            .env("RUST_LOG", "warn")
            .args(["--database-url", &database, "backup"])
            .arg(&target)
            .output()
            .expect("runs")
    };
    let first = run();
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(String::from_utf8_lossy(&first.stdout).starts_with("backed up"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&target)
            .expect("copy")
            .permissions()
            .mode();
        assert_eq!(
            mode & 0o777,
            0o600,
            "the copy holds the signing key: owner-only"
        );
    }
    if database.starts_with("sqlite:") {
        let copy = sqlx::SqlitePool::connect(&format!("sqlite:{}", target.display()))
            .await
            .expect("open the copy");
        let (certificates, keys): (i64, i64) = sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM certificates), (SELECT COUNT(*) FROM signing_keys)",
        )
        .fetch_one(&copy)
        .await
        .expect("query the copy");
        assert_eq!((certificates, keys), (1, 1));
    } else {
        // PostgreSQL: a pg_dump archive that pg_restore reads, with the certificates' data.
        assert!(String::from_utf8_lossy(&first.stdout).contains("pg_restore"));
        let listing = std::process::Command::new("pg_restore")
            .arg("--list")
            .arg(&target)
            .output()
            .expect("pg_restore runs");
        let listing = String::from_utf8_lossy(&listing.stdout);
        assert!(
            listing.contains("TABLE DATA public certificates"),
            "{listing}"
        );
    }
    let again = run();
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
}

/// Issue 11, point 21: the signing key lives in an owner-only key file, never in the
/// database; `key rotate` adds a key, new certificates are signed with it after a restart,
/// and credentials signed with the old key still verify against the published JWK set.
#[tokio::test]
async fn the_signing_key_is_a_file_and_rotates_without_breaking_old_credentials() {
    use server::certificates::signing;
    let app = TestApp::new().await;
    let learner = app.claimed("kim@clinic.org").await;
    let code = crate::support::only_code(&app).await;
    let old = app
        .get_as(
            &format!("/certificates/{code}/credential.jwt"),
            &learner.cookie,
        )
        .await
        .body;
    let keys = app.dir.path().join("keys");
    let key_file = keys.join("signing-0001.key");
    assert!(key_file.is_file(), "the key file was made at first start");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&key_file)
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "owner-only");
    }
    let in_database: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM signing_keys WHERE length(secret_key) > 0")
            .fetch_one(&app.state.pool)
            .await
            .expect("count");
    assert_eq!(
        in_database, 0,
        "no secret in the database (or in its backups)"
    );

    let database_url = app.database_url();
    let output = grandrounds()
        .args([
            "key",
            "rotate",
            "--database-url",
            &database_url,
            "--key-dir",
        ])
        .arg(&keys)
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("new signing key ed25519-"), "{stdout}");
    assert!(keys.join("signing-0002.key").is_file());

    // After a restart the newest key signs; the JWK set has both.
    let state = TestApp::start_on(app.dir.path(), &demo_content()).await;
    let router = server::build_router(state.clone());
    let restarted = TestApp {
        router,
        state,
        dir: tempfile::tempdir().expect("unused"),
    };
    let jwks = restarted.get("/issuer/jwks.json").await.body;
    let published = signing::PublicKey::from_jwks(&jwks).expect("jwks");
    assert_eq!(published.len(), 2, "{jwks}");
    let newest = &restarted.state.issuer.signer.kid;
    assert_ne!(newest, &published[0].kid);
    assert_eq!(newest, &published[1].kid);
    let verified = signing::verify(&old, &published).expect("the old credential still verifies");
    assert_eq!(verified["certificateCode"], code.as_str());
    // The certificate keeps the credential it was issued with (a record is not re-signed).
    let kept = restarted
        .get_as(
            &format!("/certificates/{code}/credential.jwt"),
            &learner.cookie,
        )
        .await
        .body;
    assert_eq!(kept, old);
}

/// A database from before the key folder, with the secret in `signing_keys`: at start the
/// secret moves into the key folder, is erased from the database, and a new key signs from
/// then on (the old secret is in earlier backups); the old public key stays published.
#[tokio::test]
async fn a_signing_key_left_in_the_database_moves_out_and_is_replaced() {
    let app = TestApp::new().await;
    let old_kid = app.state.issuer.signer.kid.clone();
    let keys = app.dir.path().join("keys");
    let secret = hex::decode(
        std::fs::read_to_string(keys.join("signing-0001.key"))
            .expect("key")
            .trim(),
    )
    .expect("hex");
    sqlx::query("UPDATE signing_keys SET secret_key = $1 WHERE kid = $2")
        .bind(&secret)
        .bind(&old_kid)
        .execute(&app.state.pool)
        .await
        .expect("as an older version kept it");
    std::fs::remove_dir_all(&keys).expect("no key folder yet");

    let state = TestApp::start_on(app.dir.path(), &demo_content()).await;
    let moved = std::fs::read_to_string(keys.join("signing-0001.key")).expect("moved");
    assert_eq!(hex::decode(moved.trim()).expect("hex"), secret);
    assert!(keys.join("signing-0002.key").is_file(), "a fresh key");
    assert_ne!(
        state.issuer.signer.kid, old_kid,
        "the moved key no longer signs"
    );
    let left: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM signing_keys WHERE length(secret_key) > 0")
            .fetch_one(&state.pool)
            .await
            .expect("count");
    assert_eq!(left, 0);
    let set = server::certificates::signing::jwks(&state.pool)
        .await
        .expect("jwks");
    assert!(set.to_string().contains(&old_kid), "{set}");
}

/// Issue 12: a URL the binary cannot serve is refused at start with the schemes it accepts,
/// and nothing is created in its name (it once became a SQLite file called `postgres:…`).
#[test]
fn serve_refuses_a_database_url_it_cannot_serve() {
    let dir = tempfile::tempdir().expect("dir");
    for url in [
        "mysql://root:hunter2@127.0.0.1:3306/grandrounds",
        "data/grandrounds.db",
        "postgre://postgres@127.0.0.1:55433/grandrounds",
    ] {
        let output = grandrounds()
            .current_dir(dir.path())
            .args(["serve", "--listen", "127.0.0.1:0", "--database-url", url])
            .output()
            .expect("runs");
        assert!(!output.status.success(), "{url} was accepted");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("sqlite:") && stderr.contains("postgres://"),
            "{url}: {stderr}"
        );
        assert!(!stderr.contains("hunter2"), "the password is not repeated");
    }
    // On PostgreSQL the key folder has no default: serve says so instead of making one.
    let output = grandrounds()
        .current_dir(dir.path())
        .env_remove("GRANDROUNDS_KEY_DIR")
        .args(["serve", "--listen", "127.0.0.1:0", "--database-url"])
        .arg("postgres://grandrounds@127.0.0.1:1/grandrounds")
        .output()
        .expect("runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--key-dir"), "{stderr}");
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .expect("dir")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert!(left.is_empty(), "nothing was created: {left:?}");
}

#[test]
fn user_add_invite_mails_a_link_instead_of_reading_a_password() {
    let dir = tempfile::tempdir().expect("dir");
    let db = &database_in(dir.path());
    let outbox = dir.path().join("mail");
    let invite = |email: &str| {
        grandrounds()
            .arg("--database-url")
            .arg(db)
            .arg("--outbox-dir")
            .arg(&outbox)
            .args([
                "user", "add", "--email", email, "--role", "educator", "--invite",
            ])
            .args(["--public-url", "https://cme.example.org/"])
            .stdin(std::process::Stdio::null())
            .output()
            .expect("runs")
    };
    let output = invite("New.Educator@Clinic.org");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("invited new.educator@clinic.org as educator"),
        "{stdout}"
    );
    assert!(stdout.contains(".eml files in"), "{stdout}");
    let files: Vec<_> = std::fs::read_dir(&outbox).expect("outbox folder").collect();
    assert_eq!(files.len(), 1);
    let raw = std::fs::read_to_string(files[0].as_ref().expect("file").path()).expect("eml");
    let text = crate::smtp::part(&raw, "text/plain").expect("text part");
    assert!(
        text.contains("https://cme.example.org/invitation?token="),
        "{text}"
    );
    assert!(
        text.contains("The administrators of Grand Rounds invited you to join as Educator"),
        "{text}"
    );

    block_on(async {
        let pool = server::db::connect(db).await.expect("connect");
        let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(&pool)
            .await
            .expect("count");
        assert_eq!(users, 0, "no account until the link is followed");
        let (open, by): (i64, Option<i64>) =
            sqlx::query_as("SELECT COUNT(*), MAX(invited_by) FROM invitations")
                .fetch_one(&pool)
                .await
                .expect("count");
        assert_eq!((open, by), (1, None));
    });
    // Bad input is named; nothing is written.
    let bad = invite("not an address");
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--email"));
    let taken = add_user(
        db,
        &["--email", "taken@clinic.org"],
        "river lantern quietly\n",
    );
    assert!(taken.status.success());
    let again = invite("taken@clinic.org");
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
}

/// A raw HTTP/1.1 form post with this site's Origin; returns the status line.
fn post_form(address: &str, path: &str, body: &str) -> String {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(address).expect("connects");
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: {address}\r\nOrigin: http://{address}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .expect("request");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("response");
    response.lines().next().unwrap_or_default().to_owned()
}

/// Starts `grandrounds serve` on a free port on the folder `dir`'s database `db`, with the
/// demo content and `env` set; returns the child (stdout read up to its start-up line) and
/// its address.
fn spawn_serve(
    dir: &std::path::Path,
    db: &str,
    env: &[(&str, &str)],
    stderr: std::process::Stdio,
) -> (std::process::Child, String) {
    use std::io::{BufRead, BufReader};
    let mut command = grandrounds();
    command
        .arg("--database-url")
        .arg(db)
        .arg("--key-dir")
        .arg(dir.join("keys"))
        .arg("--content-dir")
        .arg(demo_content())
        .args(["serve", "--listen", "127.0.0.1:0", "--site-root"])
        .arg(dir.join("site"))
        .stdout(std::process::Stdio::piped())
        .stderr(stderr);
    for (key, value) in env {
        command.env(key, value);
        if *key == "GRANDROUNDS_CLOCK" {
            command.arg("--rehearsal");
        }
    }
    let mut child = command.spawn().expect("starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("a start-up line");
    let address = line
        .strip_prefix("Grand Rounds is serving at http://")
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("unexpected start-up line: {line}"))
        .to_owned();
    (child, address)
}

/// [`spawn_serve`] with mail to `smtp_url`.
fn serve_with_mail(
    dir: &std::path::Path,
    db: &str,
    smtp_url: &str,
) -> (std::process::Child, String) {
    spawn_serve(
        dir,
        db,
        &[("GRANDROUNDS_SMTP_URL", smtp_url)],
        std::process::Stdio::null(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_committed_before_the_process_is_killed_goes_out_on_the_next_start() {
    let dir = tempfile::tempdir().expect("dir");
    let db = crate::support::database_for(dir.path()).await;
    let created = add_user(
        &db,
        &["--email", "ana@clinic.org"],
        "river lantern quietly\n",
    );
    assert!(created.status.success());
    let port = crate::smtp::free_port();
    let smtp_url = format!("smtp://127.0.0.1:{port}");
    let pool = server::db::connect(&db).await.expect("connect");

    // The mail server is down: the reset is committed, the first try fails and is kept.
    let (mut first, address) = serve_with_mail(dir.path(), &db, &smtp_url);
    let status = post_form(&address, "/forgot-password", "email=ana%40clinic.org");
    assert!(status.contains("303"), "{status}");
    let mut tried = None;
    for _ in 0..100 {
        tried = sqlx::query_as::<_, (String, i64, Option<String>)>(
            "SELECT message_id, attempts, last_error FROM outbox",
        )
        .fetch_optional(&pool)
        .await
        .expect("read")
        // Claimed (counted) first, then the failure recorded.
        .filter(|(_, attempts, error)| *attempts >= 1 && error.is_some());
        if tried.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let (message_id, _, error) = tried.expect("the sender tried within 10 s");
    assert!(error.is_some_and(|e| e.contains(&format!("127.0.0.1:{port}"))));
    // Killed hard: no shutdown, nothing flushed.
    first.kill().expect("kill -9");
    first.wait().expect("gone");

    // The mail server comes back, and so does the site: the message goes out, once.
    let smtp = crate::smtp::SmtpServer::start_on(port).await;
    let (mut second, _) = serve_with_mail(dir.path(), &db, &smtp_url);
    for _ in 0..300 {
        if !smtp.messages().is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    second.kill().expect("stop");
    second.wait().expect("gone");
    let delivered = smtp.messages();
    assert_eq!(delivered.len(), 1, "delivered once after the restart");
    assert_eq!(delivered[0].header("Message-ID"), Some(message_id));
    let status: String = sqlx::query_scalar("SELECT status FROM outbox")
        .fetch_one(&pool)
        .await
        .expect("status");
    assert_eq!(status, "sent");
}

#[test]
fn serve_with_a_rehearsal_clock_warns_and_shows_a_banner_on_every_page() {
    use std::io::{Read, Write};
    let dir = tempfile::tempdir().expect("dir");
    let bad = grandrounds()
        .args(["serve", "--clock", "tomorrow at nine"])
        .output()
        .expect("runs");
    assert!(!bad.status.success());
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(
        stderr.contains("--clock") && stderr.contains("2031-03-04T15:00:00Z"),
        "{stderr}"
    );

    // The variable alone, left set in an environment, refuses to start.
    let left = grandrounds()
        .args(["--database-url", &database_in(dir.path())])
        .arg("--key-dir")
        .arg(dir.path().join("keys"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("GRANDROUNDS_CLOCK", "2031-03-04T15:00:00Z")
        .output()
        .expect("runs");
    assert!(!left.status.success(), "started with the variable alone");
    let stderr = String::from_utf8_lossy(&left.stderr);
    assert!(
        stderr.contains("GRANDROUNDS_CLOCK is set") && stderr.contains("--rehearsal"),
        "{stderr}"
    );

    let (mut child, address) = spawn_serve(
        dir.path(),
        &database_in(dir.path()),
        &[("GRANDROUNDS_CLOCK", "2031-03-04T15:00:00Z")],
        std::process::Stdio::piped(),
    );
    let get = |path: &str| {
        let mut stream = std::net::TcpStream::connect(&address).expect("connects");
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
        )
        .expect("request");
        let mut response = String::new();
        stream.read_to_string(&mut response).expect("response");
        response
    };
    for path in ["/", "/courses", "/login"] {
        let page = get(path);
        assert!(
            page.contains("Rehearsal clock.") && page.contains("2031-03-04 15:00:00 UTC"),
            "{path}: {page}"
        );
    }
    child.kill().expect("stop");
    let output = child.wait_with_output().expect("gone");
    let log = String::from_utf8_lossy(&output.stderr);
    assert!(
        log.contains("WARN") && log.contains("REHEARSAL CLOCK"),
        "{log}"
    );
}
