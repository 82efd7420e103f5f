//! Brute-force protection for sign-in: after repeated failures for one account or from one
//! address, each attempt is slowed down, then refused for a while. The caller shows the
//! same message whatever the reason, so nothing reveals whether an account exists.

use std::time::Duration;

/// Failures counted within this window.
const WINDOW_SECS: i64 = 15 * 60;
/// Per account: slow down after 3 failures, lock after 10.
const ACCOUNT_SLOW_AFTER: i64 = 3;
const ACCOUNT_LOCK_AFTER: i64 = 10;
/// Per address (a clinic may share one): slow after 20, lock after 100.
const ADDRESS_SLOW_AFTER: i64 = 20;
const ADDRESS_LOCK_AFTER: i64 = 100;
const LOCK_SECS: i64 = 15 * 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Allow,
    /// Allowed after this pause.
    Slow(Duration),
    /// Refused until the lock ends.
    Locked,
}

fn keys(email: &str, address: &str) -> [(String, i64, i64); 2] {
    [
        (
            format!("email:{email}"),
            ACCOUNT_SLOW_AFTER,
            ACCOUNT_LOCK_AFTER,
        ),
        (
            format!("ip:{address}"),
            ADDRESS_SLOW_AFTER,
            ADDRESS_LOCK_AFTER,
        ),
    ]
}

/// What to do with a sign-in attempt for `email` from `address`, before checking it.
pub async fn check(
    pool: &crate::db::Pool,
    email: &str,
    address: &str,
) -> Result<Verdict, crate::error::Error> {
    let now = crate::db::now_secs();
    let mut verdict = Verdict::Allow;
    for (key, slow_after, _) in keys(email, address) {
        let row: Option<(i64, i64, i64)> = sqlx::query_as(
            "SELECT failures, window_start, locked_until FROM login_throttle WHERE key = $1",
        )
        .bind(&key)
        .fetch_optional(pool)
        .await?;
        let Some((failures, window_start, locked_until)) = row else {
            continue;
        };
        if locked_until > now {
            return Ok(Verdict::Locked);
        }
        if now - window_start < WINDOW_SECS && failures >= slow_after {
            let extra = u64::try_from(failures - slow_after + 1).unwrap_or(1);
            let pause = Duration::from_millis((250 * extra).min(2_000));
            verdict = match verdict {
                Verdict::Slow(other) if other > pause => Verdict::Slow(other),
                _ => Verdict::Slow(pause),
            };
        }
    }
    Ok(verdict)
}

/// Counts a failed attempt against both keys; locks a key that reached its limit.
pub async fn record_failure(
    pool: &crate::db::Pool,
    email: &str,
    address: &str,
) -> Result<(), crate::error::Error> {
    let now = crate::db::now_secs();
    let mut tx = crate::db::write_tx(pool).await?;
    for (key, _, lock_after) in keys(email, address) {
        let row: Option<(i64, i64)> =
            sqlx::query_as("SELECT failures, window_start FROM login_throttle WHERE key = $1")
                .bind(&key)
                .fetch_optional(&mut *tx)
                .await?;
        let (failures, window_start) = match row {
            Some((failures, start)) if now - start < WINDOW_SECS => (failures + 1, start),
            _ => (1, now),
        };
        let locked_until = if failures >= lock_after {
            now + LOCK_SECS
        } else {
            0
        };
        sqlx::query(
            "INSERT INTO login_throttle (key, failures, window_start, locked_until) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, \
             window_start = excluded.window_start, locked_until = excluded.locked_until",
        )
        .bind(&key)
        .bind(failures)
        .bind(window_start)
        .bind(locked_until)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await.map_err(Into::into)
}

/// A successful sign-in clears the account's count (not the address's).
pub async fn record_success(
    pool: &crate::db::Pool,
    email: &str,
) -> Result<(), crate::error::Error> {
    sqlx::query("DELETE FROM login_throttle WHERE key = $1")
        .bind(format!("email:{email}"))
        .execute(pool)
        .await
        .map(drop)
        .map_err(Into::into)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn slows_then_locks_an_account() {
        let dir = tempfile::tempdir().expect("dir");
        let pool = crate::db::connect(&format!("sqlite:{}", dir.path().join("t.db").display()))
            .await
            .expect("connect");
        crate::db::migrate(&pool).await.expect("migrate");
        let (email, ip) = ("lee@clinic.org", "10.0.0.1");
        assert_eq!(
            check(&pool, email, ip).await.expect("check"),
            Verdict::Allow
        );
        for _ in 0..ACCOUNT_SLOW_AFTER {
            record_failure(&pool, email, ip).await.expect("record");
        }
        assert!(matches!(
            check(&pool, email, ip).await.expect("check"),
            Verdict::Slow(_)
        ));
        for _ in ACCOUNT_SLOW_AFTER..ACCOUNT_LOCK_AFTER {
            record_failure(&pool, email, ip).await.expect("record");
        }
        assert_eq!(
            check(&pool, email, ip).await.expect("check"),
            Verdict::Locked
        );
        // Another account from the same address is not locked yet.
        assert_ne!(
            check(&pool, "other@clinic.org", ip).await.expect("check"),
            Verdict::Locked
        );
    }
}
