//! Who may call what. Each domain declares its routes as [`Route`]s: method, path, access
//! [`Rule`], whether the anonymous page cache may keep the response, and what serves it (a
//! Leptos page, a server function, or a handler). `http.rs` merges the domains' lists into one
//! [`RouteTable`]; the access middleware, the start-up "every route has a rule" check and the
//! page cache all read that table, so a route cannot exist without a rule.

use crate::AppState;
use crate::error::Error;
use app::accounts::{Role, Viewer};
use axum::extract::{Request, State};
use axum::handler::Handler;
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::MethodRouter;
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    Anyone,
    SignedIn,
    /// Signed in, and the handler serves only the record's owner or an administrator
    /// (through [`owner_or_admin`]): a learner's certificate, attempt or transcript.
    OwnerOrAdmin,
    Educator,
    /// An educator, and the handler serves only the activity's owner or an administrator
    /// (through [`owner_or_admin`]): the studio's and webinars' own activities.
    ActivityOwner,
    Admin,
}

impl Rule {
    /// What the middleware lets through; ownership is for the handler, which knows the record.
    pub fn allows(self, viewer: Option<&Viewer>) -> bool {
        match (self, viewer.map(|v| v.role)) {
            (Self::Anyone, _) => true,
            (_, None) => false,
            (Self::SignedIn | Self::OwnerOrAdmin, Some(_)) => true,
            (Self::Educator | Self::ActivityOwner, Some(role)) => {
                matches!(role, Role::Educator | Role::Admin)
            }
            (Self::Admin, Some(role)) => role == Role::Admin,
        }
    }
}

/// The second half of [`Rule::OwnerOrAdmin`] and [`Rule::ActivityOwner`]: the viewer owns
/// the record (`owner` is its user id) or is an administrator.
pub fn owner_or_admin(viewer: &Viewer, owner: i64, refused: &str) -> Result<(), Error> {
    if viewer.id == owner || viewer.role == Role::Admin {
        Ok(())
    } else {
        Err(Error::forbidden(refused))
    }
}

/// What answers a route.
pub enum Serve {
    /// A Leptos page (`app::shell`'s routes).
    Page,
    /// A Leptos server function (each app domain's `api.rs`).
    ServerFn,
    Handler(Box<MethodRouter<AppState>>),
}

pub struct Route {
    pub method: Method,
    /// `{name}` matches one path segment.
    pub path: &'static str,
    pub rule: Rule,
    /// Opt-in: the response to an anonymous reader is the same for every anonymous reader
    /// until the catalog changes, so the page cache may keep it.
    pub cache: bool,
    /// The largest request body accepted, in bytes.
    pub body_limit: usize,
    pub serve: Serve,
}

/// The largest request body of a route that does not say otherwise (every form).
pub const BODY_LIMIT: usize = 256 * 1024;

impl Route {
    fn new(method: Method, path: &'static str, rule: Rule, serve: Serve) -> Self {
        Self {
            method,
            path,
            rule,
            cache: false,
            body_limit: BODY_LIMIT,
            serve,
        }
    }

    /// A POST that takes a file of up to `body_limit` bytes (multipart).
    pub fn upload<H, T>(path: &'static str, rule: Rule, handler: H, body_limit: usize) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let mut route = Self::new(
            Method::POST,
            path,
            rule,
            // axum's extractors have a limit of their own (2 MB); the route's limit, which the
            // router's body-limit middleware enforces, replaces it.
            Serve::Handler(Box::new(
                axum::routing::post(handler).layer(axum::extract::DefaultBodyLimit::disable()),
            )),
        );
        route.body_limit = body_limit;
        route
    }

    pub fn page(path: &'static str, rule: Rule) -> Self {
        Self::new(Method::GET, path, rule, Serve::Page)
    }

    /// Server functions are GETs (`input = GetUrl`) under `/api`.
    pub fn server_fn(path: &'static str, rule: Rule) -> Self {
        Self::new(Method::GET, path, rule, Serve::ServerFn)
    }

    /// A server function sent as a POST (for a body too large for a URL), with room for
    /// `body_limit` bytes.
    pub fn server_fn_post(path: &'static str, rule: Rule, body_limit: usize) -> Self {
        let mut route = Self::new(Method::POST, path, rule, Serve::ServerFn);
        route.body_limit = body_limit;
        route
    }

    pub fn get<H, T>(path: &'static str, rule: Rule, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        Self::new(
            Method::GET,
            path,
            rule,
            Serve::Handler(Box::new(axum::routing::get(handler))),
        )
    }

    pub fn post<H, T>(path: &'static str, rule: Rule, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        Self::new(
            Method::POST,
            path,
            rule,
            Serve::Handler(Box::new(axum::routing::post(handler))),
        )
    }

    /// Lets the anonymous page cache keep this route's pages.
    pub fn cached(mut self) -> Self {
        self.cache = true;
        self
    }
}

