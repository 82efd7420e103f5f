//! Password reset and invitations through the real router: the same answer for known and
//! unknown addresses, tokens that work once, expire, and give way to newer ones, sessions
//! ended by a reset, the limits, and invitations made, accepted, revoked, resent and expired
//! by administrators only, each in the audit log.

use crate::mail::{latest_mail, site_link};
use crate::support::{PASSWORD, TestApp};
use app::accounts::Role;
use http::StatusCode;

const NEW_PASSWORD: &str = "amber kettle horizon";

fn token_of(link: &str) -> String {
    link.split("token=").nth(1).expect("a token").to_owned()
}

async fn request_reset(app: &TestApp, email: &str) -> crate::support::Page {
    let page = app
        .post_form("/forgot-password", &[("email", email)], None)
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location(), "/forgot-password");
    page
}

/// The page a browser lands on after the post (its form-state cookie carried), without its
/// per-response script nonce.
async fn landing(app: &TestApp, after: &crate::support::Page) -> String {
    let cookie = after.cookies().unwrap_or_default();
    let body = app.get_as(after.location(), &cookie).await.body;
    let mut out = String::new();
    let mut rest = body.as_str();
    while let Some(start) = rest.find("nonce=\"") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 7..];
        rest = after.find('"').map_or("", |end| &after[end + 1..]);
    }
    out.push_str(rest);
    out
}

async fn reset_link(app: &TestApp, email: &str) -> String {
    request_reset(app, email).await;
    let text = latest_mail(app, "password-reset", email).await;
    site_link(&text, "/reset-password?token=")
}

async fn set_password(app: &TestApp, token: &str, password: &str) -> crate::support::Page {
    app.post_form(
        "/reset-password",
        &[("token", token), ("new_password", password)],
        None,
    )
    .await
}

#[tokio::test]
async fn known_and_unknown_addresses_get_the_same_page() {
    let app = TestApp::new().await;
    app.learner("ana@clinic.org").await;
    let known = request_reset(&app, "ana@clinic.org").await;
    let unknown = request_reset(&app, "nobody@clinic.org").await;
    let (known, unknown) = (landing(&app, &known).await, landing(&app, &unknown).await);
    assert!(
        known.contains(server::accounts::recovery::RESET_SENT),
        "{known}"
    );
    assert_eq!(
        known.replace("ana@clinic.org", "X"),
        unknown.replace("nobody@clinic.org", "X"),
        "the same page, but for the address typed"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM password_resets").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM outbox").await, 1);
    // A malformed address is told so, and nothing is counted or stored.
    let bad = app
        .post_form("/forgot-password", &[("email", "not-an-address")], None)
        .await;
    assert!(landing(&app, &bad).await.contains("field-error"));
    assert_eq!(app.count("SELECT COUNT(*) FROM password_resets").await, 1);
}

#[tokio::test]
async fn a_reset_link_works_once_and_ends_every_session() {
    let app = TestApp::new().await;
    let learner = app.learner("ana@clinic.org").await;
    let other_session = app.sign_in("ana@clinic.org").await;
    let link = reset_link(&app, "ana@clinic.org").await;
    let token = token_of(&link);
    let stored: String = sqlx::query_scalar("SELECT token_hash FROM password_resets")
        .fetch_one(&app.state.pool)
        .await
        .expect("hash");
    assert_ne!(stored, token, "only the hash is stored");
    assert!(token.len() >= 22, "at least 128 bits");

    // A weak password is refused under the registration rules, and the link still works.
    let weak = set_password(&app, &token, "short").await;
    assert!(landing(&app, &weak).await.contains("field-error"));
    let done = set_password(&app, &token, NEW_PASSWORD).await;
    assert_eq!(done.location(), "/account", "{}", done.body);
    for old in [&learner.cookie, &other_session] {
        assert_ne!(
            app.get_as("/account", old).await.status,
            StatusCode::OK,
            "old sessions end"
        );
    }
    // The new password signs in, the old one no longer.
    let old = app
        .post_form(
            "/account/login",
            &[("email", "ana@clinic.org"), ("password", PASSWORD)],
            None,
        )
        .await;
    assert_eq!(old.location(), "/login");
    let new = app
        .post_form(
            "/account/login",
            &[("email", "ana@clinic.org"), ("password", NEW_PASSWORD)],
            None,
        )
        .await;
    assert_eq!(new.location(), "/account");

    // A second use is refused, saying why.
    let again = set_password(&app, &token, "another strong passphrase").await;
    assert!(landing(&app, &again).await.contains("was used already"));
    assert!(app.get(&link).await.body.contains("was used already"));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'password.reset'")
            .await,
        1
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE kind = 'password-changed'")
            .await,
        1
    );
}

