//! Content: the file formats of `content/` (courses with their lessons, quizzes; the
//! accredited-activity core every activity file shares, and the format kit), read and
//! validated with problems that name the file and line, rendered once, and course revisions
//! stored immutable. The webinar file's own parts (sessions and zones) are `webinars::format`,
//! on this core.

pub mod activity;
pub(crate) mod course;
pub mod doors;
pub mod front_matter;
pub mod import;
pub mod kit;
pub mod markdown;
pub mod owners;
pub mod quiz;
pub mod store;

pub use course::{Course, Lesson, check_course, load_course};
pub use kit::SourceFile;

use std::fmt;
use std::path::{Path, PathBuf};

/// One problem in one content file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentError {
    pub file: PathBuf,
    /// 1-based; `None` when the problem is the file as a whole (unreadable, missing).
    pub line: Option<usize>,
    pub message: String,
}

impl ContentError {
    pub fn new(file: &Path, line: Option<usize>, message: impl Into<String>) -> Self {
        Self {
            file: file.to_path_buf(),
            line,
            message: message.into(),
        }
    }
}

/// An image without alt text in `markdown` (a file's body starting at line
/// `line_offset + 1`) is a problem at its line.
pub fn image_problems(path: &Path, line_offset: usize, markdown: &str) -> Vec<ContentError> {
    markdown::images_without_alt(markdown)
        .into_iter()
        .map(|line| {
            ContentError::new(
                path,
                Some(line + line_offset),
                "an image needs alt text that says what it shows: write it as ![what the image shows](file)",
            )
        })
        .collect()
}

impl fmt::Display for ContentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.file.display(), line, self.message),
            None => write!(f, "{}: {}", self.file.display(), self.message),
        }
    }
}

/// What loading a content directory found: the courses that passed every check, and every
/// problem in the others. A bad course never stops the good ones.
#[derive(Debug, Default)]
pub struct LoadReport {
    pub courses: Vec<Course>,
    /// Slugs of every course folder present, valid or not: a folder with errors keeps its
    /// last good revision published rather than disappearing.
    pub present: Vec<String>,
    pub errors: Vec<ContentError>,
}

/// Loads and validates every course under `dir/courses/`.
pub fn load_dir(dir: &Path) -> LoadReport {
    let mut report = LoadReport::default();
    let courses_dir = dir.join("courses");
    let entries = match std::fs::read_dir(&courses_dir) {
        Ok(entries) => entries,
        Err(error) => {
            report.errors.push(ContentError::new(
                &courses_dir,
                None,
                format!("cannot read the courses folder: {error}"),
            ));
            return report;
        }
    };
    let mut dirs: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.is_dir())
        .collect();
    dirs.sort();

    for path in dirs {
        let slug = path
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        report.present.push(slug);
        match load_course(&path) {
            Ok(course) => report.courses.push(course),
            Err(errors) => report.errors.extend(errors),
        }
    }
    check_cross_links(&mut report);
    report
}

/// Links of the form `/courses/{course}[/{lesson}]` must name a course (and lesson) that
/// exists in this content set. A course with a broken one is not published.
fn check_cross_links(report: &mut LoadReport) {
    let known: Vec<(String, Vec<String>)> = report
        .courses
        .iter()
        .map(|c| {
            (
                c.slug.clone(),
                c.lessons.iter().map(|l| l.slug.clone()).collect(),
            )
        })
        .collect();
    let exists = |course: &str, lesson: Option<&str>| {
        known.iter().any(|(slug, lessons)| {
            slug == course && lesson.is_none_or(|l| lessons.iter().any(|s| s == l))
        })
    };
    let mut broken = Vec::new();
    for (index, course) in report.courses.iter().enumerate() {
        broken.extend(
            site_link_problems(course, &exists)
                .into_iter()
                .map(|error| (index, error)),
        );
    }
    let mut failed: Vec<usize> = broken.iter().map(|(index, _)| *index).collect();
    failed.sort_unstable();
    failed.dedup();
    report
        .errors
        .extend(broken.into_iter().map(|(_, error)| error));
    for index in failed.into_iter().rev() {
        report.courses.remove(index);
    }
}

/// The course's links to other pages of the site (`/courses/{course}[/{lesson}]`) that name
/// no course or lesson `exists` knows: a folder import asks its content set, the studio the
/// published catalog.
pub fn site_link_problems(
    course: &Course,
    exists: &dyn Fn(&str, Option<&str>) -> bool,
) -> Vec<ContentError> {
    let mut broken = Vec::new();
    for link in &course.site_links {
        let path = link.href.split(['#', '?']).next().unwrap_or_default();
        let mut parts = path
            .trim_start_matches("/courses/")
            .trim_end_matches('/')
            .split('/');
        let target_course = parts.next().unwrap_or_default();
        let target_lesson = parts.next();
        if parts.next().is_some() || !exists(target_course, target_lesson) {
            broken.push(ContentError::new(
                &link.file,
                Some(link.line),
                format!(
                    "broken link: {} is not a published course or lesson",
                    link.href
                ),
            ));
        }
    }
    broken
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demo_content() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../content")
    }

    #[test]
    fn the_demo_content_is_valid() {
        let report = load_dir(&demo_content());
        let errors: Vec<String> = report.errors.iter().map(ToString::to_string).collect();
        assert!(errors.is_empty(), "{errors:#?}");
        assert!(report.courses.len() >= 2);
        let main = report
            .courses
            .iter()
            .find(|c| c.slug == "telehealth-for-clinical-teams")
            .expect("the main demo course");
        assert!(main.lessons.len() >= 4);
        for course in &report.courses {
            let kinds: Vec<&str> = course
                .quizzes
                .iter()
                .map(|(name, _)| name.as_str())
                .collect();
            assert_eq!(
                kinds,
                ["post-test.quiz.md", "pre-test.quiz.md"],
                "{}",
                course.slug
            );
        }
        let (_, post) = main
            .quizzes
            .iter()
            .find(|(name, _)| name == "post-test.quiz.md")
            .expect("post-test");
        assert!(post.questions.len() >= 8);
        assert!(post.questions.iter().all(|q| q.explanation_html.is_some()));
    }

    #[test]
    fn a_broken_cross_course_link_names_file_and_line() {
        let dir = tempfile::tempdir().expect("temp dir");
        let course = dir.path().join("courses/one");
        std::fs::create_dir_all(&course).expect("mkdir");
        std::fs::write(course.join("course.md"), course::tests::VALID_COURSE_MD).expect("write");
        std::fs::write(
            course.join("01-start.md"),
            "# Start\n\nFine: [self](/courses/one/start).\n\nBroken: [x](/courses/two/intro).\n",
        )
        .expect("write");
        let report = load_dir(dir.path());
        assert!(report.courses.is_empty());
        assert_eq!(report.present, ["one"]);
        assert_eq!(report.errors.len(), 1, "{:?}", report.errors);
        assert_eq!(report.errors[0].line, Some(5));
        assert!(report.errors[0].file.ends_with("01-start.md"));
    }
}
