//! The quiz format: TOML front matter (kind, pass mark, attempts, shuffling), then one
//! `## heading` per question, its options as a task list with `[x]` on the correct ones, and
//! an optional `> explanation` blockquote after the options. Every problem names file and line.

use super::ContentError;
use super::front_matter::{self, line_of};
use super::markdown;
use pulldown_cmark::{Event, HeadingLevel, Parser, Tag, TagEnd};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::path::Path;

/// Pre (a baseline, never gates credit) or post (must be passed for credit).
pub use app::learning::QuizKind;

/// A validated quiz, answer key included: it never leaves the server as is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quiz {
    pub kind: QuizKind,
    /// Percent, 0 to 100.
    pub pass_mark: u8,
    pub max_attempts: u32,
    pub shuffle_questions: bool,
    pub shuffle_options: bool,
    pub questions: Vec<Question>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    /// Stable within the quiz revision: the heading's slug.
    pub id: String,
    pub prompt: String,
    /// Extra text between the heading and the options, sanitised HTML (may be empty).
    pub body_html: String,
    pub options: Vec<QuizOption>,
    /// Shown only after submission.
    pub explanation_html: Option<String>,
}

impl Question {
    /// Several correct options make a "select all that apply" question.
    pub fn is_multiple(&self) -> bool {
        self.options.iter().filter(|o| o.correct).count() > 1
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuizOption {
    /// `a`, `b`, `c`, … in the order written.
    pub id: String,
    pub text: String,
    pub correct: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct QuizMeta {
    kind: QuizKind,
    pass_mark: i64,
    max_attempts: i64,
    #[serde(default)]
    shuffle_questions: bool,
    #[serde(default)]
    shuffle_options: bool,
}

/// A question as it is being read, with the lines needed for errors.
#[derive(Default)]
struct Draft {
    line: usize,
    prompt: String,
    body: String,
    options: Vec<(String, bool, usize)>,
    explanation: Option<String>,
    list_seen: bool,
}

pub fn parse(path: &Path, text: &str) -> Result<Quiz, Vec<ContentError>> {
    let split = front_matter::split(path, text).map_err(|e| vec![e])?;
    let meta: QuizMeta = front_matter::parse(path, &split).map_err(|e| vec![e])?;
    let mut errors = Vec::new();
    let at = |key: &str| Some(front_matter::key_line(&split, key));
    if !(0..=100).contains(&meta.pass_mark) {
        errors.push(ContentError::new(
            path,
            at("pass_mark"),
            format!(
                "pass_mark = {} must be a percentage from 0 to 100",
                meta.pass_mark
            ),
        ));
    }
    if !(1..=100).contains(&meta.max_attempts) {
        errors.push(ContentError::new(
            path,
            at("max_attempts"),
            format!("max_attempts = {} must be from 1 to 100", meta.max_attempts),
        ));
    }

    let body = split.body;
    let offset = split.body_line - 1;
    errors.extend(super::image_problems(path, offset, body));
    let line = |byte: usize| line_of(body, byte) + offset;
    let mut drafts: Vec<Draft> = Vec::new();
    let mut in_heading = false;
    let mut in_item: Option<(bool, usize, String)> = None;
    let mut quote_start: Option<usize> = None;
    let mut depth_list = 0;

    for (event, range) in Parser::new_ext(body, markdown::options()).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading {
                level: HeadingLevel::H2,
                ..
            }) => {
                in_heading = true;
                drafts.push(Draft {
                    line: line(range.start),
                    ..Draft::default()
                });
            }
            Event::End(TagEnd::Heading(HeadingLevel::H2)) => in_heading = false,
            Event::Start(Tag::Heading { level, .. }) => errors.push(ContentError::new(
                path,
                Some(line(range.start)),
                format!(
                    "only `##` headings start questions here (found a level-{} heading)",
                    level as u8
                ),
            )),
            Event::Text(t) | Event::Code(t) if in_heading => {
                if let Some(draft) = drafts.last_mut() {
                    draft.prompt.push_str(&t);
                }
            }
            _ if drafts.is_empty() => {
                if let Event::Start(Tag::Paragraph | Tag::List(_) | Tag::BlockQuote(_)) = event {
                    errors.push(ContentError::new(
                        path,
                        Some(line(range.start)),
                        "text before the first `## question` heading",
                    ));
                }
            }
            Event::Start(Tag::BlockQuote(_)) if depth_list == 0 && quote_start.is_none() => {
                quote_start = Some(range.start);
                let Some(draft) = drafts.last_mut() else {
                    continue;
                };
                if !draft.list_seen {
                    errors.push(ContentError::new(
                        path,
                        Some(line(range.start)),
                        "the explanation (`> …`) must come after the options",
                    ));
                }
                if draft.explanation.is_some() {
                    errors.push(ContentError::new(
                        path,
                        Some(line(range.start)),
                        "a question has one explanation",
                    ));
                }
                let quoted = &body[range.clone()];
                let unquoted: String = quoted
                    .lines()
                    .map(|l| {
                        l.trim_start()
                            .strip_prefix('>')
                            .map_or(l, |r| r.strip_prefix(' ').unwrap_or(r))
                    })
                    .collect::<Vec<_>>()
                    .join("\n");
                draft.explanation = Some(markdown::render(&unquoted, false, &|_| None).html);
            }
            Event::End(TagEnd::BlockQuote(_)) if depth_list == 0 => quote_start = None,
            _ if quote_start.is_some() => {}
            Event::Start(Tag::List(_)) => {
                depth_list += 1;
                if depth_list == 1
                    && let Some(draft) = drafts.last_mut()
                {
                    if draft.list_seen {
                        errors.push(ContentError::new(
                            path,
                            Some(line(range.start)),
                            "a question has one list of options",
                        ));
                    }
                    draft.list_seen = true;
                }
            }
            Event::End(TagEnd::List(_)) => depth_list -= 1,
            Event::Start(Tag::Item) if depth_list == 1 => {
                in_item = Some((false, line(range.start), String::new()))
            }
            Event::TaskListMarker(checked) => {
                if let Some(item) = in_item.as_mut() {
                    item.0 = checked;
                    item.2.push('\u{1}');
                }
            }
            Event::Text(t) | Event::Code(t) if in_item.is_some() => {
                if let Some(item) = in_item.as_mut() {
                    item.2.push_str(&t);
                }
            }
            Event::SoftBreak if in_item.is_some() => {
                if let Some(item) = in_item.as_mut() {
                    item.2.push(' ');
                }
            }
            Event::End(TagEnd::Item) if depth_list == 1 => {
                if let (Some((checked, item_line, text)), Some(draft)) =
                    (in_item.take(), drafts.last_mut())
                {
                    match text.strip_prefix('\u{1}') {
                        Some(text) => {
                            draft
                                .options
                                .push((text.trim().to_owned(), checked, item_line))
                        }
                        None => errors.push(ContentError::new(
                            path,
                            Some(item_line),
                            "an option must be a task-list item: `- [ ] text` or `- [x] text`",
                        )),
                    }
                }
            }
            Event::Start(Tag::Paragraph) if depth_list == 0 => {
                if let Some(draft) = drafts.last_mut() {
                    if draft.list_seen {
                        errors.push(ContentError::new(
                            path,
                            Some(line(range.start)),
                            "text after the options must be an explanation (`> …`)",
                        ));
                    } else {
                        let end = body[range.start..]
                            .find("\n\n")
                            .map_or(body.len(), |i| range.start + i);
                        draft.body.push_str(&body[range.start..end]);
                        draft.body.push_str("\n\n");
                    }
                }
            }
            _ => {}
        }
    }

