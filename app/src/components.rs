//! Pieces shared by several pages: the site header and footer, course cards, credit lists,
//! the error panel that also sets the response status, and [`Loaded`], the one way a page
//! waits for its data.

use crate::catalog::{CourseCard, Credit};
use crate::error::AppError;
use crate::response::set_status;
use leptos::prelude::*;
use leptos_meta::Title;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// A page's data, then the page: `page(data)` once `resource` resolves, or the error panel
/// (which sets the response's status). Routes render with `SsrMode::Async`, so the first
/// response is already the whole page; `loading` only shows while a client-side navigation
/// waits. `nested` when the page has its own `<h1>` around this.
#[component]
pub fn Loaded<T, V, P>(
    resource: Resource<Result<T, AppError>>,
    page: P,
    #[prop(optional)] nested: bool,
    #[prop(optional)] loading: Option<&'static str>,
) -> impl IntoView
where
    T: Clone + Send + Sync + Serialize + DeserializeOwned + 'static,
    V: IntoView + 'static,
    P: Fn(T) -> V + Clone + Send + Sync + 'static,
{
    view! {
        <Suspense fallback=move || loading.map(|text| view! { <p>{text}</p> })>
            {move || {
                let page = page.clone();
                Suspend::new(async move {
                    match resource.await {
                        Ok(data) => page(data).into_any(),
                        Err(error) => view! { <ErrorPanel error nested /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
pub fn SiteHeader() -> impl IntoView {
    let viewer = Resource::new(|| (), |()| crate::accounts::api::current_viewer());
    view! {
        <header class="site-header">
            <a class="brand" href="/">
                <span class="brand-mark" aria-hidden="true">"GR"</span>
                "Grand Rounds"
            </a>
            <nav aria-label="Main">
                <ul>
                    <li>
                        <a href="/courses">"Courses"</a>
                    </li>
                    <li>
                        <a href="/webinars">"Webinars"</a>
                    </li>
                    <Suspense fallback=|| ()>
                        {move || Suspend::new(async move {
                            match viewer.await {
                                Ok(Some(viewer)) => {
                                    let admin = (viewer.role == crate::accounts::Role::Admin)
                                        .then(|| view! {
                                            <li>
                                                <a href="/admin">"Admin"</a>
                                            </li>
                                            <li>
                                                <a href="/admin/users">"Users"</a>
                                            </li>
                                            <li>
                                                <a href="/admin/certificates">"Certificates"</a>
                                            </li>
                                            <li>
                                                <a href="/admin/reports">"Reports"</a>
                                            </li>
                                        });
                                    let studio = matches!(
                                        viewer.role,
                                        crate::accounts::Role::Admin | crate::accounts::Role::Educator
                                    )
                                    .then(|| view! {
                                        <li>
                                            <a href="/studio">"Studio"</a>
                                        </li>
                                    });
                                    view! {
                                        {admin}
                                        {studio}
                                        <li>
                                            <a href="/learning">"My learning"</a>
                                        </li>
                                        <li>
                                            <a href="/transcript">"Transcript"</a>
                                        </li>
                                        <li>
                                            <a href="/account" title=format!("Signed in as {}", viewer.name)>
                                                "Account"
                                            </a>
                                        </li>
                                    }
                                        .into_any()
                                }
                                _ => {
                                    view! {
                                        <li>
                                            <a href="/login">"Sign in"</a>
                                        </li>
                                        <li>
                                            <a href="/register">"Register"</a>
                                        </li>
                                    }
                                        .into_any()
                                }
                            }
                        })}
                    </Suspense>
                </ul>
            </nav>
        </header>
    }
}

/// On every page while a rehearsal clock runs (`serve --clock`): the site is not on today's
/// time, and everything that depends on time (registration windows, join links, reminders)
/// follows the rehearsal.
#[component]
pub fn RehearsalBanner() -> impl IntoView {
    let clock = Resource::new(|| (), |()| crate::catalog::api::rehearsal_clock());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                clock.await.ok().flatten().map(|started| view! {
                    <p class="rehearsal-banner" role="note">
                        <strong>"Rehearsal clock. "</strong>
                        {format!("This site's time started at {started} and runs on from there; registration windows, join links and reminders follow it, not today's date.")}
                    </p>
                })
            })}
        </Suspense>
    }
}

#[component]
pub fn SiteFooter() -> impl IntoView {
    view! {
        <footer class="site-footer">
            <p>
                "Grand Rounds is continuing education for health workers. "
                "Course content supports, and never replaces, clinical judgement."
            </p>
        </footer>
    }
}

/// "1 AMA PRA Category 1 Credit™ · 1 Nursing contact hours"
#[component]
pub fn CreditList(credits: Vec<Credit>) -> impl IntoView {
    view! {
        <ul class="credits">
            {credits
                .into_iter()
                .map(|credit| {
                    view! {
                        <li>
                            <strong>{credit.max_hours.to_string()}</strong>
                            " "
                            {credit.kind.label()}
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}

#[component]
pub fn CourseCardView(card: CourseCard) -> impl IntoView {
    let href = format!("/courses/{}", card.slug);
    let professions = card
        .professions
        .iter()
        .map(|p| p.label())
        .collect::<Vec<_>>()
        .join(", ");
    view! {
        <article class="course-card">
            <h3>
                <a href=href>{card.title}</a>
            </h3>
            <p>{card.summary}</p>
            <dl class="facts">
                <div>
                    <dt>"For"</dt>
                    <dd>{professions}</dd>
                </div>
                <div>
                    <dt>"Time"</dt>
                    <dd>{format!("About {} minutes, {} lessons", card.estimated_minutes, card.lesson_count)}</dd>
                </div>
                <div>
                    <dt>"Credit"</dt>
                    <dd>
                        <CreditList credits=card.credits />
                    </dd>
                </div>
            </dl>
        </article>
    }
}

/// A grid of course cards (home page and catalog).
#[component]
pub fn CourseGrid(cards: Vec<CourseCard>) -> impl IntoView {
    view! {
        <div class="card-grid">
            {cards.into_iter().map(|card| view! { <CourseCardView card /> }).collect_view()}
        </div>
    }
}

/// Shows an error and gives the response the matching status. `nested` when the page
/// already has its own `<h1>`.
#[component]
pub fn ErrorPanel(error: AppError, #[prop(optional)] nested: bool) -> impl IntoView {
    set_status(error.status());
    let heading = match &error {
        AppError::NotFound(_) => "Not found",
        AppError::Validation { .. } => "Please check your request",
        AppError::Unauthorized => "Sign-in needed",
        AppError::Forbidden => "Not allowed",
        _ => "Something went wrong",
    };
    let title = (!nested).then(|| view! { <Title text=heading /> });
    let heading = if nested {
        view! { <h2>{heading}</h2> }.into_any()
    } else {
        view! { <h1>{heading}</h1> }.into_any()
    };
    view! {
        {title}
        <section class="error-panel" role="alert">
            {heading}
            <p>{error.to_string()}</p>
            <p>
                <a href="/courses">"Browse the course catalog"</a>
            </p>
        </section>
    }
}
