//! Webinars in the database: revisions and their sessions' schedule (written by
//! [`super::import`]), what is published, registrations, the calendar feed, reminders. SQL
//! only.

use super::format::AttendanceRule;
use app::webinars::WebinarDetail;
use sqlx::Row;

/// A published webinar's latest revision and its sessions' schedule.
#[derive(Debug, Clone)]
pub struct Stored {
    pub webinar_id: i64,
    /// The revision's number and its id.
    pub revision: i64,
    pub revision_id: i64,
    pub detail: WebinarDetail,
    pub capacity: u32,
    pub registration_opens: i64,
    pub registration_closes: i64,
    pub sessions: Vec<StoredSession>,
    /// The organizers' sign-in emails (lowercase).
    pub organizers: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct StoredSession {
    pub id: i64,
    pub number: u32,
    pub starts_at: i64,
    pub minutes: u32,
    pub zone: String,
    pub sequence: i64,
    pub cancelled: bool,
}

impl StoredSession {
    pub fn ends_at(&self) -> i64 {
        self.starts_at + i64::from(self.minutes) * 60
    }
}

const PUBLISHED: &str = "SELECT w.id, r.id AS revision_id, r.number, r.detail, r.capacity, r.registration_opens, r.registration_closes, r.organizers \
     FROM webinars w JOIN webinar_revisions r ON r.webinar_id = w.id \
     WHERE w.retired_at IS NULL AND r.number = (SELECT MAX(number) FROM webinar_revisions WHERE webinar_id = w.id)";

async fn stored_from(
    conn: &mut crate::db::Connection,
    row: &sqlx::any::AnyRow,
) -> Result<Stored, crate::error::Error> {
    let webinar_id: i64 = row.try_get("id")?;
    let detail: String = row.try_get("detail")?;
    let sessions = sqlx::query(
        "SELECT id, number, starts_at, minutes, zone, sequence, cancelled_at FROM webinar_sessions \
         WHERE webinar_id = $1 ORDER BY number",
    )
    .bind(webinar_id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|s| {
        Ok(StoredSession {
            id: s.try_get("id")?,
            number: u32::try_from(s.try_get::<i64, _>("number")?).unwrap_or(0),
            starts_at: s.try_get("starts_at")?,
            minutes: u32::try_from(s.try_get::<i64, _>("minutes")?).unwrap_or(0),
            zone: s.try_get("zone")?,
            sequence: s.try_get("sequence")?,
            cancelled: s.try_get::<Option<String>, _>("cancelled_at")?.is_some(),
        })
    })
    .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok(Stored {
        webinar_id,
        revision: row.try_get("number")?,
        revision_id: row.try_get("revision_id")?,
        detail: serde_json::from_str(&detail)?,
        capacity: u32::try_from(row.try_get::<i64, _>("capacity")?).unwrap_or(0),
        registration_opens: row.try_get("registration_opens")?,
        registration_closes: row.try_get("registration_closes")?,
        sessions,
        organizers: serde_json::from_str(&row.try_get::<String, _>("organizers")?)?,
    })
}

/// Every published webinar.
pub async fn published(pool: &crate::db::Pool) -> Result<Vec<Stored>, crate::error::Error> {
    let mut conn = pool.acquire().await?;
    let rows = sqlx::query(PUBLISHED).fetch_all(&mut *conn).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        out.push(stored_from(&mut conn, row).await?);
    }
    Ok(out)
}

/// One published webinar by its slug.
pub async fn by_slug(
    pool: &crate::db::Pool,
    slug: &str,
) -> Result<Option<Stored>, crate::error::Error> {
    let mut conn = pool.acquire().await?;
    let row = sqlx::query(&format!("{PUBLISHED} AND w.slug = $1"))
        .bind(slug)
        .fetch_optional(&mut *conn)
        .await?;
    match row {
        Some(row) => Ok(Some(stored_from(&mut conn, &row).await?)),
        None => Ok(None),
    }
}

/// One published webinar by its id.
pub async fn by_id(pool: &crate::db::Pool, id: i64) -> Result<Option<Stored>, crate::error::Error> {
    let mut conn = pool.acquire().await?;
    stored_in(&mut conn, id).await
}

