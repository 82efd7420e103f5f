//! The attendance ledger's SQL, and only its SQL. Rows are only ever inserted (the
//! migration's triggers refuse UPDATE and DELETE); a correction is a row that names the one
//! it supersedes, and every read takes the rows nothing supersedes.

use crate::db::Connection;

/// Where a ledger row came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Source {
    JoinClick,
    Code,
    Report,
    Correction,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::JoinClick => "join_click",
            Self::Code => "code",
            Self::Report => "report",
            Self::Correction => "correction",
        }
    }

    fn parse(text: &str) -> Self {
        match text {
            "join_click" => Self::JoinClick,
            "code" => Self::Code,
            "report" => Self::Report,
            _ => Self::Correction,
        }
    }

    /// For people: the evidence's kind.
    pub fn written(self) -> &'static str {
        match self {
            Self::JoinClick => "join link on this site",
            Self::Code => "attendance codes",
            Self::Report => "the service's participant report",
            Self::Correction => "corrections by an organizer",
        }
    }
}

/// A ledger row that nothing supersedes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    pub id: i64,
    pub user_id: i64,
    pub source: Source,
    /// `None`: a correction that withdrew what it supersedes.
    pub interval: Option<(i64, i64)>,
    pub recorded_at: i64,
    pub recorded_by: i64,
    pub import_id: Option<i64>,
    pub import_line: Option<i64>,
    pub code_window_id: Option<i64>,
    pub reason: Option<String>,
}

type EvidenceRow = (
    i64,
    i64,
    String,
    Option<i64>,
    Option<i64>,
    i64,
    i64,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<String>,
);

fn evidence(
    (
        id,
        user_id,
        source,
        start,
        end,
        recorded_at,
        recorded_by,
        import_id,
        import_line,
        code_window_id,
        reason,
    ): EvidenceRow,
) -> Evidence {
    Evidence {
        id,
        user_id,
        source: Source::parse(&source),
        interval: start.zip(end),
        recorded_at,
        recorded_by,
        import_id,
        import_line,
        code_window_id,
        reason,
    }
}

const CURRENT: &str = "SELECT l.id, l.user_id, l.source, l.starts_at, l.ends_at, l.recorded_at, l.recorded_by, \
     l.import_id, l.import_line, l.code_window_id, l.reason FROM attendance_ledger l \
     WHERE l.session_id = $1 AND NOT EXISTS (SELECT 1 FROM attendance_ledger s WHERE s.supersedes = l.id)";

/// The current evidence of a session that covers time (every source but join clicks),
/// oldest first.
pub async fn timed_evidence(
    conn: &mut Connection,
    session: i64,
) -> Result<Vec<Evidence>, sqlx::Error> {
    let rows: Vec<EvidenceRow> = sqlx::query_as(&format!(
        "{CURRENT} AND l.source <> 'join_click' ORDER BY l.id"
    ))
    .bind(session)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().map(evidence).collect())
}

/// The learners registered for `webinar` (any status) with a current join click for
/// `session`: one indexed look-up per registration that stops at the first click, so the
/// cost follows the registrations, not the clicks.
pub async fn clickers(
    conn: &mut Connection,
    webinar: i64,
    session: i64,
) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT r.user_id FROM webinar_registrations r WHERE r.webinar_id = $1 AND EXISTS ( \
         SELECT 1 FROM attendance_ledger l WHERE l.session_id = $2 AND l.user_id = r.user_id \
         AND l.source = 'join_click' \
         AND NOT EXISTS (SELECT 1 FROM attendance_ledger s WHERE s.supersedes = l.id))",
    )
    .bind(webinar)
    .bind(session)
    .fetch_all(&mut *conn)
    .await
}

/// How many learners entered each code window of a session: `(window, entries)`.
pub async fn code_entries(
    conn: &mut Connection,
    session: i64,
) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT l.code_window_id, COUNT(*) FROM attendance_ledger l \
         WHERE l.session_id = $1 AND l.source = 'code' \
         AND NOT EXISTS (SELECT 1 FROM attendance_ledger s WHERE s.supersedes = l.id) \
         GROUP BY l.code_window_id",
    )
    .bind(session)
    .fetch_all(&mut *conn)
    .await
}

