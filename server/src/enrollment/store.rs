//! Enrollment and lesson progress in the database: which revision a learner studies, when
//! each lesson was first opened and marked complete, and moving to a newer revision.

use crate::clock::now;
use crate::db::{self, Pool};
use crate::error::Error;
use app::catalog::{CourseDetail, LessonLink, LessonPage, TocEntry};
use app::learning::Enrollment;

/// `(enrollment id, pinned revision id)` of a user's enrollment in a course.
pub async fn enrollment_of<'c, E>(
    db: E,
    user: i64,
    course: &str,
) -> Result<Option<(i64, i64)>, crate::error::Error>
where
    E: sqlx::Executor<'c, Database = crate::db::Db>,
{
    sqlx::query_as(
        "SELECT e.id, e.revision_id FROM enrollments e JOIN courses c ON c.id = e.course_id \
         WHERE e.user_id = $1 AND c.slug = $2",
    )
    .bind(user)
    .bind(course)
    .fetch_optional(db)
    .await
    .map_err(Into::into)
}

/// Enrolls on the newest published revision; enrolling twice changes nothing. `false` when
/// there is no such published course.
pub async fn enroll(
    pool: &crate::db::Pool,
    user: i64,
    course: &str,
) -> Result<bool, crate::error::Error> {
    let mut tx = db::write_tx(pool).await?;
    // Serialises on the learner: their enrollments, progress, attempts and claims change one at a time.
    crate::db::lock(&mut tx, crate::db::On::Row(crate::db::Table::Users, user)).await?;
    let latest: Option<(i64, i64)> = sqlx::query_as(
        "SELECT c.id, r.id FROM courses c JOIN course_revisions r ON r.course_id = c.id \
         WHERE c.slug = $1 AND c.retired_at IS NULL ORDER BY r.number DESC LIMIT 1",
    )
    .bind(course)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((course_id, revision_id)) = latest else {
        return Ok(false);
    };
    sqlx::query(
        "INSERT INTO enrollments (user_id, course_id, revision_id, enrolled_at) VALUES ($1, $2, $3, $4) \
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

async fn lessons_of<'c, E>(db: E, revision: i64) -> Result<Vec<LessonLink>, crate::error::Error>
where
    E: sqlx::Executor<'c, Database = crate::db::Db>,
{
    let rows: Vec<(i64, String, String)> =
        sqlx::query_as("SELECT position, slug, title FROM lesson_revisions WHERE revision_id = $1 ORDER BY position")
            .bind(revision)
            .fetch_all(db)
            .await?;
    rows.into_iter()
        .map(|(position, slug, title)| {
            Ok(LessonLink {
                slug,
                title,
                position: crate::db::decode(position, "lesson position")?,
            })
        })
        .collect()
}

/// Every enrollment of a user (or only the one in `course`), newest first, with progress and
/// what is next.
pub async fn summaries(
    pool: &crate::db::Pool,
    user: i64,
    course: Option<&str>,
) -> Result<Vec<Enrollment>, crate::error::Error> {
    let rows: Vec<(i64, i64, String, i64, String, i64, String)> = sqlx::query_as(
        "SELECT e.id, e.revision_id, c.slug, r.number, r.rendered, \
         (SELECT MAX(number) FROM course_revisions WHERE course_id = c.id), e.enrolled_at \
         FROM enrollments e JOIN courses c ON c.id = e.course_id JOIN course_revisions r ON r.id = e.revision_id \
         WHERE e.user_id = $1 AND (CAST($2 AS TEXT) IS NULL OR c.slug = $2) ORDER BY e.id DESC",
    )
    .bind(user)
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
            "SELECT lesson_slug FROM lesson_progress WHERE enrollment_id = $1 AND completed_at IS NOT NULL",
        )
        .bind(enrollment)
        .fetch_all(pool)
        .await?;
        let completed = lessons.iter().filter(|l| done.contains(&l.slug)).count();
        let (db::Flag(has_pre), db::Flag(has_post)): (db::Flag, db::Flag) = sqlx::query_as(
            "SELECT EXISTS (SELECT 1 FROM quiz_revisions WHERE revision_id = $1 AND kind = 'pre'), \
             EXISTS (SELECT 1 FROM quiz_revisions WHERE revision_id = $1 AND kind = 'post')",
        )
        .bind(revision)
        .fetch_one(pool)
        .await?;
        let (pre_score, post_score, db::Flag(post_passed), db::Flag(evaluated), claimed): (
            Option<i64>,
            Option<i64>,
            db::Flag,
            db::Flag,
            Option<String>,
        ) = sqlx::query_as(
            "SELECT (SELECT percent FROM quiz_attempts WHERE enrollment_id = $1 AND kind = 'pre' AND number = 1), \
             (SELECT MAX(percent) FROM quiz_attempts WHERE enrollment_id = $1 AND kind = 'post' AND number IS NOT NULL), \
             EXISTS (SELECT 1 FROM quiz_attempts WHERE enrollment_id = $1 AND kind = 'post' AND passed = TRUE), \
             EXISTS (SELECT 1 FROM evaluations WHERE enrollment_id = $1), \
             (SELECT MIN(claimed_at) FROM credit_claims WHERE enrollment_id = $1)",
        )
        .bind(enrollment)
        .fetch_one(pool)
        .await?;
        let lessons_done = completed >= lessons.len();
        let missing = super::completion::missing_for_completion(
            lessons_done,
            has_post,
            post_passed,
            evaluated,
        );
        out.push(Enrollment {
            lessons_done,
            complete: missing.is_empty(),
            evaluation_open: missing == [super::completion::Requirement::Evaluation],
            course_slug: slug,
            course_title: title,
            revision: number,
            latest_revision: latest,
            lessons_total: crate::db::count(lessons.len()),
            lessons_completed: crate::db::count(completed),
            next_lesson: lessons.into_iter().find(|l| !done.contains(&l.slug)),
            enrolled_on: enrolled_at.chars().take(10).collect(),
            has_pre_test: has_pre,
            has_post_test: has_post,
            pre_score: pre_score
                .map(|p| db::decode(p, "pre-test score"))
                .transpose()?,
            post_score: post_score
                .map(|p| db::decode(p, "post-test score"))
                .transpose()?,
            post_passed,
            evaluated,
            claimed_on: claimed.map(|c| c.chars().take(10).collect()),
        });
    }
    Ok(out)
}

