//! The certificate routes that are not pages: the issuer's public key and profile, the
//! signed credential download, the administrators' revoke and reissue forms, and the
//! per-client limit on verification lookups.

use super::signing;
use crate::AppState;
use crate::auth::SignedIn;
use crate::auth::forms::form_key;
use crate::client::ClientIp;
use app::model::{FormState, Role};
use axum::extract::Multipart;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr};
use std::num::NonZeroU32;
use std::sync::Arc;
use tower_sessions::Session;

fn failed(error: &sqlx::Error) -> Response {
    tracing::error!(%error, "certificate request failed");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong on our side and nothing was changed. Please try again.",
    )
        .into_response()
}

/// `GET /issuer/jwks.json`: the public keys credentials are signed with. Anyone.
pub async fn jwks(State(state): State<AppState>) -> Response {
    match signing::jwks(&state.pool).await {
        Ok(keys) => (
            [(header::CACHE_CONTROL, "public, max-age=3600")],
            Json(keys),
        )
            .into_response(),
        Err(error) => failed(&error),
    }
}

/// `GET /issuer`: the Open Badges issuer profile credentials name. Anyone.
pub async fn profile(State(state): State<AppState>) -> Response {
    let issuer = &state.issuer;
    Json(serde_json::json!({
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
        ],
        "id": format!("{}/issuer", issuer.public_url),
        "type": ["Profile"],
        "name": issuer.provider,
        "url": issuer.public_url,
        "publicKeys": format!("{}/issuer/jwks.json", issuer.public_url),
    }))
    .into_response()
}

/// The certificate `code` names, if the viewer may download it (its learner or an
/// administrator); otherwise the response that says why not.
async fn downloadable(
    state: &AppState,
    viewer: &app::model::Viewer,
    code: &str,
) -> Result<super::Certificate, Box<Response>> {
    let not_found = || {
        Box::new(
            (
                StatusCode::NOT_FOUND,
                format!("There is no certificate with the code \"{code}\"."),
            )
                .into_response(),
        )
    };
    if !super::plausible(code) {
        return Err(not_found());
    }
    match super::find(&state.pool, code).await {
        Err(error) => Err(Box::new(failed(&error))),
        Ok(None) => Err(not_found()),
        Ok(Some(c)) if c.user_id != viewer.id && viewer.role != Role::Admin => Err(Box::new(
            (
                StatusCode::FORBIDDEN,
                "You can download only your own certificates.",
            )
                .into_response(),
        )),
        Ok(Some(c)) => Ok(c),
    }
}

fn attachment(content_type: &str, filename: String, body: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        body,
    )
        .into_response()
}

/// `GET /certificates/{code}/credential.jwt`: the signed credential, for its learner or an
/// administrator.
pub async fn credential(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    Path(code): Path<String>,
) -> Response {
    match downloadable(&state, &viewer, &code).await {
        Err(response) => *response,
        Ok(c) => attachment(
            "application/vc+jwt",
            format!("grandrounds-{}.jwt", c.code),
            c.credential.into_bytes(),
        ),
    }
}

/// `GET /certificates/{code}/certificate.pdf`: the one-page PDF, for its learner or an
/// administrator.
pub async fn pdf(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    Path(code): Path<String>,
) -> Response {
    let found = match downloadable(&state, &viewer, &code).await {
        Err(response) => return *response,
        Ok(c) => c,
    };
    let view = match state.issuer.view(&state.pool, &found).await {
        Ok(view) => view,
        Err(error) => return failed(&error),
    };
    let filename = format!("grandrounds-certificate-{}.pdf", view.code);
    match tokio::task::spawn_blocking(move || super::pdf::render(&view)).await {
        Ok(Some(bytes)) => attachment("application/pdf", filename, bytes),
        _ => {
            tracing::error!("could not render a certificate PDF");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "The PDF could not be made. The certificate page prints on one page as well.",
            )
                .into_response()
        }
    }
}

fn field(form: &Result<Form<HashMap<String, String>>, FormRejection>, name: &str) -> String {
    form.as_ref()
        .ok()
        .and_then(|Form(f)| f.get(name).cloned())
        .unwrap_or_default()
}

