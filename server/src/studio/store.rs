//! The studio's SQL: drafts and their files, and what the studio lists of each activity
//! (its live revision, its revisions with their publishers). SQL only.

use crate::content::SourceFile;

/// A draft as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Draft {
    pub id: i64,
    pub base_revision: Option<i64>,
    pub updated_by: i64,
    pub updated_at: i64,
}

/// A file of a draft, with its version.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DraftFile {
    pub name: String,
    pub text: String,
    pub version: i64,
    pub updated_by: i64,
    pub updated_at: i64,
}

pub async fn draft(
    conn: &mut crate::db::Connection,
    kind: &str,
    slug: &str,
) -> Result<Option<Draft>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, base_revision, updated_by, updated_at FROM studio_drafts WHERE kind = $1 AND slug = $2",
    )
    .bind(kind)
    .bind(slug)
    .fetch_optional(&mut *conn)
    .await
}

pub async fn draft_files(
    conn: &mut crate::db::Connection,
    draft: i64,
) -> Result<Vec<DraftFile>, sqlx::Error> {
    sqlx::query_as(
        "SELECT name, text, version, updated_by, updated_at FROM studio_draft_files WHERE draft_id = $1 ORDER BY name",
    )
    .bind(draft)
    .fetch_all(&mut *conn)
    .await
}

/// Starts a draft with `files` (each at version 0); its id.
pub async fn insert_draft(
    conn: &mut crate::db::Connection,
    kind: &str,
    slug: &str,
    base_revision: Option<i64>,
    files: &[SourceFile],
    by: i64,
) -> Result<i64, sqlx::Error> {
    let now = crate::clock::now_secs();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO studio_drafts (kind, slug, base_revision, created_by, created_at, updated_by, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $4, $5) RETURNING id",
    )
    .bind(kind)
    .bind(slug)
    .bind(base_revision)
    .bind(by)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    for file in files {
        insert_file(conn, id, &file.name, &file.text, 0, by).await?;
    }
    Ok(id)
}

pub async fn insert_file(
    conn: &mut crate::db::Connection,
    draft: i64,
    name: &str,
    text: &str,
    version: i64,
    by: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO studio_draft_files (draft_id, name, text, version, updated_by, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(draft)
    .bind(name)
    .bind(text)
    .bind(version)
    .bind(by)
    .bind(crate::clock::now_secs())
    .execute(&mut *conn)
    .await
    .map(drop)
}

/// Writes a file's new text and moves its version on.
pub async fn update_file(
    conn: &mut crate::db::Connection,
    draft: i64,
    name: &str,
    text: &str,
    by: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE studio_draft_files SET text = $1, version = version + 1, updated_by = $2, updated_at = $3 \
         WHERE draft_id = $4 AND name = $5",
    )
    .bind(text)
    .bind(by)
    .bind(crate::clock::now_secs())
    .bind(draft)
    .bind(name)
    .execute(&mut *conn)
    .await
    .map(drop)
}

/// Renames a file (a lesson renamed or moved); its version moves on.
pub async fn rename_file(
    conn: &mut crate::db::Connection,
    draft: i64,
    from: &str,
    to: &str,
    by: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE studio_draft_files SET name = $1, version = version + 1, updated_by = $2, updated_at = $3 \
         WHERE draft_id = $4 AND name = $5",
    )
    .bind(to)
    .bind(by)
    .bind(crate::clock::now_secs())
    .bind(draft)
    .bind(from)
    .execute(&mut *conn)
    .await
    .map(drop)
}

pub async fn delete_file(
    conn: &mut crate::db::Connection,
    draft: i64,
    name: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM studio_draft_files WHERE draft_id = $1 AND name = $2")
        .bind(draft)
        .bind(name)
        .execute(&mut *conn)
        .await
        .map(drop)
}

/// Notes who last edited the draft, and when.
pub async fn touch_draft(
    conn: &mut crate::db::Connection,
    draft: i64,
    by: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE studio_drafts SET updated_by = $1, updated_at = $2 WHERE id = $3")
        .bind(by)
        .bind(crate::clock::now_secs())
        .bind(draft)
        .execute(&mut *conn)
        .await
        .map(drop)
}

/// Removes a draft and its files.
pub async fn delete_draft(conn: &mut crate::db::Connection, draft: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM studio_draft_files WHERE draft_id = $1")
        .bind(draft)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM studio_drafts WHERE id = $1")
        .bind(draft)
        .execute(&mut *conn)
        .await
        .map(drop)
}

/// Every draft: `(kind, slug)`.
pub async fn all_drafts(
    conn: &mut crate::db::Connection,
) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query_as("SELECT kind, slug FROM studio_drafts ORDER BY kind, slug")
        .fetch_all(&mut *conn)
        .await
}

/// Every activity with a revision, retired or not: `(kind, slug)`.
pub async fn all_published(
    conn: &mut crate::db::Connection,
) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT 'course' AS kind, slug FROM courses WHERE retired_at IS NULL \
         UNION SELECT 'webinar' AS kind, slug FROM webinars WHERE retired_at IS NULL ORDER BY 1, 2",
    )
    .fetch_all(&mut *conn)
    .await
}

/// A revision as the studio lists it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RevisionRow {
    pub id: i64,
    pub number: i64,
    pub content_hash: String,
    pub created_at: String,
    pub publisher: Option<String>,
}

