//! Email through the outbox, end to end: a real SMTP exchange with a test server (headers,
//! both parts, a link that works when followed through the router), retries when the
//! server is down, at-least-once with the same Message-ID after a sender dies mid-way, no
//! message twice with several senders, the files written when no server is configured,
//! the certificate notice, the administrators' outbox and its retry, and the learner's
//! choice of optional mail.

use crate::smtp::{self, Mode, SmtpServer};
use crate::support::{ORIGIN, PASSWORD, TestApp, demo_content};
use app::accounts::Role;
use http::StatusCode;
use server::mail::deliver::{self, deliver_due};

async fn app_with_smtp(url: &str) -> TestApp {
    let url = url.to_owned();
    TestApp::with_settings(move |s| s.mail.smtp_url = Some(url), &demo_content()).await
}

async fn deliver(app: &TestApp) -> deliver::Round {
    deliver_due(&app.state.pool, &app.state.mail)
        .await
        .expect("deliver")
}

/// Every `.eml` the file transport wrote, oldest first.
pub fn outbox_files(app: &TestApp) -> Vec<(String, String)> {
    let dir = app.dir.path().join("outbox");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .map(|entries| entries.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort();
    files
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "eml"))
        .map(|p| {
            (
                p.file_name().expect("name").to_string_lossy().into_owned(),
                std::fs::read_to_string(&p).expect("read eml"),
            )
        })
        .collect()
}

/// The text part of the newest delivered `.eml` of `kind` to `email`.
pub async fn latest_mail(app: &TestApp, kind: &str, email: &str) -> String {
    deliver(app).await;
    let found = outbox_files(app)
        .into_iter()
        .rev()
        .find(|(name, raw)| name.contains(kind) && raw.contains(email))
        .unwrap_or_else(|| panic!("no {kind} message to {email} in the outbox folder"));
    smtp::part(&found.1, "text/plain").expect("a text part")
}

/// The path and query of the first link to this site in `text` starting with `path`.
pub fn site_link(text: &str, path: &str) -> String {
    smtp::link(text, &format!("{ORIGIN}{path}"))
        .trim_start_matches(ORIGIN)
        .to_owned()
}

#[tokio::test]
async fn a_reset_message_goes_through_smtp_with_both_parts_and_a_working_link() {
    let server = SmtpServer::start().await;
    let app = app_with_smtp(&server.url()).await;
    let learner = app.learner("ana@clinic.org").await;
    let page = app
        .post_form("/forgot-password", &[("email", "ana@clinic.org")], None)
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE status = 'queued'")
            .await,
        1,
        "queued in the request's transaction"
    );
    assert_eq!(deliver(&app).await.sent, 1);
    let messages = server.messages();
    assert_eq!(messages.len(), 1);
    let message = &messages[0];
    assert_eq!(message.to, vec!["<ana@clinic.org>".to_owned()]);
    assert_eq!(message.from, "<no-reply@localhost>");
    let from = message.header("From").expect("From");
    assert!(
        from.contains("Grand Rounds") && from.contains("<no-reply@localhost>"),
        "{from}"
    );
    assert!(message.header("To").expect("To").contains("ana@clinic.org"));
    assert_eq!(
        message.header("Subject").as_deref(),
        Some("Reset your Grand Rounds password")
    );
    let id = message.header("Message-ID").expect("Message-ID");
    assert!(id.starts_with('<') && id.ends_with("@localhost>"), "{id}");
    let stored: String = sqlx::query_scalar("SELECT message_id FROM outbox")
        .fetch_one(&app.state.pool)
        .await
        .expect("stored id");
    assert_eq!(
        id, stored,
        "the Message-ID is the one stored when it was queued"
    );
    assert!(message.header("Date").is_some());
    assert!(
        message
            .header("Content-Type")
            .expect("type")
            .starts_with("multipart/alternative")
    );
    let text = message.part("text/plain").expect("a text part");
    let html = message.part("text/html").expect("an HTML part");
    assert!(text.contains("Hello Ana Silva"), "{text}");
    assert!(html.contains("Hello Ana Silva"), "{html}");
    let link = site_link(&text, "/reset-password?token=");
    assert!(html.contains(&format!("href=\"{ORIGIN}{link}\"")), "{html}");

    // The link works through the router.
    let form = app.get(&link).await;
    assert_eq!(form.status, StatusCode::OK);
    form.assert_contains("For the account ana@clinic.org");
    let token = link.split("token=").nth(1).expect("token");
    let done = app
        .post_form(
            "/reset-password",
            &[("token", token), ("new_password", "amber kettle horizon")],
            None,
        )
        .await;
    assert_eq!(done.location(), "/account", "{}", done.body);
    let signed_in = app
        .get_as("/account", &done.session_cookie().expect("cookie"))
        .await;
    signed_in.assert_contains("Signed in as ana@clinic.org");
    // The old session is over.
    let old = app.get_as("/account", &learner.cookie).await;
    assert_ne!(old.status, StatusCode::OK);

    // And the owner hears about it.
    assert_eq!(deliver(&app).await.sent, 1);
    let changed = server.messages().pop().expect("password changed");
    assert_eq!(
        changed.header("Subject").as_deref(),
        Some("Your Grand Rounds password was changed")
    );
    // A delivered reset keeps no link in the database: its headers only.
    let raw: Vec<u8> = sqlx::query_scalar("SELECT raw FROM outbox WHERE kind = 'password-reset'")
        .fetch_one(&app.state.pool)
        .await
        .expect("raw");
    let raw = String::from_utf8_lossy(&raw);
    assert!(
        raw.contains(server::mail::store::BODY_REMOVED.trim_end()),
        "{raw}"
    );
    assert!(
        !raw.contains("text/plain") && !raw.contains("reset-password"),
        "{raw}"
    );
    assert!(raw.contains(&format!("Message-ID: {id}")));
}

