//! Importing webinar files: a new revision only when a file changed; each session's schedule
//! kept with a SEQUENCE that grows when its time changes, a session no longer in the file
//! cancelled; registrants told of what changed and waiting learners promoted into seats a
//! raised capacity freed, in the same transaction. A webinar whose file is gone is retired.
//! The one way a webinar revision is written.

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

/// Stores what changed and retires webinars whose file is gone (`present`: every file's
/// slug, valid or not). Serialises on the `content-import` key, as course imports do.
pub async fn import(
    pool: &crate::db::Pool,
    webinars: &[Webinar],
    present: &[String],
    identity: &crate::mail::compose::Identity,
) -> Result<ImportSummary, crate::error::Error> {
    let mut summary = ImportSummary::default();
    for webinar in webinars {
        let mut tx = crate::db::write_tx(pool).await?;
        // Serialises on content imports: several servers starting at once import each
        // revision once.
        crate::db::lock(&mut tx, crate::db::On::Key("content-import")).await?;
        let now = crate::clock::now();
        let id = store::id_or_new(&mut tx, &webinar.slug, &now).await?;
        // And on the webinar's seats: a capacity changes between registrations, never during one.
        crate::db::lock(&mut tx, crate::db::On::Key(&format!("webinar:{id}"))).await?;
        store::unretire(&mut tx, id).await?;
        let latest = store::latest_revision(&mut tx, id).await?;
        if latest
            .as_ref()
            .is_some_and(|(_, hash)| *hash == webinar.content_hash)
        {
            tx.commit().await?;
            summary.unchanged += 1;
            continue;
        }
        let number = latest.map_or(1, |(n, _)| n + 1);
        let detail = serde_json::to_string(&detail(webinar))?;
        let organizers = serde_json::to_string(&webinar.organizers)?;
        let revision = store::insert_revision(
            &mut tx,
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
            },
        )
        .await?;
        if let Some(post_test) = &webinar.post_test {
            let definition = serde_json::to_string(&post_test.quiz)?;
            store::insert_post_test(&mut tx, revision, &post_test.source, &definition).await?;
        }
        // The schedule: a changed time moves the session's SEQUENCE on; a session no longer
        // in the file is cancelled (and its SEQUENCE moves too).
        let existing = store::schedule(&mut tx, id).await?;
        // What registrants are told: (session number, its old start and length, cancelled).
        let mut changes: Vec<(u32, i64, u32, bool)> = Vec::new();
        for session in &webinar.sessions {
            let number = i64::from(session.number);
            match existing.iter().find(|(n, ..)| *n == number) {
                None => {
                    store::insert_session(&mut tx, id, session).await?;
                }
                Some((_, starts_at, minutes, _, cancelled)) => {
                    let moved = *starts_at != session.starts_at
                        || *minutes != i64::from(session.minutes)
                        || cancelled.is_some();
                    store::reschedule_session(&mut tx, id, session, moved).await?;
                    if moved {
                        summary
                            .rescheduled
                            .push((webinar.slug.clone(), session.number));
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
            store::cancel_session(&mut tx, id, *number, &now).await?;
            summary
                .cancelled
                .push((webinar.slug.clone(), u32::try_from(*number).unwrap_or(0)));
            changes.push((
                u32::try_from(*number).unwrap_or(0),
                *starts_at,
                u32::try_from(*minutes).unwrap_or(0),
                true,
            ));
        }
        // In the import's transaction: the new schedule and its messages commit together.
        if let Some(stored) = store::stored_in(&mut tx, id).await? {
            let now = crate::clock::now_secs();
            if stored
                .sessions
                .iter()
                .any(|s| !s.cancelled && s.ends_at() > now)
            {
                // Seats a raised capacity freed go to the waitlist, in order.
                let promoted = store::promote_while_free(&mut tx, id, webinar.capacity).await?;
                super::registration::tell_promoted(&mut tx, identity, &stored, &promoted).await?;
            }
            if !changes.is_empty() {
                super::registration::tell_changed(&mut tx, identity, &stored, &changes).await?;
            }
        }
        tx.commit().await?;
        summary.created.push((webinar.slug.clone(), number));
    }

    let mut tx = crate::db::write_tx(pool).await?;
    // Serialises on content imports, as above.
    crate::db::lock(&mut tx, crate::db::On::Key("content-import")).await?;
    let active = store::active_slugs(&mut tx).await?;
    for slug in active.into_iter().filter(|slug| !present.contains(slug)) {
        store::retire(&mut tx, &slug, &crate::clock::now()).await?;
        summary.retired.push(slug);
    }
    tx.commit().await?;
    Ok(summary)
}
