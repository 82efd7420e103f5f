//! Accounts end to end through the real router: register, sign in, account, sign out,
//! cookies, session ids, throttling, cross-site posts, password change.

use crate::support::{ORIGIN, PASSWORD, TestApp};
use axum::body::Body;
use http::{Request, StatusCode};

fn registration<'a>(email: &'a str, password: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("email", email),
        ("password", password),
        ("full_name", "Lee Park"),
        ("profession", "nurse"),
        ("npi", "1234567893"),
        ("licence_number", "RN-12345"),
        ("licence_state", "nm"),
        ("board_id", ""),
        ("birth_month", "2"),
        ("birth_day", "29"),
        ("consent_reporting", "yes"),
    ]
}

async fn users(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(&app.state.pool)
        .await
        .expect("count")
}

/// Registers (signed in by no one), confirms the address through the mailed link, signs in
/// and returns the session cookie.
async fn register(app: &TestApp, email: &str) -> String {
    let page = app
        .post_form("/account/register", &registration(email, PASSWORD), None)
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert_eq!(page.location(), "/login");
    assert!(page.session_cookie().is_none());
    // Before its link, the account does not sign in: the same words as a wrong password.
    let early = sign_in(app, email, PASSWORD, None).await;
    assert_eq!(early.location(), "/login");
    assert!(early.session_cookie().is_none());
    app.confirm_address(email)
        .await
        .session_cookie()
        .expect("a session cookie")
}

async fn sign_in(
    app: &TestApp,
    email: &str,
    password: &str,
    cookie: Option<&str>,
) -> crate::support::Page {
    app.post_form(
        "/account/login",
        &[
            ("email", email),
            ("password", password),
            ("next", "/courses"),
        ],
        cookie,
    )
    .await
}

#[tokio::test]
async fn register_sign_in_account_and_sign_out() {
    let app = TestApp::new().await;
    let cookie = register(&app, "Lee.Park@Clinic.org").await;

    let account = app.get_as("/account", &cookie).await;
    assert_eq!(account.status, StatusCode::OK);
    assert!(!account.body.contains("Send the link again"));
    account.assert_contains("Signed in as lee.park@clinic.org (Learner)");
    account.assert_contains("value=\"Lee Park\"");
    account.assert_contains("value=\"1234567893\"");
    account.assert_contains("value=\"NM\"");

    let out = app.post_form("/account/logout", &[], Some(&cookie)).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    let after = app.get_as("/account", &cookie).await;
    assert_eq!(
        after.status,
        StatusCode::SEE_OTHER,
        "the old session no longer signs in"
    );
    assert_eq!(after.location(), "/login?next=/account");

    let login = sign_in(&app, "lee.park@clinic.org", PASSWORD, None).await;
    assert_eq!(login.status, StatusCode::SEE_OTHER);
    assert_eq!(login.location(), "/courses");
    let cookie = login.session_cookie().expect("cookie");
    assert_eq!(app.get_as("/account", &cookie).await.status, StatusCode::OK);
}

#[tokio::test]
async fn the_session_cookie_is_http_only_and_lax_and_secure_over_https() {
    let app = TestApp::new().await;
    register(&app, "a@clinic.org").await;
    let page = sign_in(&app, "a@clinic.org", PASSWORD, None).await;
    let cookie = page.set_cookie().expect("set-cookie");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(cookie.contains("Path=/"), "{cookie}");
    assert!(!cookie.contains("Secure"), "plain http here: {cookie}");

    let dir = tempfile::tempdir().expect("dir");
    let mut state = TestApp::start_on(dir.path(), &crate::support::demo_content()).await;
    state.public_url = "https://cme.example.org".into();
    let router = server::build_router(state);
    let response = tower::ServiceExt::oneshot(
        router,
        Request::post("/account/login")
            .header("origin", "https://cme.example.org")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from("email=x%40y.org&password=nope"))
            .expect("request"),
    )
    .await
    .expect("response");
    let cookie = response
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(cookie.contains("Secure"), "{cookie}");
}

