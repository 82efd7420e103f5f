//! `/account`: the signed-in user's profile and password; signed-out readers are sent to
//! sign in first.

use crate::accounts::Profile;
use crate::accounts::api::{form_state, my_profile};
use crate::accounts::auth::ProfileFields;
use crate::components::ErrorPanel;
use crate::error::AppError;
use crate::forms::FormState;
use crate::forms::{Field, FormMessages};
use crate::response::redirect_page;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AccountPage() -> impl IntoView {
    let data = Resource::new(
        || (),
        |()| async {
            let profile = my_profile().await?;
            let welcome = form_state("account".into()).await?;
            let profile_state = form_state("profile".into()).await?;
            let password_state = form_state("password".into()).await?;
            let mail_state = form_state("mail".into()).await?;
            let calendar = crate::webinars::api::my_calendar_settings().await?;
            let zone_state = form_state("time-zone".into()).await?;
            let feed_state = form_state("calendar".into()).await?;
            Ok::<_, AppError>((
                profile,
                welcome,
                (profile_state, password_state, mail_state),
                (calendar, zone_state, feed_state),
            ))
        },
    );
    view! {
        <Title text="Your account" />
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match data.await {
                    Ok((
                        profile,
                        welcome,
                        (profile_state, password_state, mail_state),
                        (calendar, zone_state, feed_state),
                    )) => {
                        let time_zone = profile.time_zone.clone();
                        view! {
                            <Account profile welcome profile_state password_state mail_state />
                            <crate::webinars::settings::CalendarSection
                                settings=calendar
                                time_zone
                                zone_state
                                feed_state
                            />
                            <SignOut />
                        }
                            .into_any()
                    }
                    Err(AppError::Unauthorized) => {
                        redirect_page("/login?next=/account");
                        view! {
                            <h1>"Your account"</h1>
                            <p>"Please " <a href="/login?next=/account">"sign in"</a> " to see your account."</p>
                        }
                            .into_any()
                    }
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Account(
    profile: Profile,
    welcome: FormState,
    profile_state: FormState,
    password_state: FormState,
    mail_state: FormState,
) -> impl IntoView {
    let optional_mail = profile.optional_mail;
    let role = profile.role.map(|r| r.label()).unwrap_or_default();
    view! {
        <h1>"Your account"</h1>
        <FormMessages state=welcome />
        <p>{format!("Signed in as {} ({role}).", profile.email)}</p>
        <section aria-labelledby="profile-heading">
            <h2 id="profile-heading">"Profile"</h2>
            <form method="post" action="/account/profile" class="stacked" novalidate>
                <FormMessages state=profile_state.clone() />
                <ProfileFields state=profile_state profile=profile.clone() />
                <button type="submit">"Save profile"</button>
            </form>
        </section>
        <section aria-labelledby="password-heading">
            <h2 id="password-heading">"Change password"</h2>
            <form method="post" action="/account/password" class="stacked" novalidate>
                <FormMessages state=password_state.clone() />
                <input type="hidden" name="username" value=profile.email autocomplete="username" />
                <Field
                    name="current_password"
                    label="Current password"
                    kind="password"
                    error=password_state.error("current_password")
                    required=true
                    autocomplete="current-password"
                    maxlength=256
                />
                <Field
                    name="new_password"
                    label="New password"
                    kind="password"
                    error=password_state.error("new_password")
                    hint="At least 12 characters. Changing it signs out your other sessions."
                    required=true
                    autocomplete="new-password"
                    maxlength=256
                />
                <button type="submit">"Change password"</button>
            </form>
        </section>
        <section aria-labelledby="mail-heading">
            <h2 id="mail-heading">"Email"</h2>
            <form method="post" action="/account/mail" class="stacked">
                <FormMessages state=mail_state />
                <div class="field checkbox">
                    <input type="checkbox" id="field-optional-mail" name="optional_mail" value="yes" checked=optional_mail />
                    <label for="field-optional-mail">"Send me reminders by email (webinar reminders, courses left unfinished)."</label>
                </div>
                <button type="submit">"Save email settings"</button>
            </form>
            <p>"These always come, whatever you choose, because they are about your account's security or your credit:"</p>
            <ul>
                {crate::mail::MailKind::ALL
                    .into_iter()
                    .filter(|kind| !kind.refusable())
                    .map(|kind| view! { <li>{kind.label()} " (cannot be turned off)"</li> })
                    .collect_view()}
            </ul>
        </section>
    }
}

#[component]
fn SignOut() -> impl IntoView {
    view! {
        <section aria-labelledby="signout-heading">
            <h2 id="signout-heading">"Sign out"</h2>
            <form method="post" action="/account/logout">
                <button type="submit" class="secondary">"Sign out"</button>
            </form>
        </section>
    }
}
