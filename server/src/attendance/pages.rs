//! The attendance pages' data: the organizers' page and code screen, and the learner's part
//! of the webinar page.

use super::intervals::{self, Eligibility};
use super::store::{self, Source};
use super::summary;
use crate::backend::ServerBackend;
use crate::error::Error;
use crate::webinars::format::AttendanceRule;
use crate::webinars::store::{Stored, StoredSession};
use app::attendance::{
    AttendanceBackend, AttendancePage, AttendeeRow, CodeScreen, CodeWindowRow, EvidenceRow,
    ImportPreview, ImportRow, LearnerAttendance, SessionAttendance,
};
use app::error::AppError;

/// Ledger rows per page of the organizers' attendance page.
const LEDGER_PAGE: i64 = 100;

/// "At least 45 minutes of the session (45 min)", "At least 80% of the session (48 min)".
pub fn rule_text(rule: AttendanceRule, session: &StoredSession) -> String {
    let needed = intervals::written(intervals::required_seconds(
        rule,
        session.ends_at() - session.starts_at,
    ));
    match rule {
        AttendanceRule::MinMinutes(m) => {
            format!("Credit needs at least {m} minutes of the session")
        }
        AttendanceRule::MinPercent(p) => {
            format!("Credit needs at least {p}% of the session ({needed})")
        }
    }
}

fn per_source_text(per_source: &[(Source, i64)]) -> String {
    per_source
        .iter()
        .map(|(source, seconds)| format!("{}: {}", source.written(), intervals::written(*seconds)))
        .collect::<Vec<_>>()
        .join("; ")
}

fn why_not(eligibility: Eligibility) -> Option<String> {
    match eligibility {
        Eligibility::Eligible => None,
        Eligibility::Missing { seconds } => Some(format!("{} short", intervals::written(seconds))),
    }
}

/// The viewer's attendance of every session of `stored` that has started, for the webinar
/// page (empty for a learner without a seat or evidence).
pub async fn learner(
    conn: &mut crate::db::Connection,
    stored: &Stored,
    user: i64,
    now: i64,
) -> Result<Vec<LearnerAttendance>, Error> {
    let started: Vec<&StoredSession> = stored
        .sessions
        .iter()
        .filter(|s| !s.cancelled && s.starts_at <= now)
        .collect();
    if started.is_empty() {
        return Ok(Vec::new());
    }
    let rule = crate::webinars::store::attendance_rule(conn, stored.webinar_id).await?;
    let mut out = Vec::new();
    for session in started {
        let evidence = store::learner_evidence(conn, session.id, user).await?;
        let mine: Vec<&store::Evidence> = evidence.iter().collect();
        let attendance = summary::of(&mine, session, rule);
        let over = session.ends_at() <= now;
        let step = if over && attendance.eligibility == Eligibility::Eligible {
            Some(super::claims::offer(conn, stored, session, user, attendance.seconds).await?)
        } else {
            None
        };
        let verdict = match attendance.eligibility {
            Eligibility::Eligible => "Eligible for credit for this session.".to_owned(),
            Eligibility::Missing { seconds } => format!(
                "{}: {} more {} needed. {}.",
                if over {
                    "Not eligible"
                } else {
                    "Not eligible yet"
                },
                intervals::written(seconds),
                if over { "would have been" } else { "are" },
                rule_text(rule, session)
            ),
        };
        out.push(LearnerAttendance {
            session: session.number,
            per_source: attendance
                .per_source
                .iter()
                .map(|(source, seconds)| {
                    (source.written().to_owned(), intervals::written(*seconds))
                })
                .collect(),
            total: intervals::written(attendance.seconds),
            eligible: attendance.eligibility == Eligibility::Eligible,
            verdict,
            step,
        });
    }
    Ok(out)
}

async fn published_webinar(pool: &crate::db::Pool, slug: &str) -> Result<Stored, AppError> {
    Ok(crate::webinars::published(pool, slug).await?)
}

async fn published_for_organizer(backend: &ServerBackend, slug: &str) -> Result<Stored, AppError> {
    let viewer = crate::backend::signed_in()?;
    Ok(crate::webinars::organizers::organized(&backend.pool, &viewer, slug).await?)
}

