//! `/webinars/{webinar}/attendance` for its organizers and administrators: per session the
//! attendees with their minutes and eligibility (and a CSV), the code windows, the report
//! import with its preview, the ledger with corrections; and `/webinars/{webinar}/code`, the
//! code in large type for screen sharing. Every action is a plain form.

use crate::accounts::api::form_state;
use crate::attendance::api::{webinar_attendance, webinar_code};
use crate::attendance::{AttendancePage, CodeScreen, ImportPreview, SessionAttendance};
use crate::components::Loaded;
use crate::error::AppError;
use crate::forms::{Field, FormMessages, FormState};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

/// The forms' states, one per form on the page.
#[derive(Clone, Default, serde::Serialize, serde::Deserialize)]
struct States {
    codes: FormState,
    import: FormState,
    correct: FormState,
}

#[component]
pub fn AttendanceRoute() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let data = Resource::new(
        move || {
            (
                params.with(|p| p.get("webinar").unwrap_or_default()),
                query.with(|q| {
                    q.get("ledger")
                        .and_then(|n| n.parse::<u32>().ok())
                        .unwrap_or(1)
                }),
            )
        },
        |(slug, ledger)| async move {
            let page = webinar_attendance(slug, ledger).await?;
            let states = States {
                codes: form_state("attendance-codes".into()).await?,
                import: form_state("attendance-import".into()).await?,
                correct: form_state("attendance-correct".into()).await?,
            };
            Ok::<_, AppError>((page, states))
        },
    );
    view! { <Loaded resource=data page=move |(page, states)| view! { <Attendance page states /> } /> }
}

#[component]
fn Attendance(page: AttendancePage, states: States) -> impl IntoView {
    let AttendancePage {
        slug,
        title,
        zone,
        sessions,
        ledger_page,
        ledger_page_size,
        preview,
    } = page;
    let States {
        codes,
        import,
        correct,
    } = states;
    let running = sessions.iter().any(|s| s.running);
    let session_choice = sessions
        .iter()
        .map(|s| (s.number, s.when.clone()))
        .collect::<Vec<_>>();
    let chosen_session = import.value("session");
    let zone_value = import.value("zone").unwrap_or_else(|| zone.clone());
    view! {
        <Title text=format!("Attendance: {title}") />
        <h1>{format!("Attendance: {title}")}</h1>
        <p>
            <a href=format!("/webinars/{slug}/attendance.csv")>"Download attendance as CSV"</a>
            " · "
            <a href=format!("/webinars/{slug}/registrations")>"Registrations"</a>
            " · "
            <a href=format!("/webinars/{slug}")>"The webinar's page"</a>
        </p>

        <section aria-labelledby="codes">
            <h2 id="codes">"Attendance codes"</h2>
            <FormMessages state=codes.clone() />
            {if running {
                view! {
                    <p>"Show a code in the session; learners with a seat type it on the webinar's page while it is shown."</p>
                    <form method="post" action="/webinars/attendance/codes">
                        <input type="hidden" name="webinar" value=slug.clone() />
                        <Field
                            name="minutes"
                            label="Minutes the code is shown"
                            kind="number"
                            value=codes.value("minutes").unwrap_or_else(|| "5".into())
                            error=codes.error("minutes")
                            required=true
                            inputmode="numeric"
                        />
                        <button type="submit">"Show a new code"</button>
                    </form>
                    <p><a href=format!("/webinars/{slug}/code")>"The code being shown, in large type"</a></p>
                }
                    .into_any()
            } else {
                view! { <p>"Codes can be shown during a session, from 15 minutes before it starts to its end."</p> }.into_any()
            }}
        </section>

        <section aria-labelledby="import">
            <h2 id="import">"Import a participant report"</h2>
            <p>
                "Upload the file Zoom, Teams or BigBlueButton exported (or a CSV with email, join and leave columns). "
                "You see what it would add, row by row, before anything is written."
            </p>
            <FormMessages state=import.clone() />
            <form method="post" action="/webinars/attendance/import" enctype="multipart/form-data">
                <input type="hidden" name="webinar" value=slug.clone() />
                <input type="hidden" name="action" value="preview" />
                <div class="field" class:has-error=import.error("session").is_some()>
                    <label for="field-session">"Session"</label>
                    {import.error("session").map(|e| view! { <p class="field-error">{e}</p> })}
                    <select id="field-session" name="session">
                        {session_choice
                            .into_iter()
                            .map(|(number, when)| {
                                let selected = chosen_session.as_deref() == Some(number.to_string().as_str());
                                view! { <option value=number.to_string() selected=selected>{format!("Session {number}: {when}")}</option> }
                            })
                            .collect_view()}
                    </select>
                </div>
                <Field
                    name="zone"
                    label="Time zone of the times in the file"
                    value=zone_value
                    error=import.error("zone")
                    hint="An IANA name such as America/Chicago; times with their own offset keep it."
                    required=true
                />
                <div class="field" class:has-error=import.error("file").is_some()>
                    <label for="field-file">"Report file"</label>
                    {import.error("file").map(|e| view! { <p class="field-error" id="field-file-error">{e}</p> })}
                    <input id="field-file" name="file" type="file" accept=".csv,.txt,.tsv,text/csv,text/plain" />
                </div>
                <button type="submit">"Preview the import"</button>
            </form>
            {preview.map(|preview| view! { <Preview preview /> })}
        </section>

        {sessions
            .into_iter()
            .map(|session| view! { <Session slug=slug.clone() session correct=correct.clone() ledger_page ledger_page_size /> })
            .collect_view()}
    }
}

