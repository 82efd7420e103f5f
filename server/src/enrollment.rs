//! Enrollment and lesson progress: which revision a learner studies, when each lesson was
//! first opened and marked complete, and the forms that change them.

use crate::AppState;
use crate::auth::SignedIn;
use crate::auth::forms::form_key;
use app::model::{
    CourseDetail, Enrollment, FormState, LessonLink, LessonPage, LessonStatus, TocEntry,
};
use axum::Form;
use axum::extract::State;
use axum::extract::rejection::FormRejection;
use axum::response::{IntoResponse, Redirect, Response};
use sqlx::SqlitePool;
use std::collections::HashMap;
use tower_sessions::Session;

fn now() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// `(enrollment id, pinned revision id)` of a user's enrollment in a course.
pub async fn enrollment_of<'c, E>(
    db: E,
    user: i64,
    course: &str,
) -> Result<Option<(i64, i64)>, sqlx::Error>
where
    E: sqlx::Executor<'c, Database = sqlx::Sqlite>,
{
    sqlx::query_as(
        "SELECT e.id, e.revision_id FROM enrollments e JOIN courses c ON c.id = e.course_id \
         WHERE e.user_id = ? AND c.slug = ?",
    )
    .bind(user)
    .bind(course)
    .fetch_optional(db)
    .await
}

/// Enrolls on the newest published revision; enrolling twice changes nothing. `false` when
/// there is no such published course.
pub async fn enroll(pool: &SqlitePool, user: i64, course: &str) -> Result<bool, sqlx::Error> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let latest: Option<(i64, i64)> = sqlx::query_as(
        "SELECT c.id, r.id FROM courses c JOIN course_revisions r ON r.course_id = c.id \
         WHERE c.slug = ? AND c.retired_at IS NULL ORDER BY r.number DESC LIMIT 1",
    )
    .bind(course)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((course_id, revision_id)) = latest else {
        return Ok(false);
    };
    sqlx::query(
        "INSERT INTO enrollments (user_id, course_id, revision_id, enrolled_at) VALUES (?, ?, ?, ?) \
         ON CONFLICT (user_id, course_id) DO NOTHING",
    )
    .bind(user)
    .bind(course_id)
    .bind(revision_id)
    .bind(now())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(true)
}

async fn lessons_of<'c, E>(db: E, revision: i64) -> Result<Vec<LessonLink>, sqlx::Error>
where
    E: sqlx::Executor<'c, Database = sqlx::Sqlite>,
{
    let rows: Vec<(i64, String, String)> =
        sqlx::query_as("SELECT position, slug, title FROM lesson_revisions WHERE revision_id = ? ORDER BY position")
            .bind(revision)
            .fetch_all(db)
            .await?;
    Ok(rows
        .into_iter()
        .map(|(position, slug, title)| LessonLink {
            slug,
            title,
            position: u32::try_from(position).unwrap_or_default(),
        })
        .collect())
}

