//! `/transcript`: the learner's certificates with totals per credit type, filtered by a
//! date range (a licensing period), downloadable as CSV; and credit earned elsewhere,
//! reported by the learner and kept apart from the verified totals.

use crate::catalog::CreditType;
use crate::components::ErrorPanel;
use crate::forms::{Field, FormMessages};
use crate::transcript::api::transcript_page;
use crate::transcript::{CreditTotal, TranscriptEntry, TranscriptPage};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn TranscriptRoute() -> impl IntoView {
    let query = use_query_map();
    let data = Resource::new(
        move || query.with(|q| (q.get("from"), q.get("to"))),
        |(from, to)| transcript_page(from, to),
    );
    view! {
        <Title text="Transcript" />
        <h1>"Transcript"</h1>
        <Suspense fallback=|| view! { <p>"Loading your transcript…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(page) => view! { <TranscriptView page /> }.into_any(),
                    Err(error) => view! {
                        <ErrorPanel error nested=true />
                        <p><a href="/transcript">"Show the whole transcript"</a></p>
                    }
                        .into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn TranscriptView(page: TranscriptPage) -> impl IntoView {
    let TranscriptPage {
        learner_name,
        from,
        to,
        verified,
        verified_totals,
        reported,
        reported_totals,
        state,
    } = page;
    let csv = format!("/transcript.csv?from={from}&to={to}");
    let pdf = format!("/transcript.pdf?from={from}&to={to}");
    let period = match (from.is_empty(), to.is_empty()) {
        (true, true) => "all dates".to_owned(),
        (false, true) => format!("from {from}"),
        (true, false) => format!("up to {to}"),
        (false, false) => format!("{from} to {to}"),
    };
    view! {
        <p class="lead">{format!("{learner_name}: credit earned, {period}.")}</p>
        <form method="get" action="/transcript" class="filters" aria-label="Licensing period">
            <div class="field">
                <label for="from">"From"</label>
                <input id="from" name="from" type="date" value=from.clone() />
            </div>
            <div class="field">
                <label for="to">"To"</label>
                <input id="to" name="to" type="date" value=to.clone() />
            </div>
            <button type="submit">"Show"</button>
        </form>
        <FormMessages state=state.clone() />
        <section aria-labelledby="verified-heading">
            <h2 id="verified-heading">"Verified credit (certificates)"</h2>
            <Totals totals=verified_totals empty="No verified credit in this period." />
            <Entries entries=verified />
            <p>
                "Download: " <a href=pdf download="">"PDF"</a> " · " <a href=csv download="">"CSV"</a>
            </p>
        </section>
        <section aria-labelledby="reported-heading">
            <h2 id="reported-heading">"Self-reported credit"</h2>
            <p class="hint">"Credit you earned elsewhere, as you reported it. It is not verified by Grand Rounds and is not counted in the totals above."</p>
            <Totals totals=reported_totals empty="Nothing self-reported in this period." />
            <Entries entries=reported />
            <AddExternal state />
        </section>
    }
}

#[component]
fn Totals(totals: Vec<CreditTotal>, empty: &'static str) -> impl IntoView {
    if totals.is_empty() {
        return view! { <p class="empty">{empty}</p> }.into_any();
    }
    view! {
        <ul class="totals">
            {totals
                .into_iter()
                .map(|t| view! { <li><strong>{t.hours.to_string()}</strong>" "{t.credit.label()}</li> })
                .collect_view()}
        </ul>
    }
    .into_any()
}

#[component]
fn Entries(entries: Vec<TranscriptEntry>) -> impl IntoView {
    (!entries.is_empty()).then(|| {
        view! {
            <div class="table-wrap">
                <table class="transcript">
                    <thead>
                        <tr>
                            <th scope="col">"Completed"</th>
                            <th scope="col">"Activity"</th>
                            <th scope="col">"Credit"</th>
                            <th scope="col">"Record"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {entries
                            .into_iter()
                            .map(|e| {
                                let record = match (e.code, e.external_id) {
                                    (Some(code), _) => view! {
                                        <a href=format!("/certificates/{code}")>{code.clone()}</a>
                                        {e.revoked.then_some(" (revoked, not counted)")}
                                    }
                                        .into_any(),
                                    (None, Some(id)) => view! {
                                        <form method="post" action="/transcript/external/remove" class="inline-form">
                                            <input type="hidden" name="id" value=id.to_string() />
                                            "Self-reported "
                                            <button type="submit" class="secondary">"Remove"</button>
                                        </form>
                                    }
                                        .into_any(),
                                    _ => ().into_any(),
                                };
                                view! {
                                    <tr class:revoked=e.revoked>
                                        <td>{e.completed_on}</td>
                                        <td>{e.title}<br /><span class="hint">{e.provider}</span></td>
                                        <td>{format!("{} {}", e.hours, e.credit.label())}</td>
                                        <td>{record}</td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            </div>
        }
    })
}

#[component]
fn AddExternal(state: crate::forms::FormState) -> impl IntoView {
    let chosen = state.value("credit_type").unwrap_or_default();
    let credit_error = state.error("credit_type");
    let credit_invalid = credit_error.is_some();
    view! {
        <details open=!state.errors.is_empty()>
            <summary>"Add credit earned elsewhere"</summary>
            <form method="post" action="/transcript/external" class="stacked">
                <Field name="title" label="Activity" value=state.value("title").unwrap_or_default() error=state.error("title") required=true maxlength=200 />
                <Field name="provider" label="Provider" value=state.value("provider").unwrap_or_default() error=state.error("provider") required=true maxlength=200 />
                <div class="field" class:has-error=credit_invalid>
                    <label for="field-credit_type">"Credit type"</label>
                    {credit_error.map(|e| view! { <p class="field-error">{e}</p> })}
                    <select id="field-credit_type" name="credit_type" required=true>
                        <option value="">"Choose"</option>
                        {CreditType::ALL
                            .into_iter()
                            .map(|c| {
                                let selected = chosen == c.slug();
                                view! { <option value=c.slug() selected=selected>{c.label()}</option> }
                            })
                            .collect_view()}
                    </select>
                </div>
                <Field name="hours" label="Hours" value=state.value("hours").unwrap_or_default() error=state.error("hours") required=true hint="In quarter hours: 0.25, 0.5, 1, 1.75 …" inputmode="decimal" />
                <Field name="completed_on" label="Completed on" kind="date" value=state.value("completed_on").unwrap_or_default() error=state.error("completed_on") required=true />
                <button type="submit">"Add"</button>
            </form>
        </details>
    }
}
