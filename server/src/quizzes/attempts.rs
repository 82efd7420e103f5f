//! Quiz attempts, where they are started, recorded and shown. Showing a quiz starts an
//! attempt (or reuses the open one) on the learner's pinned revision; its random token
//! travels in the form, so submitting twice records one attempt. A submission is graded
//! ([`super::grading`]) against the quiz stored with that revision and recorded in one
//! write transaction ([`db::write_tx`]): either the whole attempt is recorded or nothing is.

use crate::db;
use crate::enrollment::store::enrolled;
use crate::error::Error;
use crate::quizzes::grading::{self, GradeError};
use crate::quizzes::store::Owner;
use crate::quizzes::{Question, Quiz, QuizKind};
use app::forms::FormState;
use app::learning::{
    AttemptResult, AttemptSummary, GradedOption, GradedQuestion, QuestionView, QuizPage, QuizPlace,
};
use rand::RngCore as _;
use rand::SeedableRng as _;
use rand::seq::SliceRandom as _;

pub(crate) async fn stored_quiz(
    conn: &mut crate::db::Connection,
    revision: i64,
    kind: QuizKind,
) -> Result<Option<Quiz>, Error> {
    super::store::course_quiz(conn, revision, kind).await
}

/// The owner's submitted attempts, first first.
pub(crate) async fn submitted_by(
    conn: &mut crate::db::Connection,
    owner: Owner,
) -> Result<Vec<AttemptSummary>, Error> {
    summaries(super::store::submitted(conn, owner).await?)
}

async fn submitted(
    conn: &mut crate::db::Connection,
    enrollment: i64,
    kind: QuizKind,
) -> Result<Vec<AttemptSummary>, Error> {
    submitted_by(
        conn,
        Owner::Enrollment {
            id: enrollment,
            kind,
        },
    )
    .await
}

/// The token of the owner's attempt open on `revision`, started now when none is: showing
/// a quiz that may be taken always shows it on an attempt.
pub(crate) async fn open_or_start(
    conn: &mut crate::db::Connection,
    owner: Owner,
    revision: i64,
) -> Result<String, Error> {
    if let Some(token) = super::store::open_token(conn, owner, revision).await? {
        return Ok(token);
    }
    let token = new_token();
    super::store::start(conn, owner, revision, &token).await?;
    Ok(token)
}

/// Reads and grades `fields` (a quiz form) against `quiz` and records them as the owner's
/// open attempt `attempt`, numbered after its `attempts`: the number recorded, or the form's
/// state to show again (nothing recorded). The one submission for every kind of quiz.
pub(crate) async fn record_submission(
    conn: &mut crate::db::Connection,
    owner: Owner,
    attempt: i64,
    quiz: &Quiz,
    attempts: &[AttemptSummary],
    fields: &[(String, String)],
) -> Result<Result<u32, FormState>, Error> {
    let (answers, grade) = match read_answers(quiz, fields) {
        Ok(read) => read,
        Err(state) => return Ok(Err(state)),
    };
    let number = u32::try_from(attempts.len()).unwrap_or(u32::MAX) + 1;
    let answers = serde_json::to_string(&answers)?;
    super::store::record(
        conn,
        owner,
        attempt,
        &super::store::Graded {
            number,
            answers: &answers,
            grade: &grade,
        },
    )
    .await?;
    Ok(Ok(number))
}

/// Submitted attempts as lists show them, from `(number, percent, passed, submitted at)`.
pub(crate) fn summaries(
    rows: Vec<(i64, i64, db::Flag, String)>,
) -> Result<Vec<AttemptSummary>, Error> {
    rows.into_iter()
        .map(|(number, percent, db::Flag(passed), at)| {
            Ok(AttemptSummary {
                number: db::decode(number, "attempt number")?,
                percent: db::decode(percent, "quiz score")?,
                passed,
                submitted_on: at.chars().take(10).collect(),
            })
        })
        .collect()
}

