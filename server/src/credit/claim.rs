//! One credit claim for every kind of activity. The activity's domain finds what is being
//! claimed (a course enrollment; a live session the learner attended), opens the claim's
//! transaction with the learner locked, and hands it here as a [`Claimable`]: what makes the
//! learner eligible (a finished course, or enough attendance) and how the claim is recorded
//! are its own; everything else is this one flow, in this order:
//!
//! 1. a claim already made for the activity is said again, and nothing changes;
//! 2. the same activity earns credit once, live or recorded ([`super::once`]);
//! 3. what must come first (the activity's own steps: the course finished and not expired;
//!    the session evaluated and its post-test passed);
//! 4. the credit the learner's profession claims, and no other field;
//! 5. the hours, in quarter-hour steps, up to the activity's maximum and to what the
//!    evidence allows;
//! 6. more hours than the site recorded are attested, exactly as claimed;
//! 7. the activity records the claim and its certificate ([`crate::certificates::NewCertificate`]).
//!
//! Exactly once: the caller's transaction holds the learner's lock from step 1 to the
//! commit, and a claim never exists without its one certificate.

use super::store::profession;
use crate::certificates::Issuer;
use crate::error::{Error, Result};
use crate::forms::Back;
use app::accounts::Profession;
use app::catalog::{CreditType, Hours};
use app::forms::FormState;
use app::learning::ClaimOption;

/// What the learner's claim of `kind` may not exceed because of its evidence (the time
/// attended), below the activity's own maximum, and how to say so.
#[derive(Debug, Clone)]
pub struct EvidenceCap {
    pub hours: Hours,
    pub message: String,
}

/// How one activity (a course, a live session, …) takes part in the claim.
#[async_trait::async_trait]
pub trait Claimable: Sync {
    /// "course", "webinar": how the messages name the activity.
    fn noun(&self) -> &'static str;

    /// The claim form, which every answer goes back to.
    fn back(&self) -> Back;

    /// The form's fields that say what is claimed (the course; the webinar and session),
    /// besides the hours and the attestation.
    fn context_fields(&self) -> &'static [&'static str];

    /// The webinar whose live and recorded credit are one activity, and which of the two
    /// this is.
    fn once(&self) -> Option<Once<'_>>;

    /// The certificate of a claim the learner made already, if any.
    async fn earlier(&self, conn: &mut crate::db::Connection, user: i64) -> Result<Option<String>>;

    /// What the learner must do before claiming, if anything: said as is.
    async fn not_yet(&self, conn: &mut crate::db::Connection, user: i64) -> Result<Option<String>>;

    /// The credit the activity offers the learner's profession.
    fn options(&self, profession: Profession) -> Vec<ClaimOption>;

    /// Less than the maximum when the evidence allows less (live attendance).
    fn cap(&self, option: &ClaimOption) -> Option<EvidenceCap>;

    /// Minutes of study the site recorded, when more hours than that must be attested (a
    /// course); `None` when the evidence caps the claim instead.
    async fn recorded_minutes(&self, conn: &mut crate::db::Connection) -> Result<Option<u32>>;

    /// Records the claim and issues its certificate in `conn`'s transaction; returns what
    /// the learner is told.
    async fn record(&self, conn: &mut crate::db::Connection, claim: Claim<'_>) -> Result<String>;
}

/// Which side of "live or recorded" an activity is, and the webinar they share.
#[derive(Debug, Clone, Copy)]
pub enum Once<'a> {
    /// A live session of the webinar with this slug.
    Live(&'a str),
    /// A recording of the webinar with this slug.
    Recording(&'a str),
}

/// A claim the flow accepted, for the activity to record.
pub struct Claim<'a> {
    pub issuer: &'a Issuer,
    pub user: i64,
    pub profession: Profession,
    pub kind: CreditType,
    pub hours: Hours,
    /// The minutes the site recorded, when the activity keeps them.
    pub recorded_minutes: Option<u32>,
    /// When the learner attested more hours than were recorded: the claim's own time.
    pub attested_at: Option<String>,
    /// When the claim is made.
    pub claimed_at: String,
}

/// What a claim came to.
pub enum Outcome {
    /// The claim is recorded with its certificate: commit, and tell the learner this.
    Issued(String),
    /// The learner claimed this activity before: nothing changed; tell them this.
    Claimed(String),
}

