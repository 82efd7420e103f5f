//! Grading a submitted attempt against the quiz revision it was started on. Each question
//! is all-or-nothing: the chosen options must be exactly the correct ones. Anything that
//! does not belong to the quiz is refused rather than ignored.

use super::Quiz;
use std::collections::{BTreeSet, HashMap};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuestionResult {
    pub question: String,
    pub chosen: Vec<String>,
    pub correct_options: Vec<String>,
    pub is_correct: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grade {
    pub correct: u32,
    pub total: u32,
    /// Rounded down, so a score shown as 80 % never fails an 80 % pass mark, and never
    /// passes one it did not reach.
    pub percent: u8,
    pub passed: bool,
    pub questions: Vec<QuestionResult>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GradeError {
    #[error("the answer names a question that is not in this quiz")]
    UnknownQuestion(String),
    #[error("the answer names an option that does not belong to its question")]
    UnknownOption { question: String, option: String },
    #[error("a single-choice question was given more than one answer")]
    TooManyAnswers(String),
}

/// `answers` are `(question id, option id)` pairs as a form sends them.
pub fn grade(quiz: &Quiz, answers: &[(String, String)]) -> Result<Grade, GradeError> {
    let mut chosen: HashMap<&str, BTreeSet<&str>> = HashMap::new();
    for (question_id, option_id) in answers {
        let question = quiz
            .questions
            .iter()
            .find(|q| q.id == *question_id)
            .ok_or_else(|| GradeError::UnknownQuestion(question_id.clone()))?;
        if !question.options.iter().any(|o| o.id == *option_id) {
            return Err(GradeError::UnknownOption {
                question: question_id.clone(),
                option: option_id.clone(),
            });
        }
        chosen
            .entry(question.id.as_str())
            .or_default()
            .insert(option_id.as_str());
    }
    let mut results = Vec::with_capacity(quiz.questions.len());
    let mut correct = 0u32;
    for question in &quiz.questions {
        let picked = chosen.remove(question.id.as_str()).unwrap_or_default();
        if !question.is_multiple() && picked.len() > 1 {
            return Err(GradeError::TooManyAnswers(question.id.clone()));
        }
        let right: BTreeSet<&str> = question
            .options
            .iter()
            .filter(|o| o.correct)
            .map(|o| o.id.as_str())
            .collect();
        let is_correct = picked == right;
        correct += u32::from(is_correct);
        results.push(QuestionResult {
            question: question.id.clone(),
            chosen: picked.iter().map(|s| (*s).to_owned()).collect(),
            correct_options: right.iter().map(|s| (*s).to_owned()).collect(),
            is_correct,
        });
    }
    let total = u32::try_from(quiz.questions.len())
        .unwrap_or(u32::MAX)
        .max(1);
    let percent = u8::try_from(correct * 100 / total).unwrap_or(100);
    Ok(Grade {
        correct,
        total,
        percent,
        passed: percent >= quiz.pass_mark,
        questions: results,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quizzes::{Question, QuizKind, QuizOption};

    fn question(id: &str, correct: &[bool]) -> Question {
        Question {
            id: id.into(),
            prompt: id.into(),
            body_html: String::new(),
            options: correct
                .iter()
                .enumerate()
                .map(|(i, c)| QuizOption {
                    id: ((b'a' + u8::try_from(i).unwrap_or(0)) as char).to_string(),
                    text: format!("option {i}"),
                    correct: *c,
                })
                .collect(),
            explanation_html: None,
        }
    }

    fn quiz(pass_mark: u8, questions: Vec<Question>) -> Quiz {
        Quiz {
            kind: QuizKind::Post,
            pass_mark,
            max_attempts: 3,
            shuffle_questions: false,
            shuffle_options: false,
            questions,
        }
    }

    fn answers(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(q, o)| ((*q).to_owned(), (*o).to_owned()))
            .collect()
    }

    #[test]
    fn single_choice_right_and_wrong() {
        let quiz = quiz(
            50,
            vec![
                question("q1", &[false, true, false]),
                question("q2", &[true, false]),
            ],
        );
        let grade = grade(&quiz, &answers(&[("q1", "b"), ("q2", "b")])).expect("graded");
        assert_eq!(
            (grade.correct, grade.total, grade.percent, grade.passed),
            (1, 2, 50, true)
        );
        assert!(grade.questions[0].is_correct && !grade.questions[1].is_correct);
        assert_eq!(grade.questions[1].correct_options, ["a"]);
    }

    #[test]
    fn select_all_that_apply_is_all_or_nothing() {
        let quiz = quiz(100, vec![question("q", &[true, true, false])]);
        let all = grade(&quiz, &answers(&[("q", "a"), ("q", "b")])).expect("graded");
        assert!(all.passed);
        let partial = grade(&quiz, &answers(&[("q", "a")])).expect("graded");
        assert_eq!(partial.correct, 0);
        let extra = grade(&quiz, &answers(&[("q", "a"), ("q", "b"), ("q", "c")])).expect("graded");
        assert_eq!(extra.correct, 0);
        let repeated =
            grade(&quiz, &answers(&[("q", "a"), ("q", "a"), ("q", "b")])).expect("graded");
        assert_eq!(repeated.correct, 1, "a resent value is the same choice");
    }

    #[test]
    fn percentages_round_down_and_decide_the_pass() {
        let three = |n| {
            quiz(
                67,
                (0..3)
                    .map(|i| question(&format!("q{i}"), &[true, false]))
                    .take(n)
                    .collect(),
            )
        };
        let two_of_three = grade(
            &three(3),
            &answers(&[("q0", "a"), ("q1", "a"), ("q2", "b")]),
        )
        .expect("graded");
        assert_eq!(two_of_three.percent, 66);
        assert!(!two_of_three.passed, "66.7 % shown as 66 does not pass 67");
        let eight = quiz(
            80,
            (0..8)
                .map(|i| question(&format!("q{i}"), &[true, false]))
                .collect(),
        );
        let seven: Vec<(&str, &str)> = vec![
            ("q0", "a"),
            ("q1", "a"),
            ("q2", "a"),
            ("q3", "a"),
            ("q4", "a"),
            ("q5", "a"),
            ("q6", "a"),
            ("q7", "b"),
        ];
        let grade = grade(&eight, &answers(&seven)).expect("graded");
        assert_eq!((grade.percent, grade.passed), (87, true));
    }

    #[test]
    fn unanswered_questions_count_as_wrong() {
        let quiz = quiz(
            50,
            vec![
                question("q1", &[true, false]),
                question("q2", &[true, false]),
            ],
        );
        let grade = grade(&quiz, &[]).expect("graded");
        assert_eq!((grade.correct, grade.percent, grade.passed), (0, 0, false));
    }

    #[test]
    fn tampered_answers_are_refused() {
        let quiz = quiz(50, vec![question("q1", &[true, false])]);
        assert_eq!(
            grade(&quiz, &answers(&[("q9", "a")])),
            Err(GradeError::UnknownQuestion("q9".into()))
        );
        assert!(matches!(
            grade(&quiz, &answers(&[("q1", "z")])),
            Err(GradeError::UnknownOption { .. })
        ));
        assert_eq!(
            grade(&quiz, &answers(&[("q1", "a"), ("q1", "b")])),
            Err(GradeError::TooManyAnswers("q1".into()))
        );
    }
}
