//! `/login` and `/register`: plain POST forms that work with JavaScript off; after a problem
//! the server sends the reader back here with a message per field and their typed values.

use crate::accounts::api::{current_viewer, form_state};
use crate::accounts::{Profession, Profile};
use crate::components::{ErrorPanel, Loaded};
use crate::forms::FormState;
use crate::forms::{Field, FormMessages};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn LoginPage() -> impl IntoView {
    let query = use_query_map();
    let next = move || query.with(|q| q.get("next").unwrap_or_default());
    // The confirmation link's token: signing in with it confirms the address.
    let confirm = move || query.with(|q| q.get("confirm").unwrap_or_default());
    let state = Resource::new(|| (), |()| form_state("login".into()));
    view! {
        <Title text="Sign in" />
        <section class="form-page" aria-labelledby="login-heading">
            <h1 id="login-heading">"Sign in"</h1>
            <Loaded resource=state nested=true page=move |state| view! { <LoginForm state next=next() confirm=confirm() /> } />
            <p>"New to Grand Rounds? " <a href="/register">"Create an account"</a></p>
        </section>
    }
}

/// A new confirmation link, for whoever registered but lost the message.
#[component]
fn ResendForm(error: Option<String>) -> impl IntoView {
    let open = error.is_some();
    view! {
        <details class="resend" open=open>
            <summary>"Registered, but no confirmation message?"</summary>
            <form method="post" action="/account/confirmation" class="stacked" novalidate>
                <Field
                    name="resend_email"
                    label="Email you registered with"
                    kind="email"
                    error=error
                    required=true
                    autocomplete="email"
                    maxlength=254
                />
                <button type="submit" class="secondary">"Send the link again"</button>
            </form>
        </details>
    }
}

#[component]
fn LoginForm(state: FormState, next: String, confirm: String) -> impl IntoView {
    view! {
        <form method="post" action="/account/login" class="stacked" novalidate>
            <FormMessages state=state.clone() />
            <input type="hidden" name="next" value=next />
            {(!confirm.is_empty()).then(|| view! { <input type="hidden" name="confirm" value=confirm.clone() /> })}
            <Field
                name="email"
                label="Email"
                kind="email"
                value=state.value("email").unwrap_or_default()
                required=true
                autocomplete="username"
                maxlength=254
            />
            <Field
                name="password"
                label="Password"
                kind="password"
                required=true
                autocomplete="current-password"
                maxlength=256
            />
            <button type="submit">"Sign in"</button>
        </form>
        <p>
            <a href="/forgot-password">"Forgot your password?"</a>
        </p>
        <ResendForm error=state.error("resend_email") />
    }
}

#[component]
pub fn RegisterPage() -> impl IntoView {
    let state = Resource::new(|| (), |()| form_state("register".into()));
    let viewer = Resource::new(|| (), |()| current_viewer());
    view! {
        <Title text="Create an account" />
        <section class="form-page" aria-labelledby="register-heading">
            <h1 id="register-heading">"Create an account"</h1>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    if let Ok(Some(viewer)) = viewer.await {
                        return view! {
                            <p class="notice">
                                {format!("You are signed in as {}. ", viewer.name)}
                                <a href="/account">"Go to your account"</a>
                            </p>
                        }
                            .into_any();
                    }
                    match state.await {
                        Ok(state) => view! { <RegisterForm state /> }.into_any(),
                        Err(error) => view! { <ErrorPanel error nested=true /> }.into_any(),
                    }
                })}
            </Suspense>
            <p>"Already registered? " <a href="/login">"Sign in"</a></p>
        </section>
    }
}

#[component]
fn RegisterForm(state: FormState) -> impl IntoView {
    view! {
        <form method="post" action="/account/register" class="stacked" novalidate>
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
            <Field
                name="password"
                label="Password"
                kind="password"
                error=state.error("password")
                hint="At least 12 characters. A few unrelated words make a strong password that is easy to remember."
                required=true
                autocomplete="new-password"
                maxlength=256
            />
            <ProfileFields state profile=Profile::default() />
            <button type="submit">"Create account"</button>
        </form>
    }
}

/// Name, profession, reporting identifiers and consent: on the registration form and the
/// account page. A value typed in the last submission wins over the stored one.
#[component]
pub fn ProfileFields(state: FormState, profile: Profile) -> impl IntoView {
    let typed = |field: &str, stored: String| state.value(field).unwrap_or(stored);
    let profession = state
        .value("profession")
        .or_else(|| profile.profession.map(|p| p.slug().to_owned()))
        .unwrap_or_default();
    let number = |n: Option<u8>| n.map(|n| n.to_string()).unwrap_or_default();
    let consent = if state.errors.is_empty() && state.values.is_empty() {
        profile.consent_reporting
    } else {
        state.value("consent_reporting").is_some()
    };
    let profession_error = state.error("profession");
    view! {
        <Field
            name="full_name"
            label="Full name"
            value=typed("full_name", profile.full_name.clone())
            error=state.error("full_name")
            hint="As it must appear on your certificates."
            required=true
            autocomplete="name"
            maxlength=120
        />
        <div class="field" class:has-error=profession_error.is_some()>
            <label for="field-profession">"Profession"</label>
            {profession_error
                .clone()
                .map(|error| view! { <p class="field-error" id="field-profession-error">{error}</p> })}
            <select
                id="field-profession"
                name="profession"
                required=true
                aria-invalid=profession_error.is_some().then_some("true")
                aria-describedby=profession_error.is_some().then_some("field-profession-error")
            >
                <option value="" selected=profession.is_empty()>"Choose…"</option>
                {Profession::ALL
                    .into_iter()
                    .map(|p| view! { <option value=p.slug() selected=profession == p.slug()>{p.label()}</option> })
                    .collect_view()}
            </select>
        </div>
        <fieldset>
            <legend>"Identifiers for accreditation reporting (optional)"</legend>
            <p class="hint">
                "Boards and accreditors match your credit to you with these. They are shared only if you consent below."
            </p>
            <Field
                name="npi"
                label="NPI"
                value=typed("npi", profile.npi.clone())
                error=state.error("npi")
                hint="10 digits."
                inputmode="numeric"
                maxlength=14
            />
            <Field
                name="licence_number"
                label="State licence number"
                value=typed("licence_number", profile.licence_number.clone())
                error=state.error("licence_number")
                maxlength=40
            />
            <Field
                name="licence_state"
                label="Licence state"
                value=typed("licence_state", profile.licence_state.clone())
                error=state.error("licence_state")
                hint="Two letters, e.g. NM."
                maxlength=2
            />
            <Field
                name="board_id"
                label="Specialty board ID"
                value=typed("board_id", profile.board_id.clone())
                error=state.error("board_id")
                maxlength=40
            />
            <div class="field-row">
                <Field
                    name="birth_month"
                    label="Birth month"
                    value=typed("birth_month", number(profile.birth_month))
                    error=state.error("birth_month")
                    inputmode="numeric"
                    maxlength=2
                />
                <Field
                    name="birth_day"
                    label="Birth day"
                    value=typed("birth_day", number(profile.birth_day))
                    error=state.error("birth_day")
                    inputmode="numeric"
                    maxlength=2
                />
            </div>
        </fieldset>
        <div class="field checkbox">
            <input type="checkbox" id="field-consent" name="consent_reporting" value="yes" checked=consent />
            <label for="field-consent">
                "Share my completion records with accrediting bodies and licensing boards."
            </label>
        </div>
    }
}