/// One published webinar by its id, read on the caller's connection (inside its
/// transaction: what it is about to commit).
pub async fn stored_in(
    conn: &mut crate::db::Connection,
    id: i64,
) -> Result<Option<Stored>, crate::error::Error> {
    let row = sqlx::query(&format!("{PUBLISHED} AND w.id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    match row {
        Some(row) => Ok(Some(stored_from(conn, &row).await?)),
        None => Ok(None),
    }
}

/// A learner's place for a webinar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    Registered,
    /// 1-based place on the waitlist.
    Waitlisted(u32),
    NotRegistered,
}

/// Seats taken and waitlist length.
pub async fn counts(
    conn: &mut crate::db::Connection,
    webinar: i64,
) -> Result<(u32, u32), sqlx::Error> {
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT status, COUNT(*) FROM webinar_registrations WHERE webinar_id = $1 AND status <> 'cancelled' GROUP BY status",
    )
    .bind(webinar)
    .fetch_all(&mut *conn)
    .await?;
    let count = |s: &str| {
        rows.iter()
            .find(|(status, _)| status == s)
            .map_or(0, |(_, n)| u32::try_from(*n).unwrap_or(u32::MAX))
    };
    Ok((count("registered"), count("waitlisted")))
}

pub async fn standing(
    conn: &mut crate::db::Connection,
    webinar: i64,
    user: i64,
) -> Result<Standing, sqlx::Error> {
    let row: Option<(String, i64)> = sqlx::query_as(
        "SELECT status, position FROM webinar_registrations WHERE webinar_id = $1 AND user_id = $2",
    )
    .bind(webinar)
    .bind(user)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(match row {
        Some((status, _)) if status == "registered" => Standing::Registered,
        Some((status, position)) if status == "waitlisted" => {
            let ahead: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM webinar_registrations WHERE webinar_id = $1 AND status = 'waitlisted' AND position < $2",
            )
            .bind(webinar)
            .bind(position)
            .fetch_one(&mut *conn)
            .await?;
            Standing::Waitlisted(u32::try_from(ahead + 1).unwrap_or(u32::MAX))
        }
        _ => Standing::NotRegistered,
    })
}

/// The capacity of the webinar's latest revision, read under the caller's lock (an import
/// may have changed it since the page was read).
pub async fn capacity(conn: &mut crate::db::Connection, webinar: i64) -> Result<u32, sqlx::Error> {
    let capacity: i64 = sqlx::query_scalar(
        "SELECT capacity FROM webinar_revisions WHERE webinar_id = $1 ORDER BY number DESC LIMIT 1",
    )
    .bind(webinar)
    .fetch_one(&mut *conn)
    .await?;
    Ok(u32::try_from(capacity).unwrap_or(0))
}

/// Gives free seats to the waitlist, lowest position first (the caller holds the webinar's
/// key); returns who got one, to be told.
pub async fn promote_while_free(
    conn: &mut crate::db::Connection,
    webinar: i64,
    capacity: u32,
) -> Result<Vec<i64>, sqlx::Error> {
    let (taken, waiting) = counts(conn, webinar).await?;
    let free = capacity.saturating_sub(taken).min(waiting);
    if free == 0 {
        return Ok(Vec::new());
    }
    let next: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT id, user_id FROM webinar_registrations WHERE webinar_id = $1 AND status = 'waitlisted' \
         ORDER BY position LIMIT $2",
    )
    .bind(webinar)
    .bind(i64::from(free))
    .fetch_all(&mut *conn)
    .await?;
    for (row, _) in &next {
        sqlx::query(
            "UPDATE webinar_registrations SET status = 'registered', registered_at = $1, \
             calendar_sequence = calendar_sequence + 1 WHERE id = $2",
        )
        .bind(crate::clock::now())
        .bind(row)
        .execute(&mut *conn)
        .await?;
    }
    Ok(next.into_iter().map(|(_, user)| user).collect())
}

