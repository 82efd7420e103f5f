//! Quiz attempts in the database, one store for every kind of activity: what owns an attempt
//! is an [`Owner`] (a course enrollment and the quiz's kind; a webinar registration), and the
//! same statements serve each (their table and owner columns are the owner's, never input).
//! Also the quizzes stored with a revision. SQL only.

use crate::content::quiz::{Quiz, QuizKind};
use crate::db::{self, Connection};
use crate::error::Error;

/// What an attempt belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    /// A learner's enrollment in a course, for its pre-test or post-test.
    Enrollment { id: i64, kind: QuizKind },
    /// A learner's registration for a webinar, for the webinar's post-test.
    Registration(i64),
}

impl Owner {
    fn table(self) -> &'static str {
        match self {
            Self::Enrollment { .. } => "quiz_attempts",
            Self::Registration(_) => "webinar_quiz_attempts",
        }
    }

    /// The condition naming this owner's attempts, with `$1` (and `$2`) bound by [`Self::bind`].
    fn condition(self) -> &'static str {
        match self {
            Self::Enrollment { .. } => "enrollment_id = $1 AND kind = $2",
            Self::Registration(_) => "registration_id = $1",
        }
    }

    /// How many placeholders [`Self::condition`] uses.
    fn placeholders(self) -> usize {
        match self {
            Self::Enrollment { .. } => 2,
            Self::Registration(_) => 1,
        }
    }

    fn bind<'q>(
        self,
        query: sqlx::query::Query<'q, db::Db, sqlx::any::AnyArguments<'q>>,
    ) -> sqlx::query::Query<'q, db::Db, sqlx::any::AnyArguments<'q>> {
        match self {
            Self::Enrollment { id, kind } => query.bind(id).bind(kind.as_str()),
            Self::Registration(id) => query.bind(id),
        }
    }

    fn bind_as<'q, O>(
        self,
        query: sqlx::query::QueryAs<'q, db::Db, O, sqlx::any::AnyArguments<'q>>,
    ) -> sqlx::query::QueryAs<'q, db::Db, O, sqlx::any::AnyArguments<'q>> {
        match self {
            Self::Enrollment { id, kind } => query.bind(id).bind(kind.as_str()),
            Self::Registration(id) => query.bind(id),
        }
    }

    fn bind_scalar<'q, O>(
        self,
        query: sqlx::query::QueryScalar<'q, db::Db, O, sqlx::any::AnyArguments<'q>>,
    ) -> sqlx::query::QueryScalar<'q, db::Db, O, sqlx::any::AnyArguments<'q>> {
        match self {
            Self::Enrollment { id, kind } => query.bind(id).bind(kind.as_str()),
            Self::Registration(id) => query.bind(id),
        }
    }
}

/// `$n` for the placeholder after the owner's.
fn next(owner: Owner, n: usize) -> String {
    format!("${}", owner.placeholders() + n)
}

