//! `/transcript`: a learner's certificates with totals per credit type, filtered by a date
//! range (a licensing period), as a page and as CSV; and credit earned elsewhere, reported
//! by the learner, listed apart and never added to the verified totals.

use crate::AppState;
use crate::auth::SignedIn;
use crate::auth::forms::form_key;
use crate::completion::parse_hours;
use app::model::{CreditTotal, CreditType, FormState, Hours, TranscriptEntry, TranscriptPage};
use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use sqlx::SqlitePool;
use std::collections::{BTreeMap, HashMap};
use tower_sessions::Session;

const DATE: &[time::format_description::BorrowedFormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day]");

/// Reads an ISO date (`YYYY-MM-DD`); empty means no bound.
pub fn parse_date(field: &str, text: &str) -> Result<Option<time::Date>, (String, String)> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    time::Date::parse(text, DATE).map(Some).map_err(|_| {
        (
            field.to_owned(),
            format!("\"{text}\" is not a date: write it as YYYY-MM-DD, e.g. 2026-01-31"),
        )
    })
}

/// The range, checked: both dates valid and `from` not after `to`.
pub fn parse_range(from: &str, to: &str) -> Result<(String, String), (String, String)> {
    let start = parse_date("from", from)?;
    let end = parse_date("to", to)?;
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
    pool: &SqlitePool,
    user: i64,
    from: &str,
    to: &str,
    state: FormState,
) -> Result<TranscriptPage, sqlx::Error> {
    let learner_name: String = sqlx::query_scalar("SELECT full_name FROM users WHERE id = ?")
        .bind(user)
        .fetch_one(pool)
        .await?;
    // Superseded certificates are replaced by their successors and not listed twice.
    let rows: Vec<(String, String, String, String, i64, String, bool)> = sqlx::query_as(
        "SELECT code, activity_title, provider, credit_type, quarters, completed_on, revoked_at IS NOT NULL \
         FROM certificates WHERE user_id = ? AND superseded_by IS NULL ORDER BY completed_on DESC, id DESC",
    )
    .bind(user)
    .fetch_all(pool)
    .await?;
    let verified: Vec<TranscriptEntry> = rows
        .into_iter()
        .filter(|row| in_range(&row.5, from, to))
        .map(
            |(code, title, provider, credit, quarters, completed_on, revoked)| TranscriptEntry {
                code: Some(code),
                external_id: None,
                title,
                provider,
                credit: CreditType::from_slug(&credit).unwrap_or(CreditType::Participation),
                hours: Hours::from_quarters(u32::try_from(quarters).unwrap_or_default()),
                completed_on,
                revoked,
            },
        )
        .collect();
    let rows: Vec<(i64, String, String, String, i64, String)> = sqlx::query_as(
        "SELECT id, title, provider, credit_type, quarters, completed_on FROM external_credits \
         WHERE user_id = ? ORDER BY completed_on DESC, id DESC",
    )
    .bind(user)
    .fetch_all(pool)
    .await?;
    let reported: Vec<TranscriptEntry> = rows
        .into_iter()
        .filter(|row| in_range(&row.5, from, to))
        .map(
            |(id, title, provider, credit, quarters, completed_on)| TranscriptEntry {
                code: None,
                external_id: Some(id),
                title,
                provider,
                credit: CreditType::from_slug(&credit).unwrap_or(CreditType::Participation),
                hours: Hours::from_quarters(u32::try_from(quarters).unwrap_or_default()),
                completed_on,
                revoked: false,
            },
        )
        .collect();
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
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record([
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
            writer.write_record([
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
    writer
        .into_inner()
        .map_err(|error| csv::Error::from(error.into_error()))
}

#[derive(Debug, Deserialize)]
pub struct RangeQuery {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

/// The transcript a download asks for, or the response that says what is wrong.
async fn load(
    state: &AppState,
    user: i64,
    range: &RangeQuery,
) -> Result<TranscriptPage, Box<Response>> {
    let (from, to) = parse_range(&range.from, &range.to).map_err(|(field, message)| {
        Box::new((StatusCode::BAD_REQUEST, format!("{field}: {message}")).into_response())
    })?;
    transcript(&state.pool, user, &from, &to, FormState::default())
        .await
        .map_err(|error| {
            tracing::error!(%error, "transcript failed");
            Box::new(StatusCode::INTERNAL_SERVER_ERROR.into_response())
        })
}

/// `GET /transcript.csv?from=&to=`: the signed-in learner's own transcript.
pub async fn csv_download(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    Query(range): Query<RangeQuery>,
) -> Response {
    let page = match load(&state, viewer.id, &range).await {
        Ok(page) => page,
        Err(response) => return *response,
    };
    match to_csv(&page) {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"grandrounds-transcript.csv\"",
                ),
                (header::CACHE_CONTROL, "private, no-store"),
            ],
            bytes,
        )
            .into_response(),
        Err(error) => {
            tracing::error!(%error, "transcript CSV failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// `GET /transcript.pdf?from=&to=`: the signed-in learner's own transcript as PDF.
pub async fn pdf_download(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    Query(range): Query<RangeQuery>,
) -> Response {
    let page = match load(&state, viewer.id, &range).await {
        Ok(page) => page,
        Err(response) => return *response,
    };
    match tokio::task::spawn_blocking(move || crate::certificates::pdf::transcript(&page)).await {
        Ok(Some(bytes)) => (
            [
                (header::CONTENT_TYPE, "application/pdf"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"grandrounds-transcript.pdf\"",
                ),
                (header::CACHE_CONTROL, "private, no-store"),
            ],
            bytes,
        )
            .into_response(),
        _ => {
            tracing::error!("transcript PDF failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

fn fields(form: Result<Form<HashMap<String, String>>, FormRejection>) -> HashMap<String, String> {
    form.map(|Form(f)| f).unwrap_or_default()
}

async fn back(session: &Session, state: FormState) -> Response {
    if let Err(error) = session.insert(&form_key("transcript"), state).await {
        tracing::error!(%error, "could not keep form state");
    }
    Redirect::to("/transcript").into_response()
}

/// `POST /transcript/external`: the signed-in learner adds credit earned elsewhere.
pub async fn add_external(
    State(state): State<AppState>,
    session: Session,
    SignedIn(viewer): SignedIn,
    form: Result<Form<HashMap<String, String>>, FormRejection>,
) -> Response {
    let f = fields(form);
    let get = |name: &str| f.get(name).map(|v| v.trim().to_owned()).unwrap_or_default();
    let mut errors = Vec::new();
    let title = get("title");
    if !(1..=200).contains(&title.chars().count()) {
        errors.push((
            "title".to_owned(),
            "Name the activity (up to 200 characters).".to_owned(),
        ));
    }
    let provider = get("provider");
    if !(1..=200).contains(&provider.chars().count()) {
        errors.push((
            "provider".to_owned(),
            "Name who provided it (up to 200 characters).".to_owned(),
        ));
    }
    let credit = CreditType::from_slug(&get("credit_type"));
    if credit.is_none() {
        errors.push((
            "credit_type".to_owned(),
            "Choose the type of credit.".to_owned(),
        ));
    }
    let hours = match parse_hours(&get("hours")) {
        Ok(h) if h.quarters == 0 || h.quarters > 400 => {
            errors.push((
                "hours".to_owned(),
                "Give between 0.25 and 100 hours.".to_owned(),
            ));
            None
        }
        Ok(h) => Some(h),
        Err(message) => {
            errors.push(("hours".to_owned(), message));
            None
        }
    };
    let today = time::OffsetDateTime::now_utc().date();
    let completed = match parse_date("completed_on", &get("completed_on")) {
        Ok(Some(date)) if date > today => {
            errors.push((
                "completed_on".to_owned(),
                "The completion date is in the future.".to_owned(),
            ));
            None
        }
        Ok(Some(date)) => Some(date),
        Ok(None) => {
            errors.push((
                "completed_on".to_owned(),
                "Give the completion date (YYYY-MM-DD).".to_owned(),
            ));
            None
        }
        Err(error) => {
            errors.push(error);
            None
        }
    };
    let (Some(credit), Some(hours), Some(completed), true) =
        (credit, hours, completed, errors.is_empty())
    else {
        let values = ["title", "provider", "credit_type", "hours", "completed_on"]
            .iter()
            .map(|name| ((*name).to_owned(), get(name)))
            .collect();
        return back(
            &session,
            FormState {
                errors,
                values,
                notice: None,
            },
        )
        .await;
    };
    let saved = sqlx::query(
        "INSERT INTO external_credits (user_id, title, provider, credit_type, quarters, completed_on, created_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(viewer.id)
    .bind(&title)
    .bind(&provider)
    .bind(credit.slug())
    .bind(i64::from(hours.quarters))
    .bind(completed.to_string())
    .bind(crate::assessment::now())
    .execute(&state.pool)
    .await;
    match saved {
        Ok(_) => {
            back(
                &session,
                FormState {
                    notice: Some(format!("Added \"{title}\" as self-reported credit.")),
                    ..FormState::default()
                },
            )
            .await
        }
        Err(error) => {
            tracing::error!(%error, "could not save external credit");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Nothing was saved; please try again.",
            )
                .into_response()
        }
    }
}

/// `POST /transcript/external/remove`: the signed-in learner removes one of their own
/// self-reported entries.
pub async fn remove_external(
    State(state): State<AppState>,
    session: Session,
    SignedIn(viewer): SignedIn,
    form: Result<Form<HashMap<String, String>>, FormRejection>,
) -> Response {
    let f = fields(form);
    let id: i64 = f.get("id").and_then(|v| v.parse().ok()).unwrap_or(-1);
    let removed = sqlx::query("DELETE FROM external_credits WHERE id = ? AND user_id = ?")
        .bind(id)
        .bind(viewer.id)
        .execute(&state.pool)
        .await;
    let state = match removed {
        Ok(done) if done.rows_affected() == 1 => FormState {
            notice: Some("Removed the self-reported entry.".into()),
            ..FormState::default()
        },
        Ok(_) => FormState {
            errors: vec![(
                "form".into(),
                "There is no such self-reported entry of yours.".into(),
            )],
            ..FormState::default()
        },
        Err(error) => {
            tracing::error!(%error, "could not remove external credit");
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Nothing was changed; please try again.",
            )
                .into_response();
        }
    };
    back(&session, state).await
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