    let mut ids = HashSet::new();
    let mut questions = Vec::new();
    for draft in drafts {
        let prompt = draft.prompt.trim().to_owned();
        let here = Some(draft.line);
        if prompt.is_empty() {
            errors.push(ContentError::new(path, here, "a question heading is empty"));
            continue;
        }
        let mut id = markdown::slugify(&prompt);
        let base = id.clone();
        let mut n = 2;
        while !ids.insert(id.clone()) {
            id = format!("{base}-{n}");
            n += 1;
        }
        if draft.options.len() < 2 {
            errors.push(ContentError::new(
                path,
                here,
                format!("\"{prompt}\" needs at least two options (`- [ ] …`)"),
            ));
        }
        if !draft.options.is_empty() && draft.options.iter().all(|(_, correct, _)| !correct) {
            errors.push(ContentError::new(
                path,
                here,
                format!("\"{prompt}\" has no correct option: mark one or more with `[x]`"),
            ));
        }
        let mut seen = HashSet::new();
        for (text, _, option_line) in &draft.options {
            if text.is_empty() {
                errors.push(ContentError::new(
                    path,
                    Some(*option_line),
                    "an option has no text",
                ));
            } else if !seen.insert(text.to_lowercase()) {
                errors.push(ContentError::new(
                    path,
                    Some(*option_line),
                    format!("duplicate option \"{text}\""),
                ));
            }
        }
        let options = draft
            .options
            .into_iter()
            .enumerate()
            .map(|(i, (text, correct, _))| QuizOption {
                id: option_id(i),
                text,
                correct,
            })
            .collect();
        questions.push(Question {
            id,
            prompt,
            body_html: markdown::render(&draft.body, false, &|_| None).html,
            options,
            explanation_html: draft.explanation,
        });
    }
    if questions.is_empty() && errors.is_empty() {
        errors.push(ContentError::new(
            path,
            Some(split.body_line),
            "the quiz has no questions (`## …` headings)",
        ));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Quiz {
        kind: meta.kind,
        pass_mark: u8::try_from(meta.pass_mark).unwrap_or(100),
        max_attempts: u32::try_from(meta.max_attempts).unwrap_or(1),
        shuffle_questions: meta.shuffle_questions,
        shuffle_options: meta.shuffle_options,
        questions,
    })
}