/// A page of a session's current evidence, oldest first: `limit` rows after `offset`, and
/// how many there are in all.
pub async fn evidence_page(
    conn: &mut Connection,
    session: i64,
    limit: i64,
    offset: i64,
) -> Result<(Vec<Evidence>, i64), sqlx::Error> {
    let rows: Vec<EvidenceRow> =
        sqlx::query_as(&format!("{CURRENT} ORDER BY l.id LIMIT $2 OFFSET $3"))
            .bind(session)
            .bind(limit)
            .bind(offset)
            .fetch_all(&mut *conn)
            .await?;
    // Every correction supersedes exactly one row of its session: the current rows are all
    // rows less the corrections (two index counts, no look-up per row).
    let total: i64 = sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM attendance_ledger WHERE session_id = $1) \
         - (SELECT COUNT(*) FROM attendance_ledger WHERE session_id = $1 AND supersedes IS NOT NULL)",
    )
    .bind(session)
    .fetch_one(&mut *conn)
    .await?;
    Ok((rows.into_iter().map(evidence).collect(), total))
}

/// One learner's current evidence of a session, oldest first.
pub async fn learner_evidence(
    conn: &mut Connection,
    session: i64,
    user: i64,
) -> Result<Vec<Evidence>, sqlx::Error> {
    let rows: Vec<EvidenceRow> =
        sqlx::query_as(&format!("{CURRENT} AND l.user_id = $2 ORDER BY l.id"))
            .bind(session)
            .bind(user)
            .fetch_all(&mut *conn)
            .await?;
    Ok(rows.into_iter().map(evidence).collect())
}

/// One current row of a session's ledger (None: no such row, or superseded already).
pub async fn current_row(
    conn: &mut Connection,
    session: i64,
    id: i64,
) -> Result<Option<Evidence>, sqlx::Error> {
    let row: Option<EvidenceRow> = sqlx::query_as(&format!("{CURRENT} AND l.id = $2"))
        .bind(session)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(row.map(evidence))
}

/// When `user` last clicked join for `session` (unix seconds), if ever.
pub async fn last_click(
    conn: &mut Connection,
    session: i64,
    user: i64,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT MAX(starts_at) FROM attendance_ledger \
         WHERE session_id = $1 AND user_id = $2 AND source = 'join_click'",
    )
    .bind(session)
    .bind(user)
    .fetch_one(&mut *conn)
    .await
}