#[async_trait::async_trait]
impl AttendanceBackend for ServerBackend {
    async fn learner_attendance(&self, slug: &str) -> Result<Vec<LearnerAttendance>, AppError> {
        let Some(viewer) = crate::backend::current_viewer() else {
            return Ok(Vec::new());
        };
        let stored = published_webinar(&self.pool, slug).await?;
        let now = crate::clock::now_secs();
        let mut conn = self.pool.acquire().await.map_err(Error::from)?;
        let seated = crate::webinars::store::standing(&mut conn, stored.webinar_id, viewer.id)
            .await
            .map_err(Error::from)?
            == crate::webinars::store::Standing::Registered;
        let attendance = learner(&mut conn, &stored, viewer.id, now).await?;
        // Shown to a seat holder, and to anyone with minutes on record (a cancelled seat).
        Ok(if seated || attendance.iter().any(|a| a.total != "0 min") {
            attendance
        } else {
            Vec::new()
        })
    }

    async fn post_test(&self, slug: &str) -> Result<app::learning::QuizPage, AppError> {
        let viewer = crate::backend::signed_in()?;
        let stored = published_webinar(&self.pool, slug).await?;
        let state = self.form_state(super::assessment::FORM).await?;
        Ok(super::assessment::quiz_page(&self.pool, stored, viewer.id, state).await?)
    }

    async fn post_test_attempt(
        &self,
        slug: &str,
        number: u32,
    ) -> Result<app::learning::AttemptResult, AppError> {
        let viewer = crate::backend::signed_in()?;
        let stored = published_webinar(&self.pool, slug).await?;
        Ok(super::assessment::attempt_result(&self.pool, stored, viewer.id, number).await?)
    }