/// Why no further attempt may be started, if that is so.
pub(crate) fn closed_reason(quiz: &Quiz, attempts: &[AttemptSummary]) -> Option<String> {
    let used = u32::try_from(attempts.len()).unwrap_or(u32::MAX);
    if quiz.kind == QuizKind::Post && attempts.iter().any(|a| a.passed) {
        return Some("You passed the post-test; there is no need to take it again.".into());
    }
    if used >= quiz.max_attempts {
        return Some(match (quiz.kind, quiz.max_attempts) {
            (QuizKind::Pre, _) => {
                "You have taken the pre-test; it records where you started.".to_owned()
            }
            (QuizKind::Post, 1) => "You have used your one attempt at the post-test.".to_owned(),
            (QuizKind::Post, max) => {
                format!("You have used all {max} attempts at the post-test.")
            }
        });
    }
    None
}

/// Why the post-test is not open yet: it follows the pre-test (when the course has one) and
/// every lesson of the pinned revision, unless the course allows testing out.
async fn not_yet_open(
    conn: &mut crate::db::Connection,
    enrollment: &crate::enrollment::store::Enrolled,
    kind: QuizKind,
) -> Result<Option<String>, Error> {
    if kind == QuizKind::Pre || enrollment.detail.test_out {
        return Ok(None);
    }
    if stored_quiz(conn, enrollment.revision, QuizKind::Pre)
        .await?
        .is_some()
        && submitted(conn, enrollment.id, QuizKind::Pre)
            .await?
            .is_empty()
    {
        return Ok(Some(
            "The post-test opens after the pre-test: take the pre-test first, from the course page. It records where you started."
                .into(),
        ));
    }
    let completed = super::store::completed_lesson_slugs(conn, enrollment.id).await?;
    let lessons = &enrollment.detail.lessons;
    let done = lessons
        .iter()
        .filter(|l| completed.contains(&l.slug))
        .count();
    if done < lessons.len() {
        return Ok(Some(format!(
            "The post-test opens once every lesson is complete: {done} of {} are. Open each lesson from the course page and mark it complete at its end.",
            lessons.len()
        )));
    }
    Ok(None)
}

pub(crate) fn new_token() -> String {
    use base64::Engine as _;
    let mut bytes = [0u8; 18];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The order questions and options are shown in for one attempt: written order unless the
/// quiz asks for shuffling, then an order fixed by the attempt's token (a reload shows the
/// same order).
pub(crate) fn questions_for(quiz: &Quiz, token: &str) -> Vec<QuestionView> {
    let seed = token.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    });
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let mut questions: Vec<QuestionView> = quiz
        .questions
        .iter()
        .map(|q| QuestionView {
            id: q.id.clone(),
            prompt: q.prompt.clone(),
            body_html: q.body_html.clone(),
            multiple: q.is_multiple(),
            options: q
                .options
                .iter()
                .map(|o| (o.id.clone(), o.text.clone()))
                .collect(),
        })
        .collect();
    if quiz.shuffle_questions {
        questions.shuffle(&mut rng);
    }
    if quiz.shuffle_options {
        for question in &mut questions {
            question.options.shuffle(&mut rng);
        }
    }
    questions
}

/// The quiz page for a learner; `None` when they are not enrolled or the course has no
/// such quiz. Starts an attempt when one may be taken and none is open.
pub async fn quiz_page(
    pool: &crate::db::Pool,
    user: i64,
    course: &str,
    kind: QuizKind,
    state: FormState,
) -> Result<Option<QuizPage>, Error> {
    let mut tx = db::write_tx(pool).await?;
    // Serialises on the learner: one open attempt per quiz.
    crate::db::lock(&mut tx, crate::db::On::Row(crate::db::Table::Users, user)).await?;
    let Some(enrollment) = enrolled(&mut tx, user, course).await? else {
        return Ok(None);
    };
    let Some(quiz) = stored_quiz(&mut tx, enrollment.revision, kind).await? else {
        return Ok(None);
    };
    let attempts = submitted(&mut tx, enrollment.id, kind).await?;
    let closed = match closed_reason(&quiz, &attempts) {
        Some(reason) => Some(reason),
        None => not_yet_open(&mut tx, &enrollment, kind).await?,
    };
    let token = if closed.is_some() {
        None
    } else {
        Some(
            open_or_start(
                &mut tx,
                Owner::Enrollment {
                    id: enrollment.id,
                    kind,
                },
                enrollment.revision,
            )
            .await?,
        )
    };
    tx.commit().await?;
    Ok(Some(page_of(
        QuizPlace::course(course, &enrollment.detail.card.title, kind),
        &quiz,
        attempts,
        token,
        closed,
        state,
    )))
}

