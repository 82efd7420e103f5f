//! The webinar pages' data: the published webinars with their times written out.

use super::store::{self, Stored, StoredSession};
use super::times;
use crate::backend::ServerBackend;
use app::accounts::Profession;
use app::error::AppError;
use app::webinars::{
    CalendarSettings, RegistrantRow, RegistrationsPage, SessionTime, WebinarCard, WebinarList,
    WebinarPage, WebinarsBackend,
};

fn live(stored: &Stored) -> impl Iterator<Item = &StoredSession> {
    stored.sessions.iter().filter(|s| !s.cancelled)
}

/// The session a card shows: the next one not yet over, or the last one.
fn shown_session(stored: &Stored, now: i64) -> Option<&StoredSession> {
    live(stored)
        .find(|s| s.ends_at() > now)
        .or_else(|| live(stored).last())
}

fn is_upcoming(stored: &Stored, now: i64) -> bool {
    live(stored).any(|s| s.ends_at() > now)
}

fn card(stored: &Stored, now: i64) -> WebinarCard {
    let when = shown_session(stored, now)
        .map(|s| times::session(s.starts_at, s.minutes, &s.zone))
        .unwrap_or_default();
    WebinarCard {
        slug: stored.detail.slug.clone(),
        title: stored.detail.title.clone(),
        summary: stored.detail.summary.clone(),
        professions: stored.detail.professions.clone(),
        when,
        sessions: u32::try_from(live(stored).count()).unwrap_or(0),
        credits: stored.detail.credits.clone(),
    }
}

/// "Open until …", "Opens on …", "Closed on …", in `zone`.
pub fn registration_text(stored: &Stored, now: i64, zone: &str) -> String {
    if now < stored.registration_opens {
        format!(
            "Opens on {}",
            times::instant(stored.registration_opens, zone)
        )
    } else if now < stored.registration_closes {
        format!(
            "Open until {}",
            times::instant(stored.registration_closes, zone)
        )
    } else {
        format!(
            "Closed on {}",
            times::instant(stored.registration_closes, zone)
        )
    }
}

#[async_trait::async_trait]
impl WebinarsBackend for ServerBackend {
    async fn webinars(&self, profession: Option<Profession>) -> Result<WebinarList, AppError> {
        let now = crate::clock::now_secs();
        let mut all = store::published(&self.pool).await?;
        all.retain(|w| profession.is_none_or(|p| w.detail.professions.contains(&p)));
        let start = |w: &Stored| shown_session(w, now).map_or(0, |s| s.starts_at);
        let (mut upcoming, mut past): (Vec<_>, Vec<_>) =
            all.into_iter().partition(|w| is_upcoming(w, now));
        upcoming.sort_by_key(|w| (start(w), w.detail.title.clone()));
        past.sort_by_key(|w| std::cmp::Reverse(start(w)));
        Ok(WebinarList {
            upcoming: upcoming.iter().map(|w| card(w, now)).collect(),
            past: past.iter().map(|w| card(w, now)).collect(),
        })
    }