/// The claim of `fields` (in the order sent) for `activity`, inside the caller's transaction,
/// which holds the learner's lock. A refusal is an [`Error::invalid`] back to the form that
/// names the field, with nothing recorded.
pub async fn claim(
    conn: &mut crate::db::Connection,
    issuer: &Issuer,
    user: i64,
    activity: &dyn Claimable,
    fields: &[(String, String)],
) -> Result<Outcome> {
    let noun = activity.noun();
    let refuse =
        |field: &str, message: String| Error::invalid(activity.back().error(field, message));
    if !crate::accounts::confirmation::is_confirmed(conn, user).await? {
        return Err(refuse(
            "form",
            crate::accounts::confirmation::UNCONFIRMED.to_owned(),
        ));
    }
    if let Some(code) = activity.earlier(conn, user).await? {
        return Ok(Outcome::Claimed(format!(
            "You claimed credit for this {noun} already (certificate {code}); a claim cannot be changed."
        )));
    }
    match activity.once() {
        Some(Once::Recording(webinar)) => {
            if let Some(code) = super::once::live_certificate(conn, webinar, user).await? {
                return Err(refuse(
                    "form",
                    format!(
                        "You claimed credit for the live session of this webinar already (certificate {code}): the same activity earns credit once, live or recorded, so its recording cannot be claimed too. Nothing was recorded."
                    ),
                ));
            }
        }
        Some(Once::Live(webinar)) => {
            if let Some(code) = super::once::recording_certificate(conn, webinar, user).await? {
                return Err(refuse(
                    "form",
                    format!(
                        "You claimed credit for this webinar's recording already (certificate {code}): the same activity earns credit once, live or recorded. Nothing was recorded."
                    ),
                ));
            }
        }
        None => {}
    }
    if let Some(first) = activity.not_yet(conn, user).await? {
        return Err(refuse("form", first));
    }
    let profession = profession(conn, user).await?;
    let Some(option) = activity.options(profession).into_iter().next() else {
        return Err(refuse(
            "form",
            format!("This {noun} offers no credit for your profession; nothing was recorded."),
        ));
    };
    let field = format!("hours-{}", option.kind.slug());
    let context = activity.context_fields();
    // Only an activity that keeps recorded minutes asks for an attestation.
    let recorded_minutes = activity.recorded_minutes(conn).await?;
    let attestable = recorded_minutes.is_some();
    let expected =
        |name: &str| context.contains(&name) || name == field || (attestable && name == "attest");
    if let Some((name, _)) = fields.iter().find(|(n, _)| !expected(n)) {
        return Err(refuse(
            "form",
            format!(
                "You cannot claim \"{}\" for this {noun} with your profession; nothing was recorded.",
                name.chars().take(60).collect::<String>()
            ),
        ));
    }
    let kept: Vec<(String, String)> = fields
        .iter()
        .filter(|(n, _)| !context.contains(&n.as_str()))
        .cloned()
        .collect();
    let wrong = |message: String| {
        Error::invalid(activity.back().with_state(FormState {
            errors: vec![(field.clone(), message)],
            values: kept.clone(),
            notice: None,
        }))
    };
    let text = fields
        .iter()
        .find(|(n, _)| *n == field)
        .map_or("", |(_, v)| v.as_str());
    if text.trim().is_empty() {
        return Err(wrong(format!("Choose the hours you spent on this {noun}.")));
    }
    let cap = activity.cap(&option);
    let most = match &cap {
        Some(cap) if cap.hours < option.max_hours => cap.hours,
        _ => option.max_hours,
    };
    let hours = match crate::values::parse_hours(text) {
        Err(message) => return Err(wrong(message)),
        Ok(hours) if hours.quarters == 0 => {
            return Err(wrong("Claim at least 0.25 hours.".into()));
        }
        Ok(hours) if cap.as_ref().is_some_and(|cap| hours > cap.hours) => {
            return Err(wrong(cap.map(|cap| cap.message).unwrap_or_default()));
        }
        Ok(hours) if hours > option.max_hours => {
            return Err(wrong(format!(
                "This {noun} offers at most {} {}: claim no more than {most} hours.",
                option.max_hours,
                option.kind.label()
            )));
        }
        Ok(hours) => hours,
    };
    // More hours than the site recorded: the learner attests the time they spent (the
    // checkbox carries the amount, so the attestation is of exactly what is claimed).
    let needs_attestation = recorded_minutes.is_some_and(|recorded| hours.quarters * 15 > recorded);
    let attested = fields
        .iter()
        .find(|(name, _)| name == "attest")
        .map(|(_, value)| value.as_str());
    if needs_attestation && attested != Some(hours.to_string().as_str()) {
        let recorded = recorded_minutes.unwrap_or(0);
        let mut values = kept;
        values.retain(|(name, _)| name != "attest");
        values.push(("attest-hours".into(), hours.to_string()));
        return Err(Error::invalid(activity.back().with_state(FormState {
            errors: vec![(
                "attest".into(),
                format!(
                    "Grand Rounds recorded {recorded} minutes of study for this {noun}, less than the {hours} hours you claim. If you spent {hours} hours on it (reading offline counts), tick the box to attest it; otherwise claim fewer hours."
                ),
            )],
            values,
            notice: None,
        })));
    }
    let claimed_at = crate::clock::now();
    let notice = activity
        .record(
            conn,
            Claim {
                issuer,
                user,
                profession,
                kind: option.kind,
                hours,
                recorded_minutes,
                attested_at: needs_attestation.then(|| claimed_at.clone()),
                claimed_at,
            },
        )
        .await?;
    Ok(Outcome::Issued(notice))
}
