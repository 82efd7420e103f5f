//! One course folder: `course.md` (front matter + overview) and `NN-<slug>.md` lessons.
//! Parsed into typed structs, validated with every error collected, rendered once.

use super::ContentError;
use super::activity::{self, CreditMeta, PersonMeta, StatementsMeta};
use super::front_matter;
use super::kit::{Problems, SourceFile, hash_files, is_slug};
use super::markdown;
use app::accounts::Profession;
use app::catalog::{CourseCard, CourseDetail, FacultyMember, LessonLink, TocEntry};
use serde::Deserialize;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CourseMeta {
    title: String,
    summary: String,
    professions: Vec<Profession>,
    #[serde(default)]
    featured: bool,
    estimated_minutes: u32,
    release_date: toml::value::Datetime,
    expiry_date: toml::value::Datetime,
    #[serde(default)]
    objectives: Vec<String>,
    #[serde(default)]
    credits: Vec<CreditMeta>,
    #[serde(default)]
    faculty: Vec<PersonMeta>,
    statements: Option<StatementsMeta>,
    /// The evaluation's agreement statements; the defaults apply when absent.
    #[serde(default)]
    evaluation: Vec<String>,
    /// Whether a learner may take the post-test without the pre-test and the lessons
    /// ("testing out"); the course page then says so. Off unless written.
    #[serde(default)]
    test_out: bool,
    /// The course is the recording of a past live webinar (ACCME's enduring material).
    recording: Option<RecordingMeta>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RecordingMeta {
    /// The webinar's slug (`content/webinars/<slug>.md`).
    webinar: String,
    /// Where the video is hosted (https).
    video_url: String,
    minutes: i64,
}

#[derive(Debug, Clone)]
pub struct Lesson {
    pub slug: String,
    pub title: String,
    pub position: u32,
    pub source: String,
    pub html: String,
    pub toc: Vec<TocEntry>,
}

/// A link to another page of the site, checked once every course is loaded.
#[derive(Debug, Clone)]
pub struct SiteLink {
    pub file: PathBuf,
    pub line: usize,
    pub href: String,
}

/// A course that passed every check, rendered and ready to store.
#[derive(Debug, Clone)]
pub struct Course {
    pub slug: String,
    /// `revision` is 0 here; the store assigns the real number.
    pub detail: CourseDetail,
    pub lessons: Vec<Lesson>,
    /// `course.md` as written.
    pub source: String,
    /// SHA-256 over every markdown file of the folder, names included.
    pub content_hash: String,
    pub site_links: Vec<SiteLink>,
    /// Validated quizzes by file name (`pre-test.quiz.md`, `post-test.quiz.md`).
    pub quizzes: Vec<(String, crate::content::quiz::Quiz)>,
    /// The quiz files as written, by file name.
    pub quiz_sources: Vec<(String, String)>,
    /// Every file as written, by name: what the revision keeps and the studio edits.
    pub files: Vec<SourceFile>,
}

/// Reads and validates one course folder. Returns every problem found, not just the first.
pub fn load_course(dir: &Path) -> Result<Course, Vec<ContentError>> {
    let slug = dir
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let files = match read_markdown_files(dir) {
        Ok(files) => files,
        Err(error) => return Err(vec![error]),
    };
    check_course(dir, &slug, files)
}

/// Validates a course's files as held in memory (a folder read by [`load_course`], or a
/// studio draft), named as they are in the folder; problems name `dir`/file and line.
pub fn check_course(
    dir: &Path,
    slug: &str,
    mut files: Vec<SourceFile>,
) -> Result<Course, Vec<ContentError>> {
    let mut errors = Vec::new();
    let slug = slug.to_owned();
    if !is_slug(&slug) {
        errors.push(ContentError::new(
            dir,
            None,
            "a course folder name must be lowercase letters, digits and single hyphens (it becomes the URL)",
        ));
    }
    files.sort_by(|a, b| a.name.cmp(&b.name));
    let content_hash = hash_files(&files);

    let course_path = dir.join("course.md");
    let Some(course_file) = files.iter().find(|f| f.name == "course.md") else {
        errors.push(ContentError::new(
            &course_path,
            None,
            "every course folder needs a course.md",
        ));
        return Err(errors);
    };

    // Lessons first: the overview's links are checked against them.
    let quizzes = load_quizzes(dir, &files, &mut errors);
    let mut lesson_files: Vec<(u32, String, &SourceFile)> = Vec::new();
    for file in &files {
        if file.name == "course.md" || file.name.ends_with(".quiz.md") {
            continue;
        }
        match parse_lesson_name(&file.name) {
            Some((position, lesson_slug)) => lesson_files.push((position, lesson_slug, file)),
            None => errors.push(ContentError::new(
                &dir.join(&file.name),
                None,
                "not a lesson file name: lessons are named NN-<slug>.md, e.g. 01-introduction.md",
            )),
        }
    }
    lesson_files.sort_by_key(|(position, _, _)| *position);
    let mut seen_positions = HashSet::new();
    let mut seen_slugs = HashSet::new();
    for (position, lesson_slug, file) in &lesson_files {
        let path = dir.join(&file.name);
        if !seen_positions.insert(*position) {
            errors.push(ContentError::new(
                &path,
                None,
                format!("duplicate lesson number {position:02}"),
            ));
        }
        if !seen_slugs.insert(lesson_slug.clone()) {
            errors.push(ContentError::new(
                &path,
                None,
                format!("duplicate lesson slug \"{lesson_slug}\""),
            ));
        }
    }
    if lesson_files.is_empty() {
        errors.push(ContentError::new(
            &course_path,
            None,
            "the course has no lessons (NN-<slug>.md files)",
        ));
    }

    let lesson_names: Vec<(String, String)> = lesson_files
        .iter()
        .map(|(_, lesson_slug, file)| (file.name.clone(), lesson_slug.clone()))
        .collect();
    let rewrite = |href: &str| -> Option<String> {
        let (file, fragment) = href
            .split_once('#')
            .map_or((href, ""), |(f, frag)| (f, frag));
        let (_, lesson_slug) = lesson_names.iter().find(|(name, _)| name == file)?;
        let fragment = if fragment.is_empty() {
            String::new()
        } else {
            format!("#{fragment}")
        };
        Some(format!("/courses/{slug}/{lesson_slug}{fragment}"))
    };

    let mut site_links = Vec::new();
    let mut lessons = Vec::new();
    for (index, (_, lesson_slug, file)) in lesson_files.iter().enumerate() {
        let path = dir.join(&file.name);
        let rendered = markdown::render(&file.text, true, &rewrite);
        errors.extend(super::image_problems(&path, 0, &file.text));
        check_links(
            &path,
            0,
            &rendered.links,
            &rewrite,
            &mut site_links,
            &mut errors,
        );
        let Some(title) = rendered.title.filter(|t| !t.is_empty()) else {
            errors.push(ContentError::new(
                &path,
                Some(1),
                "a lesson must start with a `# Title` heading",
            ));
            continue;
        };
        lessons.push(Lesson {
            slug: lesson_slug.clone(),
            title,
            position: u32::try_from(index + 1).unwrap_or(u32::MAX),
            source: file.text.clone(),
            html: rendered.html,
            toc: rendered.toc,
        });
    }

    let detail = parse_course_md(
        &course_path,
        &course_file.text,
        &slug,
        &lessons,
        &rewrite,
        &mut site_links,
        &mut errors,
    );
    match detail {
        Some(detail) if errors.is_empty() => Ok(Course {
            slug,
            detail,
            lessons,
            source: course_file.text.clone(),
            content_hash,
            site_links,
            quiz_sources: quizzes
                .iter()
                .filter_map(|(name, _)| {
                    files
                        .iter()
                        .find(|f| &f.name == name)
                        .map(|f| (name.clone(), f.text.clone()))
                })
                .collect(),
            quizzes,
            files,
        }),
        _ => Err(errors),
    }
}

/// `pre-test.quiz.md` must be a pre-test and `post-test.quiz.md` a post-test; other quiz
/// file names are refused so a typo never leaves a course without its post-test.
fn load_quizzes(
    dir: &Path,
    files: &[SourceFile],
    errors: &mut Vec<ContentError>,
) -> Vec<(String, crate::content::quiz::Quiz)> {
    use crate::content::quiz::QuizKind;
    let mut quizzes = Vec::new();
    for file in files.iter().filter(|f| f.name.ends_with(".quiz.md")) {
        let path = dir.join(&file.name);
        let expected = match file.name.as_str() {
            "pre-test.quiz.md" => QuizKind::Pre,
            "post-test.quiz.md" => QuizKind::Post,
            _ => {
                errors.push(ContentError::new(
                    &path,
                    None,
                    "quiz files are named pre-test.quiz.md or post-test.quiz.md",
                ));
                continue;
            }
        };
        match crate::content::quiz::parse(&path, &file.text) {
            Ok(quiz) if quiz.kind != expected => errors.push(ContentError::new(
                &path,
                Some(2),
                format!(
                    "this file must have kind = \"{}\"",
                    if expected == QuizKind::Pre {
                        "pre"
                    } else {
                        "post"
                    }
                ),
            )),
            Ok(quiz) => quizzes.push((file.name.clone(), quiz)),
            Err(found) => errors.extend(found),
        }
    }
    quizzes
}

fn parse_course_md(
    path: &Path,
    text: &str,
    slug: &str,
    lessons: &[Lesson],
    rewrite: &dyn Fn(&str) -> Option<String>,
    site_links: &mut Vec<SiteLink>,
    errors: &mut Vec<ContentError>,
) -> Option<CourseDetail> {
    let split = match front_matter::split(path, text) {
        Ok(split) => split,
        Err(error) => {
            errors.push(error);
            return None;
        }
    };
    let meta: CourseMeta = match front_matter::parse(path, &split) {
        Ok(meta) => meta,
        Err(error) => {
            errors.push(error);
            return None;
        }
    };
    let before = errors.len();
    let mut problems = Problems::new(path, &split);
    activity::check_title_and_summary(&mut problems, &meta.title, &meta.summary);
    activity::check_professions(&mut problems, &meta.professions, "course");
    let recording = match &meta.recording {
        None => None,
        Some(RecordingMeta {
            webinar,
            video_url,
            minutes,
        }) => {
            let before = problems.errors.len();
            if !is_slug(webinar.trim()) {
                problems.at_key(
                    "webinar",
                    format!("webinar = \"{webinar}\": write the slug of the live webinar this records, as in content/webinars/<slug>.md"),
                );
            }
            if !video_url.trim().starts_with("https://") || video_url.trim().len() < 12 {
                problems.at_key(
                    "video_url",
                    format!("video_url = \"{video_url}\": write the https:// address the video is hosted at"),
                );
            }
            if !(1..=24 * 60).contains(minutes) {
                problems.at_key(
                    "minutes",
                    format!(
                        "minutes = {minutes}: write the recording's length in whole minutes, from 1"
                    ),
                );
            }
            (problems.errors.len() == before).then(|| app::catalog::RecordingOf {
                webinar: webinar.trim().to_owned(),
                video_url: video_url.trim().to_owned(),
                minutes: u32::try_from(*minutes).unwrap_or(0),
            })
        }
    };
    if meta.estimated_minutes == 0 {
        problems.at_key(
            "estimated_minutes",
            "estimated_minutes must be more than 0".into(),
        );
    }
    let objectives = activity::check_objectives(&mut problems, &meta.objectives);
    let credits = activity::check_credits(&mut problems, &meta.credits);
    let faculty: Vec<FacultyMember> = activity::check_people(
        &mut problems,
        "faculty",
        &meta.faculty,
        Some("faculty member and planner"),
    )
    .into_iter()
    .map(|person| FacultyMember {
        relationships: person.relationships(),
        name: person.name,
        role: person.role,
    })
    .collect();
    let (accreditation, designation) =
        activity::check_statements(&mut problems, meta.statements.as_ref());
    if meta.evaluation.len() > 10 {
        problems.at_key(
            "evaluation",
            format!(
                "evaluation has {} statements: keep it to at most 10 so learners finish it",
                meta.evaluation.len()
            ),
        );
    }
    for statement in &meta.evaluation {
        let length = statement.trim().chars().count();
        if !(1..=200).contains(&length) {
            problems.at_key(
                "evaluation",
                "each evaluation statement needs 1 to 200 characters".into(),
            );
        }
    }

    let release = date_only(&meta.release_date);
    let expiry = date_only(&meta.expiry_date);
    match (&release, &expiry) {
        (None, _) => problems.at_key(
            "release_date",
            "release_date must be a date like 2026-01-15".into(),
        ),
        (_, None) => problems.at_key(
            "expiry_date",
            "expiry_date must be a date like 2028-01-14".into(),
        ),
        (Some(release), Some(expiry)) if expiry <= release => {
            problems.at_key(
                "expiry_date",
                format!("expiry_date {expiry} must be after release_date {release}"),
            );
        }
        _ => {}
    }

    errors.append(&mut problems.errors);
    let rendered = markdown::render(split.body, false, rewrite);
    errors.extend(super::image_problems(path, split.body_line - 1, split.body));
    check_links(
        path,
        split.body_line - 1,
        &rendered.links,
        rewrite,
        site_links,
        errors,
    );

    if errors.len() > before {
        return None;
    }
    let lesson_count = u32::try_from(lessons.len()).unwrap_or(u32::MAX);
    Some(CourseDetail {
        card: CourseCard {
            slug: slug.to_owned(),
            title: meta.title.trim().to_owned(),
            summary: meta.summary.trim().to_owned(),
            professions: meta.professions,
            credits,
            estimated_minutes: meta.estimated_minutes,
            lesson_count,
            release_date: release.unwrap_or_default(),
            expiry_date: expiry.unwrap_or_default(),
            featured: meta.featured,
            revision: 0,
        },
        objectives,
        faculty,
        accreditation_statement: accreditation,
        designation_statement: designation,
        overview_html: rendered.html,
        evaluation: meta
            .evaluation
            .iter()
            .map(|s| s.trim().to_owned())
            .collect(),
        test_out: meta.test_out,
        recording,
        lessons: lessons
            .iter()
            .map(|l| LessonLink {
                slug: l.slug.clone(),
                title: l.title.clone(),
                position: l.position,
            })
            .collect(),
    })
}

/// Checks the links of one file: lesson file links must name a lesson of this course, site
/// links are kept for the cross-course check. `line_offset` maps body lines to file lines.
fn check_links(
    path: &Path,
    line_offset: usize,
    links: &[markdown::Link],
    rewrite: &dyn Fn(&str) -> Option<String>,
    site_links: &mut Vec<SiteLink>,
    errors: &mut Vec<ContentError>,
) {
    for link in links {
        let line = link.line + line_offset;
        let target = link.href.split(['#', '?']).next().unwrap_or_default();
        if target.ends_with(".md") && !target.contains("://") {
            if rewrite(&link.href).is_none() {
                errors.push(ContentError::new(
                    path,
                    Some(line),
                    format!(
                        "broken link: {} is not a lesson file of this course",
                        link.href
                    ),
                ));
            }
        } else if link.href.starts_with("/courses/") {
            site_links.push(SiteLink {
                file: path.to_path_buf(),
                line,
                href: link.href.clone(),
            });
        }
    }
}

fn date_only(value: &toml::value::Datetime) -> Option<String> {
    match (value.date, value.time, value.offset) {
        (Some(date), None, None) => Some(date.to_string()),
        _ => None,
    }
}

/// `01-introduction.md` → `(1, "introduction")`.
fn parse_lesson_name(name: &str) -> Option<(u32, String)> {
    let stem = name.strip_suffix(".md")?;
    let (number, slug) = stem.split_once('-')?;
    if number.len() != 2 || !number.bytes().all(|b| b.is_ascii_digit()) || !is_slug(slug) {
        return None;
    }
    Some((number.parse().ok()?, slug.to_owned()))
}

fn read_markdown_files(dir: &Path) -> Result<Vec<SourceFile>, ContentError> {
    let entries = std::fs::read_dir(dir).map_err(|error| {
        ContentError::new(dir, None, format!("cannot read the folder: {error}"))
    })?;
    let mut files = Vec::new();
    for entry in entries {
        let path = entry
            .map_err(|error| {
                ContentError::new(dir, None, format!("cannot read the folder: {error}"))
            })?
            .path();
        if path.extension().is_none_or(|ext| ext != "md") || !path.is_file() {
            continue;
        }
        let text = std::fs::read_to_string(&path).map_err(|error| {
            ContentError::new(
                &path,
                None,
                format!("cannot read the file (it must be UTF-8 text): {error}"),
            )
        })?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        files.push(SourceFile { name, text });
    }
    files.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(files)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use app::catalog::Hours;

    pub(crate) const VALID_COURSE_MD: &str = r#"+++
title = "A course"
summary = "What it is about."
professions = ["nurse"]
estimated_minutes = 30
release_date = 2026-01-15
expiry_date = 2028-01-14
objectives = ["Explain one thing"]

[[credits]]
type = "nursing-contact-hours"
max_hours = 0.5

[[faculty]]
name = "A. Author, RN"
role = "Course director"
disclosure = "none"

[statements]
accreditation = "Accredited by someone."
designation = "Designated for 0.5 contact hours."
+++
Overview text.
"#;

    fn course_dir(course_md: &str, lessons: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf) {
        let root = tempfile::tempdir().expect("temp dir");
        let dir = root.path().join("demo-course");
        std::fs::create_dir_all(&dir).expect("mkdir");
        std::fs::write(dir.join("course.md"), course_md).expect("write");
        for (name, text) in lessons {
            std::fs::write(dir.join(name), text).expect("write");
        }
        (root, dir)
    }

    fn errors_of(course_md: &str, lessons: &[(&str, &str)]) -> Vec<ContentError> {
        let (_root, dir) = course_dir(course_md, lessons);
        load_course(&dir).expect_err("should fail")
    }

    const ONE_LESSON: &[(&str, &str)] = &[("01-start.md", "# Start\n\nHello.\n")];

    #[test]
    fn a_valid_course_loads() {
        let (_root, dir) = course_dir(
            VALID_COURSE_MD,
            &[
                ("01-start.md", "# Start\n\nSee [next](02-end.md).\n"),
                ("02-end.md", "# End\n\n## Part\n"),
            ],
        );
        let course = load_course(&dir).expect("valid");
        assert_eq!(course.slug, "demo-course");
        assert_eq!(
            course.detail.card.credits[0].max_hours,
            Hours::from_quarters(2)
        );
        assert_eq!(course.detail.faculty[0].relationships, None);
        assert_eq!(course.lessons.len(), 2);
        assert_eq!(course.lessons[1].title, "End");
        assert!(
            course.lessons[0]
                .html
                .contains("href=\"/courses/demo-course/end\""),
            "{}",
            course.lessons[0].html
        );
        assert_eq!(course.detail.card.release_date, "2026-01-15");
    }

    #[test]
    fn a_recording_names_its_webinar_an_https_video_and_its_length() {
        let recording = "[recording]\nwebinar = \"journal-club\"\nvideo_url = \"https://video.example.org/j\"\nminutes = 58\n\n[[credits]]";
        let md = VALID_COURSE_MD.replacen("[[credits]]", recording, 1);
        let (_root, dir) = course_dir(&md, ONE_LESSON);
        let course = load_course(&dir).expect("valid");
        assert_eq!(
            course.detail.recording.map(|r| (r.webinar, r.minutes)),
            Some(("journal-club".to_owned(), 58))
        );
        let bad = md
            .replace("journal-club", "Journal Club!")
            .replace("https://video.example.org/j", "http://video.example.org/j")
            .replace("minutes = 58", "minutes = 0");
        let errors = errors_of(&bad, ONE_LESSON);
        let said: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(errors.len(), 3, "{said:?}");
        for (line, needle) in [
            (11, "webinar = \"Journal Club!\""),
            (12, "https://"),
            (13, "minutes = 0"),
        ] {
            assert!(
                errors
                    .iter()
                    .any(|e| e.line == Some(line) && e.message.contains(needle)),
                "line {line}, {needle}: {said:?}"
            );
        }
    }

    #[test]
    fn credit_must_be_in_quarter_steps() {
        let md = VALID_COURSE_MD.replace("max_hours = 0.5", "max_hours = 0.3");
        let errors = errors_of(&md, ONE_LESSON);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].line, Some(12), "{}", errors[0]);
        assert!(errors[0].message.contains("0.25 steps"), "{}", errors[0]);

        for ok in ["0.25", "0.75", "1.0", "1.25", "2"] {
            let md = VALID_COURSE_MD.replace("max_hours = 0.5", &format!("max_hours = {ok}"));
            let (_root, dir) = course_dir(&md, ONE_LESSON);
            assert!(load_course(&dir).is_ok(), "{ok} should be accepted");
        }
        for bad in ["0", "-1", "1.1", "0.125"] {
            let md = VALID_COURSE_MD.replace("max_hours = 0.5", &format!("max_hours = {bad}"));
            assert!(
                !errors_of(&md, ONE_LESSON).is_empty(),
                "{bad} should be refused"
            );
        }
    }

    #[test]
    fn missing_objectives_disclosure_and_statements_are_named() {
        let md = VALID_COURSE_MD
            .replace("objectives = [\"Explain one thing\"]", "objectives = []")
            .replace("disclosure = \"none\"", "disclosure = \"\"")
            .replace("[statements]\naccreditation = \"Accredited by someone.\"\ndesignation = \"Designated for 0.5 contact hours.\"\n", "");
        let errors = errors_of(&md, ONE_LESSON);
        let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(errors.len(), 3, "{text:#?}");
        assert!(
            text[0].contains("course.md:8: missing learning objectives"),
            "{text:#?}"
        );
        assert!(
            text[1].contains("course.md:17: missing disclosure for A. Author, RN"),
            "{text:#?}"
        );
        assert!(text[2].contains("missing [statements]"), "{text:#?}");
    }

    #[test]
    fn evaluation_statements_are_the_courses_own_and_checked() {
        let md = VALID_COURSE_MD.replace(
            "objectives = [\"Explain one thing\"]",
            "objectives = [\"Explain one thing\"]\nevaluation = [\"  The cases matched my clinic.  \"]",
        );
        let (_root, dir) = course_dir(&md, ONE_LESSON);
        let course = load_course(&dir).expect("valid");
        assert_eq!(course.detail.evaluation, ["The cases matched my clinic."]);

        let md = VALID_COURSE_MD.replace(
            "objectives = [\"Explain one thing\"]",
            "objectives = [\"Explain one thing\"]\nevaluation = [\"\", \"Fine.\"]",
        );
        let errors = errors_of(&md, ONE_LESSON);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].line, Some(9), "{}", errors[0]);
        assert!(
            errors[0].message.contains("1 to 200 characters"),
            "{}",
            errors[0]
        );

        let many: Vec<String> = (0..11).map(|i| format!("\"Statement {i}.\"")).collect();
        let md = VALID_COURSE_MD.replace(
            "objectives = [\"Explain one thing\"]",
            &format!(
                "objectives = [\"Explain one thing\"]\nevaluation = [{}]",
                many.join(", ")
            ),
        );
        let errors = errors_of(&md, ONE_LESSON);
        assert!(errors[0].message.contains("at most 10"), "{}", errors[0]);
    }

    #[test]
    fn unknown_profession_names_its_line() {
        let md = VALID_COURSE_MD.replace("[\"nurse\"]", "[\"nurse\", \"dentist\"]");
        let errors = errors_of(&md, ONE_LESSON);
        assert_eq!(errors[0].line, Some(4), "{}", errors[0]);
        assert!(errors[0].message.contains("dentist"), "{}", errors[0]);
    }

    #[test]
    fn duplicate_lesson_slugs_and_numbers_are_refused() {
        let errors = errors_of(
            VALID_COURSE_MD,
            &[
                ("01-start.md", "# A\n"),
                ("02-start.md", "# B\n"),
                ("02-other.md", "# C\n"),
            ],
        );
        let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert!(
            text.iter()
                .any(|e| e.contains("duplicate lesson slug \"start\"")),
            "{text:#?}"
        );
        assert!(
            text.iter()
                .any(|e| e.contains("duplicate lesson number 02")),
            "{text:#?}"
        );
    }

    #[test]
    fn broken_lesson_link_names_file_and_line() {
        let errors = errors_of(
            VALID_COURSE_MD,
            &[("01-start.md", "# Start\n\nText\n\n[gone](03-missing.md)\n")],
        );
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].file.ends_with("01-start.md"));
        assert_eq!(errors[0].line, Some(5));
    }

    #[test]
    fn lesson_without_title_and_badly_named_files_are_refused() {
        let errors = errors_of(
            VALID_COURSE_MD,
            &[
                ("01-start.md", "No heading here.\n"),
                ("intro.md", "# Intro\n"),
            ],
        );
        let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert!(
            text.iter()
                .any(|e| e.contains("intro.md: not a lesson file name")),
            "{text:#?}"
        );
        assert!(
            text.iter()
                .any(|e| e.contains("01-start.md:1: a lesson must start")),
            "{text:#?}"
        );
    }

    #[test]
    fn quizzes_are_validated_with_the_course() {
        let quiz = "+++\nkind = \"post\"\npass_mark = 80\nmax_attempts = 2\n+++\n## Q\n\n- [ ] A\n- [ ] B\n";
        let errors = errors_of(
            VALID_COURSE_MD,
            &[("01-start.md", "# Start\n"), ("post-test.quiz.md", quiz)],
        );
        assert!(
            errors[0].to_string().ends_with(
                "post-test.quiz.md:6: \"Q\" has no correct option: mark one or more with `[x]`"
            ),
            "{errors:?}"
        );

        let wrong_kind = quiz.replace("- [ ] A", "- [x] A");
        let errors = errors_of(
            VALID_COURSE_MD,
            &[
                ("01-start.md", "# Start\n"),
                ("pre-test.quiz.md", &wrong_kind),
            ],
        );
        assert!(errors[0].message.contains("kind = \"pre\""), "{errors:?}");

        let (_root, dir) = course_dir(
            VALID_COURSE_MD,
            &[
                ("01-start.md", "# Start\n"),
                ("post-test.quiz.md", &wrong_kind),
            ],
        );
        let course = load_course(&dir).expect("valid");
        assert_eq!(course.quizzes.len(), 1);
    }

    #[test]
    fn expiry_must_follow_release() {
        let md = VALID_COURSE_MD.replace("expiry_date = 2028-01-14", "expiry_date = 2025-01-14");
        let errors = errors_of(&md, ONE_LESSON);
        assert_eq!(errors[0].line, Some(7), "{}", errors[0]);
    }

    #[test]
    fn hash_changes_only_with_content() {
        let (_root, dir) = course_dir(VALID_COURSE_MD, ONE_LESSON);
        let first = load_course(&dir).expect("valid").content_hash;
        assert_eq!(load_course(&dir).expect("valid").content_hash, first);
        std::fs::write(dir.join("01-start.md"), "# Start\n\nHello again.\n").expect("write");
        assert_ne!(load_course(&dir).expect("valid").content_hash, first);
    }
}