/// A join click (`at`: unix seconds), an instant of evidence the learner recorded.
pub async fn record_click(
    conn: &mut Connection,
    session: i64,
    user: i64,
    at: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO attendance_ledger (session_id, user_id, source, starts_at, ends_at, recorded_by, recorded_at) \
         VALUES ($1, $2, 'join_click', $3, $3, $2, $3)",
    )
    .bind(session)
    .bind(user)
    .bind(at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A correction of row `supersedes`: the interval it should have had, or `None` to withdraw
/// it. Fails (a unique violation) if that row was superseded already.
pub async fn add_correction(
    conn: &mut Connection,
    row: &Evidence,
    session: i64,
    interval: Option<(i64, i64)>,
    reason: &str,
    by: i64,
    now: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO attendance_ledger (session_id, user_id, source, starts_at, ends_at, recorded_by, recorded_at, supersedes, reason) \
         VALUES ($1, $2, 'correction', $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(session)
    .bind(row.user_id)
    .bind(interval.map(|i| i.0))
    .bind(interval.map(|i| i.1))
    .bind(by)
    .bind(now)
    .bind(row.id)
    .bind(reason)
    .fetch_one(&mut *conn)
    .await
}

/// A code window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeWindow {
    pub id: i64,
    pub session_id: i64,
    pub code: String,
    pub opens_at: i64,
    pub closes_at: i64,
    pub opened_by: i64,
}

type WindowRow = (i64, i64, String, i64, i64, i64);

fn window((id, session_id, code, opens_at, closes_at, opened_by): WindowRow) -> CodeWindow {
    CodeWindow {
        id,
        session_id,
        code,
        opens_at,
        closes_at,
        opened_by,
    }
}

pub async fn open_window(
    conn: &mut Connection,
    session: i64,
    code: &str,
    opens_at: i64,
    closes_at: i64,
    by: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO attendance_code_windows (session_id, code, opens_at, closes_at, opened_by) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(session)
    .bind(code)
    .bind(opens_at)
    .bind(closes_at)
    .bind(by)
    .fetch_one(&mut *conn)
    .await
}

/// Every code window of the given sessions, in the order they opened.
pub async fn windows(
    conn: &mut Connection,
    sessions: &[i64],
) -> Result<Vec<CodeWindow>, sqlx::Error> {
    let mut out = Vec::new();
    for session in sessions {
        let rows: Vec<WindowRow> = sqlx::query_as(
            "SELECT id, session_id, code, opens_at, closes_at, opened_by FROM attendance_code_windows \
             WHERE session_id = $1 ORDER BY opens_at, id",
        )
        .bind(session)
        .fetch_all(&mut *conn)
        .await?;
        out.extend(rows.into_iter().map(window));
    }
    out.sort_by_key(|w| (w.opens_at, w.id));
    Ok(out)
}

/// Adds a code entry; false when this learner already entered this window's code.
pub async fn record_code(
    conn: &mut Connection,
    window: &CodeWindow,
    user: i64,
    interval: (i64, i64),
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO attendance_ledger (session_id, user_id, source, starts_at, ends_at, recorded_by, recorded_at, code_window_id) \
         VALUES ($1, $2, 'code', $3, $4, $2, $5, $6) ON CONFLICT (code_window_id, user_id) DO NOTHING",
    )
    .bind(window.session_id)
    .bind(user)
    .bind(interval.0)
    .bind(interval.1)
    .bind(now)
    .bind(window.id)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// When the learner entered `window`'s code, if they did.
pub async fn code_entered_at(
    conn: &mut Connection,
    window: i64,
    user: i64,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT recorded_at FROM attendance_ledger WHERE code_window_id = $1 AND user_id = $2",
    )
    .bind(window)
    .bind(user)
    .fetch_optional(&mut *conn)
    .await
}

/// When `user` answered `window`, if that row still stands (an organizer may have
/// withdrawn or corrected it): what a chain of codes may start from.
pub async fn standing_code_answer(
    conn: &mut Connection,
    window: i64,
    user: i64,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT l.recorded_at FROM attendance_ledger l WHERE l.code_window_id = $1 AND l.user_id = $2 \
         AND NOT EXISTS (SELECT 1 FROM attendance_ledger s WHERE s.supersedes = l.id)",
    )
    .bind(window)
    .bind(user)
    .fetch_optional(&mut *conn)
    .await
}

/// A learner as the importer matches them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub user_id: i64,
    pub email: String,
    pub name: String,
    /// The name they had when they registered for the webinar (empty without a
    /// registration): what a report row without an email is matched by.
    pub registered_name: String,
    /// Holds a seat for the webinar (not waitlisted, not cancelled).
    pub seated: bool,
}

/// Everyone registered, waitlisted or cancelled for the webinar: the only people a report
/// row is matched to (an address with an account but no registration is told apart from
/// one without an account nowhere, so the importer learns nothing about who has one).
pub async fn people(conn: &mut Connection, webinar: i64) -> Result<Vec<Person>, sqlx::Error> {
    let rows: Vec<(i64, String, String, String, String)> = sqlx::query_as(
        "SELECT u.id, u.email, u.full_name, r.status, r.registered_name FROM webinar_registrations r \
         JOIN users u ON u.id = r.user_id WHERE r.webinar_id = $1",
    )
    .bind(webinar)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(user_id, email, name, status, registered_name)| Person {
            user_id,
            email: email.to_lowercase(),
            name,
            registered_name,
            seated: status == "registered",
        })
        .collect())
}

/// A report already imported for the session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Import {
    pub id: i64,
    pub sha256: String,
    pub format: String,
    pub file_name: String,
    pub time_zone: String,
    pub rows_read: i64,
    pub rows_added: i64,
    pub rows_skipped: String,
    pub imported_by: String,
    pub imported_at: i64,
}

type ImportRow = (
    i64,
    String,
    String,
    String,
    String,
    i64,
    i64,
    String,
    String,
    i64,
);