#[tokio::test]
async fn the_same_link_sent_twice_at_once_sets_the_password_once() {
    let app = TestApp::new().await;
    app.learner("ana@clinic.org").await;
    let token = token_of(&reset_link(&app, "ana@clinic.org").await);
    let mut tries = Vec::new();
    for n in 0..10 {
        let (router, token) = (app.router.clone(), token.clone());
        tries.push(tokio::spawn(async move {
            use tower::ServiceExt as _;
            let body = format!("token={token}&new_password=strong+passphrase+number+{n}");
            let request = http::Request::post("/reset-password")
                .header("content-type", "application/x-www-form-urlencoded")
                .header("origin", crate::support::ORIGIN)
                .body(axum::body::Body::from(body))
                .expect("request");
            let response = router.oneshot(request).await.expect("answer");
            response
                .headers()
                .get("location")
                .and_then(|l| l.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        }));
    }
    let mut landed = Vec::new();
    for t in tries {
        landed.push(t.await.expect("task"));
    }
    assert_eq!(
        landed.iter().filter(|l| *l == "/account").count(),
        1,
        "{landed:?}"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'password.reset'")
            .await,
        1
    );
}

#[tokio::test]
async fn a_link_expires_after_30_minutes() {
    let app = TestApp::new().await;
    app.learner("ana@clinic.org").await;
    let link = reset_link(&app, "ana@clinic.org").await;
    server::clock::set_clock(time::OffsetDateTime::now_utc() + time::Duration::minutes(29));
    assert!(
        app.get(&link)
            .await
            .body
            .contains("For the account ana@clinic.org")
    );
    server::clock::set_clock(time::OffsetDateTime::now_utc() + time::Duration::minutes(31));
    let page = app.get(&link).await;
    page.assert_contains("This link has expired");
    let late = set_password(&app, &token_of(&link), NEW_PASSWORD).await;
    assert!(landing(&app, &late).await.contains("This link has expired"));
}

#[tokio::test]
async fn a_newer_link_replaces_the_older_and_garbage_is_refused() {
    let app = TestApp::new().await;
    app.learner("ana@clinic.org").await;
    let first = reset_link(&app, "ana@clinic.org").await;
    let second = reset_link(&app, "ana@clinic.org").await;
    assert_ne!(first, second);
    app.get(&first)
        .await
        .assert_contains("A newer reset link was sent");
    let refused = set_password(&app, &token_of(&first), NEW_PASSWORD).await;
    assert!(
        landing(&app, &refused)
            .await
            .contains("A newer reset link was sent")
    );
    app.get(&second)
        .await
        .assert_contains("For the account ana@clinic.org");
    let long = "A".repeat(100_000);
    for garbage in ["", "abc", "../../etc/passwd", "%00", &long[..6000]] {
        let page = app
            .get(&format!(
                "/reset-password?token={}",
                garbage.replace('%', "%25")
            ))
            .await;
        assert_eq!(page.status, StatusCode::OK, "{garbage:.20}");
        page.assert_contains("This reset link is not valid");
    }
    for garbage in ["", "abc", "../../etc/passwd", "\t\u{0}", long.as_str()] {
        let post = set_password(&app, garbage, NEW_PASSWORD).await;
        assert_eq!(post.status, StatusCode::SEE_OTHER, "{garbage:.20}");
        assert_eq!(post.location(), "/reset-password");
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'password.reset'")
            .await,
        0
    );
}

#[tokio::test]
async fn requests_are_limited_per_address_the_same_way_with_or_without_an_account() {
    let app = TestApp::new().await;
    app.learner("ana@clinic.org").await;
    let limit = server::auth::rate_limit::RESETS_PER_EMAIL;
    for _ in 0..limit + 2 {
        let known = request_reset(&app, "ana@clinic.org").await;
        let unknown = request_reset(&app, "nobody@clinic.org").await;
        assert_eq!(
            landing(&app, &known).await.replace("ana@clinic.org", "X"),
            landing(&app, &unknown)
                .await
                .replace("nobody@clinic.org", "X")
        );
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM password_resets").await,
        limit,
        "no more links than the limit, the same answer after it"
    );
    // The per-address limit stops a sweep over many emails.
    for n in 0..20 {
        request_reset(&app, &format!("sweep{n}@clinic.org")).await;
    }
    let counted: i64 =
        sqlx::query_scalar("SELECT MAX(failures) FROM login_throttle WHERE key LIKE 'reset-ip:%'")
            .fetch_one(&app.state.pool)
            .await
            .expect("count");
    assert!(counted > server::auth::rate_limit::RESETS_PER_ADDRESS);
    app.user("late@clinic.org", Role::Learner).await;
    request_reset(&app, "late@clinic.org").await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM password_resets").await,
        limit,
        "over the address limit, even a real account gets no link"
    );
}

