//! Issue 12: the two migration sets cannot drift apart, and an installation moves from
//! SQLite to PostgreSQL with `grandrounds copy`, checked by counts and by its certificates.
//! Both tests need the throwaway PostgreSQL cluster whichever database the suite runs on.

use crate::support::{TestApp, demo_content, fresh_postgres_database, postgres_admin_url};
use server::db::{self, schema};

async fn migrated(url: &str) -> db::Pool {
    let pool = db::connect(url).await.expect("connect");
    db::migrate(&pool).await.expect("migrate");
    pool
}

#[tokio::test]
async fn the_sqlite_and_postgres_migrations_make_the_same_schema() {
    let dir = tempfile::tempdir().expect("dir");
    let sqlite = migrated(&format!("sqlite:{}", dir.path().join("s.db").display())).await;
    let postgres = migrated(&fresh_postgres_database(&postgres_admin_url()).await).await;
    let (a, b) = (
        schema::describe(&sqlite).await.expect("sqlite schema"),
        schema::describe(&postgres).await.expect("postgres schema"),
    );
    assert!(a.len() >= 14, "every table is described: {:?}", a.keys());
    assert!(a["users"].unique.contains(&vec!["email".to_owned()]));
    assert!(
        a["credit_claims"]
            .unique
            .contains(&vec!["credit_type".to_owned(), "enrollment_id".to_owned()])
    );
    assert!(
        a["certificates"]
            .references
            .contains(&("superseded_by".to_owned(), "certificates".to_owned()))
    );
    let differences = schema::differences(&a, &b);
    assert!(
        differences.is_empty(),
        "the migrations drifted: {differences:#?}"
    );

    // A drift is caught: one more column, a lost NOT NULL, a lost UNIQUE.
    for change in [
        "ALTER TABLE users ADD COLUMN nickname TEXT",
        "ALTER TABLE courses ALTER COLUMN created_at DROP NOT NULL",
        "ALTER TABLE certificates DROP CONSTRAINT certificates_code_key",
    ] {
        sqlx::query(change).execute(&postgres).await.expect(change);
    }
    let drifted = schema::describe(&postgres).await.expect("schema");
    let differences = schema::differences(&a, &drifted);
    assert_eq!(differences.len(), 3, "{differences:#?}");
    assert!(differences.iter().any(|d| d.contains("users.nickname")));
    assert!(differences.iter().any(|d| d.contains("courses.created_at")));
    assert!(differences.iter().any(|d| d.contains("unique (code)")));
}

