//! The SQL sign-in needs: who a session's user is now (name, role, and the version a
//! password change or sign-out everywhere moves on), and the rate limits' counts
//! (`login_throttle`: one row per key, counted in windows, locked for a while).

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

/// Adds one to `key`'s count in a window of `window_secs` (a new window when the last one
/// is over and not locked, or when its lock ended: a lock always lasts its full time) and
/// returns the count with this one and the lock's end. One atomic upsert.
pub async fn count_in_window(
    conn: &mut crate::db::Connection,
    key: &str,
    now: i64,
    window_secs: i64,
) -> Result<(i64, i64), sqlx::Error> {
    const FRESH: &str = "((login_throttle.locked_until = 0 AND login_throttle.window_start <= $3) \
         OR (login_throttle.locked_until > 0 AND login_throttle.locked_until <= $2))";
    let sql = format!(
        "INSERT INTO login_throttle (key, failures, window_start, locked_until) VALUES ($1, 1, $2, 0) \
         ON CONFLICT (key) DO UPDATE SET \
           failures = CASE WHEN {FRESH} THEN 1 ELSE login_throttle.failures + 1 END, \
           window_start = CASE WHEN {FRESH} THEN $2 ELSE login_throttle.window_start END, \
           locked_until = CASE WHEN {FRESH} THEN 0 ELSE login_throttle.locked_until END \
         RETURNING failures, locked_until"
    );
    sqlx::query_as(&sql)
        .bind(key)
        .bind(now)
        .bind(now - window_secs)
        .fetch_one(&mut *conn)
        .await
}

/// `key`'s count and when its window started, if it has one.
pub async fn count_of(
    conn: &mut crate::db::Connection,
    key: &str,
) -> Result<Option<(i64, i64)>, sqlx::Error> {
    sqlx::query_as("SELECT failures, window_start FROM login_throttle WHERE key = $1")
        .bind(key)
        .fetch_optional(&mut *conn)
        .await
}

/// Locks `key` until `until`.
pub async fn lock_key(
    conn: &mut crate::db::Connection,
    key: &str,
    until: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE login_throttle SET locked_until = $1 WHERE key = $2")
        .bind(until)
        .bind(key)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Takes one back from `key`'s count (never below 0).
pub async fn take_one_back(conn: &mut crate::db::Connection, key: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE login_throttle SET failures = CASE WHEN failures > 0 THEN failures - 1 ELSE 0 END \
         WHERE key = $1",
    )
    .bind(key)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Forgets `key`'s count.
pub async fn forget_key(conn: &mut crate::db::Connection, key: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM login_throttle WHERE key = $1")
        .bind(key)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Rewrites `key`'s count as it is (a write that costs what counting costs).
pub async fn touch(conn: &mut crate::db::Connection, key: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE login_throttle SET failures = failures WHERE key = $1")
        .bind(key)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Forgets counts not locked whose window started at or before `window_start` (for per-email
/// reset counts, `reset_start`); rows being counted right now are skipped, never waited for.
pub async fn forget_old(
    pool: &crate::db::Pool,
    now: i64,
    window_start: i64,
    reset_start: i64,
) -> Result<u64, sqlx::Error> {
    let sql = format!(
        "DELETE FROM login_throttle WHERE key IN (SELECT key FROM login_throttle \
         WHERE locked_until <= $1 AND (window_start <= $2 AND key NOT LIKE 'reset-email:%' OR window_start <= $3){})",
        crate::db::skip_locked(pool)
    );
    Ok(sqlx::query(&sql)
        .bind(now)
        .bind(window_start)
        .bind(reset_start)
        .execute(pool)
        .await?
        .rows_affected())
}
