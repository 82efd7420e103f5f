//! A learner's transcript in the database: certificates with totals per credit type in a
//! date range (a licensing period), the CSV form of it, and credit earned elsewhere, which is
//! listed apart and never added to the verified totals.

use crate::db::{self, Pool};
use crate::error::Error;
use app::catalog::{CreditType, Hours};
use app::forms::FormState;
use app::transcript::{CreditTotal, TranscriptEntry, TranscriptPage};
use std::collections::BTreeMap;

/// The range, checked: both dates valid and `from` not after `to`.
pub fn parse_range(from: &str, to: &str) -> Result<(String, String), (String, String)> {
    let start = crate::values::parse_date("from", from)?;
    let end = crate::values::parse_date("to", to)?;
    if let (Some(start), Some(end)) = (start, end)
        && start > end
    {
        return Err((
            "to".into(),
            format!("the range ends ({end}) before it starts ({start})"),
        ));
    }
    let show = |d: Option<time::Date>| d.map(|d| d.to_string()).unwrap_or_default();
    Ok((show(start), show(end)))
}

fn totals(entries: &[TranscriptEntry]) -> Vec<CreditTotal> {
    let mut sums: BTreeMap<CreditType, u32> = BTreeMap::new();
    for entry in entries.iter().filter(|e| !e.revoked) {
        *sums.entry(entry.credit).or_default() += entry.hours.quarters;
    }
    sums.into_iter()
        .map(|(credit, quarters)| CreditTotal {
            credit,
            hours: Hours::from_quarters(quarters),
        })
        .collect()
}

fn in_range(date: &str, from: &str, to: &str) -> bool {
    (from.is_empty() || date >= from) && (to.is_empty() || date <= to)
}

/// A learner's transcript for `[from, to]` (ISO dates, either may be empty).
pub async fn transcript(
    pool: &Pool,
    user: i64,
    from: &str,
    to: &str,
    state: FormState,
) -> Result<TranscriptPage, Error> {
    let learner_name: String = sqlx::query_scalar("SELECT full_name FROM users WHERE id = $1")
        .bind(user)
        .fetch_one(pool)
        .await?;
    // Superseded certificates are replaced by their successors and not listed twice.
    let rows: Vec<(String, String, String, String, i64, String, crate::db::Flag)> = sqlx::query_as(
        "SELECT code, activity_title, provider, credit_type, quarters, completed_on, revoked_at IS NOT NULL \
         FROM certificates WHERE user_id = $1 AND superseded_by IS NULL ORDER BY completed_on DESC, id DESC",
    )
    .bind(user)
    .fetch_all(pool)
    .await?;
    let verified: Vec<TranscriptEntry> = rows
        .into_iter()
        .filter(|row| in_range(&row.5, from, to))
        .map(
            |(code, title, provider, credit, quarters, completed_on, crate::db::Flag(revoked))| {
                Ok(TranscriptEntry {
                    code: Some(code),
                    external_id: None,
                    title,
                    provider,
                    credit: CreditType::from_slug(&credit)
                        .ok_or_else(|| Error::corrupt("credit type", &credit))?,
                    hours: Hours::from_quarters(crate::db::decode::<u32>(
                        quarters,
                        "credit hours",
                    )?),
                    completed_on,
                    revoked,
                })
            },
        )
        .collect::<Result<_, Error>>()?;
    let rows: Vec<(i64, String, String, String, i64, String)> = sqlx::query_as(
        "SELECT id, title, provider, credit_type, quarters, completed_on FROM external_credits \
         WHERE user_id = $1 ORDER BY completed_on DESC, id DESC",
    )
    .bind(user)
    .fetch_all(pool)
    .await?;
    let reported: Vec<TranscriptEntry> = rows
        .into_iter()
        .filter(|row| in_range(&row.5, from, to))
        .map(|(id, title, provider, credit, quarters, completed_on)| {
            Ok(TranscriptEntry {
                code: None,
                external_id: Some(id),
                title,
                provider,
                credit: CreditType::from_slug(&credit)
                    .ok_or_else(|| Error::corrupt("credit type", &credit))?,
                hours: Hours::from_quarters(crate::db::decode::<u32>(quarters, "credit hours")?),
                completed_on,
                revoked: false,
            })
        })
        .collect::<Result<_, Error>>()?;
    Ok(TranscriptPage {
        learner_name,
        from: from.to_owned(),
        to: to.to_owned(),
        verified_totals: totals(&verified),
        reported_totals: totals(&reported),
        verified,
        reported,
        state,
    })
}

