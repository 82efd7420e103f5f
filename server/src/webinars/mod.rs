//! Live webinars: the activity a learner finds, registers for and joins (the video stays on
//! the conferencing service). So far: the webinar file format and its checks
//! ([`format`]), run by `grandrounds content check`. Registration, calendars, join links and
//! reminders come next, in this folder.

pub mod format;
