//! The administrators' user list's role form (the list itself is a page). An administrator
//! cannot change their own role, so one always remains; every change is audited.

use crate::AppState;
use crate::accounts::{Role, store};
use crate::auth::Admin;
use crate::error::Result;
use crate::forms::{Back, Fields, Submission};
use axum::extract::State;

/// `POST /admin/users/role`: administrators only.
pub async fn change_role(
    State(state): State<AppState>,
    Admin(viewer): Admin,
    fields: Fields,
) -> Result<Back> {
    let form = Submission::new(fields);
    let back = Back::to("admin-users", back_url(form.peek("q"), form.peek("page")));
    if let Some(problem) = form.problem() {
        return Ok(back.error("form", problem));
    }
    let user = form.peek("user_id").parse::<i64>().ok();
    let role = form.peek("role").parse::<Role>().ok();
    Ok(match (user, role) {
        (Some(user), _) if user == viewer.id => back.error(
            "form",
            "You cannot change your own role; ask another administrator.",
        ),
        (Some(user), Some(role))
            if role != Role::Learner && !confirmed(&state.pool, user).await? =>
        {
            back.error(
                "form",
                "This account's address is not confirmed, so it cannot be given a role: invite the address instead (the invitation's link proves it).",
            )
        }
        (Some(user), Some(role)) => {
            match store::set_role(&state.pool, viewer.id, user, role).await {
                Ok(Some(name)) => back.notice(format!("{name} is now: {}.", role.label())),
                Ok(None) => back.error("form", "There is no such user."),
                Err(error) => {
                    tracing::error!(%error, "role change failed");
                    back.error("form", "The role could not be changed. Please try again.")
                }
            }
        }
        _ => back.error(
            "form",
            "Choose a user and one of the roles learner, educator or admin.",
        ),
    })
}

/// Whether `user`'s address is confirmed (a role needs it: the address is the identity).
async fn confirmed(pool: &crate::db::Pool, user: i64) -> Result<bool> {
    let mut conn = pool.acquire().await?;
    super::confirmation::is_confirmed(&mut conn, user).await
}

/// Back to the list page the form was on, keeping its search and page.
fn back_url(query: &str, page: &str) -> String {
    let page = page.parse::<u32>().unwrap_or(1);
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
