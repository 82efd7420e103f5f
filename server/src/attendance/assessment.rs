//! A live webinar's post-test (`content/webinars/<slug>.post-test.quiz.md`): the course
//! quiz machinery ([`crate::quizzes`]: the format, grading, the shuffled order and the
//! result page) on attempts keyed to the learner's registration. It opens to a learner who
//! held a seat once the ledger makes them eligible for a session that is over; when the
//! webinar has one, the claim needs a passed attempt. Showing the quiz starts an attempt on
//! the webinar's current revision (its random token travels in the form, so a form sent
//! twice is one attempt); the attempt is graded against the quiz stored with that revision.

use super::claims;
use crate::AppState;
use crate::auth::SignedIn;
use crate::db::{self, On, Table};
use crate::error::{Error, Result};
use crate::forms::{Back, Fields};
use crate::quizzes::attempts::{
    closed_reason, graded_questions, new_token, questions_for, read_answers, summaries,
};
use crate::quizzes::{Quiz, QuizKind};
use crate::webinars::store::Stored;
use app::forms::FormState;
use app::learning::{AttemptResult, AttemptSummary, QuizPage, QuizPlace};
use axum::Form;
use axum::extract::State;

/// The form's leftover state, kept for the quiz page.
pub const FORM: &str = "webinar-quiz";

/// The post-test stored with a webinar revision, if it has one.
pub async fn stored(conn: &mut db::Connection, revision: i64) -> Result<Option<Quiz>> {
    let definition: Option<String> =
        sqlx::query_scalar("SELECT definition FROM webinar_quizzes WHERE revision_id = $1")
            .bind(revision)
            .fetch_optional(&mut *conn)
            .await?;
    definition
        .map(|d| serde_json::from_str(&d))
        .transpose()
        .map_err(Into::into)
}

/// The registration the learner holds a seat with.
async fn seat(conn: &mut db::Connection, webinar: i64, user: i64) -> Result<Option<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM webinar_registrations WHERE webinar_id = $1 AND user_id = $2 AND status = 'registered'",
    )
    .bind(webinar)
    .bind(user)
    .fetch_optional(&mut *conn)
    .await?)
}

async fn submitted(conn: &mut db::Connection, registration: i64) -> Result<Vec<AttemptSummary>> {
    let rows = sqlx::query_as(
        "SELECT number, percent, passed, submitted_at FROM webinar_quiz_attempts \
         WHERE registration_id = $1 AND number IS NOT NULL ORDER BY number",
    )
    .bind(registration)
    .fetch_all(&mut *conn)
    .await?;
    summaries(rows)
}

/// Whether the learner passed the webinar's post-test (on any revision of it).
pub async fn passed(conn: &mut db::Connection, webinar: i64, user: i64) -> Result<bool> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT a.id FROM webinar_quiz_attempts a JOIN webinar_registrations r ON r.id = a.registration_id \
         WHERE r.webinar_id = $1 AND r.user_id = $2 AND a.passed = $3 LIMIT 1",
    )
    .bind(webinar)
    .bind(user)
    .bind(true)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(found.is_some())
}

/// Why no further attempt may be made at `quiz` (all used), for a learner who has not
/// passed it.
pub async fn closed(
    conn: &mut db::Connection,
    quiz: &Quiz,
    webinar: i64,
    user: i64,
) -> Result<Option<String>> {
    let attempts = match seat(conn, webinar, user).await? {
        Some(registration) => submitted(conn, registration).await?,
        None => Vec::new(),
    };
    Ok(closed_reason(quiz, &attempts))
}

/// Why the post-test is not open to the learner now: no seat, or no session over that the
/// ledger makes them eligible for.
async fn not_open(
    conn: &mut db::Connection,
    stored: &Stored,
    registration: Option<i64>,
    user: i64,
) -> Result<Option<String>> {
    if registration.is_none() {
        return Ok(Some(
            "The post-test is for learners who held a seat at this webinar.".into(),
        ));
    }
    if claims::eligible_over(conn, stored, user).await?.is_none() {
        return Ok(Some(
            "The post-test opens after a session you attended long enough for credit: the webinar page shows the attendance recorded for you so far."
                .into(),
        ));
    }
    Ok(None)
}

fn no_post_test(stored: &Stored) -> Error {
    Error::not_found(format!(
        "The webinar \"{}\" has no post-test.",
        stored.detail.title
    ))
}