/// Registers `user` (the caller holds the webinar's key, and has given free seats to the
/// waitlist first): a seat while there is one and nobody waits, else the back of the
/// waitlist. Returns the standing it got.
pub async fn register(
    conn: &mut crate::db::Connection,
    webinar: i64,
    user: i64,
    capacity: u32,
    revision: i64,
) -> Result<Standing, sqlx::Error> {
    let (taken, waiting) = counts(conn, webinar).await?;
    let status = if taken < capacity && waiting == 0 {
        "registered"
    } else {
        "waitlisted"
    };
    let position: i64 = sqlx::query_scalar(
        "SELECT COALESCE(MAX(position), 0) + 1 FROM webinar_registrations WHERE webinar_id = $1",
    )
    .bind(webinar)
    .fetch_one(&mut *conn)
    .await?;
    let now = crate::clock::now();
    let registered_at = (status == "registered").then(|| now.clone());
    sqlx::query(
        "INSERT INTO webinar_registrations (webinar_id, user_id, status, position, arrived_at, registered_at, registered_name, revision_id) \
         VALUES ($1, $2, $3, $4, $5, $6, (SELECT full_name FROM users WHERE id = $2), $7) \
         ON CONFLICT (webinar_id, user_id) DO UPDATE SET status = $3, position = $4, arrived_at = $5, \
         registered_at = $6, registered_name = CASE WHEN webinar_registrations.registered_name = '' \
         THEN excluded.registered_name ELSE webinar_registrations.registered_name END, cancelled_at = NULL, cancelled_by = NULL, \
         calendar_sequence = webinar_registrations.calendar_sequence + 1, \
         revision_id = COALESCE(webinar_registrations.revision_id, excluded.revision_id)",
    )
    .bind(webinar)
    .bind(user)
    .bind(status)
    .bind(position)
    .bind(&now)
    .bind(&registered_at)
    .bind(revision)
    .execute(&mut *conn)
    .await?;
    standing(conn, webinar, user).await
}

/// Cancels `user`'s registration or waitlist place (the caller holds the webinar's key);
/// `false` when there was none. The caller then gives a freed seat to the waitlist.
pub async fn cancel(
    conn: &mut crate::db::Connection,
    webinar: i64,
    user: i64,
    by: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE webinar_registrations SET status = 'cancelled', cancelled_at = $1, cancelled_by = $2, \
         calendar_sequence = calendar_sequence + 1 \
         WHERE webinar_id = $3 AND user_id = $4 AND status <> 'cancelled'",
    )
    .bind(crate::clock::now())
    .bind(by)
    .bind(webinar)
    .bind(user)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// One registration or waitlist place, for the organizers.
#[derive(Debug, Clone)]
pub struct Registrant {
    pub user_id: i64,
    pub name: String,
    pub email: String,
    pub profession: String,
    pub status: String,
    pub arrived_at: String,
    pub registered_at: Option<String>,
}

/// Registered learners and the waitlist, each in arrival order.
pub async fn registrants(
    pool: &crate::db::Pool,
    webinar: i64,
) -> Result<Vec<Registrant>, sqlx::Error> {
    type Row = (i64, String, String, String, String, String, Option<String>);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT u.id, u.full_name, u.email, u.profession, r.status, r.arrived_at, r.registered_at \
         FROM webinar_registrations r JOIN users u ON u.id = r.user_id \
         WHERE r.webinar_id = $1 AND r.status <> 'cancelled' ORDER BY r.status, r.position",
    )
    .bind(webinar)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(user_id, name, email, profession, status, arrived_at, registered_at)| Registrant {
                user_id,
                name,
                email,
                profession,
                status,
                arrived_at,
                registered_at,
            },
        )
        .collect())
}

/// For a learner's calendar: `(holds a seat, the registration's change count)`, or None
/// when they never registered or only wait (a waitlist place is not in their calendar).
/// A place that ended (cancelled) is `(false, n)`: the calendar then cancels its events.
pub async fn calendar_standing(
    conn: &mut crate::db::Connection,
    webinar: i64,
    user: i64,
) -> Result<Option<(bool, i64)>, sqlx::Error> {
    let row: Option<(String, i64, Option<String>)> = sqlx::query_as(
        "SELECT status, calendar_sequence, registered_at FROM webinar_registrations WHERE webinar_id = $1 AND user_id = $2",
    )
    .bind(webinar)
    .bind(user)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(match row {
        Some((status, sequence, _)) if status == "registered" => Some((true, sequence)),
        // Cancelled after holding a seat: their calendar may have the events, to be removed.
        Some((status, sequence, Some(_))) if status == "cancelled" => Some((false, sequence)),
        _ => None,
    })
}

