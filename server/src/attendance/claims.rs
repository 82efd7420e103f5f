//! Credit for a live session, after it: a learner the ledger makes eligible evaluates the
//! session (the course evaluation's statements and its commitment-to-change question), then
//! claims credit in 0.25-hour steps up to the lesser of the webinar's maximum for their
//! profession's credit type and the time attended rounded down to the quarter hour (the one
//! rounding there is). The claim issues the certificate ("live webinar", with the session's
//! date and zone) in its own transaction: once per learner, webinar and credit type, however
//! many times the form is sent. A later import that adds minutes can make a learner
//! eligible; it never changes a claim or its certificate.

use super::intervals::{self, Eligibility};
use super::store;
use super::summary;
use crate::AppState;
use crate::auth::SignedIn;
use crate::certificates::NewCertificate;
use crate::credit::claim::{Claim, Claimable, EvidenceCap, Once, Outcome};
use crate::credit::evaluation::{Evaluated, EvaluationAnswers};
use crate::db::On;
use crate::error::{Error, Result};
use crate::forms::{Back, Fields, Submission};
use crate::webinars::store::{Standing, Stored, StoredSession};
use app::accounts::Profession;
use app::catalog::{CreditType, Hours};
use app::learning::ClaimOption;
use app::learning::DEFAULT_EVALUATION;
use axum::Form;
use axum::extract::State;
use chrono::TimeZone as _;

/// The statements a webinar's evaluation asks about.
pub fn statements() -> Vec<String> {
    DEFAULT_EVALUATION.iter().map(|s| (*s).to_owned()).collect()
}

/// Quarter hours in `seconds`, rounded down: what attendance allows to be claimed.
pub fn attended_quarters(seconds: i64) -> u32 {
    u32::try_from(seconds.max(0) / 900).unwrap_or(u32::MAX)
}

/// A claim as stored.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub credit_type: String,
    pub quarters: i64,
    pub code: String,
    pub session_id: i64,
}

pub async fn claims_of(
    conn: &mut crate::db::Connection,
    webinar: i64,
    user: i64,
) -> Result<Vec<Claimed>> {
    let rows = store::claims_of(conn, webinar, user).await?;
    Ok(rows
        .into_iter()
        .map(|(credit_type, quarters, code, session_id)| Claimed {
            credit_type,
            quarters,
            code,
            session_id,
        })
        .collect())
}

pub async fn evaluated(conn: &mut crate::db::Connection, session: i64, user: i64) -> Result<bool> {
    Ok(store::evaluated_at(conn, session, user).await?.is_some())
}

/// The first session of `stored` that is over and that the ledger makes the learner
/// eligible for, with the seconds attended.
pub async fn eligible_over(
    conn: &mut crate::db::Connection,
    stored: &Stored,
    user: i64,
) -> Result<Option<(StoredSession, i64)>> {
    let now = crate::clock::now_secs();
    let rule = crate::webinars::store::attendance_rule(conn, stored.webinar_id).await?;
    for session in stored
        .sessions
        .iter()
        .filter(|s| !s.cancelled && s.ends_at() <= now)
    {
        let evidence = store::learner_evidence(conn, session.id, user).await?;
        let mine: Vec<&store::Evidence> = evidence.iter().collect();
        let attendance = summary::of(&mine, session, rule);
        if attendance.eligibility == Eligibility::Eligible {
            return Ok(Some((session.clone(), attendance.seconds)));
        }
    }
    Ok(None)
}

/// Where the form is, and what the learner's attendance of it is now (in `conn`'s view).
struct Context {
    stored: Stored,
    session: StoredSession,
    seconds: i64,
}

fn back(slug: &str, form: &str) -> Back {
    Back::to(form, format!("/webinars/{slug}#attendance"))
}

