//! A live webinar's post-test (`content/webinars/<slug>.post-test.quiz.md`): the course
//! quiz machinery ([`crate::quizzes`]: the format, grading, the shuffled order and the
//! result page) on attempts keyed to the learner's registration. It opens to a learner who
//! held a seat once the ledger makes them eligible for a session that is over; when the
//! webinar has one, the claim needs a passed attempt. The post-test, its attempt limit and
//! the pass that counts are those of the revision the learner registered on
//! ([`revision_of`]): a later revision never reopens a test already seen. Showing the quiz
//! starts an attempt (its random token travels in the form, so a form sent twice is one
//! attempt); the attempt is graded against the quiz stored with its revision.

use super::claims;
use crate::AppState;
use crate::auth::SignedIn;
use crate::db::{self, On, Table};
use crate::error::{Error, Result};
use crate::forms::{Back, Fields};
use crate::quizzes::attempts::{
    closed_reason, graded_questions, open_or_start, page_of, record_submission, submitted_by,
};
use crate::quizzes::store::Owner;
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
    crate::quizzes::store::webinar_quiz(conn, revision).await
}

/// The revision whose post-test is the learner's: the one their registration was made on
/// (the current one for a learner who never registered).
pub async fn revision_of(conn: &mut db::Connection, stored: &Stored, user: i64) -> Result<i64> {
    Ok(super::store::pinned_revision(conn, stored.webinar_id, user)
        .await?
        .unwrap_or(stored.revision_id))
}

/// The registration the learner holds a seat with.
async fn seat(conn: &mut db::Connection, webinar: i64, user: i64) -> Result<Option<i64>> {
    Ok(super::store::registration(conn, webinar, user, true).await?)
}

async fn submitted(conn: &mut db::Connection, registration: i64) -> Result<Vec<AttemptSummary>> {
    submitted_by(conn, Owner::Registration(registration)).await
}

/// Whether the learner passed the webinar's post-test (on the revision they registered on).
pub async fn passed(conn: &mut db::Connection, webinar: i64, user: i64) -> Result<bool> {
    Ok(crate::quizzes::store::passed_webinar_quiz(conn, webinar, user).await?)
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
    let revision = revision_of(&mut tx, &stored, user).await?;
    let Some(quiz) = self::stored(&mut tx, revision).await? else {
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
            Some(open_or_start(&mut tx, Owner::Registration(registration), revision).await?)
        }
        _ => None,
    };
    tx.commit().await?;
    Ok(page_of(
        QuizPlace::webinar(&stored.detail.slug, &stored.detail.title),
        &quiz,
        attempts,
        token,
        closed,
        state,
    ))
}

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
    let row = crate::quizzes::store::webinar_attempt_by_token(&mut tx, token).await?;
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
    let owner = Owner::Registration(registration);
    let number = match record_submission(&mut tx, owner, attempt, &quiz, &attempts, &fields).await?
    {
        Ok(number) => number,
        Err(state) => return Err(Error::invalid(back.with_state(state))),
    };
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
    let registration =
        super::store::registration(&mut conn, stored.webinar_id, user, false).await?;
    let Some(registration) = registration else {
        return Err(missing());
    };
    let row = crate::quizzes::store::submitted_attempt(
        &mut conn,
        Owner::Registration(registration),
        number,
    )
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
