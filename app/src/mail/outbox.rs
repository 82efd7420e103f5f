//! `/admin/outbox`: every message the site queued, with its state: queued (and when the
//! next try is due), sent, or failed with the error of its last try, and a retry for a
//! failed one. Administrators only.

use crate::accounts::api::form_state;
use crate::components::Loaded;
use crate::error::AppError;
use crate::forms::{FormMessages, FormState};
use crate::mail::api::admin_outbox;
use crate::mail::{MailKind, MailStatus, OutboxPage};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn AdminOutboxPage() -> impl IntoView {
    let query = use_query_map();
    let data = Resource::new(
        move || {
            query.with(|q| {
                (
                    q.get("status"),
                    q.get("page").and_then(|p| p.parse::<u32>().ok()),
                )
            })
        },
        |(status, page)| async move {
            let outbox = admin_outbox(status, page).await?;
            let state = form_state("outbox".into()).await?;
            Ok::<_, AppError>((outbox, state))
        },
    );
    view! {
        <Title text="Outbox" />
        <h1>"Outbox"</h1>
        <Loaded resource=data nested=true page=move |(outbox, state)| view! { <Outbox outbox state /> } />
    }
}

#[component]
fn Outbox(outbox: OutboxPage, state: FormState) -> impl IntoView {
    let OutboxPage {
        queued,
        sent,
        failed,
        status,
        rows,
        page,
        pages,
        transport,
    } = outbox;
    let filter = |label: String, slug: &'static str, current: bool| {
        view! {
            <li>
                <a href=format!("/admin/outbox?status={slug}") aria-current=current.then_some("page")>
                    {label}
                </a>
            </li>
        }
    };
    let status_slug = status.map_or("all", MailStatus::as_str);
    let link = move |page: u32| format!("/admin/outbox?status={status_slug}&page={page}");
    let previous = (page > 1).then(|| link(page - 1));
    let next = (page < pages).then(|| link(page + 1));
    let empty = rows.is_empty();
    view! {
        <p>{format!("Messages go to {transport}.")}</p>
        <FormMessages state />
        <nav aria-label="Messages by status">
            <ul class="filters-list">
                {filter(format!("All ({})", queued + sent + failed), "all", status.is_none())}
                {filter(format!("Queued ({queued})"), "queued", status == Some(MailStatus::Queued))}
                {filter(format!("Sent ({sent})"), "sent", status == Some(MailStatus::Sent))}
                {filter(format!("Failed ({failed})"), "failed", status == Some(MailStatus::Failed))}
            </ul>
        </nav>
        {empty.then(|| view! { <p>"No messages here."</p> })}
        <div class="table-scroll" hidden=empty>
            <table class="outbox">
                <caption class="visually-hidden">{format!("Messages, page {page} of {pages}")}</caption>
                <thead>
                    <tr>
                        <th scope="col">"Queued at (UTC)"</th>
                        <th scope="col">"Message"</th>
                        <th scope="col">"To"</th>
                        <th scope="col">"State"</th>
                        <th scope="col">"Tries"</th>
                        <th scope="col">"Last error"</th>
                    </tr>
                </thead>
                <tbody>
                    {rows
                        .into_iter()
                        .map(|row| {
                            let kind = MailKind::from_slug(&row.kind).map_or(row.kind.clone(), |k| k.label().to_owned());
                            let state_text = match row.status {
                                MailStatus::Sent => format!("Sent {}", row.sent.clone().unwrap_or_default()),
                                MailStatus::Queued => format!("Queued, next try {}", row.next_attempt.clone().unwrap_or_default()),
                                MailStatus::Failed => "Failed".to_owned(),
                            };
                            let retry = (row.status == MailStatus::Failed).then(|| {
                                view! {
                                    <form method="post" action="/admin/outbox/retry" class="inline-form">
                                        <input type="hidden" name="id" value=row.id.to_string() />
                                        <button type="submit" aria-label=format!("Retry message {} to {}", row.id, row.recipient)>
                                            "Retry"
                                        </button>
                                    </form>
                                }
                            });
                            view! {
                                <tr>
                                    <td>{row.created}</td>
                                    <td>
                                        <strong>{kind}</strong>
                                        <br />
                                        {row.subject}
                                    </td>
                                    <td>{row.recipient.clone()}</td>
                                    <td>{state_text} {retry}</td>
                                    <td>{row.attempts}</td>
                                    <td>{row.last_error.unwrap_or_default()}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
        <nav class="pager" aria-label="Pages">
            {previous.map(|href| view! { <a href=href rel="prev">"Previous page"</a> })}
            {next.map(|href| view! { <a class="pager-next" href=href rel="next">"Next page"</a> })}
        </nav>
    }
}
