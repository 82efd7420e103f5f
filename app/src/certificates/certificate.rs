//! `/certificates/{code}`: a learner's certificate, printable on one page, with its QR code,
//! the signed credential download and (for administrators) revoke and reissue; and
//! `/verify/{code}`: the public verification page showing every field and the status.

use crate::certificates::api::{certificate_page, verify_certificate};
use crate::certificates::{CertificatePage, CertificateStatus, CertificateView};
use crate::components::{ErrorPanel, Loaded};
use crate::forms::FormMessages;
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_params_map;

#[component]
pub fn CertificateRoute() -> impl IntoView {
    let params = use_params_map();
    let data = Resource::new(
        move || params.with(|p| p.get("code").unwrap_or_default()),
        certificate_page,
    );
    view! {
        <Loaded resource=data loading="Loading the certificate…" page=move |page| view! { <CertificateScreen page /> } />
    }
}

#[component]
fn CertificateScreen(page: CertificatePage) -> impl IntoView {
    let CertificatePage {
        certificate,
        manage,
        state,
    } = page;
    let code = certificate.code.clone();
    let credential = format!("/certificates/{code}/credential.jwt");
    let pdf = format!("/certificates/{code}/certificate.pdf");
    let verify = format!("/verify/{code}");
    let admin = manage.then(|| {
        let current = matches!(certificate.status, CertificateStatus::Valid);
        view! { <AdminActions code=code.clone() name=certificate.learner_name.clone() current /> }
    });
    view! {
        <Title text=format!("Certificate {code}") />
        <div class="no-print">
            <FormMessages state />
        </div>
        <CertificateDocument certificate />
        <section class="no-print" aria-labelledby="share-heading">
            <h2 id="share-heading">"Share and keep"</h2>
            <ul>
                <li>
                    <a href=pdf download="">"Download the PDF"</a>
                    " (one landscape page with the QR code), or print this page: it prints on one page too."
                </li>
                <li>
                    <a href=credential download="">"Download the signed credential"</a>
                    " (Open Badges 3.0, a JSON Web Token signed by the issuer; anyone can check it against the issuer's "
                    <a href="/issuer/jwks.json">"public key"</a>
                    ")."
                </li>
                <li>
                    "Anyone can check this certificate at "
                    <a href=verify.clone()>{verify.clone()}</a>
                    "."
                </li>
            </ul>
        </section>
        {admin}
    }
}

#[component]
fn AdminActions(code: String, name: String, current: bool) -> impl IntoView {
    view! {
        <section class="no-print admin-actions" aria-labelledby="admin-heading">
            <h2 id="admin-heading">"Administration"</h2>
            {if current {
                view! {
                    <form method="post" action="/admin/certificates/reissue" class="stacked">
                        <input type="hidden" name="code" value=code.clone() />
                        <div class="field">
                            <label for="field-learner_name">"Correct the name and reissue"</label>
                            <p class="hint">"A new certificate with a new code is issued; this one is marked superseded and points to it."</p>
                            <input id="field-learner_name" name="learner_name" value=name required=true maxlength="120" />
                        </div>
                        <button type="submit">"Reissue"</button>
                    </form>
                    <form method="post" action="/admin/certificates/revoke" class="stacked">
                        <input type="hidden" name="code" value=code />
                        <div class="field">
                            <label for="field-reason">"Reason for revoking"</label>
                            <p class="hint">"Shown on the public verification page. The record is kept."</p>
                            <textarea id="field-reason" name="reason" rows="2" required=true minlength="5" maxlength="500"></textarea>
                        </div>
                        <button type="submit" class="danger">"Revoke this certificate"</button>
                    </form>
                }
                    .into_any()
            } else {
                view! { <p>"This certificate is no longer current; it cannot be changed."</p> }.into_any()
            }}
        </section>
    }
}

