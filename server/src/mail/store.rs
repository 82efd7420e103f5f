//! The outbox's SQL. Messages are written inside the caller's transaction ([`enqueue`]);
//! senders claim due messages with one `UPDATE … RETURNING` whose inner `SELECT` skips
//! rows another sender holds (PostgreSQL) or runs under the write lock (SQLite), so two
//! senders never hold the same message at once.

use crate::db::{Connection, Flag, Pool};
use app::mail::{MailStatus, OutboxPage, OutboxRow};
use sqlx::Row;

/// A message as a sender delivers it.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub id: i64,
    pub message_id: String,
    pub kind: String,
    pub recipient: String,
    pub raw: Vec<u8>,
    pub attempts: i64,
    pub created_at: String,
}

/// Writes a message to the outbox in the caller's transaction; it goes out only if that
/// transaction commits.
#[allow(clippy::too_many_arguments)]
pub async fn insert(
    conn: &mut Connection,
    message_id: &str,
    kind: &str,
    recipient: &str,
    user_id: Option<i64>,
    subject: &str,
    refusable: bool,
    raw: &[u8],
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO outbox (message_id, kind, recipient, user_id, subject, refusable, raw, status, attempts, \
         next_attempt_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'queued', 0, $8, $9) RETURNING id",
    )
    .bind(message_id)
    .bind(kind)
    .bind(recipient)
    .bind(user_id)
    .bind(subject)
    .bind(refusable)
    .bind(raw.to_vec())
    .bind(crate::clock::now_secs())
    .bind(crate::clock::now())
    .fetch_one(&mut *conn)
    .await
}

/// Whether the user takes optional mail.
pub async fn takes_optional_mail(conn: &mut Connection, user: i64) -> Result<bool, sqlx::Error> {
    let flag: Option<Flag> = sqlx::query_scalar("SELECT optional_mail FROM users WHERE id = $1")
        .bind(user)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(flag.is_some_and(|f| f.0))
}

/// Whether the account's address is confirmed (false for no such account).
pub async fn address_confirmed(conn: &mut Connection, user: i64) -> Result<bool, sqlx::Error> {
    let at: Option<Option<i64>> =
        sqlx::query_scalar("SELECT email_confirmed_at FROM users WHERE id = $1")
            .bind(user)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(at.flatten().is_some())
}

pub async fn set_optional_mail(pool: &Pool, user: i64, wanted: bool) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET optional_mail = $1, updated_at = $2 WHERE id = $3")
        .bind(wanted)
        .bind(crate::clock::now())
        .bind(user)
        .execute(pool)
        .await?;
    Ok(())
}

pub async fn optional_mail(pool: &Pool, user: i64) -> Result<bool, sqlx::Error> {
    let mut conn = pool.acquire().await?;
    takes_optional_mail(&mut conn, user).await
}

/// Claims up to `limit` due messages for `lease_secs`: each gets its attempt counted and is
/// due again only after the lease, so a sender that dies mid-delivery leaves it to another.
/// Serialises on the outbox rows (skipped when another sender holds them).
pub async fn claim_due(
    pool: &Pool,
    limit: i64,
    lease_secs: i64,
) -> Result<Vec<Claimed>, sqlx::Error> {
    let now = crate::clock::now_secs();
    let mut tx = crate::db::write_tx(pool).await?;
    let sql = format!(
        "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $1 \
         WHERE id IN (SELECT id FROM outbox WHERE status = 'queued' AND next_attempt_at <= $2 \
         ORDER BY next_attempt_at, id LIMIT $3{}) \
         RETURNING id, message_id, kind, recipient, raw, attempts, created_at",
        crate::db::skip_locked(pool)
    );
    let rows = sqlx::query(&sql)
        .bind(now + lease_secs)
        .bind(now)
        .bind(limit)
        .fetch_all(&mut *tx)
        .await?;
    tx.commit().await?;
    let mut claimed = rows
        .iter()
        .map(claimed_from)
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    claimed.sort_by_key(|c| c.id);
    Ok(claimed)
}

/// Claims message `id` alone, if it is due.
pub async fn claim_one(pool: &Pool, id: i64, lease_secs: i64) -> Result<Vec<Claimed>, sqlx::Error> {
    let now = crate::clock::now_secs();
    let mut tx = crate::db::write_tx(pool).await?;
    // Serialises on the outbox row (the UPDATE's own row lock).
    let rows = sqlx::query(
        "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $1 \
         WHERE id = $2 AND status = 'queued' AND next_attempt_at <= $3 \
         RETURNING id, message_id, kind, recipient, raw, attempts, created_at",
    )
    .bind(now + lease_secs)
    .bind(id)
    .bind(now)
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    rows.iter().map(claimed_from).collect()
}

fn claimed_from(row: &sqlx::any::AnyRow) -> Result<Claimed, sqlx::Error> {
    Ok(Claimed {
        id: row.try_get("id")?,
        message_id: row.try_get("message_id")?,
        kind: row.try_get("kind")?,
        recipient: row.try_get("recipient")?,
        raw: row.try_get("raw")?,
        attempts: row.try_get("attempts")?,
        created_at: row.try_get("created_at")?,
    })
}

/// The headers of `raw` and a note in place of its body: what a message that carried a
/// single-use link keeps once it left the queue (the token must not outlive it here).
pub fn headers_only(raw: &[u8]) -> Vec<u8> {
    let headers = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(raw, |end| &raw[..end]);
    let mut kept = headers.to_vec();
    kept.extend_from_slice(b"\r\n\r\n");
    kept.extend_from_slice(BODY_REMOVED.as_bytes());
    kept
}

/// What stands in for the body of a delivered or failed message that carried a link.
pub const BODY_REMOVED: &str = "(The body of this message carried a single-use link and was removed from the outbox once it left the queue.)\r\n";