async fn invite(app: &TestApp, admin: &str, email: &str, role: &str) -> crate::support::Page {
    app.post_form(
        "/admin/users/invite",
        &[("invite_email", email), ("invite_role", role)],
        Some(admin),
    )
    .await
}

async fn invitation_link(app: &TestApp, email: &str) -> String {
    let text = latest_mail(app, "invitation", email).await;
    site_link(&text, "/invitation?token=")
}

fn acceptance(token: &str) -> Vec<(&str, &str)> {
    vec![
        ("token", token),
        ("password", NEW_PASSWORD),
        ("full_name", "Dr Kim Lee"),
        ("profession", "physician"),
    ]
}

#[tokio::test]
async fn an_invited_educator_chooses_a_password_and_is_signed_in_once() {
    let app = TestApp::new().await;
    let admin = app.user("admin@clinic.org", Role::Admin).await;
    let sent = invite(&app, &admin.cookie, "Kim@Clinic.org", "educator").await;
    assert_eq!(sent.location(), "/admin/users");
    let page = app.get_as("/admin/users", &admin.cookie).await;
    page.assert_contains("kim@clinic.org is invited as Educator");
    page.assert_contains("open until");
    let link = invitation_link(&app, "kim@clinic.org").await;
    let form = app.get(&link).await;
    form.assert_contains("to join as Educator with the address kim@clinic.org");

    let accepted = app
        .post_form("/invitation/accept", &acceptance(&token_of(&link)), None)
        .await;
    assert_eq!(accepted.location(), "/account", "{}", accepted.body);
    let account = app
        .get_as("/account", &accepted.session_cookie().expect("cookie"))
        .await;
    account.assert_contains("Signed in as kim@clinic.org (Educator)");
    let role: String = sqlx::query_scalar("SELECT role FROM users WHERE email = 'kim@clinic.org'")
        .fetch_one(&app.state.pool)
        .await
        .expect("role");
    assert_eq!(role, "educator");

    // Once only.
    let again = app
        .post_form("/invitation/accept", &acceptance(&token_of(&link)), None)
        .await;
    let shown = app
        .get_as(again.location(), &again.cookies().unwrap_or_default())
        .await;
    shown.assert_contains("was accepted already");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users WHERE email = 'kim@clinic.org'")
            .await,
        1
    );
    for action in ["invitation.create", "invitation.accept"] {
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM audit_log WHERE action = '{action}'"
            ))
            .await,
            1,
            "{action}"
        );
    }
    // An address with an account is not invited again.
    let twice = invite(&app, &admin.cookie, "kim@clinic.org", "learner").await;
    let page = app.get_as(twice.location(), &admin.cookie).await;
    page.assert_contains("this address already has an account");
}