#[tokio::test]
async fn signing_in_issues_a_new_session_id() {
    let app = TestApp::new().await;
    // A session that already exists (here the one registration started) gets a new id.
    let before = register(&app, "lee@clinic.org").await;
    // A failed attempt keeps its message in a cookie, never in a new session row.
    let failed = sign_in(&app, "lee@clinic.org", "wrong password here", None).await;
    assert_eq!(
        failed.session_cookie(),
        None,
        "no session for an anonymous echo"
    );
    let ok = sign_in(&app, "lee@clinic.org", PASSWORD, Some(&before)).await;
    let after = ok.session_cookie().expect("new session");
    assert_ne!(before, after);
    assert_eq!(app.get_as("/account", &after).await.status, StatusCode::OK);
    assert_eq!(
        app.get_as("/account", &before).await.status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn bad_registration_keeps_typed_values_names_fields_and_writes_nothing() {
    let app = TestApp::new().await;
    let mut fields = registration("lee@clinic.org", "short");
    fields[4] = ("npi", "1234567890");
    fields[8] = ("birth_month", "4");
    fields[9] = ("birth_day", "31");
    let page = app.post_form("/account/register", &fields, None).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location(), "/register");
    assert_eq!(users(&app).await, 0);

    let cookie = page.cookies().expect("cookie");
    let form = app.get_as("/register", &cookie).await;
    form.assert_contains("Please correct the 3 fields marked below.");
    form.assert_contains("this NPI's check digit does not match");
    form.assert_contains("use at least 12 characters");
    form.assert_contains("month 4 has days 1 to 30");
    form.assert_contains("value=\"lee@clinic.org\"");
    form.assert_contains("value=\"Lee Park\"");
    form.assert_contains("value=\"1234567890\"");
    assert!(
        !form.body.contains("value=\"short\""),
        "passwords are never sent back"
    );

    // Shown once: the page clears the cookie, so a reload is a clean form.
    let clear = form
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("gr_form="))
        .expect("the form-state cookie is cleared")
        .to_owned();
    assert!(
        clear.starts_with("gr_form=;") && clear.contains("Max-Age=0"),
        "{clear}"
    );
    let again = app.get("/register").await;
    assert!(!again.body.contains("check digit"));
    // A forged or altered cookie shows nothing.
    let forged = cookie.replacen("gr_form=", "gr_form=9", 1);
    assert!(
        !app.get_as("/register", &forged)
            .await
            .body
            .contains("check digit")
    );
}

