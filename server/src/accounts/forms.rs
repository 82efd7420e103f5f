//! The account forms' POST handlers. Each validates everything before writing anything;
//! on a problem it goes back to the form ([`Back`]) with a message per field and the typed
//! values (never passwords), so the form reappears as it was, with or without JavaScript.
//! Each handler states who may call it.

use crate::AppState;
use crate::accounts::store::{self, CreateError, NewUser, ProfileUpdate};
use crate::accounts::{Role, password, validate};
use crate::auth::rate_limit::{self, Verdict};
use crate::auth::{self, SignedIn};
use crate::client_addr::ClientAddress;
use crate::db::{On, Table};
use crate::error::{Error, Result};
use crate::forms::{Back, Fields, Submission};
use app::accounts::Profession;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

/// Generic on purpose: the same words whether the email is unknown, the password wrong or
/// the account throttled.
pub const SIGN_IN_FAILED: &str = "The email or password is not right, or there were too many attempts. Check them and try again in a few minutes.";

/// Profile fields shared by registration and the account page.
pub(crate) fn profile_fields(form: &mut Submission) -> ProfileUpdate {
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

/// The one answer to every well-formed registration: the same words whether or not the
/// address has an account (the message sent to it says which).
pub fn registered_notice(email: &str) -> String {
    format!(
        "We sent a message to {email}: it says what to do next. New here? Follow its link to confirm the address, then sign in below. Nothing after a few minutes? Look in the spam folder."
    )
}

/// `POST /account/register`: anyone. Makes an unconfirmed learner and mails the address its
/// confirmation link; an address that has an account is mailed that instead (with a way
/// back in). Either way the answer is the same page, after the same work (a password hash,
/// a transaction, a message built), and no one is signed in.
pub async fn register(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    fields: Fields,
) -> Result<Back> {
    let mut form = Submission::new(fields);
    // Counted first: the answer for a known address must not be a free oracle of accounts.
    if !rate_limit::registration(&state.pool, &address).await? {
        form.fail(
            "form",
            "Too many accounts were created from your network in the last few minutes. Wait 15 minutes, then try again.",
        );
        let _ = form.get("email");
        let _ = form.get("full_name");
        return Err(form.back("register", "/register").into());
    }
    let email = form.get("email");
    let email = form.check("email", validate::email(&email));
    let profile = profile_fields(&mut form);
    let secret = form.get("password");
    if let Some(email) = &email {
        form.check("password", password::check_policy(&secret, email));
    }
    let (true, Some(email), Some(profession)) = (form.ok(), email, profile.profession) else {
        return Err(form.back("register", "/register").into());
    };
    let user = NewUser {
        email: email.clone(),
        password_hash: state.hasher.hash(secret).await?,
        full_name: profile.full_name.clone(),
        profession,
        role: Role::Learner,
    };
    // Counted per email on both paths (the same committed write either way), so a taken
    // address gets a few "you have an account" messages an hour at most.
    let allowed = rate_limit::registration_mail(&state.pool, &email).await?;
    let identity = &state.mail.identity;
    let mut tx = crate::db::write_tx(&state.pool).await?;
    match store::insert_unconfirmed(&mut tx, &user, &profile).await {
        Ok(id) => {
            super::confirmation::send(&mut tx, identity, id, &email).await?;
            crate::db::audit::record(
                &mut tx,
                Some(id),
                "account.register",
                &format!("user:{id}"),
                &format!("{email} registered; a confirmation link was sent"),
            )
            .await?;
            tx.commit().await?;
        }
        Err(CreateError::EmailTaken) => {
            // The insert failed inside the transaction: start again for what follows.
            tx.rollback().await?;
            if allowed {
                super::recovery::account_exists(&state, &email).await?;
            }
        }
        Err(CreateError::Database(error)) => return Err(error.into()),
    }
    state.mail.wake();
    Ok(Back::to("login", "/login").notice(registered_notice(&email)))
}

/// `POST /account/login`: anyone. Same message and similar timing whether or not the
/// email exists.
pub async fn login(
    State(state): State<AppState>,
    session: Session,
    ClientAddress(address): ClientAddress,
    fields: Fields,
) -> Result<Response> {
    let mut form = Submission::new(fields);
    let raw_email = form.get("email");
    let secret = form.get("password");
    let next = safe_next(&form.get("next"));
    let email = validate::email(&raw_email).unwrap_or_else(|_| raw_email.trim().to_lowercase());

    let account = match check_password(&state, &email, secret, &address).await? {
        Checked::Wrong => {
            form.fail("form", SIGN_IN_FAILED);
            return Err(form.back("login", "/login").into());
        }
        Checked::Right(account) => account,
    };
    if !account.confirmed {
        // Only with its confirmation link (the token the link put in the form); without
        // one, the same words as a wrong password: signing in says nothing about which
        // addresses have accounts.
        // Peeked, not kept: the token never goes into the form-state cookie.
        let token = form.peek("confirm").to_owned();
        if token.trim().is_empty() {
            form.fail("form", SIGN_IN_FAILED);
            return Err(form.back("login", "/login").into());
        }
        let mut tx = crate::db::write_tx(&state.pool).await?;
        // Serialises on the user: the link is used once.
        crate::db::lock(&mut tx, On::Row(Table::Users, account.id)).await?;
        match super::confirmation::confirm_at_sign_in(&mut tx, account.id, token.trim()).await? {
            Ok(()) => tx.commit().await?,
            Err(reason) => {
                tx.rollback().await?;
                form.fail("form", reason);
                return Err(form.back("login", "/login").into());
            }
        }
        rate_limit::succeeded(&state.pool, &email, &address).await?;
        auth::sign_in(&session, account.id, account.session_version).await?;
        return Ok(Back::to("account", "/account")
            .notice(format!(
                "Thank you: {email} is confirmed and you are signed in. Welcome to Grand Rounds."
            ))
            .into_response());
    }
    rate_limit::succeeded(&state.pool, &email, &address).await?;
    auth::sign_in(&session, account.id, account.session_version).await?;
    Ok(Redirect::to(&next).into_response())
}

/// What checking a password found.
pub enum Checked {
    Wrong,
    Right(store::Credentials),
}

/// Checks `secret` against the account of `email` (lowercase), under the sign-in limits:
/// counted before the password is checked (so concurrent guesses all meet the limit), the
/// same work for an address without an account. The one password check of every sign-in.
pub async fn check_password(
    state: &AppState,
    email: &str,
    secret: String,
    address: &str,
) -> Result<Checked> {
    match rate_limit::attempt(&state.pool, email, address).await? {
        // No hash: a locked address must not keep the hashing pool busy.
        Verdict::Locked => return Ok(Checked::Wrong),
        Verdict::Slow(pause) => tokio::time::sleep(pause).await,
        Verdict::Allow => {}
    }
    let account = store::credentials(&state.pool, email).await?;
    let stored = account
        .as_ref()
        .map_or_else(|| DUMMY_HASH.to_owned(), |a| a.password_hash.clone());
    let verified = state.hasher.verify(secret, stored).await?;
    Ok(match account.filter(|_| verified) {
        Some(account) => Checked::Right(account),
        None => Checked::Wrong,
    })
}

/// Signs in a confirmed account by its password (the sign-in form's rules and limits), for
/// a form that carries the credentials with other work (a studio save after the session
/// ended): the account's id, or `None` with nothing said about why.
pub async fn sign_in_with_password(
    state: &AppState,
    session: &Session,
    raw_email: &str,
    secret: String,
    address: &str,
) -> Result<Option<i64>> {
    let email = validate::email(raw_email).unwrap_or_else(|_| raw_email.trim().to_lowercase());
    match check_password(state, &email, secret, address).await? {
        Checked::Right(account) if account.confirmed => {
            rate_limit::succeeded(&state.pool, &email, address).await?;
            auth::sign_in(session, account.id, account.session_version).await?;
            Ok(Some(account.id))
        }
        _ => Ok(None),
    }
}

/// An argon2id hash of a random string: verifying against it costs what a real check costs.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Vw9lQdDMgHWpeHjMaL6kufNquWGBT5hF6EE64GNa4a0";

/// Only a path on this site made of characters that cannot change where a browser goes:
/// never `//evil.example`, a full URL, or `/<TAB>/evil.example` (browsers drop tabs and
/// newlines, making it `//evil.example`). Anything else goes to the learner's page; no
/// `next` at all to the account page.
pub fn safe_next(next: &str) -> String {
    let safe_char = |c: char| c.is_ascii_alphanumeric() || "-._~/?=&%+".contains(c);
    let bytes = next.as_bytes();
    let internal = bytes.first() == Some(&b'/')
        && bytes.get(1) != Some(&b'/')
        && next.len() <= 512
        && next.chars().all(safe_char)
        // An encoded slash, backslash or control character could still become `//`.
        && !next.to_ascii_lowercase().contains("%2f")
        && !next.to_ascii_lowercase().contains("%5c")
        && !next.to_ascii_lowercase().contains("%0")
        && !next.to_ascii_lowercase().contains("%1");
    if next.is_empty() {
        "/account".to_owned()
    } else if internal {
        next.to_owned()
    } else {
        "/learning".to_owned()
    }
}

/// `POST /account/logout`: anyone (signing out of no session is harmless).
pub async fn logout(session: Session) -> Result<Redirect> {
    session.flush().await?;
    Ok(Redirect::to("/"))
}

/// `POST /account/profile`: the signed-in user, for their own account only.
pub async fn update_profile(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    fields: Fields,
) -> Result<Back> {
    let mut form = Submission::new(fields);
    let profile = profile_fields(&mut form);
    if !form.ok() {
        return Err(form.back("profile", "/account").into());
    }
    store::update_profile(&state.pool, viewer.id, &profile).await?;
    Ok(Back::to("profile", "/account").notice("Your profile is saved."))
}

/// `POST /account/password`: the signed-in user, knowing their current password. Ends
/// every other session of the account.
pub async fn change_password(
    State(state): State<AppState>,
    session: Session,
    ClientAddress(address): ClientAddress,
    SignedIn(viewer): SignedIn,
    fields: Fields,
) -> Result<Back> {
    let mut form = Submission::new(fields);
    let current = form.get("current_password");
    let new = form.get("new_password");
    let profile = store::profile(&state.pool, viewer.id)
        .await?
        .ok_or(Error::Unauthorized)?;
    let stored = store::credentials(&state.pool, &profile.email)
        .await?
        .ok_or(Error::Unauthorized)?
        .password_hash;
    // Throttled like sign-in: a stolen session must not become a password-guessing oracle.
    match rate_limit::attempt(&state.pool, &profile.email, &address).await? {
        Verdict::Locked => {
            form.fail(
                "current_password",
                "too many wrong attempts: wait 15 minutes, then try again",
            );
            return Err(form.back("password", "/account").into());
        }
        Verdict::Slow(pause) => tokio::time::sleep(pause).await,
        Verdict::Allow => {}
    }
    if state.hasher.verify(current, stored).await? {
        rate_limit::succeeded(&state.pool, &profile.email, &address).await?;
    } else {
        form.fail("current_password", "this is not your current password");
    }
    form.check("new_password", password::check_policy(&new, &profile.email));
    if !form.ok() {
        return Err(form.back("password", "/account").into());
    }
    let hash = state.hasher.hash(new).await?;
    let mut tx = crate::db::write_tx(&state.pool).await?;
    let version = store::set_password(&mut tx, viewer.id, &hash).await?;
    super::recovery::notify_changed(&mut tx, &state.mail.identity, viewer.id).await?;
    tx.commit().await?;
    state.mail.wake();
    auth::sign_in(&session, viewer.id, version).await?;
    Ok(Back::to("password", "/account").notice(
        "Your password is changed. Every other session of your account has been signed out.",
    ))
}

/// `POST /account/mail`: the signed-in user, for their own account only. Optional mail on
/// or off; what they cannot refuse is sent either way.
pub async fn mail_preferences(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    fields: Fields,
) -> Result<Back> {
    let mut form = Submission::new(fields);
    let wanted = !form.get("optional_mail").is_empty();
    if !form.ok() {
        return Err(form.back("mail", "/account").into());
    }
    crate::mail::store::set_optional_mail(&state.pool, viewer.id, wanted).await?;
    Ok(Back::to("mail", "/account").notice(if wanted {
        "You will get reminders by mail."
    } else {
        "You will get no reminders by mail. Messages about your account and certificates still come."
    }))
}

/// `POST /account/time-zone`: an IANA zone name, or empty for each webinar's own zone.
pub async fn time_zone(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    fields: Fields,
) -> Result<Back> {
    let form = Submission::new(fields);
    // A choice from a list: not kept to show again (a 100 KB value stays out of the session).
    let wanted = form.peek("time_zone").to_owned();
    let back = Back::to("time-zone", "/account");
    if let Some(problem) = form.problem() {
        return Err(Error::invalid(back.error("form", problem)));
    }
    let wanted = wanted.trim();
    if wanted.is_empty() {
        store::set_time_zone(&state.pool, viewer.id, None).await?;
        return Ok(back.notice("Webinar times are shown in each webinar's own time zone."));
    }
    match wanted.parse::<chrono_tz::Tz>() {
        Ok(zone) => {
            store::set_time_zone(&state.pool, viewer.id, Some(zone.name())).await?;
            Ok(back.notice(format!("Webinar times are shown in {}.", zone.name())))
        }
        Err(_) => Err(Error::invalid(back.error(
            "time_zone",
            format!(
                "\"{}\" is not a time zone we know: choose one from the list (names like America/Chicago or Asia/Kolkata).",
                wanted.chars().take(60).collect::<String>()
            ),
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next("/courses/x"), "/courses/x");
        assert_eq!(
            safe_next("/learning/x/credit?y=1&z=%20"),
            "/learning/x/credit?y=1&z=%20"
        );
        assert_eq!(safe_next("//evil.example"), "/learning");
        assert_eq!(safe_next("https://evil.example"), "/learning");
        assert_eq!(safe_next("/\\evil.example"), "/learning");
        assert_eq!(safe_next("/\t/evil.example"), "/learning");
        assert_eq!(safe_next("/\n/evil.example"), "/learning");
        assert_eq!(safe_next("/%09/evil.example"), "/learning");
        assert_eq!(safe_next("/%2F/evil.example"), "/learning");
        assert_eq!(safe_next("/x\"onmouseover=\""), "/learning");
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