#[tokio::test]
async fn a_server_that_is_down_keeps_the_message_queued_with_its_error_until_it_is_back() {
    let port = smtp::free_port();
    let app = app_with_smtp(&format!("smtp://127.0.0.1:{port}")).await;
    app.learner("ana@clinic.org").await;
    app.post_form("/forgot-password", &[("email", "ana@clinic.org")], None)
        .await;
    let round = deliver(&app).await;
    assert_eq!((round.sent, round.retrying), (0, 1));
    let (status, attempts, error): (String, i64, Option<String>) =
        sqlx::query_as("SELECT status, attempts, last_error FROM outbox")
            .fetch_one(&app.state.pool)
            .await
            .expect("row");
    assert_eq!((status.as_str(), attempts), ("queued", 1));
    let error = error.expect("the error is kept");
    assert!(error.contains(&format!("127.0.0.1:{port}")), "{error}");
    // Not due again before its back-off.
    assert_eq!(deliver(&app).await.claimed(), 0);

    // A server that answers "try later" is a retry too.
    let server = SmtpServer::start_on(port).await;
    server.set_mode(Mode::Busy);
    server::clock::set_clock(time::OffsetDateTime::now_utc() + time::Duration::seconds(11));
    assert_eq!(deliver(&app).await.retrying, 1);
    let error: String = sqlx::query_scalar("SELECT last_error FROM outbox")
        .fetch_one(&app.state.pool)
        .await
        .expect("error");
    assert!(
        error.contains("451") || error.to_lowercase().contains("try again"),
        "{error}"
    );

    server.set_mode(Mode::Accept);
    server::clock::set_clock(time::OffsetDateTime::now_utc() + time::Duration::seconds(60));
    assert_eq!(deliver(&app).await.sent, 1);
    assert_eq!(server.messages().len(), 1);
    let (status, attempts): (String, i64) = sqlx::query_as("SELECT status, attempts FROM outbox")
        .fetch_one(&app.state.pool)
        .await
        .expect("row");
    assert_eq!((status.as_str(), attempts), ("sent", 3));

    // The administrators' page shows it.
    let admin = app.user("admin@clinic.org", Role::Admin).await;
    let page = app.get_as("/admin/outbox", &admin.cookie).await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("Sent (1)");
    page.assert_contains("ana@clinic.org");
}

