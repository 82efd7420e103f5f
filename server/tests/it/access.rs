//! Authorization: every route has a rule, and every rule holds for anonymous readers,
//! learners, educators and administrators, and against other users' records.

use crate::support::{ORIGIN, TestApp};
use app::accounts::Role;
use axum::body::Body;
use http::{Method, Request, StatusCode};
use server::access::Rule;
use std::collections::BTreeSet;

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

/// One row of `access_matrix.txt`.
struct Expected {
    method: String,
    path: String,
    /// Anonymous, learner, educator, administrator.
    through: [bool; 4],
    cache: bool,
    /// Served only to the record's owner or an administrator (`Rule::OwnerOrAdmin`), or to
    /// the activity's organizers and administrators (`Rule::ActivityOwner`).
    own: bool,
}

fn oracle() -> Vec<Expected> {
    let text = include_str!("access_matrix.txt");
    let mut rows = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let words: Vec<&str> = line.split_whitespace().collect();
        assert!(
            words.len() >= 7,
            "access_matrix.txt:{}: method, path, four y/n and cache or -",
            number + 1
        );
        let yes = |word: &str| match word {
            "y" => true,
            "n" => false,
            other => panic!("access_matrix.txt:{}: {other:?} is not y or n", number + 1),
        };
        rows.push(Expected {
            method: words[0].to_owned(),
            path: words[1].to_owned(),
            through: [yes(words[2]), yes(words[3]), yes(words[4]), yes(words[5])],
            cache: words[6] == "cache",
            own: words.get(7) == Some(&"own"),
        });
    }
    rows
}

#[tokio::test]
async fn the_route_table_and_the_oracle_list_the_same_routes() {
    let table = server::route_table();
    let served: BTreeSet<(String, String)> = table
        .routes()
        .iter()
        .map(|r| (r.method.to_string(), r.path.to_owned()))
        .collect();
    let expected: BTreeSet<(String, String)> = oracle()
        .iter()
        .map(|r| (r.method.clone(), r.path.clone()))
        .collect();
    assert_eq!(
        served.difference(&expected).collect::<Vec<_>>(),
        Vec::<&(String, String)>::new(),
        "served but not in access_matrix.txt"
    );
    assert_eq!(
        expected.difference(&served).collect::<Vec<_>>(),
        Vec::<&(String, String)>::new(),
        "in access_matrix.txt but not served"
    );
    // The rules themselves, not only the answers: a handler that refuses on its own would
    // hide a rule made looser by mistake from the requests in the next test.
    let viewers = [
        None,
        Some(Role::Learner),
        Some(Role::Educator),
        Some(Role::Admin),
    ]
    .map(|role| {
        role.map(|role| app::accounts::Viewer {
            id: 1,
            name: String::new(),
            role,
        })
    });
    let mut wrong = Vec::new();
    for row in oracle() {
        let method = Method::from_bytes(row.method.as_bytes()).expect("method");
        let route = table.find(&method, &row.path).expect("listed");
        if route.cache != row.cache {
            wrong.push(format!("{} {}: page cache flag", row.method, row.path));
        }
        if matches!(route.rule, Rule::OwnerOrAdmin | Rule::ActivityOwner) != row.own {
            wrong.push(format!(
                "{} {}: rule {:?}, but access_matrix.txt says {}",
                row.method,
                row.path,
                route.rule,
                if row.own {
                    "owner only"
                } else {
                    "not owner-only"
                }
            ));
        }
        for (viewer, expected) in viewers.iter().zip(row.through) {
            if route.rule.allows(viewer.as_ref()) != expected {
                wrong.push(format!(
                    "{} {}: rule {:?} for {:?}",
                    row.method,
                    row.path,
                    route.rule,
                    viewer.as_ref().map(|v| v.role)
                ));
            }
        }
    }
    assert_eq!(
        wrong,
        Vec::<String>::new(),
        "differs from access_matrix.txt"
    );
    // Every Leptos page and server function is in the table (the start-up check, exercised).
    let pages: Vec<String> = leptos_axum::generate_route_list(app::App)
        .iter()
        .map(|route| route.path().to_owned())
        .collect();
    assert!(pages.len() >= 15, "{pages:?}");
    assert_eq!(
        table.mismatches(&pages, &server::access::server_fn_paths()),
        Vec::<String>::new()
    );
    assert!(
        !table
            .mismatches(&pages, &[("GET".into(), "/api/not-declared".into())])
            .is_empty(),
        "an undeclared server function is caught"
    );
}

#[tokio::test]
async fn the_access_matrix_matches_the_committed_oracle() {
    let app = TestApp::new().await;
    let roles = [
        ("anonymous", None),
        ("learner", Some("learner@clinic.org")),
        ("educator", Some("educator@clinic.org")),
        ("admin", Some("admin@clinic.org")),
    ];
    app.user("learner@clinic.org", Role::Learner).await;
    app.user("educator@clinic.org", Role::Educator).await;
    app.user("admin@clinic.org", Role::Admin).await;
    let rows = oracle();
    let mut checked = 0;
    let mut wrong = Vec::new();
    for row in &rows {
        for (index, (name, email)) in roles.iter().enumerate() {
            // A fresh session per request: some handlers (sign-out) end the session.
            let cookie = match email {
                Some(email) => Some(app.sign_in(email).await),
                None => None,
            };
            let path = concrete(&row.path);
            let mut request = Request::builder()
                .method(Method::from_bytes(row.method.as_bytes()).expect("method"))
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
            // A server error or an unmatched method proves nothing either way.
            if page.status.is_server_error() || page.status == StatusCode::METHOD_NOT_ALLOWED {
                wrong.push(format!("{name} {} {path} -> {}", row.method, page.status));
            } else if through != row.through[index] {
                wrong.push(format!(
                    "{name} {} {path} -> {} (expected {})",
                    row.method,
                    page.status,
                    if row.through[index] {
                        "through"
                    } else {
                        "refused"
                    }
                ));
            }
            checked += 1;
        }
    }
    assert_eq!(checked, rows.len() * 4);
    assert_eq!(
        wrong,
        Vec::<String>::new(),
        "differs from access_matrix.txt"
    );
    assert!(
        rows.iter()
            .any(|r| r.through == [false, false, false, true])
    );
}

#[tokio::test]
async fn a_learner_cannot_touch_other_users_records() {
    let app = TestApp::new().await;
    let learner = app.user("learner@clinic.org", Role::Learner).await.id;
    let other = app.user("other@clinic.org", Role::Learner).await.id;
    let cookie = app.sign_in("learner@clinic.org").await;

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
    let other_name: String = sqlx::query_scalar("SELECT full_name FROM users WHERE id = $1")
        .bind(other)
        .fetch_one(&app.state.pool)
        .await
        .expect("name");
    assert_eq!(other_name, "learner user");
}

#[tokio::test]
async fn administrators_search_page_and_change_roles_with_an_audit_record() {
    let app = TestApp::new().await;
    let admin = app.user("admin@clinic.org", Role::Admin).await.id;
    for i in 0..30 {
        app.user(&format!("nurse{i:02}@clinic.org"), Role::Learner)
            .await;
    }
    let cookie = app.sign_in("admin@clinic.org").await;
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
        sqlx::query_scalar("SELECT role FROM users WHERE id IN ($1, $2) ORDER BY id")
            .bind(admin)
            .bind(target)
            .fetch_all(&app.state.pool)
            .await
            .expect("roles");
    assert_eq!(roles, ["admin", "educator"]);
}