/// Every enrollment of a user (or only the one in `course`), newest first, with progress and
/// what is next.
pub async fn summaries(
    pool: &SqlitePool,
    user: i64,
    course: Option<&str>,
) -> Result<Vec<Enrollment>, sqlx::Error> {
    let rows: Vec<(i64, i64, String, i64, String, i64, String)> = sqlx::query_as(
        "SELECT e.id, e.revision_id, c.slug, r.number, r.rendered, \
         (SELECT MAX(number) FROM course_revisions WHERE course_id = c.id), e.enrolled_at \
         FROM enrollments e JOIN courses c ON c.id = e.course_id JOIN course_revisions r ON r.id = e.revision_id \
         WHERE e.user_id = ? AND (? IS NULL OR c.slug = ?) ORDER BY e.id DESC",
    )
    .bind(user)
    .bind(course)
    .bind(course)
    .fetch_all(pool)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for (enrollment, revision, slug, number, rendered, latest, enrolled_at) in rows {
        let title = serde_json::from_str::<CourseDetail>(&rendered)
            .map(|d| d.card.title)
            .unwrap_or_else(|_| slug.clone());
        let lessons = lessons_of(pool, revision).await?;
        let done: Vec<String> = sqlx::query_scalar(
            "SELECT lesson_slug FROM lesson_progress WHERE enrollment_id = ? AND completed_at IS NOT NULL",
        )
        .bind(enrollment)
        .fetch_all(pool)
        .await?;
        let completed = lessons.iter().filter(|l| done.contains(&l.slug)).count();
        let (has_pre, has_post): (bool, bool) = sqlx::query_as(
            "SELECT EXISTS (SELECT 1 FROM quiz_revisions WHERE revision_id = ?1 AND kind = 'pre'), \
             EXISTS (SELECT 1 FROM quiz_revisions WHERE revision_id = ?1 AND kind = 'post')",
        )
        .bind(revision)
        .fetch_one(pool)
        .await?;
        let (pre_score, post_score, post_passed, evaluated, claimed): (
            Option<i64>,
            Option<i64>,
            bool,
            bool,
            Option<String>,
        ) = sqlx::query_as(
            "SELECT (SELECT percent FROM quiz_attempts WHERE enrollment_id = ?1 AND kind = 'pre' AND number = 1), \
             (SELECT MAX(percent) FROM quiz_attempts WHERE enrollment_id = ?1 AND kind = 'post' AND number IS NOT NULL), \
             EXISTS (SELECT 1 FROM quiz_attempts WHERE enrollment_id = ?1 AND kind = 'post' AND passed = 1), \
             EXISTS (SELECT 1 FROM evaluations WHERE enrollment_id = ?1), \
             (SELECT MIN(claimed_at) FROM credit_claims WHERE enrollment_id = ?1)",
        )
        .bind(enrollment)
        .fetch_one(pool)
        .await?;
        out.push(Enrollment {
            course_slug: slug,
            course_title: title,
            revision: number,
            latest_revision: latest,
            lessons_total: u32::try_from(lessons.len()).unwrap_or_default(),
            lessons_completed: u32::try_from(completed).unwrap_or_default(),
            next_lesson: lessons.into_iter().find(|l| !done.contains(&l.slug)),
            enrolled_on: enrolled_at.chars().take(10).collect(),
            has_pre_test: has_pre,
            has_post_test: has_post,
            pre_score: pre_score.and_then(|p| u8::try_from(p).ok()),
            post_score: post_score.and_then(|p| u8::try_from(p).ok()),
            post_passed,
            evaluated,
            claimed_on: claimed.map(|c| c.chars().take(10).collect()),
        });
    }
    Ok(out)
}

/// The reader's standing on a lesson; the first time an enrolled learner asks, the lesson is
/// recorded as opened (in a `BEGIN IMMEDIATE` transaction that checks again).
pub async fn lesson_status(
    pool: &SqlitePool,
    user: i64,
    course: &str,
    lesson: &str,
) -> Result<LessonStatus, sqlx::Error> {
    let not_enrolled = LessonStatus {
        enrolled: false,
        completed: false,
    };
    let Some((enrollment, _)) = enrollment_of(pool, user, course).await? else {
        return Ok(not_enrolled);
    };
    let seen: Option<Option<String>> = sqlx::query_scalar(
        "SELECT completed_at FROM lesson_progress WHERE enrollment_id = ? AND lesson_slug = ?",
    )
    .bind(enrollment)
    .bind(lesson)
    .fetch_optional(pool)
    .await?;
    if let Some(completed) = seen {
        return Ok(LessonStatus {
            enrolled: true,
            completed: completed.is_some(),
        });
    }
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let Some((enrollment, revision)) = enrollment_of(&mut *tx, user, course).await? else {
        return Ok(not_enrolled);
    };
    if lessons_of(&mut *tx, revision)
        .await?
        .iter()
        .any(|l| l.slug == lesson)
    {
        sqlx::query(
            "INSERT INTO lesson_progress (enrollment_id, lesson_slug, first_opened_at) VALUES (?, ?, ?) \
             ON CONFLICT (enrollment_id, lesson_slug) DO NOTHING",
        )
        .bind(enrollment)
        .bind(lesson)
        .bind(now())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
    }
    Ok(LessonStatus {
        enrolled: true,
        completed: false,
    })
}

