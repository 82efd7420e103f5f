//! Importing webinar files: a new revision only when a file changed; each session's schedule
//! kept with a SEQUENCE that grows when its time changes, a session no longer in the file
//! cancelled; registrants told of what changed and waiting learners promoted into seats a
//! raised capacity freed, in the same transaction. A webinar whose file is gone is retired.
//! The one way a webinar revision is written ([`write_webinar`]), whichever door it comes
//! through.

use super::format::{AttendanceRule, Webinar};
use super::store;
use app::catalog::{Credit, FacultyMember};
use app::webinars::WebinarDetail;

#[derive(Debug, Default, PartialEq, Eq)]
pub struct ImportSummary {
    /// `(slug, revision number)` for every revision written.
    pub created: Vec<(String, i64)>,
    pub unchanged: usize,
    pub retired: Vec<String>,
    /// `(slug, session number)` whose time changed (their registrants are to be told).
    pub rescheduled: Vec<(String, u32)>,
    /// `(slug, session number)` no longer in the file: cancelled (to be told too).
    pub cancelled: Vec<(String, u32)>,
    /// Files that changed while the studio also published: held back (see
    /// `crate::content::doors`).
    pub conflicts: Vec<String>,
    /// Files not imported because they change a session that has started (or the rule):
    /// `(slug, what)`.
    pub frozen: Vec<(String, Vec<String>)>,
}

fn detail(webinar: &Webinar) -> WebinarDetail {
    let person = |p: &super::format::Person| FacultyMember {
        name: p.name.clone(),
        role: p.role.clone(),
        relationships: (!p.disclosure.eq_ignore_ascii_case("none")).then(|| p.disclosure.clone()),
    };
    WebinarDetail {
        slug: webinar.slug.clone(),
        title: webinar.title.clone(),
        summary: webinar.summary.clone(),
        professions: webinar.professions.clone(),
        description_html: webinar.description_html.clone(),
        objectives: webinar.objectives.clone(),
        presenters: webinar.presenters.iter().map(person).collect(),
        planners: webinar.planners.iter().map(person).collect(),
        accreditation_statement: webinar.accreditation_statement.clone(),
        designation_statement: webinar.designation_statement.clone(),
        credits: webinar
            .credits
            .iter()
            .map(|(kind, max_hours)| Credit {
                kind: *kind,
                max_hours: *max_hours,
            })
            .collect(),
        service: webinar.service.label().to_owned(),
        attendance: match webinar.attendance {
            AttendanceRule::MinMinutes(m) => format!("at least {m} minutes of a session"),
            AttendanceRule::MinPercent(p) => format!("at least {p}% of a session"),
        },
    }
}

