//! Publishing course revisions, the one way a course revision is written ([`write_course`]),
//! whichever door it comes through: importing `content/` at start ([`import`]: a new
//! revision only when a folder changed, under the two-doors rule of [`super::doors`], a
//! course whose folder is gone retired and one that is back published again) or the studio.
//! All of a revision (its lessons, quizzes and files) or none of it; the catalog's version
//! moves with every change, so each app server reloads.

use super::Course;
use super::doors::{self, Decision};
use super::store::{self, StoreError};

#[derive(Debug, Default, PartialEq, Eq)]
pub struct ImportSummary {
    /// `(slug, revision number)` for every revision written.
    pub created: Vec<(String, i64)>,
    pub unchanged: usize,
    pub retired: Vec<String>,
    /// Folders that changed while the studio also published: held back (see [`super::doors`]).
    pub conflicts: Vec<String>,
}

/// Reads every course folder under the two-doors rule, and retires courses whose folder is
/// gone (`present` lists every folder found, valid or not) while the folder is what their
/// live revision came from. Each course is written in its own transaction.
pub async fn import(
    pool: &crate::db::Pool,
    courses: &[Course],
    present: &[String],
) -> Result<ImportSummary, StoreError> {
    let mut summary = ImportSummary::default();
    for course in courses {
        let mut tx = crate::db::write_tx(pool).await?;
        // Serialises on content imports and publishing: several servers starting at once
        // import each revision once, and a studio publish never interleaves with one.
        crate::db::lock(&mut tx, crate::db::On::Key("content-import")).await?;
        let course_id = store::course_id_or_new(&mut tx, &course.slug).await?;
        let folder_then = store::folder_hash(&mut tx, "course", &course.slug).await?;
        let live = store::latest_revision(&mut tx, course_id).await?;
        match doors::decide(
            folder_then.as_deref(),
            live.as_ref().map(|(_, hash)| hash.as_str()),
            &course.content_hash,
        ) {
            Decision::Unchanged => summary.unchanged += 1,
            Decision::Publish => {
                match write_course(&mut tx, course, None).await? {
                    Some((number, _)) => summary.created.push((course.slug.clone(), number)),
                    None => summary.unchanged += 1,
                }
                store::set_folder_hash(&mut tx, "course", &course.slug, &course.content_hash)
                    .await?;
                store::drop_conflict(&mut tx, "course", &course.slug).await?;
            }
            Decision::Conflict => {
                let files: Vec<(&str, &str)> = course
                    .files
                    .iter()
                    .map(|f| (f.name.as_str(), f.text.as_str()))
                    .collect();
                store::hold_conflict(
                    &mut tx,
                    "course",
                    &course.slug,
                    &serde_json::to_string(&files)?,
                    &course.content_hash,
                )
                .await?;
                summary.conflicts.push(course.slug.clone());
            }
        }
        tx.commit().await?;
    }

    let mut tx = crate::db::write_tx(pool).await?;
    // Serialises on content imports, as above.
    crate::db::lock(&mut tx, crate::db::On::Key("content-import")).await?;
    let active = store::active_slugs(&mut tx).await?;
    let mut changed = false;
    for slug in active.into_iter().filter(|slug| !present.contains(slug)) {
        let folder_then = store::folder_hash(&mut tx, "course", &slug).await?;
        let course_id = store::course_id_or_new(&mut tx, &slug).await?;
        let live = store::latest_revision(&mut tx, course_id).await?;
        if doors::retires(
            folder_then.as_deref(),
            live.as_ref().map(|(_, hash)| hash.as_str()),
        ) {
            store::retire(&mut tx, &slug).await?;
            summary.retired.push(slug);
            changed = true;
        }
    }
    for slug in present {
        changed |= store::restore(&mut tx, slug).await?;
    }
    if changed {
        store::bump_catalog_version(&mut tx).await?;
    }
    tx.commit().await?;
    Ok(summary)
}