#[tokio::test]
async fn a_refused_message_fails_and_an_administrator_can_retry_it() {
    let server = SmtpServer::start().await;
    server.set_mode(Mode::Refuse);
    let app = app_with_smtp(&server.url()).await;
    app.learner("ana@clinic.org").await;
    queue(&app, 1).await;
    assert_eq!(deliver(&app).await.failed, 1, "a 5xx answer is final");
    let id: i64 = sqlx::query_scalar("SELECT id FROM outbox WHERE status = 'failed'")
        .fetch_one(&app.state.pool)
        .await
        .expect("failed");
    let admin = app.user("admin@clinic.org", Role::Admin).await;
    let page = app
        .get_as("/admin/outbox?status=failed", &admin.cookie)
        .await;
    page.assert_contains("Failed (1)");
    page.assert_contains("learner0@clinic.org");
    page.assert_contains("550");
    page.assert_contains("Retry");

    // A learner cannot retry; an administrator can, once.
    let learner = app.sign_in("ana@clinic.org").await;
    assert_eq!(app.count("SELECT COUNT(*) FROM outbox").await, 1);
    let refused = app
        .post_form(
            "/admin/outbox/retry",
            &[("id", &id.to_string())],
            Some(&learner),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    server.set_mode(Mode::Accept);
    let retried = app
        .post_form(
            "/admin/outbox/retry",
            &[("id", &id.to_string())],
            Some(&admin.cookie),
        )
        .await;
    assert_eq!(retried.status, StatusCode::SEE_OTHER);
    let again = app
        .post_form(
            "/admin/outbox/retry",
            &[("id", &id.to_string())],
            Some(&admin.cookie),
        )
        .await;
    let shown = app.get_as(again.location(), &admin.cookie).await;
    shown.assert_contains("is not a failed message");
    for bad in ["", "x", "99999", "1 OR 1=1"] {
        let page = app
            .post_form("/admin/outbox/retry", &[("id", bad)], Some(&admin.cookie))
            .await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{bad}");
    }
    assert_eq!(deliver(&app).await.sent, 1);
    assert_eq!(server.messages().len(), 1);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'mail.retry'")
            .await,
        1
    );

    // A refused reset fails without its link, and is never retried by hand.
    server.set_mode(Mode::Refuse);
    app.post_form("/forgot-password", &[("email", "ana@clinic.org")], None)
        .await;
    assert_eq!(deliver(&app).await.failed, 1);
    let (reset, raw): (i64, Vec<u8>) =
        sqlx::query_as("SELECT id, raw FROM outbox WHERE kind = 'password-reset'")
            .fetch_one(&app.state.pool)
            .await
            .expect("failed reset");
    assert!(!String::from_utf8_lossy(&raw).contains("reset-password"));
    let refused = app
        .post_form(
            "/admin/outbox/retry",
            &[("id", &reset.to_string())],
            Some(&admin.cookie),
        )
        .await;
    let shown = app.get_as(refused.location(), &admin.cookie).await;
    shown.assert_contains("a password reset or an invitation is never retried");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE status = 'failed'")
            .await,
        1
    );
}

/// Queues `n` messages straight into the outbox, as events would.
async fn queue(app: &TestApp, n: usize) {
    let identity = &app.state.mail.identity;
    let mut tx = server::db::write_tx(&app.state.pool).await.expect("tx");
    for i in 0..n {
        let letter = server::mail::compose::templates::password_changed(
            identity,
            0,
            &format!("learner{i}@clinic.org"),
            "Lee",
            "2026-12-02 10:00",
        );
        let letter = server::mail::compose::Letter {
            user_id: None,
            ..letter
        };
        server::mail::enqueue(&mut tx, identity, &letter)
            .await
            .expect("queue");
    }
    tx.commit().await.expect("commit");
}