/// A quiz page, whatever owns its attempts: the questions in the order of the open
/// attempt's token, or none when no attempt may be taken (`closed` says why).
pub(crate) fn page_of(
    place: QuizPlace,
    quiz: &Quiz,
    attempts: Vec<AttemptSummary>,
    token: Option<String>,
    closed: Option<String>,
    state: FormState,
) -> QuizPage {
    let questions = token
        .as_deref()
        .map(|token| questions_for(quiz, token))
        .unwrap_or_default();
    QuizPage {
        place,
        kind: quiz.kind,
        pass_mark: quiz.pass_mark,
        max_attempts: quiz.max_attempts,
        attempts,
        token,
        closed_reason: closed,
        questions,
        state,
    }
}

/// What became of a submission.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Graded and recorded as attempt `number`.
    Recorded {
        course: String,
        kind: QuizKind,
        number: u32,
    },
    /// The same form came back again: it was recorded the first time.
    AlreadyRecorded {
        course: String,
        kind: QuizKind,
        number: u32,
    },
    /// Nothing was recorded. `course` is known when the token was valid.
    Refused {
        course: Option<(String, QuizKind)>,
        state: FormState,
    },
}

fn refused(course: Option<(String, QuizKind)>, message: impl Into<String>) -> Outcome {
    Outcome::Refused {
        course,
        state: refused_state(message),
    }
}

/// Grades and records one submitted quiz form (`token` plus `q-<question>` = option pairs).
pub async fn submit(
    pool: &crate::db::Pool,
    user: i64,
    fields: &[(String, String)],
) -> Result<Outcome, Error> {
    let token = fields
        .iter()
        .find(|(name, _)| name == "token")
        .map(|(_, value)| value.as_str())
        .unwrap_or_default();
    let mut tx = db::write_tx(pool).await?;
    // Serialises on the learner: attempt numbers are unique and max_attempts holds across servers.
    crate::db::lock(&mut tx, crate::db::On::Row(crate::db::Table::Users, user)).await?;
    let row = super::store::course_attempt_by_token(&mut tx, token).await?;
    let Some((attempt, enrollment, revision, kind, number, course, owner)) =
        row.filter(|row| row.6 == user)
    else {
        return Ok(refused(
            None,
            "That quiz form is not one we gave you, so nothing was recorded. Open the quiz again from your course page.",
        ));
    };
    let kind = if kind == "pre" {
        QuizKind::Pre
    } else {
        QuizKind::Post
    };
    debug_assert_eq!(owner, user);
    if let Some(number) = number {
        return Ok(Outcome::AlreadyRecorded {
            course,
            kind,
            number: crate::db::decode::<u32>(number, "attempt number")?,
        });
    }
    let place = Some((course.clone(), kind));
    let Some(quiz) = stored_quiz(&mut tx, revision, kind).await? else {
        return Ok(refused(place, "This quiz no longer exists."));
    };
    let attempts = submitted(&mut tx, enrollment, kind).await?;
    if let Some(reason) = closed_reason(&quiz, &attempts) {
        return Ok(refused(place, format!("{reason} Nothing was recorded.")));
    }
    let Some(enrolled) = enrolled(&mut tx, user, &course).await? else {
        return Ok(refused(place, "You are no longer enrolled in this course."));
    };
    if let Some(reason) = not_yet_open(&mut tx, &enrolled, kind).await? {
        return Ok(refused(place, format!("{reason} Nothing was recorded.")));
    }

    let owner = Owner::Enrollment {
        id: enrollment,
        kind,
    };
    let number = match record_submission(&mut tx, owner, attempt, &quiz, &attempts, fields).await? {
        Ok(number) => number,
        Err(state) => {
            return Ok(Outcome::Refused {
                course: place,
                state,
            });
        }
    };
    tx.commit().await?;
    Ok(Outcome::Recorded {
        course,
        kind,
        number,
    })
}

