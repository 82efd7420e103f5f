//! Users in the database.

use super::Role;
use app::model::Profession;
use sqlx::SqlitePool;

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

fn now() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Inserts the user; a taken email is reported as such, never half-written.
pub async fn create(pool: &SqlitePool, user: &NewUser) -> Result<i64, CreateError> {
    let now = now();
    let result = sqlx::query_scalar(
        "INSERT INTO users (email, password_hash, full_name, profession, role, created_at, updated_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
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
        Err(sqlx::Error::Database(error)) if error.is_unique_violation() => {
            Err(CreateError::EmailTaken)
        }
        Err(error) => Err(error.into()),
    }
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