/// A learner's enrollment in `course` and their progress on `lesson`, in one read: the
/// pinned revision's row id, and whether the lesson was opened and completed. `None` when
/// not enrolled.
pub async fn lesson_standing(
    pool: &crate::db::Pool,
    user: i64,
    course: &str,
    lesson: &str,
) -> Result<Option<(i64, bool, bool)>, crate::error::Error> {
    let row: Option<(i64, Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT e.revision_id, p.lesson_slug, p.completed_at FROM enrollments e \
         JOIN courses c ON c.id = e.course_id \
         LEFT JOIN lesson_progress p ON p.enrollment_id = e.id AND p.lesson_slug = $3 \
         WHERE e.user_id = $1 AND c.slug = $2",
    )
    .bind(user)
    .bind(course)
    .bind(lesson)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|(revision, opened, completed)| (revision, opened.is_some(), completed.is_some())))
}

/// Records the first opening of a lesson of the learner's pinned revision (in a write
/// transaction that checks the enrollment again). `false` when not enrolled.
pub async fn record_opening(
    pool: &crate::db::Pool,
    user: i64,
    course: &str,
    lesson: &str,
) -> Result<bool, crate::error::Error> {
    let mut tx = db::write_tx(pool).await?;
    // Serialises on the learner.
    crate::db::lock(&mut tx, crate::db::On::Row(crate::db::Table::Users, user)).await?;
    let Some((enrollment, revision)) = enrollment_of(&mut *tx, user, course).await? else {
        return Ok(false);
    };
    if lessons_of(&mut *tx, revision)
        .await?
        .iter()
        .any(|l| l.slug == lesson)
    {
        sqlx::query(
            "INSERT INTO lesson_progress (enrollment_id, lesson_slug, first_opened_at) VALUES ($1, $2, $3) \
             ON CONFLICT (enrollment_id, lesson_slug) DO NOTHING",
        )
        .bind(enrollment)
        .bind(lesson)
        .bind(now())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
    }
    Ok(true)
}