/// Writes a new revision of `course` in the caller's transaction (which holds the
/// `content-import` lock): `(number, revision id)`, or `None` when the latest revision has
/// the same files. `published_by` is the studio's publisher (`None`: the folder).
pub async fn write_course(
    tx: &mut crate::db::Connection,
    course: &Course,
    published_by: Option<i64>,
) -> Result<Option<(i64, i64)>, StoreError> {
    let course_id = store::course_id_or_new(tx, &course.slug).await?;
    let latest = store::latest_revision(tx, course_id).await?;
    if latest
        .as_ref()
        .is_some_and(|(_, hash)| *hash == course.content_hash)
    {
        return Ok(None);
    }
    let number = latest.map_or(1, |(number, _)| number + 1);
    store::bump_catalog_version(tx).await?;
    let rendered = serde_json::to_string(&course.detail)?;
    let revision_id = store::insert_revision(
        tx,
        course_id,
        number,
        &course.content_hash,
        &course.source,
        &rendered,
    )
    .await?;
    if let Some(user) = published_by {
        store::set_course_publisher(tx, revision_id, user).await?;
    }
    for lesson in &course.lessons {
        let toc = serde_json::to_string(&lesson.toc)?;
        store::insert_lesson(tx, revision_id, lesson, &toc).await?;
    }
    for (name, quiz) in &course.quizzes {
        let source = course
            .quiz_sources
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, text)| text.as_str())
            .unwrap_or_default();
        let definition = serde_json::to_string(quiz)?;
        store::insert_quiz(tx, revision_id, quiz.kind.as_str(), source, &definition).await?;
    }
    store::insert_revision_files(tx, "course", revision_id, &course.files).await?;
    Ok(Some((number, revision_id)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::load_course;
    use crate::content::store::*;
    use crate::db;

    async fn pool(dir: &std::path::Path) -> crate::db::Pool {
        let url = format!("sqlite:{}", dir.join("test.db").display());
        let pool = db::connect(&url).await.expect("connect");
        db::migrate(&pool).await.expect("migrate");
        pool
    }

    fn write_course(root: &std::path::Path, lesson_text: &str) -> Course {
        let dir = root.join("courses/demo");
        std::fs::create_dir_all(&dir).expect("mkdir");
        std::fs::write(
            dir.join("course.md"),
            crate::content::course::tests::VALID_COURSE_MD,
        )
        .expect("write");
        std::fs::write(dir.join("01-start.md"), lesson_text).expect("write");
        std::fs::write(
            dir.join("post-test.quiz.md"),
            "+++\nkind = \"post\"\npass_mark = 50\nmax_attempts = 2\n+++\n## Which one?\n\n- [x] This\n- [ ] That\n",
        )
        .expect("write");
        load_course(&dir).expect("valid")
    }

    #[tokio::test]
    async fn revisions_are_created_only_when_files_change() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let pool = pool(tmp.path()).await;
        let present = vec!["demo".to_owned()];

        let v1 = write_course(tmp.path(), "# Start\n\nFirst words.\n");
        let first = import(&pool, std::slice::from_ref(&v1), &present)
            .await
            .expect("import");
        assert_eq!(first.created, [("demo".to_owned(), 1)]);

        let again = import(&pool, std::slice::from_ref(&v1), &present)
            .await
            .expect("import");
        assert_eq!(again.created, []);
        assert_eq!(again.unchanged, 1);

        let v2 = write_course(tmp.path(), "# Start\n\nBetter words.\n");
        let second = import(&pool, &[v2], &present).await.expect("import");
        assert_eq!(second.created, [("demo".to_owned(), 2)]);

        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM course_revisions")
            .fetch_one(&pool)
            .await
            .expect("count");
        assert_eq!(count, 2);
        // The first revision is kept as it was.
        let old: String = sqlx::query_scalar("SELECT html FROM lesson_revisions l JOIN course_revisions r ON r.id = l.revision_id WHERE r.number = 1")
            .fetch_one(&pool)
            .await
            .expect("old lesson");
        assert!(old.contains("First words."));

        let published = published(&pool).await.expect("published");
        assert_eq!(published.len(), 1);
        let first_id: i64 = sqlx::query_scalar("SELECT id FROM course_revisions WHERE number = 1")
            .fetch_one(&pool)
            .await
            .expect("id");
        let old_quiz = quiz(&pool, first_id, crate::content::quiz::QuizKind::Post)
            .await
            .expect("quiz")
            .expect("stored");
        assert_eq!(old_quiz.questions[0].prompt, "Which one?");
        assert_eq!(published[0].detail.card.revision, 2);
        assert!(published[0].lessons[0].html.contains("Better words."));
    }

    #[tokio::test]
    async fn a_removed_folder_retires_the_course_and_keeps_its_revisions() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let pool = pool(tmp.path()).await;
        let course = write_course(tmp.path(), "# Start\n");
        import(&pool, &[course], &["demo".to_owned()])
            .await
            .expect("import");
        let summary = import(&pool, &[], &[]).await.expect("import");
        assert_eq!(summary.retired, ["demo"]);
        assert!(published(&pool).await.expect("published").is_empty());
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM course_revisions")
            .fetch_one(&pool)
            .await
            .expect("count");
        assert_eq!(count, 1);
    }
}