/// Delivered. A message that carried a single-use link (`erase_body`) keeps only its
/// headers.
pub async fn mark_sent(
    pool: &Pool,
    message: &Claimed,
    erase_body: bool,
) -> Result<(), sqlx::Error> {
    let raw = if erase_body {
        headers_only(&message.raw)
    } else {
        message.raw.clone()
    };
    sqlx::query(
        "UPDATE outbox SET status = 'sent', sent_at = $1, last_error = NULL, raw = $2 WHERE id = $3",
    )
    .bind(crate::clock::now())
    .bind(raw)
    .bind(message.id)
    .execute(pool)
    .await?;
    Ok(())
}

/// A try failed: due again at `retry_at` (unix seconds), or failed for good when `None`
/// (and then, for a message with a single-use link, without its body). Only the sender that
/// holds the latest claim records it: a message another sender has claimed again since, or
/// delivered, is left as that one leaves it.
pub async fn mark_failed(
    pool: &Pool,
    message: &Claimed,
    error: &str,
    retry_at: Option<i64>,
    erase_body: bool,
) -> Result<(), sqlx::Error> {
    let error: String = error.chars().take(1000).collect();
    match retry_at {
        Some(at) => sqlx::query(
            "UPDATE outbox SET last_error = $1, next_attempt_at = $2 \
             WHERE id = $3 AND status = 'queued' AND attempts = $4",
        )
        .bind(&error)
        .bind(at)
        .bind(message.id)
        .bind(message.attempts),
        None => sqlx::query(
            "UPDATE outbox SET last_error = $1, status = 'failed', raw = $2 \
             WHERE id = $3 AND status = 'queued' AND attempts = $4",
        )
        .bind(&error)
        .bind(if erase_body {
            headers_only(&message.raw)
        } else {
            message.raw.clone()
        })
        .bind(message.id)
        .bind(message.attempts),
    }
    .execute(pool)
    .await?;
    Ok(())
}

/// An administrator puts a failed message back in the queue, due now, with its tries
/// counted afresh. Audited. `false` when there is no failed message `id`.
pub async fn retry(pool: &Pool, admin: i64, id: i64) -> Result<bool, sqlx::Error> {
    let mut tx = crate::db::write_tx(pool).await?;
    // A password reset or an invitation is never retried: its link left with its body.
    let done = sqlx::query(
        "UPDATE outbox SET status = 'queued', attempts = 0, next_attempt_at = $1 \
         WHERE id = $2 AND status = 'failed' AND kind NOT IN ('password-reset', 'invitation')",
    )
    .bind(crate::clock::now_secs())
    .bind(id)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    crate::db::audit::record(
        &mut tx,
        Some(admin),
        "mail.retry",
        &format!("outbox:{id}"),
        "failed message queued again",
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

pub const PER_PAGE: u32 = 50;

pub async fn page(
    pool: &Pool,
    status: Option<MailStatus>,
    page: u32,
    transport: String,
) -> Result<OutboxPage, sqlx::Error> {
    let counts: Vec<(String, i64)> =
        sqlx::query_as("SELECT status, COUNT(*) FROM outbox GROUP BY status")
            .fetch_all(pool)
            .await?;
    let count = |s: &str| {
        counts
            .iter()
            .find(|(status, _)| status == s)
            .map_or(0, |(_, n)| u32::try_from(*n).unwrap_or(u32::MAX))
    };
    let (queued, sent, failed) = (count("queued"), count("sent"), count("failed"));
    let total = match status {
        None => queued + sent + failed,
        Some(MailStatus::Queued) => queued,
        Some(MailStatus::Sent) => sent,
        Some(MailStatus::Failed) => failed,
    };
    let pages = total.div_ceil(PER_PAGE).max(1);
    let page = page.clamp(1, pages);
    let rows = sqlx::query(
        "SELECT id, created_at, kind, recipient, subject, status, attempts, next_attempt_at, last_error, sent_at \
         FROM outbox WHERE ($1 = '' OR status = $2) ORDER BY id DESC LIMIT $3 OFFSET $4",
    )
    .bind(status.map_or("", MailStatus::as_str))
    .bind(status.map_or("", MailStatus::as_str))
    .bind(i64::from(PER_PAGE))
    .bind(i64::from((page - 1) * PER_PAGE))
    .fetch_all(pool)
    .await?;
    let shown = |at: &str| at.chars().take(19).collect::<String>().replace('T', " ");
    let rows = rows
        .into_iter()
        .map(|row| {
            let status: String = row.try_get("status")?;
            let status = MailStatus::from_slug(&status).unwrap_or(MailStatus::Failed);
            let next: i64 = row.try_get("next_attempt_at")?;
            Ok(OutboxRow {
                id: row.try_get("id")?,
                created: shown(&row.try_get::<String, _>("created_at")?),
                kind: row.try_get("kind")?,
                recipient: row.try_get("recipient")?,
                subject: row.try_get("subject")?,
                status,
                attempts: row.try_get("attempts")?,
                next_attempt: (status == MailStatus::Queued).then(|| {
                    time::OffsetDateTime::from_unix_timestamp(next)
                        .ok()
                        .and_then(|at| {
                            at.format(&time::format_description::well_known::Rfc3339)
                                .ok()
                        })
                        .map(|at| shown(&at))
                        .unwrap_or_default()
                }),
                last_error: row.try_get("last_error")?,
                sent: row
                    .try_get::<Option<String>, _>("sent_at")?
                    .map(|at| shown(&at)),
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok(OutboxPage {
        queued,
        sent,
        failed,
        status,
        rows,
        page,
        pages,
        transport,
    })
}