/// The session a form names: over, the learner holding a seat, eligible by the ledger.
/// `stored` is read before the caller's transaction began: inside it, a second connection
/// from the pool could wait for ever behind requests queued on the same learner.
async fn eligible_session(
    conn: &mut crate::db::Connection,
    stored: Stored,
    form: &mut Submission,
    user: i64,
    form_name: &str,
) -> Result<Context> {
    let refuse = |message: String| {
        Error::invalid(back(&stored.detail.slug, form_name).error("form", message))
    };
    let number = form.get("session");
    let Some(session) = number
        .trim()
        .parse::<u32>()
        .ok()
        .and_then(|n| {
            stored
                .sessions
                .iter()
                .find(|s| s.number == n && !s.cancelled)
        })
        .cloned()
    else {
        return Err(refuse("Choose one of the webinar's sessions.".into()));
    };
    let now = crate::clock::now_secs();
    if now < session.ends_at() {
        return Err(refuse(format!(
            "Session {} has not ended yet: evaluate it and claim credit once it is over.",
            session.number
        )));
    }
    if crate::webinars::store::standing(conn, stored.webinar_id, user).await?
        != Standing::Registered
    {
        return Err(refuse(
            "Credit for this webinar is for learners who held a seat.".into(),
        ));
    }
    let rule = crate::webinars::store::attendance_rule(conn, stored.webinar_id).await?;
    let evidence = store::learner_evidence(conn, session.id, user).await?;
    let mine: Vec<&store::Evidence> = evidence.iter().collect();
    let attendance = summary::of(&mine, &session, rule);
    if let Eligibility::Missing { seconds } = attendance.eligibility {
        return Err(refuse(format!(
            "The attendance recorded for session {} is {}, {} short of what credit needs ({}); nothing was recorded. If the service's report is still to be imported, ask the organizer.",
            session.number,
            intervals::written(attendance.seconds),
            intervals::written(seconds),
            super::pages::rule_text(rule, &session).to_lowercase()
        )));
    }
    Ok(Context {
        stored,
        session,
        seconds: attendance.seconds,
    })
}

/// A session the learner attended, being evaluated.
struct LiveEvaluation {
    stored: Stored,
    session: StoredSession,
}

#[async_trait::async_trait]
impl Evaluated for LiveEvaluation {
    fn back(&self) -> Back {
        back(&self.stored.detail.slug, "webinar-evaluation")
    }

    fn context_fields(&self) -> &'static [&'static str] {
        &["webinar", "session"]
    }

    fn statements(&self) -> Vec<String> {
        statements()
    }

    async fn earlier(&self, conn: &mut crate::db::Connection, user: i64) -> Result<Option<String>> {
        Ok(evaluated(conn, self.session.id, user).await?.then(|| {
            "Your evaluation of this session is recorded already; it cannot be changed.".into()
        }))
    }

    async fn not_yet(&self, _: &mut crate::db::Connection, _: i64) -> Result<Option<String>> {
        // Attending enough is what comes first; `eligible_session` checked it.
        Ok(None)
    }

    async fn record(
        &self,
        conn: &mut crate::db::Connection,
        user: i64,
        answers: &EvaluationAnswers,
    ) -> Result<String> {
        store::insert_evaluation(conn, self.session.id, user, answers).await?;
        let webinar = self.stored.webinar_id;
        let revision = super::assessment::revision_of(conn, &self.stored, user).await?;
        let next = match super::assessment::stored(conn, revision).await? {
            Some(quiz) if !super::assessment::passed(conn, webinar, user).await? => {
                if super::assessment::closed(conn, &quiz, webinar, user)
                    .await?
                    .is_some()
                {
                    "The post-test was not passed, so credit for this webinar cannot be claimed."
                } else {
                    "Next, pass the webinar's post-test; then you can claim credit."
                }
            }
            _ => "You can claim credit now.",
        };
        Ok(format!("Thank you: your evaluation is recorded. {next}"))
    }
}

/// `POST /webinars/attendance/evaluate` (`webinar`, `session`, `rating-N`,
/// `practice_change`, `comments`): the learner's evaluation of a session they attended,
/// through the one evaluation flow.
pub async fn evaluate(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    fields: Fields,
) -> Result<Back> {
    let raw: Vec<(String, String)> = fields.as_ref().map(|Form(f)| f.clone()).unwrap_or_default();
    let mut form = Submission::new(fields);
    if let Some(problem) = form.problem() {
        return Err(Error::bad_request(problem));
    }
    let stored = crate::webinars::published(&state.pool, &form.get("webinar")).await?;
    let mut tx = crate::db::write_tx(&state.pool).await?;
    // Serialises on the learner: one evaluation per session.
    crate::db::lock(&mut tx, On::Row(crate::db::Table::Users, viewer.id)).await?;
    let Context {
        stored, session, ..
    } = eligible_session(&mut tx, stored, &mut form, viewer.id, "webinar-evaluation").await?;
    let activity = LiveEvaluation { stored, session };
    let notice = crate::credit::evaluation::evaluate(&mut tx, viewer.id, &activity, &raw).await?;
    tx.commit().await?;
    Ok(activity.back().notice(notice))
}