#[tokio::test]
async fn invitations_are_revoked_resent_and_expire() {
    let app = TestApp::new().await;
    let admin = app.user("admin@clinic.org", Role::Admin).await;
    invite(&app, &admin.cookie, "kim@clinic.org", "learner").await;
    let first = invitation_link(&app, "kim@clinic.org").await;
    let id: i64 = sqlx::query_scalar("SELECT id FROM invitations")
        .fetch_one(&app.state.pool)
        .await
        .expect("id");
    let resent = app
        .post_form(
            "/admin/users/invitations/resend",
            &[("invitation_id", &id.to_string())],
            Some(&admin.cookie),
        )
        .await;
    assert_eq!(resent.location(), "/admin/users");
    let second = invitation_link(&app, "kim@clinic.org").await;
    assert_ne!(first, second);
    app.get(&first)
        .await
        .assert_contains("This invitation link is not valid");
    app.get(&second).await.assert_contains("to join as Learner");

    let revoked = app
        .post_form(
            "/admin/users/invitations/revoke",
            &[("invitation_id", &id.to_string())],
            Some(&admin.cookie),
        )
        .await;
    assert_eq!(revoked.location(), "/admin/users");
    app.get(&second).await.assert_contains("was withdrawn");
    let refused = app
        .post_form("/invitation/accept", &acceptance(&token_of(&second)), None)
        .await;
    assert_ne!(refused.location(), "/account");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users WHERE email = 'kim@clinic.org'")
            .await,
        0
    );

    // A new invitation, past its 7 days.
    invite(&app, &admin.cookie, "kim@clinic.org", "admin").await;
    let third = invitation_link(&app, "kim@clinic.org").await;
    server::clock::set_clock(time::OffsetDateTime::now_utc() + time::Duration::days(8));
    app.get(&third)
        .await
        .assert_contains("This invitation expired");
    for action in [
        "invitation.create",
        "invitation.resend",
        "invitation.revoke",
    ] {
        assert!(
            app.count(&format!(
                "SELECT COUNT(*) FROM audit_log WHERE action = '{action}'"
            ))
            .await
                >= 1,
            "{action}"
        );
    }
}

#[tokio::test]
async fn only_administrators_invite_and_bad_input_is_named() {
    let app = TestApp::new().await;
    let learner = app.learner("ana@clinic.org").await;
    let educator = app.user("edu@clinic.org", Role::Educator).await;
    for cookie in [
        Some(learner.cookie.as_str()),
        Some(educator.cookie.as_str()),
        None,
    ] {
        let page = app
            .post_form(
                "/admin/users/invite",
                &[("invite_email", "x@clinic.org"), ("invite_role", "admin")],
                cookie,
            )
            .await;
        assert!(
            page.status == StatusCode::FORBIDDEN
                || page
                    .headers
                    .get("location")
                    .is_some_and(|l| l.to_str().is_ok_and(|l| l.starts_with("/login"))),
            "{:?}",
            page.status
        );
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM invitations").await, 0);
    let admin = app.user("admin@clinic.org", Role::Admin).await;
    for (email, role, message) in [
        ("not an address", "learner", "field-invite_email-error"),
        (
            "x@clinic.org",
            "owner",
            "choose learner, educator or administrator",
        ),
        ("x@clinic.org\u{0}", "learner", "NUL"),
    ] {
        let page = invite(&app, &admin.cookie, email, role).await;
        let shown = app.get_as(page.location(), &admin.cookie).await;
        assert!(shown.body.contains(message), "{email} {role}: {message}");
    }
    let twice = app
        .post_form(
            "/admin/users/invite",
            &[
                ("invite_email", "x@clinic.org"),
                ("invite_email", "y@clinic.org"),
                ("invite_role", "learner"),
            ],
            Some(&admin.cookie),
        )
        .await;
    let shown = app.get_as(twice.location(), &admin.cookie).await;
    shown.assert_contains("was sent more than once");
    assert_eq!(app.count("SELECT COUNT(*) FROM invitations").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM outbox").await, 0);
}

/// Posts `body` (form-encoded) to `path` `n` times at once; returns the statuses.
async fn at_once(app: &TestApp, path: &str, body: String, n: usize) -> Vec<StatusCode> {
    let mut tasks = Vec::new();
    for _ in 0..n {
        let (router, body, path) = (app.router.clone(), body.clone(), path.to_owned());
        tasks.push(tokio::spawn(async move {
            use tower::ServiceExt as _;
            let request = http::Request::post(path)
                .header("content-type", "application/x-www-form-urlencoded")
                .header("origin", crate::support::ORIGIN)
                .body(axum::body::Body::from(body))
                .expect("request");
            router.oneshot(request).await.expect("answer").status()
        }));
    }
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.expect("task"));
    }
    statuses
}

