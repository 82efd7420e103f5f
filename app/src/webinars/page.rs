//! `/webinars/{webinar}`: what accreditation asks a learner to see before registering
//! (objectives, presenters and planners with their disclosures, the statements and credit),
//! the description, and every session's time written out in the viewer's zone with its name
//! and UTC offset.

use crate::accounts::api::form_state;
use crate::attendance::learner::LearnerCredit;
use crate::catalog::course::FacultyItem;
use crate::components::{CreditList, Loaded};
use crate::error::AppError;
use crate::forms::{Field, FormMessages, FormState};
use crate::webinars::WebinarPage;
use crate::webinars::api::get_webinar;
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_params_map;

#[component]
pub fn WebinarRoute() -> impl IntoView {
    let params = use_params_map();
    let data = Resource::new(
        move || params.with(|p| p.get("webinar").unwrap_or_default()),
        |slug| async move {
            let page = get_webinar(slug).await?;
            let state = form_state("webinar".into()).await?;
            let code = form_state("webinar-code".into()).await?;
            let evaluation = form_state("webinar-evaluation".into()).await?;
            let claim = form_state("webinar-claim".into()).await?;
            Ok::<_, AppError>((page, state, [code, evaluation, claim]))
        },
    );
    view! { <Loaded resource=data page=move |(page, state, [code, evaluation, claim])| view! { <Webinar page state code evaluation claim /> } /> }
}

