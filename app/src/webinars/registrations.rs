//! `/webinars/{webinar}/registrations`: the webinar's organizers and administrators see who
//! is registered and who waits (in the order seats will go), download it as CSV, and can
//! cancel a registration (audited; the seat goes to the first waiting).

use crate::accounts::api::form_state;
use crate::components::Loaded;
use crate::error::AppError;
use crate::forms::{FormMessages, FormState};
use crate::webinars::api::webinar_registrations;
use crate::webinars::{RegistrantRow, RegistrationsPage};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn RegistrationsRoute() -> impl IntoView {
    let params = use_params_map();
    let data = Resource::new(
        move || params.with(|p| p.get("webinar").unwrap_or_default()),
        |slug| async move {
            let page = webinar_registrations(slug).await?;
            let state = form_state("webinar-registrations".into()).await?;
            Ok::<_, AppError>((page, state))
        },
    );
    view! { <Loaded resource=data page=move |(page, state)| view! { <Registrations page state /> } /> }
}

#[component]
fn Registrations(page: RegistrationsPage, state: FormState) -> impl IntoView {
    let RegistrationsPage {
        slug,
        title,
        capacity,
        registered,
        waitlist,
    } = page;
    let summary = format!(
        "{} of {capacity} seats taken, {} on the waitlist.",
        registered.len(),
        waitlist.len()
    );
    view! {
        <Title text=format!("Registrations: {title}") />
        <h1>{format!("Registrations: {title}")}</h1>
        <FormMessages state />
        <p>{summary}</p>
        <p>
            <a href=format!("/webinars/{slug}/registrations.csv")>"Download as CSV"</a>
            " · "
            <a href=format!("/webinars/{slug}")>"The webinar's page"</a>
        </p>
        <h2 id="registered-heading">"Registered"</h2>
        <People slug=slug.clone() people=registered label="registered" />
        <h2 id="waitlist-heading">"Waitlist, in the order seats go"</h2>
        <People slug people=waitlist label="waitlist" />
    }
}

#[component]
fn People(slug: String, people: Vec<RegistrantRow>, label: &'static str) -> impl IntoView {
    if people.is_empty() {
        return view! { <p>"Nobody yet."</p> }.into_any();
    }
    view! {
        <div class="table-scroll">
            <table class="registrations">
                <caption class="visually-hidden">{format!("{} people, {label}", people.len())}</caption>
                <thead>
                    <tr>
                        <th scope="col">"#"</th>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Email"</th>
                        <th scope="col">"Profession"</th>
                        <th scope="col">"Since (UTC)"</th>
                        <th scope="col">"Cancel"</th>
                    </tr>
                </thead>
                <tbody>
                    {people
                        .into_iter()
                        .enumerate()
                        .map(|(index, person)| {
                            view! {
                                <tr>
                                    <td>{(index + 1).to_string()}</td>
                                    <td>{person.name.clone()}</td>
                                    <td>{person.email}</td>
                                    <td>{person.profession}</td>
                                    <td>{person.arrived}</td>
                                    <td>
                                        <form method="post" action="/webinars/registrations/cancel" class="inline-form">
                                            <input type="hidden" name="webinar" value=slug.clone() />
                                            <input type="hidden" name="user_id" value=person.user_id.to_string() />
                                            <button type="submit" class="secondary" aria-label=format!("Cancel the place of {}", person.name)>
                                                "Cancel"
                                            </button>
                                        </form>
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
        .into_any()
}
