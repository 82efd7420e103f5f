//! The audit log's one writer: who did what to which record, and when, in the caller's
//! transaction (so the entry and the change commit together or not at all). Certificates,
//! roles, invitations, password resets, mail retries, report exports, attendance imports and
//! corrections, and organizers' cancellations all write here.

/// An entry in the audit log. `actor` is `None` for the site itself (a command-line tool,
/// a learner acting on their own account with no one else involved).
pub async fn record(
    conn: &mut super::Connection,
    actor: Option<i64>,
    action: &str,
    target: &str,
    detail: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO audit_log (actor_id, action, target, detail, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(actor)
    .bind(action)
    .bind(target)
    .bind(detail)
    .bind(crate::clock::now())
    .execute(&mut *conn)
    .await?;
    Ok(())
}
