//! Signing in and staying signed in: server-side sessions (tower-sessions, stored in the
//! database), the signed-in user of each request, idle and absolute timeouts, and the
//! same-origin check that refuses cross-site state changes.

pub mod rate_limit;
mod store;

use crate::AppState;
use crate::db::SessionStore;
use crate::error::Error;
use app::accounts::{Role, Viewer};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, Session, SessionManagerLayer};

pub const SESSION_COOKIE: &str = "gr_session";
const SESSION_USER: &str = "user";
/// When the session last moved its inactivity expiry (unix seconds).
const SESSION_SEEN: &str = "seen";
/// A signed-in request writes its session (moving the expiry on) only when the last write
/// is this old: the idle timeout is kept to the minute, without a database write per page.
pub const TOUCH_SECS: i64 = 60;
/// Signed out after this long without a request.
pub const IDLE_MINUTES: i64 = 30;
/// Signed out this long after signing in, whatever the activity.
pub const ABSOLUTE_SECS: i64 = 12 * 60 * 60;

/// Users read in the last moments by [`viewer`], by id: name, role and session version.
pub type Viewers = crate::read_cache::ReadCache<i64, Option<(String, Role, i64)>>;

/// What a session remembers about its user.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct SessionUser {
    pub id: i64,
    /// The user's `session_version` at sign-in; a password change moves it on.
    pub version: i64,
    pub signed_in_at: i64,
}

/// Deletes expired sessions, and sign-in counts that no longer matter, every 5 minutes.
pub fn spawn_session_cleanup(pool: &crate::db::Pool, sessions: &SessionStore) {
    use tower_sessions::ExpiredDeletion as _;
    let store = sessions.clone();
    let throttle_pool = pool.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(300));
        loop {
            every.tick().await;
            if let Err(error) = rate_limit::forget_old(&throttle_pool).await {
                tracing::warn!(%error, "could not forget old sign-in counts");
            }
        }
    });
    tokio::spawn(async move {
        // A failed round (the database unreachable for a moment) is logged and retried;
        // the cleanup never stops for good.
        let mut every = tokio::time::interval(std::time::Duration::from_secs(300));
        loop {
            every.tick().await;
            if let Err(error) = store.delete_expired().await {
                tracing::warn!(%error, "could not delete expired sessions; trying again in 5 minutes");
            }
        }
    });
}

/// The session middleware: cookie HttpOnly, SameSite=Lax, Secure when the site is served
/// over https, ending after [`IDLE_MINUTES`] of inactivity.
pub fn session_layer(sessions: &SessionStore, secure: bool) -> SessionManagerLayer<SessionStore> {
    SessionManagerLayer::new(sessions.clone())
        .with_name(SESSION_COOKIE)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(secure)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(time::Duration::minutes(IDLE_MINUTES)))
}

/// Starts a signed-in session under a new id (the old id, possibly planted, is dropped).
pub async fn sign_in(
    session: &Session,
    id: i64,
    version: i64,
) -> Result<(), tower_sessions::session::Error> {
    session.cycle_id().await?;
    session
        .insert(
            SESSION_USER,
            SessionUser {
                id,
                version,
                signed_in_at: crate::clock::now_secs(),
            },
        )
        .await
}

/// The signed-in user, or `None`; a session past its absolute timeout, of a deleted user or
/// from before a password change is ended here. A database that does not answer is an
/// error, never a reason to sign anyone out.
pub async fn viewer(state: &AppState, session: &Session) -> Result<Option<Viewer>, Error> {
    let Some(user) = session.get::<SessionUser>(SESSION_USER).await? else {
        return Ok(None);
    };
    let matches = |current: &Option<(String, Role, i64)>| {
        current
            .as_ref()
            .is_some_and(|(_, _, version)| *version == user.version)
    };
    // A copy that does not match (a password changed on another app server a moment ago)
    // is never the reason to end a session: the database decides.
    let current = match state.viewers.get(&user.id).filter(matches) {
        Some(copy) => copy,
        None => {
            let ticket = state.viewers.ticket(&user.id);
            let read = store::session_user(&state.pool, user.id).await?;
            state.viewers.put(user.id, read.clone(), ticket);
            read
        }
    };
    Ok(match current {
        Some((name, role, version))
            if version == user.version
                && crate::clock::now_secs() - user.signed_in_at < ABSOLUTE_SECS =>
        {
            Some(Viewer {
                id: user.id,
                name,
                role,
            })
        }
        _ => {
            session.flush().await?;
            None
        }
    })
}

/// A handler argument for the signed-in user; anyone else is sent to sign in (the access
/// table already stops them, this keeps each handler safe on its own).
pub struct SignedIn(pub Viewer);

