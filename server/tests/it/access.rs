//! Authorization: every route has a rule, and every rule holds for anonymous readers,
//! learners, educators and administrators, and against other users' records.

use crate::support::{ORIGIN, TestApp};
use app::model::{Profession, Role};
use axum::body::Body;
use http::{Method, Request, StatusCode};
use server::access::{RULES, Rule, all_routes, routes_without_rules};
use server::accounts::store::{self, NewUser, ProfileUpdate};

const PASSWORD: &str = "river lantern quietly";

#[tokio::test]
async fn every_page_server_function_and_handler_has_a_rule() {
    let pages: Vec<String> = leptos_axum::generate_route_list(app::App)
        .iter()
        .map(|route| route.path().to_owned())
        .collect();
    let routes = all_routes(pages, &[]);
    assert!(routes.len() >= 15, "{routes:?}");
    assert!(
        routes.iter().any(|(_, p)| p == "/api/admin-users"),
        "server functions are listed"
    );
    assert_eq!(routes_without_rules(&routes), Vec::<String>::new());
    assert!(
        !routes_without_rules(&[("GET".into(), "/api/not-declared".into())]).is_empty(),
        "an undeclared route is caught"
    );
}

pub(crate) async fn add_user(app: &TestApp, email: &str, role: Role) -> i64 {
    let hash = app.state.hasher.hash(PASSWORD.into()).await.expect("hash");
    let user = NewUser {
        email: email.into(),
        password_hash: hash,
        full_name: format!("{role} user"),
        profession: Profession::Physician,
        role,
    };
    store::create_with_profile(&app.state.pool, &user, &ProfileUpdate::default())
        .await
        .expect("create")
}

pub(crate) async fn sign_in(app: &TestApp, email: &str) -> String {
    let page = app
        .post_form(
            "/account/login",
            &[("email", email), ("password", PASSWORD)],
            None,
        )
        .await;
    assert_eq!(page.location(), "/account", "{email} signs in");
    page.session_cookie().expect("cookie")
}

fn concrete(pattern: &str) -> String {
    pattern
        .replace("{course}", "telehealth-for-clinical-teams")
        .replace("{lesson}", "modalities")
}

/// Whether the response means the request was let through to its handler.
fn got_through(status: StatusCode, location: Option<&str>) -> bool {
    // The access check sends signed-out readers to `/login?next=…`; a handler's own answer
    // (a failed sign-in going back to /login) is not a refusal.
    let to_login = location.is_some_and(|l| l.starts_with("/login?next="));
    !(status == StatusCode::UNAUTHORIZED
        || status == StatusCode::FORBIDDEN
        || (status.is_redirection() && to_login))
}

#[tokio::test]
async fn the_access_matrix_has_no_unauthorised_successes() {
    let app = TestApp::new().await;
    let roles = [
        ("anonymous", None),
        ("learner", Some(("learner@clinic.org", Role::Learner))),
        ("educator", Some(("educator@clinic.org", Role::Educator))),
        ("admin", Some(("admin@clinic.org", Role::Admin))),
    ];
    for (_, account) in &roles {
        if let Some((email, role)) = account {
            add_user(&app, email, *role).await;
        }
    }
    let mut checked = 0;
    let mut unauthorised_successes = Vec::new();
    let mut wrongly_refused = Vec::new();
    for (method, pattern, rule) in RULES {
        for (name, account) in &roles {
            // A fresh session per request: some handlers (sign-out) end the session.
            let cookie = match account {
                Some((email, _)) => Some(sign_in(&app, email).await),
                None => None,
            };
            let path = concrete(pattern);
            let mut request = Request::builder()
                .method(Method::from_bytes(method.as_bytes()).expect("method"))
                .uri(&path)
                .header("origin", ORIGIN)
                .header("accept", "text/html")
                .header("content-type", "application/x-www-form-urlencoded");
            if let Some(cookie) = &cookie {
                request = request.header("cookie", cookie);
            }
            let page = app
                .request(request.body(Body::empty()).expect("request"))
                .await;
            let location = page.headers.get("location").and_then(|v| v.to_str().ok());
            let through = got_through(page.status, location);
            let viewer = account.map(|(_, role)| app::model::Viewer {
                id: 0,
                name: String::new(),
                role,
            });
            let allowed = rule.allows(viewer.as_ref());
            if through && !allowed {
                unauthorised_successes.push(format!("{name} {method} {path} -> {}", page.status));
            }
            if !through && allowed {
                wrongly_refused.push(format!("{name} {method} {path} -> {}", page.status));
            }
            checked += 1;
        }
    }
    assert_eq!(checked, RULES.len() * 4);
    assert_eq!(
        unauthorised_successes,
        Vec::<String>::new(),
        "0 unauthorised successes"
    );
    assert_eq!(wrongly_refused, Vec::<String>::new());
    assert!(RULES.iter().any(|(_, _, rule)| *rule == Rule::Admin));
}

