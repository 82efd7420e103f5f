//! `/forgot-password` and `/reset-password?token=…`: plain forms that work with JavaScript
//! off. The first always answers the same words; the second shows the form only for a link
//! that still works, and otherwise says why not and offers a new link.

use crate::accounts::ResetLink;
use crate::accounts::api::{form_state, reset_link};
use crate::components::Loaded;
use crate::error::AppError;
use crate::forms::{Field, FormMessages, FormState};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let state = Resource::new(|| (), |()| form_state("forgot-password".into()));
    view! {
        <Title text="Forgot your password?" />
        <section class="form-page" aria-labelledby="forgot-heading">
            <h1 id="forgot-heading">"Forgot your password?"</h1>
            <p>
                "Give the email address of your account. We send it a link to choose a new password; the link works once, for 30 minutes."
            </p>
            <Loaded resource=state nested=true page=move |state| view! { <ForgotForm state /> } />
            <p>"Remembered it? " <a href="/login">"Sign in"</a></p>
        </section>
    }
}

#[component]
fn ForgotForm(state: FormState) -> impl IntoView {
    view! {
        <form method="post" action="/forgot-password" class="stacked" novalidate>
            <FormMessages state=state.clone() />
            <Field
                name="email"
                label="Email"
                kind="email"
                value=state.value("email").unwrap_or_default()
                error=state.error("email")
                required=true
                autocomplete="email"
                maxlength=254
            />
            <button type="submit">"Send me a link"</button>
        </form>
    }
}

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let query = use_query_map();
    let data = Resource::new(
        move || query.with(|q| q.get("token").unwrap_or_default()),
        |token| async move {
            let link = reset_link(Some(token.clone())).await?;
            let state = form_state("reset-password".into()).await?;
            Ok::<_, AppError>((token, link, state))
        },
    );
    view! {
        <Title text="Choose a new password" />
        <section class="form-page" aria-labelledby="reset-heading">
            <h1 id="reset-heading">"Choose a new password"</h1>
            <Loaded
                resource=data
                nested=true
                page=move |(token, link, state)| view! { <ResetForm token link state /> }
            />
        </section>
    }
}

#[component]
fn ResetForm(token: String, link: ResetLink, state: FormState) -> impl IntoView {
    match link {
        ResetLink::Refused { reason } => view! {
            <p class="form-error" role="alert">{reason}</p>
            <p>
                <a href="/forgot-password">"Ask for a new link"</a>
            </p>
        }
            .into_any(),
        ResetLink::Usable { email } => view! {
            <p>{format!("For the account {email}. Setting it signs out every session of the account.")}</p>
            <form method="post" action="/reset-password" class="stacked" novalidate>
                <FormMessages state=state.clone() />
                <input type="hidden" name="token" value=token />
                <input type="hidden" name="username" value=email autocomplete="username" />
                <Field
                    name="new_password"
                    label="New password"
                    kind="password"
                    error=state.error("new_password")
                    hint="At least 12 characters. A few unrelated words make a strong password that is easy to remember."
                    required=true
                    autocomplete="new-password"
                    maxlength=256
                />
                <button type="submit">"Set the new password"</button>
            </form>
        }
            .into_any(),
    }
}
