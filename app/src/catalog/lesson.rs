//! `/courses/{course}/{lesson}`: the lesson body, its table of contents, previous and next.

use crate::catalog::LessonPage as Lesson;
use crate::catalog::api::get_lesson;
use crate::components::Loaded;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn LessonPage() -> impl IntoView {
    let params = use_params_map();
    let lesson = Resource::new(
        move || {
            params.with(|p| {
                (
                    p.get("course").unwrap_or_default(),
                    p.get("lesson").unwrap_or_default(),
                )
            })
        },
        |(course, lesson)| async move {
            let page = get_lesson(course.clone(), lesson.clone()).await?;
            let status = crate::learning::api::lesson_status(course, lesson).await?;
            Ok::<_, crate::error::AppError>((page, status))
        },
    );
    view! {
        <Loaded resource=lesson loading="Loading lesson…" page=move |(page, status)| view! { <LessonView page status /> } />
    }
}

#[component]
fn LessonView(page: Lesson, status: crate::learning::LessonStatus) -> impl IntoView {
    let course_href = format!("/courses/{}", page.course_slug);
    let link = |slug: &str| format!("/courses/{}/{}", page.course_slug, slug);
    let previous = page
        .previous
        .as_ref()
        .map(|l| (link(&l.slug), l.title.clone()));
    let next = page.next.as_ref().map(|l| (link(&l.slug), l.title.clone()));
    let has_toc = !page.toc.is_empty();
    view! {
        <Title text=format!("{} · {}", page.lesson.title, page.course_title) />
        <nav class="breadcrumbs" aria-label="Breadcrumb">
            <ol>
                <li>
                    <a href="/courses">"Courses"</a>
                </li>
                <li>
                    <a href=course_href>{page.course_title.clone()}</a>
                </li>
                <li aria-current="page">{format!("Lesson {}", page.lesson.position)}</li>
            </ol>
        </nav>
        <article class="lesson">
            <header>
                <p class="eyebrow">
                    {format!("Lesson {} of {}", page.lesson.position, page.lesson_count)}
                </p>
                <h1>{page.lesson.title.clone()}</h1>
            </header>
            {has_toc
                .then(|| {
                    view! {
                        <nav class="toc" aria-labelledby="toc-heading">
                            <h2 id="toc-heading">"On this page"</h2>
                            <ul>
                                {page
                                    .toc
                                    .iter()
                                    .map(|entry| {
                                        view! {
                                            <li class=format!("toc-level-{}", entry.level)>
                                                <a href=format!("#{}", entry.id)>{entry.text.clone()}</a>
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                        </nav>
                    }
                })}
            <div class="prose" inner_html=page.html.clone()></div>
        </article>
        <LessonProgress course=page.course_slug.clone() lesson=page.lesson.slug.clone() status />
        <nav class="pager" aria-label="Lessons">
            {previous
                .map(|(href, title)| {
                    view! {
                        <a class="pager-previous" href=href rel="prev">
                            <span class="pager-label">"Previous"</span>
                            <span>{title}</span>
                        </a>
                    }
                })}
            {next
                .map(|(href, title)| {
                    view! {
                        <a class="pager-next" href=href rel="next">
                            <span class="pager-label">"Next"</span>
                            <span>{title}</span>
                        </a>
                    }
                })}
        </nav>
    }
}

/// For enrolled learners: mark the lesson complete, or see that it is.
#[component]
fn LessonProgress(
    course: String,
    lesson: String,
    status: crate::learning::LessonStatus,
) -> impl IntoView {
    if status.completed {
        view! { <p class="notice lesson-done">"You completed this lesson."</p> }.into_any()
    } else if status.enrolled {
        view! {
            <form method="post" action="/learning/complete" class="lesson-complete">
                <input type="hidden" name="course" value=course />
                <input type="hidden" name="lesson" value=lesson />
                <button type="submit">"Mark this lesson complete"</button>
            </form>
        }
        .into_any()
    } else {
        ().into_any()
    }
}
