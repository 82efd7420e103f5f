//! `/admin/certificates`: issue a certificate by hand, bulk-issue from a CSV file (a preview
//! names every row's problem before anything is written; issuing writes all rows or none),
//! and the latest certificates with links to revoke or reissue them.

use crate::catalog::CreditType;
use crate::certificates::api::admin_certificates;
use crate::certificates::{AdminCertificatesPage, BulkPreview};
use crate::components::Loaded;
use crate::forms::FormState;
use crate::forms::{Field, FormMessages};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AdminCertificatesRoute() -> impl IntoView {
    let data = Resource::new(|| (), |()| admin_certificates());
    view! {
        <Title text="Certificates" />
        <h1>"Certificates"</h1>
        <Loaded resource=data loading="Loading…" nested=true page=move |page| view! { <Console page /> } />
    }
}

#[component]
fn Console(page: AdminCertificatesPage) -> impl IntoView {
    let AdminCertificatesPage {
        activities,
        preview,
        state,
        recent,
    } = page;
    view! {
        <FormMessages state=state.clone() />
        {preview.map(|preview| view! { <Preview preview /> })}
        <section aria-labelledby="bulk-heading">
            <h2 id="bulk-heading">"Issue from a CSV file"</h2>
            <p>
                "The first line must be "
                <code>"email,activity,format,credit_type,hours,completed_on"</code>
                ". activity is a course address (for example telehealth-for-clinical-teams); format is online-course, live-webinar or recording; credit_type is ama-pra-category-1, nursing-contact-hours, pharmacy-contact-hours or participation; hours in quarter steps; completed_on as YYYY-MM-DD."
            </p>
            <form method="post" action="/admin/certificates/bulk" enctype="multipart/form-data" class="stacked">
                <input type="hidden" name="action" value="preview" />
                <div class="field">
                    <label for="field-file">"CSV file"</label>
                    <input id="field-file" name="file" type="file" accept=".csv,text/csv" />
                </div>
                <div class="field">
                    <label for="field-csv">"or paste it here"</label>
                    <textarea id="field-csv" name="csv" rows="4"></textarea>
                </div>
                <button type="submit">"Check the file"</button>
            </form>
        </section>
        <IssueOne activities state />
        <section aria-labelledby="recent-heading">
            <h2 id="recent-heading">"Latest certificates"</h2>
            <div class="table-wrap">
                <table>
                    <thead>
                        <tr>
                            <th scope="col">"Code"</th>
                            <th scope="col">"Learner"</th>
                            <th scope="col">"Activity"</th>
                            <th scope="col">"Credit"</th>
                            <th scope="col">"Issued"</th>
                            <th scope="col">"Status"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {recent
                            .into_iter()
                            .map(|r| {
                                view! {
                                    <tr>
                                        <td><a href=format!("/certificates/{}", r.code)>{r.code.clone()}</a></td>
                                        <td>{r.learner_name}</td>
                                        <td>{r.activity_title}</td>
                                        <td>{r.credit}</td>
                                        <td>{r.issued_on}</td>
                                        <td>{r.status}</td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}

#[component]
fn Preview(preview: BulkPreview) -> impl IntoView {
    let ready = preview.ready();
    let problems = preview.rows.iter().filter(|r| r.problem.is_some()).count();
    let summary = match (&preview.file_problem, ready) {
        (Some(problem), _) => format!("The file cannot be used: {problem}. Nothing was issued."),
        (None, true) => format!(
            "All {} rows can be issued. Nothing is written until you confirm.",
            preview.rows.len()
        ),
        (None, false) => format!(
            "{problems} of {} rows have a problem. Nothing was issued: correct the file and check it again.",
            preview.rows.len()
        ),
    };
    view! {
        <section id="preview" aria-labelledby="preview-heading" class="preview">
            <h2 id="preview-heading">"Preview"</h2>
            <p class=if ready { "notice" } else { "form-error" } role="status">{summary}</p>
            {(!preview.rows.is_empty())
                .then(|| {
                    view! {
                        <div class="table-wrap">
                            <table>
                                <thead>
                                    <tr>
                                        <th scope="col">"Line"</th>
                                        <th scope="col">"Email"</th>
                                        <th scope="col">"Activity"</th>
                                        <th scope="col">"Credit"</th>
                                        <th scope="col">"Completed"</th>
                                        <th scope="col">"Problem"</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {preview
                                        .rows
                                        .iter()
                                        .cloned()
                                        .map(|r| {
                                            let bad = r.problem.is_some();
                                            view! {
                                                <tr class:has-error=bad>
                                                    <td>{r.line}</td>
                                                    <td>{r.email}</td>
                                                    <td>{r.activity}</td>
                                                    <td>{format!("{} {}", r.hours, r.credit)}</td>
                                                    <td>{r.completed_on}</td>
                                                    <td>{r.problem.unwrap_or_else(|| "ready".into())}</td>
                                                </tr>
                                            }
                                        })
                                        .collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }
                })}
            {ready
                .then(|| {
                    view! {
                        <form method="post" action="/admin/certificates/bulk" enctype="multipart/form-data">
                            <input type="hidden" name="action" value="issue" />
                            <input type="hidden" name="csv" value=preview.csv.clone() />
                            <button type="submit">{format!("Issue {} certificates", preview.rows.len())}</button>
                        </form>
                    }
                })}
        </section>
    }
}

#[component]
fn IssueOne(activities: Vec<(String, String)>, state: FormState) -> impl IntoView {
    let activity = state.value("activity").unwrap_or_default();
    let format = state
        .value("format")
        .unwrap_or_else(|| "live-webinar".into());
    let credit = state.value("credit_type").unwrap_or_default();
    view! {
        <section aria-labelledby="one-heading">
            <h2 id="one-heading">"Issue one certificate"</h2>
            <form method="post" action="/admin/certificates/issue" class="stacked">
                <Field name="email" label="Learner's email" kind="email" value=state.value("email").unwrap_or_default() required=true />
                <div class="field">
                    <label for="field-activity">"Activity"</label>
                    <select id="field-activity" name="activity" required=true>
                        {activities
                            .into_iter()
                            .map(|(slug, title)| {
                                let selected = slug == activity;
                                view! { <option value=slug selected=selected>{title}</option> }
                            })
                            .collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="field-format">"Format"</label>
                    <select id="field-format" name="format">
                        {[("live-webinar", "Live webinar"), ("recording", "Recording"), ("online-course", "Online course")]
                            .into_iter()
                            .map(|(value, label)| {
                                let selected = value == format;
                                view! { <option value=value selected=selected>{label}</option> }
                            })
                            .collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="field-credit_type">"Credit type"</label>
                    <select id="field-credit_type" name="credit_type">
                        {CreditType::ALL
                            .into_iter()
                            .map(|c| {
                                let selected = c.slug() == credit;
                                view! { <option value=c.slug() selected=selected>{c.label()}</option> }
                            })
                            .collect_view()}
                    </select>
                </div>
                <Field name="hours" label="Hours" value=state.value("hours").unwrap_or_default() required=true inputmode="decimal" hint="In quarter hours, up to the activity's maximum." />
                <Field name="completed_on" label="Completed on" kind="date" value=state.value("completed_on").unwrap_or_default() required=true />
                <button type="submit">"Issue"</button>
            </form>
        </section>
    }
}
