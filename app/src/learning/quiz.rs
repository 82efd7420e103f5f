//! `/learning/{course}/quiz/{kind}`: taking a pre- or post-test (a plain form: radio buttons
//! for one answer, checkboxes for "select all that apply"), and
//! `/learning/{course}/quiz/{kind}/{number}`: a submitted attempt with the answers, the
//! correct ones and the explanations.

use crate::components::Loaded;
use crate::forms::FormMessages;
use crate::forms::FormState;
use crate::learning::api::{attempt_result, quiz_page};
use crate::learning::{AttemptResult, AttemptSummary, QuestionView, QuizKind, QuizPage, QuizPlace};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn QuizRoute() -> impl IntoView {
    let params = use_params_map();
    let data = Resource::new(
        move || {
            params.with(|p| {
                (
                    p.get("course").unwrap_or_default(),
                    p.get("kind").unwrap_or_default(),
                )
            })
        },
        |(course, kind)| quiz_page(course, kind),
    );
    view! {
        <Loaded resource=data loading="Loading the quiz…" page=move |page| view! { <QuizView page /> } />
    }
}

#[component]
pub fn QuizView(page: QuizPage) -> impl IntoView {
    let QuizPage {
        place,
        kind,
        pass_mark,
        max_attempts,
        attempts,
        token,
        closed_reason,
        questions,
        state,
    } = page;
    let intro = match kind {
        QuizKind::Pre => "This pre-test records what you know before the course. It does not count towards credit, and you will see your answers afterwards.".to_owned(),
        QuizKind::Post => format!(
            "Answer every question, then submit. You need {pass_mark} % to pass; you have {max_attempts} {} in all. Questions with checkboxes may have more than one correct answer: choose all that apply.",
            if max_attempts == 1 { "attempt" } else { "attempts" }
        ),
    };
    let course_title = place.title.clone();
    let body = match token {
        Some(token) => {
            let attempt = attempts.len() + 1;
            view! {
                <form method="post" action=place.action.clone() class="quiz">
                    <input type="hidden" name="token" value=token />
                    <p class="hint">{format!("Attempt {attempt} of {max_attempts}")}</p>
                    <FormMessages state=state.clone() />
                    <ol class="questions">
                        {questions
                            .into_iter()
                            .enumerate()
                            .map(|(index, question)| {
                                view! { <QuestionField index question state=state.clone() /> }
                            })
                            .collect_view()}
                    </ol>
                    <button type="submit">"Submit answers"</button>
                </form>
            }
            .into_any()
        }
        None => view! {
            <FormMessages state />
            <p class="notice" role="status">
                {closed_reason.unwrap_or_default()}
            </p>
            <p>
                <a href=place.credit_href.clone()>{place.credit_label.clone()}</a>
            </p>
        }
        .into_any(),
    };
    view! {
        <Title text=format!("{} · {course_title}", kind.label()) />
        <nav class="breadcrumbs" aria-label="Breadcrumb">
            <ol>
                <li>
                    <a href=place.crumb.1.clone()>{place.crumb.0.clone()}</a>
                </li>
                <li>
                    <a href=place.activity_href.clone()>{course_title.clone()}</a>
                </li>
                <li aria-current="page">{kind.label()}</li>
            </ol>
        </nav>
        <h1>{format!("{}: {course_title}", kind.label())}</h1>
        <p class="lead">{intro}</p>
        <PastAttempts quiz_href=place.quiz_href.clone() kind attempts />
        {body}
    }
}