#[tokio::test]
async fn many_requests_at_once_leave_one_open_link_and_a_100_kb_address_is_refused() {
    let app = TestApp::new().await;
    app.learner("ana@clinic.org").await;
    let statuses = at_once(
        &app,
        "/forgot-password",
        "email=ana%40clinic.org".into(),
        20,
    )
    .await;
    assert!(
        statuses.iter().all(|s| *s == StatusCode::SEE_OTHER),
        "{statuses:?}"
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM password_resets WHERE used_at IS NULL AND superseded_at IS NULL"
        )
        .await,
        1,
        "one open link, whatever the order"
    );
    assert!(
        app.count("SELECT COUNT(*) FROM password_resets").await
            <= server::auth::rate_limit::RESETS_PER_EMAIL
    );
    let before = app.count("SELECT COUNT(*) FROM password_resets").await;
    let huge = "a".repeat(100_000) + "@clinic.org";
    let page = app
        .post_form("/forgot-password", &[("email", &huge)], None)
        .await;
    assert!(
        landing(&app, &page)
            .await
            .contains("at most 254 characters")
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM password_resets").await,
        before
    );
}

#[tokio::test]
async fn an_invitation_accepted_ten_times_at_once_makes_one_account() {
    let app = TestApp::new().await;
    let admin = app.user("admin@clinic.org", Role::Admin).await;
    invite(&app, &admin.cookie, "kim@clinic.org", "educator").await;
    let token = token_of(&invitation_link(&app, "kim@clinic.org").await);
    let body = format!(
        "token={token}&password=amber+kettle+horizon&full_name=Dr+Kim+Lee&profession=physician"
    );
    let statuses = at_once(&app, "/invitation/accept", body, 10).await;
    assert!(
        statuses.iter().all(|s| *s == StatusCode::SEE_OTHER),
        "{statuses:?}"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users WHERE email = 'kim@clinic.org'")
            .await,
        1
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'invitation.accept'")
            .await,
        1
    );
    // A 100 KB name is refused and writes nothing.
    invite(&app, &admin.cookie, "lee@clinic.org", "learner").await;
    let token = token_of(&invitation_link(&app, "lee@clinic.org").await);
    let huge = "L".repeat(100_000);
    let page = app
        .post_form(
            "/invitation/accept",
            &[
                ("token", &token),
                ("password", NEW_PASSWORD),
                ("full_name", &huge),
                ("profession", "nurse"),
            ],
            None,
        )
        .await;
    assert_ne!(page.location(), "/account");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users WHERE email = 'lee@clinic.org'")
            .await,
        0
    );
}

/// A reset link asked for before the password was changed on the account page is withdrawn
/// by the change: whoever holds that mail can no longer set a password with it.
#[tokio::test]
async fn changing_the_password_withdraws_open_reset_links() {
    let app = TestApp::new().await;
    let user = app.learner("ana@clinic.org").await;
    let link = reset_link(&app, "ana@clinic.org").await;
    let changed = app
        .post_form(
            "/account/password",
            &[
                ("current_password", crate::support::PASSWORD),
                ("new_password", "a brand new passphrase"),
            ],
            Some(&user.cookie),
        )
        .await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER);
    let refused = set_password(&app, &token_of(&link), NEW_PASSWORD).await;
    assert_eq!(refused.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM password_resets WHERE used_at IS NULL AND superseded_at IS NULL"
        )
        .await,
        0,
        "no reset link is open"
    );
    // The password is the one chosen on the account page, not the link's.
    let hash: String =
        sqlx::query_scalar("SELECT password_hash FROM users WHERE email = 'ana@clinic.org'")
            .fetch_one(&app.state.pool)
            .await
            .expect("user");
    assert!(
        argon2::PasswordVerifier::verify_password(
            &argon2::Argon2::default(),
            b"a brand new passphrase",
            &argon2::PasswordHash::new(&hash).expect("hash"),
        )
        .is_ok(),
        "the link did not replace the new password"
    );
}

