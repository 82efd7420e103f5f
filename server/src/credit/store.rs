//! Credit in the database: course claims and their certificates, course evaluations, the
//! learner's profession as claims read it, and the certificates the earned-once rule looks
//! for. SQL only; the flows are `claim`, `evaluation` and `course`.

use crate::clock::now;
use crate::error::Error;
use app::accounts::Profession;
use app::catalog::{CreditType, Hours};
use app::learning::ClaimRecord;

/// The claims of an enrollment, first made first.
pub(super) async fn claims(
    conn: &mut crate::db::Connection,
    enrollment: i64,
) -> Result<Vec<ClaimRecord>, Error> {
    let rows: Vec<(String, i64, String, String, i64, Option<String>)> = sqlx::query_as(
        "SELECT k.credit_type, k.quarters, k.completed_on, k.claimed_at, r.number, \
         (SELECT code FROM certificates WHERE claim_id = k.id) \
         FROM credit_claims k JOIN course_revisions r ON r.id = k.revision_id \
         WHERE k.enrollment_id = $1 ORDER BY k.id",
    )
    .bind(enrollment)
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter()
        .map(
            |(kind, quarters, completed_on, claimed_at, revision, certificate)| {
                Ok(ClaimRecord {
                    kind: CreditType::from_slug(&kind)
                        .ok_or_else(|| Error::corrupt("credit type", &kind))?,
                    hours: Hours::from_quarters(crate::db::decode(quarters, "claimed hours")?),
                    completed_on,
                    claimed_on: claimed_at.chars().take(10).collect(),
                    revision,
                    certificate,
                })
            },
        )
        .collect()
}

pub async fn profession(conn: &mut crate::db::Connection, user: i64) -> Result<Profession, Error> {
    let slug: String = sqlx::query_scalar("SELECT profession FROM users WHERE id = $1")
        .bind(user)
        .fetch_one(&mut *conn)
        .await?;
    Profession::from_slug(&slug).ok_or_else(|| Error::corrupt("profession", slug))
}

/// Keeps a course evaluation's answers.
pub async fn insert_course_evaluation(
    conn: &mut crate::db::Connection,
    enrollment: i64,
    revision: i64,
    answers: &super::evaluation::EvaluationAnswers,
) -> Result<(), Error> {
    sqlx::query(
        "INSERT INTO evaluations (enrollment_id, revision_id, ratings, practice_change, comments, submitted_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(enrollment)
    .bind(revision)
    .bind(serde_json::to_string(&answers.ratings)?)
    .bind(&answers.practice_change)
    .bind(&answers.comments)
    .bind(now())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A course claim as it is stored.
pub struct NewCourseClaim<'a> {
    pub enrollment: i64,
    pub user: i64,
    pub revision: i64,
    pub kind: CreditType,
    pub hours: Hours,
    pub completed_on: &'a str,
    pub recorded_minutes: u32,
    pub attested_at: Option<&'a str>,
    pub claimed_at: &'a str,
    pub profession: Profession,
}

/// Stores a course claim; its id.
pub async fn insert_course_claim(
    conn: &mut crate::db::Connection,
    claim: &NewCourseClaim<'_>,
) -> Result<i64, Error> {
    Ok(sqlx::query_scalar(
        "INSERT INTO credit_claims (enrollment_id, user_id, revision_id, credit_type, quarters, completed_on, claimed_at, \
         recorded_minutes, attested_at, profession) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(claim.enrollment)
    .bind(claim.user)
    .bind(claim.revision)
    .bind(claim.kind.slug())
    .bind(i64::from(claim.hours.quarters))
    .bind(claim.completed_on)
    .bind(claim.claimed_at)
    .bind(i64::from(claim.recorded_minutes))
    .bind(claim.attested_at)
    .bind(claim.profession.slug())
    .fetch_one(&mut *conn)
    .await?)
}

/// The codes of the certificates a learner holds for live sessions of the webinar
/// `webinar` (a slug), first claimed first.
pub async fn live_certificates(
    conn: &mut crate::db::Connection,
    webinar: &str,
    user: i64,
) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT c.code FROM webinar_claims w JOIN webinars wb ON wb.id = w.webinar_id \
         JOIN certificates c ON c.id = w.certificate_id WHERE wb.slug = $1 AND w.user_id = $2 ORDER BY w.id",
    )
    .bind(webinar)
    .bind(user)
    .fetch_all(&mut *conn)
    .await
}

/// Every course certificate a learner holds, first claimed first, with the revision (as
/// rendered) each claim was made on: `(code, rendered)`.
pub async fn course_certificates_with_revision(
    conn: &mut crate::db::Connection,
    user: i64,
) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT c.code, r.rendered FROM credit_claims cl JOIN course_revisions r ON r.id = cl.revision_id \
         JOIN certificates c ON c.claim_id = cl.id WHERE cl.user_id = $1 ORDER BY cl.id",
    )
    .bind(user)
    .fetch_all(&mut *conn)
    .await
}
