//! Accreditation reporting: per activity and period, the completions (current, unrevoked
//! certificates) of learners who consented to reporting, as CSV with documented columns.
//! Learners who did not consent are counted, never listed. Every download is audited.

use crate::AppState;
use crate::auth::SignedIn;
use crate::transcript::parse_range;
use app::model::{Hours, ReportPage, Role};
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use sqlx::SqlitePool;

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
     AND (?1 = '' OR c.activity_slug = ?1) AND (?2 = '' OR c.completed_on >= ?2) \
     AND (?3 = '' OR c.completed_on <= ?3)";

/// The report page's figures.
pub async fn summary(
    pool: &SqlitePool,
    activity: &str,
    from: &str,
    to: &str,
) -> Result<ReportPage, sqlx::Error> {
    let activities: Vec<(String, String)> = sqlx::query_as(
        "SELECT activity_slug, MAX(activity_title) FROM certificates GROUP BY activity_slug ORDER BY 2",
    )
    .fetch_all(pool)
    .await?;
    let (listed, not_listed): (i64, i64) = sqlx::query_as(&format!(
        "SELECT COALESCE(SUM(u.consent_reporting = 1), 0), COALESCE(SUM(u.consent_reporting = 0), 0) {FROM}"
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
        listed: u32::try_from(listed).unwrap_or_default(),
        not_listed: u32::try_from(not_listed).unwrap_or_default(),
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
pub async fn csv(
    pool: &SqlitePool,
    activity: &str,
    from: &str,
    to: &str,
) -> Result<Vec<u8>, anyhow::Error> {
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT c.activity_slug, c.activity_title, c.revision_number, c.learner_name, c.profession, \
         u.npi, u.licence_number, u.licence_state, u.board_id, u.birth_month, u.birth_day, \
         c.completed_on, c.credit_type, c.quarters, c.code, substr(c.issued_at, 1, 10) \
         {FROM} AND u.consent_reporting = 1 ORDER BY c.activity_slug, c.completed_on, c.id"
    ))
    .bind(activity)
    .bind(from)
    .bind(to)
    .fetch_all(pool)
    .await?;
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(COLUMNS)?;
    let text = |v: Option<String>| v.unwrap_or_default();
    let number = |v: Option<i64>| v.map(|n| n.to_string()).unwrap_or_default();
    for row in rows {
        writer.write_record([
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
            Hours::from_quarters(u32::try_from(row.13).unwrap_or_default()).to_string(),
            row.14,
            row.15,
        ])?;
    }
    Ok(writer.into_inner().map_err(|e| e.into_error())?)
}

#[derive(Debug, Deserialize)]
pub struct ReportQuery {
    #[serde(default)]
    activity: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

/// `GET /admin/export.csv?activity=&from=&to=`: administrators only; audited.
pub async fn export(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    Query(query): Query<ReportQuery>,
) -> Response {
    if viewer.role != Role::Admin {
        return (
            StatusCode::FORBIDDEN,
            "Only administrators export completion data.",
        )
            .into_response();
    }
    let (from, to) = match parse_range(&query.from, &query.to) {
        Ok(range) => range,
        Err((field, message)) => {
            return (StatusCode::BAD_REQUEST, format!("{field}: {message}")).into_response();
        }
    };
    let activity = query.activity.trim();
    let result = async {
        let bytes = csv(&state.pool, activity, &from, &to).await?;
        sqlx::query(
            "INSERT INTO audit_log (actor_id, action, target, detail, created_at) VALUES (?, 'report.export', ?, ?, ?)",
        )
        .bind(viewer.id)
        .bind(if activity.is_empty() { "all activities" } else { activity })
        .bind(format!("from '{from}' to '{to}'"))
        .bind(crate::assessment::now())
        .execute(&state.pool)
        .await?;
        Ok::<_, anyhow::Error>(bytes)
    }
    .await;
    match result {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"grandrounds-completions.csv\"",
                ),
                (header::CACHE_CONTROL, "private, no-store"),
            ],
            bytes,
        )
            .into_response(),
        Err(error) => {
            tracing::error!(%error, "export failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "The export failed; please try again.",
            )
                .into_response()
        }
    }
}