/// "4 March 2031, 09:00 CST (America/Chicago)": the session as the certificate states it.
fn session_stated(session: &StoredSession) -> (String, String) {
    let zone: chrono_tz::Tz = session.zone.parse().unwrap_or(chrono_tz::UTC);
    let start = chrono::Utc
        .timestamp_opt(session.starts_at, 0)
        .single()
        .map(|t| t.with_timezone(&zone));
    match start {
        Some(start) => (
            start.format("%Y-%m-%d").to_string(),
            format!(
                "{} {} ({})",
                start.format("%-d %B %Y, %H:%M"),
                start.format("%Z"),
                zone.name()
            ),
        ),
        None => (String::new(), String::new()),
    }
}

/// A live session being claimed: the learner attended `seconds` of it, enough for credit.
struct LiveClaim {
    stored: Stored,
    session: StoredSession,
    seconds: i64,
}

#[async_trait::async_trait]
impl Claimable for LiveClaim {
    fn noun(&self) -> &'static str {
        "webinar"
    }

    fn back(&self) -> Back {
        back(&self.stored.detail.slug, "webinar-claim")
    }

    fn context_fields(&self) -> &'static [&'static str] {
        &["webinar", "session"]
    }

    fn once(&self) -> Option<Once<'_>> {
        Some(Once::Live(&self.stored.detail.slug))
    }

    async fn earlier(&self, conn: &mut crate::db::Connection, user: i64) -> Result<Option<String>> {
        Ok(claims_of(conn, self.stored.webinar_id, user)
            .await?
            .into_iter()
            .next()
            .map(|first| first.code))
    }

    async fn not_yet(&self, conn: &mut crate::db::Connection, user: i64) -> Result<Option<String>> {
        if !evaluated(conn, self.session.id, user).await? {
            return Ok(Some(
                "Evaluate the session first; the claim comes after it.".into(),
            ));
        }
        let webinar = self.stored.webinar_id;
        let revision = super::assessment::revision_of(conn, &self.stored, user).await?;
        if let Some(quiz) = super::assessment::stored(conn, revision).await?
            && !super::assessment::passed(conn, webinar, user).await?
        {
            return Ok(Some(match super::assessment::closed(conn, &quiz, webinar, user).await? {
                Some(reason) => format!(
                    "{reason} The post-test was not passed, so credit for this webinar cannot be claimed; nothing was recorded. If you think this is wrong, write to the webinar's organizers."
                ),
                None => "Pass the webinar's post-test first; the claim comes after it. Nothing was recorded.".into(),
            }));
        }
        Ok(None)
    }

    fn options(&self, profession: Profession) -> Vec<ClaimOption> {
        crate::credit::offers::eligible_among(&self.stored.detail.credits, profession)
    }

    fn cap(&self, option: &ClaimOption) -> Option<EvidenceCap> {
        let attended = Hours::from_quarters(attended_quarters(self.seconds));
        let cap = if attended < option.max_hours {
            attended
        } else {
            option.max_hours
        };
        Some(EvidenceCap {
            hours: attended,
            message: format!(
                "You attended {} ({} hours in whole quarter hours): claim no more than {cap} hours.",
                intervals::written(self.seconds),
                attended
            ),
        })
    }

    async fn recorded_minutes(&self, _: &mut crate::db::Connection) -> Result<Option<u32>> {
        Ok(None)
    }

    async fn record(&self, conn: &mut crate::db::Connection, claim: Claim<'_>) -> Result<String> {
        let (stored, session) = (&self.stored, &self.session);
        let (completed_on, stated) = session_stated(session);
        let (learner_name, profession_slug) = store::learner(conn, claim.user).await?;
        let certificate = NewCertificate {
            user_id: claim.user,
            learner_name,
            profession: profession_slug,
            activity_slug: stored.detail.slug.clone(),
            activity_title: format!("{}: live session of {stated}", stored.detail.title),
            revision_number: Some(stored.revision),
            format: "live-webinar".into(),
            completed_on,
            provider: claim.issuer.provider.clone(),
            credit_type: claim.kind.slug().to_owned(),
            quarters: i64::from(claim.hours.quarters),
            accreditation_statement: stored.detail.accreditation_statement.clone(),
            designation_statement: stored.detail.designation_statement.clone(),
        };
        let issued = claim.issuer.insert(conn, certificate, None, None).await?;
        store::insert_claim(
            conn,
            &store::NewLiveClaim {
                webinar: stored.webinar_id,
                session: session.id,
                user: claim.user,
                revision: stored.revision,
                kind: claim.kind,
                hours: claim.hours,
                attended_seconds: self.seconds,
                certificate: issued.id,
                claimed_at: &claim.claimed_at,
            },
        )
        .await?;
        Ok(format!(
            "Certificate {} issued: {} {} for the live session of {stated}.",
            issued.code,
            claim.hours,
            claim.kind.label()
        ))
    }
}