/// Reads every webinar file under the two-doors rule (`crate::content::doors`), and retires
/// webinars whose file is gone (`present`: every file's slug, valid or not) while the file
/// is what their live revision came from. Serialises on the `content-import` key, as course
/// imports do.
pub async fn import(
    pool: &crate::db::Pool,
    webinars: &[Webinar],
    present: &[String],
    identity: &crate::mail::compose::Identity,
) -> Result<ImportSummary, crate::error::Error> {
    use crate::content::doors::{self, Decision};
    use crate::content::store as content;
    let mut summary = ImportSummary::default();
    for webinar in webinars {
        let mut tx = crate::db::write_tx(pool).await?;
        // Serialises on content imports and publishing: several servers starting at once
        // import each revision once, and a studio publish never interleaves with one.
        crate::db::lock(&mut tx, crate::db::On::Key("content-import")).await?;
        let id = store::id_or_new(&mut tx, &webinar.slug, &crate::clock::now()).await?;
        let folder_then = content::folder_hash(&mut tx, "webinar", &webinar.slug).await?;
        let live = store::latest_revision(&mut tx, id).await?;
        match doors::decide(
            folder_then.as_deref(),
            live.as_ref().map(|(_, hash)| hash.as_str()),
            &webinar.content_hash,
        ) {
            Decision::Unchanged => {
                store::unretire(&mut tx, id).await?;
                summary.unchanged += 1;
            }
            Decision::Publish => {
                // A session that has started keeps its time, and the webinar its rule.
                if let Some(stored) = store::stored_in(&mut tx, id).await? {
                    let rule = store::attendance_rule(&mut tx, id).await.ok();
                    let frozen = frozen_problems(&stored, rule, webinar, crate::clock::now_secs());
                    if !frozen.is_empty() {
                        summary.frozen.push((webinar.slug.clone(), frozen));
                        continue;
                    }
                }
                match write_webinar(&mut tx, identity, webinar, None).await? {
                    Some(written) => {
                        summary.created.push((webinar.slug.clone(), written.number));
                        summary.rescheduled.extend(
                            written
                                .rescheduled
                                .into_iter()
                                .map(|n| (webinar.slug.clone(), n)),
                        );
                        summary.cancelled.extend(
                            written
                                .cancelled
                                .into_iter()
                                .map(|n| (webinar.slug.clone(), n)),
                        );
                    }
                    None => summary.unchanged += 1,
                }
                content::set_folder_hash(&mut tx, "webinar", &webinar.slug, &webinar.content_hash)
                    .await?;
                content::drop_conflict(&mut tx, "webinar", &webinar.slug).await?;
            }
            Decision::Conflict => {
                let files = webinar.files();
                let files: Vec<(&str, &str)> = files
                    .iter()
                    .map(|f| (f.name.as_str(), f.text.as_str()))
                    .collect();
                content::hold_conflict(
                    &mut tx,
                    "webinar",
                    &webinar.slug,
                    &serde_json::to_string(&files)?,
                    &webinar.content_hash,
                )
                .await?;
                summary.conflicts.push(webinar.slug.clone());
            }
        }
        tx.commit().await?;
    }

    let mut tx = crate::db::write_tx(pool).await?;
    // Serialises on content imports, as above.
    crate::db::lock(&mut tx, crate::db::On::Key("content-import")).await?;
    let active = store::active_slugs(&mut tx).await?;
    for slug in active.into_iter().filter(|slug| !present.contains(slug)) {
        let folder_then = content::folder_hash(&mut tx, "webinar", &slug).await?;
        let id = store::id_or_new(&mut tx, &slug, &crate::clock::now()).await?;
        let live = store::latest_revision(&mut tx, id).await?;
        if doors::retires(
            folder_then.as_deref(),
            live.as_ref().map(|(_, hash)| hash.as_str()),
        ) {
            store::retire(&mut tx, &slug, &crate::clock::now()).await?;
            summary.retired.push(slug);
        }
    }
    tx.commit().await?;
    Ok(summary)
}

/// What writing a webinar revision did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Written {
    pub number: i64,
    pub revision: i64,
    /// Session numbers whose time changed, and those no longer in the file (cancelled):
    /// their registrants were told, in the same transaction.
    pub rescheduled: Vec<u32>,
    pub cancelled: Vec<u32>,
}

