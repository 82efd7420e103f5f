//! `/studio`: the viewer's activities with their state, and the form that starts a new one.

use crate::components::Loaded;
use crate::forms::{Field, FormMessages};
use crate::studio::StudioList;
use crate::studio::api::studio_activities;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn StudioRoute() -> impl IntoView {
    let data = Resource::new(|| (), |()| studio_activities());
    view! { <Loaded resource=data page=move |list| view! { <Studio list /> } /> }
}

#[component]
fn Studio(list: StudioList) -> impl IntoView {
    let StudioList {
        items,
        is_admin,
        form,
    } = list;
    let chosen_kind = form.value("kind").unwrap_or_else(|| "course".into());
    let kind_error = form.error("kind");
    let kind_invalid = kind_error.is_some();
    view! {
        <Title text="Studio" />
        <h1>"Studio"</h1>
        <p>
            {if is_admin {
                "Every course and webinar, whichever door it came through (the studio or the content/ folder)."
            } else {
                "The courses and webinars you own. Drafts are yours and their other owners' until you publish."
            }}
        </p>
        {if items.is_empty() {
            view! { <p>"You own no activity yet. Start one below, or ask an administrator to name you an owner."</p> }.into_any()
        } else {
            view! {
                <div class="table-scroll">
                    <table>
                        <caption>"Activities"</caption>
                        <thead>
                            <tr>
                                <th scope="col">"Activity"</th>
                                <th scope="col">"Kind"</th>
                                <th scope="col">"State"</th>
                                <th scope="col">"Last edit"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {items
                                .into_iter()
                                .map(|item| {
                                    let href = format!("/studio/{}/{}", item.kind, item.slug);
                                    view! {
                                        <tr>
                                            <th scope="row">
                                                <a href=href>{item.title}</a>
                                                {item.conflict.then(|| view! { <strong class="badge">" The content/ folder changed too: choose"</strong> })}
                                            </th>
                                            <td>{item.kind}</td>
                                            <td>{item.state}</td>
                                            <td>{if item.last_edit.is_empty() { "—".to_owned() } else { item.last_edit }}</td>
                                        </tr>
                                    }
                                })
                                .collect_view()}
                        </tbody>
                    </table>
                </div>
            }
                .into_any()
        }}

        <section aria-labelledby="new">
            <h2 id="new">"Start a new activity"</h2>
            <p>
                "It starts as a draft with every required part filled in with an example to replace. "
                "The short name becomes its address (/courses/short-name or /webinars/short-name) and cannot change once published."
            </p>
            <FormMessages state=form.clone() />
            <form method="post" action="/studio/new">
                <div class="field" class:has-error=kind_invalid>
                    <label for="field-kind">"Kind"</label>
                    {kind_error.map(|e| view! { <p class="field-error" id="field-kind-error">{e}</p> })}
                    <select id="field-kind" name="kind">
                        <option value="course" selected=chosen_kind == "course">"Course (lessons and tests, on demand)"</option>
                        <option value="webinar" selected=chosen_kind == "webinar">"Webinar (live sessions)"</option>
                    </select>
                </div>
                <Field
                    name="title"
                    label="Title"
                    value=form.value("title").unwrap_or_default()
                    error=form.error("title")
                    required=true
                    maxlength=200
                />
                <Field
                    name="slug"
                    label="Short name"
                    hint="Lowercase letters, digits and single hyphens, e.g. wound-photography-basics."
                    value=form.value("slug").unwrap_or_default()
                    error=form.error("slug")
                    required=true
                    maxlength=80
                />
                {is_admin
                    .then(|| {
                        view! {
                            <Field
                                name="owner"
                                label="First owner's sign-in email"
                                hint="An educator who will write it. Leave empty to own it yourself."
                                kind="email"
                                value=form.value("owner").unwrap_or_default()
                                error=form.error("owner")
                                maxlength=254
                            />
                        }
                    })}
                <button type="submit">"Start the draft"</button>
            </form>
        </section>
    }
}
