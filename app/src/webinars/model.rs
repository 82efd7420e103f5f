//! The data the webinar pages show, built by the server. Times arrive already written out in
//! the viewer's zone (the zone data stays on the server, out of the wasm).

use crate::accounts::Profession;
use crate::catalog::{Credit, FacultyMember};
use serde::{Deserialize, Serialize};

/// What a revision of a webinar says, as stored (never its join URL).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebinarDetail {
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub professions: Vec<Profession>,
    pub description_html: String,
    pub objectives: Vec<String>,
    pub presenters: Vec<FacultyMember>,
    pub planners: Vec<FacultyMember>,
    pub accreditation_statement: String,
    pub designation_statement: String,
    pub credits: Vec<Credit>,
    /// "Zoom", "Microsoft Teams", …
    pub service: String,
    /// "At least 45 minutes of a session" or "At least 80% of a session".
    pub attendance: String,
}

/// One session, written out for the viewer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionTime {
    pub number: u32,
    /// "Tuesday 4 March 2031, 09:00–10:00 CST (UTC−06:00, America/Chicago)".
    pub when: String,
    /// "15:00–16:00 UTC".
    pub utc: String,
    pub minutes: u32,
    pub cancelled: bool,
    pub past: bool,
}

/// `/webinars/{webinar}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebinarPage {
    pub detail: WebinarDetail,
    pub sessions: Vec<SessionTime>,
    /// "Registration is open until …", "Registration opens on …", "Registration closed on …".
    pub registration: String,
    pub capacity: u32,
    /// Every session has ended.
    pub past: bool,
    /// Whose zone the times are in.
    pub zone_note: String,
    pub seats_taken: u32,
    pub waitlisted: u32,
    /// The viewer's place: "registered", "waitlisted" (with `waitlist_place`), or `None`.
    pub standing: Option<String>,
    pub waitlist_place: Option<u32>,
    pub signed_in: bool,
    /// Why registration is closed now, if it is.
    pub closed: Option<String>,
    /// For a learner holding a seat: the session whose join link is open now.
    pub join_open: Option<u32>,
    /// For a learner holding a seat, outside the join window: when the link opens.
    pub join_note: Option<String>,
    /// The viewer has a calendar file for this webinar (a seat, or a cancelled one).
    pub has_calendar: bool,
    /// For a learner holding a seat while a session runs: the attendance-code form.
    pub code_form: bool,
    /// The viewer's recorded attendance of each session that has started.
    pub attendance: Vec<crate::attendance::LearnerAttendance>,
    /// The viewer organizes this webinar (or is an administrator): links to its lists.
    pub organizer: bool,
}

/// The calendar part of `/account`: the zone choices and the private feed's state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarSettings {
    /// Every IANA zone name, for the time-zone choice.
    pub zones: Vec<String>,
    /// When the working feed address was made (UTC), if there is one.
    pub feed_since: Option<String>,
}

/// One webinar in the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebinarCard {
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub professions: Vec<Profession>,
    /// The next session (upcoming) or the last (past), written out.
    pub when: String,
    pub sessions: u32,
    pub credits: Vec<Credit>,
}

/// `/webinars`: upcoming first (soonest first), then past (latest first).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebinarList {
    pub upcoming: Vec<WebinarCard>,
    pub past: Vec<WebinarCard>,
}

/// One person on an organizer's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistrantRow {
    pub user_id: i64,
    pub name: String,
    pub email: String,
    pub profession: String,
    /// When they registered (or joined the waitlist), UTC.
    pub arrived: String,
}

/// `/webinars/{webinar}/registrations`: for its organizers and administrators.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistrationsPage {
    pub slug: String,
    pub title: String,
    pub capacity: u32,
    pub registered: Vec<RegistrantRow>,
    /// In the order seats will go to them.
    pub waitlist: Vec<RegistrantRow>,
}
