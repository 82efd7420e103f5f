//! Accreditation reporting in the database: per activity and period, the completions
//! (current, unrevoked certificates) of learners who consented to reporting, as CSV with
//! documented columns, and the audit record of each download.

use crate::db::Pool;
use crate::error::Error;
use app::catalog::Hours;
use app::reports::ReportPage;

/// The CSV columns, in order (documented in the README).
pub const COLUMNS: [&str; 16] = [
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
];

const FROM: &str = "FROM certificates c JOIN users u ON u.id = c.user_id \
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

type Row = (
    String,
    String,
    Option<i64>,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<i64>,
    String,
    String,
    i64,
    String,
    String,
);

/// The CSV of consenting learners' completions.
pub async fn csv(pool: &Pool, activity: &str, from: &str, to: &str) -> Result<Vec<u8>, Error> {
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT c.activity_slug, c.activity_title, c.revision_number, c.learner_name, c.profession, \
         u.npi, u.licence_number, u.licence_state, u.board_id, u.birth_month, u.birth_day, \
         c.completed_on, c.credit_type, c.quarters, c.code, substr(c.issued_at, 1, 10) \
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
        writer
            .row([
                row.0,
                row.1,
                number(row.2),
                row.3,
                row.4,
                text(row.5),
                text(row.6),
                text(row.7),
                text(row.8),
                number(row.9),
                number(row.10),
                row.11,
                row.12,
                Hours::from_quarters(crate::db::decode(row.13, "certificate hours")?).to_string(),
                row.14,
                row.15,
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
    sqlx::query(
        "INSERT INTO audit_log (actor_id, action, target, detail, created_at) VALUES ($1, 'report.export', $2, $3, $4)",
    )
    .bind(actor)
    .bind(if activity.is_empty() { "all activities" } else { activity })
    .bind(format!("from '{from}' to '{to}'"))
    .bind(crate::db::now())
    .execute(pool)
    .await?;
    Ok(())
}
