//! A course's evaluation and claim, through the one evaluation flow ([`super::evaluation`])
//! and the one claim flow ([`super::claim`]). The evaluation comes after the lessons and the
//! post-test. For the claim, the learner is eligible
//! once the course is complete (enrollment's rule) and while it has not expired; the claim
//! is kept with the minutes of study the site recorded and any attestation, and its
//! certificate is made from the claim.

use super::claim::{Claim, Claimable, EvidenceCap, Once, Outcome};
use super::evaluation::{Evaluated, EvaluationAnswers};
use super::offers::{eligible, statements};
use super::store::claims;
use crate::certificates::Issuer;
use crate::enrollment::completion::Requirement;
use crate::enrollment::completion::completed_at;
use crate::enrollment::store::{Enrolled, enrolled};
use crate::error::Error;
use crate::error::Result;
use crate::forms::Back;
use app::accounts::Profession;
use app::learning::ClaimOption;

/// A learner's enrollment in `course`, being evaluated or claimed; `completion` is when it
/// was complete, or what is still missing.
struct CourseCredit<'a> {
    course: &'a str,
    enrollment: Enrolled,
    completion: std::result::Result<String, Vec<Requirement>>,
}

#[async_trait::async_trait]
impl Claimable for CourseCredit<'_> {
    fn noun(&self) -> &'static str {
        "course"
    }

    fn back(&self) -> Back {
        Back::to(CLAIM, credit_url(self.course))
    }

    fn context_fields(&self) -> &'static [&'static str] {
        &["course"]
    }

    fn once(&self) -> Option<Once<'_>> {
        self.enrollment
            .detail
            .recording
            .as_ref()
            .map(|recording| Once::Recording(&recording.webinar))
    }

    async fn earlier(&self, conn: &mut crate::db::Connection, _: i64) -> Result<Option<String>> {
        Ok(claims(conn, self.enrollment.id)
            .await?
            .into_iter()
            .next()
            .map(|first| first.certificate.unwrap_or(first.claimed_on)))
    }

    async fn not_yet(&self, _: &mut crate::db::Connection, _: i64) -> Result<Option<String>> {
        if let Err(missing) = &self.completion {
            return Ok(Some(format!(
                "To claim credit, {} first.",
                join_words(missing)
            )));
        }
        let expiry = &self.enrollment.detail.card.expiry_date;
        Ok((!expiry.is_empty() && *expiry < crate::clock::today()).then(|| {
            format!(
                "Credit for this course could be claimed until {expiry}; the activity has expired, so no claim can be made now. Nothing was recorded."
            )
        }))
    }

    fn options(&self, profession: Profession) -> Vec<ClaimOption> {
        eligible(&self.enrollment.detail, profession)
    }

    fn cap(&self, _: &ClaimOption) -> Option<EvidenceCap> {
        None
    }

    async fn recorded_minutes(&self, conn: &mut crate::db::Connection) -> Result<Option<u32>> {
        let completed = self.completion.as_deref().unwrap_or_default();
        Ok(Some(
            crate::enrollment::completion::recorded_minutes(conn, self.enrollment.id, completed)
                .await?
                .unwrap_or(0),
        ))
    }

    async fn record(&self, conn: &mut crate::db::Connection, claim: Claim<'_>) -> Result<String> {
        let completed_on: String = self
            .completion
            .as_deref()
            .unwrap_or_default()
            .chars()
            .take(10)
            .collect();
        let id = super::store::insert_course_claim(
            conn,
            &super::store::NewCourseClaim {
                enrollment: self.enrollment.id,
                user: claim.user,
                revision: self.enrollment.revision,
                kind: claim.kind,
                hours: claim.hours,
                completed_on: &completed_on,
                recorded_minutes: claim.recorded_minutes.unwrap_or(0),
                attested_at: claim.attested_at.as_deref(),
                claimed_at: &claim.claimed_at,
                profession: claim.profession,
            },
        )
        .await?;
        // The certificate is issued in the same transaction: a claim never exists without
        // exactly one certificate.
        let code = claim.issuer.issue_for_claim(conn, id).await?;
        Ok(format!(
            "Your claim of {} {} is recorded, with completion on {completed_on}. Your certificate {code} is ready.",
            claim.hours,
            claim.kind.label(),
        ))
    }
}

