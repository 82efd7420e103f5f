//! Confirmed addresses. A self-registered account starts unconfirmed: the site mails its
//! address one link ([`send`]), and until the owner follows it the account may sign in and
//! edit its profile but not register for a webinar, enrol, claim credit or be given a role
//! ([`is_confirmed`], asked by each of those), and the outbox sends it nothing but that link
//! or a way back in (`MailKind::before_confirmation`). The link is sent at most
//! [`SENDS_PER_HOUR`] times an hour, works once, for [`CONFIRM_HOURS`], and only its hash is
//! stored. Following it (`GET /confirm-address?token=…`) confirms the address and signs no
//! one in (so a link sent to someone else cannot sign them into the sender's account); the
//! owner then signs in. An invitation's link and a password reset prove the address too.

use super::store::{self, TokenState};
use super::tokens;
use crate::AppState;
use crate::auth::SignedIn;
use crate::db::{On, Table};
use crate::error::Result;
use crate::forms::Back;
use crate::mail::compose::{Identity, templates};
use axum::extract::{Query, State};

/// How long a confirmation link works.
pub const CONFIRM_HOURS: i64 = 48;
/// Confirmation messages an account is sent per hour at most.
pub const SENDS_PER_HOUR: i64 = 3;

/// What a gated action answers an account whose address is not confirmed.
pub const UNCONFIRMED: &str = "Confirm your email address first: follow the link in the message we sent you (or send it again from your account page). Until then the account cannot register for webinars, enrol or claim credit.";

/// Whether `user`'s address is confirmed.
pub async fn is_confirmed(conn: &mut crate::db::Connection, user: i64) -> Result<bool> {
    Ok(store::confirmed_at(conn, user).await?.is_some())
}

/// Makes a new confirmation link for `user` and queues its message, in the caller's
/// transaction (which serialises on the user); false, and nothing sent, when
/// [`SENDS_PER_HOUR`] went out in the last hour already.
pub async fn send(
    conn: &mut crate::db::Connection,
    identity: &Identity,
    user: i64,
    email: &str,
) -> Result<bool> {
    let now = crate::clock::now_secs();
    if store::confirmations_since(conn, user, now - 3600).await? >= SENDS_PER_HOUR {
        return Ok(false);
    }
    let (token, hash) = tokens::new_token();
    store::insert_confirmation(conn, user, &hash, now + CONFIRM_HOURS * 3600).await?;
    let link = identity.link(&format!("/confirm-address?token={token}"));
    let letter = templates::address_confirmation(identity, user, email, &link, CONFIRM_HOURS);
    crate::mail::enqueue(conn, identity, &letter).await?;
    Ok(true)
}

#[derive(serde::Deserialize)]
pub struct Token {
    #[serde(default)]
    token: String,
}

/// `GET /confirm-address?token=…`: anyone holding the link. Confirms the address and sends
/// the browser to sign in, told what happened; signs no one in.
pub async fn confirm(State(state): State<AppState>, Query(query): Query<Token>) -> Result<Back> {
    let refused = |reason: &str| back_with(reason);
    let token = query.token.trim();
    if !tokens::well_formed(token) {
        return Ok(refused(
            "This confirmation link is not valid. Copy the whole address from the message, or sign in and send a new link from your account page.",
        ));
    }
    let hash = tokens::hash(token);
    let mut conn = state.pool.acquire().await?;
    let Some(found) = store::find_confirmation(&mut conn, &hash).await? else {
        return Ok(refused(
            "This confirmation link is not valid. Copy the whole address from the message, or sign in and send a new link from your account page.",
        ));
    };
    drop(conn);
    let mut tx = crate::db::write_tx(&state.pool).await?;
    // Serialises on the user: the link is used once.
    crate::db::lock(&mut tx, On::Row(Table::Users, found.user_id)).await?;
    let again = store::find_confirmation(&mut tx, &hash).await?;
    let already = store::confirmed_at(&mut tx, found.user_id).await?.is_some();
    match again.map(|f| f.state) {
        Some(TokenState::Usable) => {}
        Some(TokenState::Used) if already => {
            tx.rollback().await?;
            return Ok(Back::to("login", "/login")
                .notice("Your address is confirmed already. Sign in to continue."));
        }
        Some(TokenState::Expired) => {
            tx.rollback().await?;
            return Ok(refused(&format!(
                "This confirmation link has expired (links work for {CONFIRM_HOURS} hours). Sign in and send a new one from your account page."
            )));
        }
        _ => {
            tx.rollback().await?;
            return Ok(refused(
                "This confirmation link no longer works (a newer one was sent, or it was used). Use the link in the latest message, or sign in and send a new one from your account page.",
            ));
        }
    }
    store::mark_confirmation_used(&mut tx, found.id).await?;
    store::confirm_address(&mut tx, found.user_id).await?;
    crate::db::audit::record(
        &mut tx,
        Some(found.user_id),
        "account.confirm",
        &format!("user:{}", found.user_id),
        &format!("{} confirmed with the emailed link", found.email),
    )
    .await?;
    tx.commit().await?;
    Ok(Back::to("login", "/login").notice(format!(
        "Thank you: {} is confirmed. Sign in to continue.",
        found.email
    )))
}

fn back_with(reason: &str) -> Back {
    Back::to("login", "/login").error("form", reason)
}

/// `POST /account/confirmation`: the signed-in owner of an unconfirmed account asks for the
/// link again (a few times an hour at most).
pub async fn resend(State(state): State<AppState>, SignedIn(viewer): SignedIn) -> Result<Back> {
    let back = Back::to("account", "/account");
    let mut tx = crate::db::write_tx(&state.pool).await?;
    // Serialises on the user: the hour's count is read, then one more link may be made.
    crate::db::lock(&mut tx, On::Row(Table::Users, viewer.id)).await?;
    if store::confirmed_at(&mut tx, viewer.id).await?.is_some() {
        tx.rollback().await?;
        return Ok(back.notice("Your address is confirmed already."));
    }
    let email = store::contact(&mut tx, viewer.id)
        .await?
        .map(|(email, _)| email)
        .unwrap_or_default();
    let sent = send(&mut tx, &state.mail.identity, viewer.id, &email).await?;
    tx.commit().await?;
    if sent {
        state.mail.wake();
        Ok(back.notice(format!(
            "A new confirmation link is on its way to {email}. It works once, for {CONFIRM_HOURS} hours; earlier links no longer work."
        )))
    } else {
        Ok(back.error(
            "form",
            format!(
                "{SENDS_PER_HOUR} links were sent in the last hour already: use the latest, or wait and ask again. Nothing after a few minutes? Look in the spam folder."
            ),
        ))
    }
}