fn import(
    (
        id,
        sha256,
        format,
        file_name,
        time_zone,
        rows_read,
        rows_added,
        rows_skipped,
        imported_by,
        imported_at,
    ): ImportRow,
) -> Import {
    Import {
        id,
        sha256,
        format,
        file_name,
        time_zone,
        rows_read,
        rows_added,
        rows_skipped,
        imported_by,
        imported_at,
    }
}

const IMPORTS: &str = "SELECT i.id, i.sha256, i.format, i.file_name, i.time_zone, i.rows_read, i.rows_added, \
     i.rows_skipped, u.email, i.imported_at FROM attendance_imports i JOIN users u ON u.id = i.imported_by";

pub async fn imports(conn: &mut Connection, session: i64) -> Result<Vec<Import>, sqlx::Error> {
    let rows: Vec<ImportRow> =
        sqlx::query_as(&format!("{IMPORTS} WHERE i.session_id = $1 ORDER BY i.id"))
            .bind(session)
            .fetch_all(&mut *conn)
            .await?;
    Ok(rows.into_iter().map(import).collect())
}

pub async fn import_by_hash(
    conn: &mut Connection,
    session: i64,
    sha256: &str,
) -> Result<Option<Import>, sqlx::Error> {
    let row: Option<ImportRow> = sqlx::query_as(&format!(
        "{IMPORTS} WHERE i.session_id = $1 AND i.sha256 = $2"
    ))
    .bind(session)
    .bind(sha256)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.map(import))
}

/// What an import writes: its record, then one ledger row per accepted line.
pub struct NewImport<'a> {
    pub session: i64,
    pub sha256: &'a str,
    pub format: &'a str,
    pub file_name: &'a str,
    pub time_zone: &'a str,
    pub rows_read: i64,
    pub rows_skipped: &'a str,
    pub by: i64,
    pub now: i64,
    /// `(user, line, (start, end))`.
    pub rows: &'a [(i64, u32, (i64, i64))],
}

pub async fn write_import(conn: &mut Connection, new: &NewImport<'_>) -> Result<i64, sqlx::Error> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO attendance_imports (session_id, sha256, format, file_name, time_zone, rows_read, rows_added, rows_skipped, imported_by, imported_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(new.session)
    .bind(new.sha256)
    .bind(new.format)
    .bind(new.file_name)
    .bind(new.time_zone)
    .bind(new.rows_read)
    .bind(i64::try_from(new.rows.len()).unwrap_or(i64::MAX))
    .bind(new.rows_skipped)
    .bind(new.by)
    .bind(new.now)
    .fetch_one(&mut *conn)
    .await?;
    for (user, line, (start, end)) in new.rows {
        sqlx::query(
            "INSERT INTO attendance_ledger (session_id, user_id, source, starts_at, ends_at, recorded_by, recorded_at, import_id, import_line) \
             VALUES ($1, $2, 'report', $3, $4, $5, $6, $7, $8)",
        )
        .bind(new.session)
        .bind(user)
        .bind(start)
        .bind(end)
        .bind(new.by)
        .bind(new.now)
        .bind(id)
        .bind(i64::from(*line))
        .execute(&mut *conn)
        .await?;
    }
    Ok(id)
}

/// Keeps an uploaded report (once per content).
pub async fn keep_file(
    conn: &mut Connection,
    sha256: &str,
    bytes: &[u8],
    by: i64,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO attendance_files (sha256, bytes, uploaded_by, uploaded_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (sha256) DO NOTHING",
    )
    .bind(sha256)
    .bind(bytes)
    .bind(by)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// An import between its preview and its writing.
#[derive(Debug, Clone)]
pub struct KeptPreview {
    pub id: i64,
    pub session_id: i64,
    pub sha256: String,
    pub bytes: Vec<u8>,
    pub file_name: String,
    pub time_zone: String,
}

pub struct NewPreview<'a> {
    pub session: i64,
    pub sha256: &'a str,
    pub bytes: &'a [u8],
    pub file_name: &'a str,
    pub time_zone: &'a str,
    pub shown: &'a str,
    pub by: i64,
    pub now: i64,
}