/// The transcript as CSV. Columns: `kind` (verified / self-reported), `completed_on`,
/// `activity`, `provider`, `credit_type`, `hours`, `certificate_code`, `status`.
pub fn to_csv(page: &TranscriptPage) -> Result<Vec<u8>, csv::Error> {
    let mut writer = crate::download::SpreadsheetCsv::new();
    writer.row([
        "kind",
        "completed_on",
        "activity",
        "provider",
        "credit_type",
        "hours",
        "certificate_code",
        "status",
    ])?;
    for (kind, entries) in [
        ("verified", &page.verified),
        ("self-reported", &page.reported),
    ] {
        for entry in entries {
            writer.row([
                kind,
                &entry.completed_on,
                &entry.title,
                &entry.provider,
                entry.credit.slug(),
                &entry.hours.to_string(),
                entry.code.as_deref().unwrap_or_default(),
                if entry.revoked { "revoked" } else { "" },
            ])?;
        }
    }
    writer.finish()
}

/// Credit earned elsewhere, as the learner reported it (already checked).
pub struct External {
    pub title: String,
    pub provider: String,
    pub credit: CreditType,
    pub hours: Hours,
    pub completed_on: time::Date,
}

/// Self-reported entries one learner may keep: far more than a licence period needs, few
/// enough that a script cannot fill the database through one account.
pub const MAX_EXTERNAL: i64 = 200;

/// Adds a self-reported entry; `false` (nothing written) when the learner already has
/// [`MAX_EXTERNAL`]. The count and the insert are one statement in a write transaction, so
/// concurrent posts cannot pass the cap together (serialises on the learner's entries).
pub async fn add_external(pool: &Pool, user: i64, entry: &External) -> Result<bool, Error> {
    let mut tx = db::write_tx(pool).await?;
    // Serialises on the learner: the count under the cap is theirs.
    crate::db::lock(&mut tx, crate::db::On::Row(crate::db::Table::Users, user)).await?;
    let done = sqlx::query(
        "INSERT INTO external_credits (user_id, title, provider, credit_type, quarters, completed_on, created_at) \
         SELECT $1, $2, $3, $4, $5, $6, $7 \
         WHERE (SELECT COUNT(*) FROM external_credits WHERE user_id = $1) < $8",
    )
    .bind(user)
    .bind(&entry.title)
    .bind(&entry.provider)
    .bind(entry.credit.slug())
    .bind(i64::from(entry.hours.quarters))
    .bind(entry.completed_on.to_string())
    .bind(crate::clock::now())
    .bind(MAX_EXTERNAL)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(done.rows_affected() == 1)
}

/// Removes one of the user's own self-reported entries; `false` when they have no such entry.
pub async fn remove_external(pool: &Pool, user: i64, id: i64) -> Result<bool, Error> {
    let done = sqlx::query("DELETE FROM external_credits WHERE id = $1 AND user_id = $2")
        .bind(id)
        .bind(user)
        .execute(pool)
        .await?;
    Ok(done.rows_affected() == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_checked() {
        assert_eq!(parse_range("", ""), Ok((String::new(), String::new())));
        assert_eq!(
            parse_range("2026-01-01", "2026-12-31"),
            Ok(("2026-01-01".into(), "2026-12-31".into()))
        );
        assert!(
            parse_range("2026-13-01", "")
                .is_err_and(|(f, m)| f == "from" && m.contains("YYYY-MM-DD"))
        );
        assert!(parse_range("2026-12-31", "2026-01-01").is_err_and(|(f, _)| f == "to"));
    }
}