    async fn attendance(&self, slug: &str, ledger_page: u32) -> Result<AttendancePage, AppError> {
        let ledger_page = ledger_page.max(1);
        let offset = i64::from(ledger_page - 1) * LEDGER_PAGE;
        let stored = published_for_organizer(self, slug).await?;
        let now = crate::clock::now_secs();
        let zone = super::zone_of(&stored, None);
        let registrants = crate::webinars::store::registrants(&self.pool, stored.webinar_id)
            .await
            .map_err(Error::from)?;
        let mut conn = self.pool.acquire().await.map_err(Error::from)?;
        let rule = crate::webinars::store::attendance_rule(&mut conn, stored.webinar_id).await?;
        let names: std::collections::HashMap<i64, String> = registrants
            .iter()
            .map(|p| (p.user_id, format!("{} <{}>", p.name, p.email)))
            .collect();
        let mut sessions = Vec::new();
        for session in stored.sessions.iter().filter(|s| !s.cancelled) {
            let zone = session.zone.as_str();
            let rows = summary::session(&mut conn, stored.webinar_id, session, rule, &registrants)
                .await
                .map_err(Error::from)?;
            let (evidence, evidence_total) =
                store::evidence_page(&mut conn, session.id, LEDGER_PAGE, offset)
                    .await
                    .map_err(Error::from)?;
            let entered = store::code_entries(&mut conn, session.id)
                .await
                .map_err(Error::from)?;
            let windows = store::windows(&mut conn, &[session.id])
                .await
                .map_err(Error::from)?;
            let imports = store::imports(&mut conn, session.id)
                .await
                .map_err(Error::from)?;
            let interval_text = |interval: Option<(i64, i64)>| match interval {
                Some((start, end)) if start == end => format!("at {}", super::clock(start, zone)),
                Some((start, end)) => format!(
                    "{} \u{2013} {} ({})",
                    super::clock(start, zone),
                    super::clock(end, zone),
                    intervals::written(end - start)
                ),
                None => "withdrawn".to_owned(),
            };
            sessions.push(SessionAttendance {
                number: session.number,
                when: crate::webinars::times::session(session.starts_at, session.minutes, zone),
                rule: rule_text(rule, session),
                registered: rows
                    .iter()
                    .filter(|r| r.person.status == "registered")
                    .count(),
                attended: rows.iter().filter(|r| r.attendance.seconds > 0).count(),
                eligible: rows
                    .iter()
                    .filter(|r| r.attendance.eligibility == Eligibility::Eligible)
                    .count(),
                attendees: rows
                    .iter()
                    .map(|r| AttendeeRow {
                        name: r.person.name.clone(),
                        email: r.person.email.clone(),
                        status: r.person.status.clone(),
                        total: intervals::written(r.attendance.seconds),
                        seconds: r.attendance.seconds,
                        per_source: if r.attendance.code_only() {
                            format!(
                                "{} (codes only: seen at each answer; no report confirms it)",
                                per_source_text(&r.attendance.per_source)
                            )
                        } else {
                            per_source_text(&r.attendance.per_source)
                        },
                        eligible: r.attendance.eligibility == Eligibility::Eligible,
                        why: why_not(r.attendance.eligibility),
                    })
                    .collect(),
                evidence_total,
                evidence_from: offset + 1,
                evidence: evidence
                    .iter()
                    .map(|e| EvidenceRow {
                        id: e.id,
                        learner: names
                            .get(&e.user_id)
                            .cloned()
                            .unwrap_or_else(|| format!("account {}", e.user_id)),
                        source: match (e.source, e.import_line) {
                            (Source::Report, Some(line)) => format!("report, line {line}"),
                            (source, _) => source.written().to_owned(),
                        },
                        interval: interval_text(e.interval),
                        recorded: super::clock_dated(e.recorded_at, zone),
                        reason: e.reason.clone(),
                    })
                    .collect(),
                imports: imports
                    .into_iter()
                    .map(|i| ImportRow {
                        file_name: i.file_name,
                        format: i.format,
                        sha256: i.sha256,
                        imported: super::clock_dated(i.imported_at, zone),
                        by: i.imported_by,
                        rows_read: i.rows_read,
                        rows_added: i.rows_added,
                        skipped: serde_json::from_str(&i.rows_skipped).unwrap_or_default(),
                    })
                    .collect(),
                windows: windows
                    .iter()
                    .map(|w| CodeWindowRow {
                        code: w.code.clone(),
                        shown: format!(
                            "{} \u{2013} {}",
                            super::clock(w.opens_at, zone),
                            super::clock(w.closes_at, zone)
                        ),
                        open: w.opens_at <= now && now < w.closes_at,
                        entered: entered
                            .iter()
                            .find(|(window, _)| *window == w.id)
                            .map_or(0, |(_, n)| u32::try_from(*n).unwrap_or(u32::MAX)),
                    })
                    .collect(),
                running: super::codes::running_session(&stored, now)
                    .is_some_and(|s| s.id == session.id),
                started: session.starts_at - crate::webinars::join::OPENS_BEFORE_SECS <= now,
            });
        }
        let viewer = crate::backend::signed_in()?;
        let ids: Vec<i64> = stored.sessions.iter().map(|s| s.id).collect();
        let since = now - super::imports::PREVIEW_KEPT_SECS;
        let preview: Option<ImportPreview> =
            store::shown_preview(&mut conn, &ids, viewer.id, since)
                .await
                .map_err(Error::from)?
                .and_then(|(id, json)| {
                    serde_json::from_str(&json)
                        .ok()
                        .map(|shown| ImportPreview { id, ..shown })
                });
        drop(conn);
        Ok(AttendancePage {
            slug: stored.detail.slug.clone(),
            title: stored.detail.title.clone(),
            zone,
            sessions,
            ledger_page,
            ledger_page_size: u32::try_from(LEDGER_PAGE).unwrap_or(100),
            preview,
        })
    }

    async fn code_screen(&self, slug: &str) -> Result<CodeScreen, AppError> {
        let stored = published_for_organizer(self, slug).await?;
        let now = crate::clock::now_secs();
        let mut conn = self.pool.acquire().await.map_err(Error::from)?;
        let ids: Vec<i64> = stored.sessions.iter().map(|s| s.id).collect();
        let windows = store::windows(&mut conn, &ids).await.map_err(Error::from)?;
        let open = windows
            .iter()
            .rev()
            .find(|w| w.opens_at <= now && now < w.closes_at);
        Ok(CodeScreen {
            slug: stored.detail.slug.clone(),
            title: stored.detail.title.clone(),
            code: open.map(|w| w.code.clone()),
            until: open
                .map(|w| super::clock(w.closes_at, &super::zone_of(&stored, Some(w.session_id)))),
            running: super::codes::running_session(&stored, now).is_some(),
        })
    }
}