/// Writes a new revision of `webinar` in the caller's transaction (which holds the
/// `content-import` lock), whichever door it came through (`published_by`: the studio's
/// publisher; `None`: its file): its schedule, the owners its file names, its files, and
/// what registrants are told; `None` when the latest revision has the same files.
pub async fn write_webinar(
    tx: &mut crate::db::Connection,
    identity: &crate::mail::compose::Identity,
    webinar: &Webinar,
    published_by: Option<i64>,
) -> Result<Option<Written>, crate::error::Error> {
    let now = crate::clock::now();
    let id = store::id_or_new(tx, &webinar.slug, &now).await?;
    // Serialises on the webinar's seats: a capacity changes between registrations, never
    // during one.
    crate::db::lock(tx, crate::db::On::Key(&format!("webinar:{id}"))).await?;
    store::unretire(tx, id).await?;
    let latest = store::latest_revision(tx, id).await?;
    if latest
        .as_ref()
        .is_some_and(|(_, hash)| *hash == webinar.content_hash)
    {
        return Ok(None);
    }
    let number = latest.map_or(1, |(n, _)| n + 1);
    let detail = serde_json::to_string(&detail(webinar))?;
    let organizers = serde_json::to_string(&webinar.organizers)?;
    let revision = store::insert_revision(
        tx,
        &store::NewRevision {
            webinar: id,
            number,
            content_hash: &webinar.content_hash,
            source: &webinar.source,
            detail: &detail,
            join_url: &webinar.join_url,
            capacity: webinar.capacity,
            registration_opens: webinar.registration_opens,
            registration_closes: webinar.registration_closes,
            created_at: &now,
            organizers: &organizers,
            published_by,
        },
    )
    .await?;
    if let Some(post_test) = &webinar.post_test {
        let definition = serde_json::to_string(&post_test.quiz)?;
        store::insert_post_test(tx, revision, &post_test.source, &definition).await?;
    }
    crate::content::store::insert_revision_files(tx, "webinar", revision, &webinar.files()).await?;
    crate::content::store::replace_file_owners(tx, "webinar", &webinar.slug, &webinar.organizers)
        .await?;
    let mut written = Written {
        number,
        revision,
        ..Written::default()
    };
    // The schedule: a changed time moves the session's SEQUENCE on; a session no longer in
    // the file is cancelled (and its SEQUENCE moves too).
    let existing = store::schedule(tx, id).await?;
    // What registrants are told: (session number, its old start and length, cancelled).
    let mut changes: Vec<(u32, i64, u32, bool)> = Vec::new();
    for session in &webinar.sessions {
        let number = i64::from(session.number);
        match existing.iter().find(|(n, ..)| *n == number) {
            None => {
                store::insert_session(tx, id, session).await?;
            }
            Some((_, starts_at, minutes, _, cancelled)) => {
                let moved = *starts_at != session.starts_at
                    || *minutes != i64::from(session.minutes)
                    || cancelled.is_some();
                store::reschedule_session(tx, id, session, moved).await?;
                if moved {
                    written.rescheduled.push(session.number);
                    changes.push((
                        session.number,
                        *starts_at,
                        u32::try_from(*minutes).unwrap_or(0),
                        false,
                    ));
                }
            }
        }
    }
    for (number, starts_at, minutes, ..) in existing.iter().filter(|(n, .., cancelled)| {
        cancelled.is_none() && !webinar.sessions.iter().any(|s| i64::from(s.number) == *n)
    }) {
        store::cancel_session(tx, id, *number, &now).await?;
        written.cancelled.push(u32::try_from(*number).unwrap_or(0));
        changes.push((
            u32::try_from(*number).unwrap_or(0),
            *starts_at,
            u32::try_from(*minutes).unwrap_or(0),
            true,
        ));
    }
    // In the revision's transaction: the new schedule and its messages commit together.
    if let Some(stored) = store::stored_in(tx, id).await? {
        let now = crate::clock::now_secs();
        if stored
            .sessions
            .iter()
            .any(|s| !s.cancelled && s.ends_at() > now)
        {
            // Seats a raised capacity freed go to the waitlist, in order.
            let promoted = store::promote_while_free(tx, id, webinar.capacity).await?;
            super::registration::tell_promoted(tx, identity, &stored, &promoted).await?;
        }
        if !changes.is_empty() {
            super::registration::tell_changed(tx, identity, &stored, &changes).await?;
        }
    }
    Ok(Some(written))
}

/// What a new revision may not change once a session has started: that session's start,
/// length and zone (it may still be cancelled, by leaving it out), and the attendance rule
/// (`live_rule`, the live revision's), since evidence was already gathered against them.
/// Each problem says what to write instead.
pub fn frozen_problems(
    stored: &super::store::Stored,
    live_rule: Option<AttendanceRule>,
    new: &Webinar,
    now: i64,
) -> Vec<String> {
    let started: Vec<&super::store::StoredSession> = stored
        .sessions
        .iter()
        .filter(|s| !s.cancelled && s.starts_at <= now)
        .collect();
    let mut problems = Vec::new();
    for old in &started {
        let Some(new_session) = new.sessions.iter().find(|s| s.number == old.number) else {
            continue;
        };
        if new_session.starts_at != old.starts_at
            || new_session.minutes != old.minutes
            || new_session.zone != old.zone
        {
            problems.push(format!(
                "session {} has started: its start, length and zone cannot change (leave them as they were; to call it off, remove the session)",
                old.number
            ));
        }
    }
    if !started.is_empty() && live_rule.is_some_and(|rule| rule != new.attendance) {
        problems.push(
            "a session has started, so the attendance rule cannot change: attendance is already being judged by it".into(),
        );
    }
    problems
}
