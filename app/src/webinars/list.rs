//! `/webinars`: upcoming and past webinars, filtered by profession with a plain GET form.

use crate::accounts::Profession;
use crate::components::{CreditList, Loaded};
use crate::webinars::api::list_webinars;
use crate::webinars::{WebinarCard, WebinarList};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn WebinarsPage() -> impl IntoView {
    let query = use_query_map();
    let profession = move || query.with(|q| q.get("profession").unwrap_or_default());
    let data = Resource::new(profession, |p| list_webinars(Some(p)));
    view! {
        <Title text="Live webinars" />
        <h1>"Live webinars"</h1>
        <p>
            "Grand rounds, case conferences and journal clubs held live on a conferencing service. Register here; the join link, your calendar file and your credit come from here too."
        </p>
        <form method="get" action="/webinars" class="filters" aria-label="Filter webinars">
            <div class="field">
                <label for="profession">"Profession"</label>
                <select id="profession" name="profession">
                    <option value="" selected=move || profession().is_empty()>"All professions"</option>
                    {Profession::ALL
                        .into_iter()
                        .map(|p| view! { <option value=p.slug() selected=move || profession() == p.slug()>{p.label()}</option> })
                        .collect_view()}
                </select>
            </div>
            <button type="submit">"Show webinars"</button>
        </form>
        <Loaded resource=data nested=true page=move |list| view! { <Lists list /> } />
    }
}

#[component]
fn Lists(list: WebinarList) -> impl IntoView {
    let WebinarList { upcoming, past } = list;
    view! {
        <section aria-labelledby="upcoming-heading">
            <h2 id="upcoming-heading">"Upcoming"</h2>
            {if upcoming.is_empty() {
                view! { <p class="empty">"No upcoming webinar matches. "<a href="/webinars">"Show all webinars"</a></p> }.into_any()
            } else {
                view! { <Cards cards=upcoming /> }.into_any()
            }}
        </section>
        <section aria-labelledby="past-heading">
            <h2 id="past-heading">"Past"</h2>
            {if past.is_empty() {
                view! { <p class="empty">"No past webinar matches."</p> }.into_any()
            } else {
                view! { <Cards cards=past /> }.into_any()
            }}
        </section>
    }
}

#[component]
fn Cards(cards: Vec<WebinarCard>) -> impl IntoView {
    view! {
        <div class="card-grid">
            {cards
                .into_iter()
                .map(|card| {
                    let href = format!("/webinars/{}", card.slug);
                    let sessions = if card.sessions == 1 {
                        String::new()
                    } else {
                        format!(" ({} sessions)", card.sessions)
                    };
                    let professions = card.professions.iter().map(|p| p.label()).collect::<Vec<_>>().join(", ");
                    view! {
                        <article class="course-card">
                            <h3>
                                <a href=href>{card.title}</a>
                            </h3>
                            <p>{card.summary}</p>
                            <dl class="facts">
                                <div>
                                    <dt>"When"</dt>
                                    <dd>{format!("{}{sessions}", card.when)}</dd>
                                </div>
                                <div>
                                    <dt>"For"</dt>
                                    <dd>{professions}</dd>
                                </div>
                                <div>
                                    <dt>"Credit"</dt>
                                    <dd>
                                        <CreditList credits=card.credits />
                                    </dd>
                                </div>
                            </dl>
                        </article>
                    }
                })
                .collect_view()}
        </div>
    }
}