/// Registers `email` through the form (no one is signed in) and returns the confirmation
/// link mailed to it.
async fn register_unconfirmed(app: &TestApp, email: &str, name: &str) -> String {
    let page = app
        .post_form(
            "/account/register",
            &[
                ("email", email),
                ("password", PASSWORD),
                ("full_name", name),
                ("profession", "nurse"),
                ("npi", "1234567893"),
            ],
            None,
        )
        .await;
    assert_eq!(page.location(), "/login", "{}", page.body);
    assert!(page.session_cookie().is_none());
    let text = latest_mail(app, "address-confirmation", email).await;
    assert!(
        !text.contains(name),
        "the confirmation greets the address, never the name typed: {text}"
    );
    site_link(&text, "/confirm-address?token=")
}

async fn sign_in_with(
    app: &TestApp,
    email: &str,
    password: &str,
    confirm: Option<&str>,
) -> crate::support::Page {
    let mut fields = vec![("email", email), ("password", password)];
    if let Some(token) = confirm {
        fields.push(("confirm", token));
    }
    app.post_form("/account/login", &fields, None).await
}

async fn mail_to(app: &TestApp, email: &str) -> i64 {
    app.count(&format!(
        "SELECT COUNT(*) FROM outbox WHERE recipient LIKE '%{email}%'"
    ))
    .await
}

