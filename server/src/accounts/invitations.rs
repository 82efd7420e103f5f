//! Invitations instead of passwords on the command line: an administrator invites an
//! address with a role from `/admin/users` (or `grandrounds user add --invite`); the invitee
//! follows a single-use link, chooses their own password, fills in the profile and is
//! signed in. Invitations expire after [`INVITATION_DAYS`], can be revoked and resent (a
//! new link; the old one stops working), and every step is in the audit log. Everything
//! about one address serialises on its `invitation:<email>` key.

use super::store::{self, CreateError, Invitation, NewUser};
use super::{Role, password, tokens, validate};
use crate::AppState;
use crate::auth::{self, Admin};
use crate::db::On;
use crate::error::{Error, Result};
use crate::forms::{Back, Fields, Submission};
use crate::mail::compose::{Identity, templates};
use axum::extract::State;
use tower_sessions::Session;

pub const INVITATION_DAYS: i64 = 7;

const ADMIN_FORM: &str = "admin-users";

fn key(email: &str) -> String {
    format!("invitation:{email}")
}

fn expiry_text(expires_at: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(expires_at)
        .ok()
        .and_then(|at| {
            at.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .map(|at| at.chars().take(16).collect::<String>().replace('T', " "))
        .unwrap_or_default()
}

/// Why an invitation cannot be made.
#[derive(Debug)]
pub enum Refusal {
    HasAccount,
    Database(Error),
}

impl From<sqlx::Error> for Refusal {
    fn from(error: sqlx::Error) -> Self {
        Self::Database(error.into())
    }
}

impl From<Error> for Refusal {
    fn from(error: Error) -> Self {
        Self::Database(error)
    }
}

/// Makes an invitation for `email` (validated) as `role` and queues its message, in one
/// transaction with its audit entry; an earlier open invitation of the address is revoked.
/// `by` is the administrator (`None`: the command line).
pub async fn create(
    pool: &crate::db::Pool,
    identity: &Identity,
    email: &str,
    role: Role,
    by: Option<(i64, &str)>,
) -> std::result::Result<Created, Refusal> {
    let (token, hash) = tokens::new_token();
    let expires_at = crate::clock::now_secs() + INVITATION_DAYS * 86_400;
    let mut tx = crate::db::write_tx(pool).await?;
    // Serialises on the address: one open invitation each.
    crate::db::lock(&mut tx, On::Key(&key(email))).await?;
    // An account whose address was never confirmed does not stop an invitation: the
    // invitation's link proves the address, and whoever accepts it takes that account over.
    if let Some((id, _)) = store::account_by_email(&mut tx, email).await?
        && store::confirmed_at(&mut tx, id).await?.is_some()
    {
        return Err(Refusal::HasAccount);
    }
    let actor = by.map(|(id, _)| id);
    for earlier in store::open_invitations(&mut tx, email).await? {
        store::revoke_invitation(&mut tx, earlier, actor).await?;
        crate::db::audit::record(
            &mut tx,
            actor,
            "invitation.revoke",
            &format!("invitation:{earlier}"),
            &format!("{email}: replaced by a new invitation"),
        )
        .await?;
    }
    let id = store::insert_invitation(
        &mut tx,
        email,
        role,
        &hash,
        by.map(|(id, _)| id),
        expires_at,
    )
    .await?;
    let link = identity.link(&format!("/invitation?token={token}"));
    let letter = templates::invitation(
        identity,
        email,
        by.map(|(_, name)| name),
        role.label(),
        &link,
        &expiry_text(expires_at),
    );
    let message = crate::mail::enqueue(&mut tx, identity, &letter).await?;
    // `None`: the command line.
    crate::db::audit::record(
        &mut tx,
        actor,
        "invitation.create",
        &format!("invitation:{id}"),
        &format!("{email} invited as {role}"),
    )
    .await?;
    tx.commit().await?;
    Ok(Created {
        invitation: id,
        message,
    })
}

/// A new invitation and its message in the outbox.
#[derive(Debug, Clone, Copy)]
pub struct Created {
    pub invitation: i64,
    pub message: Option<i64>,
}

/// `POST /admin/users/invite`: administrators.
pub async fn invite(
    State(state): State<AppState>,
    Admin(viewer): Admin,
    fields: Fields,
) -> Result<Back> {
    let mut form = Submission::new(fields);
    let email = form.get("invite_email");
    let email = form.check("invite_email", validate::email(&email));
    let role = form.get("invite_role");
    let role = form.check(
        "invite_role",
        role.parse::<Role>()
            .map_err(|_| "choose learner, educator or administrator".to_owned()),
    );
    let (true, Some(email), Some(role)) = (form.ok(), email, role) else {
        return Err(form.back(ADMIN_FORM, "/admin/users").into());
    };
    match create(
        &state.pool,
        &state.mail.identity,
        &email,
        role,
        Some((viewer.id, &viewer.name)),
    )
    .await
    {
        Ok(_) => {
            state.mail.wake();
            Ok(Back::to(ADMIN_FORM, "/admin/users").notice(format!(
                "{email} is invited as {}. The link in the message works once, for {INVITATION_DAYS} days.",
                role.label()
            )))
        }
        Err(Refusal::HasAccount) => {
            form.fail(
                "invite_email",
                "this address already has an account: find it in the list below to change its role",
            );
            Err(form.back(ADMIN_FORM, "/admin/users").into())
        }
        Err(Refusal::Database(error)) => Err(error),
    }
}

fn chosen_invitation(form: &mut Submission) -> Result<i64> {
    let id = form.get("invitation_id");
    id.trim().parse::<i64>().map_err(|_| {
        Error::invalid(
            Back::to(ADMIN_FORM, "/admin/users")
                .error("form", "Choose an invitation from the list."),
        )
    })
}

/// An open invitation by id, read under its address's key (taken here).
async fn open_one(
    tx: &mut sqlx::Transaction<'static, crate::db::Db>,
    id: i64,
) -> Result<std::result::Result<Invitation, String>> {
    let Some(found) = store::invitation(tx, id).await? else {
        return Ok(Err(format!("There is no invitation {id}.")));
    };
    // Serialises on the address, then reads again: what was checked is what is changed.
    crate::db::lock(tx, On::Key(&key(&found.email))).await?;
    let Some(found) = store::invitation(tx, id).await? else {
        return Ok(Err(format!("There is no invitation {id}.")));
    };
    if found.accepted_at.is_some() {
        return Ok(Err(format!(
            "The invitation of {} was accepted already.",
            found.email
        )));
    }
    if found.revoked_at.is_some() {
        return Ok(Err(format!(
            "The invitation of {} was revoked already.",
            found.email
        )));
    }
    Ok(Ok(found))
}

/// `POST /admin/users/invitations/revoke`: administrators. The link stops working.
pub async fn revoke(
    State(state): State<AppState>,
    Admin(viewer): Admin,
    fields: Fields,
) -> Result<Back> {
    let mut form = Submission::new(fields);
    let id = chosen_invitation(&mut form)?;
    let mut tx = crate::db::write_tx(&state.pool).await?;
    let found = match open_one(&mut tx, id).await? {
        Ok(found) => found,
        Err(message) => {
            return Err(Error::invalid(
                Back::to(ADMIN_FORM, "/admin/users").error("form", message),
            ));
        }
    };
    store::revoke_invitation(&mut tx, id, Some(viewer.id)).await?;
    crate::db::audit::record(
        &mut tx,
        Some(viewer.id),
        "invitation.revoke",
        &format!("invitation:{id}"),
        &found.email,
    )
    .await?;
    tx.commit().await?;
    Ok(Back::to(ADMIN_FORM, "/admin/users").notice(format!(
        "The invitation of {} is revoked; its link no longer works.",
        found.email
    )))
}

/// `POST /admin/users/invitations/resend`: administrators. A new link (the old one stops
/// working) valid for another [`INVITATION_DAYS`].
pub async fn resend(
    State(state): State<AppState>,
    Admin(viewer): Admin,
    fields: Fields,
) -> Result<Back> {
    let mut form = Submission::new(fields);
    let id = chosen_invitation(&mut form)?;
    let identity = &state.mail.identity;
    let mut tx = crate::db::write_tx(&state.pool).await?;
    let found = match open_one(&mut tx, id).await? {
        Ok(found) => found,
        Err(message) => {
            return Err(Error::invalid(
                Back::to(ADMIN_FORM, "/admin/users").error("form", message),
            ));
        }
    };
    let (token, hash) = tokens::new_token();
    let expires_at = crate::clock::now_secs() + INVITATION_DAYS * 86_400;
    store::renew_invitation(&mut tx, id, &hash, expires_at).await?;
    let link = identity.link(&format!("/invitation?token={token}"));
    let letter = templates::invitation(
        identity,
        &found.email,
        Some(&viewer.name),
        found.role.label(),
        &link,
        &expiry_text(expires_at),
    );
    crate::mail::enqueue(&mut tx, identity, &letter).await?;
    crate::db::audit::record(
        &mut tx,
        Some(viewer.id),
        "invitation.resend",
        &format!("invitation:{id}"),
        &found.email,
    )
    .await?;
    tx.commit().await?;
    state.mail.wake();
    Ok(Back::to(ADMIN_FORM, "/admin/users").notice(format!(
        "A new invitation is on its way to {}; the earlier link no longer works.",
        found.email
    )))
}

/// Why an invitation link does not work, or `None` when it does.
pub fn refusal(found: Option<&Invitation>) -> Option<String> {
    match found {
        None => Some("This invitation link is not valid. Copy the whole address from the message, or ask the administrator who invited you for a new one.".into()),
        Some(i) if i.accepted_at.is_some() => Some("This invitation was accepted already: sign in with the password chosen then, or reset it from the sign-in page.".into()),
        Some(i) if i.revoked_at.is_some() => Some("This invitation was withdrawn or replaced by a newer one. Use the newest message, or ask the administrator who invited you.".into()),
        Some(i) if i.expired() => Some(format!("This invitation expired: links work for {INVITATION_DAYS} days. Ask the administrator who invited you to send it again.")),
        Some(_) => None,
    }
}

pub async fn find(pool: &crate::db::Pool, token: &str) -> Result<Option<Invitation>> {
    if !tokens::well_formed(token) {
        return Ok(None);
    }
    let mut conn = pool.acquire().await?;
    Ok(store::invitation_by_token(&mut conn, &tokens::hash(token)).await?)
}

/// `POST /invitation/accept`: anyone holding an open link. Creates the account with the
/// invited role and signs it in.
pub async fn accept(
    State(state): State<AppState>,
    session: Session,
    fields: Fields,
) -> Result<Back> {
    let mut form = Submission::new(fields);
    let token = form.peek("token").trim().to_owned();
    let path = if tokens::well_formed(&token) {
        format!("/invitation?token={token}")
    } else {
        "/invitation".to_owned()
    };
    let profile = super::forms::profile_fields(&mut form);
    let secret = form.get("password");
    let found = find(&state.pool, &token).await?;
    if let Some(reason) = refusal(found.as_ref()) {
        form.fail("form", reason);
        return Err(form.back("invitation", path).into());
    }
    let Some(found) = found else {
        return Err(form.back("invitation", path).into());
    };
    form.check("password", password::check_policy(&secret, &found.email));
    let (true, Some(profession)) = (form.ok(), profile.profession) else {
        return Err(form.back("invitation", path).into());
    };
    let user = NewUser {
        email: found.email.clone(),
        password_hash: state.hasher.hash(secret).await?,
        full_name: profile.full_name.clone(),
        profession,
        role: found.role,
    };
    let mut tx = crate::db::write_tx(&state.pool).await?;
    // Serialises on the address: an invitation is accepted once.
    crate::db::lock(&mut tx, On::Key(&key(&found.email))).await?;
    let again = store::invitation_by_token(&mut tx, &tokens::hash(&token)).await?;
    if let Some(reason) = refusal(again.as_ref()) {
        tx.rollback().await?;
        form.fail("form", reason);
        return Err(form.back("invitation", path).into());
    }
    // An unconfirmed account with this address (someone registered it without owning it)
    // is taken over: the invitee's password, profile and role replace the squatter's, and
    // the squatter's sessions end.
    let squatted = match store::account_by_email(&mut tx, &found.email).await? {
        Some((id, _)) if store::confirmed_at(&mut tx, id).await?.is_none() => Some(id),
        Some(_) => {
            tx.rollback().await?;
            form.fail(
                "form",
                "An account with this address exists already: sign in, or reset its password from the sign-in page.",
            );
            return Err(form.back("invitation", path).into());
        }
        None => None,
    };
    let (id, version, detail) = if let Some(id) = squatted {
        // Serialises with a confirmation or reset of the same account: of the two, one.
        crate::db::lock(&mut tx, On::Row(crate::db::Table::Users, id)).await?;
        if !store::take_over_unconfirmed(&mut tx, id, &user, &profile).await? {
            tx.rollback().await?;
            form.fail(
                "form",
                "An account with this address exists already: sign in, or reset its password from the sign-in page.",
            );
            return Err(form.back("invitation", path).into());
        }
        let version = store::session_version(&mut tx, id).await?;
        (
            id,
            version,
            format!(
                "{} joined as {}, taking over the unconfirmed account registered with the address",
                found.email, found.role
            ),
        )
    } else {
        let id = match store::insert_with_profile(&mut tx, &user, &profile).await {
            Ok(id) => id,
            Err(CreateError::EmailTaken) => {
                tx.rollback().await?;
                form.fail(
                    "form",
                    "An account with this address exists already: sign in, or reset its password from the sign-in page.",
                );
                return Err(form.back("invitation", path).into());
            }
            Err(CreateError::Database(error)) => return Err(error.into()),
        };
        (id, 1, format!("{} joined as {}", found.email, found.role))
    };
    store::accept_invitation(&mut tx, found.id, id).await?;
    crate::db::audit::record(
        &mut tx,
        Some(id),
        "invitation.accept",
        &format!("invitation:{}", found.id),
        &detail,
    )
    .await?;
    tx.commit().await?;
    auth::sign_in(&session, id, version).await?;
    Ok(Back::to("account", "/account").notice(format!(
        "Welcome to {}. Your account is ready, as {}.",
        state.mail.identity.site_name,
        found.role.label()
    )))
}

/// The administrators' list of recent invitations.
pub async fn recent(pool: &crate::db::Pool) -> Result<Vec<app::accounts::InvitationRow>> {
    let now = crate::clock::now_secs();
    let shown = |at: &str| at.chars().take(16).collect::<String>().replace('T', " ");
    Ok(store::recent_invitations(pool, 50)
        .await?
        .into_iter()
        .map(|i| {
            let state = match (&i.accepted_at, &i.revoked_at) {
                (Some(at), _) => format!("accepted {}", shown(at)),
                (None, Some(at)) => format!("revoked {}", shown(at)),
                (None, None) if i.expires_at <= now => {
                    format!("expired {}", expiry_text(i.expires_at))
                }
                (None, None) => format!("open until {}", expiry_text(i.expires_at)),
            };
            app::accounts::InvitationRow {
                id: i.id,
                open: i.is_open(),
                email: i.email,
                role: i.role,
                invited_by: i.invited_by.unwrap_or_else(|| "command line".into()),
                sent: shown(&i.sent_at),
                state,
            }
        })
        .collect())
}