    async fn webinar(&self, slug: &str) -> Result<WebinarPage, AppError> {
        let now = crate::clock::now_secs();
        let stored = super::published(&self.pool, slug).await?;
        let viewer = crate::backend::current_viewer();
        // Before this request takes its connection: asking takes one of its own.
        let organizer = match &viewer {
            Some(viewer) => super::organizers::may_organize(&self.pool, viewer, &stored)
                .await
                .is_ok(),
            None => false,
        };
        let mut conn = self
            .pool
            .acquire()
            .await
            .map_err(crate::error::Error::from)?;
        let chosen = match &viewer {
            Some(viewer) => crate::accounts::store::time_zone(&mut conn, viewer.id)
                .await
                .map_err(crate::error::Error::from)?,
            None => None,
        };
        let own = live(&stored)
            .next()
            .map_or_else(|| "UTC".to_owned(), |s| s.zone.clone());
        let zone = chosen.clone().unwrap_or_else(|| own.clone());
        let sessions = stored
            .sessions
            .iter()
            .map(|s| SessionTime {
                number: s.number,
                when: times::session(s.starts_at, s.minutes, chosen.as_deref().unwrap_or(&s.zone)),
                utc: times::session_utc(s.starts_at, s.minutes),
                minutes: s.minutes,
                cancelled: s.cancelled,
                past: s.ends_at() <= now,
            })
            .collect();
        let (seats_taken, waitlisted) = store::counts(&mut conn, stored.webinar_id)
            .await
            .map_err(crate::error::Error::from)?;
        let standing = match &viewer {
            Some(viewer) => store::standing(&mut conn, stored.webinar_id, viewer.id)
                .await
                .map_err(crate::error::Error::from)?,
            None => store::Standing::NotRegistered,
        };
        let has_calendar = match &viewer {
            Some(viewer) => store::calendar_standing(&mut conn, stored.webinar_id, viewer.id)
                .await
                .map_err(crate::error::Error::from)?
                .is_some(),
            None => false,
        };
        let seated = standing == store::Standing::Registered;
        let join_open = seated
            .then(|| super::join::open_session(&stored, now).map(|s| s.number))
            .flatten();
        let join_note = (seated && join_open.is_none())
            .then(|| super::join::when_it_opens(&stored, now, chosen.as_deref()));
        let (standing, waitlist_place) = match standing {
            store::Standing::Registered => (Some("registered".to_owned()), None),
            store::Standing::Waitlisted(place) => (Some("waitlisted".to_owned()), Some(place)),
            store::Standing::NotRegistered => (None, None),
        };
        Ok(WebinarPage {
            seats_taken,
            waitlisted,
            standing,
            waitlist_place,
            signed_in: viewer.is_some(),
            closed: super::registration::closed_because(&stored, now),
            registration: registration_text(&stored, now, &zone),
            capacity: stored.capacity,
            past: !is_upcoming(&stored, now),
            zone_note: match &chosen {
                Some(zone) => format!(
                    "Times are in your time zone ({zone}, chosen on your account page), with UTC beside them."
                ),
                None => format!(
                    "Times are in the webinar's own zone ({own}), with UTC beside them. Signed-in learners can choose their own zone on their account page."
                ),
            },
            code_form: join_open.is_some(),
            join_open,
            join_note,
            has_calendar,
            // The learner's attendance comes from the attendance domain (see
            // `AttendanceBackend::learner_attendance`), which the page asks next.
            attendance: Vec::new(),
            organizer,
            detail: stored.detail,
            sessions,
        })
    }

    async fn calendar_settings(&self) -> Result<CalendarSettings, AppError> {
        let viewer = crate::backend::signed_in()?;
        let since = store::feed_since(&self.pool, viewer.id)
            .await
            .map_err(crate::error::Error::from)?;
        Ok(CalendarSettings {
            zones: chrono_tz::TZ_VARIANTS
                .iter()
                .map(|zone| zone.name().to_owned())
                .collect(),
            feed_since: since.map(|at| at.chars().take(16).collect::<String>().replace('T', " ")),
        })
    }

    async fn registrations(&self, slug: &str) -> Result<RegistrationsPage, AppError> {
        let viewer = crate::backend::signed_in()?;
        let stored = super::organizers::organized(&self.pool, &viewer, slug).await?;
        let row = |p: store::Registrant| RegistrantRow {
            user_id: p.user_id,
            name: p.name,
            email: p.email,
            profession: app::accounts::Profession::from_slug(&p.profession)
                .map_or(p.profession.clone(), |k| k.label().to_owned()),
            arrived: p
                .arrived_at
                .chars()
                .take(19)
                .collect::<String>()
                .replace('T', " "),
        };
        let (registered, waitlist): (Vec<_>, Vec<_>) =
            store::registrants(&self.pool, stored.webinar_id)
                .await
                .map_err(crate::error::Error::from)?
                .into_iter()
                .partition(|p| p.status == "registered");
        Ok(RegistrationsPage {
            slug: stored.detail.slug.clone(),
            title: stored.detail.title.clone(),
            capacity: stored.capacity,
            registered: registered.into_iter().map(row).collect(),
            waitlist: waitlist.into_iter().map(row).collect(),
        })
    }
}