#[tokio::test]
async fn over_long_fields_and_unreadable_bodies_get_messages() {
    let app = TestApp::new().await;
    let long_name = "x".repeat(500);
    let long_email = format!("{}@clinic.org", "a".repeat(300));
    let mut fields = registration(&long_email, PASSWORD);
    fields[2] = ("full_name", &long_name);
    let page = app.post_form("/account/register", &fields, None).await;
    let cookie = page.cookies().expect("cookie");
    let form = app.get_as("/register", &cookie).await;
    form.assert_contains("at most 254 characters");
    form.assert_contains("a name has at most 120 characters");
    assert_eq!(users(&app).await, 0);

    let page = app
        .request(
            Request::post("/account/register")
                .header("origin", ORIGIN)
                .header("content-type", "application/json")
                .body(Body::from("{\"email\":1}"))
                .expect("request"),
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let form = app
        .get_as("/register", &page.cookies().expect("cookie"))
        .await;
    form.assert_contains("The form could not be read");
    assert_eq!(users(&app).await, 0);
}

/// Registration does not say whether an address has an account: a taken address and a new
/// one get the same answer (no one signed in either way), and the mail says what happened:
/// a confirmation link to the new address, "you have an account" with a way back in to the
/// taken one.
#[tokio::test]
async fn a_taken_email_gets_the_same_answer_and_its_owner_is_told_by_mail() {
    let app = TestApp::new().await;
    register(&app, "lee@clinic.org").await;
    let answer = |email: &'static str| {
        let app = &app;
        async move {
            let page = app
                .post_form(
                    "/account/register",
                    &registration(email, "another fine passphrase"),
                    None,
                )
                .await;
            assert_eq!(page.status, StatusCode::SEE_OTHER);
            assert!(page.session_cookie().is_none(), "no one is signed in");
            let landing = app
                .get_as(page.location(), &page.cookies().expect("cookie"))
                .await;
            (page.location().to_owned(), landing.body)
        }
    };
    let (taken_to, taken) = answer("LEE@clinic.org").await;
    let (new_to, new) = answer("noor@clinic.org").await;
    assert_eq!(taken_to, new_to);
    assert!(taken.contains("We sent a message to lee@clinic.org: it says what to do next."));
    assert!(new.contains("We sent a message to noor@clinic.org: it says what to do next."));
    for page in [&taken, &new] {
        assert!(!page.contains("cannot be registered again"), "{page}");
        assert!(!page.contains("already"), "{page}");
    }
    assert_eq!(users(&app).await, 2);
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM outbox WHERE kind = 'account-exists' AND recipient LIKE '%lee@clinic.org%'"
        )
        .await,
        1
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM outbox WHERE kind = 'address-confirmation' AND recipient LIKE '%noor@clinic.org%'"
        )
        .await,
        1
    );
    // The owner's password still works; the stranger's did not replace it.
    let page = sign_in(&app, "lee@clinic.org", PASSWORD, None).await;
    assert_eq!(page.location(), "/courses");
}

#[tokio::test]
async fn repeated_failures_lock_the_account_with_the_same_generic_message() {
    let app = TestApp::new().await;
    register(&app, "lee@clinic.org").await;
    let message =
        |page: &crate::support::Page| page.body.contains("The email or password is not right");

    let unknown = sign_in(&app, "nobody@clinic.org", "whatever it may be", None).await;
    let unknown_page = app
        .get_as("/login", &unknown.cookies().expect("cookie"))
        .await;
    let wrong = sign_in(&app, "lee@clinic.org", "not the password", None).await;
    let wrong_page = app
        .get_as("/login", &wrong.cookies().expect("cookie"))
        .await;
    assert_eq!(unknown.status, wrong.status);
    assert_eq!(unknown.location(), wrong.location());
    assert!(message(&unknown_page) && message(&wrong_page));
    unknown_page.assert_contains("value=\"nobody@clinic.org\"");

    for _ in 0..10 {
        sign_in(&app, "lee@clinic.org", "not the password", None).await;
    }
    let locked = sign_in(&app, "lee@clinic.org", PASSWORD, None).await;
    assert_eq!(
        locked.location(),
        "/login",
        "the right password is refused while locked"
    );
    let page = app
        .get_as("/login", &locked.cookies().expect("cookie"))
        .await;
    assert!(message(&page));
}