/// Locks the learner (what every evaluation and claim serialises on) and reads their
/// enrollment in `course` and its completion, in the caller's transaction; a learner not
/// enrolled goes back to `form` with `not_enrolled`.
async fn course_credit<'a>(
    conn: &mut crate::db::Connection,
    user: i64,
    course: &'a str,
    form: &str,
    not_enrolled: &str,
) -> Result<CourseCredit<'a>> {
    crate::db::lock(conn, crate::db::On::Row(crate::db::Table::Users, user)).await?;
    let Some(enrollment) = enrolled(conn, user, course).await? else {
        return refuse(form, course, "form", not_enrolled, Vec::new());
    };
    let completion = completed_at(conn, &enrollment).await?;
    Ok(CourseCredit {
        course,
        enrollment,
        completion,
    })
}

/// `course`'s claim by `user`, from the credit page's form: the one claim flow.
pub async fn claim(
    pool: &crate::db::Pool,
    issuer: &Issuer,
    user: i64,
    course: &str,
    fields: &[(String, String)],
) -> Result<String> {
    let mut tx = crate::db::write_tx(pool).await?;
    // Serialises on the learner: one claim per enrollment, so one certificate, whichever
    // server answers.
    let activity =
        course_credit(&mut tx, user, course, CLAIM, "Enroll in the course first.").await?;
    let outcome = super::claim::claim(&mut tx, issuer, user, &activity, fields).await?;
    tx.commit().await?;
    Ok(match outcome {
        Outcome::Issued(notice) | Outcome::Claimed(notice) => notice,
    })
}

#[async_trait::async_trait]
impl Evaluated for CourseCredit<'_> {
    fn back(&self) -> Back {
        Back::to(EVALUATION, credit_url(self.course))
    }

    fn context_fields(&self) -> &'static [&'static str] {
        &["course"]
    }

    fn statements(&self) -> Vec<String> {
        statements(&self.enrollment.detail)
    }

    async fn earlier(&self, conn: &mut crate::db::Connection, _: i64) -> Result<Option<String>> {
        Ok(
            crate::enrollment::store::evaluated_at(conn, self.enrollment.id)
                .await?
                .map(|at| {
                    format!(
                        "You submitted the evaluation on {}; it cannot be changed.",
                        &at[..at.len().min(10)]
                    )
                }),
        )
    }

    async fn not_yet(&self, _: &mut crate::db::Connection, _: i64) -> Result<Option<String>> {
        let Err(missing) = &self.completion else {
            return Ok(None);
        };
        let before: Vec<Requirement> = missing
            .iter()
            .copied()
            .filter(|m| *m != Requirement::Evaluation)
            .collect();
        Ok((!before.is_empty()).then(|| {
            format!(
                "The evaluation comes at the end: {} first.",
                join_words(&before)
            )
        }))
    }

    async fn record(
        &self,
        conn: &mut crate::db::Connection,
        _: i64,
        answers: &EvaluationAnswers,
    ) -> Result<String> {
        super::store::insert_course_evaluation(
            conn,
            self.enrollment.id,
            self.enrollment.revision,
            answers,
        )
        .await?;
        Ok("Thank you: your evaluation is recorded.".into())
    }
}

/// `course`'s evaluation by `user`, from the credit page's form: the one evaluation flow.
pub async fn evaluate(
    pool: &crate::db::Pool,
    user: i64,
    course: &str,
    fields: &[(String, String)],
) -> Result<String> {
    let mut tx = crate::db::write_tx(pool).await?;
    // Serialises on the learner: one evaluation per enrollment.
    let activity = course_credit(
        &mut tx,
        user,
        course,
        EVALUATION,
        "Enroll in the course first; the evaluation comes at its end.",
    )
    .await?;
    let notice = super::evaluation::evaluate(&mut tx, user, &activity, fields).await?;
    tx.commit().await?;
    Ok(notice)
}

pub(super) fn join_words(requirements: &[Requirement]) -> String {
    let words: Vec<&str> = requirements.iter().map(|r| r.label()).collect();
    match words.as_slice() {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// The form state keys of the credit page's two forms.
pub const EVALUATION: &str = "evaluation";
pub const CLAIM: &str = "claim";

pub fn credit_url(course: &str) -> String {
    format!("/learning/{course}/credit")
}

/// Back to the credit page's `form` with one message and the values kept; nothing recorded.
pub(super) fn refuse<T>(
    form: &str,
    course: &str,
    field: &str,
    message: impl Into<String>,
    values: Vec<(String, String)>,
) -> Result<T> {
    Err(Error::invalid(
        Back::to(form, credit_url(course))
            .error(field, message)
            .values(values),
    ))
}
