//! `/courses/{course}`: everything accreditation requires a learner to see before starting
//! (objectives, disclosures, credit and statements), then the lessons.

use crate::catalog::api::get_course;
use crate::catalog::{CourseDetail, FacultyMember};
use crate::components::{CreditList, Loaded};
use crate::learning::my_learning::{EnrollmentPanel, EnrollmentView, enrollment_view};
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_params_map;

#[component]
pub fn CoursePage() -> impl IntoView {
    let params = use_params_map();
    let course = Resource::new(
        move || params.with(|p| p.get("course").unwrap_or_default()),
        |slug| async move {
            let detail = get_course(slug.clone()).await?;
            let enrollment = enrollment_view(slug).await?;
            Ok::<_, crate::error::AppError>((detail, enrollment))
        },
    );
    view! {
        <Loaded resource=course loading="Loading course…" page=move |(detail, enrollment)| view! { <CourseOverview detail enrollment /> } />
    }
}

#[component]
fn CourseOverview(detail: CourseDetail, enrollment: EnrollmentView) -> impl IntoView {
    let CourseDetail {
        card,
        objectives,
        faculty,
        accreditation_statement,
        designation_statement,
        overview_html,
        lessons,
        test_out,
        recording,
        ..
    } = detail;
    let eyebrow = if recording.is_some() {
        "Recording of a live webinar (on demand)"
    } else {
        "Online course"
    };
    let recording_note = recording.map(|r| {
        view! {
            <p class="notice">
                {format!("The recording of a live webinar ({} minutes), an activity of its own with its own credit. Learners who claimed credit for the live session cannot claim it again for the recording. ", r.minutes)}
                <a href=r.video_url>"Watch the recording"</a>
                " · "
                <a href=format!("/webinars/{}", r.webinar)>"The live webinar"</a>
            </p>
        }
        .into_any()
    });
    let first_lesson = lessons
        .first()
        .map(|lesson| format!("/courses/{}/{}", card.slug, lesson.slug));
    let professions = card
        .professions
        .iter()
        .map(|p| p.label())
        .collect::<Vec<_>>()
        .join(", ");
    let slug = card.slug.clone();
    view! {
        <Title text=card.title.clone() />
        <Meta name="description" content=card.summary.clone() />
        <article class="course">
            <header class="course-header">
                <p class="eyebrow">{eyebrow}</p>
                <h1>{card.title.clone()}</h1>
                <p class="lead">{card.summary.clone()}</p>
                <dl class="facts">
                    <div>
                        <dt>"Intended for"</dt>
                        <dd>{professions}</dd>
                    </div>
                    <div>
                        <dt>"Estimated time"</dt>
                        <dd>{format!("{} minutes", card.estimated_minutes)}</dd>
                    </div>
                    <div>
                        <dt>"Released"</dt>
                        <dd>
                            <time datetime=card.release_date.clone()>{card.release_date.clone()}</time>
                        </dd>
                    </div>
                    <div>
                        <dt>"Credit available until"</dt>
                        <dd>
                            <time datetime=card.expiry_date.clone()>{card.expiry_date.clone()}</time>
                        </dd>
                    </div>
                </dl>
                {test_out
                    .then(|| {
                        view! {
                            <p class="notice">
                                "This course allows testing out: you may take the post-test without taking the pre-test or completing the lessons. Credit still needs a passed post-test and the evaluation."
                            </p>
                        }
                    })}
                {recording_note}
            </header>

            <section aria-labelledby="objectives-heading">
                <h2 id="objectives-heading">"Learning objectives"</h2>
                <p>"After completing this activity, you will be able to:"</p>
                <ul class="objectives">
                    {objectives.into_iter().map(|o| view! { <li>{o}</li> }).collect_view()}
                </ul>
            </section>

            <section aria-labelledby="disclosure-heading">
                <h2 id="disclosure-heading">"Faculty, planners and disclosures"</h2>
                <ul class="faculty">
                    {faculty.into_iter().map(|person| view! { <FacultyItem person /> }).collect_view()}
                </ul>
            </section>

            <section aria-labelledby="credit-heading">
                <h2 id="credit-heading">"Credit and accreditation"</h2>
                <CreditList credits=card.credits.clone() />
                <h3>"Accreditation statement"</h3>
                <p>{accreditation_statement}</p>
                <h3>"Credit designation statement"</h3>
                <p>{designation_statement}</p>
            </section>

            <section class="overview" aria-labelledby="about-heading">
                <h2 id="about-heading">"About this course"</h2>
                <div class="prose" inner_html=overview_html></div>
            </section>

            <EnrollmentPanel course=slug.clone() view=enrollment />

            <section aria-labelledby="lessons-heading">
                <h2 id="lessons-heading">"Lessons"</h2>
                <ol class="lesson-list">
                    {lessons
                        .into_iter()
                        .map(|lesson| {
                            let href = format!("/courses/{}/{}", slug, lesson.slug);
                            view! {
                                <li>
                                    <a href=href>{lesson.title}</a>
                                </li>
                            }
                        })
                        .collect_view()}
                </ol>
                {first_lesson
                    .map(|href| {
                        view! {
                            <p>
                                <a class="button" href=href>"Start the first lesson"</a>
                            </p>
                        }
                    })}
            </section>
        </article>
    }
}

#[component]
pub fn FacultyItem(person: FacultyMember) -> impl IntoView {
    let disclosure = match person.relationships {
        None => "No relevant financial relationships with ineligible companies.".to_owned(),
        Some(relationships) => relationships,
    };
    view! {
        <li>
            <strong>{person.name}</strong>
            ", "
            {person.role}
            <br />
            <span class="disclosure">{disclosure}</span>
        </li>
    }
}
