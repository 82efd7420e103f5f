//! Plain `<form>` posts that work without JavaScript: a handler reads the fields with
//! [`Submission`], and answers with a [`Back`], the post-redirect-get to the form's page
//! carrying a message per field, the values typed (never passwords) and any notice. The
//! state is kept in the session by [`keep_form_state`] for exactly one view of the page.

use crate::error::Error;
use app::forms::FormState;
use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Serialize;
use tower_sessions::Session;

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
        let untouched = self.state == FormState::default();
        if !untouched {
            match serde_json::to_value(&self.state) {
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

/// Stores in the session what a [`Back`] asked to keep (called by the session-aware
/// middleware, [`crate::auth::load_viewer`], after the handler answered).
pub async fn keep_form_state(session: &Session, response: &mut Response) {
    if let Some(Keep(values)) = response.extensions_mut().remove::<Keep>() {
        for (key, value) in values {
            if let Err(error) = session.insert(&key, value).await {
                tracing::error!(%error, key, "could not keep form state");
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
