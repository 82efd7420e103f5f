//! `/learning`: the signed-in learner's courses, their progress and what is next; and the
//! enrollment panel of a course page.

use crate::accounts::api::{current_viewer, form_state};
use crate::components::Loaded;
use crate::error::AppError;
use crate::forms::FormMessages;
use crate::forms::FormState;
use crate::learning::Enrollment;
use crate::learning::api::{course_enrollment, my_enrollments};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn LearningPage() -> impl IntoView {
    let data = Resource::new(
        || (),
        |()| async {
            let enrollments = my_enrollments().await?;
            let state = form_state("learning".into()).await?;
            Ok::<_, AppError>((enrollments, state))
        },
    );
    let enrollments_list = |(enrollments, state): (Vec<Enrollment>, FormState)| {
        if enrollments.is_empty() {
            return view! {
                <FormMessages state />
                <p class="empty">
                    "You are not enrolled in any course yet. "
                    <a href="/courses">"Find a course"</a>
                </p>
            }
            .into_any();
        }
        view! {
            <FormMessages state />
            <ul class="enrollments">
                {enrollments
                    .into_iter()
                    .map(|enrollment| view! { <li><EnrollmentSummary enrollment heading=true /></li> })
                    .collect_view()}
            </ul>
        }
        .into_any()
    };
    view! {
        <Title text="My learning" />
        <h1>"My learning"</h1>
        <Loaded resource=data nested=true page=enrollments_list />
    }
}

#[component]
fn EnrollmentSummary(enrollment: Enrollment, #[prop(optional)] heading: bool) -> impl IntoView {
    let complete = enrollment.complete;
    let lessons_done = enrollment.lessons_done;
    let Enrollment {
        course_slug,
        course_title,
        revision,
        latest_revision,
        lessons_total,
        lessons_completed,
        next_lesson,
        enrolled_on,
        has_pre_test,
        has_post_test,
        pre_score,
        post_score,
        post_passed,
        claimed_on,
        ..
    } = enrollment;
    let title = heading.then(|| {
        view! {
            <h2>
                <a href=format!("/courses/{course_slug}")>{course_title.clone()}</a>
            </h2>
        }
    });
    let quiz = |kind: &str| format!("/learning/{course_slug}/quiz/{kind}");
    let credit = format!("/learning/{course_slug}/credit");
    // The one thing to do next, in the order the course is meant to be taken.
    let next = if has_pre_test
        && pre_score.is_none()
        && lessons_completed == 0
        && let Some(lesson) = next_lesson.clone()
    {
        view! {
            <p>
                <a class="button" href=quiz("pre-test")>"Take the pre-test"</a>
                " "
                <span class="hint">"It records where you start; it does not count towards credit."</span>
            </p>
            <p>
                "Or go straight to the lessons: "
                <a href=format!("/courses/{course_slug}/{}", lesson.slug)>
                    {format!("Continue: {}", lesson.title)}
                </a>
            </p>
        }
        .into_any()
    } else if let Some(lesson) = next_lesson {
        view! {
            <p>
                <a class="button" href=format!("/courses/{course_slug}/{}", lesson.slug)>
                    {format!("Continue: {}", lesson.title)}
                </a>
            </p>
        }
        .into_any()
    } else if has_post_test && !post_passed {
        view! {
            <p>
                "All lessons complete. "
                <a class="button" href=quiz("post-test")>"Take the post-test"</a>
            </p>
        }
        .into_any()
    } else if claimed_on.is_none() {
        let label = if complete {
            "Claim your credit"
        } else {
            "Evaluation and credit"
        };
        view! {
            <p>
                {if lessons_done { "All lessons complete. " } else { "" }}
                <a class="button" href=credit.clone()>{label}</a>
            </p>
        }
        .into_any()
    } else {
        view! {
            <p>
                {format!("Completed; credit claimed on {}. ", claimed_on.clone().unwrap_or_default())}
                <a href=credit.clone()>"See your claim"</a>
            </p>
        }
        .into_any()
    };
    let scores = (pre_score.is_some() || post_score.is_some()).then(|| {
        let show =
            |score: Option<u8>| score.map_or_else(|| "not taken".to_owned(), |s| format!("{s} %"));
        view! {
            <p class="scores">
                {format!(
                    "Pre-test {} · post-test {}{}",
                    show(pre_score),
                    show(post_score),
                    if post_passed { " (passed)" } else { "" },
                )}
            </p>
        }
    });
    let newer = (latest_revision > revision).then(|| {
        let note = format!(
            "A newer version of this course (revision {latest_revision}) is published. You continue on revision {revision}, the one you enrolled on."
        );
        let offer = (!post_passed && claimed_on.is_none()).then(|| {
            view! {
                <form method="post" action="/learning/switch" class="inline-form">
                    <input type="hidden" name="course" value=course_slug.clone() />
                    <button type="submit" class="secondary">
                        {format!("Switch to revision {latest_revision}")}
                    </button>
                    " "
                    <span class="hint">
                        "Completed lessons that are still in the course stay complete; quiz attempts stay with the revision they were taken on."
                    </span>
                </form>
            }
        });
        view! {
            <div class="newer-revision">
                <p class="hint">{note}</p>
                {offer}
            </div>
        }
    });
    view! {
        <article class="enrollment">
            {title}
            <p>
                <progress max=lessons_total.to_string() value=lessons_completed.to_string()>
                    {format!("{lessons_completed} of {lessons_total}")}
                </progress>
                " "
                {format!("{lessons_completed} of {lessons_total} lessons complete · enrolled {enrolled_on}")}
            </p>
            {scores}
            {next}
            <p class="quiz-links">
                {has_pre_test.then(|| view! { <a href=quiz("pre-test")>"Pre-test"</a> " · " })}
                {has_post_test.then(|| view! { <a href=quiz("post-test")>"Post-test"</a> " · " })}
                <a href=credit.clone()>"Completion and credit"</a>
            </p>
            {newer}
        </article>
    }
}

