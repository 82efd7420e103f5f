//! The end of a course in the database: the evaluation, completion (all lessons + post-test
//! passed + evaluation, decided once, in [`completed_at`]) and the credit claim, which issues
//! its certificate in the same transaction. Every write reads first, in [`db::write_tx`].

use crate::clock::now;
use crate::enrollment;
use crate::enrollment::completion::{Requirement, missing_for_completion};
use crate::enrollment::store::{Enrolled, enrolled};
use crate::error::{Error, Result};
use crate::forms::Back;
use app::accounts::Profession;
use app::catalog::{CourseDetail, CreditType, Hours};
use app::forms::FormState;
use app::learning::{ClaimOption, ClaimRecord, CreditPage, DEFAULT_EVALUATION, LIKERT};

/// Longest answers accepted in the evaluation's free-text fields.
const PRACTICE_CHANGE_MAX: usize = 2000;
const COMMENTS_MAX: usize = 4000;

/// The evaluation statements of a revision: its own, or the defaults.
pub fn statements(detail: &CourseDetail) -> Vec<String> {
    if detail.evaluation.is_empty() {
        DEFAULT_EVALUATION.iter().map(|s| (*s).to_owned()).collect()
    } else {
        detail.evaluation.clone()
    }
}

/// The credit type a profession claims: its own when the course offers it, otherwise a
/// certificate of participation when the course offers that.
pub fn eligible(detail: &CourseDetail, profession: Profession) -> Vec<ClaimOption> {
    eligible_among(&detail.card.credits, profession)
}

/// [`eligible`] for any activity's credits (a course's or a webinar's).
pub fn eligible_among(
    credits: &[app::catalog::Credit],
    profession: Profession,
) -> Vec<ClaimOption> {
    let own = match profession {
        Profession::Physician => Some(CreditType::AmaPraCategory1),
        Profession::Nurse => Some(CreditType::NursingContactHours),
        Profession::Pharmacist => Some(CreditType::PharmacyContactHours),
        _ => None,
    };
    let offered = |kind: CreditType| {
        credits
            .iter()
            .find(|c| c.kind == kind)
            .map(|c| ClaimOption {
                kind,
                max_hours: c.max_hours,
            })
    };
    own.and_then(offered)
        .or_else(|| offered(CreditType::Participation))
        .into_iter()
        .collect()
}

/// When the last requirement was met, if all are: lessons, post-test, evaluation.
pub(super) async fn completed_at(
    conn: &mut crate::db::Connection,
    enrollment: &Enrolled,
) -> Result<Result<String, Vec<Requirement>>, Error> {
    // Only the lessons of the revision studied count (after a switch to a newer revision,
    // a lesson that no longer exists does not).
    let done: Vec<String> = sqlx::query_as::<_, (String, String)>(
        "SELECT lesson_slug, completed_at FROM lesson_progress WHERE enrollment_id = $1 AND completed_at IS NOT NULL",
    )
    .bind(enrollment.id)
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .filter(|(slug, _)| enrollment.detail.lessons.iter().any(|l| l.slug == *slug))
    .map(|(_, at)| at)
    .collect();
    let crate::db::Flag(has_post) = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM quiz_revisions WHERE revision_id = $1 AND kind = 'post')",
    )
    .bind(enrollment.revision)
    .fetch_one(&mut *conn)
    .await?;
    let passed: Option<String> = sqlx::query_scalar(
        "SELECT MIN(submitted_at) FROM quiz_attempts WHERE enrollment_id = $1 AND kind = 'post' AND passed = TRUE",
    )
    .bind(enrollment.id)
    .fetch_one(&mut *conn)
    .await?;
    let evaluated: Option<String> =
        sqlx::query_scalar("SELECT submitted_at FROM evaluations WHERE enrollment_id = $1")
            .bind(enrollment.id)
            .fetch_optional(&mut *conn)
            .await?;
    // A course that allows testing out counts a passed post-test in place of the lessons.
    let missing = missing_for_completion(
        done.len() >= enrollment.detail.lessons.len()
            || (enrollment.detail.test_out && passed.is_some()),
        has_post,
        passed.is_some(),
        evaluated.is_some(),
    );
    if !missing.is_empty() {
        return Ok(Err(missing));
    }
    Ok(Ok(done
        .into_iter()
        .chain(passed)
        .chain(evaluated)
        .max()
        .unwrap_or_default()))
}

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

