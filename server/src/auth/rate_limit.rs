//! Brute-force protection for sign-in, the current-password check and registration.
//!
//! Every attempt is **counted before its password is checked** (one atomic upsert per key,
//! `INSERT … ON CONFLICT DO UPDATE … RETURNING`, so concurrent attempts each see their own
//! number and none can slip past the limit), and a success takes its count back. Three keys:
//!
//! - `pair:<email>|<address>`: one account from one address. Slowed after 3 failures,
//!   **locked** after 10 for 15 minutes. Someone guessing from their own address locks only
//!   themselves out, never the account's owner elsewhere.
//! - `email:<email>`: the account from everywhere. Never locked (that would let anyone lock
//!   anyone out), but slowed after 10 failures, up to 3 s per attempt.
//! - `ip:<address>`: the address for every account (a clinic may share one). Slowed after 50,
//!   locked after 200.
//!
//! A locked attempt is answered at once **without an argon2 hash**, so a locked address
//! cannot keep the hashing pool busy. The caller shows the same message whatever the reason,
//! so nothing reveals whether an account exists. Registration has its own per-address count,
//! and so do certificate lookups on `/verify` (`verify:<address>`, per minute).
//!
//! The counts are rows in the database, so every app server counts into the same ones: a
//! client that spreads its guesses over several servers still meets each limit.

use crate::db::Pool;
use crate::error::Error;
use std::time::Duration;

/// Failures counted within this window.
const WINDOW_SECS: i64 = 15 * 60;
const LOCK_SECS: i64 = 15 * 60;

struct Limit {
    /// Attempts after this many failures are slowed down.
    slow_after: i64,
    /// Attempts after this many failures are refused until the lock ends (`None`: never).
    lock_after: Option<i64>,
}

const PAIR: Limit = Limit {
    slow_after: 3,
    lock_after: Some(10),
};
const ACCOUNT: Limit = Limit {
    slow_after: 10,
    lock_after: None,
};
const ADDRESS: Limit = Limit {
    slow_after: 50,
    lock_after: Some(200),
};
/// Registrations per address per window (a clinic may sign its staff up together).
const REGISTRATIONS_PER_ADDRESS: i64 = 30;
/// Certificate lookups per address per [`LOOKUP_WINDOW_SECS`]: enough for an office
/// checking a stack of certificates, far too few to guess 128-bit codes.
pub const LOOKUPS_PER_WINDOW: i64 = 20;
const LOOKUP_WINDOW_SECS: i64 = 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Allow,
    /// Allowed after this pause.
    Slow(Duration),
    /// Refused until the lock ends; answer without hashing.
    Locked,
}

/// The address as counted: an IPv6 client is counted by its /64 (one household or office
/// gets a whole /64, so single addresses would be free to change); IPv4 as it is.
fn counted_address(address: &str) -> String {
    match address.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V6(v6)) if v6.to_ipv4_mapped().is_none() => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        Ok(std::net::IpAddr::V6(v6)) => v6
            .to_ipv4_mapped()
            .map_or_else(|| address.to_owned(), |v4| v4.to_string()),
        _ => address.chars().take(64).collect(),
    }
}

/// The email as counted: no address is longer than 254 characters, so a longer value (a
/// made-up one) cannot make long keys.
fn counted_email(email: &str) -> String {
    email.chars().take(254).collect()
}

fn keys(email: &str, address: &str) -> [(String, Limit); 3] {
    let (email, address) = (counted_email(email), counted_address(address));
    [
        (format!("ip:{address}"), ADDRESS),
        (format!("pair:{email}|{address}"), PAIR),
        (format!("email:{email}"), ACCOUNT),
    ]
}

/// Adds one to `key`'s count (a new window when the last one is over or its lock ended) and
/// returns the count with this attempt and the lock's end.
async fn count_one(
    tx: &mut sqlx::Transaction<'_, crate::db::Db>,
    key: &str,
    now: i64,
) -> Result<(i64, i64), Error> {
    count_in_window(tx, key, now, WINDOW_SECS).await
}

/// [`count_one`] with a window of `window_secs`.
async fn count_in_window(
    tx: &mut sqlx::Transaction<'_, crate::db::Db>,
    key: &str,
    now: i64,
    window_secs: i64,
) -> Result<(i64, i64), Error> {
    Ok(super::store::count_in_window(tx, key, now, window_secs).await?)
}