/// What the middleware needs to know of a route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteInfo {
    pub method: Method,
    pub path: &'static str,
    pub rule: Rule,
    pub cache: bool,
    pub body_limit: usize,
    pub kind: Kind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Page,
    ServerFn,
    Handler,
}

/// Every route the server answers, with its rule. Looked up on every request (the page
/// cache and the access check), so the paths are compiled once into `matchit` routers (the
/// router axum uses), one per method.
#[derive(Debug, Clone)]
pub struct RouteTable(Arc<Table>);

#[derive(Debug)]
struct Table {
    routes: Vec<RouteInfo>,
    /// Per method: path pattern -> index into `routes`.
    lookup: Vec<(Method, matchit::Router<usize>)>,
}

impl RouteTable {
    pub fn new(routes: &[Route]) -> Self {
        let infos: Vec<RouteInfo> = routes
            .iter()
            .map(|route| RouteInfo {
                method: route.method.clone(),
                path: route.path,
                rule: route.rule,
                cache: route.cache,
                body_limit: route.body_limit,
                kind: match route.serve {
                    Serve::Page => Kind::Page,
                    Serve::ServerFn => Kind::ServerFn,
                    Serve::Handler(_) => Kind::Handler,
                },
            })
            .collect();
        let mut lookup: Vec<(Method, matchit::Router<usize>)> = Vec::new();
        for (index, route) in infos.iter().enumerate() {
            let position = match lookup.iter().position(|(m, _)| *m == route.method) {
                Some(position) => position,
                None => {
                    lookup.push((route.method.clone(), matchit::Router::new()));
                    lookup.len() - 1
                }
            };
            // A duplicate is reported by `mismatches` (the start-up check), not here.
            let _ = lookup[position].1.insert(route.path, index);
        }
        Self(Arc::new(Table {
            routes: infos,
            lookup,
        }))
    }

    pub fn routes(&self) -> &[RouteInfo] {
        &self.0.routes
    }

    /// The route a request goes to (a literal segment wins over a `{name}`, as in axum). A
    /// trailing slash is ignored, so `/account/` has the rule of `/account`.
    pub fn find(&self, method: &Method, path: &str) -> Option<&RouteInfo> {
        let method = if method == Method::HEAD {
            &Method::GET
        } else {
            method
        };
        let trimmed = path.trim_end_matches('/');
        let path = if trimmed.is_empty() { "/" } else { trimmed };
        let (_, router) = self.0.lookup.iter().find(|(m, _)| m == method)?;
        let found = router.at(path).ok()?;
        self.0.routes.get(*found.value)
    }

    pub fn rule_for(&self, method: &Method, path: &str) -> Option<Rule> {
        self.find(method, path).map(|route| route.rule)
    }

    /// The largest body a request to `path` may carry ([`BODY_LIMIT`] for unknown paths).
    pub fn body_limit(&self, method: &Method, path: &str) -> usize {
        self.find(method, path)
            .map_or(BODY_LIMIT, |route| route.body_limit)
    }

    /// Whether the anonymous page cache may keep a GET of `path`.
    pub fn cacheable(&self, path: &str) -> bool {
        self.find(&Method::GET, path)
            .is_some_and(|route| route.cache)
    }

    /// Routes that Leptos or the server-function registry serve but the table does not name,
    /// and table entries for pages or server functions that do not exist: both are mistakes.
    /// `pages` are Leptos' route paths (`:name` or `{name}` segments), `server_fns` are
    /// `(method, path)`.
    pub fn mismatches(&self, pages: &[String], server_fns: &[(String, String)]) -> Vec<String> {
        let normal = |path: &str| -> String {
            path.split('/')
                .map(|s| match s.strip_prefix(':') {
                    Some(name) => format!("{{{name}}}"),
                    None => s.to_owned(),
                })
                .collect::<Vec<_>>()
                .join("/")
        };
        let declared = |kind: Kind, method: &str, path: &str| {
            self.0
                .routes
                .iter()
                .any(|r| r.kind == kind && r.method.as_str() == method && r.path == path)
        };
        let mut problems = Vec::new();
        for page in pages {
            let page = normal(page);
            if !declared(Kind::Page, "GET", &page) {
                problems.push(format!("page GET {page} has no rule"));
            }
        }
        for (method, path) in server_fns {
            if !declared(Kind::ServerFn, method, path) {
                problems.push(format!("server function {method} {path} has no rule"));
            }
        }
        for route in self.0.routes.iter() {
            let exists = match route.kind {
                Kind::Handler => true,
                Kind::Page => pages.iter().any(|p| normal(p) == route.path),
                Kind::ServerFn => server_fns
                    .iter()
                    .any(|(m, p)| m == route.method.as_str() && p == route.path),
            };
            if !exists {
                problems.push(format!(
                    "{:?} {} {} is declared but nothing serves it",
                    route.kind, route.method, route.path
                ));
            }
        }
        let mut seen = std::collections::HashSet::new();
        for route in self.0.routes.iter() {
            if !seen.insert((route.method.clone(), route.path)) {
                problems.push(format!("{} {} is declared twice", route.method, route.path));
            }
        }
        problems
    }
}