async fn say(session: &Session, message: Result<String, String>) {
    let mut state = FormState::default();
    match message {
        Ok(notice) => state.notice = Some(notice),
        Err(error) => state.errors.push(("form".into(), error)),
    }
    if let Err(error) = session.insert(&form_key("certificate"), state).await {
        tracing::error!(%error, "could not keep form state");
    }
}

fn admin_only(viewer: &app::model::Viewer) -> Option<Response> {
    (viewer.role != Role::Admin).then(|| {
        (
            StatusCode::FORBIDDEN,
            "Only administrators can change certificates.",
        )
            .into_response()
    })
}

/// `POST /admin/certificates/revoke`: administrators; `code` and `reason`.
pub async fn revoke_form(
    State(state): State<AppState>,
    session: Session,
    SignedIn(viewer): SignedIn,
    form: Result<Form<HashMap<String, String>>, FormRejection>,
) -> Response {
    if let Some(refused) = admin_only(&viewer) {
        return refused;
    }
    let code = field(&form, "code").trim().to_uppercase();
    match super::revoke(&state.pool, viewer.id, &code, &field(&form, "reason")).await {
        Ok(outcome) => {
            say(
                &session,
                outcome.map(|()| format!("Certificate {code} is revoked. Its verification page now says so, with your reason.")),
            )
            .await;
            Redirect::to(&format!("/certificates/{code}")).into_response()
        }
        Err(error) => failed(&error),
    }
}

/// `POST /admin/certificates/reissue`: administrators; `code` and the corrected
/// `learner_name`.
pub async fn reissue_form(
    State(state): State<AppState>,
    session: Session,
    SignedIn(viewer): SignedIn,
    form: Result<Form<HashMap<String, String>>, FormRejection>,
) -> Response {
    if let Some(refused) = admin_only(&viewer) {
        return refused;
    }
    let code = field(&form, "code").trim().to_uppercase();
    let name = match crate::accounts::validate::full_name(&field(&form, "learner_name")) {
        Ok(name) => name,
        Err(message) => {
            say(
                &session,
                Err(format!("Name on the certificate: {message}.")),
            )
            .await;
            return Redirect::to(&format!("/certificates/{code}")).into_response();
        }
    };
    match state
        .issuer
        .reissue(&state.pool, viewer.id, &code, &name)
        .await
    {
        Ok(Ok(new)) => {
            say(
                &session,
                Ok(format!(
                    "Reissued as {new}. Certificate {code} is marked superseded and points here."
                )),
            )
            .await;
            Redirect::to(&format!("/certificates/{new}")).into_response()
        }
        Ok(Err(message)) => {
            say(&session, Err(message)).await;
            Redirect::to(&format!("/certificates/{code}")).into_response()
        }
        Err(error) => failed(&error),
    }
}

/// Verification lookups per client address: a burst of 20, then one every 2 seconds, so
/// codes cannot be guessed by trying many.
#[derive(Clone)]
pub struct VerifyLimit(Arc<DefaultKeyedRateLimiter<IpAddr>>);

impl VerifyLimit {
    pub fn new() -> Self {
        let quota = Quota::per_minute(NonZeroU32::new(30).unwrap_or(NonZeroU32::MIN))
            .allow_burst(NonZeroU32::new(20).unwrap_or(NonZeroU32::MIN));
        Self(Arc::new(RateLimiter::keyed(quota)))
    }
}

impl Default for VerifyLimit {
    fn default() -> Self {
        Self::new()
    }
}

pub async fn limit_verify(
    State(limit): State<VerifyLimit>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    if !(path.starts_with("/verify/") || path == "/api/verify") {
        return next.run(request).await;
    }
    let client = request
        .extensions()
        .get::<ClientIp>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |client| client.0);
    // Forget clients that have been quiet, so the table stays small.
    if limit.0.len() > 10_000 {
        limit.0.retain_recent();
    }
    if limit.0.check_key(&client).is_err() {
        let mut response = (
            StatusCode::TOO_MANY_REQUESTS,
            "Too many certificate lookups from your address. Wait a minute, then try again.",
        )
            .into_response();
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
        return response;
    }
    next.run(request).await
}

/// The session key the bulk preview waits under until the page shows it.
pub const BULK_PREVIEW: &str = "bulk-preview";