/// The answers a quiz form sends (`token` plus `q-<question>` = option pairs), graded, or
/// the form's state to show again: what was wrong, and the answers worth keeping.
pub(crate) fn read_answers(
    quiz: &Quiz,
    fields: &[(String, String)],
) -> Result<(Vec<(String, String)>, grading::Grade), FormState> {
    let mut answers = Vec::new();
    for (name, value) in fields {
        if name == "token" {
            continue;
        }
        let Some(question) = name.strip_prefix("q-") else {
            return Err(refused_state(format!(
                "The form sent a field this quiz does not have (\"{}\"), so nothing was recorded. Please answer the questions below.",
                short(name)
            )));
        };
        answers.push((question.to_owned(), value.clone()));
    }
    let grade = match grading::grade(quiz, &answers) {
        Ok(grade) => grade,
        Err(error) => {
            let detail = match &error {
                GradeError::UnknownQuestion(q) => {
                    format!(
                        "it answers a question (\"{}\") that is not in this quiz",
                        short(q)
                    )
                }
                GradeError::UnknownOption { question, option } => format!(
                    "it chooses an option (\"{}\") that question \"{}\" does not have",
                    short(option),
                    short(question)
                ),
                GradeError::TooManyAnswers(q) => {
                    format!(
                        "it gives several answers to one-answer question \"{}\"",
                        short(q)
                    )
                }
            };
            return Err(FormState {
                errors: vec![(
                    "form".into(),
                    format!(
                        "This submission was refused and nothing was recorded: {detail}. Please answer the questions below."
                    ),
                )],
                values: kept_answers(quiz, &answers),
                notice: None,
            });
        }
    };
    let unanswered: Vec<(usize, &Question)> = quiz
        .questions
        .iter()
        .enumerate()
        .filter(|(_, q)| !answers.iter().any(|(id, _)| *id == q.id))
        .collect();
    if !unanswered.is_empty() {
        let numbers: Vec<String> = unanswered
            .iter()
            .map(|(i, _)| (i + 1).to_string())
            .collect();
        let mut errors = vec![(
            "form".to_owned(),
            format!(
                "Answer every question before you submit: {} {} no answer yet. Your other answers are kept below; nothing was recorded.",
                if numbers.len() == 1 {
                    "question"
                } else {
                    "questions"
                },
                join_numbers(&numbers)
            ),
        )];
        errors.extend(
            unanswered
                .iter()
                .map(|(_, q)| (format!("q-{}", q.id), "Choose an answer.".to_owned())),
        );
        return Err(FormState {
            errors,
            values: kept_answers(quiz, &answers),
            notice: None,
        });
    }

    Ok((answers, grade))
}

/// A name or value the form sent, cut short for a message: a 100 KB value is not repeated.
fn short(text: &str) -> String {
    let mut short: String = text.chars().take(60).collect();
    if short.len() < text.len() {
        short.push('…');
    }
    short
}

fn refused_state(message: impl Into<String>) -> FormState {
    FormState {
        errors: vec![("form".into(), message.into())],
        ..FormState::default()
    }
}

/// "1", "1 and 3", "1, 2 and 5".
fn join_numbers(numbers: &[String]) -> String {
    match numbers {
        [] => String::new(),
        [one] => format!("{one} has"),
        [init @ .., last] => format!("{} and {last} have", init.join(", ")),
    }
}

