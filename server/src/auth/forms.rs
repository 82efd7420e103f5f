//! The account forms' POST handlers. Each validates everything before writing anything;
//! on a problem it keeps a message per field and the typed values (never passwords) in the
//! session and redirects back (303), so the form reappears as it was, with or without
//! JavaScript. Each handler states who may call it.

use super::SignedIn;
use super::throttle::{self, Verdict};
use crate::AppState;
use crate::accounts::store::{self, CreateError, NewUser, ProfileUpdate};
use crate::accounts::{Role, password, validate};
use crate::client::ClientIp;
use app::model::{FormState, Profession};
use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use std::convert::Infallible;
use tower_sessions::Session;

type Fields = Result<Form<Vec<(String, String)>>, FormRejection>;

/// Generic on purpose: the same words whether the email is unknown, the password wrong or
/// the account throttled.
pub const SIGN_IN_FAILED: &str = "The email or password is not right, or there were too many attempts. Check them and try again in a few minutes.";
const FORM_UNREADABLE: &str = "The form could not be read. Reload the page and try again.";

/// The client's address for throttling (`unknown` when the server runs without one).
pub struct ClientAddress(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(parts.extensions.get::<ClientIp>().map_or_else(
            || "unknown".to_owned(),
            |client| client.0.to_string(),
        )))
    }
}

/// The session key a form's leftover state is kept under.
pub fn form_key(form: &str) -> String {
    format!("form:{form}")
}

struct Submission {
    fields: Vec<(String, String)>,
    state: FormState,
}