#[component]
fn Preview(preview: ImportPreview) -> impl IntoView {
    let ImportPreview {
        id,
        slug,
        session,
        session_time,
        zone,
        file_name,
        sha256,
        format,
        rows_read,
        accepted,
        to_confirm,
        problems,
        accepted_not_shown,
        others_not_shown,
        rows,
    } = preview;
    let can_write = accepted + to_confirm > 0;
    view! {
        <section aria-labelledby="preview" class="preview">
            <h3 id="preview">{format!("Preview: {file_name}")}</h3>
            <p>
                {format!(
                    "Read as a {format}, times in {zone}, for session {session} ({session_time}): {rows_read} rows, {accepted} to add, {to_confirm} matched by name only, {problems} with a problem (not added; listed with the import)."
                )}
            </p>
            {(to_confirm > 0).then(|| view! {
                <p>
                    "A row without an email is matched by the name the learner registered with, and only as a suggestion: check the account's email beside it and tick each row that is the same person. Rows left unticked are not written."
                </p>
            })}
            <form method="post" action="/webinars/attendance/import" enctype="multipart/form-data">
                <input type="hidden" name="webinar" value=slug.clone() />
                <input type="hidden" name="preview" value=id.to_string() />
                <input type="hidden" name="sha256" value=sha256.clone() />
                <div class="table-scroll">
                    <table class="preview">
                        <caption class="visually-hidden">"Every row to confirm or with a problem, and the first rows to add"</caption>
                        <thead>
                            <tr>
                                <th scope="col">"Line"</th>
                                <th scope="col">"Name in the file"</th>
                                <th scope="col">"Email"</th>
                                <th scope="col">"Learner"</th>
                                <th scope="col">"Joined"</th>
                                <th scope="col">"Left"</th>
                                <th scope="col">"Counts"</th>
                                <th scope="col">"Problem or match"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {rows
                                .into_iter()
                                .map(|row| {
                                    let problem = row.problem.clone();
                                    let has_problem = problem.is_some();
                                    let line = row.line;
                                    let what = match (problem, row.to_confirm, row.confirm_user) {
                                        (Some(problem), _, _) => view! { <span>{problem}</span> }.into_any(),
                                        (None, Some(account), Some(user)) => {
                                            let box_id = format!("confirm-{line}");
                                            view! {
                                                <input type="checkbox" name="confirm" value=format!("{line}:{user}") id=box_id.clone() />
                                                " "
                                                <label for=box_id>{format!("Same person as the account {account}: write this row")}</label>
                                            }
                                                .into_any()
                                        }
                                        (None, _, _) => view! { <span>"none: will be added"</span> }.into_any(),
                                    };
                                    view! {
                                        <tr class:problem=has_problem>
                                            <td>{line.to_string()}</td>
                                            <td>{row.name}</td>
                                            <td>{row.email}</td>
                                            <td>{row.learner.unwrap_or_default()}</td>
                                            <td>{row.joined}</td>
                                            <td>{row.left}</td>
                                            <td>
                                                {row.counted.unwrap_or_default()}
                                                {row.note.map(|n| view! { <br /><span class="hint">{n}</span> })}
                                            </td>
                                            <td>{what}</td>
                                        </tr>
                                    }
                                })
                                .collect_view()}
                        </tbody>
                    </table>
                </div>
                {(accepted_not_shown > 0).then(|| view! { <p>{format!("And {accepted_not_shown} more rows to add, not listed.")}</p> })}
                {(others_not_shown > 0).then(|| view! { <p>{format!("And {others_not_shown} more rows with a problem or matched by name only, not listed: they are skipped with their reason.")}</p> })}
                {can_write.then(|| view! {
                    <button type="submit" name="action" value="write">
                        {format!(
                            "Write {accepted} {}{} to the ledger",
                            if accepted == 1 { "row" } else { "rows" },
                            if to_confirm > 0 { " and the rows ticked" } else { "" }
                        )}
                    </button>
                    " "
                })}
                <button type="submit" name="action" value="discard" class="secondary">"Discard this preview"</button>
            </form>
        </section>
    }
}

