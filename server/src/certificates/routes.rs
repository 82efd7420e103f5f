//! The certificate routes: pages, the issuer's public key and profile, the PDF and signed
//! credential downloads, the administrators' issue, bulk, revoke and reissue forms, and the
//! per-client limit on verification lookups.

use super::signing;
use crate::AppState;
use crate::access::{Route, Rule, owner_or_admin};
use crate::auth::{Admin, SignedIn};
use crate::client_addr::ClientIp;
use crate::download::attachment;
use crate::error::{Error, Result};
use crate::forms::{Back, Fields, Submission, refusals_to};
use app::forms::FormState;
use axum::Json;
use axum::extract::Multipart;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::{IpAddr, Ipv4Addr};

pub fn routes() -> Vec<Route> {
    vec![
        Route::page("/certificates/{code}", Rule::OwnerOrAdmin),
        Route::get(
            "/certificates/{code}/credential.jwt",
            Rule::OwnerOrAdmin,
            credential,
        ),
        Route::get(
            "/certificates/{code}/certificate.pdf",
            Rule::OwnerOrAdmin,
            pdf,
        ),
        // Public, and never cached: a certificate can be revoked at any moment, and lookups
        // are limited per client.
        Route::page("/verify/{code}", Rule::Anyone),
        Route::get("/issuer", Rule::Anyone, profile),
        Route::get("/issuer/jwks.json", Rule::Anyone, jwks),
        Route::page("/admin/certificates", Rule::Admin),
        Route::post("/admin/certificates/issue", Rule::Admin, issue_form),
        Route::post("/admin/certificates/bulk", Rule::Admin, bulk_form),
        Route::post("/admin/certificates/revoke", Rule::Admin, revoke_form),
        Route::post("/admin/certificates/reissue", Rule::Admin, reissue_form),
        Route::server_fn("/api/certificate", Rule::OwnerOrAdmin),
        Route::server_fn("/api/verify", Rule::Anyone),
        Route::server_fn("/api/admin-certificates", Rule::Admin),
    ]
}

/// `GET /issuer/jwks.json`: the public keys credentials are signed with. Anyone.
async fn jwks(State(state): State<AppState>) -> Result<Response> {
    let keys = signing::jwks(&state.pool).await?;
    Ok((
        [(header::CACHE_CONTROL, "public, max-age=3600")],
        Json(keys),
    )
        .into_response())
}