#[tokio::test]
async fn cross_site_posts_are_refused_and_change_nothing() {
    let app = TestApp::new().await;
    for origin in [Some("https://evil.example"), Some("null"), None] {
        let mut request = Request::post("/account/register")
            .header("content-type", "application/x-www-form-urlencoded");
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        let body = "email=a%40b.org&password=river+lantern+quietly&full_name=A&profession=nurse";
        let page = app
            .request(request.body(Body::from(body)).expect("request"))
            .await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{origin:?}");
        page.assert_contains("did not come from a Grand Rounds page");
    }
    // Server functions too.
    let page = app
        .request(
            Request::post("/api/courses")
                .header("origin", "https://evil.example")
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert_eq!(users(&app).await, 0);
    // A same-site Referer without Origin is accepted.
    let page = app
        .request(
            Request::post("/account/logout")
                .header("referer", format!("{ORIGIN}/account"))
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn changing_the_password_ends_the_other_sessions() {
    let app = TestApp::new().await;
    let first = register(&app, "lee@clinic.org").await;
    let second = sign_in(&app, "lee@clinic.org", PASSWORD, None)
        .await
        .session_cookie()
        .expect("cookie");

    let wrong = app
        .post_form(
            "/account/password",
            &[
                ("current_password", "not it at all"),
                ("new_password", "a brand new passphrase"),
            ],
            Some(&first),
        )
        .await;
    let page = app
        .get_as("/account", &wrong.session_cookie().unwrap_or(first.clone()))
        .await;
    page.assert_contains("this is not your current password");

    let changed = app
        .post_form(
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "a brand new passphrase"),
            ],
            Some(&first),
        )
        .await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER);
    let current = changed
        .session_cookie()
        .expect("the changing session gets a new id");
    let page = app.get_as("/account", &current).await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("Every other session of your account has been signed out.");
    assert_eq!(
        app.get_as("/account", &second).await.status,
        StatusCode::SEE_OTHER,
        "other session ended"
    );
    assert_eq!(
        app.get_as("/account", &first).await.status,
        StatusCode::SEE_OTHER,
        "old id ended"
    );

    assert_eq!(
        sign_in(&app, "lee@clinic.org", PASSWORD, None)
            .await
            .location(),
        "/login"
    );
    assert_eq!(
        sign_in(&app, "lee@clinic.org", "a brand new passphrase", None)
            .await
            .location(),
        "/courses"
    );
}

#[tokio::test]
async fn profile_updates_are_validated_and_saved() {
    let app = TestApp::new().await;
    let cookie = register(&app, "lee@clinic.org").await;
    let bad = app
        .post_form(
            "/account/profile",
            &[
                ("full_name", "Lee Park-Ortiz"),
                ("profession", "nurse"),
                ("npi", "12"),
            ],
            Some(&cookie),
        )
        .await;
    let cookie = bad.session_cookie().unwrap_or(cookie);
    let page = app.get_as("/account", &cookie).await;
    page.assert_contains("an NPI is exactly 10 digits");
    page.assert_contains("value=\"Lee Park-Ortiz\"");

    let good = app
        .post_form(
            "/account/profile",
            &[
                ("full_name", "Lee Park-Ortiz"),
                ("profession", "pharmacist"),
            ],
            Some(&cookie),
        )
        .await;
    assert_eq!(good.status, StatusCode::SEE_OTHER);
    let page = app
        .get_as("/account", &good.session_cookie().unwrap_or(cookie))
        .await;
    page.assert_contains("Your profile is saved.");
    page.assert_contains("value=\"Lee Park-Ortiz\"");
    page.assert_contains("<option value=\"pharmacist\" selected");
    let consent: i64 =
        sqlx::query_scalar("SELECT CASE WHEN consent_reporting THEN 1 ELSE 0 END FROM users")
            .fetch_one(&app.state.pool)
            .await
            .expect("consent");
    assert_eq!(consent, 0, "an unticked box withdraws consent");
}

#[tokio::test]
async fn signed_out_readers_are_sent_to_sign_in() {
    let app = TestApp::new().await;
    let page = app.get("/account").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location(), "/login?next=/account");
    let page = app
        .post_form("/account/profile", &[("full_name", "X")], None)
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location(), "/login?next=/account");
    assert_eq!(app.get("/api/profile").await.status.as_u16() / 100, 4);
}

