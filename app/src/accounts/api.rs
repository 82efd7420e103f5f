//! The accounts server functions: thin, each says who may call it, then hands over to the
//! backend ([`super::AccountsBackend`]).

#[cfg(feature = "ssr")]
use crate::api::answer;
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

/// Forms whose leftover state pages may ask for.
#[cfg(feature = "ssr")]
const FORMS: [&str; 23] = [
    "login",
    "register",
    "account",
    "profile",
    "password",
    "mail",
    "admin-users",
    "learning",
    "forgot-password",
    "reset-password",
    "invitation",
    "outbox",
    "webinar",
    "webinar-registrations",
    "webinar-code",
    "webinar-evaluation",
    "webinar-claim",
    "attendance-codes",
    "attendance-import",
    "attendance-correct",
    "attendance-code",
    "time-zone",
    "calendar",
];

/// Who is signed in. Anyone may ask; the answer is about their own session only.
#[server(input = GetUrl, prefix = "/api", endpoint = "viewer")]
pub async fn current_viewer() -> Result<Option<crate::accounts::Viewer>, AppError> {
    answer(async { crate::service::backend()?.viewer().await }.await)
}

/// The messages and typed values a form left in this session. Anyone; own session only.
#[server(input = GetUrl, prefix = "/api", endpoint = "form-state")]
pub async fn form_state(form: String) -> Result<crate::forms::FormState, AppError> {
    answer(
        async {
            if !FORMS.contains(&form.as_str()) {
                return Err(AppError::validation(
                    "form",
                    format!("there is no form called \"{form}\""),
                ));
            }
            crate::service::backend()?.take_form_state(&form).await
        }
        .await,
    )
}

/// The signed-in user's own profile. Signed-in users only.
#[server(input = GetUrl, prefix = "/api", endpoint = "profile")]
pub async fn my_profile() -> Result<crate::accounts::Profile, AppError> {
    answer(async { crate::service::backend()?.my_profile().await }.await)
}

/// Administrators only: the user list, searched and paged.
#[server(input = GetUrl, prefix = "/api", endpoint = "admin-users")]
pub async fn admin_users(
    query: Option<String>,
    page: Option<u32>,
) -> Result<crate::accounts::UserPage, AppError> {
    answer(
        async {
            crate::service::backend()?
                .users(query.as_deref().unwrap_or_default(), page.unwrap_or(1))
                .await
        }
        .await,
    )
}

/// Anyone: whether a password reset link works. The token is the only key; the answer names
/// the account only to the holder of a working link.
#[server(input = GetUrl, prefix = "/api", endpoint = "reset-link")]
pub async fn reset_link(token: Option<String>) -> Result<crate::accounts::ResetLink, AppError> {
    answer(
        async {
            crate::service::backend()?
                .reset_link(token.as_deref().unwrap_or_default())
                .await
        }
        .await,
    )
}

/// Anyone: whether an invitation link works, and what it invites to.
#[server(input = GetUrl, prefix = "/api", endpoint = "invitation-link")]
pub async fn invitation_link(
    token: Option<String>,
) -> Result<crate::accounts::InvitationLink, AppError> {
    answer(
        async {
            crate::service::backend()?
                .invitation_link(token.as_deref().unwrap_or_default())
                .await
        }
        .await,
    )
}

/// Administrators only: the latest invitations.
#[server(input = GetUrl, prefix = "/api", endpoint = "admin-invitations")]
pub async fn admin_invitations() -> Result<Vec<crate::accounts::InvitationRow>, AppError> {
    answer(async { crate::service::backend()?.invitations().await }.await)
}