/// Every registrant of `webinar` holding a seat, and the waitlist: `(user, holds a seat,
/// calendar change count)`, to be told of a change.
pub async fn to_tell(
    conn: &mut crate::db::Connection,
    webinar: i64,
) -> Result<Vec<(i64, bool, i64)>, sqlx::Error> {
    let rows: Vec<(i64, String, i64)> = sqlx::query_as(
        "SELECT user_id, status, calendar_sequence FROM webinar_registrations \
         WHERE webinar_id = $1 AND status <> 'cancelled' ORDER BY position",
    )
    .bind(webinar)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(user, status, sequence)| (user, status == "registered", sequence))
        .collect())
}

/// The owner of the feed whose token has this hash, while it is not revoked.
pub async fn feed_owner(
    conn: &mut crate::db::Connection,
    token_hash: &str,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT user_id FROM calendar_feeds WHERE token_hash = $1 AND revoked_at IS NULL",
    )
    .bind(token_hash)
    .fetch_optional(&mut *conn)
    .await
}

/// Revokes the user's feed and, with `Some(hash)`, starts a new one. Serialises on the
/// user's `calendar-feed:<id>` key: two clicks at once leave exactly one address working.
pub async fn replace_feed(
    pool: &crate::db::Pool,
    user: i64,
    token_hash: Option<&str>,
) -> Result<(), crate::error::Error> {
    let mut tx = crate::db::write_tx(pool).await?;
    crate::db::lock(
        &mut tx,
        crate::db::On::Key(&format!("calendar-feed:{user}")),
    )
    .await?;
    let now = crate::clock::now();
    sqlx::query(
        "UPDATE calendar_feeds SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
    )
    .bind(&now)
    .bind(user)
    .execute(&mut *tx)
    .await?;
    if let Some(hash) = token_hash {
        sqlx::query(
            "INSERT INTO calendar_feeds (user_id, token_hash, created_at) VALUES ($1, $2, $3)",
        )
        .bind(user)
        .bind(hash)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// When the user's working feed address was made, if they have one.
pub async fn feed_since(pool: &crate::db::Pool, user: i64) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT created_at FROM calendar_feeds WHERE user_id = $1 AND revoked_at IS NULL ORDER BY id DESC LIMIT 1",
    )
    .bind(user)
    .fetch_optional(pool)
    .await
}

/// One session in a learner's feed.
pub struct FeedRow {
    pub slug: String,
    pub title: String,
    pub session: StoredSession,
    pub registration_sequence: i64,
    pub confirmed: bool,
}

/// Every session of every published webinar the user holds (or held) a seat for.
pub async fn feed_rows(
    pool: &crate::db::Pool,
    user: i64,
) -> Result<Vec<FeedRow>, crate::error::Error> {
    let mut out = Vec::new();
    let webinars: Vec<(i64, String)> = sqlx::query_as(
        "SELECT w.id, w.slug FROM webinar_registrations r JOIN webinars w ON w.id = r.webinar_id \
         WHERE r.user_id = $1 AND w.retired_at IS NULL AND r.registered_at IS NOT NULL ORDER BY w.id",
    )
    .bind(user)
    .fetch_all(pool)
    .await?;
    for (_, slug) in webinars {
        let Some(stored) = by_slug(pool, &slug).await? else {
            continue;
        };
        let mut conn = pool.acquire().await?;
        let Some((confirmed, sequence)) =
            calendar_standing(&mut conn, stored.webinar_id, user).await?
        else {
            continue;
        };
        for session in stored.sessions {
            out.push(FeedRow {
                slug: stored.detail.slug.clone(),
                title: stored.detail.title.clone(),
                session,
                registration_sequence: sequence,
                confirmed,
            });
        }
    }
    Ok(out)
}

/// The join URL of the webinar's latest revision (never shown in a page).
pub async fn join_url(
    conn: &mut crate::db::Connection,
    webinar: i64,
) -> Result<String, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT join_url FROM webinar_revisions WHERE webinar_id = $1 ORDER BY number DESC LIMIT 1",
    )
    .bind(webinar)
    .fetch_one(&mut *conn)
    .await
}

