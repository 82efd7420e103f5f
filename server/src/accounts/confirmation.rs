//! Confirmed addresses. A self-registered account starts unconfirmed: the site mails its
//! address one link ([`send`]), and until its owner follows it **and** signs in with the
//! password chosen at registration, the account cannot sign in at all (the answer is the
//! same as for a wrong password, so signing in reveals nothing either), and the outbox
//! sends it nothing but that link or a way back in (`MailKind::before_confirmation`). Both
//! halves are needed: the link shows the address received the message (a hospital's mail
//! gateway may open it on its own), the password shows who registered; a squatter holds the
//! password but never sees the link, and the address's owner, who sees the link but not
//! the password, takes the account back with a password reset (which proves the address,
//! and clears what the squatter wrote about its owner).
//!
//! The link (`GET /confirm-address?token=…`) confirms nothing by itself: it leads to the
//! sign-in form carrying the token, and [`confirm_at_sign_in`] confirms when the password
//! is right. It works once, for [`CONFIRM_HOURS`]; a newer one replaces it; an account is
//! sent [`SENDS_PER_HOUR`] an hour and [`SENDS_EVER`] in all at most, and only the token's
//! hash is stored. The gated actions (webinar registration, enrolment, claims, roles) ask
//! [`is_confirmed`] too, so no session of an unconfirmed account can use them either. An
//! invitation's link and a password reset prove the address as well.

use super::store::{self, TokenState};
use super::tokens;
use super::validate;
use crate::AppState;
use crate::auth::rate_limit;
use crate::client_addr::ClientAddress;
use crate::db::{On, Table};
use crate::error::Result;
use crate::forms::{Back, Fields, Submission};
use crate::mail::compose::{Identity, templates};
use axum::extract::{Query, State};

/// How long a confirmation link works.
pub const CONFIRM_HOURS: i64 = 48;
/// Confirmation messages an account is sent per hour at most.
pub const SENDS_PER_HOUR: i64 = 3;
/// And in all: an address someone else registered is not mailed forever.
pub const SENDS_EVER: i64 = 5;

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
    let kind = store::Link::Confirmation;
    if store::links_since(conn, kind, user, now - 3600).await? >= SENDS_PER_HOUR
        || store::links_since(conn, kind, user, i64::MIN).await? >= SENDS_EVER
    {
        return Ok(false);
    }
    let (token, hash) = tokens::new_token();
    store::insert_link(
        conn,
        store::Link::Confirmation,
        user,
        &hash,
        now + CONFIRM_HOURS * 3600,
    )
    .await?;
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

const INVALID: &str = "This confirmation link is not valid. Copy the whole address from the message, or ask for a new link below.";

/// Why a confirmation link does not work, in the words the sign-in page shows.
fn refusal(state: Option<TokenState>) -> Option<String> {
    match state {
        Some(TokenState::Usable) => None,
        Some(TokenState::Expired) => Some(format!(
            "This confirmation link has expired (links work for {CONFIRM_HOURS} hours). Ask for a new one below."
        )),
        Some(TokenState::Used) => Some(
            "This confirmation link was used already: sign in with your password.".to_owned(),
        ),
        Some(TokenState::Superseded) => Some(
            "A newer confirmation link was sent after this one, and only the newest works. Use the link in the latest message, or ask for a new one below.".to_owned(),
        ),
        None => Some(INVALID.to_owned()),
    }
}

/// `GET /confirm-address?token=…`: anyone holding the link. Confirms nothing on its own
/// (a mail gateway that opens links changes nothing): it leads to the sign-in form, which
/// carries the token, told what to do.
pub async fn confirm(State(state): State<AppState>, Query(query): Query<Token>) -> Result<Back> {
    let token = query.token.trim();
    if !tokens::well_formed(token) {
        return Ok(Back::to("login", "/login").error("form", INVALID));
    }
    let mut conn = state.pool.acquire().await?;
    let found =
        store::find_link(&mut conn, store::Link::Confirmation, &tokens::hash(token)).await?;
    if let Some(reason) = refusal(found.as_ref().map(|f| f.state)) {
        return Ok(Back::to("login", "/login").error("form", reason));
    }
    let email = found.map(|f| f.email).unwrap_or_default();
    Ok(
        Back::to("login", format!("/login?confirm={token}")).notice(format!(
            "To confirm {email}, sign in with the password you chose when you registered."
        )),
    )
}

/// At sign-in with the right password for the unconfirmed account `user`: confirms its
/// address if `token` is its usable confirmation link (used once), in the caller's
/// transaction, which serialises on the user. `Err` with the reason when the token does not
/// confirm this account.
pub async fn confirm_at_sign_in(
    conn: &mut crate::db::Connection,
    user: i64,
    token: &str,
) -> Result<std::result::Result<(), String>> {
    if !tokens::well_formed(token) {
        return Ok(Err(INVALID.to_owned()));
    }
    let found = store::find_link(conn, store::Link::Confirmation, &tokens::hash(token)).await?;
    let found = match found {
        Some(found) if found.user_id == user => found,
        // Another account's link: said as "not valid", whatever it is.
        _ => return Ok(Err(INVALID.to_owned())),
    };
    if let Some(reason) = refusal(Some(found.state)) {
        return Ok(Err(reason));
    }
    store::mark_link_used(conn, store::Link::Confirmation, found.id).await?;
    store::confirm_address(conn, user).await?;
    crate::db::audit::record(
        conn,
        Some(user),
        "account.confirm",
        &format!("user:{user}"),
        &format!(
            "{} confirmed with the emailed link and the password",
            found.email
        ),
    )
    .await?;
    Ok(Ok(()))
}

/// The one answer to a request for a new link.
pub const RESENT: &str = "If an account with that address is waiting for confirmation, a new link is on its way to it. Earlier links no longer work.";

/// `POST /account/confirmation` (`email`): anyone. A new link for an unconfirmed account,
/// within its limits; the same answer whatever the address (counted like a reset request,
/// per address and per email).
pub async fn resend(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    fields: Fields,
) -> Result<Back> {
    let mut form = Submission::new(fields);
    let raw = form.get("resend_email");
    let email = form.check("resend_email", validate::email(&raw));
    let (true, Some(email)) = (form.ok(), email) else {
        return Err(form.back("login", "/login").into());
    };
    if rate_limit::reset_request(&state.pool, &email, &address).await? {
        let mut tx = crate::db::write_tx(&state.pool).await?;
        if let Some((user, _)) = store::account_by_email(&mut tx, &email).await? {
            // Serialises on the user: the counts are read, then one more link may be made.
            crate::db::lock(&mut tx, On::Row(Table::Users, user)).await?;
            if store::confirmed_at(&mut tx, user).await?.is_none() {
                send(&mut tx, &state.mail.identity, user, &email).await?;
            }
        }
        tx.commit().await?;
        state.mail.wake();
    }
    Ok(Back::to("login", "/login").notice(RESENT))
}
