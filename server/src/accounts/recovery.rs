//! Forgotten passwords (after OWASP's Forgot Password cheat sheet): `/forgot-password`
//! answers the same words whether or not an account uses the address, and does the same
//! work (a message is built either way; only an account's is stored); the emailed link
//! carries a 256-bit token stored only as a hash, valid [`RESET_MINUTES`], used once, and
//! superseded by a newer request. Setting the new password follows the registration rules,
//! ends every session of the account, and tells its owner by mail. Requests are counted
//! per client address and per email, the same way for addresses with and without an
//! account, so the limits reveal nothing either.

use super::store::{self, TokenState};
use super::{password, tokens, validate};
use crate::AppState;
use crate::auth::{self, rate_limit};
use crate::client_addr::ClientAddress;
use crate::db::{On, Table};
use crate::error::Result;
use crate::forms::{Back, Fields, Submission};
use crate::mail::compose::templates;
use axum::extract::State;
use tower_sessions::Session;

/// How long a reset link works.
pub const RESET_MINUTES: i64 = 30;

/// The one answer to every well-formed request.
pub const RESET_SENT: &str = "If an account uses that address, a link to choose a new password is on its way to it. The link works once, for 30 minutes. Nothing after a few minutes? Look in the spam folder, then ask again.";

const FORM: &str = "forgot-password";

/// `POST /forgot-password`: anyone.
pub async fn forgot(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    fields: Fields,
) -> Result<Back> {
    let mut form = Submission::new(fields);
    let raw = form.get("email");
    let email = form.check("email", validate::email(&raw));
    let (true, Some(email)) = (form.ok(), email) else {
        return Err(form.back(FORM, "/forgot-password").into());
    };
    if rate_limit::reset_request(&state.pool, &email, &address).await? {
        request(&state, &email).await?;
    } else {
        tracing::info!("password reset request over its limit: nothing sent");
    }
    Ok(Back::to(FORM, "/forgot-password").notice(RESET_SENT))
}

/// Stores a token and queues its message if an account uses `email`.
async fn request(state: &AppState, email: &str) -> Result<()> {
    let identity = &state.mail.identity;
    let (token, hash) = tokens::new_token();
    let link = identity.link(&format!("/reset-password?token={token}"));
    let mut tx = crate::db::write_tx(&state.pool).await?;
    match store::account_by_email(&mut tx, email).await? {
        Some((user, name)) => {
            // Serialises on the user: of two requests at once, one token stays open.
            crate::db::lock(&mut tx, On::Row(Table::Users, user)).await?;
            // An unconfirmed account's name was typed by whoever registered the address:
            // the message to the address greets the address.
            let name = if store::confirmed_at(&mut tx, user).await?.is_some() {
                name
            } else {
                email.to_owned()
            };
            store::insert_link(
                &mut tx,
                store::Link::Reset,
                user,
                &hash,
                crate::clock::now_secs() + RESET_MINUTES * 60,
            )
            .await?;
            let letter =
                templates::password_reset(identity, user, email, &name, &link, RESET_MINUTES);
            crate::mail::enqueue(&mut tx, identity, &letter).await?;
            tx.commit().await?;
            state.mail.wake();
        }
        None => {
            // The same work as for an account, so the answer takes about as long: a message
            // built, and a committed write (the request's own count, rewritten as it is) so
            // the commit's flush to disk is paid on both paths.
            let letter = templates::password_reset(identity, 0, email, email, &link, RESET_MINUTES);
            let _ = letter.render(identity);
            rate_limit::touch_reset_count(&mut tx, email).await?;
            tx.commit().await?;
        }
    }
    Ok(())
}

