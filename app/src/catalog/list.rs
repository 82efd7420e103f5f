//! `/courses`: the catalog, filtered by profession and credit type with a plain GET form.

use crate::accounts::Profession;
use crate::catalog::api::list_courses;
use crate::catalog::{CourseCard, CreditType};
use crate::components::{CourseGrid, Loaded};
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

#[component]
pub fn CatalogPage() -> impl IntoView {
    let query = use_query_map();
    let selected = move |key: &str| query.with(|q| q.get(key).unwrap_or_default());
    let courses = Resource::new(
        move || query.with(|q| (q.get("profession"), q.get("credit"))),
        |(profession, credit)| list_courses(profession, credit),
    );
    let results = |cards: Vec<CourseCard>| {
        if cards.is_empty() {
            return view! {
                <p class="empty" role="status">
                    "No course matches these filters yet. "
                    <a href="/courses">"Show all courses"</a>
                </p>
            }
            .into_any();
        }
        let count = cards.len();
        view! {
            <h2 class="result-count" id="results-heading" aria-live="polite">
                {if count == 1 { "1 course".to_owned() } else { format!("{count} courses") }}
            </h2>
            <CourseGrid cards />
        }
        .into_any()
    };
    view! {
        <Title text="Course catalog" />
        <Meta name="description" content=crate::shell::SITE_DESCRIPTION />
        <h1>"Course catalog"</h1>
        <Form method="get" action="/courses" attr:class="filters" attr:aria-label="Filter courses">
            <div class="field">
                <label for="profession">"Profession"</label>
                <select id="profession" name="profession">
                    <option value="" selected=move || selected("profession").is_empty()>
                        "All professions"
                    </option>
                    {Profession::ALL
                        .into_iter()
                        .map(|p| {
                            view! {
                                <option value=p.slug() selected=move || selected("profession") == p.slug()>
                                    {p.label()}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="credit">"Credit type"</label>
                <select id="credit" name="credit">
                    <option value="" selected=move || selected("credit").is_empty()>
                        "All credit types"
                    </option>
                    {CreditType::ALL
                        .into_iter()
                        .map(|c| {
                            view! {
                                <option value=c.slug() selected=move || selected("credit") == c.slug()>
                                    {c.label()}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </div>
            <button type="submit">"Show courses"</button>
        </Form>
        <Loaded resource=courses loading="Loading courses…" nested=true page=results />
    }
}