#[tokio::test]
async fn a_database_error_while_checking_the_session_never_signs_anyone_out() {
    let app = TestApp::new().await;
    let user = app.learner("lee@clinic.org").await;
    // The user lookup fails (as on a database that stops answering), the session store works.
    sqlx::query("ALTER TABLE users RENAME TO users_away")
        .execute(&app.state.pool)
        .await
        .expect("rename");
    let failed = app.get_as("/account", &user.cookie).await;
    assert_eq!(failed.status, StatusCode::SERVICE_UNAVAILABLE);
    failed.assert_contains("You are still signed in");
    // Pages anyone may read go on.
    let catalog = app.get_as("/courses", &user.cookie).await;
    assert_eq!(catalog.status, StatusCode::OK);
    assert!(
        !failed.body.contains("users"),
        "no cause shown: {}",
        failed.body
    );
    sqlx::query("ALTER TABLE users_away RENAME TO users")
        .execute(&app.state.pool)
        .await
        .expect("rename back");
    // The same cookie is still signed in.
    let page = app.get_as("/account", &user.cookie).await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("lee@clinic.org");
}

/// A name is what certificates are made out to: a change is in the audit log, old and new.
#[tokio::test]
async fn a_name_change_is_kept_in_the_audit_log() {
    let app = TestApp::new().await;
    let cookie = register(&app, "lee@clinic.org").await;
    let saved = app
        .post_form(
            "/account/profile",
            &[("full_name", "Lee Park-Ortiz"), ("profession", "nurse")],
            Some(&cookie),
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let (action, detail): (String, String) =
        sqlx::query_as("SELECT action, detail FROM audit_log WHERE action = 'profile.name'")
            .fetch_one(&app.state.pool)
            .await
            .expect("the change is audited");
    assert_eq!(action, "profile.name");
    assert!(detail.contains("\"Lee Park-Ortiz\""), "{detail}");
    assert!(detail.contains("changed from \""), "{detail}");
    // Saving the same name again adds nothing.
    app.post_form(
        "/account/profile",
        &[("full_name", "Lee Park-Ortiz"), ("profession", "nurse")],
        Some(&saved.session_cookie().unwrap_or(cookie)),
    )
    .await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'profile.name'")
            .await,
        1
    );
}

/// A signed-in page view does not write the session: it is written (its inactivity expiry
/// moved on) at most once a minute, and when something is kept in it.
#[tokio::test]
async fn page_views_write_the_session_at_most_once_a_minute() {
    let app = TestApp::new().await;
    let learner = app.learner("pat@clinic.org").await;
    // The first signed-in request records when the expiry last moved.
    app.get_as("/account", &learner.cookie).await;
    let before = app.state.sessions.writes();
    for path in [
        "/account",
        "/courses/telehealth-for-clinical-teams",
        "/courses/telehealth-for-clinical-teams/modalities",
        "/learning",
        "/transcript",
        "/account",
    ] {
        let page = app.get_as(path, &learner.cookie).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
    }
    assert_eq!(
        app.state.sessions.writes(),
        before,
        "no page view wrote the session"
    );
    // A form whose messages are kept writes it, as it must.
    let page = app
        .post_form(
            "/account/profile",
            &[("full_name", "")],
            Some(&learner.cookie),
        )
        .await;
    assert!(page.status.is_redirection(), "{}", page.status);
    assert!(app.state.sessions.writes() > before);
}

/// A page view reads its session and user from copies at most `read_cache::FRESH` old;
/// a change this app server makes drops them at once, and a change made elsewhere (another
/// app server on the same database, or the command line) is seen within that time.
#[tokio::test]
async fn a_change_made_elsewhere_is_seen_within_the_copies_lifetime() {
    let app = TestApp::new().await;
    let user = app.learner("lee@clinic.org").await;
    let page = app.get_as("/account", &user.cookie).await;
    assert_eq!(page.status, StatusCode::OK);
    // Another app server ends the user's sessions, as a password change there does.
    sqlx::query("UPDATE users SET session_version = session_version + 1 WHERE id = $1")
        .bind(user.id)
        .execute(&app.state.pool)
        .await
        .expect("update");
    tokio::time::sleep(server::read_cache::FRESH + std::time::Duration::from_millis(100)).await;
    assert_eq!(
        app.get_as("/account", &user.cookie).await.status,
        StatusCode::SEE_OTHER,
        "the session ended on this server too"
    );
}
