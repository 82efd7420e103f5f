//! Plain `<form>` posts that work without JavaScript: a handler reads the fields with
//! [`Submission`], and answers with a [`Back`], the post-redirect-get to the form's page
//! carrying a message per field, the values typed (never passwords) and any notice. The
//! state is kept by [`keep_form_state`] for exactly one view of the page: in the session of
//! a signed-in user, and for an anonymous visitor (a failed sign-in or registration) in a
//! short-lived signed cookie, so that anonymous posts never create database rows. Each
//! value kept is cut to its field's own maximum length, and only fields the handler read
//! are kept.

use crate::error::Error;
use app::forms::FormState;
use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::response::{IntoResponse, Redirect, Response};
use hmac::Mac as _;
use serde::Serialize;
use tower_sessions::Session;

/// The cookie that carries an anonymous visitor's form state to the next page.
pub const FORM_COOKIE: &str = "gr_form";
/// Seconds the cookie is honoured: long enough for the redirect, too short to linger.
const COOKIE_SECS: i64 = 300;
/// Browsers keep cookies of up to about 4 KB.
const COOKIE_MAX: usize = 3800;

/// The longest value kept for a field: its form's own maximum (the `maxlength` the page
/// sets and the validation enforces), 256 characters for anything else.
fn kept_max(field: &str) -> usize {
    match field {
        "email" => 254,
        "full_name" | "learner_name" => 120,
        "npi" => 14,
        "licence_number" | "board_id" => 40,
        "licence_state" | "birth_month" | "birth_day" => 2,
        "title" | "provider" => 200,
        "reason" => 500,
        "practice_change" => 2000,
        "comments" => 4000,
        _ => 256,
    }
}

/// Cuts every kept value to its field's maximum, and every message (some quote a field
/// name the client chose) to 400 characters, on character boundaries.
fn cap_values(state: &mut FormState) {
    let cut = |text: &mut String, max: usize| {
        if let Some((at, _)) = text.char_indices().nth(max) {
            text.truncate(at);
        }
    };
    for (field, value) in &mut state.values {
        cut(value, kept_max(field));
    }
    for (field, message) in &mut state.errors {
        cut(field, 100);
        cut(message, 400);
    }
    if let Some(notice) = &mut state.notice {
        cut(notice, 400);
    }
}

/// The HMAC-SHA256 key of [`FORM_COOKIE`] (from the key folder, shared by every server).
#[derive(Clone)]
pub struct CookieKey(std::sync::Arc<[u8; 32]>);

impl CookieKey {
    pub fn new(secret: [u8; 32]) -> Self {
        Self(std::sync::Arc::new(secret))
    }

    fn mac(&self, expires: i64, payload: &str) -> Option<hmac::Hmac<sha2::Sha256>> {
        let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(self.0.as_slice()).ok()?;
        mac.update(format!("grandrounds form state|{expires}|{payload}").as_bytes());
        Some(mac)
    }

    /// `expires.payload.signature`, or `None` if the state cannot fit in a cookie.
    fn seal(&self, keep: &[(String, serde_json::Value)]) -> Option<String> {
        use base64::Engine as _;
        let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let payload = engine.encode(serde_json::to_vec(keep).ok()?);
        let expires = crate::clock::now_secs() + COOKIE_SECS;
        let signature = engine.encode(self.mac(expires, &payload)?.finalize().into_bytes());
        let value = format!("{expires}.{payload}.{signature}");
        (value.len() <= COOKIE_MAX).then_some(value)
    }

    /// What a valid, unexpired cookie value carries.
    fn open(&self, value: &str) -> Option<Vec<(String, serde_json::Value)>> {
        use base64::Engine as _;
        let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let mut parts = value.splitn(3, '.');
        let expires: i64 = parts.next()?.parse().ok()?;
        let payload = parts.next()?;
        let signature = engine.decode(parts.next()?).ok()?;
        self.mac(expires, payload)?.verify_slice(&signature).ok()?;
        if expires < crate::clock::now_secs() {
            return None;
        }
        serde_json::from_slice(&engine.decode(payload).ok()?).ok()
    }
}

/// What an anonymous visitor's cookie brought to this request, taken by the page that
/// shows it ([`crate::backend`]'s `take_kept`).
#[derive(Clone, Default)]
pub struct KeptInCookie(std::sync::Arc<std::sync::Mutex<Vec<(String, serde_json::Value)>>>);

impl KeptInCookie {
    pub fn take(&self, key: &str) -> Option<serde_json::Value> {
        let mut kept = self.0.lock().ok()?;
        let index = kept.iter().position(|(k, _)| k == key)?;
        Some(kept.remove(index).1)
    }
}

