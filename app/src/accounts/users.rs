//! `/admin/users`: administrators search and page through accounts and change roles.

use crate::accounts::api::{admin_invitations, admin_users, form_state};
use crate::accounts::{InvitationRow, Role, UserPage};
use crate::components::Loaded;
use crate::error::AppError;
use crate::forms::Field;
use crate::forms::FormMessages;
use crate::forms::FormState;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn AdminUsersPage() -> impl IntoView {
    let query = use_query_map();
    let data = Resource::new(
        move || {
            query.with(|q| {
                (
                    q.get("q").unwrap_or_default(),
                    q.get("page")
                        .and_then(|p| p.parse::<u32>().ok())
                        .unwrap_or(1),
                )
            })
        },
        |(q, page)| async move {
            let users = admin_users(Some(q), Some(page)).await?;
            let invitations = admin_invitations().await?;
            let state = form_state("admin-users".into()).await?;
            Ok::<_, AppError>((users, invitations, state))
        },
    );
    view! {
        <Title text="Users" />
        <h1>"Users"</h1>
        <Loaded
            resource=data
            nested=true
            page=move |(users, invitations, state)| {
                view! {
                    <FormMessages state=state.clone() />
                    <Invitations invitations state />
                    <UserList users />
                }
            }
        />
    }
}

#[component]
fn Invitations(invitations: Vec<InvitationRow>, state: FormState) -> impl IntoView {
    let chosen = state
        .value("invite_role")
        .unwrap_or_else(|| "learner".into());
    let role_error = state.error("invite_role");
    view! {
        <section aria-labelledby="invite-heading">
            <h2 id="invite-heading">"Invite someone"</h2>
            <p>"They get a link by email, choose their own password and fill in their profile. The link works once, for 7 days."</p>
            <form method="post" action="/admin/users/invite" class="stacked" novalidate>
                <Field
                    name="invite_email"
                    label="Email"
                    kind="email"
                    value=state.value("invite_email").unwrap_or_default()
                    error=state.error("invite_email")
                    required=true
                    maxlength=254
                />
                <div class="field" class:has-error=role_error.is_some()>
                    <label for="field-invite_role">"Role"</label>
                    {role_error.clone().map(|error| view! { <p class="field-error" id="field-invite_role-error">{error}</p> })}
                    <select
                        id="field-invite_role"
                        name="invite_role"
                        aria-invalid=role_error.is_some().then_some("true")
                        aria-describedby=role_error.is_some().then_some("field-invite_role-error")
                    >
                        {Role::ALL
                            .into_iter()
                            .map(|role| view! { <option value=role.as_str() selected=chosen == role.as_str()>{role.label()}</option> })
                            .collect_view()}
                    </select>
                </div>
                <button type="submit">"Send the invitation"</button>
            </form>
            {(!invitations.is_empty()).then(|| view! {
                <h3>"Invitations"</h3>
                <div class="table-scroll">
                    <table class="invitations">
                        <thead>
                            <tr>
                                <th scope="col">"Email"</th>
                                <th scope="col">"Role"</th>
                                <th scope="col">"Invited by"</th>
                                <th scope="col">"Sent (UTC)"</th>
                                <th scope="col">"State"</th>
                                <th scope="col">"Actions"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {invitations
                                .into_iter()
                                .map(|row| {
                                    let id = row.id.to_string();
                                    let actions = row.open.then(|| view! {
                                        <form method="post" action="/admin/users/invitations/resend" class="inline-form">
                                            <input type="hidden" name="invitation_id" value=id.clone() />
                                            <button type="submit" aria-label=format!("Resend the invitation of {}", row.email)>"Resend"</button>
                                        </form>
                                        <form method="post" action="/admin/users/invitations/revoke" class="inline-form">
                                            <input type="hidden" name="invitation_id" value=id.clone() />
                                            <button type="submit" class="secondary" aria-label=format!("Revoke the invitation of {}", row.email)>"Revoke"</button>
                                        </form>
                                    });
                                    view! {
                                        <tr>
                                            <td>{row.email.clone()}</td>
                                            <td>{row.role.label()}</td>
                                            <td>{row.invited_by}</td>
                                            <td>{row.sent}</td>
                                            <td>{row.state}</td>
                                            <td>{actions}</td>
                                        </tr>
                                    }
                                })
                                .collect_view()}
                        </tbody>
                    </table>
                </div>
            })}
        </section>
    }
}

#[component]
fn UserList(users: UserPage) -> impl IntoView {
    let UserPage {
        users,
        total,
        page,
        per_page,
        query,
    } = users;
    let pages = total.div_ceil(per_page).max(1);
    let link = {
        let query = query.clone();
        move |page: u32| format!("/admin/users?q={}&page={page}", encode(&query))
    };
    let previous = (page > 1).then(|| link(page - 1));
    let next = (page < pages).then(|| link(page + 1));
    let page_text = page.to_string();
    view! {
        <form method="get" action="/admin/users" class="filters" role="search">
            <div class="field">
                <label for="user-search">"Search by name or email"</label>
                <input id="user-search" type="search" name="q" value=query.clone() maxlength="100" />
            </div>
            <button type="submit">"Search"</button>
        </form>
        <h2 class="result-count" id="results-heading">
            {format!("{total} account{}, page {page} of {pages}", if total == 1 { "" } else { "s" })}
        </h2>
        <div class="table-scroll">
            <table class="users">
                <thead>
                    <tr>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Email"</th>
                        <th scope="col">"Joined"</th>
                        <th scope="col">"Role"</th>
                    </tr>
                </thead>
                <tbody>
                    {users
                        .into_iter()
                        .map(|user| {
                            let select_id = format!("role-{}", user.id);
                            view! {
                                <tr>
                                    <td>{user.full_name.clone()}</td>
                                    <td>{user.email}</td>
                                    <td>{user.created}</td>
                                    <td>
                                        <form method="post" action="/admin/users/role" class="inline-form">
                                            <input type="hidden" name="user_id" value=user.id.to_string() />
                                            <input type="hidden" name="q" value=query.clone() />
                                            <input type="hidden" name="page" value=page_text.clone() />
                                            <label class="visually-hidden" for=select_id.clone()>
                                                {format!("Role of {}", user.full_name)}
                                            </label>
                                            <select id=select_id name="role">
                                                {Role::ALL
                                                    .into_iter()
                                                    .map(|role| {
                                                        view! {
                                                            <option value=role.as_str() selected=role == user.role>
                                                                {role.label()}
                                                            </option>
                                                        }
                                                    })
                                                    .collect_view()}
                                            </select>
                                            <button type="submit">"Save"</button>
                                        </form>
                                    </td>
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

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'@' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
