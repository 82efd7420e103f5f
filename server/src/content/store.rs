//! Course revisions in the database: written by [`super::import`], read as the latest
//! revision of every published course; the catalog's version. SQL only.

use app::catalog::{CourseDetail, LessonLink, TocEntry};
use sqlx::Row;

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
    /// The published revision's row id (its lessons never change once published).
    pub revision_id: i64,
    pub detail: CourseDetail,
    pub lessons: Vec<StoredLesson>,
}

#[derive(Debug, Clone)]
pub struct StoredLesson {
    pub link: LessonLink,
    pub html: String,
    pub toc: Vec<TocEntry>,
}

/// Moves the catalog's version on, in the transaction that changes what is published: every
/// app server sees it move and reloads its catalog (`catalog::CatalogService::refresh`).
pub async fn bump_catalog_version(tx: &mut crate::db::Connection) -> Result<(), sqlx::Error> {
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
        courses.push(StoredCourse {
            revision_id,
            detail,
            lessons,
        });
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

/// The slugs of the courses published now.
pub async fn active_slugs(conn: &mut crate::db::Connection) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT slug FROM courses WHERE retired_at IS NULL")
        .fetch_all(&mut *conn)
        .await
}

/// Retires a course whose folder is gone.
pub async fn retire(conn: &mut crate::db::Connection, slug: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE courses SET retired_at = $1 WHERE slug = $2")
        .bind(crate::clock::now())
        .bind(slug)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Publishes a retired course again (its folder is back); whether it was retired.
pub async fn restore(conn: &mut crate::db::Connection, slug: &str) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query(
        "UPDATE courses SET retired_at = NULL WHERE slug = $1 AND retired_at IS NOT NULL",
    )
    .bind(slug)
    .execute(&mut *conn)
    .await?
    .rows_affected()
        > 0)
}

/// The course's id, made now when the slug is new.
pub async fn course_id_or_new(
    conn: &mut crate::db::Connection,
    slug: &str,
) -> Result<i64, sqlx::Error> {
    if let Some(id) = sqlx::query_scalar("SELECT id FROM courses WHERE slug = $1")
        .bind(slug)
        .fetch_optional(&mut *conn)
        .await?
    {
        return Ok(id);
    }
    sqlx::query_scalar("INSERT INTO courses (slug, created_at) VALUES ($1, $2) RETURNING id")
        .bind(slug)
        .bind(crate::clock::now())
        .fetch_one(&mut *conn)
        .await
}

/// The course's latest revision: `(number, content hash)`.
pub async fn latest_revision(
    conn: &mut crate::db::Connection,
    course: i64,
) -> Result<Option<(i64, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT number, content_hash FROM course_revisions WHERE course_id = $1 ORDER BY number DESC LIMIT 1",
    )
    .bind(course)
    .fetch_optional(&mut *conn)
    .await
}

/// Stores a course revision (`rendered`: the course's detail, JSON); its id.
pub async fn insert_revision(
    conn: &mut crate::db::Connection,
    course: i64,
    number: i64,
    content_hash: &str,
    source: &str,
    rendered: &str,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO course_revisions (course_id, number, content_hash, source, rendered, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(course)
    .bind(number)
    .bind(content_hash)
    .bind(source)
    .bind(rendered)
    .bind(crate::clock::now())
    .fetch_one(&mut *conn)
    .await
}

/// Stores a lesson of a revision (`toc`: JSON).
pub async fn insert_lesson(
    conn: &mut crate::db::Connection,
    revision: i64,
    lesson: &super::Lesson,
    toc: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO lesson_revisions (revision_id, position, slug, title, source, html, toc) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(revision)
    .bind(i64::from(lesson.position))
    .bind(&lesson.slug)
    .bind(&lesson.title)
    .bind(&lesson.source)
    .bind(&lesson.html)
    .bind(toc)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Stores a quiz of a revision: the file as written and the parsed quiz (JSON).
pub async fn insert_quiz(
    conn: &mut crate::db::Connection,
    revision: i64,
    kind: &str,
    source: &str,
    definition: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO quiz_revisions (revision_id, kind, source, definition) VALUES ($1, $2, $3, $4)",
    )
    .bind(revision)
    .bind(kind)
    .bind(source)
    .bind(definition)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The owners of an activity, by sign-in email, with where each was named.
pub async fn owners(
    conn: &mut crate::db::Connection,
    kind: &str,
    slug: &str,
) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT email, source FROM activity_owners WHERE kind = $1 AND slug = $2 ORDER BY email, source",
    )
    .bind(kind)
    .bind(slug)
    .fetch_all(&mut *conn)
    .await
}

/// Whether the account `user` owns the activity (named by its email, either way).
pub async fn is_owner(
    conn: &mut crate::db::Connection,
    kind: &str,
    slug: &str,
    user: i64,
) -> Result<bool, sqlx::Error> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT u.id FROM activity_owners o JOIN users u ON u.email = o.email \
         WHERE o.kind = $1 AND o.slug = $2 AND u.id = $3 LIMIT 1",
    )
    .bind(kind)
    .bind(slug)
    .bind(user)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(found.is_some())
}

/// The `(kind, slug)` of every activity the account `user` owns.
pub async fn owned_by(
    conn: &mut crate::db::Connection,
    user: i64,
) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT DISTINCT o.kind, o.slug FROM activity_owners o JOIN users u ON u.email = o.email \
         WHERE u.id = $1 ORDER BY o.kind, o.slug",
    )
    .bind(user)
    .fetch_all(&mut *conn)
    .await
}