/// An address typed at registration proves nothing until its owner follows the link *and*
/// signs in with the password chosen: before that the account does not sign in (the same
/// words as a wrong password), cannot be given a role, and the address is mailed nothing
/// but the link or a way back in, a few an hour and a few in all. Opening the link alone
/// (a mail gateway does) confirms nothing.
#[tokio::test]
async fn an_unconfirmed_address_gets_nothing_but_its_link_until_it_is_confirmed() {
    // The course is open for enrolment and the webinar for registration.
    server::clock::set_clock(time::macros::datetime!(2027-06-01 12:00 UTC));
    let app = TestApp::new().await;
    let admin = app.user("admin@clinic.org", Role::Admin).await;
    let first = register_unconfirmed(&app, "stranger@clinic.org", "Buy cheap pills now").await;

    // No sign-in without the link: the same answer as a wrong password.
    let refused = sign_in_with(&app, "stranger@clinic.org", PASSWORD, None).await;
    let wrong = sign_in_with(&app, "stranger@clinic.org", "not the password at all", None).await;
    assert!(refused.session_cookie().is_none());
    assert_eq!(refused.location(), wrong.location());
    assert!(
        landing(&app, &refused)
            .await
            .contains("The email or password is not right")
    );

    // Registering the address again and again: a few messages an hour, not one each time.
    for _ in 0..5 {
        let again = app
            .post_form(
                "/account/register",
                &[
                    ("email", "stranger@clinic.org"),
                    ("password", "another long passphrase"),
                    ("full_name", "Buy more pills"),
                    ("profession", "nurse"),
                ],
                None,
            )
            .await;
        assert_eq!(again.location(), "/login");
        sqlx::query("DELETE FROM login_throttle WHERE key LIKE 'register:%'")
            .execute(&app.state.pool)
            .await
            .expect("reset the registration count");
    }
    assert_eq!(mail_to(&app, "stranger@clinic.org").await, 3);

    // No role for an unconfirmed account.
    let id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE email = 'stranger@clinic.org'")
        .fetch_one(&app.state.pool)
        .await
        .expect("id");
    let refused = app
        .post_form(
            "/admin/users/role",
            &[("user_id", &id.to_string()), ("role", "educator")],
            Some(&admin.cookie),
        )
        .await;
    let page = app.get_as(refused.location(), &admin.cookie).await;
    page.assert_contains("address is not confirmed, so it cannot be given a role");

    // New links on request: the same answer for any address; 3 an hour, 5 in all.
    let resend = |email: &'static str| {
        let app = &app;
        async move {
            let page = app
                .post_form("/account/confirmation", &[("resend_email", email)], None)
                .await;
            landing(app, &page).await
        }
    };
    assert!(
        resend("nobody@clinic.org")
            .await
            .contains("If an account with that address")
    );
    for hour in [3, 5, 7] {
        server::clock::set_clock(
            time::OffsetDateTime::from_unix_timestamp(
                time::macros::datetime!(2027-06-01 12:00 UTC).unix_timestamp() + hour * 3600,
            )
            .expect("time"),
        );
        for _ in 0..4 {
            assert!(
                resend("stranger@clinic.org")
                    .await
                    .contains("If an account with that address")
            );
        }
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE kind = 'address-confirmation'")
            .await,
        5
    );

    // Opening the newest link (a mail gateway does it) confirms nothing; it leads to sign-in.
    // Read from the outbox table, newest first (the files of one delivery round share a
    // time stamp).
    let raw: Vec<u8> = sqlx::query_scalar(
        "SELECT raw FROM outbox WHERE kind = 'address-confirmation' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(&app.state.pool)
    .await
    .expect("the newest link");
    let newest = site_link(
        &crate::smtp::part(&String::from_utf8_lossy(&raw), "text/plain").expect("text"),
        "/confirm-address?token=",
    );
    let token = token_of(&newest);
    let opened = app.get(&newest).await;
    assert_eq!(opened.location(), format!("/login?confirm={token}"));
    assert!(opened.session_cookie().is_none());
    assert!(
        landing(&app, &opened)
            .await
            .contains("To confirm stranger@clinic.org, sign in with the password you chose")
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users WHERE email_confirmed_at IS NULL")
            .await,
        1
    );
    // The link with the wrong password, or an older link with the right one: refused.
    let wrong = sign_in_with(
        &app,
        "stranger@clinic.org",
        "not the password at all",
        Some(&token),
    )
    .await;
    assert!(wrong.session_cookie().is_none());
    let old = sign_in_with(
        &app,
        "stranger@clinic.org",
        PASSWORD,
        Some(&token_of(&first)),
    )
    .await;
    assert!(old.session_cookie().is_none());
    assert!(landing(&app, &old).await.contains("only the newest works"));
    // The newest link with the password chosen: confirmed and signed in.
    let confirmed = sign_in_with(&app, "stranger@clinic.org", PASSWORD, Some(&token)).await;
    assert_eq!(confirmed.location(), "/account");
    let owner = confirmed.session_cookie().expect("signed in");
    assert!(
        landing(&app, &confirmed)
            .await
            .contains("stranger@clinic.org is confirmed and you are signed in")
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'account.confirm'")
            .await,
        1
    );
    let registered = app
        .post_form(
            "/webinars/register",
            &[("webinar", "store-and-forward-case-conference")],
            Some(&owner),
        )
        .await;
    assert!(
        landing(&app, &registered)
            .await
            .contains("You are registered")
    );
}

/// Someone registers a colleague's address first; the administrators then invite that
/// address as an educator. The invitation is not refused, its link proves the address, and
/// the one who accepts it takes the account over: the squatter's password stops working,
/// and the squatter never had the role.
#[tokio::test]
async fn an_invitation_to_a_squatted_address_goes_to_its_owner() {
    let app = TestApp::new().await;
    let admin = app.user("admin@clinic.org", Role::Admin).await;
    register_unconfirmed(&app, "kim@clinic.org", "Squatter").await;
    let sent = invite(&app, &admin.cookie, "kim@clinic.org", "educator").await;
    let page = app.get_as(sent.location(), &admin.cookie).await;
    page.assert_contains("kim@clinic.org is invited as Educator");
    let link = invitation_link(&app, "kim@clinic.org").await;
    let accepted = app
        .post_form("/invitation/accept", &acceptance(&token_of(&link)), None)
        .await;
    assert_eq!(accepted.location(), "/account", "{}", accepted.body);
    let owner = accepted.session_cookie().expect("signed in");
    let account = app.get_as("/account", &owner).await;
    account.assert_contains("Signed in as kim@clinic.org (Educator)");
    assert!(account.body.contains("value=\"Dr Kim Lee\""));
    assert!(
        !account.body.contains("value=\"1234567893\""),
        "the squatter's NPI is gone"
    );
    // The squatter's password no longer works; the owner's does.
    let login = sign_in_with(&app, "kim@clinic.org", PASSWORD, None).await;
    assert_eq!(login.location(), "/login");
    let login = sign_in_with(&app, "kim@clinic.org", NEW_PASSWORD, None).await;
    assert_eq!(login.location(), "/account");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users WHERE email = 'kim@clinic.org'")
            .await,
        1
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'invitation.accept' \
             AND detail LIKE '%taking over the unconfirmed account%'"
        )
        .await,
        1
    );
}

