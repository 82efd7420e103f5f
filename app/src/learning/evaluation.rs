//! The evaluation form, the same for every kind of activity (a course on its credit page, a
//! live session on the webinar page): each statement rated on the five-point scale, what the
//! learner will change in their practice (required) and other comments. A real form that
//! posts to the activity's evaluation route with the fields that say what is evaluated.

use crate::forms::{FormMessages, FormState};
use crate::learning::LIKERT;
use leptos::prelude::*;

/// `action` is where the form posts; `hidden` the fields that name the activity (the
/// course; the webinar and its session); `after` ends the practice question ("as a result of
/// this course", "after this session"); `messages` shows the form's own messages above it
/// (the webinar page shows them in its attendance section).
#[component]
pub fn EvaluationForm(
    action: &'static str,
    hidden: Vec<(&'static str, String)>,
    #[prop(optional)] heading: Option<String>,
    statements: Vec<String>,
    after: &'static str,
    submit: &'static str,
    #[prop(optional)] messages: bool,
    state: FormState,
) -> impl IntoView {
    let change_error = state.error("practice_change");
    let comments_error = state.error("comments");
    let change_invalid = change_error.is_some();
    let comments_invalid = comments_error.is_some();
    let change = state.value("practice_change").unwrap_or_default();
    let comments = state.value("comments").unwrap_or_default();
    view! {
        <form method="post" action=action class="evaluation">
            {heading.map(|heading| view! { <h4>{heading}</h4> })}
            {hidden
                .into_iter()
                .map(|(name, value)| view! { <input type="hidden" name=name value=value /> })
                .collect_view()}
            {messages.then(|| view! { <FormMessages state=state.clone() /> })}
            {statements
                .into_iter()
                .enumerate()
                .map(|(index, statement)| {
                    let name = format!("rating-{index}");
                    let error = state.error(&name);
                    let has_error = error.is_some();
                    let chosen = state.value(&name).unwrap_or_default();
                    view! {
                        <fieldset class="likert" class:has-error=has_error id=name.clone()>
                            <legend>{statement}</legend>
                            {error.map(|e| view! { <p class="field-error">{e}</p> })}
                            {LIKERT
                                .iter()
                                .enumerate()
                                .map(|(i, label)| {
                                    let value = (i + 1).to_string();
                                    let id = format!("{name}-{value}");
                                    let label_for = id.clone();
                                    let checked = chosen == value;
                                    view! {
                                        <label class="option" for=label_for>
                                            <input
                                                type="radio"
                                                id=id
                                                name=name.clone()
                                                value=value
                                                checked=checked
                                                required=true
                                            />
                                            " "
                                            {*label}
                                        </label>
                                    }
                                })
                                .collect_view()}
                        </fieldset>
                    }
                })
                .collect_view()}
            <div class="field" class:has-error=change_invalid>
                <label for="field-practice_change">
                    {format!(
                        "What will you change in your practice {after}? (Or say that you will change nothing, and why.)"
                    )}
                </label>
                {change_error
                    .map(|e| view! { <p class="field-error" id="field-practice_change-error">{e}</p> })}
                <textarea id="field-practice_change" name="practice_change" rows="4" maxlength="2000" required=true inner_html=crate::forms::textarea_html(&change)></textarea>
            </div>
            <div class="field" class:has-error=comments_invalid>
                <label for="field-comments">"Other comments (optional)"</label>
                {comments_error.map(|e| view! { <p class="field-error">{e}</p> })}
                <textarea id="field-comments" name="comments" rows="3" maxlength="4000" inner_html=crate::forms::textarea_html(&comments)></textarea>
            </div>
            <button type="submit">{submit}</button>
        </form>
    }
}