/// Someone registered with `email`, which has an account: mails its owner what happened
/// with a reset link (a way back in that also proves the address). The caller counted the
/// request like a reset request, so the address gets a few such messages an hour at most.
pub async fn account_exists(state: &AppState, email: &str) -> Result<()> {
    let identity = &state.mail.identity;
    let (token, hash) = tokens::new_token();
    let link = identity.link(&format!("/reset-password?token={token}"));
    let mut tx = crate::db::write_tx(&state.pool).await?;
    if let Some((user, _)) = store::account_by_email(&mut tx, email).await? {
        // Serialises on the user: of two requests at once, one token stays open.
        crate::db::lock(&mut tx, On::Row(Table::Users, user)).await?;
        store::insert_link(
            &mut tx,
            store::Link::Reset,
            user,
            &hash,
            crate::clock::now_secs() + RESET_MINUTES * 60,
        )
        .await?;
        let letter = templates::account_exists(identity, user, email, &link, RESET_MINUTES);
        crate::mail::enqueue(&mut tx, identity, &letter).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Why a link does not work, in the words the page shows.
pub fn refusal(state: Option<TokenState>) -> Option<&'static str> {
    match state {
        Some(TokenState::Usable) => None,
        Some(TokenState::Expired) => {
            Some("This link has expired: reset links work for 30 minutes. Ask for a new one below.")
        }
        Some(TokenState::Used) => Some(
            "This link was used already: each works once. If you did not use it, ask for a new one below and tell your administrator.",
        ),
        Some(TokenState::Superseded) => Some(
            "A newer reset link was sent after this one, and only the newest works. Use the link in the latest message, or ask for a new one below.",
        ),
        None => Some(
            "This reset link is not valid. Copy the whole address from the message, or ask for a new link below.",
        ),
    }
}

/// The stored token for `token`, if it is well formed and known.
pub async fn find(pool: &crate::db::Pool, token: &str) -> Result<Option<store::ResetToken>> {
    if !tokens::well_formed(token) {
        return Ok(None);
    }
    let mut conn = pool.acquire().await?;
    Ok(store::find_link(&mut conn, store::Link::Reset, &tokens::hash(token)).await?)
}

/// `POST /reset-password`: anyone holding a usable link. Sets the password, ends every
/// session of the account, signs this browser in and tells the owner by mail.
pub async fn reset(
    State(state): State<AppState>,
    session: Session,
    fields: Fields,
) -> Result<Back> {
    let mut form = Submission::new(fields);
    // Never kept in the form state: it is in the page's address already.
    let token = form.peek("token").trim().to_owned();
    let new = form.get("new_password");
    let path = if tokens::well_formed(&token) {
        format!("/reset-password?token={token}")
    } else {
        "/reset-password".to_owned()
    };
    if !form.ok() {
        return Err(form.back("reset-password", path).into());
    }
    let found = find(&state.pool, &token).await?;
    if let Some(reason) = refusal(found.as_ref().map(|r| r.state)) {
        form.fail("form", reason);
        return Err(form.back("reset-password", path).into());
    }
    let Some(found) = found else {
        return Err(form.back("reset-password", path).into());
    };
    form.check("new_password", password::check_policy(&new, &found.email));
    if !form.ok() {
        return Err(form.back("reset-password", path).into());
    }
    let hash = state.hasher.hash(new).await?;

    let identity = &state.mail.identity;
    let mut tx = crate::db::write_tx(&state.pool).await?;
    // Serialises on the user: of two submissions of one link, one sets the password.
    crate::db::lock(&mut tx, On::Row(Table::Users, found.user_id)).await?;
    let again = store::find_link(&mut tx, store::Link::Reset, &tokens::hash(&token)).await?;
    if let Some(reason) = refusal(again.map(|r| r.state)) {
        tx.rollback().await?;
        form.fail("form", reason);
        return Err(form.back("reset-password", path).into());
    }
    store::mark_link_used(&mut tx, store::Link::Reset, found.id).await?;
    // The link reached the address: that confirms it, if it was not yet, and what the
    // registrant wrote about its owner (identifiers, consent) goes.
    store::clear_unproven_profile(&mut tx, found.user_id).await?;
    store::confirm_address(&mut tx, found.user_id).await?;
    let version = store::set_password(&mut tx, found.user_id, &hash).await?;
    crate::db::audit::record(
        &mut tx,
        Some(found.user_id),
        "password.reset",
        &format!("user:{}", found.user_id),
        "new password set with an emailed reset link; every session signed out",
    )
    .await?;
    notify_changed(&mut tx, identity, found.user_id).await?;
    tx.commit().await?;
    state.mail.wake();
    auth::sign_in(&session, found.user_id, version).await?;
    Ok(Back::to("account", "/account").notice(
        "Your new password is set and you are signed in. Every other session of your account was signed out.",
    ))
}

/// Queues "your password was changed" to the account, in the caller's transaction.
pub async fn notify_changed(
    conn: &mut crate::db::Connection,
    identity: &crate::mail::compose::Identity,
    user: i64,
) -> Result<()> {
    if let Some((email, name)) = store::contact(conn, user).await? {
        let when: String = crate::clock::now()
            .chars()
            .take(16)
            .collect::<String>()
            .replace('T', " ");
        let letter = templates::password_changed(identity, user, &email, &name, &when);
        crate::mail::enqueue(conn, identity, &letter).await?;
    }
    Ok(())
}