/// Counts a sign-in attempt (or a current-password check) for `email` from `address` as a
/// failure, before the password is checked, and says whether to check it at all.
/// Serialises on the `login_throttle` rows of its keys (each update is one atomic upsert).
pub async fn attempt(pool: &Pool, email: &str, address: &str) -> Result<Verdict, Error> {
    let now = crate::clock::now_secs();
    let mut tx = crate::db::write_tx(pool).await?;
    let mut verdict = Verdict::Allow;
    for (key, limit) in keys(email, address) {
        let (failures, locked_until) = count_one(&mut tx, &key, now).await?;
        let earlier = failures - 1;
        if locked_until > now {
            verdict = Verdict::Locked;
            break;
        }
        if let Some(lock_after) = limit.lock_after
            && earlier >= lock_after
        {
            super::store::lock_key(&mut tx, &key, now + LOCK_SECS).await?;
            verdict = Verdict::Locked;
            // A locked address does not add to the account's count: it cannot slow the owner.
            break;
        }
        if earlier >= limit.slow_after {
            let extra = u64::try_from(earlier - limit.slow_after + 1).unwrap_or(1);
            let pause = Duration::from_millis((250 * extra).min(3_000));
            verdict = match verdict {
                Verdict::Slow(other) if other > pause => Verdict::Slow(other),
                _ => Verdict::Slow(pause),
            };
        }
    }
    tx.commit().await?;
    Ok(verdict)
}

/// The password was right: this attempt was not a failure. Clears the pair's count and takes
/// this attempt back from the account's and the address's.
pub async fn succeeded(pool: &Pool, email: &str, address: &str) -> Result<(), Error> {
    let (email, address) = (counted_email(email), counted_address(address));
    // The rows in the order `attempt` counts them (address, pair, account), so a sign-in
    // sent twice at once cannot lock them crosswise (a deadlock on PostgreSQL).
    let mut tx = crate::db::write_tx(pool).await?;
    super::store::take_one_back(&mut tx, &format!("ip:{address}")).await?;
    super::store::forget_key(&mut tx, &format!("pair:{email}|{address}")).await?;
    super::store::take_one_back(&mut tx, &format!("email:{email}")).await?;
    tx.commit().await.map_err(Into::into)
}

/// Forgets counts whose window is over and whose lock has ended (run with the session
/// clean-up), so made-up emails do not pile up rows.
pub async fn forget_old(pool: &Pool) -> Result<u64, Error> {
    let now = crate::clock::now_secs();
    // The per-email reset counts run for an hour.
    Ok(
        super::store::forget_old(pool, now, now - WINDOW_SECS, now - RESET_EMAIL_WINDOW_SECS)
            .await?,
    )
}

/// Counts a registration from `address`; false when the address has made too many lately.
pub async fn registration(pool: &Pool, address: &str) -> Result<bool, Error> {
    let now = crate::clock::now_secs();
    let mut tx = crate::db::write_tx(pool).await?;
    let key = format!("register:{}", counted_address(address));
    let (count, _) = count_one(&mut tx, &key, now).await?;
    tx.commit().await?;
    Ok(count <= REGISTRATIONS_PER_ADDRESS)
}

/// Attendance codes a learner may enter per [`CODE_WINDOW_SECS`] that were not accepted:
/// far too few to guess a 6-character code (27⁶, about 387 million) inside its window.
/// Past it, that learner alone is locked out until the window ends.
pub const CODE_TRIES_PER_LEARNER: i64 = 8;
/// Codes not accepted from one address in one webinar per [`CODE_WINDOW_SECS`] before that
/// address is slowed down (a clinic's learners may share it, and all mistype at once). An
/// address is never locked out: that would let one guesser, or one busy hospital, lock a
/// room out.
pub const CODE_SLOW_AFTER_PER_ADDRESS: i64 = 100;
/// The pause per code checked from an address past its count, and the longest pause.
const CODE_PAUSE_STEP: Duration = Duration::from_millis(100);
const CODE_PAUSE_MAX: Duration = Duration::from_secs(3);
pub const CODE_WINDOW_SECS: i64 = 10 * 60;

fn code_learner_key(user: i64) -> String {
    format!("code-user:{user}")
}

fn code_address_key(webinar: i64, address: &str) -> String {
    format!("code-ip:{webinar}:{}", counted_address(address))
}

/// Failures counted under `key` in the current code window.
async fn code_failures(conn: &mut crate::db::Connection, key: &str) -> Result<i64, Error> {
    let now = crate::clock::now_secs();
    Ok(super::store::count_of(conn, key)
        .await?
        .filter(|(_, start)| *start > now - CODE_WINDOW_SECS)
        .map_or(0, |(failures, _)| failures))
}