/// The post-test page: starts an attempt when one may be taken and none is open.
pub async fn quiz_page(
    pool: &db::Pool,
    stored: Stored,
    user: i64,
    state: FormState,
) -> Result<QuizPage> {
    let mut tx = db::write_tx(pool).await?;
    // Serialises on the learner: one open attempt at a time.
    db::lock(&mut tx, On::Row(Table::Users, user)).await?;
    let Some(quiz) = self::stored(&mut tx, stored.revision_id).await? else {
        return Err(no_post_test(&stored));
    };
    let registration = seat(&mut tx, stored.webinar_id, user).await?;
    let attempts = match registration {
        Some(registration) => submitted(&mut tx, registration).await?,
        None => Vec::new(),
    };
    let closed = match closed_reason(&quiz, &attempts) {
        Some(reason) => Some(reason),
        None => not_open(&mut tx, &stored, registration, user).await?,
    };
    let token = match (closed.is_some(), registration) {
        (false, Some(registration)) => {
            let open: Option<String> = sqlx::query_scalar(
                "SELECT token FROM webinar_quiz_attempts WHERE registration_id = $1 AND revision_id = $2 \
                 AND number IS NULL ORDER BY id DESC LIMIT 1",
            )
            .bind(registration)
            .bind(stored.revision_id)
            .fetch_optional(&mut *tx)
            .await?;
            match open {
                Some(token) => Some(token),
                None => {
                    let token = new_token();
                    sqlx::query(
                        "INSERT INTO webinar_quiz_attempts (registration_id, revision_id, token, started_at) \
                         VALUES ($1, $2, $3, $4)",
                    )
                    .bind(registration)
                    .bind(stored.revision_id)
                    .bind(&token)
                    .bind(crate::clock::now())
                    .execute(&mut *tx)
                    .await?;
                    Some(token)
                }
            }
        }
        _ => None,
    };
    tx.commit().await?;
    let questions = token
        .as_deref()
        .map(|token| questions_for(&quiz, token))
        .unwrap_or_default();
    Ok(QuizPage {
        place: QuizPlace::webinar(&stored.detail.slug, &stored.detail.title),
        kind: QuizKind::Post,
        pass_mark: quiz.pass_mark,
        max_attempts: quiz.max_attempts,
        attempts,
        token,
        closed_reason: closed,
        questions,
        state,
    })
}

/// `(attempt, registration, revision, number, webinar, webinar slug, owner)`.
type AttemptRow = (i64, i64, i64, Option<i64>, i64, String, i64);