/// Reads the form-state cookie of `headers`, if any: `Some` when one was sent (valid or
/// not: either way the response clears it).
pub fn cookie_state(key: &CookieKey, headers: &axum::http::HeaderMap) -> Option<KeptInCookie> {
    let value = headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| pair.trim().strip_prefix(FORM_COOKIE)?.strip_prefix('='))?;
    let kept = key.open(value).unwrap_or_default();
    Some(KeptInCookie(std::sync::Arc::new(std::sync::Mutex::new(
        kept,
    ))))
}

fn form_cookie(value: &str, max_age: i64, secure: bool) -> Option<axum::http::HeaderValue> {
    let secure = if secure { "; Secure" } else { "" };
    axum::http::HeaderValue::from_str(&format!(
        "{FORM_COOKIE}={value}; Max-Age={max_age}; Path=/; HttpOnly; SameSite=Lax{secure}"
    ))
    .ok()
}

/// A form's fields in the order sent (a field sent twice appears twice).
pub type Fields = Result<Form<Vec<(String, String)>>, FormRejection>;

pub const FORM_UNREADABLE: &str = "The form could not be read. Reload the page and try again.";

/// The first field name sent more than once, if any. No form of this site sends a
/// one-value field twice; a request that does was made by hand or by a broken page.
pub fn sent_twice(fields: &[(String, String)]) -> Option<&str> {
    let mut seen = std::collections::HashSet::new();
    fields
        .iter()
        .map(|(name, _)| name.as_str())
        .find(|name| !seen.insert(*name))
}

/// The first field whose value holds a NUL character, if any: no text field of this site
/// can hold one (PostgreSQL refuses to store it), and no browser sends one from a form.
pub fn with_nul(fields: &[(String, String)]) -> Option<&str> {
    fields
        .iter()
        .find(|(name, value)| name.contains('\0') || value.contains('\0'))
        .map(|(name, _)| name.as_str())
}

/// What a value with a NUL character answers.
pub const NUL_MESSAGE: &str = "A value contains a NUL character (code 0), which no text can hold, so nothing was saved. Remove it (it usually comes from pasting binary data) and send the form again.";

/// What a form sent with a field twice answers.
pub fn sent_twice_message(name: &str) -> String {
    format!(
        "The field \"{}\" was sent more than once, so the form was not read and nothing was saved. Reload the page and send the form once.",
        name.chars().take(60).collect::<String>()
    )
}

/// The session key a form's leftover state is kept under.
pub fn form_key(form: &str) -> String {
    format!("form:{form}")
}

/// The answer to a form post: back (303) to `path`, with the named form's state.
#[derive(Debug)]
pub struct Back {
    /// Which form on the page the state belongs to (its session key is [`form_key`]).
    pub form: String,
    pub path: String,
    pub state: FormState,
    /// Anything else the page shows once (a bulk preview), under its own session key.
    extra: Vec<(String, serde_json::Value)>,
}

impl Back {
    pub fn to(form: &str, path: impl Into<String>) -> Self {
        Self {
            form: form.to_owned(),
            path: path.into(),
            state: FormState::default(),
            extra: Vec::new(),
        }
    }

    pub fn notice(mut self, message: impl Into<String>) -> Self {
        self.state.notice = Some(message.into());
        self
    }

    /// A message next to `field` (`"form"` for the form as a whole); the first per field wins.
    pub fn error(mut self, field: &str, message: impl Into<String>) -> Self {
        if self.state.error(field).is_none() {
            self.state.errors.push((field.to_owned(), message.into()));
        }
        self
    }

    pub fn values(mut self, values: Vec<(String, String)>) -> Self {
        self.state.values = values;
        self
    }

    pub fn with_state(mut self, state: FormState) -> Self {
        self.state = state;
        self
    }

    /// Keeps `value` under `key` for the next view, beside the form state.
    pub fn keep(mut self, key: &str, value: &impl Serialize) -> Self {
        match serde_json::to_value(value) {
            Ok(value) => self.extra.push((key.to_owned(), value)),
            Err(error) => tracing::error!(%error, key, "could not keep a value for the next page"),
        }
        self
    }
}

/// What [`keep_form_state`] writes into the session after the handler answered.
#[derive(Clone)]
struct Keep(Vec<(String, serde_json::Value)>);

impl IntoResponse for Back {
    fn into_response(self) -> Response {
        let mut keep = self.extra;
        let mut state = self.state;
        cap_values(&mut state);
        let untouched = state == FormState::default();
        if !untouched {
            match serde_json::to_value(&state) {
                Ok(state) => keep.push((form_key(&self.form), state)),
                Err(error) => tracing::error!(%error, "could not keep form state"),
            }
        }
        let mut response = Redirect::to(&self.path).into_response();
        if !keep.is_empty() {
            response.extensions_mut().insert(Keep(keep));
        }
        response
    }
}