#[component]
fn Webinar(
    page: WebinarPage,
    state: FormState,
    code: FormState,
    evaluation: FormState,
    claim: FormState,
) -> impl IntoView {
    let WebinarPage {
        detail,
        sessions,
        registration,
        capacity,
        past,
        zone_note,
        seats_taken,
        waitlisted,
        standing,
        waitlist_place,
        signed_in,
        closed,
        join_open,
        join_note,
        has_calendar,
        code_form,
        attendance,
        organizer,
    } = page;
    let has_news = |state: &FormState| state.notice.is_some() || !state.errors.is_empty();
    let attendance_section = (code_form
        || !attendance.is_empty()
        || has_news(&code)
        || has_news(&evaluation)
        || has_news(&claim))
        .then(|| {
        let credit_slug = detail.slug.clone();
        let slug = detail.slug.clone();
        view! {
            <section aria-labelledby="attendance">
                <h2 id="attendance">"Attendance"</h2>
                <FormMessages state=code.clone() />
                <FormMessages state=evaluation.clone() />
                <FormMessages state=claim.clone() />
                {code_form.then(|| view! {
                    <form method="post" action="/webinars/attendance/code">
                        <input type="hidden" name="webinar" value=slug.clone() />
                        <Field
                            name="code"
                            label="Attendance code shown in the session"
                            value=code.value("code").unwrap_or_default()
                            error=code.error("code")
                            hint="6 letters and digits, as the presenter shows them."
                            required=true
                            maxlength=40
                            autocomplete="off"
                        />
                        <button type="submit">"Record my attendance"</button>
                    </form>
                })}
                {attendance
                    .into_iter()
                    .map(|a| view! {
                        <h3>{format!("Session {}: {} recorded", a.session, a.total)}</h3>
                        <ul>
                            {a.per_source.into_iter().map(|(source, time)| view! { <li>{format!("{source}: {time}")}</li> }).collect_view()}
                        </ul>
                        <p class=if a.eligible { "notice" } else { "" }>{a.verdict}</p>
                        {a.step.map(|step| view! {
                            <LearnerCredit
                                slug=credit_slug.clone()
                                session=a.session
                                step
                                evaluation=evaluation.clone()
                                claim=claim.clone()
                            />
                        })}
                    })
                    .collect_view()}
                <p class="hint">"Time counts once however many devices or sources recorded it, and only inside the session."</p>
            </section>
        }
        .into_any()
    });
    let organizer_links = organizer.then(|| {
        let slug = detail.slug.clone();
        view! {
            <p>
                "For organizers: "
                <a href=format!("/webinars/{slug}/registrations")>"registrations"</a>
                " · "
                <a href=format!("/webinars/{slug}/attendance")>"attendance"</a>
            </p>
        }
        .into_any()
    });
    let slug = detail.slug.clone();
    let full = seats_taken >= capacity;
    let counts = format!(
        "{seats_taken} of {capacity} seats taken{}.",
        if waitlisted > 0 {
            format!(", {waitlisted} on the waitlist")
        } else {
            String::new()
        }
    );
    let cancel_form = |label: &'static str| {
        let slug = slug.clone();
        view! {
            <form method="post" action="/webinars/cancel">
                <input type="hidden" name="webinar" value=slug />
                <button type="submit" class="secondary">{label}</button>
            </form>
        }
    };
    let action = match (standing.as_deref(), closed.clone(), signed_in) {
        (Some("registered"), _, _) => view! {
            <p class="notice">"You are registered."</p>
            {join_open.map(|number| view! {
                <p id="join">
                    <a class="button" href=format!("/webinars/{slug}/join")>{format!("Join session {number} now")}</a>
                </p>
            })}
            {join_note.map(|note| view! { <p>{note}</p> })}
            <p>
                <a href=format!("/webinars/{slug}/calendar.ics")>"Add to your calendar (.ics file)"</a>
                " · or subscribe to all your sessions from "
                <a href="/account#calendar-heading">"your account page"</a>
                "."
            </p>
            {cancel_form("Cancel my registration")}
        }
            .into_any(),
        (Some("waitlisted"), _, _) => view! {
            <p class="notice">{format!("You are number {} on the waitlist.", waitlist_place.unwrap_or(0))}</p>
            {cancel_form("Leave the waitlist")}
        }
            .into_any(),
        (_, Some(reason), _) => view! {
            <p>{reason}</p>
            {has_calendar.then(|| view! {
                <p>
                    <a href=format!("/webinars/{slug}/calendar.ics")>"Calendar file that removes the cancelled sessions (.ics)"</a>
                </p>
            })}
        }
            .into_any(),
        (_, None, false) => view! {
            <p>
                <a href=format!("/login?next=/webinars/{slug}")>"Sign in to register"</a>
                " (or "
                <a href="/register">"create an account"</a>
                ")."
            </p>
        }
            .into_any(),
        (_, None, true) => view! {
            <form method="post" action="/webinars/register">
                <input type="hidden" name="webinar" value=slug.clone() />
                <button type="submit">{if full { "Join the waitlist" } else { "Register" }}</button>
            </form>
        }
            .into_any(),
    };
    let professions = detail
        .professions
        .iter()
        .map(|p| p.label())
        .collect::<Vec<_>>()
        .join(", ");
    let people: Vec<_> = detail
        .presenters
        .into_iter()
        .chain(detail.planners)
        .collect();
    view! {
        <Title text=detail.title.clone() />
        <Meta name="description" content=detail.summary.clone() />
        <article class="course">
            <header>
                <p class="eyebrow">{if past { "Past live webinar" } else { "Live webinar" }}</p>
                <h1>{detail.title}</h1>
                <p class="lead">{detail.summary}</p>
                <dl class="facts">
                    <div>
                        <dt>"Intended for"</dt>
                        <dd>{professions}</dd>
                    </div>
                    <div>
                        <dt>"Held on"</dt>
                        <dd>{detail.service}</dd>
                    </div>
                    <div>
                        <dt>"Seats"</dt>
                        <dd>{capacity.to_string()}</dd>
                    </div>
                    <div>
                        <dt>"Registration"</dt>
                        <dd>{registration}</dd>
                    </div>
                </dl>
            </header>

            <section aria-labelledby="register-heading">
                <h2 id="register-heading">"Registration"</h2>
                <FormMessages state />
                <p>{counts}</p>
                {action}
                {organizer_links}
            </section>

            {attendance_section}

            <section aria-labelledby="sessions-heading">
                <h2 id="sessions-heading">{if sessions.len() == 1 { "Session" } else { "Sessions" }}</h2>
                <p class="hint">{zone_note}</p>
                <ol class="sessions">
                    {sessions
                        .into_iter()
                        .map(|s| {
                            let state = if s.cancelled {
                                " (cancelled)"
                            } else if s.past {
                                " (held)"
                            } else {
                                ""
                            };
                            view! {
                                <li>
                                    <strong>{format!("{}{state}", s.when)}</strong>
                                    <br />
                                    <span class="hint">{format!("{} · {} minutes", s.utc, s.minutes)}</span>
                                </li>
                            }
                        })
                        .collect_view()}
                </ol>
            </section>

            <section aria-labelledby="objectives-heading">
                <h2 id="objectives-heading">"Learning objectives"</h2>
                <p>"After this activity, you will be able to:"</p>
                <ul class="objectives">
                    {detail.objectives.into_iter().map(|o| view! { <li>{o}</li> }).collect_view()}
                </ul>
            </section>

            <section aria-labelledby="disclosure-heading">
                <h2 id="disclosure-heading">"Presenters, planners and disclosures"</h2>
                <ul class="faculty">
                    {people.into_iter().map(|person| view! { <FacultyItem person /> }).collect_view()}
                </ul>
            </section>

            <section aria-labelledby="credit-heading">
                <h2 id="credit-heading">"Credit and accreditation"</h2>
                <CreditList credits=detail.credits />
                <p>{format!("Credit for attending: {}.", detail.attendance)}</p>
                <h3>"Accreditation statement"</h3>
                <p>{detail.accreditation_statement}</p>
                <h3>"Credit designation statement"</h3>
                <p>{detail.designation_statement}</p>
            </section>

            <section class="overview" aria-labelledby="about-heading">
                <h2 id="about-heading">"About this webinar"</h2>
                <div class="prose" inner_html=detail.description_html></div>
            </section>
        </article>
    }
}
