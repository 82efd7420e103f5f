//! `/admin`: the administrators' console. Links to every section (users, certificates,
//! reports, the export) and the latest entries of the audit log, so a change that matters to
//! credit (a role, a learner's profession just before a claim, a revocation) is in view.

use crate::components::Loaded;
use crate::reports::AdminConsole;
use crate::reports::api::admin_console;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AdminConsoleRoute() -> impl IntoView {
    let data = Resource::new(|| (), |()| admin_console());
    view! {
        <Title text="Administration" />
        <h1>"Administration"</h1>
        <nav aria-label="Administration">
            <ul class="admin-sections">
                <li>
                    <a href="/admin/users">"Users and roles"</a>
                    " — invite someone, find an account, change a role."
                </li>
                <li>
                    <a href="/admin/outbox">"Outbox"</a>
                    " — mail queued, sent and failed; retry a failed message."
                </li>
                <li>
                    <a href="/admin/certificates">"Certificates"</a>
                    " — issue by hand or in bulk, revoke, reissue."
                </li>
                <li>
                    <a href="/admin/reports">"Accreditation reports"</a>
                    " — completions by activity and period."
                </li>
                <li>
                    <a href="/admin/export.csv">"Export every completion (CSV)"</a>
                    " — consenting learners only; the download is audited."
                </li>
            </ul>
        </nav>
        <Loaded resource=data loading="Loading the audit log…" nested=true page=move |console| view! { <AuditLog console /> } />
    }
}

#[component]
fn AuditLog(console: AdminConsole) -> impl IntoView {
    view! {
        <section aria-labelledby="audit-heading">
            <h2 id="audit-heading">"Audit log"</h2>
            <p class="hint">"The latest 100 entries, newest first. Entries are never edited or removed."</p>
            {if console.audit.is_empty() {
                view! { <p>"Nothing has been recorded yet."</p> }.into_any()
            } else {
                view! {
                    <div class="table-scroll">
                        <table>
                            <thead>
                                <tr>
                                    <th scope="col">"When (UTC)"</th>
                                    <th scope="col">"Who"</th>
                                    <th scope="col">"What"</th>
                                    <th scope="col">"About"</th>
                                    <th scope="col">"Detail"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {console
                                    .audit
                                    .into_iter()
                                    .map(|entry| {
                                        view! {
                                            <tr>
                                                <td>
                                                    <time datetime=entry.at.clone()>{entry.at.clone()}</time>
                                                </td>
                                                <td>{entry.actor}</td>
                                                <td>{entry.action}</td>
                                                <td>{entry.target}</td>
                                                <td>{entry.detail}</td>
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
        </section>
    }
}
