//! A draft checked by `content check`'s own code (`content::check_course`,
//! `webinars::format::check_webinar`; a course's links to other courses against the
//! published catalog), its problems named by file and line, and the previews rendered by
//! the publishing renderer and sanitiser.

use super::Kind;
use crate::content::{ContentError, Course, SourceFile, markdown};
use crate::webinars::format::Webinar;
use app::studio::{Problem, QuizPreviewQuestion};
use std::path::Path;

/// A draft that passed every check, ready for its kind's writer.
pub enum Checked {
    Course(Box<Course>),
    Webinar(Box<Webinar>),
}

fn problem(error: &ContentError) -> Problem {
    Problem {
        file: error
            .file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        line: error.line.and_then(|n| u32::try_from(n).ok()),
        message: error.message.clone(),
    }
}

/// Checks `files` as `content check` would, with a course's links to other courses checked
/// against what is published now (and the course itself).
pub async fn check(
    pool: &crate::db::Pool,
    kind: Kind,
    slug: &str,
    files: &[SourceFile],
) -> Result<Checked, Vec<Problem>> {
    match kind {
        Kind::Course => {
            let course = crate::content::check_course(
                &Path::new("courses").join(slug),
                slug,
                files.to_vec(),
            )
            .map_err(|errors| errors.iter().map(problem).collect::<Vec<_>>())?;
            let published = crate::content::store::published(pool)
                .await
                .map_err(|error| {
                    tracing::error!(%error, "cannot read the catalog to check links");
                    vec![Problem {
                        file: String::new(),
                        line: None,
                        message: "The catalog could not be read to check links; try again.".into(),
                    }]
                })?;
            let exists = |target: &str, lesson: Option<&str>| {
                if target == course.slug {
                    return lesson.is_none_or(|l| course.lessons.iter().any(|x| x.slug == l));
                }
                published.iter().any(|c| {
                    c.detail.card.slug == target
                        && lesson.is_none_or(|l| c.lessons.iter().any(|x| x.link.slug == l))
                })
            };
            let broken = crate::content::site_link_problems(&course, &exists);
            if broken.is_empty() {
                Ok(Checked::Course(Box::new(course)))
            } else {
                Err(broken.iter().map(problem).collect())
            }
        }
        Kind::Webinar => crate::webinars::format::check_webinar(Path::new("webinars"), slug, files)
            .map(|webinar| Checked::Webinar(Box::new(webinar)))
            .map_err(|errors| errors.iter().map(problem).collect()),
    }
}

/// What learners will see of one file: a lesson or the overview rendered as publishing
/// renders it (links to lesson files made site links), or a quiz's questions with the
/// correct options marked, for the educator.
pub fn preview(kind: Kind, slug: &str, name: &str, text: &str, names: &[String]) -> Preview {
    if name.ends_with(".quiz.md") {
        return match crate::content::quiz::parse(Path::new(name), text) {
            Ok(quiz) => Preview::Quiz(
                quiz.questions
                    .into_iter()
                    .map(|q| QuizPreviewQuestion {
                        prompt_html: format!(
                            "<p><strong>{}</strong></p>{}",
                            crate::html::escape(&q.prompt),
                            q.body_html
                        ),
                        options: q
                            .options
                            .into_iter()
                            .map(|o| (crate::html::escape(&o.text), o.correct))
                            .collect(),
                        explanation_html: q.explanation_html,
                    })
                    .collect(),
            ),
            Err(_) => Preview::Html(String::new()),
        };
    }
    let rewrite = |href: &str| -> Option<String> {
        let (file, fragment) = href.split_once('#').unwrap_or((href, ""));
        names.iter().find(|n| *n == file)?;
        let stem = file.strip_suffix(".md")?;
        let (_, lesson) = stem.split_once('-')?;
        let fragment = if fragment.is_empty() {
            String::new()
        } else {
            format!("#{fragment}")
        };
        Some(format!("{}/{lesson}{fragment}", kind.public_path(slug)))
    };
    let is_lesson = kind == Kind::Course && name != "course.md";
    let body = if is_lesson {
        text
    } else {
        crate::content::front_matter::split(Path::new(name), text)
            .map(|split| split.body)
            .unwrap_or("")
    };
    let rendered = markdown::render(body, is_lesson, &rewrite);
    let title = rendered
        .title
        .map(|t| format!("<p><strong>{}</strong></p>", crate::html::escape(&t)))
        .unwrap_or_default();
    Preview::Html(if kind == Kind::Webinar {
        // As the webinar page's description is made.
        markdown::sanitize(&rendered.html, std::collections::HashSet::new())
    } else {
        format!("{title}{}", rendered.html)
    })
}

pub enum Preview {
    Html(String),
    Quiz(Vec<QuizPreviewQuestion>),
}