/// Minutes from first opening a lesson to completion, a guide for the claim.
pub(super) async fn recorded_minutes(
    conn: &mut crate::db::Connection,
    enrollment: i64,
    completed: &str,
) -> Result<Option<u32>, Error> {
    let first: Option<String> = sqlx::query_scalar(
        "SELECT MIN(first_opened_at) FROM lesson_progress WHERE enrollment_id = $1",
    )
    .bind(enrollment)
    .fetch_one(&mut *conn)
    .await?;
    let parse = |s: &str| {
        time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()
    };
    Ok(first
        .as_deref()
        .and_then(parse)
        .zip(parse(completed))
        .map(|(from, to)| u32::try_from((to - from).whole_minutes().max(0)).unwrap_or(u32::MAX)))
}

/// The credit page of a learner's course; `None` when not enrolled.
pub async fn credit_page(
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

fn value<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// Records the evaluation (once, after the lessons and the post-test).
pub async fn evaluate(
    pool: &crate::db::Pool,
    user: i64,
    course: &str,
    fields: &[(String, String)],
) -> Result<String> {
    let kept: Vec<(String, String)> = fields
        .iter()
        .filter(|(n, _)| n != "course")
        .cloned()
        .collect();
    let mut tx = crate::db::write_tx(pool).await?;
    // Serialises on the learner: one evaluation per enrollment.
    crate::db::lock(&mut tx, crate::db::On::Row(crate::db::Table::Users, user)).await?;
    let Some(enrollment) = enrolled(&mut tx, user, course).await? else {
        return refuse(
            EVALUATION,
            course,
            "form",
            "Enroll in the course first; the evaluation comes at its end.",
            Vec::new(),
        );
    };
    let done: Option<String> =
        sqlx::query_scalar("SELECT submitted_at FROM evaluations WHERE enrollment_id = $1")
            .bind(enrollment.id)
            .fetch_optional(&mut *tx)
            .await?;
    if let Some(at) = done {
        return refuse(
            EVALUATION,
            course,
            "form",
            format!(
                "You submitted the evaluation on {}; it cannot be changed.",
                &at[..at.len().min(10)]
            ),
            Vec::new(),
        );
    }
    if let Err(missing) = completed_at(&mut tx, &enrollment).await? {
        let before: Vec<Requirement> = missing
            .into_iter()
            .filter(|m| *m != Requirement::Evaluation)
            .collect();
        if !before.is_empty() {
            return refuse(
                EVALUATION,
                course,
                "form",
                format!(
                    "The evaluation comes at the end: {} first.",
                    join_words(&before)
                ),
                kept,
            );
        }
    }
    let statements = statements(&enrollment.detail);
    let (ratings, change, comments, errors) = match read_evaluation(
        &statements,
        fields,
        &["course"],
    ) {
        Ok(answers) => (
            answers.ratings,
            answers.practice_change,
            answers.comments,
            Vec::new(),
        ),
        Err(EvaluationProblem::Unknown(name)) => {
            return refuse(
                EVALUATION,
                course,
                "form",
                format!(
                    "The form sent a field the evaluation does not have (\"{name}\"); nothing was recorded."
                ),
                kept,
            );
        }
        Err(EvaluationProblem::Fields(errors)) => {
            (Vec::new(), String::new(), String::new(), errors)
        }
    };
    if !errors.is_empty() {
        return Err(Error::invalid(
            Back::to(EVALUATION, credit_url(course)).with_state(FormState {
                errors,
                values: kept,
                notice: None,
            }),
        ));
    }
    sqlx::query(
        "INSERT INTO evaluations (enrollment_id, revision_id, ratings, practice_change, comments, submitted_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(enrollment.id)
    .bind(enrollment.revision)
    .bind(serde_json::to_string(&ratings)?)
    .bind(&change)
    .bind(&comments)
    .bind(now())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok("Thank you: your evaluation is recorded.".into())
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
    .bind(now())
    .bind(i64::from(claim.recorded_minutes))
    .bind(claim.attested_at)
    .bind(claim.profession.slug())
    .fetch_one(&mut *conn)
    .await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::catalog::{CourseCard, Credit};

    fn course(credits: &[(CreditType, u32)], evaluation: &[&str]) -> CourseDetail {
        CourseDetail {
            card: CourseCard {
                slug: "c".into(),
                title: "C".into(),
                summary: String::new(),
                professions: vec![Profession::Nurse],
                credits: credits
                    .iter()
                    .map(|(kind, quarters)| Credit {
                        kind: *kind,
                        max_hours: Hours::from_quarters(*quarters),
                    })
                    .collect(),
                estimated_minutes: 60,
                lesson_count: 1,
                release_date: String::new(),
                expiry_date: String::new(),
                featured: false,
                revision: 1,
            },
            objectives: Vec::new(),
            faculty: Vec::new(),
            accreditation_statement: String::new(),
            designation_statement: String::new(),
            overview_html: String::new(),
            lessons: Vec::new(),
            evaluation: evaluation.iter().map(|s| (*s).to_owned()).collect(),
            test_out: false,
            recording: None,
        }
    }

    #[test]
    fn each_profession_claims_its_own_credit_or_participation() {
        use CreditType::*;
        let all = course(
            &[
                (AmaPraCategory1, 4),
                (NursingContactHours, 3),
                (Participation, 4),
            ],
            &[],
        );
        let kinds = |detail: &CourseDetail, p: Profession| -> Vec<(CreditType, u32)> {
            eligible(detail, p)
                .into_iter()
                .map(|o| (o.kind, o.max_hours.quarters))
                .collect()
        };
        assert_eq!(kinds(&all, Profession::Physician), [(AmaPraCategory1, 4)]);
        assert_eq!(kinds(&all, Profession::Nurse), [(NursingContactHours, 3)]);
        assert_eq!(kinds(&all, Profession::Pharmacist), [(Participation, 4)]);
        assert_eq!(
            kinds(&all, Profession::CommunityHealthWorker),
            [(Participation, 4)]
        );
        let nursing_only = course(&[(NursingContactHours, 2)], &[]);
        assert!(kinds(&nursing_only, Profession::Physician).is_empty());
    }

    #[test]
    fn a_course_without_statements_gets_the_defaults() {
        assert_eq!(statements(&course(&[], &[])), DEFAULT_EVALUATION);
        assert_eq!(statements(&course(&[], &["Mine."])), ["Mine."]);
    }
}

/// An evaluation's answers, checked: a rating from 1 to 5 per statement, what the learner
/// will change in their practice (required), comments.
#[derive(Debug, Clone)]
pub struct EvaluationAnswers {
    pub ratings: Vec<(String, u8)>,
    pub practice_change: String,
    pub comments: String,
}

/// Why an evaluation form was not accepted.
#[derive(Debug, Clone)]
pub enum EvaluationProblem {
    /// A message per field.
    Fields(Vec<(String, String)>),
    /// A field no evaluation form has (besides `also`): made by hand.
    Unknown(String),
}

/// Reads the evaluation form (`rating-N`, `practice_change`, `comments`) for `statements`;
/// `also` are the fields the form carries besides (which activity it is for). Shared by
/// courses and webinars.
pub fn read_evaluation(
    statements: &[String],
    fields: &[(String, String)],
    also: &[&str],
) -> std::result::Result<EvaluationAnswers, EvaluationProblem> {
    let mut errors = Vec::new();
    let mut ratings = Vec::with_capacity(statements.len());
    for (index, statement) in statements.iter().enumerate() {
        let name = format!("rating-{index}");
        match value(fields, &name).map(str::trim) {
            None | Some("") => errors.push((name, "Choose how far you agree.".to_owned())),
            Some(text) => match text.parse::<u8>() {
                Ok(rating @ 1..=5) => ratings.push((statement.clone(), rating)),
                _ => errors.push((
                    name,
                    format!(
                        "Choose one of the five answers, from \"{}\" to \"{}\".",
                        LIKERT[0], LIKERT[4]
                    ),
                )),
            },
        }
    }
    let change = value(fields, "practice_change").unwrap_or_default().trim();
    if change.is_empty() {
        errors.push((
            "practice_change".into(),
            "Say what you will change in your practice (or that you will change nothing, and why)."
                .into(),
        ));
    } else if change.chars().count() > PRACTICE_CHANGE_MAX {
        errors.push((
            "practice_change".into(),
            format!("Keep this to {PRACTICE_CHANGE_MAX} characters."),
        ));
    }
    let comments = value(fields, "comments").unwrap_or_default().trim();
    if comments.chars().count() > COMMENTS_MAX {
        errors.push((
            "comments".into(),
            format!("Keep comments to {COMMENTS_MAX} characters."),
        ));
    }
    let known = |name: &str| {
        matches!(name, "practice_change" | "comments")
            || also.contains(&name)
            || name
                .strip_prefix("rating-")
                .and_then(|i| i.parse::<usize>().ok())
                .is_some_and(|i| i < statements.len())
    };
    if let Some((name, _)) = fields.iter().find(|(n, _)| !known(n)) {
        return Err(EvaluationProblem::Unknown(name.chars().take(60).collect()));
    }
    if errors.is_empty() {
        Ok(EvaluationAnswers {
            ratings,
            practice_change: change.to_owned(),
            comments: comments.to_owned(),
        })
    } else {
        Err(EvaluationProblem::Fields(errors))
    }
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