/// The certificate itself: what prints.
#[component]
fn CertificateDocument(certificate: CertificateView) -> impl IntoView {
    let CertificateView {
        code,
        learner_name,
        profession,
        activity_title,
        revision,
        format,
        completed_on,
        provider,
        credit,
        hours,
        accreditation_statement,
        designation_statement,
        issued_on,
        status,
        verify_url,
        qr_svg,
    } = certificate;
    let revision = revision
        .map(|n| format!(" (revision {n})"))
        .unwrap_or_default();
    view! {
        <article class="certificate" aria-labelledby="certificate-title">
            <StatusBanner status />
            <p class="eyebrow">{provider.clone()}</p>
            <h1 id="certificate-title">"Certificate of completion"</h1>
            <p class="certifies">"This certifies that"</p>
            <p class="learner">{learner_name}</p>
            <p>{format!("{profession}, completed")}</p>
            <p class="activity">{activity_title}</p>
            <dl class="facts certificate-facts">
                <div>
                    <dt>"Format"</dt>
                    <dd>{format!("{format}{revision}")}</dd>
                </div>
                <div>
                    <dt>"Completed"</dt>
                    <dd>
                        <time datetime=completed_on.clone()>{completed_on.clone()}</time>
                    </dd>
                </div>
                <div>
                    <dt>"Credit"</dt>
                    <dd>
                        <strong>{format!("{hours} {}", credit.label())}</strong>
                    </dd>
                </div>
                <div>
                    <dt>"Provider"</dt>
                    <dd>{provider}</dd>
                </div>
                <div>
                    <dt>"Issued"</dt>
                    <dd>
                        <time datetime=issued_on.clone()>{issued_on.clone()}</time>
                    </dd>
                </div>
            </dl>
            <h2>"Accreditation statement"</h2>
            <p>{accreditation_statement}</p>
            <h2>"Credit designation statement"</h2>
            <p>{designation_statement}</p>
            <div class="verify-block">
                <div class="qr" role="img" aria-label="QR code of the verification address" inner_html=qr_svg></div>
                <p>
                    "Certificate code " <strong class="code">{code}</strong> <br />
                    "Verify at " <span class="verify-url">{verify_url}</span>
                </p>
            </div>
        </article>
    }
}

#[component]
fn StatusBanner(status: CertificateStatus) -> impl IntoView {
    match status {
        CertificateStatus::Valid => view! {
            <p class="status status-valid" role="status">
                <strong>"Valid."</strong>
                " This certificate is on record and has not been revoked."
            </p>
        }
        .into_any(),
        CertificateStatus::Revoked { on, reason } => view! {
            <p class="status status-revoked" role="status">
                <strong>{format!("Revoked on {on}.")}</strong>
                {format!(" Reason: {reason}")}
            </p>
        }
        .into_any(),
        CertificateStatus::Superseded { by } => view! {
            <p class="status status-superseded" role="status">
                <strong>"Superseded."</strong>
                " This certificate was replaced by "
                <a href=format!("/verify/{by}")>{by.clone()}</a>
                " (for instance after a name correction)."
            </p>
        }
        .into_any(),
    }
}

#[component]
pub fn VerifyRoute() -> impl IntoView {
    let params = use_params_map();
    let data = Resource::new(
        move || params.with(|p| p.get("code").unwrap_or_default()),
        verify_certificate,
    );
    view! {
        <Meta name="robots" content="noindex" />
        <Suspense fallback=|| view! { <p>"Checking the certificate…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(certificate) => view! {
                        <Title text=format!("Verify certificate {}", certificate.code) />
                        <p class="lead no-print">
                            "This is the record Grand Rounds keeps. Compare every field with the certificate you were shown: a changed name, date or credit means the copy was altered."
                        </p>
                        <CertificateDocument certificate />
                    }
                        .into_any(),
                    Err(error) => view! {
                        <Title text="No such certificate" />
                        <ErrorPanel error />
                    }
                        .into_any(),
                }
            })}
        </Suspense>
    }
}