#[tokio::test]
async fn several_senders_at_once_deliver_each_message_exactly_once() {
    let server = SmtpServer::start().await;
    let app = app_with_smtp(&server.url()).await;
    // A second app server on the same database, with its own sender.
    let other = server::start(&{
        let mut settings = TestApp::settings(app.dir.path(), &demo_content()).await;
        settings.mail.smtp_url = Some(server.url());
        settings
    })
    .await
    .expect("second server");
    queue(&app, 30).await;
    let mut senders = Vec::new();
    for n in 0..6 {
        let state = if n % 2 == 0 {
            app.state.clone()
        } else {
            other.clone()
        };
        senders.push(tokio::spawn(async move {
            let mut sent = 0;
            loop {
                let round = deliver_due(&state.pool, &state.mail).await.expect("round");
                sent += round.sent;
                if round.claimed() == 0 {
                    return sent;
                }
            }
        }));
    }
    let mut total = 0;
    for sender in senders {
        total += sender.await.expect("sender");
    }
    assert_eq!(total, 30);
    let messages = server.messages();
    assert_eq!(messages.len(), 30, "no message twice");
    let mut ids: Vec<String> = messages
        .iter()
        .map(|m| m.header("Message-ID").expect("id"))
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 30);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE status = 'sent'")
            .await,
        30
    );
}

#[tokio::test]
async fn a_sender_that_dies_after_claiming_leaves_the_message_to_be_sent_again_unchanged() {
    let server = SmtpServer::start().await;
    let app = app_with_smtp(&server.url()).await;
    queue(&app, 1).await;
    let stored: (String, Vec<u8>) = sqlx::query_as("SELECT message_id, raw FROM outbox")
        .fetch_one(&app.state.pool)
        .await
        .expect("row");
    // A sender claims it and dies before delivering (nothing marks it).
    let claimed = server::mail::store::claim_due(&app.state.pool, 5, deliver::LEASE_SECS)
        .await
        .expect("claim");
    assert_eq!(claimed.len(), 1);
    assert_eq!(
        deliver(&app).await.claimed(),
        0,
        "held while the lease lasts"
    );
    server::clock::set_clock(
        time::OffsetDateTime::now_utc() + time::Duration::seconds(deliver::LEASE_SECS + 1),
    );
    assert_eq!(deliver(&app).await.sent, 1);
    let messages = server.messages();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].header("Message-ID"), Some(stored.0));
    assert_eq!(
        messages[0].data.replace("\r\n", "\n").trim_end(),
        String::from_utf8_lossy(&stored.1)
            .replace("\r\n", "\n")
            .trim_end(),
        "the same bytes as queued"
    );
}

#[tokio::test]
async fn with_no_server_messages_are_files_and_the_certificate_notice_links_work() {
    let app = TestApp::new().await;
    let learner = app.claimed("ana@clinic.org").await;
    let code: String = sqlx::query_scalar("SELECT code FROM certificates")
        .fetch_one(&app.state.pool)
        .await
        .expect("code");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE kind = 'certificate-issued'")
            .await,
        1,
        "queued with the claim"
    );
    let text = latest_mail(&app, "certificate-issued", "ana@clinic.org").await;
    let files = outbox_files(&app);
    assert_eq!(files.len(), 1);
    assert!(
        files[0].0.ends_with("-certificate-issued.eml"),
        "{}",
        files[0].0
    );
    assert!(smtp::part(&files[0].1, "text/html").is_some());
    let own = site_link(&text, "/certificates/");
    assert_eq!(own, format!("/certificates/{code}"));
    let verify = site_link(&text, "/verify/");
    assert_eq!(verify, format!("/verify/{code}"));
    assert_eq!(
        app.get_as(&own, &learner.cookie).await.status,
        StatusCode::OK
    );
    let public = app.get(&verify).await;
    assert_eq!(public.status, StatusCode::OK);
    public.assert_contains(&code);
    // Delivered twice (a crash between writing and marking) is the same one file.
    sqlx::query("UPDATE outbox SET status = 'queued', next_attempt_at = 0")
        .execute(&app.state.pool)
        .await
        .expect("requeue");
    assert_eq!(deliver(&app).await.sent, 1);
    assert_eq!(outbox_files(&app).len(), 1);
}