#[component]
fn Session(
    slug: String,
    session: SessionAttendance,
    correct: FormState,
    ledger_page: u32,
    ledger_page_size: u32,
) -> impl IntoView {
    let SessionAttendance {
        number,
        when,
        rule,
        registered,
        attended,
        eligible,
        attendees,
        evidence,
        evidence_total,
        evidence_from,
        imports,
        windows,
        running: _,
        started,
    } = session;
    let heading = format!("session-{number}");
    let labelled = heading.clone();
    view! {
        <section aria-labelledby=labelled>
            <h2 id=heading>{format!("Session {number}: {when}")}</h2>
            <p>{format!("{rule}. {registered} with a seat, {attended} with recorded time, {eligible} eligible for credit.")}</p>
            {if !started {
                view! { <p>"Not started yet."</p> }.into_any()
            } else {
                view! {
                    <div class="table-scroll">
                        <table>
                            <caption>{format!("Learners, session {number}")}</caption>
                            <thead>
                                <tr>
                                    <th scope="col">"Name"</th>
                                    <th scope="col">"Email"</th>
                                    <th scope="col">"Seat"</th>
                                    <th scope="col">"Time attended"</th>
                                    <th scope="col">"By source"</th>
                                    <th scope="col">"Eligible"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {attendees
                                    .into_iter()
                                    .map(|a| view! {
                                        <tr>
                                            <td>{a.name}</td>
                                            <td>{a.email}</td>
                                            <td>{a.status}</td>
                                            <td>{a.total}</td>
                                            <td>{a.per_source}</td>
                                            <td>{if a.eligible { "yes".to_owned() } else { format!("no: {}", a.why.unwrap_or_default()) }}</td>
                                        </tr>
                                    })
                                    .collect_view()}
                            </tbody>
                        </table>
                    </div>
                }
                    .into_any()
            }}
            {(!windows.is_empty()).then(|| view! {
                <h3>{format!("Codes shown in session {number}")}</h3>
                <ul>
                    {windows
                        .into_iter()
                        .map(|w| view! { <li>{format!("{}: {}{}, entered by {}", w.code, w.shown, if w.open { " (shown now)" } else { "" }, w.entered)}</li> })
                        .collect_view()}
                </ul>
            })}
            {(!imports.is_empty()).then(|| view! {
                <h3>{format!("Reports imported for session {number}")}</h3>
                <ul>
                    {imports
                        .into_iter()
                        .map(|i| {
                            let href = format!("/webinars/{slug}/attendance/files/{}", i.sha256);
                            view! {
                                <li>
                                    <a href=href>{i.file_name.clone()}</a>
                                    {format!(" ({}), imported {} by {}: {} rows read, {} added, {} skipped. SHA-256 {}", i.format, i.imported, i.by, i.rows_read, i.rows_added, i.skipped.len(), i.sha256)}
                                    {(!i.skipped.is_empty()).then(|| view! {
                                        <ul>
                                            {i.skipped.into_iter().map(|(line, why)| view! { <li>{format!("line {line}: {why}")}</li> }).collect_view()}
                                        </ul>
                                    })}
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            })}
            {(evidence_total > 0).then(|| {
                let shown = i64::try_from(evidence.len()).unwrap_or(0);
                let last = evidence_from + shown - 1;
                let pages = (evidence_total + i64::from(ledger_page_size) - 1) / i64::from(ledger_page_size.max(1));
                let previous = (ledger_page > 1).then(|| format!("/webinars/{slug}/attendance?ledger={}#ledger-{number}", ledger_page - 1));
                let next = (i64::from(ledger_page) < pages).then(|| format!("/webinars/{slug}/attendance?ledger={}#ledger-{number}", ledger_page + 1));
                let paging = (pages > 1).then(|| view! {
                    <nav aria-label=format!("Pages of the ledger, session {number}")>
                        <p>
                            {if shown > 0 {
                                format!("Rows {evidence_from} to {last} of {evidence_total} (page {ledger_page} of {pages}). ")
                            } else {
                                format!("No rows on page {ledger_page}: the ledger has {evidence_total} rows on {pages} pages. ")
                            }}
                            {previous.map(|href| view! { <a href=href rel="prev">"Earlier rows"</a> " " })}
                            {next.map(|href| view! { <a href=href rel="next">"Later rows"</a> })}
                        </p>
                    </nav>
                });
                view! {
                <h3 id=format!("ledger-{number}")>{format!("Ledger, session {number}")}</h3>
                {paging}
                <div class="table-scroll">
                    <table>
                        <caption class="visually-hidden">{format!("Every current row of evidence, session {number}")}</caption>
                        <thead>
                            <tr>
                                <th scope="col">"Row"</th>
                                <th scope="col">"Learner"</th>
                                <th scope="col">"Source"</th>
                                <th scope="col">"Covers"</th>
                                <th scope="col">"Recorded"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {evidence
                                .into_iter()
                                .map(|e| view! {
                                    <tr>
                                        <td>{e.id.to_string()}</td>
                                        <td>{e.learner}</td>
                                        <td>{e.source}{e.reason.map(|r| format!(" ({r})"))}</td>
                                        <td>{e.interval}</td>
                                        <td>{e.recorded}</td>
                                    </tr>
                                })
                                .collect_view()}
                        </tbody>
                    </table>
                </div>
                <CorrectionForm slug=slug.clone() number state=correct.clone() />
                }
            })}
        </section>
    }
}

#[component]
fn CorrectionForm(slug: String, number: u32, state: FormState) -> impl IntoView {
    let id = |name: &str| format!("correct-{number}-{name}");
    let shown_here = state.value("session").as_deref() == Some(number.to_string().as_str());
    let state = if shown_here {
        state
    } else {
        FormState::default()
    };
    let error = |field: &str| state.error(field);
    view! {
        <form method="post" action="/webinars/attendance/correct" class="correction">
            <fieldset>
                <legend>{format!("Correct a row of session {number}")}</legend>
                <FormMessages state=state.clone() />
                <input type="hidden" name="webinar" value=slug />
                <input type="hidden" name="session" value=number.to_string() />
                <p class="hint">"The row stays in the ledger; the correction supersedes it, with your reason."</p>
                <label for=id("row")>"Row number"</label>
                {error("row").map(|e| view! { <p class="field-error">{e}</p> })}
                <input id=id("row") name="row" type="text" inputmode="numeric" value=state.value("row").unwrap_or_default() />
                <label for=id("join")>"Joined (local date and time, e.g. 2031-03-04T09:05:00; empty to withdraw the row)"</label>
                {error("join").map(|e| view! { <p class="field-error">{e}</p> })}
                <input id=id("join") name="join" type="text" value=state.value("join").unwrap_or_default() />
                <label for=id("leave")>"Left"</label>
                {error("leave").map(|e| view! { <p class="field-error">{e}</p> })}
                <input id=id("leave") name="leave" type="text" value=state.value("leave").unwrap_or_default() />
                <label for=id("reason")>"Reason"</label>
                {error("reason").map(|e| view! { <p class="field-error">{e}</p> })}
                <input id=id("reason") name="reason" type="text" maxlength="500" value=state.value("reason").unwrap_or_default() />
                <button type="submit" class="secondary">"Add the correction"</button>
            </fieldset>
        </form>
    }
}

#[component]
pub fn CodeRoute() -> impl IntoView {
    let params = use_params_map();
    let data = Resource::new(
        move || params.with(|p| p.get("webinar").unwrap_or_default()),
        |slug| async move {
            let page = webinar_code(slug).await?;
            let state = form_state("attendance-code".into()).await?;
            Ok::<_, AppError>((page, state))
        },
    );
    view! { <Loaded resource=data page=move |(page, state)| view! { <Code page state /> } /> }
}

#[component]
fn Code(page: CodeScreen, state: FormState) -> impl IntoView {
    let CodeScreen {
        slug,
        title,
        code,
        until,
        running,
    } = page;
    view! {
        <Title text=format!("Attendance code: {title}") />
        <h1>{format!("Attendance code: {title}")}</h1>
        <FormMessages state />
        {match code {
            Some(code) => view! {
                <p class="attendance-code" aria-label=format!("The code is {}", code.chars().map(String::from).collect::<Vec<_>>().join(" "))>{code.clone()}</p>
                <p class="lead">{format!("Type it on the webinar's page at grand rounds, under \"Attendance\". Shown until {}.", until.unwrap_or_default())}</p>
            }
                .into_any(),
            None => view! { <p>"No code is being shown now."</p> }.into_any(),
        }}
        {running.then(|| view! {
            <form method="post" action="/webinars/attendance/codes">
                <input type="hidden" name="webinar" value=slug.clone() />
                <input type="hidden" name="minutes" value="5" />
                <button type="submit" class="secondary">"Show a new code for 5 minutes"</button>
            </form>
        })}
        <p><a href=format!("/webinars/{slug}/attendance")>"Back to attendance"</a></p>
    }
}