#[component]
fn PastAttempts(quiz_href: String, kind: QuizKind, attempts: Vec<AttemptSummary>) -> impl IntoView {
    (!attempts.is_empty()).then(|| {
        view! {
            <section aria-labelledby="attempts-heading">
                <h2 id="attempts-heading">"Your attempts"</h2>
                <ul class="attempts">
                    {attempts
                        .into_iter()
                        .map(|a| {
                            let href = format!("{quiz_href}/{}", a.number);
                            let verdict = match (kind, a.passed) {
                                (QuizKind::Pre, _) => "baseline",
                                (QuizKind::Post, true) => "passed",
                                (QuizKind::Post, false) => "not passed",
                            };
                            view! {
                                <li>
                                    <a href=href>{format!("Attempt {}", a.number)}</a>
                                    {format!(": {} % ({verdict}), {}", a.percent, a.submitted_on)}
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </section>
        }
    })
}

#[component]
fn QuestionField(index: usize, question: QuestionView, state: FormState) -> impl IntoView {
    let QuestionView {
        id,
        prompt,
        body_html,
        multiple,
        options,
    } = question;
    let name = format!("q-{id}");
    let error = state.error(&name);
    let error_id = format!("{name}-error");
    let kind = if multiple { "checkbox" } else { "radio" };
    let has_error = error.is_some();
    let say_multiple = multiple && !prompt.to_lowercase().contains("select all");
    view! {
        <li>
            <fieldset
                class="question"
                class:has-error=has_error
                id=name.clone()
                aria-describedby=has_error.then(|| error_id.clone())
            >
                <legend>
                    <span class="question-number">{format!("Question {}", index + 1)}</span>
                    " "
                    {prompt}
                    {say_multiple.then_some(" (select all that apply)")}
                </legend>
                {(!body_html.is_empty())
                    .then(|| view! { <div class="prose" inner_html=body_html></div> })}
                {error.map(|e| view! { <p class="field-error" id=error_id.clone()>{e}</p> })}
                {options
                    .into_iter()
                    .map(|(option, text)| {
                        let checked = state.has_value(&name, &option);
                        view! {
                            <label class="option">
                                <input
                                    type=kind
                                    name=name.clone()
                                    value=option
                                    checked=checked
                                    required=!multiple
                                />
                                " "
                                {text}
                            </label>
                        }
                    })
                    .collect_view()}
            </fieldset>
        </li>
    }
}

#[component]
pub fn AttemptRoute() -> impl IntoView {
    let params = use_params_map();
    let data = Resource::new(
        move || {
            params.with(|p| {
                (
                    p.get("course").unwrap_or_default(),
                    p.get("kind").unwrap_or_default(),
                    p.get("number").unwrap_or_default(),
                )
            })
        },
        |(course, kind, number)| attempt_result(course, kind, number),
    );
    view! {
        <Loaded resource=data loading="Loading your result…" page=move |result| view! { <AttemptView result /> } />
    }
}

#[component]
pub fn AttemptView(result: AttemptResult) -> impl IntoView {
    let AttemptResult {
        place,
        kind,
        number,
        correct,
        total,
        percent,
        pass_mark,
        passed,
        submitted_on,
        can_retry,
        key_shown,
        questions,
    } = result;
    let verdict = match (kind, passed) {
        (QuizKind::Pre, _) => {
            "This is your baseline; the post-test at the end shows how far you came.".to_owned()
        }
        (QuizKind::Post, true) => format!("Passed: the pass mark is {pass_mark} %."),
        (QuizKind::Post, false) => format!("Not passed: the pass mark is {pass_mark} %."),
    };
    let QuizPlace {
        title: course_title,
        noun,
        activity_href,
        quiz_href,
        credit_href,
        passed_label,
        crumb,
        ..
    } = place;
    let next = match (kind, passed, can_retry) {
        (QuizKind::Post, true, _) => view! {
            <a class="button" href=credit_href>
                {passed_label}
            </a>
        }
        .into_any(),
        (QuizKind::Post, false, true) => view! {
            <a class="button" href=quiz_href.clone()>"Try the post-test again"</a>
        }
        .into_any(),
        _ => view! { <a class="button" href=activity_href.clone()>{format!("Back to {noun}")}</a> }
            .into_any(),
    };
    view! {
        <Title text=format!("{} result · {course_title}", kind.label()) />
        <nav class="breadcrumbs" aria-label="Breadcrumb">
            <ol>
                <li>
                    <a href=crumb.1>{crumb.0}</a>
                </li>
                <li>
                    <a href=activity_href>{course_title.clone()}</a>
                </li>
                <li>
                    <a href=quiz_href>{kind.label()}</a>
                </li>
                <li aria-current="page">{format!("Attempt {number}")}</li>
            </ol>
        </nav>
        <h1>{format!("{}, attempt {number}: {percent} %", kind.label())}</h1>
        <p class="lead result" class:passed=passed>
            {format!("{correct} of {total} correct, submitted {submitted_on}. ")}
            {verdict}
        </p>
        <p>{next}</p>
        <h2>"Your answers"</h2>
        {(!key_shown)
            .then(|| {
                view! {
                    <p class="notice">
                        "Each question says whether your answer was right. The correct answers and the explanations appear once you pass, or when no attempt is left, so that every attempt is a fair test."
                    </p>
                }
            })}
        <ol class="questions graded">
            {questions
                .into_iter()
                .map(|q| {
                    view! {
                        <li class:correct=q.is_correct>
                            <h3>
                                {q.prompt}
                                <span class="verdict">
                                    {if q.is_correct { " (correct)" } else { " (incorrect)" }}
                                </span>
                            </h3>
                            {(!q.body_html.is_empty())
                                .then(|| view! { <div class="prose" inner_html=q.body_html></div> })}
                            <ul class="graded-options">
                                {q
                                    .options
                                    .into_iter()
                                    .map(|o| {
                                        let marks = match (o.chosen, o.correct) {
                                            (true, Some(true)) => "your answer, correct",
                                            (true, Some(false)) => "your answer, incorrect",
                                            (true, None) => "your answer",
                                            (false, Some(true)) => "correct answer",
                                            (false, _) => "",
                                        };
                                        let right = o.correct == Some(true);
                                        view! {
                                            <li class:chosen=o.chosen class:right=right>
                                                {o.text}
                                                {(!marks.is_empty())
                                                    .then(|| view! { <strong class="mark">{format!(" ({marks})")}</strong> })}
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                            {q
                                .explanation_html
                                .map(|html| {
                                    view! {
                                        <div class="explanation prose">
                                            <p class="explanation-label">"Why"</p>
                                            <div inner_html=html></div>
                                        </div>
                                    }
                                })}
                        </li>
                    }
                })
                .collect_view()}
        </ol>
    }
}
