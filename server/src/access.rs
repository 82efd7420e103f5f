//! Who may call what: one table with a rule for every page, form handler and server
//! function, enforced by one middleware before any handler runs. Handlers check again
//! where they act on a user's own records. A test fails when a route has no rule here.

use app::model::{Role, Viewer};
use axum::extract::Request;
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    Anyone,
    SignedIn,
    Educator,
    Admin,
}

impl Rule {
    pub fn allows(self, viewer: Option<&Viewer>) -> bool {
        match (self, viewer.map(|v| v.role)) {
            (Self::Anyone, _) => true,
            (_, None) => false,
            (Self::SignedIn, Some(_)) => true,
            (Self::Educator, Some(role)) => matches!(role, Role::Educator | Role::Admin),
            (Self::Admin, Some(role)) => role == Role::Admin,
        }
    }
}

/// `(method, path pattern, rule)`. `{name}` matches one path segment.
pub const RULES: &[(&str, &str, Rule)] = &[
    // Pages.
    ("GET", "/", Rule::Anyone),
    ("GET", "/courses", Rule::Anyone),
    ("GET", "/courses/{course}", Rule::Anyone),
    ("GET", "/courses/{course}/{lesson}", Rule::Anyone),
    ("GET", "/login", Rule::Anyone),
    ("GET", "/register", Rule::Anyone),
    ("GET", "/account", Rule::SignedIn),
    ("GET", "/admin/users", Rule::Admin),
    ("GET", "/admin/reports", Rule::Admin),
    ("GET", "/admin/certificates", Rule::Admin),
    ("POST", "/admin/certificates/bulk", Rule::Admin),
    ("POST", "/admin/certificates/issue", Rule::Admin),
    ("GET", "/admin/export.csv", Rule::Admin),
    ("GET", "/learning", Rule::SignedIn),
    ("GET", "/learning/{course}/quiz/{kind}", Rule::SignedIn),
    (
        "GET",
        "/learning/{course}/quiz/{kind}/{number}",
        Rule::SignedIn,
    ),
    ("GET", "/learning/{course}/credit", Rule::SignedIn),
    ("GET", "/healthz", Rule::Anyone),
    ("GET", "/certificates/{code}", Rule::SignedIn),
    ("GET", "/verify/{code}", Rule::Anyone),
    ("GET", "/certificates/{code}/credential.jwt", Rule::SignedIn),
    (
        "GET",
        "/certificates/{code}/certificate.pdf",
        Rule::SignedIn,
    ),
    ("GET", "/issuer", Rule::Anyone),
    ("GET", "/transcript", Rule::SignedIn),
    ("GET", "/transcript.csv", Rule::SignedIn),
    ("GET", "/transcript.pdf", Rule::SignedIn),
    ("POST", "/transcript/external", Rule::SignedIn),
    ("POST", "/transcript/external/remove", Rule::SignedIn),
    ("GET", "/issuer/jwks.json", Rule::Anyone),
    // Form handlers.
    ("POST", "/account/register", Rule::Anyone),
    ("POST", "/account/login", Rule::Anyone),
    ("POST", "/account/logout", Rule::Anyone),
    ("POST", "/account/profile", Rule::SignedIn),
    ("POST", "/account/password", Rule::SignedIn),
    ("POST", "/admin/users/role", Rule::Admin),
    ("POST", "/admin/certificates/revoke", Rule::Admin),
    ("POST", "/admin/certificates/reissue", Rule::Admin),
    ("POST", "/learning/enroll", Rule::SignedIn),
    ("POST", "/learning/complete", Rule::SignedIn),
    ("POST", "/learning/quiz", Rule::SignedIn),
    ("POST", "/learning/evaluation", Rule::SignedIn),
    ("POST", "/learning/claim", Rule::SignedIn),
    ("POST", "/learning/switch", Rule::SignedIn),
    // Server functions.
    ("GET", "/api/courses", Rule::Anyone),
    ("GET", "/api/course", Rule::Anyone),
    ("GET", "/api/lesson", Rule::Anyone),
    ("GET", "/api/viewer", Rule::Anyone),
    ("GET", "/api/form-state", Rule::Anyone),
    ("GET", "/api/profile", Rule::SignedIn),
    ("GET", "/api/admin-users", Rule::Admin),
    ("GET", "/api/enrollments", Rule::SignedIn),
    ("GET", "/api/enrollment", Rule::Anyone),
    ("GET", "/api/lesson-status", Rule::Anyone),
    ("GET", "/api/quiz", Rule::SignedIn),
    ("GET", "/api/attempt", Rule::SignedIn),
    ("GET", "/api/credit", Rule::SignedIn),
    ("GET", "/api/certificate", Rule::SignedIn),
    ("GET", "/api/verify", Rule::Anyone),
    ("GET", "/api/transcript", Rule::SignedIn),
    ("GET", "/api/report", Rule::Admin),
    ("GET", "/api/admin-certificates", Rule::Admin),
];

