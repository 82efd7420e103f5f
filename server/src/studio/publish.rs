//! Publishing a draft: through the one writer of its kind (`content::import::write_course`,
//! `webinars::import::write_webinar`) under the `content-import` key, so a studio publish
//! and a folder import never interleave; refused while `content check` refuses the draft,
//! when the draft changed since it was reviewed, and for a webinar when it would change a
//! session that has started. Discarding, publishing an old revision again and settling a
//! two-doors conflict are here too. Each is audited with who, what and from which address.

use super::check::{Checked, check};
use super::{Kind, Working, authorize, store, working};
use crate::AppState;
use crate::auth::Educator;
use crate::content::SourceFile;
use crate::db::On;
use crate::error::{Error, Result};
use crate::forms::{Back, Fields, Submission};
use app::accounts::{Role, Viewer};
use axum::extract::State;

/// Why a checked draft may not be published by this viewer now (the webinar rules), or
/// `None`. In the caller's transaction.
async fn refusal(
    tx: &mut crate::db::Connection,
    viewer: &Viewer,
    slug: &str,
    checked: &Checked,
) -> Result<Option<String>> {
    let Checked::Webinar(webinar) = checked else {
        return Ok(None);
    };
    let live = crate::webinars::store::id_or_none(tx, slug).await?;
    let Some(id) = live else { return Ok(None) };
    let Some(stored) = crate::webinars::store::stored_in(tx, id).await? else {
        return Ok(None);
    };
    // Who organizes a webinar is who owns it: only administrators change the list.
    let mut named = webinar.organizers.clone();
    named.sort();
    let mut was = stored.organizers.clone();
    was.sort();
    if viewer.role != Role::Admin && named != was {
        return Ok(Some(
            "Only administrators change a webinar's organizers (they are its owners): put the organizers list back as it was, or ask an administrator.".into(),
        ));
    }
    let source = super::live(tx, Kind::Webinar, slug)
        .await?
        .and_then(|live| {
            live.files
                .into_iter()
                .find(|f| f.name == format!("{slug}.md"))
        })
        .map(|f| f.text)
        .unwrap_or_default();
    let rule = crate::webinars::format::attendance_rule(&source);
    let problems =
        crate::webinars::import::frozen_problems(&stored, rule, webinar, crate::clock::now_secs());
    Ok((!problems.is_empty()).then(|| format!("Not published: {}.", problems.join("; "))))
}

/// Writes a checked activity as a new revision published by `by`: its number, or `None`
/// when the live revision already has these files.
async fn write(
    tx: &mut crate::db::Connection,
    state: &AppState,
    checked: &Checked,
    by: i64,
) -> Result<Option<i64>> {
    Ok(match checked {
        Checked::Course(course) => crate::content::import::write_course(tx, course, Some(by))
            .await
            .map_err(Error::internal)?
            .map(|(number, _)| number),
        Checked::Webinar(webinar) => {
            crate::webinars::import::write_webinar(tx, &state.mail.identity, webinar, Some(by))
                .await?
                .map(|written| written.number)
        }
    })
}

/// Serialises on content imports and publishing (a revision number is given once, and a
/// studio publish never interleaves with a folder import) and on the activity's draft (no
/// save lands between a check and the write).
async fn lock_publishing(tx: &mut crate::db::Connection, kind: Kind, slug: &str) -> Result<()> {
    crate::db::lock(tx, On::Key("content-import")).await?;
    crate::db::lock(tx, On::Key(&super::drafts::key(kind, slug))).await?;
    Ok(())
}

/// The draft's files checked as `content check` would, or back to `back` with the problems.
async fn checked(
    state: &AppState,
    kind: Kind,
    slug: &str,
    files: &[SourceFile],
    back: Back,
) -> Result<Checked> {
    check(&state.pool, kind, slug, files)
        .await
        .map_err(|problems| Error::invalid(back.error("form", problems_text(&problems))))
}