/// Replaces the owners an activity's file names (`emails`, lowercase) with those.
pub async fn replace_file_owners(
    conn: &mut crate::db::Connection,
    kind: &str,
    slug: &str,
    emails: &[String],
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM activity_owners WHERE kind = $1 AND slug = $2 AND source = 'file'")
        .bind(kind)
        .bind(slug)
        .execute(&mut *conn)
        .await?;
    for email in emails {
        sqlx::query(
            "INSERT INTO activity_owners (kind, slug, email, source, added_by, added_at) \
             VALUES ($1, $2, $3, 'file', NULL, $4) ON CONFLICT DO NOTHING",
        )
        .bind(kind)
        .bind(slug)
        .bind(email)
        .bind(crate::clock::now_secs())
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Names `email` an owner of the activity in the studio; whether it was new.
pub async fn add_owner(
    conn: &mut crate::db::Connection,
    kind: &str,
    slug: &str,
    email: &str,
    by: i64,
) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query(
        "INSERT INTO activity_owners (kind, slug, email, source, added_by, added_at) \
         VALUES ($1, $2, $3, 'studio', $4, $5) ON CONFLICT DO NOTHING",
    )
    .bind(kind)
    .bind(slug)
    .bind(email)
    .bind(by)
    .bind(crate::clock::now_secs())
    .execute(&mut *conn)
    .await?
    .rows_affected()
        > 0)
}

/// Removes an owner the studio named; whether there was one.
pub async fn remove_owner(
    conn: &mut crate::db::Connection,
    kind: &str,
    slug: &str,
    email: &str,
) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query(
        "DELETE FROM activity_owners WHERE kind = $1 AND slug = $2 AND email = $3 AND source = 'studio'",
    )
    .bind(kind)
    .bind(slug)
    .bind(email)
    .execute(&mut *conn)
    .await?
    .rows_affected()
        > 0)
}

/// Keeps a revision's files as written.
pub async fn insert_revision_files(
    conn: &mut crate::db::Connection,
    kind: &str,
    revision: i64,
    files: &[super::SourceFile],
) -> Result<(), sqlx::Error> {
    for file in files {
        sqlx::query(
            "INSERT INTO revision_files (kind, revision_id, name, text) VALUES ($1, $2, $3, $4)",
        )
        .bind(kind)
        .bind(revision)
        .bind(&file.name)
        .bind(&file.text)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// A revision's files as written, by name.
pub async fn revision_files(
    conn: &mut crate::db::Connection,
    kind: &str,
    revision: i64,
) -> Result<Vec<super::SourceFile>, sqlx::Error> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT name, text FROM revision_files WHERE kind = $1 AND revision_id = $2 ORDER BY name",
    )
    .bind(kind)
    .bind(revision)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(name, text)| super::SourceFile { name, text })
        .collect())
}

/// Records who published a revision from the studio.
pub async fn set_course_publisher(
    conn: &mut crate::db::Connection,
    revision: i64,
    user: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE course_revisions SET published_by = $1 WHERE id = $2")
        .bind(user)
        .bind(revision)
        .execute(&mut *conn)
        .await
        .map(drop)
}

/// The hash of the activity's files in `content/` when they were last read, if ever.
pub async fn folder_hash(
    conn: &mut crate::db::Connection,
    kind: &str,
    slug: &str,
) -> Result<Option<String>, sqlx::Error> {
    let sql = if kind == "webinar" {
        "SELECT folder_hash FROM webinars WHERE slug = $1"
    } else {
        "SELECT folder_hash FROM courses WHERE slug = $1"
    };
    Ok(sqlx::query_scalar::<_, Option<String>>(sql)
        .bind(slug)
        .fetch_optional(&mut *conn)
        .await?
        .flatten())
}

/// Records the hash of the activity's files in `content/` as read now.
pub async fn set_folder_hash(
    conn: &mut crate::db::Connection,
    kind: &str,
    slug: &str,
    hash: &str,
) -> Result<(), sqlx::Error> {
    let sql = if kind == "webinar" {
        "UPDATE webinars SET folder_hash = $1 WHERE slug = $2"
    } else {
        "UPDATE courses SET folder_hash = $1 WHERE slug = $2"
    };
    sqlx::query(sql)
        .bind(hash)
        .bind(slug)
        .execute(&mut *conn)
        .await
        .map(drop)
}

/// Holds a folder's files back as a conflict with what the studio published (the latest
/// files found replace earlier ones).
pub async fn hold_conflict(
    conn: &mut crate::db::Connection,
    kind: &str,
    slug: &str,
    files: &str,
    hash: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO door_conflicts (kind, slug, folder_files, folder_hash, found_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (kind, slug) DO UPDATE SET folder_files = excluded.folder_files, \
         folder_hash = excluded.folder_hash, found_at = excluded.found_at",
    )
    .bind(kind)
    .bind(slug)
    .bind(files)
    .bind(hash)
    .bind(crate::clock::now_secs())
    .execute(&mut *conn)
    .await
    .map(drop)
}

/// The conflict held for an activity: its folder's files (JSON) and their hash.
pub async fn conflict(
    conn: &mut crate::db::Connection,
    kind: &str,
    slug: &str,
) -> Result<Option<(String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT folder_files, folder_hash FROM door_conflicts WHERE kind = $1 AND slug = $2",
    )
    .bind(kind)
    .bind(slug)
    .fetch_optional(&mut *conn)
    .await
}

/// Every conflict held: `(kind, slug)`.
pub async fn conflicts(
    conn: &mut crate::db::Connection,
) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query_as("SELECT kind, slug FROM door_conflicts ORDER BY kind, slug")
        .fetch_all(&mut *conn)
        .await
}

/// The conflict is settled.
pub async fn drop_conflict(
    conn: &mut crate::db::Connection,
    kind: &str,
    slug: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM door_conflicts WHERE kind = $1 AND slug = $2")
        .bind(kind)
        .bind(slug)
        .execute(&mut *conn)
        .await
        .map(drop)
}