/// Keeps `preview` as `by`'s one preview for its session (replacing an earlier one).
pub async fn keep_preview(
    conn: &mut Connection,
    preview: &NewPreview<'_>,
) -> Result<i64, sqlx::Error> {
    // One statement: two uploads at once by one organizer for one session leave the later.
    sqlx::query_scalar(
        "INSERT INTO attendance_import_previews (session_id, sha256, bytes, file_name, time_zone, shown, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (session_id, created_by) DO UPDATE SET sha256 = excluded.sha256, bytes = excluded.bytes, \
         file_name = excluded.file_name, time_zone = excluded.time_zone, shown = excluded.shown, \
         created_at = excluded.created_at RETURNING id",
    )
    .bind(preview.session)
    .bind(preview.sha256)
    .bind(preview.bytes)
    .bind(preview.file_name)
    .bind(preview.time_zone)
    .bind(preview.shown)
    .bind(preview.by)
    .bind(preview.now)
    .fetch_one(&mut *conn)
    .await
}

/// `by`'s preview `id`, if it was made since `since`.
pub async fn preview(
    conn: &mut Connection,
    id: i64,
    by: i64,
    since: i64,
) -> Result<Option<KeptPreview>, sqlx::Error> {
    let row: Option<(i64, i64, String, Vec<u8>, String, String)> = sqlx::query_as(
        "SELECT id, session_id, sha256, bytes, file_name, time_zone FROM attendance_import_previews \
         WHERE id = $1 AND created_by = $2 AND created_at > $3",
    )
    .bind(id)
    .bind(by)
    .bind(since)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.map(
        |(id, session_id, sha256, bytes, file_name, time_zone)| KeptPreview {
            id,
            session_id,
            sha256,
            bytes,
            file_name,
            time_zone,
        },
    ))
}

/// The newest of `by`'s previews for one of `sessions` made since `since`: its id and what
/// it shows (JSON).
pub async fn shown_preview(
    conn: &mut Connection,
    sessions: &[i64],
    by: i64,
    since: i64,
) -> Result<Option<(i64, String)>, sqlx::Error> {
    let mut newest: Option<(i64, i64, String)> = None;
    for session in sessions {
        let row: Option<(i64, i64, String)> = sqlx::query_as(
            "SELECT created_at, id, shown FROM attendance_import_previews \
             WHERE session_id = $1 AND created_by = $2 AND created_at > $3",
        )
        .bind(session)
        .bind(by)
        .bind(since)
        .fetch_optional(&mut *conn)
        .await?;
        if let Some(row) = row
            && newest.as_ref().is_none_or(|n| (n.0, n.1) < (row.0, row.1))
        {
            newest = Some(row);
        }
    }
    Ok(newest.map(|(_, id, shown)| (id, shown)))
}

/// Removes `by`'s preview `id` (written or discarded); false when there was none.
pub async fn drop_preview(conn: &mut Connection, id: i64, by: i64) -> Result<bool, sqlx::Error> {
    let done =
        sqlx::query("DELETE FROM attendance_import_previews WHERE id = $1 AND created_by = $2")
            .bind(id)
            .bind(by)
            .execute(&mut *conn)
            .await?;
    Ok(done.rows_affected() > 0)
}

/// Removes every preview made before `before` (never written); how many.
pub async fn forget_previews(conn: &mut Connection, before: i64) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("DELETE FROM attendance_import_previews WHERE created_at <= $1")
        .bind(before)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected())
}

/// An uploaded report's bytes.
pub async fn file(conn: &mut Connection, sha256: &str) -> Result<Option<Vec<u8>>, sqlx::Error> {
    sqlx::query_scalar("SELECT bytes FROM attendance_files WHERE sha256 = $1")
        .bind(sha256)
        .fetch_optional(&mut *conn)
        .await
}

/// Every report row ever added for the session, superseded or not:
/// `(user, start, end, line, superseded)`.
pub async fn report_rows_ever(
    conn: &mut Connection,
    session: i64,
) -> Result<Vec<(i64, i64, i64, Option<i64>, bool)>, sqlx::Error> {
    let rows: Vec<(i64, i64, i64, Option<i64>, crate::db::Flag)> = sqlx::query_as(
        "SELECT l.user_id, l.starts_at, l.ends_at, l.import_line, \
         EXISTS (SELECT 1 FROM attendance_ledger s WHERE s.supersedes = l.id) \
         FROM attendance_ledger l WHERE l.session_id = $1 AND l.source = 'report' ORDER BY l.id",
    )
    .bind(session)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(user, start, end, line, superseded)| (user, start, end, line, superseded.0))
        .collect())
}