/// Keeps what a [`Back`] asked to keep (called by the session-aware middleware,
/// [`crate::auth::load_viewer`], after the handler answered): in the session when the
/// visitor has one, else in the signed cookie. `consumed` says the request brought a cookie
/// that must now be cleared.
pub async fn keep_form_state(
    session: &Session,
    response: &mut Response,
    key: &CookieKey,
    secure: bool,
    consumed: bool,
) {
    let keep = response.extensions_mut().remove::<Keep>();
    let headers = response.headers_mut();
    match keep {
        Some(Keep(values)) if session.is_empty().await => {
            // An anonymous visitor: no session row for an echo of their form. If the state
            // cannot fit a cookie, the typed values go and the messages stay.
            let sealed = key.seal(&values).or_else(|| {
                let slim: Vec<(String, serde_json::Value)> = values
                    .iter()
                    .map(|(k, v)| {
                        let mut v = v.clone();
                        if let Some(map) = v.as_object_mut() {
                            map.insert("values".into(), serde_json::Value::Array(Vec::new()));
                        }
                        (k.clone(), v)
                    })
                    .collect();
                key.seal(&slim)
            });
            match sealed.and_then(|v| form_cookie(&v, COOKIE_SECS, secure)) {
                Some(cookie) => {
                    headers.append(axum::http::header::SET_COOKIE, cookie);
                }
                // Nothing fits: at least no stale state from an earlier post shows again.
                None if consumed => {
                    if let Some(clear) = form_cookie("", 0, secure) {
                        headers.append(axum::http::header::SET_COOKIE, clear);
                    }
                }
                None => {}
            }
        }
        Some(Keep(values)) => {
            for (key, value) in values {
                if let Err(error) = session.insert(&key, value).await {
                    tracing::error!(%error, key, "could not keep form state");
                }
            }
            if consumed && let Some(clear) = form_cookie("", 0, secure) {
                headers.append(axum::http::header::SET_COOKIE, clear);
            }
        }
        None => {
            if consumed && let Some(clear) = form_cookie("", 0, secure) {
                headers.append(axum::http::header::SET_COOKIE, clear);
            }
        }
    }
}

/// A submitted form being checked: every value read is kept to show again (but passwords),
/// every problem is noted against its field, and nothing is written until [`Self::ok`].
pub struct Submission {
    fields: Vec<(String, String)>,
    pub state: FormState,
}

impl Submission {
    pub fn new(fields: Fields) -> Self {
        match fields {
            Ok(Form(fields)) => {
                let mut state = FormState::default();
                if let Some(name) = sent_twice(&fields) {
                    state.errors.push(("form".into(), sent_twice_message(name)));
                } else if with_nul(&fields).is_some() {
                    state.errors.push(("form".into(), NUL_MESSAGE.into()));
                }
                Self { fields, state }
            }
            Err(rejection) => {
                tracing::info!(%rejection, "unreadable form");
                let mut state = FormState::default();
                state.errors.push(("form".into(), FORM_UNREADABLE.into()));
                Self {
                    fields: Vec::new(),
                    state,
                }
            }
        }
    }

    /// A field's value (the first, if sent twice); kept to show again unless a password.
    pub fn get(&mut self, name: &str) -> String {
        let value = self.peek(name).to_owned();
        if !name.contains("password") && !value.is_empty() {
            self.state.values.push((name.to_owned(), value.clone()));
        }
        value
    }

    /// A field's value without keeping it.
    pub fn peek(&self, name: &str) -> &str {
        self.fields
            .iter()
            .find(|(key, _)| key == name)
            .map_or("", |(_, value)| value.as_str())
    }

    pub fn fail(&mut self, field: &str, message: impl Into<String>) {
        if self.state.error(field).is_none() {
            self.state.errors.push((field.to_owned(), message.into()));
        }
    }

    pub fn check<T>(&mut self, field: &str, result: Result<T, String>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(message) => {
                self.fail(field, message);
                None
            }
        }
    }

    pub fn ok(&self) -> bool {
        self.state.errors.is_empty()
    }

    /// Why the form as a whole cannot be read (unreadable, or a field sent twice), for
    /// handlers that read single values with [`Self::peek`]: they answer this instead.
    pub fn problem(&self) -> Option<String> {
        self.state.error("form")
    }

    /// Back to the form with what was noted so far.
    pub fn back(self, form: &str, path: impl Into<String>) -> Back {
        Back::to(form, path).with_state(self.state)
    }
}

/// Turns a domain's refusal (not found, conflict, unreadable) into a message on the form;
/// internal errors and refusals of access stay what they are.
pub fn refusals_to(back: Back) -> impl FnOnce(Error) -> Error {
    move |error| match error {
        Error::NotFound(message) | Error::Conflict(message) | Error::BadRequest(message) => {
            back.error("form", message).into()
        }
        other => other,
    }
}
