//! The SQL sign-in itself needs: who a session's user is now (name, role, and the version a
//! password change or sign-out everywhere moves on).

use app::accounts::Role;

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