fn segments_match(pattern: &str, path: &str) -> bool {
    let pattern: Vec<&str> = pattern.trim_end_matches('/').split('/').collect();
    let path: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    pattern.len() == path.len()
        && pattern
            .iter()
            .zip(&path)
            .all(|(p, s)| (p.starts_with('{') || p.starts_with(':')) && !s.is_empty() || p == s)
}

/// The rule for a request, if the route has one.
pub fn rule_for(method: &Method, path: &str) -> Option<Rule> {
    let method = if method == Method::HEAD {
        "GET"
    } else {
        method.as_str()
    };
    RULES
        .iter()
        .find(|(m, pattern, _)| *m == method && segments_match(pattern, path))
        .map(|(_, _, rule)| *rule)
}

/// Every route the server answers: Leptos pages, server functions and `extra` handlers.
pub fn all_routes(pages: Vec<String>, extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut routes: Vec<(String, String)> = pages
        .into_iter()
        .map(|path| ("GET".to_owned(), path))
        .collect();
    routes.extend(
        leptos::server_fn::axum::server_fn_paths()
            .map(|(path, method)| (method.to_string(), path.to_owned())),
    );
    routes.extend(
        extra
            .iter()
            .map(|(method, path)| ((*method).to_owned(), (*path).to_owned())),
    );
    routes
}

/// Routes without a rule, which would otherwise be reachable by anyone.
pub fn routes_without_rules(routes: &[(String, String)]) -> Vec<String> {
    routes
        .iter()
        .filter(|(method, path)| {
            let method = Method::from_bytes(method.as_bytes()).unwrap_or(Method::GET);
            rule_for(&method, path).is_none()
        })
        .map(|(method, path)| format!("{method} {path}"))
        .collect()
}

/// Fails closed: a server with a route nobody decided the access of does not start.
pub fn assert_every_route_has_a_rule(pages: Vec<String>, extra: &[(&str, &str)]) {
    let missing = routes_without_rules(&all_routes(pages, extra));
    assert!(
        missing.is_empty(),
        "routes without an access rule in server/src/access.rs: {missing:?}"
    );
}

/// Refuses a request its rule does not allow: signed-out readers are sent to sign in,
/// signed-in users without the role get 403. Paths without a rule (static files, the 404
/// page) are only ever readable.
pub async fn enforce(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let viewer = request.extensions().get::<Viewer>().cloned();
    let rule = match rule_for(request.method(), &path) {
        Some(rule) => rule,
        None if matches!(*request.method(), Method::GET | Method::HEAD) => Rule::Anyone,
        None => return StatusCode::NOT_FOUND.into_response(),
    };
    if rule.allows(viewer.as_ref()) {
        return next.run(request).await;
    }
    let is_api = path.starts_with("/api/");
    match (viewer, is_api) {
        (None, true) => (StatusCode::UNAUTHORIZED, "Please sign in to continue.").into_response(),
        (None, false) if request.method() == Method::GET => {
            Redirect::to(&format!("/login?next={path}")).into_response()
        }
        (None, false) => {
            // After signing in, back to the page the form was on.
            let page = path.rsplit_once('/').map_or("/", |(parent, _)| parent);
            let page = if page.is_empty() { "/" } else { page };
            Redirect::to(&format!("/login?next={page}")).into_response()
        }
        (Some(_), _) => forbidden(),
    }
}

fn forbidden() -> Response {
    (
        StatusCode::FORBIDDEN,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" \
         content=\"width=device-width, initial-scale=1\"><title>Not allowed · Grand Rounds</title></head>\
         <body><main><h1>Not allowed</h1><p>Your account does not have permission to open this page. \
         If you think it should, ask an administrator.</p><p><a href=\"/\">Go to the home page</a></p>\
         </main></body></html>",
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_whole_segments() {
        assert_eq!(rule_for(&Method::GET, "/courses/x/y"), Some(Rule::Anyone));
        assert_eq!(rule_for(&Method::GET, "/admin/users"), Some(Rule::Admin));
        assert_eq!(rule_for(&Method::HEAD, "/account"), Some(Rule::SignedIn));
        assert_eq!(rule_for(&Method::POST, "/account"), None);
        assert_eq!(rule_for(&Method::GET, "/courses/x/y/z"), None);
        assert_eq!(rule_for(&Method::GET, "/courses//"), Some(Rule::Anyone));
    }
}
