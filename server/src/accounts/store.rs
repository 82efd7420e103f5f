//! Users in the database.

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
    let now = crate::db::now();
    let result = sqlx::query_scalar(
        "INSERT INTO users (email, password_hash, full_name, profession, role, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(&user.email)
    .bind(&user.password_hash)
    .bind(&user.full_name)
    .bind(user.profession.slug())
    .bind(user.role.as_str())
    .bind(&now)
    .bind(&now)
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
    let now = crate::db::now();
    let mut tx = crate::db::write_tx(pool).await?;
    let result = sqlx::query_scalar(
        "INSERT INTO users (email, password_hash, full_name, profession, role, npi, licence_number, \
         licence_state, board_id, birth_month, birth_day, consent_reporting, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
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
    .fetch_one(&mut *tx)
    .await;
    let id = match result {
        Ok(id) => id,
        Err(error) if crate::db::is_unique_violation(&error, "users.email") => {
            return Err(CreateError::EmailTaken);
        }
        Err(error) => return Err(error.into()),
    };
    tx.commit().await?;
    Ok(id)
}

/// What sign-in needs to know about an account.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub id: i64,
    pub password_hash: String,
    pub session_version: i64,
}

pub async fn credentials(
    pool: &crate::db::Pool,
    email: &str,
) -> Result<Option<Credentials>, sqlx::Error> {
    let row: Option<(i64, String, i64)> =
        sqlx::query_as("SELECT id, password_hash, session_version FROM users WHERE email = $1")
            .bind(email)
            .fetch_optional(pool)
            .await?;
    Ok(row.map(|(id, password_hash, session_version)| Credentials {
        id,
        password_hash,
        session_version,
    }))
}

/// The signed-in user of a session: `(name, role, session_version)`.
pub async fn session_user(
    pool: &crate::db::Pool,
    id: i64,
) -> Result<Option<(String, Role, i64)>, sqlx::Error> {
    let row: Option<(String, String, i64)> =
        sqlx::query_as("SELECT full_name, role, session_version FROM users WHERE id = $1")
            .bind(id)
            .fetch_optional(pool)
            .await?;
    Ok(row.and_then(|(name, role, version)| role.parse().ok().map(|role| (name, role, version))))
}

pub async fn profile(pool: &crate::db::Pool, id: i64) -> Result<Option<Profile>, sqlx::Error> {
    let Some(row) = sqlx::query(
        "SELECT email, full_name, profession, role, npi, licence_number, licence_state, board_id, \
         birth_month, birth_day, consent_reporting FROM users WHERE id = $1",
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
        role: text("role")?.parse().ok(),
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
    let before: Option<String> = sqlx::query_scalar("SELECT profession FROM users WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
    let after = update.profession.unwrap_or(Profession::Other).slug();
    if let Some(before) = before.filter(|b| b != after) {
        sqlx::query(
            "INSERT INTO audit_log (actor_id, action, target, detail, created_at) \
             VALUES ($1, 'profile.profession', $2, $3, $4)",
        )
        .bind(id)
        .bind(format!("user {id}"))
        .bind(format!("profession changed from {before} to {after}"))
        .bind(crate::db::now())
        .execute(&mut *tx)
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
    .bind(crate::db::now())
    .bind(id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await
}

/// Stores a new password hash and ends every session of the user (they carry the old
/// version); returns the new version for the session that made the change.
pub async fn set_password(
    pool: &crate::db::Pool,
    id: i64,
    password_hash: &str,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "UPDATE users SET password_hash = $1, session_version = session_version + 1, updated_at = $2 \
         WHERE id = $3 RETURNING session_version",
    )
    .bind(password_hash)
    .bind(crate::db::now())
    .bind(id)
    .fetch_one(pool)
    .await
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
        .bind(crate::db::now())
        .bind(user)
        .execute(&mut *tx)
        .await?;
    sqlx::query("INSERT INTO audit_log (actor_id, action, target, detail, created_at) VALUES ($1, 'role.change', $2, $3, $4)")
        .bind(actor)
        .bind(format!("user:{user}"))
        .bind(format!("{old} -> {role}"))
        .bind(crate::db::now())
        .execute(&mut *tx)
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