/// How long to hold a code from `address` for `webinar` before checking it: nothing until
/// the address has had [`CODE_SLOW_AFTER_PER_ADDRESS`] codes refused in this webinar in the
/// window, then a little more per refusal, up to 3 s. Logged, so an operator sees guessing
/// (or a room behind one address that keeps mistyping).
pub async fn code_pause(pool: &Pool, webinar: i64, address: &str) -> Result<Duration, Error> {
    let mut conn = pool.acquire().await?;
    let failures = code_failures(&mut conn, &code_address_key(webinar, address)).await?;
    let over = failures - CODE_SLOW_AFTER_PER_ADDRESS;
    if over < 0 {
        return Ok(Duration::ZERO);
    }
    // Logged when the count crosses the line and every 100 after, not on every request.
    if over % 100 == 0 {
        tracing::warn!(
            webinar,
            address = %counted_address(address),
            failures,
            "attendance codes: many refused from one address; slowing it down"
        );
    }
    let steps = u32::try_from(over + 1).unwrap_or(u32::MAX);
    Ok(CODE_PAUSE_STEP.saturating_mul(steps).min(CODE_PAUSE_MAX))
}

/// Whether `user` may have an attendance code checked: they have not had
/// [`CODE_TRIES_PER_LEARNER`] codes refused (wrong or late) within [`CODE_WINDOW_SECS`].
/// Read in the caller's transaction, which serialises on the learner (so one learner's
/// entries sent at once are checked one after the other, each seeing the failures before it).
pub async fn code_allowed(
    tx: &mut sqlx::Transaction<'_, crate::db::Db>,
    user: i64,
) -> Result<bool, Error> {
    Ok(code_failures(tx, &code_learner_key(user)).await? < CODE_TRIES_PER_LEARNER)
}

/// Counts a code that was not accepted (wrong, or its window over) against the learner and
/// against the address in this webinar, in the caller's transaction (atomic upserts, always
/// in this order).
pub async fn code_refused(
    tx: &mut sqlx::Transaction<'_, crate::db::Db>,
    user: i64,
    webinar: i64,
    address: &str,
) -> Result<(), Error> {
    let now = crate::clock::now_secs();
    for key in [code_address_key(webinar, address), code_learner_key(user)] {
        count_in_window(tx, &key, now, CODE_WINDOW_SECS).await?;
    }
    Ok(())
}

/// Password reset requests per address per [`WINDOW_SECS`] (a clinic's staff may share it).
pub const RESETS_PER_ADDRESS: i64 = 10;
/// Reset requests per email per [`RESET_EMAIL_WINDOW_SECS`]: counted for every address,
/// with an account or not, so the limit says nothing about which have one.
pub const RESETS_PER_EMAIL: i64 = 3;
const RESET_EMAIL_WINDOW_SECS: i64 = 60 * 60;

/// Counts a password reset request for `email` from `address`; false when either has made
/// too many lately (the caller then sends nothing and answers the same words).
/// Serialises on the two `login_throttle` rows (atomic upserts).
pub async fn reset_request(pool: &Pool, email: &str, address: &str) -> Result<bool, Error> {
    let now = crate::clock::now_secs();
    let mut tx = crate::db::write_tx(pool).await?;
    // Always in this order, so two requests never wait for each other's rows in turn.
    let (by_address, _) = count_one(
        &mut tx,
        &format!("reset-ip:{}", counted_address(address)),
        now,
    )
    .await?;
    let (by_email, _) = count_in_window(
        &mut tx,
        &format!("reset-email:{}", counted_email(email)),
        now,
        RESET_EMAIL_WINDOW_SECS,
    )
    .await?;
    tx.commit().await?;
    Ok(by_address <= RESETS_PER_ADDRESS && by_email <= RESETS_PER_EMAIL)
}

/// Counts a message about `email`'s account sent because someone registered the address
/// (per email only: a clinic registering its staff from one address must not use up its
/// reset requests); false past [`RESETS_PER_EMAIL`] an hour. The registration counts it
/// whether or not the address has an account, so both answers cost the same write.
pub async fn registration_mail(pool: &Pool, email: &str) -> Result<bool, Error> {
    let now = crate::clock::now_secs();
    let mut tx = crate::db::write_tx(pool).await?;
    let (by_email, _) = count_in_window(
        &mut tx,
        &format!("register-email:{}", counted_email(email)),
        now,
        RESET_EMAIL_WINDOW_SECS,
    )
    .await?;
    tx.commit().await?;
    Ok(by_email <= RESETS_PER_EMAIL)
}

/// Rewrites `email`'s reset count as it is, in the caller's transaction: the write a reset
/// request for an address without an account does, so both answers cost one commit.
pub async fn touch_reset_count(
    tx: &mut sqlx::Transaction<'_, crate::db::Db>,
    email: &str,
) -> Result<(), Error> {
    super::store::touch(tx, &format!("reset-email:{}", counted_email(email))).await?;
    Ok(())
}

