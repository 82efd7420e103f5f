//! The credit page's data: completion, the evaluation and the claim of the signed-in learner.

use super::course::join_words;
use super::offers::{eligible, statements};
use super::store::{claims, profession};
use crate::backend::{ServerBackend, signed_in};
use crate::enrollment;
use crate::enrollment::completion::{completed_at, recorded_minutes};
use crate::enrollment::pages::not_enrolled;
use crate::enrollment::store::enrolled;
use crate::error::Error;
use app::error::AppError;
use app::forms::FormState;
use app::learning::CreditBackend;
use app::learning::CreditPage;

#[async_trait::async_trait]
impl CreditBackend for ServerBackend {
    async fn credit(&self, course: &str) -> Result<CreditPage, AppError> {
        let viewer = signed_in()?;
        let evaluation = self.form_state("evaluation").await?;
        let claim = self.form_state("claim").await?;
        credit_page(&self.pool, viewer.id, course, evaluation, claim)
            .await
            .map_err(AppError::from)?
            .ok_or_else(|| not_enrolled(course, "credit page"))
    }
}

/// The credit page of a learner's course; `None` when not enrolled.
async fn credit_page(
    pool: &crate::db::Pool,
    user: i64,
    course: &str,
    evaluation_state: FormState,
    claim_state: FormState,
) -> Result<Option<CreditPage>, Error> {
    let Some(summary) = enrollment::summaries(pool, user, Some(course))
        .await?
        .into_iter()
        .next()
    else {
        return Ok(None);
    };
    let mut conn = pool.acquire().await?;
    let Some(enrolled) = enrolled(&mut conn, user, course).await? else {
        return Ok(None);
    };
    let claims = claims(&mut conn, enrolled.id).await?;
    let completion = completed_at(&mut conn, &enrolled).await?;
    let options = eligible(&enrolled.detail, profession(&mut conn, user).await?);
    let (claim_options, claim_blocked, recorded) = match (&completion, claims.is_empty()) {
        (_, false) => (Vec::new(), None, None),
        (Err(missing), true) => (
            Vec::new(),
            Some(format!(
                "To claim credit, {} first.",
                join_words(missing)
            )),
            None,
        ),
        (Ok(_), true) if options.is_empty() => (
            Vec::new(),
            Some(
                "This course offers no credit for your profession. If your profession on your account page is wrong, correct it there."
                    .into(),
            ),
            None,
        ),
        (Ok(at), true) => (
            options,
            None,
            recorded_minutes(&mut conn, enrolled.id, at).await?,
        ),
    };
    Ok(Some(CreditPage {
        enrollment: summary,
        statements: statements(&enrolled.detail),
        claim_options,
        claim_blocked,
        claims,
        recorded_minutes: recorded,
        evaluation_state,
        claim_state,
    }))
}