async fn admin_notice(session: &Session, state: FormState) -> Response {
    if let Err(error) = session.insert(&form_key("admin-certificates"), state).await {
        tracing::error!(%error, "could not keep form state");
    }
    Redirect::to("/admin/certificates").into_response()
}

/// `POST /admin/certificates/bulk` (multipart): `action` = `preview` or `issue`, the CSV as
/// an uploaded `file` or pasted `csv`. Administrators only.
pub async fn bulk_form(
    State(state): State<AppState>,
    session: Session,
    SignedIn(viewer): SignedIn,
    mut multipart: Multipart,
) -> Response {
    if let Some(refused) = admin_only(&viewer) {
        return refused;
    }
    let mut action = String::new();
    let mut text = String::new();
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or_default().to_owned();
                let value = match field.text().await {
                    Ok(value) => value,
                    Err(error) => {
                        return (
                            StatusCode::BAD_REQUEST,
                            format!("The upload could not be read: {error}"),
                        )
                            .into_response();
                    }
                };
                match name.as_str() {
                    "action" => action = value,
                    "file" | "csv" if text.trim().is_empty() => text = value,
                    _ => {}
                }
            }
            Ok(None) => break,
            Err(error) => {
                return (
                    StatusCode::BAD_REQUEST,
                    format!("The upload could not be read: {error}"),
                )
                    .into_response();
            }
        }
    }
    let text = text.trim_start_matches('\u{feff}').to_owned();
    let outcome = if action == "issue" {
        match super::bulk::read_csv(&text) {
            Err(problem) => Err(app::model::BulkPreview {
                csv: text.clone(),
                rows: Vec::new(),
                file_problem: Some(problem),
            }),
            Ok(rows) => {
                match super::bulk::issue(&state.pool, &state.issuer, viewer.id, &rows, &text).await
                {
                    Ok(result) => result,
                    Err(error) => return failed(&error),
                }
            }
        }
    } else {
        match super::bulk::preview(&state.pool, &state.issuer, &text).await {
            Ok(preview) => Err(preview),
            Err(error) => return failed(&error),
        }
    };
    match outcome {
        Ok(codes) => {
            admin_notice(
                &session,
                FormState {
                    notice: Some(format!(
                        "Issued {} certificates: {}.",
                        codes.len(),
                        codes.join(", ")
                    )),
                    ..FormState::default()
                },
            )
            .await
        }
        Err(preview) => {
            if let Err(error) = session.insert(BULK_PREVIEW, preview).await {
                tracing::error!(%error, "could not keep the bulk preview");
            }
            Redirect::to("/admin/certificates#preview").into_response()
        }
    }
}

/// `POST /admin/certificates/issue`: one certificate by hand (a live event, a correction).
/// Administrators only.
pub async fn issue_form(
    State(state): State<AppState>,
    session: Session,
    SignedIn(viewer): SignedIn,
    form: Result<Form<HashMap<String, String>>, FormRejection>,
) -> Response {
    if let Some(refused) = admin_only(&viewer) {
        return refused;
    }
    let get = |name: &str| field(&form, name);
    let row = super::bulk::RowInput {
        line: 0,
        email: get("email"),
        activity: get("activity"),
        format: get("format"),
        credit_type: get("credit_type"),
        hours: get("hours"),
        completed_on: get("completed_on"),
    };
    let values = [
        "email",
        "activity",
        "format",
        "credit_type",
        "hours",
        "completed_on",
    ]
    .iter()
    .map(|name| ((*name).to_owned(), get(name)))
    .collect();
    match super::bulk::issue(
        &state.pool,
        &state.issuer,
        viewer.id,
        std::slice::from_ref(&row),
        "",
    )
    .await
    {
        Ok(Ok(codes)) => {
            let code = codes.into_iter().next().unwrap_or_default();
            say(&session, Ok(format!("Certificate {code} is issued."))).await;
            Redirect::to(&format!("/certificates/{code}")).into_response()
        }
        Ok(Err(preview)) => {
            let problem = preview
                .rows
                .first()
                .and_then(|r| r.problem.clone())
                .unwrap_or_else(|| "the certificate could not be issued".into());
            admin_notice(
                &session,
                FormState {
                    errors: vec![("form".into(), format!("Nothing was issued: {problem}."))],
                    values,
                    notice: None,
                },
            )
            .await
        }
        Err(error) => failed(&error),
    }
}
