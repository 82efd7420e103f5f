//! Accreditation reporting in the database: per activity and period, the completions
//! (current, unrevoked certificates) of learners who consented to reporting, as CSV with
//! documented columns, and the audit record of each download.

use crate::db::Pool;
use crate::error::Error;
use app::catalog::Hours;
use app::reports::{AuditEntry, ReportPage};

/// The CSV columns, in order (documented in the README).
pub const COLUMNS: [&str; 18] = [
    "activity_slug",
    "activity_title",
    "revision",
    "learner_name",
    "profession",
    "npi",
    "licence_number",
    "licence_state",
    "board_id",
    "birth_month",
    "birth_day",
    "completion_date",
    "credit_type",
    "hours",
    "certificate_code",
    "issued_on",
    "recorded_minutes",
    "time_attested",
];

const FROM: &str = "FROM certificates c JOIN users u ON u.id = c.user_id \
     LEFT JOIN credit_claims cl ON cl.id = c.claim_id \
     WHERE c.revoked_at IS NULL AND c.superseded_by IS NULL \
     AND ($1 = '' OR c.activity_slug = $1) AND ($2 = '' OR c.completed_on >= $2) \
     AND ($3 = '' OR c.completed_on <= $3)";

/// The report page's figures.
pub async fn summary(
    pool: &Pool,
    activity: &str,
    from: &str,
    to: &str,
) -> Result<ReportPage, Error> {
    let activities: Vec<(String, String)> = sqlx::query_as(
        "SELECT activity_slug, MAX(activity_title) FROM certificates GROUP BY activity_slug ORDER BY 2",
    )
    .fetch_all(pool)
    .await?;
    let (listed, not_listed): (i64, i64) = sqlx::query_as(&format!(
        "SELECT COALESCE(SUM(CASE WHEN u.consent_reporting THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN u.consent_reporting THEN 0 ELSE 1 END), 0) {FROM}"
    ))
    .bind(activity)
    .bind(from)
    .bind(to)
    .fetch_one(pool)
    .await?;
    Ok(ReportPage {
        activities,
        activity: activity.to_owned(),
        from: from.to_owned(),
        to: to.to_owned(),
        listed: crate::db::decode::<u32>(listed, "listed count")?,
        not_listed: crate::db::decode::<u32>(not_listed, "unlisted count")?,
    })
}

/// One exported completion, as read.
#[derive(sqlx::FromRow)]
struct Row {
    activity_slug: String,
    activity_title: String,
    revision_number: Option<i64>,
    learner_name: String,
    profession: String,
    npi: Option<String>,
    licence_number: Option<String>,
    licence_state: Option<String>,
    board_id: Option<String>,
    birth_month: Option<i64>,
    birth_day: Option<i64>,
    completed_on: String,
    credit_type: String,
    quarters: i64,
    code: String,
    issued_on: String,
    recorded_minutes: Option<i64>,
    attested_at: Option<String>,
}

/// The CSV of consenting learners' completions.
pub async fn csv(pool: &Pool, activity: &str, from: &str, to: &str) -> Result<Vec<u8>, Error> {
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT c.activity_slug, c.activity_title, c.revision_number, c.learner_name, c.profession, \
         u.npi, u.licence_number, u.licence_state, u.board_id, u.birth_month, u.birth_day, \
         c.completed_on, c.credit_type, c.quarters, c.code, substr(c.issued_at, 1, 10) AS issued_on, \
         cl.recorded_minutes, cl.attested_at \
         {FROM} AND u.consent_reporting = TRUE ORDER BY c.activity_slug, c.completed_on, c.id"
    ))
    .bind(activity)
    .bind(from)
    .bind(to)
    .fetch_all(pool)
    .await?;
    let mut writer = crate::download::SpreadsheetCsv::new();
    writer.row(COLUMNS).map_err(Error::internal)?;
    let text = |v: Option<String>| v.unwrap_or_default();
    let number = |v: Option<i64>| v.map(|n| n.to_string()).unwrap_or_default();
    for row in rows {
        // Claimed through the site: whether the learner attested more time than was
        // recorded; certificates an administrator issued have no claim, so both are empty.
        let attested = match (row.recorded_minutes, &row.attested_at) {
            (_, Some(_)) => "yes".to_owned(),
            (Some(_), None) => "no".to_owned(),
            (None, None) => String::new(),
        };
        writer
            .row([
                row.activity_slug,
                row.activity_title,
                number(row.revision_number),
                row.learner_name,
                row.profession,
                text(row.npi),
                text(row.licence_number),
                text(row.licence_state),
                text(row.board_id),
                number(row.birth_month),
                number(row.birth_day),
                row.completed_on,
                row.credit_type,
                Hours::from_quarters(crate::db::decode(row.quarters, "certificate hours")?)
                    .to_string(),
                row.code,
                row.issued_on,
                number(row.recorded_minutes),
                attested,
            ])
            .map_err(Error::internal)?;
    }
    writer.finish().map_err(Error::internal)
}

/// Records who exported what, in the audit log.
pub async fn record_export(
    pool: &Pool,
    actor: i64,
    activity: &str,
    from: &str,
    to: &str,
) -> Result<(), Error> {
    let mut conn = pool.acquire().await?;
    crate::db::audit::record(
        &mut conn,
        Some(actor),
        "report.export",
        if activity.is_empty() {
            "all activities"
        } else {
            activity
        },
        &format!("from '{from}' to '{to}'"),
    )
    .await?;
    Ok(())
}

/// The latest `limit` audit log entries, newest first, with the actor's name.
pub async fn audit_log(pool: &Pool, limit: i64) -> Result<Vec<AuditEntry>, Error> {
    type Row = (String, Option<i64>, Option<String>, String, String, String);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT a.created_at, a.actor_id, u.full_name, a.action, a.target, a.detail FROM audit_log a \
         LEFT JOIN users u ON u.id = a.actor_id ORDER BY a.id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(at, actor_id, actor, action, target, detail)| AuditEntry {
            at,
            actor: match (actor_id, actor) {
                (None, _) => "(command line)".into(),
                (Some(_), name) => name.unwrap_or_else(|| "(deleted account)".into()),
            },
            action,
            target,
            detail,
        })
        .collect())
}
