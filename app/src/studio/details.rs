//! `/studio/{kind}/{slug}/details`: the activity's front matter as a form, each field with
//! its hint and, next to it, content check's problem with that key.

use crate::components::Loaded;
use crate::forms::FormMessages;
use crate::studio::api::studio_details;
use crate::studio::draft::{ProblemList, param};
use crate::studio::{DetailField, DetailGroup, DetailsPage};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn DetailsRoute() -> impl IntoView {
    let (kind, slug) = (param("kind"), param("slug"));
    let data = Resource::new(
        move || (kind(), slug()),
        |(kind, slug)| studio_details(kind, slug),
    );
    view! { <Loaded resource=data page=move |page| view! { <Details page /> } /> }
}

/// `credits.1.max_hours` → `field-credits-1-max_hours`.
fn id_of(name: &str) -> String {
    format!("field-{}", name.replace('.', "-"))
}

/// One field, labelled, with its hint and its problem wired for screen readers.
#[component]
fn Input(field: DetailField, #[prop(optional)] label_hidden: Option<String>) -> impl IntoView {
    let DetailField {
        name,
        label,
        input,
        value,
        options,
        hint,
        required,
        error,
    } = field;
    let id = id_of(&name);
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let described = [
        (!hint.is_empty()).then(|| hint_id.clone()),
        error.as_ref().map(|_| error_id.clone()),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ");
    let described = (!described.is_empty()).then_some(described);
    let invalid = error.is_some().then_some("true");
    let has_error = error.is_some();
    let label_text = label_hidden.unwrap_or_else(|| label.clone());
    let hint_view =
        (!hint.is_empty()).then(|| view! { <p class="hint" id=hint_id.clone()>{hint.clone()}</p> });
    let error_view = error
        .clone()
        .map(|e| view! { <p class="field-error" id=error_id.clone()>{e}</p> });
    let control = match input.as_str() {
        "area" | "lines" => view! {
            <textarea
                id=id.clone()
                name=name.clone()
                rows=if input == "lines" { "5" } else { "3" }
                aria-invalid=invalid
                aria-describedby=described.clone()
                inner_html=crate::forms::textarea_html(&value)
            ></textarea>
        }
        .into_any(),
        "select" => view! {
            <select id=id.clone() name=name.clone() aria-invalid=invalid aria-describedby=described.clone()>
                <option value="" selected=value.is_empty()>"(none)"</option>
                {options
                    .into_iter()
                    .map(|(v, l)| {
                        let selected = v == value;
                        view! { <option value=v selected=selected>{l}</option> }
                    })
                    .collect_view()}
            </select>
        }
        .into_any(),
        "check" => view! {
            // Sent ticked or not, so "off" can be told from "not sent".
            <input type="hidden" name=format!("{name}.sent") value="" />
            <input
                type="checkbox"
                id=id.clone()
                name=name.clone()
                value="on"
                checked=!value.is_empty()
                aria-describedby=described.clone()
            />
        }
        .into_any(),
        "choices" => {
            let chosen: Vec<String> = value.split_whitespace().map(str::to_owned).collect();
            return view! {
                <fieldset class="field choices" class:has-error=has_error aria-describedby=described.clone()>
                    <legend>{label}</legend>
                    {hint_view}
                    {error_view}
                    // Sent even when no box is ticked, so "none" can be told from "not sent".
                    <input type="hidden" name=name.clone() value="" />
                    {options
                        .into_iter()
                        .map(|(v, l)| {
                            let box_id = format!("{id}-{v}");
                            let label_for = box_id.clone();
                            let checked = chosen.contains(&v);
                            view! {
                                <label for=label_for class="choice">
                                    <input type="checkbox" id=box_id name=format!("{name}:{v}") value="on" checked=checked />
                                    " " {l}
                                </label>
                            }
                        })
                        .collect_view()}
                </fieldset>
            }
            .into_any();
        }
        other => {
            let (kind, inputmode) = match other {
                "number" => ("text", Some("decimal")),
                _ => ("text", None),
            };
            view! {
                <input
                    id=id.clone()
                    name=name.clone()
                    type=kind
                    value=value
                    inputmode=inputmode
                    aria-invalid=invalid
                    aria-describedby=described.clone()
                />
            }
            .into_any()
        }
    };
    let required_note = (!required).then_some(" (optional)");
    view! {
        <div class="field" class:has-error=has_error>
            <label for=id.clone()>{label_text} {required_note}</label>
            {hint_view}
            {error_view}
            {control}
        </div>
    }
    .into_any()
}

#[component]
fn Group(group: DetailGroup) -> impl IntoView {
    let DetailGroup {
        legend,
        hint,
        rows_of,
        columns,
        fields,
        rows,
    } = group;
    let count = rows.len();
    view! {
        <fieldset class="details-group">
            <legend>{legend.clone()}</legend>
            {(!hint.is_empty()).then(|| view! { <p class="hint">{hint}</p> })}
            {fields.into_iter().map(|field| view! { <Input field /> }).collect_view()}
            {(!rows_of.is_empty()).then(|| {
                let rows_field = format!("{rows_of}.rows");
                view! {
                    <input type="hidden" name=rows_field value=count.to_string() />
                    {rows
                        .into_iter()
                        .enumerate()
                        .map(|(index, row)| {
                            let number = index + 1;
                            view! {
                                <fieldset class="details-row">
                                    <legend>{format!("{legend}: row {number}")}</legend>
                                    {row
                                        .into_iter()
                                        .zip(columns.clone())
                                        .map(|(field, column)| {
                                            let hidden = format!("{column} (row {number})");
                                            view! { <Input field label_hidden=hidden /> }
                                        })
                                        .collect_view()}
                                </fieldset>
                            }
                        })
                        .collect_view()}
                }
            })}
        </fieldset>
    }
}

#[component]
fn Details(page: DetailsPage) -> impl IntoView {
    let DetailsPage {
        kind,
        slug,
        title,
        name,
        version,
        groups,
        other_problems,
        unreadable,
        form,
    } = page;
    let base = format!("/studio/{kind}/{slug}");
    let text_editor = format!("{base}/files/{name}");
    view! {
        <Title text=format!("Details: {title}") />
        <p><a href="/studio">"Studio"</a> " › " <a href=base.clone()>{title.clone()}</a></p>
        <h1>{format!("Details of {title}")}</h1>
        <p>
            {format!("These fields are the front matter of {name}; ")}
            <a href=text_editor.clone()>{format!("edit {name} as text")}</a>
            " for the description and anything the form does not show. Saving keeps the rest of the file as written."
        </p>
        <FormMessages state=form.clone() />
        {unreadable.map(|message| view! { <p class="form-error" role="alert">{message}</p> })}
        {(!other_problems.is_empty()).then(|| view! {
            <section aria-labelledby="other-problems">
                <h2 id="other-problems">{format!("Other problems in {name}")}</h2>
                <ProblemList problems=other_problems />
            </section>
        })}
        {(!groups.is_empty()).then(|| view! {
            <form method="post" action="/studio/details" class="details">
                <input type="hidden" name="kind" value=kind.clone() />
                <input type="hidden" name="slug" value=slug.clone() />
                <input type="hidden" name="version" value=version.to_string() />
                {groups.into_iter().map(|group| view! { <Group group /> }).collect_view()}
                <button type="submit">"Save the details"</button>
            </form>
        })}
    }
}