/// Counts a certificate lookup from `address`; false when the address has made
/// [`LOOKUPS_PER_WINDOW`] in the last minute already.
pub async fn lookup(pool: &Pool, address: &str) -> Result<bool, Error> {
    let now = crate::clock::now_secs();
    let mut tx = crate::db::write_tx(pool).await?;
    let key = format!("verify:{}", counted_address(address));
    let (count, _) = count_in_window(&mut tx, &key, now, LOOKUP_WINDOW_SECS).await?;
    tx.commit().await?;
    Ok(count <= LOOKUPS_PER_WINDOW)
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn pool() -> (tempfile::TempDir, Pool) {
        let dir = tempfile::tempdir().expect("dir");
        let pool = crate::db::connect(&format!("sqlite:{}", dir.path().join("t.db").display()))
            .await
            .expect("connect");
        crate::db::migrate(&pool).await.expect("migrate");
        (dir, pool)
    }

    #[tokio::test]
    async fn slows_then_locks_one_account_from_one_address_only() {
        let (_dir, pool) = pool().await;
        let (email, ip) = ("lee@clinic.org", "10.0.0.1");
        for n in 0..PAIR.slow_after {
            assert_eq!(
                attempt(&pool, email, ip).await.expect("a"),
                Verdict::Allow,
                "{n}"
            );
        }
        for _ in PAIR.slow_after..10 {
            assert!(matches!(
                attempt(&pool, email, ip).await.expect("a"),
                Verdict::Slow(_)
            ));
        }
        assert_eq!(attempt(&pool, email, ip).await.expect("a"), Verdict::Locked);
        // The owner elsewhere is slowed (the account's own count), never locked.
        assert!(matches!(
            attempt(&pool, email, "10.9.9.9").await.expect("a"),
            Verdict::Slow(_)
        ));
        // Another account from the same address is not locked.
        assert_ne!(
            attempt(&pool, "other@clinic.org", ip).await.expect("a"),
            Verdict::Locked
        );
    }

    #[test]
    fn ipv6_clients_are_counted_by_their_64() {
        assert_eq!(counted_address("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_eq!(
            counted_address("2001:db8:1:2:ffff::9"),
            counted_address("2001:db8:1:2::7")
        );
        assert_eq!(counted_address("::ffff:10.0.0.1"), "10.0.0.1");
        assert_eq!(counted_address("10.0.0.1"), "10.0.0.1");
        assert_eq!(counted_email(&"a".repeat(300)).len(), 254);
    }

    #[tokio::test]
    async fn a_lock_lasts_its_full_time_and_old_counts_are_forgotten() {
        let (_dir, pool) = pool().await;
        let start = time::OffsetDateTime::now_utc();
        let at = |minutes: i64| crate::clock::set_clock(start + time::Duration::minutes(minutes));
        let (email, ip) = ("lo@clinic.org", "10.0.0.5");
        at(0);
        for _ in 0..10 {
            attempt(&pool, email, ip).await.expect("a");
        }
        // The 11th, ten minutes into the window, locks for 15 minutes from then.
        at(10);
        assert_eq!(attempt(&pool, email, ip).await.expect("a"), Verdict::Locked);
        // The window (from minute 0) is over at 15; the lock is not.
        at(16);
        assert_eq!(attempt(&pool, email, ip).await.expect("a"), Verdict::Locked);
        at(26);
        assert_ne!(attempt(&pool, email, ip).await.expect("a"), Verdict::Locked);
        at(60);
        assert!(forget_old(&pool).await.expect("forget") >= 1);
        assert_eq!(
            attempt(&pool, email, ip).await.expect("a"),
            Verdict::Allow,
            "a fresh start"
        );
    }

    #[tokio::test]
    async fn a_success_takes_its_attempt_back() {
        let (_dir, pool) = pool().await;
        let (email, ip) = ("kim@clinic.org", "10.0.0.2");
        for _ in 0..20 {
            attempt(&pool, email, ip).await.expect("a");
            succeeded(&pool, email, ip).await.expect("s");
        }
        assert_eq!(attempt(&pool, email, ip).await.expect("a"), Verdict::Allow);
    }

    #[tokio::test]
    async fn registrations_are_counted_per_address() {
        let (_dir, pool) = pool().await;
        for _ in 0..REGISTRATIONS_PER_ADDRESS {
            assert!(registration(&pool, "10.0.0.3").await.expect("r"));
        }
        assert!(!registration(&pool, "10.0.0.3").await.expect("r"));
        assert!(registration(&pool, "10.0.0.4").await.expect("r"));
    }
}