/// `GET /issuer`: the Open Badges issuer profile credentials name. Anyone.
async fn profile(State(state): State<AppState>) -> Response {
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

/// The certificate `code` names, if the viewer may see it: its learner or an administrator.
pub async fn owned_by(
    pool: &crate::db::Pool,
    viewer: &app::accounts::Viewer,
    code: &str,
) -> Result<super::Certificate> {
    let not_found = || Error::not_found(no_such_certificate(code));
    if !super::plausible(code) {
        return Err(not_found());
    }
    let found = super::find(pool, code).await?.ok_or_else(not_found)?;
    owner_or_admin(
        viewer,
        found.user_id,
        "You can see and download only your own certificates.",
    )?;
    Ok(found)
}

pub fn no_such_certificate(code: &str) -> String {
    format!(
        "There is no certificate with the code \"{code}\". Check the code as printed under the QR code (letters and digits in groups of four)."
    )
}

/// `GET /certificates/{code}/credential.jwt`: the signed credential, for its learner or an
/// administrator.
async fn credential(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    Path(code): Path<String>,
) -> Result<Response> {
    let c = owned_by(&state.pool, &viewer, &code).await?;
    Ok(attachment(
        "application/vc+jwt",
        &format!("grandrounds-{}.jwt", c.code),
        c.credential.into_bytes(),
    ))
}

/// `GET /certificates/{code}/certificate.pdf`: the one-page PDF, for its learner or an
/// administrator.
async fn pdf(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    Path(code): Path<String>,
) -> Result<Response> {
    let found = owned_by(&state.pool, &viewer, &code).await?;
    let view = state.issuer.view(&state.pool, &found).await?;
    let filename = format!("grandrounds-certificate-{}.pdf", view.code);
    let bytes = tokio::task::spawn_blocking(move || crate::pdf::certificate::render(&view))
        .await
        .map_err(Error::internal)?
        .ok_or_else(|| {
            Error::failed(
                "the certificate PDF could not be written",
                "The PDF could not be made. The certificate page prints on one page as well.",
            )
        })?;
    Ok(attachment("application/pdf", &filename, bytes))
}

/// Back to a certificate's page with a message.
fn to_certificate(code: &str) -> Back {
    Back::to("certificate", format!("/certificates/{code}"))
}

/// `POST /admin/certificates/revoke`: administrators; `code` and `reason`.
async fn revoke_form(
    State(state): State<AppState>,
    Admin(viewer): Admin,
    fields: Fields,
) -> Result<Back> {
    let form = Submission::new(fields);
    let code = form.peek("code").trim().to_uppercase();
    if let Some(problem) = form.problem() {
        return Ok(to_certificate(&code).error("form", problem));
    }
    super::revoke(&state.pool, viewer.id, &code, form.peek("reason"))
        .await
        .map_err(refusals_to(to_certificate(&code)))?;
    Ok(to_certificate(&code).notice(format!(
        "Certificate {code} is revoked. Its verification page now says so, with your reason."
    )))
}

/// `POST /admin/certificates/reissue`: administrators; `code` and the corrected
/// `learner_name`.
async fn reissue_form(
    State(state): State<AppState>,
    Admin(viewer): Admin,
    fields: Fields,
) -> Result<Back> {
    let form = Submission::new(fields);
    let code = form.peek("code").trim().to_uppercase();
    if let Some(problem) = form.problem() {
        return Ok(to_certificate(&code).error("form", problem));
    }
    let name = match crate::accounts::validate::full_name(form.peek("learner_name")) {
        Ok(name) => name,
        Err(message) => {
            return Ok(
                to_certificate(&code).error("form", format!("Name on the certificate: {message}."))
            );
        }
    };
    let new = state
        .issuer
        .reissue(&state.pool, viewer.id, &code, &name)
        .await
        .map_err(refusals_to(to_certificate(&code)))?;
    Ok(to_certificate(&new).notice(format!(
        "Reissued as {new}. Certificate {code} is marked superseded and points here."
    )))
}

/// Verification lookups per client address, so codes cannot be guessed by trying many: 20 a
/// minute ([`crate::auth::rate_limit::lookup`]), counted in the database, so one count for
/// every app server. In front of it, the same allowance in this process's memory: a
/// flood from one address is turned away without touching the database (on SQLite every
/// count is a durable write).
#[derive(Clone)]
pub struct VerifyLimit(std::sync::Arc<governor::DefaultKeyedRateLimiter<IpAddr>>);

impl VerifyLimit {
    pub fn new() -> Self {
        let per_minute = std::num::NonZeroU32::new(
            u32::try_from(crate::auth::rate_limit::LOOKUPS_PER_WINDOW).unwrap_or(20),
        )
        .unwrap_or(std::num::NonZeroU32::MIN);
        Self(std::sync::Arc::new(governor::RateLimiter::keyed(
            governor::Quota::per_minute(per_minute),
        )))
    }
}

impl Default for VerifyLimit {
    fn default() -> Self {
        Self::new()
    }
}

pub async fn limit_verify(
    State((state, limit)): State<(AppState, VerifyLimit)>,
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
    let allowed = limit.0.check_key(&client).is_ok()
        && match crate::auth::rate_limit::lookup(&state.pool, &client.to_string()).await {
            Ok(allowed) => allowed,
            Err(error) => return error.into_response(),
        };
    if !allowed {
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
    // A revocation must show at once: no browser or proxy may keep a copy of the answer.
    let mut response = next.run(request).await;
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The session key the bulk preview waits under until the page shows it.
pub const BULK_PREVIEW: &str = "bulk-preview";

/// Back to the administrators' certificate page.
fn to_admin() -> Back {
    Back::to("admin-certificates", "/admin/certificates")
}

/// `POST /admin/certificates/bulk` (multipart): `action` = `preview` or `issue`, the CSV as
/// an uploaded `file` or pasted `csv`. Administrators only.
async fn bulk_form(
    State(state): State<AppState>,
    Admin(viewer): Admin,
    mut multipart: Multipart,
) -> Result<Back> {
    let unreadable = |error: axum::extract::multipart::MultipartError| {
        Error::bad_request(format!("The upload could not be read: {error}"))
    };
    let mut action = String::new();
    let mut text = String::new();
    while let Some(field) = multipart.next_field().await.map_err(unreadable)? {
        let name = field.name().unwrap_or_default().to_owned();
        let value = field.text().await.map_err(unreadable)?;
        match name.as_str() {
            "action" => action = value,
            "file" | "csv" if text.trim().is_empty() => text = value,
            _ => {}
        }
    }
    let text = text.trim_start_matches('\u{feff}').to_owned();
    let outcome = if action == "issue" {
        match super::bulk::read_csv(&text) {
            Err(problem) => Err(app::certificates::BulkPreview {
                csv: text.clone(),
                rows: Vec::new(),
                file_problem: Some(problem),
            }),
            Ok(rows) => {
                super::bulk::issue(&state.pool, &state.issuer, viewer.id, &rows, &text).await?
            }
        }
    } else {
        Err(super::bulk::preview(&state.pool, &state.issuer, &text).await?)
    };
    Ok(match outcome {
        Ok(codes) => to_admin().notice(format!(
            "Issued {} certificates: {}.",
            codes.len(),
            codes.join(", ")
        )),
        Err(preview) => Back::to("admin-certificates", "/admin/certificates#preview")
            .keep(BULK_PREVIEW, &preview),
    })
}

/// `POST /admin/certificates/issue`: one certificate by hand (a live event, a correction).
/// Administrators only.
async fn issue_form(
    State(state): State<AppState>,
    Admin(viewer): Admin,
    fields: Fields,
) -> Result<Back> {
    let mut form = Submission::new(fields);
    let row = super::bulk::RowInput {
        line: 0,
        email: form.get("email"),
        activity: form.get("activity"),
        format: form.get("format"),
        credit_type: form.get("credit_type"),
        hours: form.get("hours"),
        completed_on: form.get("completed_on"),
    };
    match super::bulk::issue(
        &state.pool,
        &state.issuer,
        viewer.id,
        std::slice::from_ref(&row),
        "",
    )
    .await?
    {
        Ok(codes) => {
            let code = codes.into_iter().next().unwrap_or_default();
            Ok(to_certificate(&code).notice(format!("Certificate {code} is issued.")))
        }
        Err(preview) => {
            let problem = preview
                .rows
                .first()
                .and_then(|r| r.problem.clone())
                .unwrap_or_else(|| "the certificate could not be issued".into());
            form.fail("form", format!("Nothing was issued: {problem}."));
            Ok(to_admin().with_state(FormState {
                notice: None,
                ..form.state
            }))
        }
    }
}