/// A handler argument for an educator or an administrator; anyone else is refused.
pub struct Educator(pub Viewer);

/// A handler argument for an administrator; anyone else is refused.
pub struct Admin(pub Viewer);

fn signed_in(parts: &axum::http::request::Parts) -> Result<Viewer, Error> {
    parts
        .extensions
        .get::<Viewer>()
        .cloned()
        .ok_or(Error::Unauthorized)
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for SignedIn {
    type Rejection = Error;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        signed_in(parts).map(Self)
    }
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Educator {
    type Rejection = Error;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        let viewer = signed_in(parts)?;
        if matches!(viewer.role, Role::Educator | Role::Admin) {
            Ok(Self(viewer))
        } else {
            Err(Error::forbidden("Only educators can do this."))
        }
    }
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Admin {
    type Rejection = Error;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        let viewer = signed_in(parts)?;
        if viewer.role == Role::Admin {
            Ok(Self(viewer))
        } else {
            Err(Error::forbidden("Only administrators can do this."))
        }
    }
}

/// Marks a request whose session could not be checked (the database did not answer).
#[derive(Debug, Clone, Copy)]
pub struct ViewerUnknown;

/// Puts the request's [`Viewer`] (if any) in its extensions for handlers and pages, and
/// after the handler keeps what its [`crate::forms::Back`] asked to show on the next page.
///
/// A request that may change something (any method but GET and HEAD) reads its session and
/// user from the database, never from the short-lived copies (`crate::read_cache`), and once
/// it is done every copy is dropped (unless no route took it: 404, 405).
pub async fn load_viewer(
    State(state): State<AppState>,
    session: Session,
    request: Request,
    next: Next,
) -> Response {
    if matches!(*request.method(), Method::GET | Method::HEAD) {
        return with_viewer(&state, session, request, next).await;
    }
    let response =
        crate::read_cache::from_database(with_viewer(&state, session, request, next)).await;
    if !matches!(
        response.status(),
        StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED
    ) {
        state.sessions.epoch().changed();
    }
    response
}

async fn with_viewer(
    state: &AppState,
    session: Session,
    mut request: Request,
    next: Next,
) -> Response {
    let mut personal = false;
    let from_cookie = crate::forms::cookie_state(&state.form_cookie, request.headers());
    if let Some(kept) = &from_cookie {
        request.extensions_mut().insert(kept.clone());
    }
    match viewer(state, &session).await {
        Ok(Some(viewer)) => {
            personal = true;
            request.extensions_mut().insert(viewer);
            // Saved (with its expiry moved on) only when a minute has passed since the last
            // save; a session whose value cannot be read is written as if it were old.
            let now = crate::clock::now_secs();
            let seen = session.get::<i64>(SESSION_SEEN).await.ok().flatten();
            if seen.is_none_or(|at| now - at >= TOUCH_SECS || at > now)
                && let Err(error) = session.insert(SESSION_SEEN, now).await
            {
                tracing::warn!(%error, "could not move the session's expiry on");
            }
        }
        Ok(None) => {}
        // The session stays as it is: the reader is still signed in when the database answers.
        // Public pages go on (as for anyone); the access check answers the rest.
        Err(error) => {
            tracing::error!(%error, "could not load the signed-in user; the session is kept");
            request.extensions_mut().insert(ViewerUnknown);
        }
    }
    let mut response = next.run(request).await;
    // In this middleware rather than one of its own: every layer is cloned per request.
    crate::forms::keep_form_state(
        &session,
        &mut response,
        &state.form_cookie,
        state.public_url.starts_with("https://"),
        from_cookie.is_some(),
    )
    .await;
    // Anything rendered for a signed-in reader stays off shared caches and out of the
    // browser's history copy (a shared clinic computer's Back button after sign-out); only
    // the fingerprinted public assets keep their long cache.
    let public = response
        .headers()
        .get(header::CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("public"));
    if personal && !public {
        response.headers_mut().insert(
            header::CACHE_CONTROL,
            axum::http::HeaderValue::from_static("private, no-store"),
        );
    }
    response
}

/// Refuses state-changing requests that do not come from this site: the Origin (or, when a
/// browser sends none, the Referer) must be the configured public URL, scheme included (the
/// `Host` header is the client's to choose and is not trusted). When the public URL is a
/// loopback address (a server on a laptop), the other loopback names of the same port are
/// accepted too. SameSite=Lax cookies already stop most; this also covers same-site
/// attackers and server-function posts.
pub async fn same_origin_only(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return next.run(request).await;
    }
    if is_same_origin(request.headers(), &state.public_url) {
        next.run(request).await
    } else {
        tracing::warn!(method = %request.method(), path = %request.uri().path(), "cross-origin request refused");
        Error::forbidden(
            "This request did not come from a Grand Rounds page and was refused. Go back, reload the page and try again.",
        )
        .into_response()
    }
}