/// Every server function Leptos registered, as `(method, path)`.
pub fn server_fn_paths() -> Vec<(String, String)> {
    leptos::server_fn::axum::server_fn_paths()
        .map(|(path, method)| (method.to_string(), path.to_owned()))
        .collect()
}

/// Fails closed: a server with a route nobody decided the access of does not start.
pub fn assert_every_route_has_a_rule(table: &RouteTable, pages: &[String]) {
    let problems = table.mismatches(pages, &server_fn_paths());
    assert!(
        problems.is_empty(),
        "the route table and the routes served disagree (declare each in its domain's routes()): {problems:?}"
    );
}

/// Refuses a request its rule does not allow: signed-out readers are sent to sign in,
/// signed-in users without the role get 403. Paths without a rule (static files, the 404
/// page) are only ever readable.
pub async fn enforce(State(table): State<RouteTable>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let viewer = request.extensions().get::<Viewer>().cloned();
    let rule = match table.rule_for(request.method(), &path) {
        Some(rule) => rule,
        None if matches!(*request.method(), Method::GET | Method::HEAD) => Rule::Anyone,
        None => return StatusCode::NOT_FOUND.into_response(),
    };
    if rule.allows(viewer.as_ref()) {
        return next.run(request).await;
    }
    if viewer.is_none()
        && request
            .extensions()
            .get::<crate::auth::ViewerUnknown>()
            .is_some()
    {
        // Not "please sign in": the reader may well be signed in.
        return crate::error::page(
            StatusCode::SERVICE_UNAVAILABLE,
            "Please try again",
            "We could not check your sign-in just now. You are still signed in: try again in a moment.",
        );
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
        (Some(_), _) => {
            Error::forbidden(
            "Your account does not have permission to open this page. If you think it should, ask an administrator.",
        )
                .into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn nothing() {}

    fn table() -> RouteTable {
        RouteTable::new(&[
            Route::page("/courses/{course}/{lesson}", Rule::Anyone).cached(),
            Route::page("/admin/users", Rule::Admin),
            Route::page("/admin/{section}", Rule::Educator),
            Route::page("/account", Rule::SignedIn),
            Route::post("/account/profile", Rule::SignedIn, nothing),
        ])
    }

    #[test]
    fn patterns_match_whole_segments() {
        let t = table();
        assert_eq!(t.rule_for(&Method::GET, "/courses/x/y"), Some(Rule::Anyone));
        assert_eq!(t.rule_for(&Method::GET, "/admin/users"), Some(Rule::Admin));
        assert_eq!(
            t.rule_for(&Method::GET, "/admin/other"),
            Some(Rule::Educator)
        );
        assert_eq!(t.rule_for(&Method::HEAD, "/account"), Some(Rule::SignedIn));
        assert_eq!(t.rule_for(&Method::POST, "/account"), None);
        assert_eq!(t.rule_for(&Method::GET, "/courses/x/y/z"), None);
        assert_eq!(t.rule_for(&Method::GET, "/courses//"), None);
        assert!(t.cacheable("/courses/x/y") && !t.cacheable("/account"));
    }

    #[test]
    fn pages_and_server_functions_must_match_the_table_both_ways() {
        let t = table();
        let pages = vec![
            "/courses/:course/:lesson".to_owned(),
            "/admin/users".to_owned(),
            "/admin/:section".to_owned(),
            "/account".to_owned(),
            "/forgotten".to_owned(),
        ];
        let problems = t.mismatches(&pages, &[("GET".into(), "/api/x".into())]);
        assert_eq!(
            problems,
            [
                "page GET /forgotten has no rule",
                "server function GET /api/x has no rule"
            ]
        );
        let problems = t.mismatches(&pages[..3], &[]);
        assert_eq!(
            problems,
            ["Page GET /account is declared but nothing serves it"]
        );
    }

    #[test]
    fn ownership_rules_gate_by_role_and_leave_the_record_to_the_handler() {
        let viewer = |id, role| Viewer {
            id,
            name: String::new(),
            role,
        };
        assert!(!Rule::OwnerOrAdmin.allows(None));
        assert!(Rule::OwnerOrAdmin.allows(Some(&viewer(1, Role::Learner))));
        assert!(!Rule::ActivityOwner.allows(Some(&viewer(1, Role::Learner))));
        assert!(Rule::ActivityOwner.allows(Some(&viewer(1, Role::Educator))));
        assert!(owner_or_admin(&viewer(1, Role::Learner), 1, "no").is_ok());
        assert!(owner_or_admin(&viewer(1, Role::Learner), 2, "no").is_err());
        assert!(owner_or_admin(&viewer(1, Role::Educator), 2, "no").is_err());
        assert!(owner_or_admin(&viewer(1, Role::Admin), 2, "no").is_ok());
    }
}
