//! `/`: what Grand Rounds is, and the featured courses.

use crate::catalog::CourseCard;
use crate::catalog::api::list_courses;
use crate::components::{CourseGrid, Loaded};
use leptos::prelude::*;
use leptos_meta::{Meta, Title};

#[component]
pub fn HomePage() -> impl IntoView {
    let courses = Resource::new(|| (), |()| list_courses(None, None));
    let featured = |cards: Vec<CourseCard>| {
        let featured: Vec<_> = if cards.iter().any(|c| c.featured) {
            cards.into_iter().filter(|c| c.featured).collect()
        } else {
            cards
        };
        view! { <CourseGrid cards=featured /> }
    };
    view! {
        <Title text="" />
        <Meta name="description" content=crate::shell::SITE_DESCRIPTION />
        <section class="hero">
            <h1>"Continuing education for the whole care team"</h1>
            <p class="lead">
                "Grand Rounds offers accredited courses and "
                <a href="/webinars">"live webinars"</a>
                " for physicians, nurses, "
                "pharmacists and community health workers. Every page is light enough for a phone "
                "on a weak rural connection, and works without JavaScript."
            </p>
            <p>
                <a class="button" href="/courses">"Browse all courses"</a>
                " "
                <a class="button secondary" href="/webinars">"See live webinars"</a>
            </p>
        </section>
        <section aria-labelledby="featured-heading">
            <h2 id="featured-heading">"Featured courses"</h2>
            <Loaded resource=courses loading="Loading courses…" nested=true page=featured />
        </section>
        <section aria-labelledby="how-heading">
            <h2 id="how-heading">"How credit works"</h2>
            <ol class="steps">
                <li>"Read the learning objectives, the faculty disclosures and the accreditation statements."</li>
                <li>"Work through the lessons at your own pace, on any device."</li>
                <li>"Pass the post-test and complete the evaluation."</li>
                <li>"Claim the credit for the time you spent, up to the maximum, and download your certificate."</li>
            </ol>
        </section>
    }
}
