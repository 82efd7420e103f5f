//! Who owns an activity: one model for courses and webinars, whichever door they came
//! through. An activity's owners are accounts named by sign-in email, in one table
//! (`activity_owners`), from either of two places:
//!
//! - **its file**: a webinar's `organizers` list. These are replaced whenever a revision of
//!   the file is published, from `content/` or from the studio, and are changed by editing
//!   the file (in the studio, only an administrator may change the list);
//! - **the studio**: an administrator names or removes an owner on the activity's owners
//!   page; the educator who starts a new activity in the studio is named its first owner.
//!
//! Both give the same rights: an owner who is an educator edits the activity's drafts,
//! publishes them, sees its history and, for a webinar, organizes it (registrations,
//! attendance, codes). Administrators may do all of it for every activity without being
//! named. A named address with no educator account yet gives nothing until an educator
//! account with that address exists.

/// The kinds of activity the studio edits, as the tables name them.
pub const KINDS: &[&str] = &["course", "webinar"];

/// Whether the account `user` is named an owner of the activity (either way).
pub async fn owns(
    conn: &mut crate::db::Connection,
    kind: &str,
    slug: &str,
    user: i64,
) -> Result<bool, sqlx::Error> {
    super::store::is_owner(conn, kind, slug, user).await
}