/// `POST /webinars/post-test` (`token`, `q-<question>` = option): grades and records one
/// attempt, all of it or nothing.
pub async fn submit(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    form: Fields,
) -> Result<Back> {
    let Ok(Form(fields)) = form else {
        return Err(Error::bad_request(
            "The post-test form could not be read. Go back, reload the post-test and submit it again.",
        ));
    };
    let token = fields
        .iter()
        .find(|(name, _)| name == "token")
        .map(|(_, value)| value.as_str())
        .unwrap_or_default();
    if fields.iter().filter(|(name, _)| name == "token").count() > 1 {
        return Err(Error::bad_request(
            "The post-test form was sent with two tokens; nothing was recorded. Reload the post-test and submit it again.",
        ));
    }
    let mut tx = db::write_tx(&state.pool).await?;
    // Serialises on the learner: attempt numbers are unique and max_attempts holds across
    // servers, however many times the form is sent at once.
    db::lock(&mut tx, On::Row(Table::Users, viewer.id)).await?;
    let row: Option<AttemptRow> = sqlx::query_as(
        "SELECT a.id, a.registration_id, a.revision_id, a.number, r.webinar_id, w.slug, r.user_id \
         FROM webinar_quiz_attempts a JOIN webinar_registrations r ON r.id = a.registration_id \
         JOIN webinars w ON w.id = r.webinar_id WHERE a.token = $1",
    )
    .bind(token)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((attempt, registration, revision, number, webinar, slug, _)) =
        row.filter(|row| row.6 == viewer.id)
    else {
        return Err(Error::bad_request(
            "That post-test form is not one we gave you, so nothing was recorded. Open the post-test again from the webinar page.",
        ));
    };
    // The same form again: it was recorded the first time.
    if let Some(number) = number {
        return Ok(Back::to(
            FORM,
            format!("/webinars/{slug}/post-test/{number}"),
        ));
    }
    // Read on this transaction's connection: a second one from the pool could wait behind
    // requests queued on the same learner.
    let Some(stored) = crate::webinars::store::stored_in(&mut tx, webinar).await? else {
        return Err(Error::not_found(
            "This webinar is no longer published; nothing was recorded.",
        ));
    };
    let quiz_href = QuizPlace::webinar(&stored.detail.slug, &stored.detail.title).quiz_href;
    let back = Back::to(FORM, quiz_href.clone());
    let Some(quiz) = self::stored(&mut tx, revision).await? else {
        return Err(Error::invalid(
            back.error("form", "This post-test no longer exists."),
        ));
    };
    let attempts = submitted(&mut tx, registration).await?;
    let held = seat(&mut tx, webinar, viewer.id).await? == Some(registration);
    let closed = match closed_reason(&quiz, &attempts) {
        Some(reason) => Some(reason),
        None => not_open(&mut tx, &stored, held.then_some(registration), viewer.id).await?,
    };
    if let Some(reason) = closed {
        return Err(Error::invalid(
            back.error("form", format!("{reason} Nothing was recorded.")),
        ));
    }
    let (answers, grade) = match read_answers(&quiz, &fields) {
        Ok(read) => read,
        Err(state) => return Err(Error::invalid(back.with_state(state))),
    };
    let number = u32::try_from(attempts.len()).unwrap_or(u32::MAX) + 1;
    sqlx::query(
        "UPDATE webinar_quiz_attempts SET number = $1, submitted_at = $2, answers = $3, correct = $4, \
         total = $5, percent = $6, passed = $7 WHERE id = $8 AND number IS NULL",
    )
    .bind(i64::from(number))
    .bind(crate::clock::now())
    .bind(serde_json::to_string(&answers)?)
    .bind(i64::from(grade.correct))
    .bind(i64::from(grade.total))
    .bind(i64::from(grade.percent))
    .bind(grade.passed)
    .bind(attempt)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Back::to(FORM, format!("{quiz_href}/{number}")))
}

/// One of the learner's submitted attempts, with the key and the explanations once no
/// further attempt could use them.
pub async fn attempt_result(
    pool: &db::Pool,
    stored: Stored,
    user: i64,
    number: u32,
) -> Result<AttemptResult> {
    let mut conn = pool.acquire().await?;
    let missing = || {
        Error::not_found(format!(
            "You have no post-test attempt number {number} for this webinar."
        ))
    };
    let registration: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM webinar_registrations WHERE webinar_id = $1 AND user_id = $2",
    )
    .bind(stored.webinar_id)
    .bind(user)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(registration) = registration else {
        return Err(missing());
    };
    let row: Option<(i64, String, i64, i64, i64, db::Flag, String)> = sqlx::query_as(
        "SELECT revision_id, answers, correct, total, percent, passed, submitted_at FROM webinar_quiz_attempts \
         WHERE registration_id = $1 AND number = $2",
    )
    .bind(registration)
    .bind(i64::from(number))
    .fetch_optional(&mut *conn)
    .await?;
    let Some((revision, answers, correct, total, percent, db::Flag(passed), submitted_at)) = row
    else {
        return Err(missing());
    };
    let Some(quiz) = self::stored(&mut conn, revision).await? else {
        return Err(missing());
    };
    let answers: Vec<(String, String)> = serde_json::from_str(&answers)?;
    let attempts = submitted(&mut conn, registration).await?;
    let current = self::stored(&mut conn, stored.revision_id).await?;
    let can_retry = current
        .as_ref()
        .is_some_and(|q| closed_reason(q, &attempts).is_none());
    // The key would answer the next attempt: withheld while one is possible.
    let key_shown = passed || !can_retry;
    Ok(AttemptResult {
        place: QuizPlace::webinar(&stored.detail.slug, &stored.detail.title),
        kind: QuizKind::Post,
        number,
        correct: db::decode::<u32>(correct, "correct answers")?,
        total: db::decode::<u32>(total, "question count")?,
        percent: db::decode::<u8>(percent, "quiz score")?,
        pass_mark: quiz.pass_mark,
        passed,
        submitted_on: submitted_at.chars().take(10).collect(),
        can_retry,
        key_shown,
        questions: graded_questions(&quiz, &answers, key_shown),
    })
}
