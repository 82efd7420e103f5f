//! A course's claim, through the one claim flow ([`super::claim`]): the learner is eligible
//! once the course is complete (enrollment's rule) and while it has not expired; the claim
//! is kept with the minutes of study the site recorded and any attestation, and its
//! certificate is made from the claim.

use super::claim::{Claim, Claimable, EvidenceCap, Once, Outcome};
use super::store::{CLAIM, claims, completed_at, credit_url, eligible, join_words, refuse};
use crate::certificates::Issuer;
use crate::enrollment::completion::Requirement;
use crate::enrollment::store::{Enrolled, enrolled};
use crate::error::Result;
use crate::forms::Back;
use app::accounts::Profession;
use app::learning::ClaimOption;

/// A learner's enrollment in `course`, being claimed; `completion` is when it was complete,
/// or what is still missing.
struct CourseClaim<'a> {
    course: &'a str,
    enrollment: Enrolled,
    completion: std::result::Result<String, Vec<Requirement>>,
}

#[async_trait::async_trait]
impl Claimable for CourseClaim<'_> {
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
            super::store::recorded_minutes(conn, self.enrollment.id, completed)
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
    crate::db::lock(&mut tx, crate::db::On::Row(crate::db::Table::Users, user)).await?;
    let Some(enrollment) = enrolled(&mut tx, user, course).await? else {
        return refuse(
            CLAIM,
            course,
            "form",
            "Enroll in the course first.",
            Vec::new(),
        );
    };
    let completion = completed_at(&mut tx, &enrollment).await?;
    let activity = CourseClaim {
        course,
        enrollment,
        completion,
    };
    let outcome = super::claim::claim(&mut tx, issuer, user, &activity, fields).await?;
    tx.commit().await?;
    Ok(match outcome {
        Outcome::Issued(notice) | Outcome::Claimed(notice) => notice,
    })
}
