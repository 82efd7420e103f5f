//! The calendar part of `/account`: the zone webinar times are shown in, and the private
//! calendar feed (made, replaced or turned off with plain forms; its address is shown once).

use crate::forms::{FormMessages, FormState};
use crate::webinars::CalendarSettings;
use leptos::prelude::*;

#[component]
pub fn CalendarSection(
    settings: CalendarSettings,
    time_zone: Option<String>,
    zone_state: FormState,
    feed_state: FormState,
) -> impl IntoView {
    let chosen = time_zone.unwrap_or_default();
    let zone_error = zone_state.error("time_zone");
    let described = zone_error.as_ref().map_or(
        "field-time-zone-hint",
        |_| "field-time-zone-hint field-time-zone-error",
    );
    let invalid = zone_error.is_some().then_some("true");
    let zones = settings
        .zones
        .into_iter()
        .map(|zone| {
            let selected = zone == chosen;
            view! { <option value=zone.clone() selected=selected>{zone.clone()}</option> }
        })
        .collect_view();
    let feed = match settings.feed_since {
        Some(since) => view! {
            <p>{format!("Your private calendar address was made on {since} (UTC). Its address was shown once, when it was made; if you lost it, make a new one (the old one then stops working).")}</p>
            <div class="actions">
                <button type="submit" name="action" value="new">"Make a new address"</button>
                <button type="submit" name="action" value="off" class="secondary">"Turn the feed off"</button>
            </div>
        }
        .into_any(),
        None => view! {
            <p>"You have no calendar feed. Make one to subscribe from your calendar app: it lists every webinar session you hold a seat for, and follows changes by itself."</p>
            <button type="submit" name="action" value="new">"Make a calendar address"</button>
        }
        .into_any(),
    };
    view! {
        <section aria-labelledby="calendar-heading">
            <h2 id="calendar-heading">"Time zone and calendar"</h2>
            <form method="post" action="/account/time-zone" class="stacked">
                <FormMessages state=zone_state />
                <div class="field" class:has-error=invalid.is_some()>
                    <label for="field-time-zone">"Show webinar times in"</label>
                    <p class="hint" id="field-time-zone-hint">"Times on webinar pages, in mail and in calendar descriptions use this zone; calendar apps convert the times themselves."</p>
                    {zone_error.map(|e| view! { <p class="field-error" id="field-time-zone-error">{e}</p> })}
                    <select id="field-time-zone" name="time_zone" aria-describedby=described aria-invalid=invalid>
                        <option value="" selected=chosen.is_empty()>"Each webinar's own time zone"</option>
                        {zones}
                    </select>
                </div>
                <button type="submit">"Save time zone"</button>
            </form>
            <form method="post" action="/account/calendar-feed" class="stacked">
                <FormMessages state=feed_state />
                <p>"A private address for calendar apps (Google Calendar, Outlook, Apple Calendar). Anyone with it can see which sessions you registered for, so keep it to yourself."</p>
                {feed}
            </form>
        </section>
    }
}