/// The attendance rule of the webinar's latest revision (read from its file as stored).
pub async fn attendance_rule(
    conn: &mut crate::db::Connection,
    webinar: i64,
) -> Result<AttendanceRule, crate::error::Error> {
    let source: String = sqlx::query_scalar(
        "SELECT source FROM webinar_revisions WHERE webinar_id = $1 ORDER BY number DESC LIMIT 1",
    )
    .bind(webinar)
    .fetch_one(&mut *conn)
    .await?;
    super::format::attendance_rule(&source).ok_or_else(|| {
        crate::error::Error::internal(format!(
            "webinar {webinar}: its stored file has no readable attendance rule"
        ))
    })
}

/// Sessions that start after `from` and up to `to` (Unix seconds), of webinars still
/// published, not cancelled: `(session, webinar, starts at, minutes, zone)`.
pub async fn sessions_starting(
    pool: &crate::db::Pool,
    from: i64,
    to: i64,
) -> Result<Vec<(i64, i64, i64, i64, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT s.id, s.webinar_id, s.starts_at, s.minutes, s.zone FROM webinar_sessions s \
         JOIN webinars w ON w.id = s.webinar_id \
         WHERE s.cancelled_at IS NULL AND w.retired_at IS NULL AND s.starts_at > $1 AND s.starts_at <= $2 \
         ORDER BY s.starts_at",
    )
    .bind(from)
    .bind(to)
    .fetch_all(pool)
    .await
}

/// Seat holders not yet reminded (`kind`) of the session as scheduled at `starts_at`.
pub async fn unreminded(
    pool: &crate::db::Pool,
    webinar: i64,
    session: i64,
    kind: &str,
    starts_at: i64,
) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT r.user_id FROM webinar_registrations r WHERE r.webinar_id = $1 AND r.status = 'registered' \
         AND NOT EXISTS (SELECT 1 FROM webinar_reminders m WHERE m.session_id = $2 AND m.user_id = r.user_id \
         AND m.kind = $3 AND m.starts_at = $4) ORDER BY r.position",
    )
    .bind(webinar)
    .bind(session)
    .bind(kind)
    .bind(starts_at)
    .fetch_all(pool)
    .await
}

/// Takes the reminder's key: 1 when this insert made it (and this server sends it), 0
/// when another did.
pub async fn claim_reminder(
    conn: &mut crate::db::Connection,
    session: i64,
    user: i64,
    kind: &str,
    starts_at: i64,
) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query(
        "INSERT INTO webinar_reminders (session_id, user_id, kind, starts_at, created_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
    )
    .bind(session)
    .bind(user)
    .bind(kind)
    .bind(starts_at)
    .bind(crate::clock::now())
    .execute(&mut *conn)
    .await?
    .rows_affected())
}

/// Notes the outbox message a reminder went out as.
pub async fn reminder_sent(
    conn: &mut crate::db::Connection,
    session: i64,
    user: i64,
    kind: &str,
    starts_at: i64,
    outbox: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE webinar_reminders SET outbox_id = $1 WHERE session_id = $2 AND user_id = $3 \
         AND kind = $4 AND starts_at = $5",
    )
    .bind(outbox)
    .bind(session)
    .bind(user)
    .bind(kind)
    .bind(starts_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The webinar's id, made now when the slug is new.
pub async fn id_or_new(
    conn: &mut crate::db::Connection,
    slug: &str,
    now: &str,
) -> Result<i64, sqlx::Error> {
    if let Some(id) = sqlx::query_scalar::<_, i64>("SELECT id FROM webinars WHERE slug = $1")
        .bind(slug)
        .fetch_optional(&mut *conn)
        .await?
    {
        return Ok(id);
    }
    sqlx::query_scalar("INSERT INTO webinars (slug, created_at) VALUES ($1, $2) RETURNING id")
        .bind(slug)
        .bind(now)
        .fetch_one(&mut *conn)
        .await
}

/// The webinar's id, if it was ever published.
pub async fn id_or_none(
    conn: &mut crate::db::Connection,
    slug: &str,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM webinars WHERE slug = $1")
        .bind(slug)
        .fetch_optional(&mut *conn)
        .await
}

/// Publishes a retired webinar again (its file is back).
pub async fn unretire(conn: &mut crate::db::Connection, id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE webinars SET retired_at = NULL WHERE id = $1 AND retired_at IS NOT NULL")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The webinar's latest revision: `(number, content hash)`.
pub async fn latest_revision(
    conn: &mut crate::db::Connection,
    id: i64,
) -> Result<Option<(i64, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT number, content_hash FROM webinar_revisions WHERE webinar_id = $1 ORDER BY number DESC LIMIT 1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await
}

/// A webinar revision as it is stored.
pub struct NewRevision<'a> {
    pub webinar: i64,
    pub number: i64,
    pub content_hash: &'a str,
    pub source: &'a str,
    /// The page's detail (JSON).
    pub detail: &'a str,
    pub join_url: &'a str,
    pub capacity: u32,
    pub registration_opens: i64,
    pub registration_closes: i64,
    pub created_at: &'a str,
    /// The organizers' emails (JSON).
    pub organizers: &'a str,
    /// Who published it from the studio (`None`: its file in `content/`).
    pub published_by: Option<i64>,
}

/// Stores a revision; its id.
pub async fn insert_revision(
    conn: &mut crate::db::Connection,
    revision: &NewRevision<'_>,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO webinar_revisions (webinar_id, number, content_hash, source, detail, join_url, capacity, \
         registration_opens, registration_closes, created_at, organizers, published_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
    )
    .bind(revision.webinar)
    .bind(revision.number)
    .bind(revision.content_hash)
    .bind(revision.source)
    .bind(revision.detail)
    .bind(revision.join_url)
    .bind(i64::from(revision.capacity))
    .bind(revision.registration_opens)
    .bind(revision.registration_closes)
    .bind(revision.created_at)
    .bind(revision.organizers)
    .bind(revision.published_by)
    .fetch_one(&mut *conn)
    .await
}

