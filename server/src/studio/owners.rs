//! `POST /studio/owners`: administrators name an educator an owner of an activity, or
//! remove one they named (owners named in a webinar's file are changed in the file).
//! Audited with who, what and from which address.

use super::Kind;
use crate::AppState;
use crate::auth::Admin;
use crate::db::On;
use crate::error::{Error, Result};
use crate::forms::{Back, Fields, Submission};
use axum::extract::State;

/// `kind`, `slug`, `action` (add or remove), `email`.
pub async fn change(
    State(state): State<AppState>,
    Admin(viewer): Admin,
    client: crate::client_addr::ClientAddress,
    fields: Fields,
) -> Result<Back> {
    let mut form = Submission::new(fields);
    let kind = Kind::parse(form.peek("kind"))?;
    let slug = form.peek("slug").to_owned();
    let path = format!("{}#owners", kind.studio_path(&slug));
    if let Some(problem) = form.problem() {
        return Err(Error::invalid(
            Back::to("studio-owners", path).error("form", problem),
        ));
    }
    let action = form.peek("action").to_owned();
    let email = form.get("email");
    let email = form.check(
        "email",
        crate::accounts::validate::email(&email)
            .map_err(|_| "Write the educator's sign-in email, like name@clinic.org.".to_owned()),
    );
    let Some(email) = email else {
        return Err(Error::invalid(form.back("studio-owners", path)));
    };
    let mut tx = crate::db::write_tx(&state.pool).await?;
    // Serialises on the activity, as every studio change does.
    crate::db::lock(&mut tx, On::Key(&super::drafts::key(kind, &slug))).await?;
    if super::working(&mut tx, kind, &slug).await?.is_none() {
        return Err(super::not_yours(&slug));
    }
    let target = format!("{}:{slug}", kind.as_str());
    let notice = match action.as_str() {
        "add" => {
            let role = crate::accounts::store::role_by_email(&mut tx, &email).await?;
            if !matches!(role.as_deref(), Some("educator" | "admin")) {
                form.fail(
                    "email",
                    "No educator has this sign-in email: give the account the educator role (Users) first.",
                );
                return Err(Error::invalid(form.back("studio-owners", path)));
            }
            if !crate::content::store::add_owner(&mut tx, kind.as_str(), &slug, &email, viewer.id)
                .await?
            {
                return Err(Error::invalid(
                    Back::to("studio-owners", path).notice(format!("{email} already is an owner.")),
                ));
            }
            crate::db::audit::record(
                &mut tx,
                Some(viewer.id),
                "studio.owner_added",
                &target,
                &format!("{email}; from {}", client.0),
            )
            .await?;
            format!("{email} is now an owner.")
        }
        "remove" => {
            if !crate::content::store::remove_owner(&mut tx, kind.as_str(), &slug, &email).await? {
                return Err(Error::invalid(Back::to("studio-owners", path).error(
                    "form",
                    format!("{email} is not an owner named in the studio (an owner named in a webinar's file is removed by editing the file)."),
                )));
            }
            crate::db::audit::record(
                &mut tx,
                Some(viewer.id),
                "studio.owner_removed",
                &target,
                &format!("{email}; from {}", client.0),
            )
            .await?;
            format!("{email} is no longer an owner.")
        }
        _ => {
            return Err(Error::bad_request(
                "The form could not be read. Reload the page and try again.",
            ));
        }
    };
    tx.commit().await?;
    Ok(Back::to("studio-owners", path).notice(notice))
}
