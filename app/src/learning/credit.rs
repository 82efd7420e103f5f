//! `/learning/{course}/credit`: what completion still needs, the evaluation form (Likert
//! statements, the commitment-to-change question, comments) and the credit claim.

use crate::catalog::Hours;
use crate::components::Loaded;
use crate::forms::FormMessages;
use crate::forms::FormState;
use crate::learning::api::credit_page;
use crate::learning::evaluation::EvaluationForm;
use crate::learning::{ClaimOption, CreditPage, Enrollment};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn CreditRoute() -> impl IntoView {
    let params = use_params_map();
    let data = Resource::new(
        move || params.with(|p| p.get("course").unwrap_or_default()),
        credit_page,
    );
    view! {
        <Loaded resource=data loading="Loading…" page=move |page| view! { <CreditView page /> } />
    }
}

fn done(flag: bool) -> &'static str {
    if flag { "Done" } else { "Not yet" }
}

#[component]
fn CreditView(page: CreditPage) -> impl IntoView {
    let CreditPage {
        enrollment,
        statements,
        claim_options,
        claim_blocked,
        claims,
        recorded_minutes,
        evaluation_state,
        claim_state,
    } = page;
    let course = enrollment.course_slug.clone();
    let title = enrollment.course_title.clone();
    let evaluation_open = enrollment.evaluation_open;
    let evaluation = if enrollment.evaluated {
        view! {
            <FormMessages state=evaluation_state />
            <p>"Your evaluation is submitted. Thank you."</p>
        }
        .into_any()
    } else if evaluation_open {
        view! {
            <EvaluationForm
                action="/learning/evaluation"
                hidden=vec![("course", course.clone())]
                statements
                after="as a result of this course"
                submit="Submit the evaluation"
                messages=true
                state=evaluation_state
            />
        }
        .into_any()
    } else {
        view! {
            <FormMessages state=evaluation_state />
            <p>"The evaluation opens when you have completed every lesson and passed the post-test."</p>
        }
        .into_any()
    };
    let claim = if !claims.is_empty() {
        view! {
            <FormMessages state=claim_state />
            <ul class="claims">
                {claims
                    .into_iter()
                    .map(|c| {
                        view! {
                            <li>
                                <strong>{format!("{} {}", c.hours, c.kind.label())}</strong>
                                {format!(
                                    ", claimed {}; completed {} (course revision {}). ",
                                    c.claimed_on,
                                    c.completed_on,
                                    c.revision,
                                )}
                                {c
                                    .certificate
                                    .map(|code| {
                                        view! {
                                            <a class="button" href=format!("/certificates/{code}")>
                                                "View your certificate"
                                            </a>
                                        }
                                    })}
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            <p class="hint">"Your certificate was issued from this claim."</p>
        }
        .into_any()
    } else if let Some(reason) = claim_blocked {
        view! {
            <FormMessages state=claim_state />
            <p>{reason}</p>
        }
        .into_any()
    } else {
        view! { <ClaimForm course=course.clone() options=claim_options recorded_minutes state=claim_state /> }
            .into_any()
    };
    view! {
        <Title text=format!("Completion and credit · {title}") />
        <nav class="breadcrumbs" aria-label="Breadcrumb">
            <ol>
                <li>
                    <a href="/learning">"My learning"</a>
                </li>
                <li>
                    <a href=format!("/courses/{course}")>{title.clone()}</a>
                </li>
                <li aria-current="page">"Completion and credit"</li>
            </ol>
        </nav>
        <h1>{format!("Completion and credit: {title}")}</h1>
        <Checklist enrollment />
        <section aria-labelledby="evaluation-heading">
            <h2 id="evaluation-heading">"Evaluation"</h2>
            {evaluation}
        </section>
        <section aria-labelledby="claim-heading">
            <h2 id="claim-heading">"Claim credit"</h2>
            {claim}
        </section>
    }
}

#[component]
fn Checklist(enrollment: Enrollment) -> impl IntoView {
    let course = enrollment.course_slug.clone();
    let post = if !enrollment.has_post_test {
        "This course has no post-test.".to_owned()
    } else {
        match (enrollment.post_passed, enrollment.post_score) {
            (true, Some(score)) => format!("Done: best score {score} %"),
            (false, Some(score)) => format!("Not yet: best score so far {score} %"),
            _ => "Not yet taken".to_owned(),
        }
    };
    view! {
        <section aria-labelledby="checklist-heading">
            <h2 id="checklist-heading">"What credit requires"</h2>
            <dl class="facts checklist">
                <div>
                    <dt>"Complete every lesson"</dt>
                    <dd>
                        {format!(
                            "{}: {} of {}",
                            done(enrollment.lessons_done),
                            enrollment.lessons_completed,
                            enrollment.lessons_total,
                        )}
                    </dd>
                </div>
                <div>
                    <dt>
                        <a href=format!("/learning/{course}/quiz/post-test")>"Pass the post-test"</a>
                    </dt>
                    <dd>{post}</dd>
                </div>
                <div>
                    <dt>"Submit the evaluation"</dt>
                    <dd>{done(enrollment.evaluated)}</dd>
                </div>
            </dl>
        </section>
    }
}

#[component]
fn ClaimForm(
    course: String,
    options: Vec<ClaimOption>,
    recorded_minutes: Option<u32>,
    state: FormState,
) -> impl IntoView {
    let guide = recorded_minutes.map(|minutes| {
        format!(
            "For reference, {minutes} minutes passed between opening your first lesson and completing the course (that includes any breaks)."
        )
    });
    view! {
        <form method="post" action="/learning/claim" class="claim">
            <input type="hidden" name="course" value=course />
            <FormMessages state=state.clone() />
            <p>
                "Claim only the time you actually spent on the activity, in quarter hours, up to the maximum the course designates."
            </p>
            {guide.map(|g| view! { <p class="hint">{g}</p> })}
            {options
                .into_iter()
                .map(|option| {
                    let name = format!("hours-{}", option.kind.slug());
                    let id = format!("field-{name}");
                    let error = state.error(&name);
                    let has_error = error.is_some();
                    let chosen = state.value(&name).unwrap_or_default();
                    view! {
                        <div class="field" class:has-error=has_error>
                            <label for=id.clone()>
                                {format!("{} (at most {})", option.kind.label(), option.max_hours)}
                            </label>
                            {error.map(|e| view! { <p class="field-error">{e}</p> })}
                            <select id=id name=name required=true>
                                <option value="">"Choose hours"</option>
                                {(1..=option.max_hours.quarters)
                                    .map(|q| {
                                        let hours = Hours::from_quarters(q).to_string();
                                        let selected = chosen == hours;
                                        view! {
                                            <option value=hours.clone() selected=selected>
                                                {hours.clone()}
                                            </option>
                                        }
                                    })
                                    .collect_view()}
                            </select>
                        </div>
                    }
                })
                .collect_view()}
            {state
                .value("attest-hours")
                .map(|hours| {
                    let error = state.error("attest");
                    view! {
                        <div class="field checkbox has-error">
                            {error.map(|e| view! { <p class="field-error" id="field-attest-error">{e}</p> })}
                            <input
                                type="checkbox"
                                id="field-attest"
                                name="attest"
                                value=hours.clone()
                                aria-describedby="field-attest-error"
                            />
                            <label for="field-attest">
                                {format!("I attest that I spent {hours} hours on this activity.")}
                            </label>
                        </div>
                    }
                })}
            <button type="submit">"Claim credit"</button>
        </form>
    }
}