/// What a course page shows about the reader's enrollment, fetched with the course so the
/// page renders from one piece of data.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct EnrollmentView {
    pub signed_in: bool,
    pub enrollment: Option<Enrollment>,
    pub state: crate::forms::FormState,
}

/// Fetches [`EnrollmentView`] for a course.
pub async fn enrollment_view(course: String) -> Result<EnrollmentView, AppError> {
    let signed_in = current_viewer().await?.is_some();
    let (enrollment, state) = if signed_in {
        (
            course_enrollment(course).await?,
            form_state("learning".into()).await?,
        )
    } else {
        (None, crate::forms::FormState::default())
    };
    Ok(EnrollmentView {
        signed_in,
        enrollment,
        state,
    })
}

/// On a course page: enroll, or the learner's progress.
#[component]
pub fn EnrollmentPanel(course: String, view: EnrollmentView) -> impl IntoView {
    let EnrollmentView {
        signed_in,
        enrollment,
        state,
    } = view;
    let body = match (signed_in, enrollment) {
        (false, _) => view! {
            <p>
                <a href=format!("/login?next=/courses/{course}")>"Sign in"</a>
                " or "
                <a href="/register">"create an account"</a>
                " to enroll and earn credit."
            </p>
        }
        .into_any(),
        (true, Some(enrollment)) => view! {
            <FormMessages state />
            <EnrollmentSummary enrollment />
        }
        .into_any(),
        (true, None) => view! {
            <FormMessages state />
            <form method="post" action="/learning/enroll">
                <input type="hidden" name="course" value=course />
                <button type="submit">"Enroll in this course"</button>
            </form>
        }
        .into_any(),
    };
    view! {
        <section class="enrollment-panel" aria-labelledby="enroll-heading">
            <h2 id="enroll-heading">"Your progress"</h2>
            {body}
        </section>
    }
}