/// The audit log's entry for a studio action on an activity (the detail names the address).
async fn audit(
    tx: &mut crate::db::Connection,
    viewer: &Viewer,
    action: &str,
    kind: Kind,
    slug: &str,
    detail: &str,
) -> Result<()> {
    crate::db::audit::record(
        tx,
        Some(viewer.id),
        action,
        &format!("{}:{slug}", kind.as_str()),
        detail,
    )
    .await?;
    Ok(())
}

fn problems_text(problems: &[app::studio::Problem]) -> String {
    let first: Vec<String> = problems
        .iter()
        .take(3)
        .map(|p| match p.line {
            Some(line) => format!("{} line {line}: {}", p.file, p.message),
            None => format!("{}: {}", p.file, p.message),
        })
        .collect();
    format!(
        "Not published: content check refuses it ({} problem(s); first: {}).",
        problems.len(),
        first.join("; ")
    )
}

/// The activity named by the form, checked against the viewer.
async fn activity(state: &AppState, viewer: &Viewer, form: &Submission) -> Result<(Kind, String)> {
    let kind = Kind::parse(form.peek("kind"))?;
    let slug = form.peek("slug").to_owned();
    let mut conn = state.pool.acquire().await?;
    authorize(&mut conn, viewer, kind, &slug).await?;
    Ok((kind, slug))
}

/// `POST /studio/publish` (`kind`, `slug`, `stamp`: the hash of the files reviewed).
pub async fn publish(
    State(state): State<AppState>,
    Educator(viewer): Educator,
    client: crate::client_addr::ClientAddress,
    fields: Fields,
) -> Result<Back> {
    let form = Submission::new(fields);
    let (kind, slug) = activity(&state, &viewer, &form).await?;
    let path = format!("{}/publish", kind.studio_path(&slug));
    if let Some(problem) = form.problem() {
        return Err(Error::invalid(
            Back::to("studio-publish", path).error("form", problem),
        ));
    }
    let stamp = form.peek("stamp").to_owned();
    // Checked before the transaction (the check reads the catalog through the pool), and
    // published only if the draft is still those very files.
    let mut conn = state.pool.acquire().await?;
    let Some(reviewed) = working(&mut conn, kind, &slug).await? else {
        return Err(super::not_yours(&slug));
    };
    drop(conn);
    if reviewed.draft.is_none() {
        return Err(Error::invalid(
            Back::to("studio-draft", kind.studio_path(&slug))
                .notice("There is nothing to publish: the live revision is the latest."),
        ));
    }
    if reviewed.hash() != stamp {
        return Err(Error::invalid(Back::to("studio-publish", path).error(
            "form",
            "The draft changed since this page was made: review the changes below again before publishing.",
        )));
    }
    let checked = checked(
        &state,
        kind,
        &slug,
        &reviewed.sources(),
        Back::to("studio-publish", path.clone()),
    )
    .await?;

    let mut tx = crate::db::write_tx(&state.pool).await?;
    lock_publishing(&mut tx, kind, &slug).await?;
    let current = working(&mut tx, kind, &slug).await?;
    let Some(draft) = current.as_ref().and_then(|c| c.draft.clone()) else {
        // Published (or discarded) by another request meanwhile.
        return Err(Error::invalid(
            Back::to("studio-draft", kind.studio_path(&slug))
                .notice("There is nothing to publish: the live revision is the latest."),
        ));
    };
    if current.as_ref().map(Working::hash).as_deref() != Some(stamp.as_str()) {
        return Err(Error::invalid(Back::to("studio-publish", path).error(
            "form",
            "The draft changed since this page was made: review the changes below again before publishing.",
        )));
    }
    if let Some(refusal) = refusal(&mut tx, &viewer, &slug, &checked).await? {
        return Err(Error::invalid(
            Back::to("studio-publish", path).error("form", refusal),
        ));
    }
    let number = write(&mut tx, &state, &checked, viewer.id).await?;
    store::delete_draft(&mut tx, draft.id).await?;
    audit(
        &mut tx,
        &viewer,
        "studio.publish",
        kind,
        &slug,
        &format!(
            "revision {}; from {}",
            number.map_or_else(|| "unchanged".to_owned(), |n| n.to_string()),
            client.0
        ),
    )
    .await?;
    tx.commit().await?;
    refreshed(&state).await;
    Ok(
        Back::to("studio-draft", kind.studio_path(&slug)).notice(match number {
            Some(n) => format!("Published as revision {n}. Learners see it now."),
            None => {
                "The draft was the same as the live revision: nothing new was published.".into()
            }
        }),
    )
}

