//! One activity earns credit once, live or recorded: a learner who claimed a webinar's live
//! sessions cannot claim its recording (a course with a `[recording]` table naming the
//! webinar), and one who claimed the recording cannot claim the live sessions. Both claims
//! ask here, inside their claim's transaction.

use crate::error::Result;

/// The code of the certificate the learner was issued for the live sessions of the webinar
/// `webinar` (a slug), if any: its recording cannot be claimed as well.
pub async fn live_certificate(
    conn: &mut crate::db::Connection,
    webinar: &str,
    user: i64,
) -> Result<Option<String>> {
    Ok(super::store::live_certificates(conn, webinar, user)
        .await?
        .into_iter()
        .next())
}

/// The code of a certificate the learner was issued for a recording of the webinar
/// `webinar` (a slug), if any: the live session cannot be claimed as well. Read from the
/// revision each claim was made on, so a recording since retired or changed still counts.
pub async fn recording_certificate(
    conn: &mut crate::db::Connection,
    webinar: &str,
    user: i64,
) -> Result<Option<String>> {
    let claimed = super::store::course_certificates_with_revision(conn, user).await?;
    Ok(claimed.into_iter().find_map(|(code, rendered)| {
        let detail: app::catalog::CourseDetail = serde_json::from_str(&rendered).ok()?;
        detail
            .recording
            .is_some_and(|r| r.webinar == webinar)
            .then_some(code)
    }))
}