/// Marks a lesson of the pinned revision complete (the first completion time is kept).
/// `false` when the user is not enrolled or the lesson is not in their revision.
pub async fn complete(
    pool: &SqlitePool,
    user: i64,
    course: &str,
    lesson: &str,
) -> Result<bool, sqlx::Error> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let Some((enrollment, revision)) = enrollment_of(&mut *tx, user, course).await? else {
        return Ok(false);
    };
    if !lessons_of(&mut *tx, revision)
        .await?
        .iter()
        .any(|l| l.slug == lesson)
    {
        return Ok(false);
    }
    let now = now();
    sqlx::query(
        "INSERT INTO lesson_progress (enrollment_id, lesson_slug, first_opened_at, completed_at) VALUES (?, ?, ?, ?) \
         ON CONFLICT (enrollment_id, lesson_slug) DO UPDATE SET completed_at = COALESCE(lesson_progress.completed_at, excluded.completed_at)",
    )
    .bind(enrollment)
    .bind(lesson)
    .bind(&now)
    .bind(&now)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// A lesson page built from a pinned (older) revision.
pub async fn pinned_lesson(
    pool: &SqlitePool,
    revision: i64,
    course: &str,
    lesson: &str,
) -> Result<Option<LessonPage>, sqlx::Error> {
    let rendered: Option<String> =
        sqlx::query_scalar("SELECT rendered FROM course_revisions WHERE id = ?")
            .bind(revision)
            .fetch_optional(pool)
            .await?;
    let Some(title) = rendered
        .and_then(|r| serde_json::from_str::<CourseDetail>(&r).ok())
        .map(|d| d.card.title)
    else {
        return Ok(None);
    };
    let lessons = lessons_of(pool, revision).await?;
    let Some(index) = lessons.iter().position(|l| l.slug == lesson) else {
        return Ok(None);
    };
    let (html, toc): (String, String) =
        sqlx::query_as("SELECT html, toc FROM lesson_revisions WHERE revision_id = ? AND slug = ?")
            .bind(revision)
            .bind(lesson)
            .fetch_one(pool)
            .await?;
    Ok(Some(LessonPage {
        course_slug: course.to_owned(),
        course_title: title,
        lesson: lessons[index].clone(),
        lesson_count: u32::try_from(lessons.len()).unwrap_or_default(),
        html,
        toc: serde_json::from_str::<Vec<TocEntry>>(&toc).unwrap_or_default(),
        previous: index.checked_sub(1).map(|i| lessons[i].clone()),
        next: lessons.get(index + 1).cloned(),
    }))
}

async fn say(session: &Session, message: Result<String, String>) {
    let mut state = FormState::default();
    match message {
        Ok(notice) => state.notice = Some(notice),
        Err(error) => state.errors.push(("form".into(), error)),
    }
    if let Err(error) = session.insert(&form_key("learning"), state).await {
        tracing::error!(%error, "could not keep form state");
    }
}

fn field(form: &Result<Form<HashMap<String, String>>, FormRejection>, name: &str) -> String {
    form.as_ref()
        .ok()
        .and_then(|Form(f)| f.get(name).cloned())
        .unwrap_or_default()
}

fn failed(error: &sqlx::Error) -> Response {
    tracing::error!(%error, "enrollment change failed");
    (
        axum::http::StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong on our side. Please try again.",
    )
        .into_response()
}