/// The quiz of `kind` stored with a course revision, if it has one.
pub async fn course_quiz(
    conn: &mut Connection,
    revision: i64,
    kind: QuizKind,
) -> Result<Option<Quiz>, Error> {
    let definition: Option<String> = sqlx::query_scalar(
        "SELECT definition FROM quiz_revisions WHERE revision_id = $1 AND kind = $2",
    )
    .bind(revision)
    .bind(kind.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    Ok(definition.map(|d| serde_json::from_str(&d)).transpose()?)
}

/// The post-test stored with a webinar revision, if it has one.
pub async fn webinar_quiz(conn: &mut Connection, revision: i64) -> Result<Option<Quiz>, Error> {
    let definition: Option<String> =
        sqlx::query_scalar("SELECT definition FROM webinar_quizzes WHERE revision_id = $1")
            .bind(revision)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(definition.map(|d| serde_json::from_str(&d)).transpose()?)
}

/// The owner's submitted attempts, first first: `(number, percent, passed, submitted at)`.
pub async fn submitted(
    conn: &mut Connection,
    owner: Owner,
) -> Result<Vec<(i64, i64, db::Flag, String)>, sqlx::Error> {
    let sql = format!(
        "SELECT number, percent, passed, submitted_at FROM {} WHERE {} AND number IS NOT NULL ORDER BY number",
        owner.table(),
        owner.condition()
    );
    owner
        .bind_as(sqlx::query_as(&sql))
        .fetch_all(&mut *conn)
        .await
}

/// The token of the owner's attempt open on `revision`, if there is one.
pub async fn open_token(
    conn: &mut Connection,
    owner: Owner,
    revision: i64,
) -> Result<Option<String>, sqlx::Error> {
    let sql = format!(
        "SELECT token FROM {} WHERE {} AND revision_id = {} AND number IS NULL ORDER BY id DESC LIMIT 1",
        owner.table(),
        owner.condition(),
        next(owner, 1)
    );
    owner
        .bind_scalar(sqlx::query_scalar(&sql))
        .bind(revision)
        .fetch_optional(&mut *conn)
        .await
}

/// Starts an attempt of the owner's on `revision`, its form carrying `token`.
pub async fn start(
    conn: &mut Connection,
    owner: Owner,
    revision: i64,
    token: &str,
) -> Result<(), sqlx::Error> {
    let sql = match owner {
        Owner::Enrollment { .. } => {
            "INSERT INTO quiz_attempts (enrollment_id, kind, revision_id, token, started_at) VALUES ($1, $2, $3, $4, $5)"
        }
        Owner::Registration(_) => {
            "INSERT INTO webinar_quiz_attempts (registration_id, revision_id, token, started_at) VALUES ($1, $2, $3, $4)"
        }
    };
    owner
        .bind(sqlx::query(sql))
        .bind(revision)
        .bind(token)
        .bind(crate::clock::now())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// A submitted attempt as graded, to be recorded.
pub struct Graded<'a> {
    pub number: u32,
    /// JSON `[[question id, option id], …]`.
    pub answers: &'a str,
    pub grade: &'a crate::quizzes::grading::Grade,
}

/// Records the open attempt `attempt` of `owner`'s table as submitted.
pub async fn record(
    conn: &mut Connection,
    owner: Owner,
    attempt: i64,
    graded: &Graded<'_>,
) -> Result<(), sqlx::Error> {
    let sql = format!(
        "UPDATE {} SET number = $1, submitted_at = $2, answers = $3, correct = $4, total = $5, \
         percent = $6, passed = $7 WHERE id = $8 AND number IS NULL",
        owner.table()
    );
    sqlx::query(&sql)
        .bind(i64::from(graded.number))
        .bind(crate::clock::now())
        .bind(graded.answers)
        .bind(i64::from(graded.grade.correct))
        .bind(i64::from(graded.grade.total))
        .bind(i64::from(graded.grade.percent))
        .bind(graded.grade.passed)
        .bind(attempt)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// A submitted attempt: `(revision, answers, correct, total, percent, passed, submitted at)`.
pub type SubmittedRow = (i64, String, i64, i64, i64, db::Flag, String);

/// The owner's submitted attempt number `number`.
pub async fn submitted_attempt(
    conn: &mut Connection,
    owner: Owner,
    number: u32,
) -> Result<Option<SubmittedRow>, sqlx::Error> {
    let sql = format!(
        "SELECT revision_id, answers, correct, total, percent, passed, submitted_at FROM {} \
         WHERE {} AND number = {}",
        owner.table(),
        owner.condition(),
        next(owner, 1)
    );
    owner
        .bind_as(sqlx::query_as(&sql))
        .bind(i64::from(number))
        .fetch_optional(&mut *conn)
        .await
}

/// A course attempt found by its form's token: `(attempt, enrollment, revision, kind,
/// number, course slug, owner)`.
pub type CourseAttemptRow = (i64, i64, i64, String, Option<i64>, String, i64);

pub async fn course_attempt_by_token(
    conn: &mut Connection,
    token: &str,
) -> Result<Option<CourseAttemptRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT a.id, a.enrollment_id, a.revision_id, a.kind, a.number, c.slug, e.user_id \
         FROM quiz_attempts a JOIN enrollments e ON e.id = a.enrollment_id \
         JOIN courses c ON c.id = e.course_id WHERE a.token = $1",
    )
    .bind(token)
    .fetch_optional(&mut *conn)
    .await
}

/// A webinar attempt found by its form's token: `(attempt, registration, revision, number,
/// webinar, webinar slug, owner)`.
pub type WebinarAttemptRow = (i64, i64, i64, Option<i64>, i64, String, i64);

pub async fn webinar_attempt_by_token(
    conn: &mut Connection,
    token: &str,
) -> Result<Option<WebinarAttemptRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT a.id, a.registration_id, a.revision_id, a.number, r.webinar_id, w.slug, r.user_id \
         FROM webinar_quiz_attempts a JOIN webinar_registrations r ON r.id = a.registration_id \
         JOIN webinars w ON w.id = r.webinar_id WHERE a.token = $1",
    )
    .bind(token)
    .fetch_optional(&mut *conn)
    .await
}

/// Whether the learner passed the webinar's post-test (on any revision of it).
pub async fn passed_webinar_quiz(
    conn: &mut Connection,
    webinar: i64,
    user: i64,
) -> Result<bool, sqlx::Error> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT a.id FROM webinar_quiz_attempts a JOIN webinar_registrations r ON r.id = a.registration_id \
         WHERE r.webinar_id = $1 AND r.user_id = $2 AND a.passed = $3 \
           AND a.revision_id = COALESCE(r.revision_id, a.revision_id) LIMIT 1",
    )
    .bind(webinar)
    .bind(user)
    .bind(true)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(found.is_some())
}

/// Lessons of an enrollment marked complete (their slugs).
pub async fn completed_lesson_slugs(
    conn: &mut Connection,
    enrollment: i64,
) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT lesson_slug FROM lesson_progress WHERE enrollment_id = $1 AND completed_at IS NOT NULL",
    )
    .bind(enrollment)
    .fetch_all(&mut *conn)
    .await
}