/// The activity's revisions, newest first.
pub async fn revisions(
    conn: &mut crate::db::Connection,
    kind: &str,
    slug: &str,
) -> Result<Vec<RevisionRow>, sqlx::Error> {
    let sql = if kind == "webinar" {
        "SELECT r.id, r.number, r.content_hash, r.created_at, u.full_name AS publisher \
         FROM webinar_revisions r JOIN webinars a ON a.id = r.webinar_id \
         LEFT JOIN users u ON u.id = r.published_by WHERE a.slug = $1 ORDER BY r.number DESC"
    } else {
        "SELECT r.id, r.number, r.content_hash, r.created_at, u.full_name AS publisher \
         FROM course_revisions r JOIN courses a ON a.id = r.course_id \
         LEFT JOIN users u ON u.id = r.published_by WHERE a.slug = $1 ORDER BY r.number DESC"
    };
    sqlx::query_as(sql).bind(slug).fetch_all(&mut *conn).await
}

/// Whether the activity's slug is taken: published, retired or drafted.
pub async fn slug_taken(
    conn: &mut crate::db::Connection,
    kind: &str,
    slug: &str,
) -> Result<bool, sqlx::Error> {
    let sql = if kind == "webinar" {
        "SELECT COUNT(*) FROM webinars WHERE slug = $1"
    } else {
        "SELECT COUNT(*) FROM courses WHERE slug = $1"
    };
    let published: i64 = sqlx::query_scalar(sql)
        .bind(slug)
        .fetch_one(&mut *conn)
        .await?;
    let drafted: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM studio_drafts WHERE kind = $1 AND slug = $2")
            .bind(kind)
            .bind(slug)
            .fetch_one(&mut *conn)
            .await?;
    Ok(published + drafted > 0)
}

/// Forgets the owners named for an activity that never was published (its draft was
/// discarded), so a later activity of the same name starts with none.
pub async fn forget_owners(
    conn: &mut crate::db::Connection,
    kind: &str,
    slug: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM activity_owners WHERE kind = $1 AND slug = $2")
        .bind(kind)
        .bind(slug)
        .execute(&mut *conn)
        .await
        .map(drop)
}

/// Stores an image once: the same bytes again (by their hash) change nothing.
pub async fn insert_image(
    conn: &mut crate::db::Connection,
    image: &super::images::Prepared,
    by: i64,
    at: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO images (hash, format, width, height, bytes, small, uploaded_by, uploaded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (hash) DO NOTHING",
    )
    .bind(&image.hash)
    .bind(image.format)
    .bind(i64::from(image.width))
    .bind(i64::from(image.height))
    .bind(&image.bytes)
    .bind(image.small.as_deref())
    .bind(by)
    .bind(at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Lists an image on an activity's draft page, once: the same image again takes the name
/// and alt text it was uploaded with last.
#[allow(clippy::too_many_arguments)]
pub async fn link_image(
    conn: &mut crate::db::Connection,
    kind: &str,
    slug: &str,
    hash: &str,
    file_name: &str,
    alt: &str,
    by: i64,
    at: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO activity_images (kind, slug, hash, file_name, alt, added_by, added_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (kind, slug, hash) \
         DO UPDATE SET file_name = excluded.file_name, alt = excluded.alt",
    )
    .bind(kind)
    .bind(slug)
    .bind(hash)
    .bind(file_name)
    .bind(alt)
    .bind(by)
    .bind(at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The bytes of image `hash` in `format` at `width`: the image itself at its own width,
/// its phone-sized copy at `phone_width` (when it has one).
pub async fn image_bytes(
    conn: &mut crate::db::Connection,
    hash: &str,
    format: &str,
    width: i64,
    phone_width: i64,
) -> Result<Option<Vec<u8>>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT CASE WHEN width = $3 THEN bytes ELSE small END FROM images \
         WHERE hash = $1 AND format = $2 AND (width = $3 OR ($3 = $4 AND small IS NOT NULL))",
    )
    .bind(hash)
    .bind(format)
    .bind(width)
    .bind(phone_width)
    .fetch_optional(&mut *conn)
    .await
    .map(Option::flatten)
}

pub async fn image_count(
    conn: &mut crate::db::Connection,
    kind: &str,
    slug: &str,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM activity_images WHERE kind = $1 AND slug = $2")
        .bind(kind)
        .bind(slug)
        .fetch_one(&mut *conn)
        .await
}

/// The list of a never-published activity's images goes with its draft (the images stay:
/// they are immutable and may be shown elsewhere).
pub async fn forget_images(
    conn: &mut crate::db::Connection,
    kind: &str,
    slug: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM activity_images WHERE kind = $1 AND slug = $2")
        .bind(kind)
        .bind(slug)
        .execute(&mut *conn)
        .await
        .map(drop)
}

/// An image listed on an activity's draft page.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ActivityImage {
    pub hash: String,
    pub format: String,
    pub width: i64,
    pub height: i64,
    pub file_name: String,
    pub alt: String,
    pub added_at: i64,
}

pub async fn activity_images(
    conn: &mut crate::db::Connection,
    kind: &str,
    slug: &str,
) -> Result<Vec<ActivityImage>, sqlx::Error> {
    sqlx::query_as(
        "SELECT i.hash, i.format, i.width, i.height, a.file_name, a.alt, a.added_at \
         FROM activity_images a JOIN images i ON i.hash = a.hash \
         WHERE a.kind = $1 AND a.slug = $2 ORDER BY a.added_at, a.file_name",
    )
    .bind(kind)
    .bind(slug)
    .fetch_all(&mut *conn)
    .await
}