/// `http://localhost:3000` → `Some("3000")` for the loopback names; `None` otherwise.
fn loopback_port(origin: &str) -> Option<&str> {
    let authority = origin.strip_prefix("http://")?;
    ["localhost", "127.0.0.1", "[::1]"]
        .iter()
        .find_map(|host| authority.strip_prefix(host))
        .and_then(|rest| match rest {
            "" => Some(""),
            port => port.strip_prefix(':'),
        })
}

fn is_same_origin(headers: &HeaderMap, public_url: &str) -> bool {
    let public_loopback = loopback_port(public_url);
    let matches = |origin: &str| {
        let origin = origin.trim_end_matches('/');
        origin == public_url
            || public_loopback.is_some_and(|port| loopback_port(origin) == Some(port))
    };
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        return origin != "null" && matches(origin);
    }
    headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|referer| {
            let scheme_end = referer.find("://")? + 3;
            let path_start = referer[scheme_end..]
                .find('/')
                .map_or(referer.len(), |i| scheme_end + i);
            Some(&referer[..path_start])
        })
        .is_some_and(matches)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::extract::FromRequestParts as _;
    use axum::http::HeaderValue;

    fn parts(role: Option<Role>) -> axum::http::request::Parts {
        let (mut parts, ()) = axum::http::Request::new(()).into_parts();
        if let Some(role) = role {
            parts.extensions.insert(Viewer {
                id: 7,
                name: "Ana".into(),
                role,
            });
        }
        parts
    }

    #[tokio::test]
    async fn the_role_extractors_refuse_on_their_own() {
        use Role::*;
        for (role, signed_in, educator, admin) in [
            (None, false, false, false),
            (Some(Learner), true, false, false),
            (Some(Educator), true, true, false),
            (Some(Admin), true, true, true),
        ] {
            assert_eq!(
                (SignedIn::from_request_parts(&mut parts(role), &())
                    .await
                    .is_ok()),
                signed_in,
                "SignedIn for {role:?}"
            );
            assert_eq!(
                (super::Educator::from_request_parts(&mut parts(role), &())
                    .await
                    .is_ok()),
                educator,
                "Educator for {role:?}"
            );
            assert_eq!(
                (super::Admin::from_request_parts(&mut parts(role), &())
                    .await
                    .is_ok()),
                admin,
                "Admin for {role:?}"
            );
        }
        let refused = super::Admin::from_request_parts(&mut parts(Some(Learner)), &())
            .await
            .err()
            .map(|e| e.into_response().status());
        assert_eq!(refused, Some(axum::http::StatusCode::FORBIDDEN));
        let anonymous = SignedIn::from_request_parts(&mut parts(None), &())
            .await
            .err()
            .map(|e| e.into_response().status());
        assert_eq!(anonymous, Some(axum::http::StatusCode::SEE_OTHER));
    }

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn same_origin_rules() {
        let public = "https://cme.example.org";
        assert!(is_same_origin(
            &headers(&[("origin", "https://cme.example.org")]),
            public
        ));
        assert!(
            !is_same_origin(
                &headers(&[
                    ("origin", "http://127.0.0.1:3000"),
                    ("host", "127.0.0.1:3000")
                ]),
                public
            ),
            "a Host header that agrees with the Origin is not the public URL"
        );
        assert!(
            !is_same_origin(
                &headers(&[
                    ("origin", "http://cme.example.org"),
                    ("host", "cme.example.org")
                ]),
                public
            ),
            "the scheme counts"
        );
        let laptop = "http://127.0.0.1:3000";
        assert!(is_same_origin(
            &headers(&[("origin", "http://localhost:3000")]),
            laptop
        ));
        assert!(!is_same_origin(
            &headers(&[("origin", "http://localhost:3001")]),
            laptop
        ));
        assert!(!is_same_origin(
            &headers(&[("origin", "http://localhost.evil:3000")]),
            laptop
        ));
        assert!(!is_same_origin(
            &headers(&[
                ("origin", "https://evil.example"),
                ("host", "cme.example.org")
            ]),
            public
        ));
        assert!(!is_same_origin(&headers(&[("origin", "null")]), public));
        assert!(is_same_origin(
            &headers(&[("referer", "https://cme.example.org/login?x=1")]),
            public
        ));
        assert!(!is_same_origin(
            &headers(&[("referer", "https://cme.example.org.evil.example/login")]),
            public
        ));
        assert!(
            !is_same_origin(&headers(&[]), public),
            "no Origin and no Referer is refused"
        );
    }
}
