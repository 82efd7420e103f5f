//! Email: every message a user must receive is written to the outbox in the transaction of
//! the event that causes it ([`enqueue`]), then delivered by a background sender on any app
//! server ([`deliver::spawn_sender`]) over SMTP or, with no server configured, as `.eml`
//! files under `data/outbox/`. Messages are built from [`compose::templates`]. Routes: the
//! administrators' outbox and its retry.

pub mod compose;
pub mod deliver;
mod pages;
pub mod store;

use crate::AppState;
use crate::access::{Route, Rule};
use crate::auth::Admin;
use crate::error::{Error, Result};
use crate::forms::{Back, Fields, Submission};
use axum::extract::State;
use compose::{Identity, Letter};
use deliver::Transport;
use std::path::PathBuf;

pub fn routes() -> Vec<Route> {
    vec![
        Route::page("/admin/outbox", Rule::Admin),
        Route::server_fn("/api/admin-outbox", Rule::Admin),
        Route::post("/admin/outbox/retry", Rule::Admin, retry),
    ]
}

/// Mail configuration (`GRANDROUNDS_SMTP_URL`, `GRANDROUNDS_OUTBOX_DIR`,
/// `GRANDROUNDS_MAIL_FROM`).
#[derive(Debug, Clone)]
pub struct MailSettings {
    /// SMTP server; `None` writes `.eml` files to `outbox_dir` instead.
    pub smtp_url: Option<String>,
    pub outbox_dir: PathBuf,
    /// The sender address; default `no-reply@<public host>`.
    pub from: Option<String>,
}

/// Who mail comes from, where it goes, and the bell that wakes this server's sender.
pub struct Mail {
    pub identity: Identity,
    pub transport: Transport,
    pub wake: tokio::sync::Notify,
}

impl Mail {
    pub fn new(settings: &MailSettings, site_name: &str, public_url: &str) -> anyhow::Result<Self> {
        Ok(Self {
            identity: Identity::new(site_name, public_url, settings.from.as_deref())?,
            transport: Transport::from_settings(
                settings.smtp_url.as_deref(),
                &settings.outbox_dir,
            )?,
            wake: tokio::sync::Notify::new(),
        })
    }

    /// Tells this server's sender that something was queued (after the commit), so it goes
    /// out now rather than at the next poll.
    pub fn wake(&self) {
        self.wake.notify_one();
    }
}

/// Renders `letter` and writes it to the outbox in the caller's transaction. A refusable
/// message to a user who turned optional mail off is not written (`None`), nor any message
/// but a confirmation or recovery to an account whose address is not confirmed.
pub async fn enqueue(
    conn: &mut crate::db::Connection,
    identity: &Identity,
    letter: &Letter,
) -> Result<Option<i64>> {
    if let (true, Some(user)) = (letter.kind.refusable(), letter.user_id)
        && !store::takes_optional_mail(conn, user).await?
    {
        return Ok(None);
    }
    // Until an account's address is confirmed it is sent nothing but what confirms or
    // recovers it.
    if let (false, Some(user)) = (letter.kind.before_confirmation(), letter.user_id)
        && !store::address_confirmed(conn, user).await?
    {
        tracing::info!(
            kind = letter.kind.as_str(),
            user,
            "message not queued: the account's address is not confirmed"
        );
        return Ok(None);
    }
    let rendered = match letter.render(identity) {
        Ok(rendered) => rendered,
        // An address a message cannot carry (one stored before addresses were checked the
        // way mail needs): the event goes ahead without its message, and the log says so.
        Err(error) => {
            tracing::warn!(
                kind = letter.kind.as_str(),
                %error,
                "message not queued: its recipient's address cannot be written in a message"
            );
            return Ok(None);
        }
    };
    let id = store::insert(
        conn,
        &rendered.message_id,
        letter.kind.as_str(),
        &letter.to_email,
        letter.user_id,
        &letter.subject,
        letter.kind.refusable(),
        &rendered.raw,
    )
    .await?;
    Ok(Some(id))
}

/// `POST /admin/outbox/retry`: administrators. Queues a failed message again.
async fn retry(
    State(state): State<AppState>,
    Admin(viewer): Admin,
    fields: Fields,
) -> Result<Back> {
    let mut form = Submission::new(fields);
    let id = form.get("id");
    let back = Back::to("outbox", "/admin/outbox?status=failed");
    let Ok(id) = id.trim().parse::<i64>() else {
        return Err(Error::invalid(
            back.error("form", "Choose a message to retry."),
        ));
    };
    if store::retry(&state.pool, viewer.id, id).await? {
        state.mail.wake();
        Ok(back.notice(format!(
            "Message {id} is queued again and goes out within seconds."
        )))
    } else {
        Err(Error::invalid(back.error(
            "form",
            format!(
                "Message {id} is not a failed message that can be retried: it may have been retried or sent already, and a password reset or an invitation is never retried (its link may be out of date): ask for a new reset link, or resend the invitation from the users page."
            ),
        )))
    }
}
