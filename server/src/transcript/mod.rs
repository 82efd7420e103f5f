//! `/transcript`: a learner's own credits, as a page, CSV and PDF, and the form that adds or
//! removes credit earned elsewhere. The routes and forms are here; the SQL in [`store`], the
//! PDF in [`crate::pdf::transcript`].

mod pages;
pub mod store;

use crate::values::parse_date;
pub use store::{parse_range, to_csv, transcript};

use crate::AppState;
use crate::access::{Route, Rule};
use crate::auth::SignedIn;
use crate::download::attachment;
use crate::error::{Error, Result};
use crate::forms::{Back, Fields, Submission};
use crate::values::parse_hours;
use app::catalog::CreditType;
use app::forms::FormState;
use app::transcript::TranscriptPage;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;

pub fn routes() -> Vec<Route> {
    vec![
        // The signed-in learner's own transcript: every query is by the viewer's id.
        Route::page("/transcript", Rule::SignedIn),
        Route::get("/transcript.csv", Rule::SignedIn, csv_download),
        Route::get("/transcript.pdf", Rule::SignedIn, pdf_download),
        Route::post("/transcript/external", Rule::SignedIn, add_external),
        Route::post(
            "/transcript/external/remove",
            Rule::SignedIn,
            remove_external,
        ),
        Route::server_fn("/api/transcript", Rule::SignedIn),
    ]
}

const FORM: &str = "transcript";

#[derive(Debug, Deserialize)]
pub struct RangeQuery {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

/// The transcript a download asks for.
async fn load(state: &AppState, user: i64, range: &RangeQuery) -> Result<TranscriptPage> {
    let (from, to) = parse_range(&range.from, &range.to)
        .map_err(|(field, message)| Error::bad_request(format!("{field}: {message}")))?;
    transcript(&state.pool, user, &from, &to, FormState::default()).await
}

/// `GET /transcript.csv?from=&to=`: the signed-in learner's own transcript.
async fn csv_download(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    Query(range): Query<RangeQuery>,
) -> Result<Response> {
    let page = load(&state, viewer.id, &range).await?;
    let bytes = to_csv(&page).map_err(Error::internal)?;
    Ok(attachment(
        "text/csv; charset=utf-8",
        "grandrounds-transcript.csv",
        bytes,
    ))
}

/// `GET /transcript.pdf?from=&to=`: the signed-in learner's own transcript as PDF.
async fn pdf_download(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    Query(range): Query<RangeQuery>,
) -> Result<Response> {
    let page = load(&state, viewer.id, &range).await?;
    let bytes = tokio::task::spawn_blocking(move || crate::pdf::transcript::render(&page))
        .await
        .map_err(Error::internal)?
        .ok_or_else(|| Error::internal("the transcript PDF could not be written"))?;
    Ok(attachment(
        "application/pdf",
        "grandrounds-transcript.pdf",
        bytes,
    ))
}

/// `POST /transcript/external`: the signed-in learner adds credit earned elsewhere.
async fn add_external(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    fields: Fields,
) -> Result<Back> {
    let mut form = Submission::new(fields);
    let mut get = |name: &str| form.get(name).trim().to_owned();
    let title = get("title");
    let provider = get("provider");
    let credit_type = get("credit_type");
    let hours = get("hours");
    let completed_on = get("completed_on");
    if !(1..=200).contains(&title.chars().count()) {
        form.fail("title", "Name the activity (up to 200 characters).");
    }
    if !(1..=200).contains(&provider.chars().count()) {
        form.fail("provider", "Name who provided it (up to 200 characters).");
    }
    let credit = CreditType::from_slug(&credit_type);
    if credit.is_none() {
        form.fail("credit_type", "Choose the type of credit.");
    }
    let hours = match parse_hours(&hours) {
        Ok(h) if h.quarters == 0 || h.quarters > 400 => {
            form.fail("hours", "Give between 0.25 and 100 hours.");
            None
        }
        Ok(h) => Some(h),
        Err(message) => {
            form.fail("hours", message);
            None
        }
    };
    let today = crate::clock::now_instant().date();
    let completed = match parse_date("completed_on", &completed_on) {
        Ok(Some(date)) if date > today => {
            form.fail("completed_on", "The completion date is in the future.");
            None
        }
        Ok(Some(date)) => Some(date),
        Ok(None) => {
            form.fail("completed_on", "Give the completion date (YYYY-MM-DD).");
            None
        }
        Err((field, message)) => {
            form.fail(&field, message);
            None
        }
    };
    let (Some(credit), Some(hours), Some(completed_on), true) =
        (credit, hours, completed, form.ok())
    else {
        return Err(form.back(FORM, "/transcript").into());
    };
    let entry = store::External {
        title,
        provider,
        credit,
        hours,
        completed_on,
    };
    if !store::add_external(&state.pool, viewer.id, &entry).await? {
        form.fail(
            "form",
            format!(
                "Your transcript already holds {} self-reported entries, the most it keeps. Remove entries you no longer need, then add this one.",
                store::MAX_EXTERNAL
            ),
        );
        return Err(form.back(FORM, "/transcript").into());
    }
    Ok(Back::to(FORM, "/transcript").notice(format!(
        "Added \"{}\" as self-reported credit.",
        entry.title
    )))
}

/// `POST /transcript/external/remove`: the signed-in learner removes one of their own
/// self-reported entries.
async fn remove_external(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    fields: Fields,
) -> Result<Back> {
    let form = Submission::new(fields);
    let id: i64 = form.peek("id").parse().unwrap_or(-1);
    let back = Back::to(FORM, "/transcript");
    if let Some(problem) = form.problem() {
        return Ok(back.error("form", problem));
    }
    if store::remove_external(&state.pool, viewer.id, id).await? {
        Ok(back.notice("Removed the self-reported entry."))
    } else {
        Ok(back.error("form", "There is no such self-reported entry of yours."))
    }
}