/// Moves an enrollment to the newest published revision, at the learner's request. Refused
/// (with the reason) once the post-test is passed or credit is claimed: the record then
/// stays with the revision it was earned on. Completed lessons that still exist carry over.
pub async fn switch_revision(
    pool: &SqlitePool,
    user: i64,
    course: &str,
) -> Result<Result<i64, String>, sqlx::Error> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let row: Option<(i64, i64, i64, i64)> = sqlx::query_as(
        "SELECT e.id, r.number, latest.id, latest.number FROM enrollments e \
         JOIN course_revisions r ON r.id = e.revision_id \
         JOIN course_revisions latest ON latest.course_id = e.course_id \
         JOIN courses c ON c.id = e.course_id \
         WHERE e.user_id = ? AND c.slug = ? ORDER BY latest.number DESC LIMIT 1",
    )
    .bind(user)
    .bind(course)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((enrollment, current, latest_id, latest)) = row else {
        return Ok(Err("You are not enrolled in this course.".into()));
    };
    if latest <= current {
        return Ok(Err(format!(
            "You are already on the newest revision ({current})."
        )));
    }
    let (passed, claimed): (bool, bool) = sqlx::query_as(
        "SELECT EXISTS (SELECT 1 FROM quiz_attempts WHERE enrollment_id = ?1 AND kind = 'post' AND passed = 1), \
         EXISTS (SELECT 1 FROM credit_claims WHERE enrollment_id = ?1)",
    )
    .bind(enrollment)
    .fetch_one(&mut *tx)
    .await?;
    if passed || claimed {
        return Ok(Err(format!(
            "You passed the post-test on revision {current}, so you finish the course on it."
        )));
    }
    sqlx::query("UPDATE enrollments SET revision_id = ? WHERE id = ?")
        .bind(latest_id)
        .bind(enrollment)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(Ok(latest))
}

/// `POST /learning/switch`: signed-in users, for their own enrollment.
pub async fn switch_form(
    State(state): State<AppState>,
    session: Session,
    SignedIn(viewer): SignedIn,
    form: Result<Form<HashMap<String, String>>, FormRejection>,
) -> Response {
    let course = field(&form, "course");
    match switch_revision(&state.pool, viewer.id, &course).await {
        Ok(outcome) => {
            say(
                &session,
                outcome.map(|number| {
                    format!("You are now on revision {number}. Lessons you completed that are still in the course stay complete.")
                }),
            )
            .await;
            Redirect::to(&format!("/courses/{course}")).into_response()
        }
        Err(error) => failed(&error),
    }
}

/// `POST /learning/enroll`: signed-in users, for themselves.
pub async fn enroll_form(
    State(state): State<AppState>,
    session: Session,
    SignedIn(viewer): SignedIn,
    form: Result<Form<HashMap<String, String>>, FormRejection>,
) -> Response {
    let course = field(&form, "course");
    match enroll(&state.pool, viewer.id, &course).await {
        Ok(true) => {
            say(
                &session,
                Ok("You are enrolled. Your progress is saved as you go.".into()),
            )
            .await;
            Redirect::to(&format!("/courses/{course}")).into_response()
        }
        Ok(false) => {
            say(
                &session,
                Err("There is no published course to enroll in at that address.".into()),
            )
            .await;
            Redirect::to("/courses").into_response()
        }
        Err(error) => failed(&error),
    }
}

/// `POST /learning/complete`: signed-in, enrolled users, for their own progress.
pub async fn complete_form(
    State(state): State<AppState>,
    session: Session,
    SignedIn(viewer): SignedIn,
    form: Result<Form<HashMap<String, String>>, FormRejection>,
) -> Response {
    let course = field(&form, "course");
    let lesson = field(&form, "lesson");
    match complete(&state.pool, viewer.id, &course, &lesson).await {
        Ok(true) => Redirect::to(&format!("/courses/{course}/{lesson}")).into_response(),
        Ok(false) => {
            say(
                &session,
                Err("Enroll in the course first; then you can mark its lessons complete.".into()),
            )
            .await;
            Redirect::to(&format!("/courses/{course}")).into_response()
        }
        Err(error) => failed(&error),
    }
}
