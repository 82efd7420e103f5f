//! Form pieces: labelled fields that show their own error and keep what was typed.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A text-like input with its label, hint and error, wired for screen readers.
#[component]
pub fn Field(
    name: &'static str,
    label: &'static str,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] value: String,
    #[prop(default = None)] error: Option<String>,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional)] required: bool,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] maxlength: Option<u32>,
    #[prop(optional)] inputmode: Option<&'static str>,
) -> impl IntoView {
    let id = format!("field-{name}");
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let described = [
        hint.map(|_| hint_id.clone()),
        error.as_ref().map(|_| error_id.clone()),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ");
    let invalid = error.is_some().then_some("true");
    let has_error = error.is_some();
    view! {
        <div class="field" class:has-error=has_error>
            <label for=id.clone()>{label} {(!required).then_some(" (optional)")}</label>
            {hint.map(|hint| view! { <p class="hint" id=hint_id.clone()>{hint}</p> })}
            {error.map(|error| view! { <p class="field-error" id=error_id.clone()>{error}</p> })}
            <input
                id=id
                name=name
                type=kind
                value=value
                required=required
                autocomplete=autocomplete
                maxlength=maxlength
                inputmode=inputmode
                aria-invalid=invalid
                aria-describedby=(!described.is_empty()).then_some(described)
            />
        </div>
    }
}

/// The message for the form as a whole, and the notice after a success.
#[component]
pub fn FormMessages(state: FormState) -> impl IntoView {
    let count = state.errors.len();
    let summary = state.error("form").or_else(|| {
        (count > 0).then(|| {
            if count == 1 {
                "Please correct the field marked below.".to_owned()
            } else {
                format!("Please correct the {count} fields marked below.")
            }
        })
    });
    view! {
        {summary.map(|message| view! { <p class="form-error" role="alert">{message}</p> })}
        {state.notice.map(|message| view! { <p class="notice" role="status">{message}</p> })}
    }
}

/// What a form left behind after a submission that did not go through: a message per
/// field and the values typed (never passwords), so the form can be shown again as it was.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormState {
    /// `(field, message)`; the field `"form"` is about the form as a whole.
    pub errors: Vec<(String, String)>,
    pub values: Vec<(String, String)>,
    /// A confirmation after a successful submission.
    pub notice: Option<String>,
}

impl FormState {
    pub fn error(&self, field: &str) -> Option<String> {
        self.errors
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.clone())
    }

    pub fn value(&self, field: &str) -> Option<String> {
        self.values
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, v)| v.clone())
    }

    /// Whether `value` was among the values kept for `field` (checkboxes send several).
    pub fn has_value(&self, field: &str, value: &str) -> bool {
        self.values.iter().any(|(f, v)| f == field && v == value)
    }
}

/// A text area's content as HTML: Leptos writes a `<textarea>`'s children without escaping
/// them (it treats the element as raw text), so a value holding `</textarea>` would end the
/// element and the rest would be read as markup. Set it with `inner_html` from here: the
/// five characters become entities (which a text area decodes), and a leading line break,
/// which the HTML parser drops after `<textarea>`, is kept by writing one first.
pub fn textarea_html(text: &str) -> String {
    format!("\n{}", escape_html(text))
}

/// `&`, `<`, `>`, `"` and `'` as entities: for the elements Leptos writes without escaping
/// (`<textarea>`, `<title>`), whose text the browser still decodes.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
