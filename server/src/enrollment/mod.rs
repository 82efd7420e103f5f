//! Enrollment and lesson progress: a learner enrolls on a course's newest revision, opens
//! and completes its lessons, and may move to a newer revision before passing. The routes
//! and forms are here; the SQL in [`store`].

pub mod completion;
pub(crate) mod pages;
pub mod store;

pub use store::{enrollment_of, pinned_lesson, summaries};

use crate::AppState;
use crate::access::{Route, Rule};
use crate::auth::SignedIn;
use crate::enrollment::store::Completion;
use crate::error::Result;
use crate::forms::{Back, Fields, Submission, refusals_to};
use axum::extract::State;

pub fn routes() -> Vec<Route> {
    vec![
        Route::page("/learning", Rule::SignedIn),
        Route::post("/learning/enroll", Rule::SignedIn, enroll_form),
        Route::post("/learning/complete", Rule::SignedIn, complete_form),
        Route::post("/learning/switch", Rule::SignedIn, switch_form),
        Route::server_fn("/api/enrollments", Rule::SignedIn),
        // Anyone: a signed-out reader of a course page is simply not enrolled.
        Route::server_fn("/api/enrollment", Rule::Anyone),
        Route::server_fn("/api/lesson-status", Rule::Anyone),
    ]
}

/// The form state key of the course page's messages.
const FORM: &str = "learning";

/// `POST /learning/switch`: signed-in users, for their own enrollment.
async fn switch_form(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    fields: Fields,
) -> Result<Back> {
    let form = Submission::new(fields);
    let course = form.peek("course").to_owned();
    let back = || Back::to(FORM, format!("/courses/{course}"));
    if let Some(problem) = form.problem() {
        return Ok(back().error("form", problem));
    }
    let number = store::switch_revision(&state.pool, viewer.id, &course)
        .await
        .map_err(refusals_to(back()))?;
    Ok(back().notice(format!(
        "You are now on revision {number}. Lessons you completed that are still in the course stay complete."
    )))
}

/// `POST /learning/enroll`: signed-in users, for themselves.
async fn enroll_form(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    fields: Fields,
) -> Result<Back> {
    let form = Submission::new(fields);
    let course = form.peek("course").to_owned();
    if let Some(problem) = form.problem() {
        return Ok(Back::to(FORM, format!("/courses/{course}")).error("form", problem));
    }
    // Release and expiry are the activity's accreditation window: no enrolment outside it.
    if let Ok(detail) = state.catalog.course(&course).await {
        let today = crate::clock::today();
        let card = &detail.card;
        let refusal = if card.release_date > today {
            Some(format!(
                "This course opens for enrolment on {}; come back then.",
                card.release_date
            ))
        } else if !card.expiry_date.is_empty() && card.expiry_date < today {
            Some(format!(
                "This course expired on {}: it no longer offers credit, so it takes no new enrolments.",
                card.expiry_date
            ))
        } else {
            None
        };
        if let Some(message) = refusal {
            return Ok(Back::to(FORM, format!("/courses/{course}")).error("form", message));
        }
    }
    let mut conn = state.pool.acquire().await?;
    if !crate::accounts::confirmation::is_confirmed(&mut conn, viewer.id).await? {
        return Ok(Back::to(FORM, format!("/courses/{course}"))
            .error("form", crate::accounts::confirmation::UNCONFIRMED));
    }
    drop(conn);
    if store::enroll(&state.pool, viewer.id, &course).await? {
        Ok(Back::to(FORM, format!("/courses/{course}"))
            .notice("You are enrolled. Your progress is saved as you go."))
    } else {
        Ok(Back::to(FORM, "/courses").error(
            "form",
            "There is no published course to enroll in at that address.",
        ))
    }
}

/// `POST /learning/complete`: signed-in, enrolled users, for their own progress.
async fn complete_form(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    fields: Fields,
) -> Result<Back> {
    let form = Submission::new(fields);
    let course = form.peek("course").to_owned();
    let lesson = form.peek("lesson").to_owned();
    if let Some(problem) = form.problem() {
        return Ok(Back::to(FORM, format!("/courses/{course}")).error("form", problem));
    }
    match store::complete(&state.pool, viewer.id, &course, &lesson).await? {
        Completion::Done => Ok(Back::to(FORM, format!("/courses/{course}/{lesson}"))),
        Completion::NotOpened => Ok(Back::to(FORM, format!("/courses/{course}")).error(
            "form",
            "Read the lesson first: a lesson you have not opened cannot be marked complete. Open it from the list below.",
        )),
        Completion::NoSuchLesson => Ok(Back::to(FORM, format!("/courses/{course}")).error(
            "form",
            "This course has no such lesson in the revision you are enrolled in.",
        )),
        Completion::NotEnrolled => Ok(Back::to(FORM, format!("/courses/{course}")).error(
            "form",
            "Enroll in the course first; then you can mark its lessons complete.",
        )),
    }
}

/// A learner's standing on one lesson, as its page reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    /// The pinned revision's row id.
    pub revision: i64,
    pub opened: bool,
    pub completed: bool,
}

/// Standings read in the last moments, by (learner, course, lesson): a lesson page asks
/// twice (for its text and for its status), and a learner reading on asks again.
pub type Standings = crate::read_cache::ReadCache<(i64, String, String), Option<Standing>>;

/// The learner's standing on `lesson` of `course` (`None`: not enrolled), from the copy
/// read in the last moments or from the database.
pub async fn standing(
    state: &AppState,
    user: i64,
    course: &str,
    lesson: &str,
) -> crate::error::Result<Option<Standing>> {
    let read = || async {
        Ok::<_, crate::error::Error>(
            store::lesson_standing(&state.pool, user, course, lesson)
                .await?
                .map(|(revision, opened, completed)| Standing {
                    revision,
                    opened,
                    completed,
                }),
        )
    };
    // A made-up address of any length is read, never kept.
    if course.len() + lesson.len() > crate::read_cache::MAX_KEY_TEXT {
        return read().await;
    }
    let key = (user, course.to_owned(), lesson.to_owned());
    if let Some(found) = state.standings.get(&key) {
        return Ok(found);
    }
    let ticket = state.standings.ticket(&key);
    let found = read().await?;
    state.standings.put(key, found, ticket);
    Ok(found)
}

/// The reader's standing on a lesson; the first time an enrolled learner asks, the lesson is
/// recorded as opened.
pub async fn lesson_status(
    state: &AppState,
    user: i64,
    course: &str,
    lesson: &str,
) -> crate::error::Result<app::learning::LessonStatus> {
    use app::learning::LessonStatus;
    Ok(match standing(state, user, course, lesson).await? {
        None => LessonStatus {
            enrolled: false,
            completed: false,
        },
        Some(standing) if standing.opened => LessonStatus {
            enrolled: true,
            completed: standing.completed,
        },
        Some(_) => {
            let enrolled = store::record_opening(&state.pool, user, course, lesson).await?;
            state
                .standings
                .forget((user, course.to_owned(), lesson.to_owned()));
            LessonStatus {
                enrolled,
                completed: false,
            }
        }
    })
}
