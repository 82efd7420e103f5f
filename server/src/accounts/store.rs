//! Accounts in the database: users and their profiles, passwords, roles and time zones;
//! password reset tokens; invitations. SQL only.

use super::Role;
use app::accounts::{Profession, Profile, UserPage, UserRow};
use sqlx::Row;

/// A validated new account (the password already hashed).
#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: String,
    pub password_hash: String,
    pub full_name: String,
    pub profession: Profession,
    pub role: Role,
}

#[derive(Debug, thiserror::Error)]
pub enum CreateError {
    #[error("an account with this email address already exists")]
    EmailTaken,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Inserts the user; a taken email is reported as such, never half-written.
pub async fn create(pool: &crate::db::Pool, user: &NewUser) -> Result<i64, CreateError> {
    let now = crate::clock::now();
    let result = sqlx::query_scalar(
        "INSERT INTO users (email, password_hash, full_name, profession, role, created_at, updated_at, email_confirmed_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(&user.email)
    .bind(&user.password_hash)
    .bind(&user.full_name)
    .bind(user.profession.slug())
    .bind(user.role.as_str())
    .bind(&now)
    .bind(&now)
    .bind(crate::clock::now_secs())
    .fetch_one(pool)
    .await;
    match result {
        Ok(id) => Ok(id),
        Err(error) if crate::db::is_unique_violation(&error, "users.email") => {
            Err(CreateError::EmailTaken)
        }
        Err(error) => Err(error.into()),
    }
}

/// Inserts the user and their profile fields in one transaction: all of it or none.
pub async fn create_with_profile(
    pool: &crate::db::Pool,
    user: &NewUser,
    profile: &ProfileUpdate,
) -> Result<i64, CreateError> {
    let mut tx = crate::db::write_tx(pool).await?;
    let id = insert_with_profile(&mut tx, user, profile).await?;
    tx.commit().await?;
    Ok(id)
}

/// Inserts the user and their profile fields in the caller's transaction, the address
/// taken as confirmed (an invitation's link proved it, or an operator made the account).
pub async fn insert_with_profile(
    conn: &mut crate::db::Connection,
    user: &NewUser,
    profile: &ProfileUpdate,
) -> Result<i64, CreateError> {
    insert(conn, user, profile, Some(crate::clock::now_secs())).await
}

/// Inserts a self-registered user whose address is not confirmed yet.
pub async fn insert_unconfirmed(
    conn: &mut crate::db::Connection,
    user: &NewUser,
    profile: &ProfileUpdate,
) -> Result<i64, CreateError> {
    insert(conn, user, profile, None).await
}

async fn insert(
    conn: &mut crate::db::Connection,
    user: &NewUser,
    profile: &ProfileUpdate,
    confirmed_at: Option<i64>,
) -> Result<i64, CreateError> {
    let now = crate::clock::now();
    let result = sqlx::query_scalar(
        "INSERT INTO users (email, password_hash, full_name, profession, role, npi, licence_number, \
         licence_state, board_id, birth_month, birth_day, consent_reporting, created_at, updated_at, email_confirmed_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id",
    )
    .bind(&user.email)
    .bind(&user.password_hash)
    .bind(&user.full_name)
    .bind(user.profession.slug())
    .bind(user.role.as_str())
    .bind(&profile.npi)
    .bind(&profile.licence_number)
    .bind(&profile.licence_state)
    .bind(&profile.board_id)
    .bind(profile.birth.map(|(m, _)| i64::from(m)))
    .bind(profile.birth.map(|(_, d)| i64::from(d)))
    .bind(profile.consent_reporting)
    .bind(&now)
    .bind(&now)
    .bind(confirmed_at)
    .fetch_one(&mut *conn)
    .await;
    match result {
        Ok(id) => Ok(id),
        Err(error) if crate::db::is_unique_violation(&error, "users.email") => {
            Err(CreateError::EmailTaken)
        }
        Err(error) => Err(error.into()),
    }
}

/// What sign-in needs to know about an account.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub id: i64,
    pub password_hash: String,
    pub session_version: i64,
    /// The address is confirmed: an unconfirmed account signs in only with its link.
    pub confirmed: bool,
}

pub async fn credentials(
    pool: &crate::db::Pool,
    email: &str,
) -> Result<Option<Credentials>, sqlx::Error> {
    let row: Option<(i64, String, i64, Option<i64>)> = sqlx::query_as(
        "SELECT id, password_hash, session_version, email_confirmed_at FROM users WHERE email = $1",
    )
    .bind(email)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(
        |(id, password_hash, session_version, confirmed_at)| Credentials {
            id,
            password_hash,
            session_version,
            confirmed: confirmed_at.is_some(),
        },
    ))
}