/// This server's catalog sees a publish at once (the others within their polling interval).
async fn refreshed(state: &AppState) {
    if let Err(error) = state.catalog.refresh(&state.pool).await {
        tracing::error!(%error, "catalog not refreshed after publishing");
    }
}

/// `POST /studio/discard` (`kind`, `slug`): the draft goes; a never-published activity
/// leaves the studio with its owners.
pub async fn discard(
    State(state): State<AppState>,
    Educator(viewer): Educator,
    client: crate::client_addr::ClientAddress,
    fields: Fields,
) -> Result<Back> {
    let form = Submission::new(fields);
    let (kind, slug) = activity(&state, &viewer, &form).await?;
    if let Some(problem) = form.problem() {
        return Err(Error::invalid(
            Back::to("studio-draft", kind.studio_path(&slug)).error("form", problem),
        ));
    }
    let mut tx = crate::db::write_tx(&state.pool).await?;
    // Serialises on the activity's draft.
    crate::db::lock(&mut tx, On::Key(&super::drafts::key(kind, &slug))).await?;
    let Some(current) = working(&mut tx, kind, &slug).await? else {
        return Err(super::not_yours(&slug));
    };
    let Some(draft) = current.draft else {
        return Err(Error::invalid(
            Back::to("studio-draft", kind.studio_path(&slug))
                .notice("There is no draft to discard: the files are the live revision's."),
        ));
    };
    store::delete_draft(&mut tx, draft.id).await?;
    let gone = current.live.is_none();
    if gone {
        store::forget_owners(&mut tx, kind.as_str(), &slug).await?;
        store::forget_images(&mut tx, kind.as_str(), &slug).await?;
    }
    audit(
        &mut tx,
        &viewer,
        "studio.discard",
        kind,
        &slug,
        &format!(
            "{}; from {}",
            if gone {
                "never published: removed"
            } else {
                "back to the live revision"
            },
            client.0
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(if gone {
        Back::to("studio-new", "/studio").notice(format!("The draft of {slug} was discarded."))
    } else {
        Back::to("studio-draft", kind.studio_path(&slug))
            .notice("The draft was discarded: its files are the live revision's again.")
    })
}

/// `POST /studio/republish` (`kind`, `slug`, `revision`): an old revision's files become a
/// new revision (checked as any publish is); a draft in progress stays as it is.
pub async fn republish(
    State(state): State<AppState>,
    Educator(viewer): Educator,
    client: crate::client_addr::ClientAddress,
    fields: Fields,
) -> Result<Back> {
    let form = Submission::new(fields);
    let (kind, slug) = activity(&state, &viewer, &form).await?;
    let path = format!("{}/history", kind.studio_path(&slug));
    if let Some(problem) = form.problem() {
        return Err(Error::invalid(
            Back::to("studio-history", path).error("form", problem),
        ));
    }
    let wanted: Option<i64> = form.peek("revision").trim().parse().ok();
    // Revisions never change: read and checked before the transaction (the check reads the
    // catalog through the pool).
    let mut conn = state.pool.acquire().await?;
    let revisions = store::revisions(&mut conn, kind.as_str(), &slug).await?;
    let Some(old) = revisions.iter().find(|r| Some(r.number) == wanted) else {
        return Err(Error::invalid(Back::to("studio-history", path).error(
            "form",
            "There is no such revision: choose one from the list.",
        )));
    };
    let files = crate::content::store::revision_files(&mut conn, kind.as_str(), old.id).await?;
    drop(conn);
    let checked = checked(
        &state,
        kind,
        &slug,
        &files,
        Back::to("studio-history", path.clone()),
    )
    .await?;
    let mut tx = crate::db::write_tx(&state.pool).await?;
    lock_publishing(&mut tx, kind, &slug).await?;
    if let Some(refusal) = refusal(&mut tx, &viewer, &slug, &checked).await? {
        return Err(Error::invalid(
            Back::to("studio-history", path).error("form", refusal),
        ));
    }
    let number = write(&mut tx, &state, &checked, viewer.id).await?;
    audit(
        &mut tx,
        &viewer,
        "studio.republish",
        kind,
        &slug,
        &format!(
            "revision {} again as {}; from {}",
            old.number,
            number.map_or_else(|| "unchanged".to_owned(), |n| n.to_string()),
            client.0
        ),
    )
    .await?;
    tx.commit().await?;
    refreshed(&state).await;
    Ok(Back::to("studio-history", path).notice(match number {
        Some(n) => format!("Revision {} published again as revision {n}.", old.number),
        None => "That revision is the live one already.".into(),
    }))
}

/// `POST /studio/doors` (`kind`, `slug`, `choice`: folder or studio): settles a conflict
/// between the `content/` folder and the studio (see `content::doors`).
pub async fn doors(
    State(state): State<AppState>,
    Educator(viewer): Educator,
    client: crate::client_addr::ClientAddress,
    fields: Fields,
) -> Result<Back> {
    let form = Submission::new(fields);
    let (kind, slug) = activity(&state, &viewer, &form).await?;
    let path = kind.studio_path(&slug);
    if let Some(problem) = form.problem() {
        return Err(Error::invalid(
            Back::to("studio-draft", path).error("form", problem),
        ));
    }
    let choice = form.peek("choice").to_owned();
    if !matches!(choice.as_str(), "folder" | "studio") {
        return Err(Error::bad_request(
            "The form could not be read. Reload the page and try again.",
        ));
    }
    // The folder's files are checked before the transaction (the check reads the catalog
    // through the pool); the transaction settles only the conflict that was checked.
    let mut conn = state.pool.acquire().await?;
    let Some((files, hash)) =
        crate::content::store::conflict(&mut conn, kind.as_str(), &slug).await?
    else {
        return Err(Error::invalid(
            Back::to("studio-draft", path).notice("There is no conflict to settle any more."),
        ));
    };
    drop(conn);
    let checked = if choice == "folder" {
        let files: Vec<(String, String)> = serde_json::from_str(&files)?;
        let files: Vec<SourceFile> = files
            .into_iter()
            .map(|(name, text)| SourceFile { name, text })
            .collect();
        Some(
            checked(
                &state,
                kind,
                &slug,
                &files,
                Back::to("studio-draft", path.clone()),
            )
            .await?,
        )
    } else {
        None
    };
    let mut tx = crate::db::write_tx(&state.pool).await?;
    lock_publishing(&mut tx, kind, &slug).await?;
    let still = crate::content::store::conflict(&mut tx, kind.as_str(), &slug).await?;
    if still.as_ref().map(|(_, h)| h.as_str()) != Some(hash.as_str()) {
        return Err(Error::invalid(Back::to("studio-draft", path).error(
            "form",
            "The folder changed again (or the conflict was settled) meanwhile: look at it again and choose.",
        )));
    }
    let detail = match checked {
        Some(checked) => {
            if let Some(refusal) = refusal(&mut tx, &viewer, &slug, &checked).await? {
                return Err(Error::invalid(
                    Back::to("studio-draft", path).error("form", refusal),
                ));
            }
            let number = write(&mut tx, &state, &checked, viewer.id).await?;
            format!(
                "the folder's files published as revision {}",
                number.map_or_else(|| "unchanged".to_owned(), |n| n.to_string())
            )
        }
        None => "the studio's revision kept".to_owned(),
    };
    crate::content::store::set_folder_hash(&mut tx, kind.as_str(), &slug, &hash).await?;
    crate::content::store::drop_conflict(&mut tx, kind.as_str(), &slug).await?;
    audit(
        &mut tx,
        &viewer,
        "studio.doors",
        kind,
        &slug,
        &format!("{detail}; from {}", client.0),
    )
    .await?;
    tx.commit().await?;
    refreshed(&state).await;
    Ok(Back::to("studio-draft", path).notice(format!("Settled: {detail}.")))
}