/// The answers worth showing again: those naming a real question and option.
fn kept_answers(quiz: &Quiz, answers: &[(String, String)]) -> Vec<(String, String)> {
    answers
        .iter()
        .filter(|(q, o)| {
            quiz.questions
                .iter()
                .any(|question| question.id == *q && question.options.iter().any(|x| x.id == *o))
        })
        .map(|(q, o)| (format!("q-{q}"), o.clone()))
        .collect()
}

/// A submitted attempt of the learner's, with their answers, and the key and the
/// explanations once no further attempt could use them.
pub async fn attempt_result(
    pool: &crate::db::Pool,
    user: i64,
    course: &str,
    kind: QuizKind,
    number: u32,
) -> Result<Option<AttemptResult>, Error> {
    let mut conn = pool.acquire().await?;
    let Some(enrollment) = enrolled(&mut conn, user, course).await? else {
        return Ok(None);
    };
    let row = super::store::submitted_attempt(
        &mut conn,
        Owner::Enrollment {
            id: enrollment.id,
            kind,
        },
        number,
    )
    .await?;
    let Some((revision, answers, correct, total, percent, db::Flag(passed), submitted_at)) = row
    else {
        return Ok(None);
    };
    let Some(quiz) = stored_quiz(&mut conn, revision, kind).await? else {
        return Ok(None);
    };
    let answers: Vec<(String, String)> = serde_json::from_str(&answers)?;
    let attempts = submitted(&mut conn, enrollment.id, kind).await?;
    let current = stored_quiz(&mut conn, enrollment.revision, kind).await?;
    let can_retry = current
        .as_ref()
        .is_some_and(|q| closed_reason(q, &attempts).is_none());
    // The key is the answer to the next attempt: withheld while one is possible. The
    // pre-test's key would answer the post-test, so it waits for the post-test to be over.
    let key_shown = match kind {
        QuizKind::Post => passed || !can_retry,
        QuizKind::Pre => match stored_quiz(&mut conn, enrollment.revision, QuizKind::Post).await? {
            None => true,
            Some(post) => {
                let post_attempts = submitted(&mut conn, enrollment.id, QuizKind::Post).await?;
                closed_reason(&post, &post_attempts).is_some()
            }
        },
    };
    let questions = graded_questions(&quiz, &answers, key_shown);
    Ok(Some(AttemptResult {
        place: QuizPlace::course(course, &enrollment.detail.card.title, kind),
        kind,
        number,
        correct: crate::db::decode::<u32>(correct, "correct answers")?,
        total: crate::db::decode::<u32>(total, "question count")?,
        percent: crate::db::decode::<u8>(percent, "quiz score")?,
        pass_mark: quiz.pass_mark,
        passed,
        submitted_on: submitted_at.chars().take(10).collect(),
        can_retry,
        key_shown,
        questions,
    }))
}

/// A submitted attempt's questions with the learner's answers, and the key and the
/// explanations when `key_shown`.
pub(crate) fn graded_questions(
    quiz: &Quiz,
    answers: &[(String, String)],
    key_shown: bool,
) -> Vec<GradedQuestion> {
    quiz.questions
        .iter()
        .map(|question| {
            let chosen = |option: &str| {
                answers
                    .iter()
                    .any(|(q, o)| *q == question.id && o == option)
            };
            let options: Vec<GradedOption> = question
                .options
                .iter()
                .map(|o| GradedOption {
                    text: o.text.clone(),
                    chosen: chosen(&o.id),
                    correct: key_shown.then_some(o.correct),
                })
                .collect();
            GradedQuestion {
                prompt: question.prompt.clone(),
                body_html: question.body_html.clone(),
                is_correct: question.options.iter().all(|o| chosen(&o.id) == o.correct),
                options,
                explanation_html: question.explanation_html.clone().filter(|_| key_shown),
            }
        })
        .collect()
}
