//! The learner's part of a webinar's attendance: on the webinar page, the steps to credit
//! for a session they attended (the evaluation, the post-test, the claim, the claim made);
//! and the webinar's post-test at `/webinars/{webinar}/post-test`, on the course quiz's page.

use crate::components::Loaded;
use crate::forms::FormState;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// The learner's next step after an eligible session, on the webinar's page: the evaluation
/// form, the post-test (when the webinar has one), the claim form, or the certificate claimed.
#[component]
pub fn LearnerCredit(
    slug: String,
    session: u32,
    step: crate::attendance::CreditStep,
    evaluation: FormState,
    claim: FormState,
) -> impl IntoView {
    use crate::attendance::CreditStep;
    use crate::learning::evaluation::EvaluationForm;
    match step {
        CreditStep::Evaluate { statements } => view! {
            <EvaluationForm
                action="/webinars/attendance/evaluate"
                hidden=vec![("webinar", slug), ("session", session.to_string())]
                heading=format!("Evaluate session {session}")
                statements
                after="after this session"
                submit="Send the evaluation"
                state=evaluation
            />
        }
            .into_any(),
        CreditStep::PostTest {
            href,
            closed: Some(reason),
            ..
        } => view! {
            <h4>"Post-test"</h4>
            <p class="notice">
                {format!("{reason} The post-test was not passed, so credit for this webinar cannot be claimed. If you think this is wrong, write to the webinar's organizers.")}
            </p>
            <p>
                <a href=href>"Your post-test attempts"</a>
            </p>
        }
            .into_any(),
        CreditStep::PostTest {
            href,
            pass_mark,
            questions,
            closed: None,
        } => view! {
            <h4>"Post-test"</h4>
            <p>
                {format!("Your evaluation is recorded. Before you claim credit, pass this webinar's post-test: {questions} {}, pass mark {pass_mark} %.", if questions == 1 { "question" } else { "questions" })}
            </p>
            <p>
                <a class="button" href=href>"Take the post-test"</a>
            </p>
        }
            .into_any(),
        CreditStep::Claim {
            field,
            credit,
            max_hours,
            attended_hours,
            cap,
        } => {
            let id = format!("field-{field}");
            let error = claim.error(&field);
            let value = claim.value(&field).unwrap_or_else(|| cap.clone());
            view! {
                <form method="post" action="/webinars/attendance/claim" class="claim">
                    <h4>{format!("Claim credit for session {session}")}</h4>
                    <input type="hidden" name="webinar" value=slug />
                    <input type="hidden" name="session" value=session.to_string() />
                    <p class="hint">
                        {format!("The webinar offers up to {max_hours} hours of {credit}; your recorded attendance is {attended_hours} hours in whole quarter hours. Claim up to {cap}, in steps of 0.25, only what matches your participation.")}
                    </p>
                    <label for=id.clone()>{format!("Hours of {credit}")}</label>
                    {error.map(|e| view! { <p class="field-error">{e}</p> })}
                    <input id=id name=field type="text" inputmode="decimal" maxlength="6" value=value />
                    <button type="submit">"Claim and issue my certificate"</button>
                </form>
            }
                .into_any()
        }
        CreditStep::Claimed { code, hours, credit } => view! {
            <p class="notice">
                {format!("You claimed {hours} hours of {credit}. ")}
                <a href=format!("/certificates/{code}")>"Your certificate"</a>
                " (also on "
                <a href="/transcript">"your transcript"</a>
                ")."
            </p>
        }
            .into_any(),
        CreditStep::NoCredit => view! { <p>"This webinar offers no credit for your profession."</p> }.into_any(),
    }
}

/// `/webinars/{webinar}/post-test`: the webinar's post-test, on the course quiz's page.
#[component]
pub fn PostTestRoute() -> impl IntoView {
    let params = use_params_map();
    let data = Resource::new(
        move || params.with(|p| p.get("webinar").unwrap_or_default()),
        crate::attendance::api::webinar_post_test,
    );
    view! {
        <Loaded resource=data loading="Loading the post-test…" page=move |page| view! { <crate::learning::quiz::QuizView page /> } />
    }
}

/// `/webinars/{webinar}/post-test/{number}`: a submitted attempt.
#[component]
pub fn PostTestAttemptRoute() -> impl IntoView {
    let params = use_params_map();
    let data = Resource::new(
        move || {
            params.with(|p| {
                (
                    p.get("webinar").unwrap_or_default(),
                    p.get("number").unwrap_or_default(),
                )
            })
        },
        |(slug, number)| crate::attendance::api::webinar_post_test_attempt(slug, number),
    );
    view! {
        <Loaded resource=data loading="Loading your result…" page=move |result| view! { <crate::learning::quiz::AttemptView result /> } />
    }
}