/// An installation on SQLite with learners, a claimed certificate, a revoked one and an
/// audit trail moves to PostgreSQL: every table has the same rows, every certificate still
/// verifies, the learner signs in with their password, and new rows get new ids.
#[tokio::test]
async fn copy_moves_an_installation_from_sqlite_to_postgres() {
    let sqlite_dir = tempfile::tempdir().expect("dir");
    let sqlite_url = format!(
        "sqlite:{}",
        sqlite_dir.path().join("grandrounds.db").display()
    );
    let url = sqlite_url.clone();
    let app = TestApp::with_settings(
        move |settings| {
            settings.database_url = url;
            settings.key_dir = sqlite_dir.path().join("keys");
        },
        &demo_content(),
    )
    .await;
    let ana = app.claimed("ana@clinic.org").await;
    let code: String = sqlx::query_scalar("SELECT code FROM certificates WHERE user_id = $1")
        .bind(ana.id)
        .fetch_one(&app.state.pool)
        .await
        .expect("ana's code");
    let lee = app.claimed("lee@clinic.org").await;
    let admin = app
        .user("chief@clinic.org", app::accounts::Role::Admin)
        .await;
    let lee_code: String = sqlx::query_scalar("SELECT code FROM certificates WHERE user_id = $1")
        .bind(lee.id)
        .fetch_one(&app.state.pool)
        .await
        .expect("lee's code");
    let revoked = app
        .post_form(
            "/admin/certificates/revoke",
            &[
                ("code", &lee_code),
                ("reason", "Issued to the wrong learner"),
            ],
            Some(&admin.cookie),
        )
        .await;
    assert!(revoked.status.is_redirection(), "{}", revoked.body);
    // Attendance evidence with a correction: a row of the append-only ledger that refers to
    // an earlier one (the copy cannot fill it in afterwards: the ledger refuses updates).
    let session: i64 = sqlx::query_scalar("SELECT id FROM webinar_sessions ORDER BY id LIMIT 1")
        .fetch_one(&app.state.pool)
        .await
        .expect("a session");
    let click: i64 = sqlx::query_scalar(
        "INSERT INTO attendance_ledger (session_id, user_id, source, starts_at, ends_at, recorded_by, recorded_at) \
         VALUES ($1, $2, 'join_click', 100, 100, $2, 100) RETURNING id",
    )
    .bind(session)
    .bind(ana.id)
    .fetch_one(&app.state.pool)
    .await
    .expect("a click");
    sqlx::query(
        "INSERT INTO attendance_ledger (session_id, user_id, source, recorded_by, recorded_at, supersedes, reason) \
         VALUES ($1, $2, 'correction', $3, 200, $4, 'clicked by mistake')",
    )
    .bind(session)
    .bind(ana.id)
    .bind(admin.id)
    .bind(click)
    .execute(&app.state.pool)
    .await
    .expect("a correction");

    let target = fresh_postgres_database(&postgres_admin_url()).await;
    let copy = |to: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_grandrounds"))
            .env_remove("DATABASE_URL")
            .env("RUST_LOG", "warn")
            .args(["--database-url", &sqlite_url, "copy", "--to", to])
            .output()
            .expect("runs")
    };
    let output = copy(&target);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("2 of 2 certificates verify"), "{stdout}");
    assert!(!stdout.contains("DIFFERENT"), "{stdout}");
    let copied = server::db::connect(&target).await.expect("the copy");
    let superseded: Option<i64> =
        sqlx::query_scalar("SELECT supersedes FROM attendance_ledger WHERE source = 'correction'")
            .fetch_one(&copied)
            .await
            .expect("the correction was copied");
    assert_eq!(superseded, Some(click));
    copied.close().await;

    // The same rows in every table.
    let copied = db::connect(&target).await.expect("connect");
    let tables = schema::describe(&copied).await.expect("schema");
    let before = db::copy::counts(&app.state.pool, &tables)
        .await
        .expect("counts");
    let after = db::copy::counts(&copied, &tables).await.expect("counts");
    assert_eq!(before, after);
    assert!(after.iter().any(|(t, n)| t == "certificates" && *n == 2));
    assert!(after.iter().any(|(t, n)| t == "audit_log" && *n >= 1));

    // A server on the copy, with the same key folder: the certificate verifies, the revoked
    // one is still revoked, the learner signs in, a new learner gets a new id.
    let mut settings = TestApp::settings(app.dir.path(), &demo_content()).await;
    settings.database_url = target.clone();
    settings.key_dir = app.dir.path().join("keys");
    let state = server::start(&settings).await.expect("starts on the copy");
    let moved = TestApp {
        router: server::build_router(state.clone()),
        state,
        dir: tempfile::tempdir().expect("dir"),
    };
    let valid = moved.get(&format!("/verify/{code}")).await;
    valid.assert_contains("Valid.");
    let gone = moved.get(&format!("/verify/{lee_code}")).await;
    gone.assert_contains("Issued to the wrong learner");
    let signed_in = moved.sign_in("ana@clinic.org").await;
    let credit = moved.get_as("/transcript", &signed_in).await;
    credit.assert_contains(&code);
    let newcomer = moved.learner("kim@clinic.org").await;
    assert!(
        newcomer.id > ana.id.max(lee.id).max(admin.id),
        "a new id after the copied ones"
    );

    // Copying again into the filled database is refused, and changes nothing.
    let again = copy(&target);
    assert_eq!(again.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("already has data"),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    assert_eq!(
        db::copy::counts(&copied, &tables)
            .await
            .expect("counts")
            .len(),
        after.len()
    );
}
