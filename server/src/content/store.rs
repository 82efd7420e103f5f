//! Course revisions in the database: importing a loaded content set (a new revision only when
//! the files changed) and reading the latest revision of every published course.

use super::Course;
use app::catalog::{CourseDetail, LessonLink, TocEntry};
use sqlx::Row;

#[derive(Debug, Default, PartialEq, Eq)]
pub struct ImportSummary {
    /// `(slug, revision number)` for every revision written.
    pub created: Vec<(String, i64)>,
    pub unchanged: usize,
    pub retired: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error("stored course data is unreadable: {0}")]
    Decode(#[from] serde_json::Error),
}

/// A published revision as stored, with its lessons.
#[derive(Debug, Clone)]
pub struct StoredCourse {
    pub detail: CourseDetail,
    pub lessons: Vec<StoredLesson>,
}

#[derive(Debug, Clone)]
pub struct StoredLesson {
    pub link: LessonLink,
    pub html: String,
    pub toc: Vec<TocEntry>,
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
    let active: Vec<String> =
        sqlx::query_scalar("SELECT slug FROM courses WHERE retired_at IS NULL")
            .fetch_all(&mut *tx)
            .await?;
    let mut changed = false;
    for slug in active.into_iter().filter(|slug| !present.contains(slug)) {
        sqlx::query("UPDATE courses SET retired_at = $1 WHERE slug = $2")
            .bind(crate::clock::now())
            .bind(&slug)
            .execute(&mut *tx)
            .await?;
        summary.retired.push(slug);
        changed = true;
    }
    for slug in present {
        let restored = sqlx::query(
            "UPDATE courses SET retired_at = NULL WHERE slug = $1 AND retired_at IS NOT NULL",
        )
        .bind(slug)
        .execute(&mut *tx)
        .await?;
        changed |= restored.rows_affected() > 0;
    }
    if changed {
        bump_catalog_version(&mut tx).await?;
    }
    tx.commit().await?;
    Ok(summary)
}

/// Moves the catalog's version on, in the transaction that changes what is published: every
/// app server sees it move and reloads its catalog (`catalog::CatalogService::refresh`).
async fn bump_catalog_version(tx: &mut crate::db::Connection) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE catalog_version SET version = version + 1 WHERE id = 1")
        .execute(&mut *tx)
        .await
        .map(drop)
}

/// The catalog's version: what [`bump_catalog_version`] last left.
pub async fn catalog_version(pool: &crate::db::Pool) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT version FROM catalog_version WHERE id = 1")
        .fetch_one(pool)
        .await
}

/// Returns the new revision's number, or `None` when the latest one has the same hash.
async fn import_course(pool: &crate::db::Pool, course: &Course) -> Result<Option<i64>, StoreError> {
    let mut tx = crate::db::write_tx(pool).await?;
    // Serialises on content imports: several servers starting at once import each revision once.
    crate::db::lock(&mut tx, crate::db::On::Key("content-import")).await?;
    let course_id: i64 = match sqlx::query_scalar("SELECT id FROM courses WHERE slug = $1")
        .bind(&course.slug)
        .fetch_optional(&mut *tx)
        .await?
    {
        Some(id) => id,
        None => {
            sqlx::query_scalar(
                "INSERT INTO courses (slug, created_at) VALUES ($1, $2) RETURNING id",
            )
            .bind(&course.slug)
            .bind(crate::clock::now())
            .fetch_one(&mut *tx)
            .await?
        }
    };
    let latest: Option<(i64, String)> = sqlx::query_as(
        "SELECT number, content_hash FROM course_revisions WHERE course_id = $1 ORDER BY number DESC LIMIT 1",
    )
    .bind(course_id)
    .fetch_optional(&mut *tx)
    .await?;
    if latest
        .as_ref()
        .is_some_and(|(_, hash)| *hash == course.content_hash)
    {
        return Ok(None);
    }
    let number = latest.map_or(1, |(number, _)| number + 1);
    bump_catalog_version(&mut tx).await?;
    let revision_id: i64 = sqlx::query_scalar(
        "INSERT INTO course_revisions (course_id, number, content_hash, source, rendered, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(course_id)
    .bind(number)
    .bind(&course.content_hash)
    .bind(&course.source)
    .bind(serde_json::to_string(&course.detail)?)
    .bind(crate::clock::now())
    .fetch_one(&mut *tx)
    .await?;
    for lesson in &course.lessons {
        sqlx::query(
            "INSERT INTO lesson_revisions (revision_id, position, slug, title, source, html, toc) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(revision_id)
        .bind(i64::from(lesson.position))
        .bind(&lesson.slug)
        .bind(&lesson.title)
        .bind(&lesson.source)
        .bind(&lesson.html)
        .bind(serde_json::to_string(&lesson.toc)?)
        .execute(&mut *tx)
        .await?;
    }
    for (name, quiz) in &course.quizzes {
        let source = course
            .quiz_sources
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, text)| text.as_str())
            .unwrap_or_default();
        sqlx::query("INSERT INTO quiz_revisions (revision_id, kind, source, definition) VALUES ($1, $2, $3, $4)")
            .bind(revision_id)
            .bind(quiz.kind.as_str())
            .bind(source)
            .bind(serde_json::to_string(quiz)?)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(Some(number))
}

/// The latest revision of every course that is not retired.
pub async fn published(pool: &crate::db::Pool) -> Result<Vec<StoredCourse>, StoreError> {
    let rows = sqlx::query(
        "SELECT r.id, r.number, r.rendered FROM courses c \
         JOIN course_revisions r ON r.course_id = c.id \
         WHERE c.retired_at IS NULL \
           AND r.number = (SELECT MAX(number) FROM course_revisions WHERE course_id = c.id) \
         ORDER BY c.slug",
    )
    .fetch_all(pool)
    .await?;
    let mut courses = Vec::with_capacity(rows.len());
    for row in rows {
        let revision_id: i64 = row.try_get("id")?;
        let mut detail: CourseDetail = serde_json::from_str(row.try_get("rendered")?)?;
        detail.card.revision = row.try_get("number")?;
        let lesson_rows = sqlx::query(
            "SELECT position, slug, title, html, toc FROM lesson_revisions \
             WHERE revision_id = $1 ORDER BY position",
        )
        .bind(revision_id)
        .fetch_all(pool)
        .await?;
        let mut lessons = Vec::with_capacity(lesson_rows.len());
        for lesson in lesson_rows {
            let position: i64 = lesson.try_get("position")?;
            lessons.push(StoredLesson {
                link: LessonLink {
                    slug: lesson.try_get("slug")?,
                    title: lesson.try_get("title")?,
                    position: u32::try_from(position).map_err(|_| {
                        sqlx::Error::Decode(format!("lesson position {position}").into())
                    })?,
                },
                html: lesson.try_get("html")?,
                toc: serde_json::from_str(lesson.try_get("toc")?)?,
            });
        }
        courses.push(StoredCourse { detail, lessons });
    }
    Ok(courses)
}

/// A quiz of a stored revision, answer key included (server side only).
pub async fn quiz(
    pool: &crate::db::Pool,
    revision_id: i64,
    kind: crate::content::quiz::QuizKind,
) -> Result<Option<crate::content::quiz::Quiz>, StoreError> {
    let definition: Option<String> = sqlx::query_scalar(
        "SELECT definition FROM quiz_revisions WHERE revision_id = $1 AND kind = $2",
    )
    .bind(revision_id)
    .bind(kind.as_str())
    .fetch_optional(pool)
    .await?;
    Ok(definition.map(|d| serde_json::from_str(&d)).transpose()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::load_course;
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