#[tokio::test]
async fn learners_choose_optional_mail_and_see_what_they_cannot_refuse() {
    let app = TestApp::new().await;
    let learner = app.learner("ana@clinic.org").await;
    let page = app.get_as("/account", &learner.cookie).await;
    page.assert_contains("Send me reminders by email");
    page.assert_contains("Password reset link (cannot be turned off)");
    assert!(
        page.body
            .contains("name=\"optional_mail\" value=\"yes\" checked"),
        "on by default"
    );
    let off = app
        .post_form("/account/mail", &[], Some(&learner.cookie))
        .await;
    assert_eq!(off.location(), "/account");
    let page = app.get_as("/account", &learner.cookie).await;
    page.assert_contains("You will get no reminders by mail");
    assert!(
        !page
            .body
            .contains("name=\"optional_mail\" value=\"yes\" checked")
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users WHERE optional_mail = FALSE")
            .await,
        1
    );
    // Signed-out visitors cannot change anyone's choice.
    let anonymous = app
        .post_form("/account/mail", &[("optional_mail", "yes")], None)
        .await;
    assert_ne!(anonymous.location(), "/account");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users WHERE optional_mail = FALSE")
            .await,
        1
    );
    // A password reset still comes.
    app.post_form("/forgot-password", &[("email", "ana@clinic.org")], None)
        .await;
    latest_mail(&app, "password-reset", "ana@clinic.org").await;
    let _ = PASSWORD;
}

/// The `.eml` files carry reset and invitation links: readable by the server's user only,
/// in a folder only it can open, even one an operator made with looser permissions.
#[cfg(unix)]
#[tokio::test]
async fn eml_files_and_their_folder_are_the_server_users_only() {
    use std::os::unix::fs::PermissionsExt as _;
    let app = TestApp::new().await;
    let folder = app.dir.path().join("outbox");
    std::fs::create_dir_all(&folder).expect("folder");
    std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    app.learner("ana@clinic.org").await;
    let page = app
        .post_form("/forgot-password", &[("email", "ana@clinic.org")], None)
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    latest_mail(&app, "password-reset", "ana@clinic.org").await;
    let mode = |path: &std::path::Path| {
        std::fs::metadata(path)
            .expect("metadata")
            .permissions()
            .mode()
            & 0o777
    };
    assert_eq!(mode(&folder), 0o700, "the folder");
    let files: Vec<_> = std::fs::read_dir(&folder)
        .expect("read")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    assert!(!files.is_empty());
    for file in files {
        assert_eq!(mode(&file), 0o600, "{}", file.display());
    }
}

/// The outbox itself refuses to mail an account whose address is not confirmed, whatever
/// event asks (here a certificate notice): only the confirmation link and the ways back in
/// may go to it. Once confirmed, the same message is queued.
#[tokio::test]
async fn nothing_but_the_link_is_queued_for_an_unconfirmed_address() {
    let app = TestApp::new().await;
    let page = app
        .post_form(
            "/account/register",
            &[
                ("email", "stranger@clinic.org"),
                ("password", crate::support::PASSWORD),
                ("full_name", "Someone Else"),
                ("profession", "nurse"),
            ],
            None,
        )
        .await;
    assert_eq!(page.location(), "/login");
    let id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE email = 'stranger@clinic.org'")
        .fetch_one(&app.state.pool)
        .await
        .expect("id");
    let identity = &app.state.mail.identity;
    let letter = server::mail::compose::templates::password_changed(
        identity,
        id,
        "stranger@clinic.org",
        "Someone Else",
        "2026-12-07 10:00",
    );
    let mut conn = app.state.pool.acquire().await.expect("conn");
    assert_eq!(
        server::mail::enqueue(&mut conn, identity, &letter)
            .await
            .expect("enqueue"),
        None
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE kind <> 'address-confirmation'")
            .await,
        0
    );
    drop(conn);
    app.confirm_address("stranger@clinic.org").await;
    let mut conn = app.state.pool.acquire().await.expect("conn");
    assert!(
        server::mail::enqueue(&mut conn, identity, &letter)
            .await
            .expect("enqueue")
            .is_some()
    );
}