/// What marking a lesson complete did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Completion {
    /// Recorded (or already recorded: marking twice changes nothing).
    Done,
    NotEnrolled,
    NoSuchLesson,
    /// The lesson was never opened: it cannot be complete.
    NotOpened,
}

/// Marks a lesson of the learner's pinned revision complete, once it has been opened (the
/// opening is recorded when the enrolled learner views the lesson page). One conditional
/// update in a write transaction: serialises on the lesson's progress row.
pub async fn complete(
    pool: &crate::db::Pool,
    user: i64,
    course: &str,
    lesson: &str,
) -> Result<Completion, crate::error::Error> {
    let mut tx = db::write_tx(pool).await?;
    // Serialises on the learner.
    crate::db::lock(&mut tx, crate::db::On::Row(crate::db::Table::Users, user)).await?;
    let Some((enrollment, revision)) = enrollment_of(&mut *tx, user, course).await? else {
        return Ok(Completion::NotEnrolled);
    };
    if !lessons_of(&mut *tx, revision)
        .await?
        .iter()
        .any(|l| l.slug == lesson)
    {
        return Ok(Completion::NoSuchLesson);
    }
    let done = sqlx::query(
        "UPDATE lesson_progress SET completed_at = COALESCE(completed_at, $3) \
         WHERE enrollment_id = $1 AND lesson_slug = $2",
    )
    .bind(enrollment)
    .bind(lesson)
    .bind(now())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(if done.rows_affected() == 1 {
        Completion::Done
    } else {
        Completion::NotOpened
    })
}

/// A lesson page built from a pinned (older) revision.
pub async fn pinned_lesson(
    pool: &crate::db::Pool,
    revision: i64,
    course: &str,
    lesson: &str,
) -> Result<Option<LessonPage>, crate::error::Error> {
    let rendered: Option<String> =
        sqlx::query_scalar("SELECT rendered FROM course_revisions WHERE id = $1")
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
    let (html, toc): (String, String) = sqlx::query_as(
        "SELECT html, toc FROM lesson_revisions WHERE revision_id = $1 AND slug = $2",
    )
    .bind(revision)
    .bind(lesson)
    .fetch_one(pool)
    .await?;
    Ok(Some(LessonPage {
        course_slug: course.to_owned(),
        course_title: title,
        lesson: lessons[index].clone(),
        lesson_count: crate::db::count(lessons.len()),
        html,
        toc: serde_json::from_str::<Vec<TocEntry>>(&toc)?,
        previous: index.checked_sub(1).map(|i| lessons[i].clone()),
        next: lessons.get(index + 1).cloned(),
    }))
}