impl Submission {
    fn new(fields: Fields) -> Self {
        match fields {
            Ok(Form(fields)) => Self {
                fields,
                state: FormState::default(),
            },
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

    /// A field's value; every field but passwords is kept to show again.
    fn get(&mut self, name: &str) -> String {
        let value = self
            .fields
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
            .unwrap_or_default();
        if !name.contains("password") && !value.is_empty() {
            self.state.values.push((name.to_owned(), value.clone()));
        }
        value
    }

    fn fail(&mut self, field: &str, message: impl Into<String>) {
        if self.state.error(field).is_none() {
            self.state.errors.push((field.to_owned(), message.into()));
        }
    }

    fn check<T>(&mut self, field: &str, result: Result<T, String>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(message) => {
                self.fail(field, message);
                None
            }
        }
    }

    fn ok(&self) -> bool {
        self.state.errors.is_empty()
    }
}

async fn back_to(session: &Session, form: &str, state: FormState, path: &str) -> Response {
    if let Err(error) = session.insert(&form_key(form), state).await {
        tracing::error!(%error, "could not keep form state");
    }
    Redirect::to(path).into_response()
}

async fn notice(session: &Session, form: &str, message: &str, path: &str) -> Response {
    let state = FormState {
        notice: Some(message.to_owned()),
        ..FormState::default()
    };
    back_to(session, form, state, path).await
}

fn internal(error: impl std::fmt::Display) -> Response {
    tracing::error!(%error, "account form failed");
    (
        axum::http::StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong on our side. Please try again in a moment.",
    )
        .into_response()
}

/// Profile fields shared by registration and the account page.
fn profile_fields(form: &mut Submission) -> ProfileUpdate {
    let full_name = form.get("full_name");
    let full_name = form
        .check("full_name", validate::full_name(&full_name))
        .unwrap_or_default();
    let profession = form.get("profession");
    let profession = Profession::from_slug(&profession);
    if profession.is_none() {
        form.fail("profession", "choose your profession");
    }
    let npi = form.get("npi");
    let npi = if npi.trim().is_empty() {
        None
    } else {
        form.check("npi", validate::npi(&npi))
    };
    let licence_number = form.get("licence_number");
    let licence_number = form
        .check("licence_number", validate::identifier(&licence_number, 40))
        .flatten();
    let licence_state = form.get("licence_state");
    let licence_state = form
        .check("licence_state", validate::state(&licence_state))
        .flatten();
    if licence_number.is_some() != licence_state.is_some() {
        form.fail(
            "licence_state",
            "give both the licence number and the state that issued it, or neither",
        );
    }
    let board_id = form.get("board_id");
    let board_id = form
        .check("board_id", validate::identifier(&board_id, 40))
        .flatten();
    let month = form.get("birth_month");
    let day = form.get("birth_day");
    let parse = |value: &str| -> Result<Option<u8>, String> {
        let value = value.trim();
        if value.is_empty() {
            Ok(None)
        } else {
            value
                .parse()
                .map(Some)
                .map_err(|_| "use a number".to_owned())
        }
    };
    let month = form.check("birth_month", parse(&month)).flatten();
    let day = form.check("birth_day", parse(&day)).flatten();
    let birth = form
        .check("birth_day", validate::birth_month_day(month, day))
        .flatten();
    let consent_reporting = !form.get("consent_reporting").is_empty();
    ProfileUpdate {
        full_name,
        profession,
        npi,
        licence_number,
        licence_state,
        board_id,
        birth,
        consent_reporting,
    }
}

/// `POST /account/register`: anyone. Creates a learner and signs them in.
pub async fn register(State(state): State<AppState>, session: Session, fields: Fields) -> Response {
    let mut form = Submission::new(fields);
    let email = form.get("email");
    let email = form.check("email", validate::email(&email));
    let profile = profile_fields(&mut form);
    let secret = form.get("password");
    if let Some(email) = &email {
        form.check("password", password::check_policy(&secret, email));
    }
    if !form.ok() {
        return back_to(&session, "register", form.state, "/register").await;
    }
    let (Some(email), Some(profession)) = (email, profile.profession) else {
        return back_to(&session, "register", form.state, "/register").await;
    };
    let password_hash = match state.hasher.hash(secret).await {
        Ok(hash) => hash,
        Err(error) => return internal(error),
    };
    let user = NewUser {
        email,
        password_hash,
        full_name: profile.full_name.clone(),
        profession,
        role: Role::Learner,
    };
    match store::create_with_profile(&state.pool, &user, &profile).await {
        Ok(id) => {
            if let Err(error) = super::sign_in(&session, id, 1).await {
                return internal(error);
            }
            notice(
                &session,
                "account",
                "Welcome to Grand Rounds. Your account is ready.",
                "/account",
            )
            .await
        }
        Err(CreateError::EmailTaken) => {
            form.fail(
                "email",
                "This address cannot be registered again. If it is yours, sign in or reset your password instead.",
            );
            back_to(&session, "register", form.state, "/register").await
        }
        Err(error) => internal(error),
    }
}

/// `POST /account/login`: anyone. Same message and similar timing whether or not the
/// email exists.
pub async fn login(
    State(state): State<AppState>,
    session: Session,
    ClientAddress(address): ClientAddress,
    fields: Fields,
) -> Response {
    let mut form = Submission::new(fields);
    let raw_email = form.get("email");
    let secret = form.get("password");
    let next = safe_next(&form.get("next"));
    let email = validate::email(&raw_email).unwrap_or_else(|_| raw_email.trim().to_lowercase());

    match throttle::check(&state.pool, &email, &address).await {
        Ok(Verdict::Locked) => {
            form.fail("form", SIGN_IN_FAILED);
            // Pay for a hash anyway so a locked account answers like any other.
            let _ = state.hasher.verify(secret, DUMMY_HASH.to_owned()).await;
            return back_to(&session, "login", form.state, "/login").await;
        }
        Ok(Verdict::Slow(pause)) => tokio::time::sleep(pause).await,
        Ok(Verdict::Allow) => {}
        Err(error) => return internal(error),
    }

    let account = match store::credentials(&state.pool, &email).await {
        Ok(account) => account,
        Err(error) => return internal(error),
    };
    let stored = account
        .as_ref()
        .map_or_else(|| DUMMY_HASH.to_owned(), |a| a.password_hash.clone());
    let verified = match state.hasher.verify(secret, stored).await {
        Ok(verified) => verified,
        Err(error) => return internal(error),
    };
    match account.filter(|_| verified) {
        Some(account) => {
            if let Err(error) = throttle::record_success(&state.pool, &email).await {
                return internal(error);
            }
            if let Err(error) = super::sign_in(&session, account.id, account.session_version).await
            {
                return internal(error);
            }
            Redirect::to(&next).into_response()
        }
        None => {
            if let Err(error) = throttle::record_failure(&state.pool, &email, &address).await {
                return internal(error);
            }
            form.fail("form", SIGN_IN_FAILED);
            back_to(&session, "login", form.state, "/login").await
        }
    }
}

/// An argon2id hash of a random string: verifying against it costs what a real check costs.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Vw9lQdDMgHWpeHjMaL6kufNquWGBT5hF6EE64GNa4a0";

/// Only a path on this site, never `//evil.example` or a full URL.
fn safe_next(next: &str) -> String {
    if next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.contains(':')
    {
        next.to_owned()
    } else {
        "/account".to_owned()
    }
}

/// `POST /account/logout`: anyone (signing out of no session is harmless).
pub async fn logout(session: Session) -> Response {
    if let Err(error) = session.flush().await {
        return internal(error);
    }
    Redirect::to("/").into_response()
}

/// `POST /account/profile`: the signed-in user, for their own account only.
pub async fn update_profile(
    State(state): State<AppState>,
    session: Session,
    SignedIn(viewer): SignedIn,
    fields: Fields,
) -> Response {
    let mut form = Submission::new(fields);
    let profile = profile_fields(&mut form);
    if !form.ok() {
        return back_to(&session, "profile", form.state, "/account").await;
    }
    match store::update_profile(&state.pool, viewer.id, &profile).await {
        Ok(()) => notice(&session, "profile", "Your profile is saved.", "/account").await,
        Err(error) => internal(error),
    }
}

/// `POST /account/password`: the signed-in user, knowing their current password. Ends
/// every other session of the account.
pub async fn change_password(
    State(state): State<AppState>,
    session: Session,
    SignedIn(viewer): SignedIn,
    fields: Fields,
) -> Response {
    let mut form = Submission::new(fields);
    let current = form.get("current_password");
    let new = form.get("new_password");
    let profile = match store::profile(&state.pool, viewer.id).await {
        Ok(Some(profile)) => profile,
        Ok(None) => return Redirect::to("/login").into_response(),
        Err(error) => return internal(error),
    };
    let stored = match store::credentials(&state.pool, &profile.email).await {
        Ok(Some(credentials)) => credentials.password_hash,
        Ok(None) => return Redirect::to("/login").into_response(),
        Err(error) => return internal(error),
    };
    match state.hasher.verify(current, stored).await {
        Ok(true) => {}
        Ok(false) => form.fail("current_password", "this is not your current password"),
        Err(error) => return internal(error),
    }
    form.check("new_password", password::check_policy(&new, &profile.email));
    if !form.ok() {
        return back_to(&session, "password", form.state, "/account").await;
    }
    let hash = match state.hasher.hash(new).await {
        Ok(hash) => hash,
        Err(error) => return internal(error),
    };
    match store::set_password(&state.pool, viewer.id, &hash).await {
        Ok(version) => {
            if let Err(error) = super::sign_in(&session, viewer.id, version).await {
                return internal(error);
            }
            notice(
                &session,
                "password",
                "Your password is changed. Every other session of your account has been signed out.",
                "/account",
            )
            .await
        }
        Err(error) => internal(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next("/courses/x"), "/courses/x");
        assert_eq!(safe_next("//evil.example"), "/account");
        assert_eq!(safe_next("https://evil.example"), "/account");
        assert_eq!(safe_next("/\\evil.example"), "/account");
        assert_eq!(safe_next(""), "/account");
    }

    #[tokio::test]
    async fn the_dummy_hash_is_a_real_argon2id_hash() {
        let hasher = password::Hasher::new(1);
        assert!(
            !hasher
                .verify("anything at all".into(), DUMMY_HASH.into())
                .await
                .expect("verify")
        );
        assert!(argon2::PasswordHash::new(DUMMY_HASH).is_ok());
    }
}
