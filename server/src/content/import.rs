//! Importing course folders: a new revision only when a course's files changed (all of a
//! revision, its lessons and quizzes, or none of it), a course whose folder is gone retired
//! and one that is back published again; the catalog's version moves with every change, so
//! each app server reloads. The one way a course revision is written.

use super::Course;
use super::store::{self, StoreError};

#[derive(Debug, Default, PartialEq, Eq)]
pub struct ImportSummary {
    /// `(slug, revision number)` for every revision written.
    pub created: Vec<(String, i64)>,
    pub unchanged: usize,
    pub retired: Vec<String>,
}

/// Stores a new revision of every course whose files changed, and retires courses whose
/// folder is gone (`present` lists every folder found, valid or not). Each course is written
/// in its own transaction: all of a revision or none of it.
pub async fn import(
    pool: &crate::db::Pool,
    courses: &[Course],
    present: &[String],
) -> Result<ImportSummary, StoreError> {
    let mut summary = ImportSummary::default();
    for course in courses {
        match import_course(pool, course).await? {
            Some(number) => summary.created.push((course.slug.clone(), number)),
            None => summary.unchanged += 1,
        }
    }

    let mut tx = crate::db::write_tx(pool).await?;
    // Serialises on content imports: several servers starting at once import each revision once.
    crate::db::lock(&mut tx, crate::db::On::Key("content-import")).await?;
    let active = store::active_slugs(&mut tx).await?;
    let mut changed = false;
    for slug in active.into_iter().filter(|slug| !present.contains(slug)) {
        store::retire(&mut tx, &slug).await?;
        summary.retired.push(slug);
        changed = true;
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

/// Returns the new revision's number, or `None` when the latest one has the same hash.
async fn import_course(pool: &crate::db::Pool, course: &Course) -> Result<Option<i64>, StoreError> {
    let mut tx = crate::db::write_tx(pool).await?;
    // Serialises on content imports: several servers starting at once import each revision once.
    crate::db::lock(&mut tx, crate::db::On::Key("content-import")).await?;
    let course_id = store::course_id_or_new(&mut tx, &course.slug).await?;
    let latest = store::latest_revision(&mut tx, course_id).await?;
    if latest
        .as_ref()
        .is_some_and(|(_, hash)| *hash == course.content_hash)
    {
        return Ok(None);
    }
    let number = latest.map_or(1, |(number, _)| number + 1);
    store::bump_catalog_version(&mut tx).await?;
    let rendered = serde_json::to_string(&course.detail)?;
    let revision_id = store::insert_revision(
        &mut tx,
        course_id,
        number,
        &course.content_hash,
        &course.source,
        &rendered,
    )
    .await?;
    for lesson in &course.lessons {
        let toc = serde_json::to_string(&lesson.toc)?;
        store::insert_lesson(&mut tx, revision_id, lesson, &toc).await?;
    }
    for (name, quiz) in &course.quizzes {
        let source = course
            .quiz_sources
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, text)| text.as_str())
            .unwrap_or_default();
        let definition = serde_json::to_string(quiz)?;
        store::insert_quiz(
            &mut tx,
            revision_id,
            quiz.kind.as_str(),
            source,
            &definition,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(Some(number))
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