/// Stores a revision's post-test: the file as written and the parsed quiz (JSON).
pub async fn insert_post_test(
    conn: &mut crate::db::Connection,
    revision: i64,
    source: &str,
    definition: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO webinar_quizzes (revision_id, source, definition) VALUES ($1, $2, $3)",
    )
    .bind(revision)
    .bind(source)
    .bind(definition)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The schedule as stored: `(number, starts at, minutes, sequence, cancelled at)`.
pub async fn schedule(
    conn: &mut crate::db::Connection,
    id: i64,
) -> Result<Vec<(i64, i64, i64, i64, Option<String>)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT number, starts_at, minutes, sequence, cancelled_at FROM webinar_sessions WHERE webinar_id = $1",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await
}

/// Adds a session to the schedule.
pub async fn insert_session(
    conn: &mut crate::db::Connection,
    id: i64,
    session: &super::format::Session,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO webinar_sessions (webinar_id, number, starts_at, minutes, zone, sequence) \
         VALUES ($1, $2, $3, $4, $5, 0)",
    )
    .bind(id)
    .bind(i64::from(session.number))
    .bind(session.starts_at)
    .bind(i64::from(session.minutes))
    .bind(&session.zone)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Writes a session's time as the file has it (not cancelled); `moved` moves its SEQUENCE on.
pub async fn reschedule_session(
    conn: &mut crate::db::Connection,
    id: i64,
    session: &super::format::Session,
    moved: bool,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE webinar_sessions SET starts_at = $1, minutes = $2, zone = $3, cancelled_at = NULL, \
         sequence = sequence + $4 WHERE webinar_id = $5 AND number = $6",
    )
    .bind(session.starts_at)
    .bind(i64::from(session.minutes))
    .bind(&session.zone)
    .bind(i64::from(moved))
    .bind(id)
    .bind(i64::from(session.number))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Cancels a session no longer in the file (its SEQUENCE moves on).
pub async fn cancel_session(
    conn: &mut crate::db::Connection,
    id: i64,
    number: i64,
    now: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE webinar_sessions SET cancelled_at = $1, sequence = sequence + 1 WHERE webinar_id = $2 AND number = $3",
    )
    .bind(now)
    .bind(id)
    .bind(number)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The slugs of the webinars published now.
pub async fn active_slugs(conn: &mut crate::db::Connection) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT slug FROM webinars WHERE retired_at IS NULL")
        .fetch_all(&mut *conn)
        .await
}

/// Retires a webinar whose file is gone.
pub async fn retire(
    conn: &mut crate::db::Connection,
    slug: &str,
    now: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE webinars SET retired_at = $1 WHERE slug = $2")
        .bind(now)
        .bind(slug)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