/// `POST /webinars/attendance/claim` (`webinar`, `session`, `hours-<credit type>`): the
/// claim of a session the learner attended, through the one claim flow, which issues the
/// certificate.
pub async fn claim(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    fields: Fields,
) -> Result<Back> {
    let raw: Vec<(String, String)> = fields.as_ref().map(|Form(f)| f.clone()).unwrap_or_default();
    let mut form = Submission::new(fields);
    if let Some(problem) = form.problem() {
        return Err(Error::bad_request(problem));
    }
    let stored = crate::webinars::published(&state.pool, &form.get("webinar")).await?;
    let mut tx = crate::db::write_tx(&state.pool).await?;
    // Serialises on the learner: one claim per webinar and credit type, so one certificate,
    // whichever server answers and however often the form is sent.
    crate::db::lock(&mut tx, On::Row(crate::db::Table::Users, viewer.id)).await?;
    let Context {
        stored,
        session,
        seconds,
    } = eligible_session(&mut tx, stored, &mut form, viewer.id, "webinar-claim").await?;
    let activity = LiveClaim {
        stored,
        session,
        seconds,
    };
    let outcome =
        crate::credit::claim::claim(&mut tx, &state.issuer, viewer.id, &activity, &raw).await?;
    tx.commit().await?;
    state.mail.wake();
    Ok(match outcome {
        Outcome::Issued(notice) | Outcome::Claimed(notice) => activity.back().notice(notice),
    })
}

/// What the webinar page offers a learner for a session: the evaluation, the claim, or the
/// claim made.
pub async fn offer(
    conn: &mut crate::db::Connection,
    stored: &Stored,
    session: &StoredSession,
    user: i64,
    seconds: i64,
) -> Result<app::attendance::CreditStep> {
    use app::attendance::CreditStep;
    let claims = claims_of(conn, stored.webinar_id, user).await?;
    if let Some(first) = claims.first() {
        return Ok(CreditStep::Claimed {
            code: first.code.clone(),
            hours: Hours::from_quarters(u32::try_from(first.quarters).unwrap_or(0)).to_string(),
            credit: CreditType::from_slug(&first.credit_type)
                .map_or_else(|| first.credit_type.clone(), |k| k.label().to_owned()),
        });
    }
    if !evaluated(conn, session.id, user).await? {
        return Ok(CreditStep::Evaluate {
            statements: statements(),
        });
    }
    let profession = crate::credit::store::profession(conn, user).await?;
    let options = crate::credit::offers::eligible_among(&stored.detail.credits, profession);
    let Some(option) = options.first() else {
        return Ok(CreditStep::NoCredit);
    };
    let revision = super::assessment::revision_of(conn, stored, user).await?;
    if let Some(quiz) = super::assessment::stored(conn, revision).await?
        && !super::assessment::passed(conn, stored.webinar_id, user).await?
    {
        return Ok(CreditStep::PostTest {
            href: app::learning::QuizPlace::webinar(&stored.detail.slug, &stored.detail.title)
                .quiz_href,
            pass_mark: quiz.pass_mark,
            questions: u32::try_from(quiz.questions.len()).unwrap_or(u32::MAX),
            closed: super::assessment::closed(conn, &quiz, stored.webinar_id, user).await?,
        });
    }
    let attended = Hours::from_quarters(attended_quarters(seconds));
    let cap = if attended < option.max_hours {
        attended
    } else {
        option.max_hours
    };
    Ok(CreditStep::Claim {
        field: format!("hours-{}", option.kind.slug()),
        credit: option.kind.label().to_owned(),
        max_hours: option.max_hours.to_string(),
        attended_hours: attended.to_string(),
        cap: cap.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attended_time_rounds_down_to_the_quarter_hour_once() {
        assert_eq!(attended_quarters(2910), 3);
        assert_eq!(attended_quarters(2700), 3);
        assert_eq!(attended_quarters(2699), 2);
        assert_eq!(attended_quarters(3600), 4);
        assert_eq!(attended_quarters(-5), 0);
    }
}