/// `a` … `z`, then `aa`, `ab`, …
fn option_id(index: usize) -> String {
    const LETTERS: &[u8] = b"abcdefghijklmnopqrstuvwxyz";
    if index < 26 {
        (LETTERS[index] as char).to_string()
    } else {
        format!(
            "{}{}",
            option_id(index / 26 - 1),
            LETTERS[index % 26] as char
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn file() -> PathBuf {
        PathBuf::from("content/courses/demo/post-test.quiz.md")
    }

    const QUIZ: &str = "+++\nkind = \"post\"\npass_mark = 75\nmax_attempts = 3\nshuffle_options = true\n+++\n\n## Which is asynchronous?\n\nPick one.\n\n- [ ] Live video\n- [x] Store-and-forward\n\n> Data is **stored**, then reviewed later.\n\n## Which are telehealth? (select all that apply)\n\n- [x] CME courses\n- [x] Video visits\n- [ ] None of these\n";

    #[test]
    fn parses_single_and_multiple_choice_with_explanations() {
        let quiz = parse(&file(), QUIZ).expect("valid");
        assert_eq!(
            (quiz.kind, quiz.pass_mark, quiz.max_attempts),
            (QuizKind::Post, 75, 3)
        );
        assert!(quiz.shuffle_options && !quiz.shuffle_questions);
        assert_eq!(quiz.questions.len(), 2);
        let first = &quiz.questions[0];
        assert_eq!(first.id, "which-is-asynchronous");
        assert!(!first.is_multiple());
        assert_eq!(
            first.options[1],
            QuizOption {
                id: "b".into(),
                text: "Store-and-forward".into(),
                correct: true
            }
        );
        assert!(first.body_html.contains("Pick one."), "{}", first.body_html);
        assert!(
            first
                .explanation_html
                .as_deref()
                .is_some_and(|e| e.contains("<strong>stored</strong>"))
        );
        assert!(quiz.questions[1].is_multiple());
        assert_eq!(quiz.questions[1].explanation_html, None);
    }

    fn errors(text: &str) -> Vec<String> {
        parse(&file(), text)
            .expect_err("invalid")
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn a_question_without_a_correct_option_names_its_line() {
        let text = QUIZ.replace("- [x] Store-and-forward", "- [ ] Store-and-forward");
        assert_eq!(
            errors(&text),
            [
                "content/courses/demo/post-test.quiz.md:8: \"Which is asynchronous?\" has no correct option: mark one or more with `[x]`"
            ]
        );
    }

    #[test]
    fn pass_mark_and_attempts_are_checked() {
        let text = QUIZ
            .replace("pass_mark = 75", "pass_mark = 120")
            .replace("max_attempts = 3", "max_attempts = 0");
        let found = errors(&text);
        assert!(
            found[0].contains(":3: pass_mark = 120 must be a percentage"),
            "{found:?}"
        );
        assert!(found[1].contains(":4: max_attempts = 0"), "{found:?}");
    }

    #[test]
    fn duplicate_options_and_plain_list_items_are_refused() {
        let text = QUIZ.replace("- [ ] None of these", "- [ ] cme courses\n- Plain item");
        let found = errors(&text);
        assert!(
            found
                .iter()
                .any(|e| e.contains(":21: duplicate option \"cme courses\"")),
            "{found:?}"
        );
        assert!(
            found
                .iter()
                .any(|e| e.contains(":22: an option must be a task-list item")),
            "{found:?}"
        );
    }

    #[test]
    fn explanation_before_options_and_stray_text_are_refused() {
        let text = "+++\nkind = \"pre\"\npass_mark = 0\nmax_attempts = 1\n+++\nIntro text.\n\n## Q\n\n> Too early\n\n- [x] A\n- [ ] B\n\nAfter.\n";
        let found = errors(text);
        assert!(
            found
                .iter()
                .any(|e| e.contains(":6: text before the first")),
            "{found:?}"
        );
        assert!(
            found
                .iter()
                .any(|e| e.contains(":10: the explanation (`> …`) must come after the options")),
            "{found:?}"
        );
        assert!(
            found
                .iter()
                .any(|e| e.contains(":15: text after the options")),
            "{found:?}"
        );
    }

    #[test]
    fn unknown_kind_and_keys_are_errors_with_lines() {
        let text = QUIZ.replace("kind = \"post\"", "kind = \"final\"");
        assert!(
            errors(&text)[0].contains(":2: unknown variant `final`"),
            "{:?}",
            errors(&text)
        );
    }

    #[test]
    fn option_ids_continue_past_z() {
        assert_eq!(option_id(0), "a");
        assert_eq!(option_id(25), "z");
        assert_eq!(option_id(26), "aa");
    }
}