#[tokio::test]
async fn a_learner_cannot_touch_other_users_records() {
    let app = TestApp::new().await;
    let learner = add_user(&app, "learner@clinic.org", Role::Learner).await;
    let other = add_user(&app, "other@clinic.org", Role::Learner).await;
    let cookie = sign_in(&app, "learner@clinic.org").await;

    // Making someone else (or oneself) an administrator is refused and changes nothing.
    for target in [other, learner] {
        let page = app
            .post_form(
                "/admin/users/role",
                &[("user_id", &target.to_string()), ("role", "admin")],
                Some(&cookie),
            )
            .await;
        assert_eq!(page.status, StatusCode::FORBIDDEN);
    }
    let admins: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE role = 'admin'")
        .fetch_one(&app.state.pool)
        .await
        .expect("count");
    assert_eq!(admins, 0);

    // The account page and profile endpoint only ever show the signed-in user's own data.
    let page = app.get_as("/account", &cookie).await;
    page.assert_contains("learner@clinic.org");
    assert!(!page.body.contains("other@clinic.org"));
    let api = app.get_as("/api/profile", &cookie).await;
    assert!(api.body.contains("learner@clinic.org") && !api.body.contains("other@clinic.org"));
    // A profile post changes the poster's record only.
    app.post_form(
        "/account/profile",
        &[("full_name", "Renamed"), ("profession", "nurse")],
        Some(&cookie),
    )
    .await;
    let other_name: String = sqlx::query_scalar("SELECT full_name FROM users WHERE id = ?")
        .bind(other)
        .fetch_one(&app.state.pool)
        .await
        .expect("name");
    assert_eq!(other_name, "learner user");
}

#[tokio::test]
async fn administrators_search_page_and_change_roles_with_an_audit_record() {
    let app = TestApp::new().await;
    let admin = add_user(&app, "admin@clinic.org", Role::Admin).await;
    for i in 0..30 {
        add_user(&app, &format!("nurse{i:02}@clinic.org"), Role::Learner).await;
    }
    let cookie = sign_in(&app, "admin@clinic.org").await;
    let list = app.get_as("/admin/users", &cookie).await;
    assert_eq!(list.status, StatusCode::OK);
    list.assert_contains("31 accounts, page 1 of 2");
    let second = app.get_as("/admin/users?page=2", &cookie).await;
    second.assert_contains("page 2 of 2");
    let search = app.get_as("/admin/users?q=nurse07", &cookie).await;
    search.assert_contains("1 account, page 1 of 1");
    search.assert_contains("nurse07@clinic.org");

    let target: i64 = sqlx::query_scalar("SELECT id FROM users WHERE email = 'nurse07@clinic.org'")
        .fetch_one(&app.state.pool)
        .await
        .expect("id");
    let page = app
        .post_form(
            "/admin/users/role",
            &[
                ("user_id", &target.to_string()),
                ("role", "educator"),
                ("q", "nurse07"),
                ("page", "1"),
            ],
            Some(&cookie),
        )
        .await;
    assert_eq!(page.location(), "/admin/users?q=nurse07&page=1");
    let after = app
        .get_as(
            page.location(),
            &page.session_cookie().unwrap_or(cookie.clone()),
        )
        .await;
    after.assert_contains("is now: Educator.");
    let (actor, detail): (i64, String) = sqlx::query_as("SELECT actor_id, detail FROM audit_log")
        .fetch_one(&app.state.pool)
        .await
        .expect("audit");
    assert_eq!((actor, detail.as_str()), (admin, "learner -> educator"));

    // An administrator cannot demote themselves; a bad role is refused.
    app.post_form(
        "/admin/users/role",
        &[("user_id", &admin.to_string()), ("role", "learner")],
        Some(&cookie),
    )
    .await;
    app.post_form(
        "/admin/users/role",
        &[("user_id", &target.to_string()), ("role", "king")],
        Some(&cookie),
    )
    .await;
    let roles: Vec<String> =
        sqlx::query_scalar("SELECT role FROM users WHERE id IN (?, ?) ORDER BY id")
            .bind(admin)
            .bind(target)
            .fetch_all(&app.state.pool)
            .await
            .expect("roles");
    assert_eq!(roles, ["admin", "educator"]);
}
