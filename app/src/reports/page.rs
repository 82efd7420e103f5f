//! `/admin/reports`: the accreditation export. Administrators choose an activity and a
//! period, see how many completions will be listed (consenting learners) and how many are
//! only counted, and download the CSV.

use crate::components::Loaded;
use crate::reports::ReportPage;
use crate::reports::api::report_page;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn ReportsRoute() -> impl IntoView {
    let query = use_query_map();
    let data = Resource::new(
        move || query.with(|q| (q.get("activity"), q.get("from"), q.get("to"))),
        |(activity, from, to)| report_page(activity, from, to),
    );
    view! {
        <Title text="Accreditation export" />
        <h1>"Accreditation export"</h1>
        <Loaded resource=data loading="Counting completions…" nested=true page=move |page| view! { <ReportView page /> } />
    }
}

#[component]
fn ReportView(page: ReportPage) -> impl IntoView {
    let ReportPage {
        activities,
        activity,
        from,
        to,
        listed,
        not_listed,
    } = page;
    let download = format!("/admin/export.csv?activity={activity}&from={from}&to={to}");
    view! {
        <p class="lead">
            "Completions (current, unrevoked certificates) for reporting to accrediting bodies. Only learners who consented are listed; the others are counted."
        </p>
        <form method="get" action="/admin/reports" class="filters" aria-label="Export filter">
            <div class="field">
                <label for="activity">"Activity"</label>
                <select id="activity" name="activity">
                    <option value="" selected=activity.is_empty()>"All activities"</option>
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
                <label for="from">"Completed from"</label>
                <input id="from" name="from" type="date" value=from />
            </div>
            <div class="field">
                <label for="to">"to"</label>
                <input id="to" name="to" type="date" value=to />
            </div>
            <button type="submit">"Count"</button>
        </form>
        <p class="notice" role="status">
            {format!(
                "{listed} completion{} will be listed; {not_listed} not listed (the learner did not consent to reporting).",
                if listed == 1 { "" } else { "s" },
            )}
        </p>
        <p>
            <a class="button" href=download download="">"Download the CSV"</a>
        </p>
        <p class="hint">
            "Columns: activity_slug, activity_title, revision, learner_name, profession, npi, licence_number, licence_state, board_id, birth_month, birth_day, completion_date, credit_type, hours, certificate_code, issued_on. Each download is recorded in the audit log."
        </p>
    }
}