/// The name and profession (a slug) a certificate is made out to.
pub async fn learner(
    conn: &mut crate::db::Connection,
    user: i64,
) -> Result<(String, String), sqlx::Error> {
    sqlx::query_as("SELECT full_name, profession FROM users WHERE id = $1")
        .bind(user)
        .fetch_one(&mut *conn)
        .await
}

/// A live-session claim as it is stored, beside its certificate.
pub struct NewLiveClaim<'a> {
    pub webinar: i64,
    pub session: i64,
    pub user: i64,
    pub revision: i64,
    pub kind: app::catalog::CreditType,
    pub hours: app::catalog::Hours,
    pub attended_seconds: i64,
    pub certificate: i64,
    pub claimed_at: &'a str,
}

pub async fn insert_claim(
    conn: &mut crate::db::Connection,
    claim: &NewLiveClaim<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO webinar_claims (webinar_id, session_id, user_id, revision_number, credit_type, quarters, attended_seconds, certificate_id, claimed_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(claim.webinar)
    .bind(claim.session)
    .bind(claim.user)
    .bind(claim.revision)
    .bind(claim.kind.slug())
    .bind(i64::from(claim.hours.quarters))
    .bind(claim.attended_seconds)
    .bind(claim.certificate)
    .bind(claim.claimed_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Keeps the learner's evaluation of a session.
pub async fn insert_evaluation(
    conn: &mut crate::db::Connection,
    session: i64,
    user: i64,
    answers: &crate::credit::evaluation::EvaluationAnswers,
) -> Result<(), crate::error::Error> {
    sqlx::query(
        "INSERT INTO webinar_evaluations (session_id, user_id, ratings, practice_change, comments, submitted_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(session)
    .bind(user)
    .bind(serde_json::to_string(&answers.ratings)?)
    .bind(&answers.practice_change)
    .bind(&answers.comments)
    .bind(crate::clock::now())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The learner's registration for the webinar (its id): only one holding a seat when
/// `seated`, else one in any state (a cancelled seat keeps its attempts).
pub async fn registration(
    conn: &mut crate::db::Connection,
    webinar: i64,
    user: i64,
    seated: bool,
) -> Result<Option<i64>, sqlx::Error> {
    let sql = if seated {
        "SELECT id FROM webinar_registrations WHERE webinar_id = $1 AND user_id = $2 AND status = 'registered'"
    } else {
        "SELECT id FROM webinar_registrations WHERE webinar_id = $1 AND user_id = $2"
    };
    sqlx::query_scalar(sql)
        .bind(webinar)
        .bind(user)
        .fetch_optional(&mut *conn)
        .await
}

/// The webinar revision the learner's registration was made on (its post-test is theirs).
pub async fn pinned_revision(
    conn: &mut crate::db::Connection,
    webinar: i64,
    user: i64,
) -> Result<Option<i64>, sqlx::Error> {
    Ok(sqlx::query_scalar::<_, Option<i64>>(
        "SELECT revision_id FROM webinar_registrations WHERE webinar_id = $1 AND user_id = $2",
    )
    .bind(webinar)
    .bind(user)
    .fetch_optional(&mut *conn)
    .await?
    .flatten())
}

/// A learner's claims for a webinar's live sessions, first first: `(credit type, quarters,
/// certificate code, session)`.
pub async fn claims_of(
    conn: &mut crate::db::Connection,
    webinar: i64,
    user: i64,
) -> Result<Vec<(String, i64, String, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT w.credit_type, w.quarters, c.code, w.session_id FROM webinar_claims w \
         JOIN certificates c ON c.id = w.certificate_id WHERE w.webinar_id = $1 AND w.user_id = $2 ORDER BY w.id",
    )
    .bind(webinar)
    .bind(user)
    .fetch_all(&mut *conn)
    .await
}

/// When the learner evaluated the session, if they did.
pub async fn evaluated_at(
    conn: &mut crate::db::Connection,
    session: i64,
    user: i64,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT submitted_at FROM webinar_evaluations WHERE session_id = $1 AND user_id = $2",
    )
    .bind(session)
    .bind(user)
    .fetch_optional(&mut *conn)
    .await
}
