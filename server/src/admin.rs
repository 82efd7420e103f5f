//! The administrators' console: the user list's role form (the list itself is a page).

use crate::AppState;
use crate::accounts::store;
use crate::auth::forms::form_key;
use app::model::{FormState, Role, Viewer};
use axum::Form;
use axum::extract::State;
use axum::extract::rejection::FormRejection;
use axum::response::{IntoResponse, Redirect, Response};
use std::collections::HashMap;
use tower_sessions::Session;

/// `POST /admin/users/role`: administrators only (enforced by the access table and again
/// here). An administrator cannot change their own role, so one always remains.
pub async fn change_role(
    State(state): State<AppState>,
    session: Session,
    viewer: Option<axum::Extension<Viewer>>,
    form: Result<Form<HashMap<String, String>>, FormRejection>,
) -> Response {
    let Some(axum::Extension(viewer)) = viewer.filter(|v| v.role == Role::Admin) else {
        return axum::http::StatusCode::FORBIDDEN.into_response();
    };
    let fields = form.map(|Form(fields)| fields).unwrap_or_default();
    let back = back_url(&fields);
    let mut result = FormState::default();
    let user = fields.get("user_id").and_then(|v| v.parse::<i64>().ok());
    let role = fields.get("role").and_then(|v| v.parse::<Role>().ok());
    match (user, role) {
        (Some(user), _) if user == viewer.id => result.errors.push((
            "form".into(),
            "You cannot change your own role; ask another administrator.".into(),
        )),
        (Some(user), Some(role)) => match store::set_role(&state.pool, viewer.id, user, role).await
        {
            Ok(Some(name)) => result.notice = Some(format!("{name} is now: {}.", role.label())),
            Ok(None) => result
                .errors
                .push(("form".into(), "There is no such user.".into())),
            Err(error) => {
                tracing::error!(%error, "role change failed");
                result.errors.push((
                    "form".into(),
                    "The role could not be changed. Please try again.".into(),
                ));
            }
        },
        _ => result.errors.push((
            "form".into(),
            "Choose a user and one of the roles learner, educator or admin.".into(),
        )),
    }
    if let Err(error) = session.insert(&form_key("admin-users"), result).await {
        tracing::error!(%error, "could not keep form state");
    }
    Redirect::to(&back).into_response()
}

/// Back to the list page the form was on, keeping its search and page.
fn back_url(fields: &HashMap<String, String>) -> String {
    let query = fields.get("q").map(String::as_str).unwrap_or_default();
    let page = fields
        .get("page")
        .and_then(|p| p.parse::<u32>().ok())
        .unwrap_or(1);
    let encoded: String = query
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'@' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect();
    format!("/admin/users?q={encoded}&page={page}")
}