/// The address's owner takes a squatted account back with a password reset: the reset
/// proves the address, confirms it, and clears what the squatter wrote about its owner.
#[tokio::test]
async fn a_reset_takes_a_squatted_account_back_and_clears_the_squatters_details() {
    let app = TestApp::new().await;
    register_unconfirmed(&app, "lee@clinic.org", "Squatter").await;
    let link = reset_link(&app, "lee@clinic.org").await;
    let done = set_password(&app, &token_of(&link), NEW_PASSWORD).await;
    assert_eq!(done.location(), "/account", "{}", done.body);
    let account = app
        .get_as("/account", &done.session_cookie().expect("signed in"))
        .await;
    assert!(
        !account.body.contains("value=\"1234567893\""),
        "the squatter's NPI is gone"
    );
    assert!(!account.body.contains("is not confirmed yet"));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users WHERE email_confirmed_at IS NULL")
            .await,
        0
    );
    assert_eq!(
        sign_in_with(&app, "lee@clinic.org", PASSWORD, None)
            .await
            .location(),
        "/login"
    );
}

/// The confirmation's writes under a crowd and bad input: the same link signed in with 20
/// times at once confirms once (one audit entry); 20 requests for a new link at once send
/// no more than the hour allows; a field sent twice or a 100 KB address gets a message and
/// sends nothing.
#[tokio::test]
async fn confirming_and_resending_hold_under_a_crowd_and_bad_input() {
    let app = TestApp::new().await;
    let link = register_unconfirmed(&app, "noor@clinic.org", "Noor Haddad").await;
    let token = token_of(&link);

    let twice = app
        .post_form(
            "/account/confirmation",
            &[
                ("resend_email", "noor@clinic.org"),
                ("resend_email", "x@clinic.org"),
            ],
            None,
        )
        .await;
    assert!(
        landing(&app, &twice)
            .await
            .contains("was sent more than once"),
        "field twice"
    );
    let long = format!("{}@clinic.org", "a".repeat(100 * 1024));
    let long = app
        .post_form("/account/confirmation", &[("resend_email", &long)], None)
        .await;
    assert!(
        landing(&app, &long)
            .await
            .contains("at most 254 characters")
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE kind = 'address-confirmation'")
            .await,
        1
    );

    let resends = (0..20).map(|_| {
        app.post_form(
            "/account/confirmation",
            &[("resend_email", "noor@clinic.org")],
            None,
        )
    });
    for page in futures::future::join_all(resends).await {
        assert_eq!(page.location(), "/login");
    }
    assert!(
        app.count("SELECT COUNT(*) FROM outbox WHERE kind = 'address-confirmation'")
            .await
            <= 3
    );

    // The newest link, signed in with 20 times at once: one confirmation.
    let raw: Vec<u8> = sqlx::query_scalar(
        "SELECT raw FROM outbox WHERE kind = 'address-confirmation' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(&app.state.pool)
    .await
    .expect("the newest link");
    let newest = token_of(&site_link(
        &crate::smtp::part(&String::from_utf8_lossy(&raw), "text/plain").expect("text"),
        "/confirm-address?token=",
    ));
    // A new link replaced the first one, which no longer confirms.
    assert_ne!(newest, token);
    let tries = (0..20).map(|_| sign_in_with(&app, "noor@clinic.org", PASSWORD, Some(&newest)));
    let answers = futures::future::join_all(tries).await;
    assert!(answers.iter().any(|page| page.location() == "/account"));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'account.confirm'")
            .await,
        1
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users WHERE email_confirmed_at IS NULL")
            .await,
        0
    );
}
