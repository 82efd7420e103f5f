//! `/invitation?token=…`: the invitee chooses their password and fills in the profile; the
//! account gets the role they were invited with. A link that no longer works says why.

use crate::accounts::api::{form_state, invitation_link};
use crate::accounts::auth::ProfileFields;
use crate::accounts::{InvitationLink, Profile};
use crate::components::Loaded;
use crate::error::AppError;
use crate::forms::{Field, FormMessages, FormState};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn InvitationPage() -> impl IntoView {
    let query = use_query_map();
    let data = Resource::new(
        move || query.with(|q| q.get("token").unwrap_or_default()),
        |token| async move {
            let link = invitation_link(Some(token.clone())).await?;
            let state = form_state("invitation".into()).await?;
            Ok::<_, AppError>((token, link, state))
        },
    );
    view! {
        <Title text="Accept your invitation" />
        <section class="form-page" aria-labelledby="invitation-heading">
            <h1 id="invitation-heading">"Accept your invitation"</h1>
            <Loaded
                resource=data
                nested=true
                page=move |(token, link, state)| view! { <InvitationForm token link state /> }
            />
        </section>
    }
}

#[component]
fn InvitationForm(token: String, link: InvitationLink, state: FormState) -> impl IntoView {
    match link {
        InvitationLink::Refused { reason } => view! {
            <p class="form-error" role="alert">{reason}</p>
            <p>
                <a href="/login">"Sign in"</a>
            </p>
        }
        .into_any(),
        InvitationLink::Usable {
            email,
            role,
            invited_by,
        } => {
            let by = invited_by
                .map(|name| format!(" by {name}"))
                .unwrap_or_default();
            view! {
                <p>{format!("You were invited{by} to join as {} with the address {email}.", role.label())}</p>
                <form method="post" action="/invitation/accept" class="stacked" novalidate>
                    <FormMessages state=state.clone() />
                    <input type="hidden" name="token" value=token />
                    <input type="hidden" name="username" value=email autocomplete="username" />
                    <Field
                        name="password"
                        label="Choose a password"
                        kind="password"
                        error=state.error("password")
                        hint="At least 12 characters. A few unrelated words make a strong password that is easy to remember."
                        required=true
                        autocomplete="new-password"
                        maxlength=256
                    />
                    <ProfileFields state profile=Profile::default() />
                    <button type="submit">"Create my account"</button>
                </form>
            }
                .into_any()
        }
    }
}
