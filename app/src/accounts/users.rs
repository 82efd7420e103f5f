//! `/admin/users`: administrators search and page through accounts and change roles.

use crate::accounts::api::{admin_users, form_state};
use crate::accounts::{Role, UserPage};
use crate::components::Loaded;
use crate::error::AppError;
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
            let state = form_state("admin-users".into()).await?;
            Ok::<_, AppError>((users, state))
        },
    );
    view! {
        <Title text="Users" />
        <h1>"Users"</h1>
        <Loaded resource=data nested=true page=move |(users, state)| view! { <UserList users state /> } />
    }
}

#[component]
fn UserList(users: UserPage, state: FormState) -> impl IntoView {
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
        <FormMessages state />
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