/// Links of `kind` made for `user` after `since` (unix seconds; each one a message sent).
pub async fn links_since(
    conn: &mut crate::db::Connection,
    kind: Link,
    user: i64,
    since: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM {} WHERE user_id = $1 AND created_at > $2",
        kind.table()
    ))
    .bind(user)
    .bind(since)
    .fetch_one(&mut *conn)
    .await
}

/// Clears what an unconfirmed account's registrant set about its owner (the identifiers
/// reports carry, the consent to report, mail and zone choices) when the address's real
/// owner proves it with a reset link: the squatter's NPI must never travel with the
/// owner's credit. The name stays, for the owner to correct on the account page.
pub async fn clear_unproven_profile(
    conn: &mut crate::db::Connection,
    user: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE users SET npi = NULL, licence_number = NULL, licence_state = NULL, board_id = NULL, \
         birth_month = NULL, birth_day = NULL, consent_reporting = $1, time_zone = NULL, updated_at = $2 \
         WHERE id = $3 AND email_confirmed_at IS NULL",
    )
    .bind(false)
    .bind(crate::clock::now())
    .bind(user)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn profile(pool: &crate::db::Pool, id: i64) -> Result<Option<Profile>, sqlx::Error> {
    let Some(row) = sqlx::query(
        "SELECT email, full_name, profession, role, npi, licence_number, licence_state, board_id, \
         birth_month, birth_day, consent_reporting, optional_mail, time_zone FROM users WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?
    else {
        return Ok(None);
    };
    let text = |name: &str| -> Result<String, sqlx::Error> {
        Ok(row.try_get::<Option<String>, _>(name)?.unwrap_or_default())
    };
    let small = |name: &str| -> Result<Option<u8>, sqlx::Error> {
        row.try_get::<Option<i64>, _>(name)?
            .map(|v| {
                u8::try_from(v)
                    .map_err(|_| sqlx::Error::Decode(format!("{name} {v} does not fit").into()))
            })
            .transpose()
    };
    Ok(Some(Profile {
        email: text("email")?,
        full_name: text("full_name")?,
        profession: Profession::from_slug(&text("profession")?),
        npi: text("npi")?,
        licence_number: text("licence_number")?,
        licence_state: text("licence_state")?,
        board_id: text("board_id")?,
        birth_month: small("birth_month")?,
        birth_day: small("birth_day")?,
        consent_reporting: row.try_get::<crate::db::Flag, _>("consent_reporting")?.0,
        optional_mail: row.try_get::<crate::db::Flag, _>("optional_mail")?.0,
        role: text("role")?.parse().ok(),
        time_zone: row.try_get::<Option<String>, _>("time_zone")?,
    }))
}

/// The fields a learner edits on /account, already validated.
#[derive(Debug, Clone, Default)]
pub struct ProfileUpdate {
    pub full_name: String,
    pub profession: Option<Profession>,
    pub npi: Option<String>,
    pub licence_number: Option<String>,
    pub licence_state: Option<String>,
    pub board_id: Option<String>,
    pub birth: Option<(u8, u8)>,
    pub consent_reporting: bool,
}

pub async fn update_profile(
    pool: &crate::db::Pool,
    id: i64,
    update: &ProfileUpdate,
) -> Result<(), sqlx::Error> {
    // The profession picks the credit type a claim may take, so a change is audited: read
    // and write in one write transaction (serialises on the user's row).
    let mut tx = crate::db::write_tx(pool).await?;
    // Serialises on the user: the profession read is the one replaced.
    crate::db::lock(&mut tx, crate::db::On::Row(crate::db::Table::Users, id)).await?;
    let before: Option<(String, String)> =
        sqlx::query_as("SELECT profession, full_name FROM users WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
    let (before, old_name) = before.unzip();
    // A name is what certificates are made out to: a change is kept, old and new.
    if let Some(old_name) = old_name.filter(|old| *old != update.full_name) {
        crate::db::audit::record(
            &mut tx,
            Some(id),
            "profile.name",
            &format!("user {id}"),
            &format!(
                "name changed from \"{old_name}\" to \"{}\"",
                update.full_name
            ),
        )
        .await?;
    }
    let after = update.profession.unwrap_or(Profession::Other).slug();
    if let Some(before) = before.filter(|b| b != after) {
        crate::db::audit::record(
            &mut tx,
            Some(id),
            "profile.profession",
            &format!("user {id}"),
            &format!("profession changed from {before} to {after}"),
        )
        .await?;
    }
    sqlx::query(
        "UPDATE users SET full_name = $1, profession = $2, npi = $3, licence_number = $4, licence_state = $5, \
         board_id = $6, birth_month = $7, birth_day = $8, consent_reporting = $9, updated_at = $10 WHERE id = $11",
    )
    .bind(&update.full_name)
    .bind(update.profession.unwrap_or(Profession::Other).slug())
    .bind(&update.npi)
    .bind(&update.licence_number)
    .bind(&update.licence_state)
    .bind(&update.board_id)
    .bind(update.birth.map(|(m, _)| i64::from(m)))
    .bind(update.birth.map(|(_, d)| i64::from(d)))
    .bind(update.consent_reporting)
    .bind(crate::clock::now())
    .bind(id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await
}

/// Stores a new password hash, ends every session of the user (they carry the old version)
/// and withdraws every reset link still open, in the caller's transaction; returns the new
/// version for the session that made the change.
pub async fn set_password(
    conn: &mut crate::db::Connection,
    id: i64,
    password_hash: &str,
) -> Result<i64, sqlx::Error> {
    // Every reset link still open is withdrawn: the password it would replace is gone.
    withdraw_links(conn, Link::Reset, id).await?;
    sqlx::query_scalar(
        "UPDATE users SET password_hash = $1, session_version = session_version + 1, updated_at = $2 \
         WHERE id = $3 RETURNING session_version",
    )
    .bind(password_hash)
    .bind(crate::clock::now())
    .bind(id)
    .fetch_one(&mut *conn)
    .await
}

/// The account's email and name, for a message to it.
pub async fn contact(
    conn: &mut crate::db::Connection,
    id: i64,
) -> Result<Option<(String, String)>, sqlx::Error> {
    sqlx::query_as("SELECT email, full_name FROM users WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
}

/// The zone the user reads times in (an IANA name), if they chose one.
pub async fn time_zone(
    conn: &mut crate::db::Connection,
    id: i64,
) -> Result<Option<String>, sqlx::Error> {
    Ok(
        sqlx::query_scalar::<_, Option<String>>("SELECT time_zone FROM users WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?
            .flatten(),
    )
}

/// Sets (or, with None, clears) the zone the user reads times in.
pub async fn set_time_zone(
    pool: &crate::db::Pool,
    id: i64,
    zone: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET time_zone = $1, updated_at = $2 WHERE id = $3")
        .bind(zone)
        .bind(crate::clock::now())
        .bind(id)
        .execute(pool)
        .await?;
    Ok(())
}

/// The account with this email: `(id, full_name)`.
pub async fn account_by_email(
    conn: &mut crate::db::Connection,
    email: &str,
) -> Result<Option<(i64, String)>, sqlx::Error> {
    sqlx::query_as("SELECT id, full_name FROM users WHERE email = $1")
        .bind(email)
        .fetch_optional(&mut *conn)
        .await
}

/// The role of the account with this email (`learner`, `educator`, `admin`), if any.
pub async fn role_by_email(
    conn: &mut crate::db::Connection,
    email: &str,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT role FROM users WHERE email = $1")
        .bind(email)
        .fetch_optional(&mut *conn)
        .await
}

/// The two kinds of single-use emailed link kept per account: password resets and address
/// confirmations. One table each, the same columns, the same rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    Reset,
    Confirmation,
}

impl Link {
    fn table(self) -> &'static str {
        match self {
            Self::Reset => "password_resets",
            Self::Confirmation => "email_confirmations",
        }
    }
}

/// Withdraws every `kind` link of `user` still open (marked superseded now).
pub async fn withdraw_links(
    conn: &mut crate::db::Connection,
    kind: Link,
    user: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(&format!(
        "UPDATE {} SET superseded_at = $1 WHERE user_id = $2 AND used_at IS NULL AND superseded_at IS NULL",
        kind.table()
    ))
    .bind(crate::clock::now_secs())
    .bind(user)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A new `kind` link for `user`; every older one still open is superseded.
pub async fn insert_link(
    conn: &mut crate::db::Connection,
    kind: Link,
    user: i64,
    token_hash: &str,
    expires_at: i64,
) -> Result<(), sqlx::Error> {
    let now = crate::clock::now_secs();
    let table = kind.table();
    withdraw_links(conn, kind, user).await?;
    sqlx::query(&format!(
        "INSERT INTO {table} (user_id, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4)"
    ))
    .bind(user)
    .bind(token_hash)
    .bind(now)
    .bind(expires_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Whether a token may still be used, and if not, why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenState {
    Usable,
    Expired,
    Used,
    Superseded,
}

/// An emailed link as stored.
#[derive(Debug, Clone)]
pub struct ResetToken {
    pub id: i64,
    pub user_id: i64,
    pub email: String,
    pub state: TokenState,
}

pub async fn find_link(
    conn: &mut crate::db::Connection,
    kind: Link,
    token_hash: &str,
) -> Result<Option<ResetToken>, sqlx::Error> {
    type Row = (i64, i64, String, i64, Option<i64>, Option<i64>);
    let row: Option<Row> = sqlx::query_as(&format!(
        "SELECT r.id, r.user_id, u.email, r.expires_at, r.used_at, r.superseded_at \
         FROM {} r JOIN users u ON u.id = r.user_id WHERE r.token_hash = $1",
        kind.table()
    ))
    .bind(token_hash)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.map(
        |(id, user_id, email, expires_at, used, superseded)| ResetToken {
            id,
            user_id,
            email,
            state: if used.is_some() {
                TokenState::Used
            } else if superseded.is_some() {
                TokenState::Superseded
            } else if expires_at <= crate::clock::now_secs() {
                TokenState::Expired
            } else {
                TokenState::Usable
            },
        },
    ))
}

pub async fn mark_link_used(
    conn: &mut crate::db::Connection,
    kind: Link,
    id: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(&format!(
        "UPDATE {} SET used_at = $1 WHERE id = $2",
        kind.table()
    ))
    .bind(crate::clock::now_secs())
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// When the account's address was confirmed (`None`: not yet, or no such account).
pub async fn confirmed_at(
    conn: &mut crate::db::Connection,
    user: i64,
) -> Result<Option<i64>, sqlx::Error> {
    let at: Option<Option<i64>> =
        sqlx::query_scalar("SELECT email_confirmed_at FROM users WHERE id = $1")
            .bind(user)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(at.flatten())
}

/// Marks the account's address confirmed now (kept as it was if it already is).
pub async fn confirm_address(
    conn: &mut crate::db::Connection,
    user: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE users SET email_confirmed_at = $1 WHERE id = $2 AND email_confirmed_at IS NULL",
    )
    .bind(crate::clock::now_secs())
    .bind(user)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Gives the unconfirmed account `id` to the person who proved its address (an invitation
/// accepted): their password, name, profession, role and profile replace the squatter's,
/// the address is confirmed, every session ends, and every open link is withdrawn. False if
/// the account is confirmed (then it is not taken over).
pub async fn take_over_unconfirmed(
    conn: &mut crate::db::Connection,
    id: i64,
    user: &NewUser,
    profile: &ProfileUpdate,
) -> Result<bool, sqlx::Error> {
    let now = crate::clock::now_secs();
    let done = sqlx::query(
        "UPDATE users SET password_hash = $1, full_name = $2, profession = $3, role = $4, npi = $5, \
         licence_number = $6, licence_state = $7, board_id = $8, birth_month = $9, birth_day = $10, \
         consent_reporting = $11, updated_at = $12, email_confirmed_at = $13, time_zone = NULL, \
         session_version = session_version + 1 WHERE id = $14 AND email_confirmed_at IS NULL",
    )
    .bind(&user.password_hash)
    .bind(&user.full_name)
    .bind(user.profession.slug())
    .bind(user.role.as_str())
    .bind(&profile.npi)
    .bind(&profile.licence_number)
    .bind(&profile.licence_state)
    .bind(&profile.board_id)
    .bind(profile.birth.map(|(m, _)| i64::from(m)))
    .bind(profile.birth.map(|(_, d)| i64::from(d)))
    .bind(profile.consent_reporting)
    .bind(crate::clock::now())
    .bind(now)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    for kind in [Link::Reset, Link::Confirmation] {
        withdraw_links(conn, kind, id).await?;
    }
    Ok(true)
}

/// The session version of `user` (sessions carrying an older one have ended).
pub async fn session_version(
    conn: &mut crate::db::Connection,
    user: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT session_version FROM users WHERE id = $1")
        .bind(user)
        .fetch_one(&mut *conn)
        .await
}

/// An invitation as stored.
#[derive(Debug, Clone)]
pub struct Invitation {
    pub id: i64,
    pub email: String,
    pub role: Role,
    pub invited_by: Option<String>,
    pub created_at: String,
    pub sent_at: String,
    pub expires_at: i64,
    pub accepted_at: Option<String>,
    pub revoked_at: Option<String>,
}

impl Invitation {
    pub fn is_open(&self) -> bool {
        self.accepted_at.is_none() && self.revoked_at.is_none()
    }

    pub fn expired(&self) -> bool {
        self.expires_at <= crate::clock::now_secs()
    }
}

const INVITATION_COLUMNS: &str = "i.id, i.email, i.role, u.full_name AS invited_by, i.created_at, i.sent_at, \
     i.expires_at, i.accepted_at, i.revoked_at FROM invitations i LEFT JOIN users u ON u.id = i.invited_by";

fn invitation_from(row: &sqlx::any::AnyRow) -> Result<Invitation, sqlx::Error> {
    let role: String = row.try_get("role")?;
    Ok(Invitation {
        id: row.try_get("id")?,
        email: row.try_get("email")?,
        role: role
            .parse()
            .map_err(|_| sqlx::Error::Decode(format!("role {role}").into()))?,
        invited_by: row.try_get("invited_by")?,
        created_at: row.try_get("created_at")?,
        sent_at: row.try_get("sent_at")?,
        expires_at: row.try_get("expires_at")?,
        accepted_at: row.try_get("accepted_at")?,
        revoked_at: row.try_get("revoked_at")?,
    })
}

pub async fn invitation_by_token(
    conn: &mut crate::db::Connection,
    token_hash: &str,
) -> Result<Option<Invitation>, sqlx::Error> {
    sqlx::query(&format!(
        "SELECT {INVITATION_COLUMNS} WHERE i.token_hash = $1"
    ))
    .bind(token_hash)
    .fetch_optional(&mut *conn)
    .await?
    .as_ref()
    .map(invitation_from)
    .transpose()
}

pub async fn invitation(
    conn: &mut crate::db::Connection,
    id: i64,
) -> Result<Option<Invitation>, sqlx::Error> {
    sqlx::query(&format!("SELECT {INVITATION_COLUMNS} WHERE i.id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .as_ref()
        .map(invitation_from)
        .transpose()
}

/// Open invitations of `email` (the caller holds its `invitation:<email>` key).
pub async fn open_invitations(
    conn: &mut crate::db::Connection,
    email: &str,
) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT id FROM invitations WHERE email = $1 AND accepted_at IS NULL AND revoked_at IS NULL",
    )
    .bind(email)
    .fetch_all(&mut *conn)
    .await
}

pub async fn insert_invitation(
    conn: &mut crate::db::Connection,
    email: &str,
    role: Role,
    token_hash: &str,
    invited_by: Option<i64>,
    expires_at: i64,
) -> Result<i64, sqlx::Error> {
    let now = crate::clock::now();
    sqlx::query_scalar(
        "INSERT INTO invitations (email, role, token_hash, invited_by, created_at, sent_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(email)
    .bind(role.as_str())
    .bind(token_hash)
    .bind(invited_by)
    .bind(&now)
    .bind(&now)
    .bind(expires_at)
    .fetch_one(&mut *conn)
    .await
}

pub async fn revoke_invitation(
    conn: &mut crate::db::Connection,
    id: i64,
    by: Option<i64>,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE invitations SET revoked_at = $1, revoked_by = $2 WHERE id = $3 AND revoked_at IS NULL")
        .bind(crate::clock::now())
        .bind(by)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// A new token and expiry for an open invitation (resent): the old link stops working.
pub async fn renew_invitation(
    conn: &mut crate::db::Connection,
    id: i64,
    token_hash: &str,
    expires_at: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE invitations SET token_hash = $1, expires_at = $2, sent_at = $3 WHERE id = $4",
    )
    .bind(token_hash)
    .bind(expires_at)
    .bind(crate::clock::now())
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn accept_invitation(
    conn: &mut crate::db::Connection,
    id: i64,
    user: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE invitations SET accepted_at = $1, user_id = $2 WHERE id = $3")
        .bind(crate::clock::now())
        .bind(user)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The latest invitations, newest first, for `/admin/users`.
pub async fn recent_invitations(
    pool: &crate::db::Pool,
    limit: i64,
) -> Result<Vec<Invitation>, sqlx::Error> {
    sqlx::query(&format!(
        "SELECT {INVITATION_COLUMNS} ORDER BY i.id DESC LIMIT $1"
    ))
    .bind(limit)
    .fetch_all(pool)
    .await?
    .iter()
    .map(invitation_from)
    .collect()
}

pub const USERS_PER_PAGE: u32 = 25;

/// Accounts whose email or name contains `query`, newest first, one page at a time.
pub async fn list(pool: &crate::db::Pool, query: &str, page: u32) -> Result<UserPage, sqlx::Error> {
    let query = query.trim();
    let pattern = format!(
        "%{}%",
        query
            .to_lowercase()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    );
    let total: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM users WHERE lower(email) LIKE $1 ESCAPE '\\' OR lower(full_name) LIKE $2 ESCAPE '\\'",
    )
    .bind(&pattern)
    .bind(&pattern)
    .fetch_one(pool)
    .await?;
    let page = page.max(1);
    let rows: Vec<(i64, String, String, String, String)> = sqlx::query_as(
        "SELECT id, email, full_name, role, created_at FROM users \
         WHERE lower(email) LIKE $1 ESCAPE '\\' OR lower(full_name) LIKE $2 ESCAPE '\\' \
         ORDER BY id DESC LIMIT $3 OFFSET $4",
    )
    .bind(&pattern)
    .bind(&pattern)
    .bind(i64::from(USERS_PER_PAGE))
    .bind(i64::from((page - 1) * USERS_PER_PAGE))
    .fetch_all(pool)
    .await?;
    Ok(UserPage {
        users: rows
            .into_iter()
            .filter_map(|(id, email, full_name, role, created)| {
                Some(UserRow {
                    id,
                    email,
                    full_name,
                    role: role.parse().ok()?,
                    created: created.chars().take(10).collect(),
                })
            })
            .collect(),
        total: u32::try_from(total).unwrap_or(u32::MAX),
        page,
        per_page: USERS_PER_PAGE,
        query: query.to_owned(),
    })
}

/// Changes a user's role and records who did it, in one transaction. Returns the user's
/// name, or `None` when there is no such user.
pub async fn set_role(
    pool: &crate::db::Pool,
    actor: i64,
    user: i64,
    role: Role,
) -> Result<Option<String>, sqlx::Error> {
    let mut tx = crate::db::write_tx(pool).await?;
    // Serialises on the user whose role changes.
    crate::db::lock(&mut tx, crate::db::On::Row(crate::db::Table::Users, user)).await?;
    let Some((name, old)): Option<(String, String)> =
        sqlx::query_as("SELECT full_name, role FROM users WHERE id = $1")
            .bind(user)
            .fetch_optional(&mut *tx)
            .await?
    else {
        return Ok(None);
    };
    sqlx::query("UPDATE users SET role = $1, updated_at = $2 WHERE id = $3")
        .bind(role.as_str())
        .bind(crate::clock::now())
        .bind(user)
        .execute(&mut *tx)
        .await?;
    crate::db::audit::record(
        &mut tx,
        Some(actor),
        "role.change",
        &format!("user:{user}"),
        &format!("{old} -> {role}"),
    )
    .await?;
    tx.commit().await?;
    Ok(Some(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_taken_email_is_a_conflict_and_writes_nothing() {
        let dir = tempfile::tempdir().expect("dir");
        let pool = crate::db::connect(&format!("sqlite:{}", dir.path().join("t.db").display()))
            .await
            .expect("connect");
        crate::db::migrate(&pool).await.expect("migrate");
        let user = NewUser {
            email: "lee@clinic.org".into(),
            password_hash: "$argon2id$x".into(),
            full_name: "Lee Park".into(),
            profession: Profession::Nurse,
            role: Role::Learner,
        };
        assert!(create(&pool, &user).await.is_ok());
        assert!(matches!(
            create(&pool, &user).await,
            Err(CreateError::EmailTaken)
        ));
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(&pool)
            .await
            .expect("count");
        assert_eq!(count, 1);
    }
}