/// Moves an enrollment to the newest published revision, at the learner's request. Refused
/// (with the reason) once the post-test is passed or credit is claimed: the record then
/// stays with the revision it was earned on. Completed lessons that still exist carry over.
pub async fn switch_revision(pool: &Pool, user: i64, course: &str) -> Result<i64, Error> {
    let mut tx = db::write_tx(pool).await?;
    // Serialises on the learner.
    crate::db::lock(&mut tx, crate::db::On::Row(crate::db::Table::Users, user)).await?;
    let row: Option<(i64, i64, i64, i64)> = sqlx::query_as(
        "SELECT e.id, r.number, latest.id, latest.number FROM enrollments e \
         JOIN course_revisions r ON r.id = e.revision_id \
         JOIN course_revisions latest ON latest.course_id = e.course_id \
         JOIN courses c ON c.id = e.course_id \
         WHERE e.user_id = $1 AND c.slug = $2 ORDER BY latest.number DESC LIMIT 1",
    )
    .bind(user)
    .bind(course)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((enrollment, current, latest_id, latest)) = row else {
        return Err(Error::conflict("You are not enrolled in this course."));
    };
    if latest <= current {
        return Err(Error::conflict(format!(
            "You are already on the newest revision ({current})."
        )));
    }
    let (db::Flag(passed), db::Flag(claimed)): (db::Flag, db::Flag) = sqlx::query_as(
        "SELECT EXISTS (SELECT 1 FROM quiz_attempts WHERE enrollment_id = $1 AND kind = 'post' AND passed = TRUE), \
         EXISTS (SELECT 1 FROM credit_claims WHERE enrollment_id = $1)",
    )
    .bind(enrollment)
    .fetch_one(&mut *tx)
    .await?;
    if passed || claimed {
        return Err(Error::conflict(format!(
            "You passed the post-test on revision {current}, so you finish the course on it."
        )));
    }
    sqlx::query("UPDATE enrollments SET revision_id = $1 WHERE id = $2")
        .bind(latest_id)
        .bind(enrollment)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(latest)
}

/// A learner's enrollment in a course, as the quiz and credit pages need it.
pub(crate) struct Enrolled {
    pub id: i64,
    pub revision: i64,
    pub detail: CourseDetail,
}

pub(crate) async fn enrolled(
    conn: &mut crate::db::Connection,
    user: i64,
    course: &str,
) -> Result<Option<Enrolled>, Error> {
    let row: Option<(i64, i64, String)> = sqlx::query_as(
        "SELECT e.id, e.revision_id, r.rendered FROM enrollments e \
         JOIN courses c ON c.id = e.course_id JOIN course_revisions r ON r.id = e.revision_id \
         WHERE e.user_id = $1 AND c.slug = $2",
    )
    .bind(user)
    .bind(course)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|(id, revision, rendered)| {
        Ok(Enrolled {
            id,
            revision,
            detail: serde_json::from_str(&rendered)?,
        })
    })
    .transpose()
}

/// The lessons of an enrollment marked complete, with when: `(slug, completed_at)`.
pub async fn completed_lessons(
    conn: &mut crate::db::Connection,
    enrollment: i64,
) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT lesson_slug, completed_at FROM lesson_progress WHERE enrollment_id = $1 AND completed_at IS NOT NULL",
    )
    .bind(enrollment)
    .fetch_all(&mut *conn)
    .await
}

/// Whether a course revision has a post-test.
pub async fn has_post_test(
    conn: &mut crate::db::Connection,
    revision: i64,
) -> Result<bool, sqlx::Error> {
    let crate::db::Flag(has) = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM quiz_revisions WHERE revision_id = $1 AND kind = 'post')",
    )
    .bind(revision)
    .fetch_one(&mut *conn)
    .await?;
    Ok(has)
}

/// When the enrollment's post-test was first passed, if it was.
pub async fn post_test_passed_at(
    conn: &mut crate::db::Connection,
    enrollment: i64,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT MIN(submitted_at) FROM quiz_attempts WHERE enrollment_id = $1 AND kind = 'post' AND passed = TRUE",
    )
    .bind(enrollment)
    .fetch_one(&mut *conn)
    .await
}

/// When the enrollment's evaluation was submitted, if it was.
pub async fn evaluated_at(
    conn: &mut crate::db::Connection,
    enrollment: i64,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT submitted_at FROM evaluations WHERE enrollment_id = $1")
        .bind(enrollment)
        .fetch_optional(&mut *conn)
        .await
}

/// When the learner first opened a lesson of the enrollment.
pub async fn first_opened_at(
    conn: &mut crate::db::Connection,
    enrollment: i64,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT MIN(first_opened_at) FROM lesson_progress WHERE enrollment_id = $1")
        .bind(enrollment)
        .fetch_one(&mut *conn)
        .await
}
