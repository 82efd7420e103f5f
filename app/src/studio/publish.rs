//! `/studio/{kind}/{slug}/publish`, what publishing the draft changes against the live
//! revision (file by file, line by line) with the problems that hold it back, and
//! `/studio/{kind}/{slug}/history`, every revision with who published it and when, any of
//! which can be published again as a new one.

use crate::components::Loaded;
use crate::forms::FormMessages;
use crate::studio::api::{studio_history, studio_publish};
use crate::studio::draft::{Diffs, ProblemList, param};
use crate::studio::{HistoryPage, PublishPage};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn PublishRoute() -> impl IntoView {
    let (kind, slug) = (param("kind"), param("slug"));
    let data = Resource::new(
        move || (kind(), slug()),
        |(kind, slug)| studio_publish(kind, slug),
    );
    view! { <Loaded resource=data page=move |page| view! { <Publish page /> } /> }
}

#[component]
fn Publish(page: PublishPage) -> impl IntoView {
    let PublishPage {
        kind,
        slug,
        title,
        live,
        changes,
        problems,
        stamp,
        form,
    } = page;
    let base = format!("/studio/{kind}/{slug}");
    let blocked = !problems.is_empty();
    let nothing = changes.is_empty();
    view! {
        <Title text=format!("Publish: {title}") />
        <p><a href="/studio">"Studio"</a> " › " <a href=base.clone()>{title.clone()}</a></p>
        <h1>{format!("Publish: {title}")}</h1>
        <FormMessages state=form />
        <p>
            {match live {
                Some(n) => format!("Compared with the live revision ({n})."),
                None => "Never published: every file is new.".to_owned(),
            }}
        </p>
        {if blocked {
            view! {
                <section aria-labelledby="blocked">
                    <h2 id="blocked">"Not yet: content check refuses this draft"</h2>
                    <ProblemList problems with_file=true />
                    <p><a href=base.clone()>"Back to the draft's files"</a></p>
                </section>
            }
                .into_any()
        } else if nothing {
            view! { <p>"The draft is the same as the live revision: there is nothing to publish."</p> }.into_any()
        } else {
            view! {
                <form method="post" action="/studio/publish">
                    <input type="hidden" name="kind" value=kind.clone() />
                    <input type="hidden" name="slug" value=slug.clone() />
                    <input type="hidden" name="stamp" value=stamp />
                    <p>"Learners part-way through keep the revision they started; new learners get this one."</p>
                    <button type="submit">"Publish these changes"</button>
                </form>
            }
                .into_any()
        }}
        <section aria-labelledby="changes">
            <h2 id="changes">"Changes"</h2>
            {nothing.then(|| view! { <p>"None."</p> })}
            <Diffs changes />
        </section>
    }
}

#[component]
pub fn HistoryRoute() -> impl IntoView {
    let (kind, slug) = (param("kind"), param("slug"));
    let data = Resource::new(
        move || (kind(), slug()),
        |(kind, slug)| studio_history(kind, slug),
    );
    view! { <Loaded resource=data page=move |page| view! { <History page /> } /> }
}

#[component]
fn History(page: HistoryPage) -> impl IntoView {
    let HistoryPage {
        kind,
        slug,
        title,
        revisions,
        form,
    } = page;
    let base = format!("/studio/{kind}/{slug}");
    view! {
        <Title text=format!("History: {title}") />
        <p><a href="/studio">"Studio"</a> " › " <a href=base>{title.clone()}</a></p>
        <h1>{format!("History: {title}")}</h1>
        <FormMessages state=form />
        {if revisions.is_empty() {
            view! { <p>"Never published."</p> }.into_any()
        } else {
            view! {
                <div class="table-scroll">
                    <table>
                        <caption>"Revisions, newest first"</caption>
                        <thead>
                            <tr>
                                <th scope="col">"Revision"</th>
                                <th scope="col">"Published"</th>
                                <th scope="col">"By"</th>
                                <th scope="col">"Action"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {revisions
                                .into_iter()
                                .map(|revision| {
                                    let (kind, slug) = (kind.clone(), slug.clone());
                                    view! {
                                        <tr>
                                            <th scope="row">{revision.number}</th>
                                            <td>{revision.when}</td>
                                            <td>{revision.by}</td>
                                            <td>
                                                <a href=format!("/studio/{kind}/{slug}/files.zip?revision={}", revision.number)>
                                                    {format!("Files of revision {} (zip)", revision.number)}
                                                </a>
                                                " "
                                                {if revision.live {
                                                    view! { "Live" }.into_any()
                                                } else {
                                                    view! {
                                                        <form method="post" action="/studio/republish">
                                                            <input type="hidden" name="kind" value=kind />
                                                            <input type="hidden" name="slug" value=slug />
                                                            <input type="hidden" name="revision" value=revision.number.to_string() />
                                                            <button type="submit" aria-label=format!("Publish revision {} again", revision.number)>"Publish again"</button>
                                                        </form>
                                                    }
                                                        .into_any()
                                                }}
                                            </td>
                                        </tr>
                                    }
                                })
                                .collect_view()}
                        </tbody>
                    </table>
                </div>
            }
                .into_any()
        }}
    }
}
