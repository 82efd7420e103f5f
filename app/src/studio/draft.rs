//! `/studio/{kind}/{slug}`, a draft's overview (its files and their problems, lessons added,
//! renamed, moved and removed, owners, discarding, the two doors' conflict), and
//! `/studio/{kind}/{slug}/files/{name}`, one file in a text area with its problems at their
//! lines and the preview learners will see.

use crate::components::Loaded;
use crate::forms::{Field, FormMessages};
use crate::studio::api::{studio_draft, studio_file};
use crate::studio::{DraftPage, FileDiff, FileEditor, Problem, QuizPreviewQuestion};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

pub(crate) fn param(name: &'static str) -> impl Fn() -> String + Copy {
    let params = use_params_map();
    move || params.with(|p| p.get(name).unwrap_or_default())
}

#[component]
pub fn DraftRoute() -> impl IntoView {
    let (kind, slug) = (param("kind"), param("slug"));
    let data = Resource::new(
        move || (kind(), slug()),
        |(kind, slug)| studio_draft(kind, slug),
    );
    view! { <Loaded resource=data page=move |page| view! { <Draft page /> } /> }
}

/// The hidden fields that name the activity a form acts on.
#[component]
fn Activity(kind: String, slug: String) -> impl IntoView {
    view! {
        <input type="hidden" name="kind" value=kind />
        <input type="hidden" name="slug" value=slug />
    }
}

#[component]
pub fn ProblemList(problems: Vec<Problem>, #[prop(optional)] with_file: bool) -> impl IntoView {
    (!problems.is_empty()).then(|| {
        view! {
            <ul class="problems">
                {problems
                    .into_iter()
                    .map(|p| {
                        let at = match (with_file, p.line) {
                            (true, Some(line)) => format!("{}, line {line}: ", p.file),
                            (true, None) => format!("{}: ", p.file),
                            (false, Some(line)) => format!("Line {line}: "),
                            (false, None) => String::new(),
                        };
                        view! { <li><strong>{at}</strong>{p.message}</li> }
                    })
                    .collect_view()}
            </ul>
        }
    })
}

#[component]
pub fn Diffs(changes: Vec<FileDiff>) -> impl IntoView {
    changes
        .into_iter()
        .map(|file| {
            let caption = format!("{} ({})", file.name, file.status);
            view! {
                <div class="table-scroll">
                    <table class="diff">
                        <caption>{caption}</caption>
                        <thead>
                            <tr>
                                <th scope="col">"Before"</th>
                                <th scope="col">"After"</th>
                                <th scope="col">"Change"</th>
                                <th scope="col">"Line"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {file
                                .lines
                                .into_iter()
                                .map(|line| {
                                    let (class, word) = match line.tag {
                                        '+' => ("added", "added"),
                                        '-' => ("removed", "removed"),
                                        _ => ("kept", ""),
                                    };
                                    view! {
                                        <tr class=class>
                                            <td>{line.old.map(|n| n.to_string())}</td>
                                            <td>{line.new.map(|n| n.to_string())}</td>
                                            <td>{word}</td>
                                            <td><code>{line.text}</code></td>
                                        </tr>
                                    }
                                })
                                .collect_view()}
                        </tbody>
                    </table>
                </div>
            }
        })
        .collect_view()
}

#[component]
fn Draft(page: DraftPage) -> impl IntoView {
    let DraftPage {
        kind,
        slug,
        title,
        state,
        last_edit,
        live,
        files,
        problems,
        owners,
        is_admin,
        conflict,
        lessons_form,
        owners_form,
        draft_form,
        images,
        images_form,
    } = page;
    let base = format!("/studio/{kind}/{slug}");
    let public = if kind == "webinar" {
        format!("/webinars/{slug}")
    } else {
        format!("/courses/{slug}")
    };
    let is_course = kind == "course";
    let problem_count = problems.len();
    view! {
        <Title text=format!("Studio: {title}") />
        <p><a href="/studio">"Studio"</a></p>
        <h1>{title.clone()}</h1>
        <p>
            <strong>{state}</strong>
            {live.map(|n| format!(" (live revision {n})"))}
            {(!last_edit.is_empty()).then(|| format!(". Last edit: {last_edit}."))}
        </p>
        <p>
            <a href=format!("{base}/details")>"Edit the details"</a>
            " · "
            <a href=format!("{base}/publish")>"Review and publish"</a>
            " · "
            <a href=format!("{base}/history")>"History"</a>
            " · "
            <a href=format!("{base}/files.zip")>"Download the files (zip)"</a>
            {live.map(|_| view! { " · " <a href=public.clone()>"The live page"</a> })}
        </p>
        <FormMessages state=draft_form.clone() />

        {conflict.map(|conflict| {
            let (kind, slug) = (kind.clone(), slug.clone());
            view! {
                <section aria-labelledby="doors" class="conflict">
                    <h2 id="doors">"The content/ folder changed too"</h2>
                    <p>
                        "This activity's files in the server's content/ folder changed while it was also published from the studio, "
                        "so they were not imported. Choose which side becomes the live revision. Nothing is lost: "
                        "the side not chosen stays in the folder or in the history."
                    </p>
                    <Diffs changes=conflict.changes />
                    <form method="post" action="/studio/doors">
                        <Activity kind=kind.clone() slug=slug.clone() />
                        <button type="submit" name="choice" value="folder">"Publish the folder's files"</button>
                        " "
                        <button type="submit" name="choice" value="studio">"Keep the studio's revision"</button>
                    </form>
                </section>
            }
        })}

        <section aria-labelledby="problems">
            <h2 id="problems">"Problems"</h2>
            {if problem_count == 0 {
                view! { <p>"None: content check accepts this draft."</p> }.into_any()
            } else {
                view! {
                    <p>{format!("{problem_count} problem(s) to fix before it can be published:")}</p>
                    <ProblemList problems with_file=true />
                }
                    .into_any()
            }}
        </section>

        <section aria-labelledby="files">
            <h2 id="files">"Files"</h2>
            <FormMessages state=lessons_form.clone() />
            <div class="table-scroll">
                <table>
                    <caption>"The draft's files, as content/ holds them"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"File"</th>
                            <th scope="col">"Part"</th>
                            <th scope="col">"Problems"</th>
                            <th scope="col">"Actions"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {files
                            .into_iter()
                            .map(|file| {
                                let edit = format!("{base}/files/{}", file.name);
                                let (kind, slug) = (kind.clone(), slug.clone());
                                view! {
                                    <tr>
                                        <th scope="row"><a href=edit>{file.name.clone()}</a></th>
                                        <td>{file.role.clone()}</td>
                                        <td>{file.problems}</td>
                                        <td>
                                            {file.lesson.map(|lesson| {
                                                let label = file.role.clone();
                                                view! {
                                                    <form method="post" action="/studio/lessons" class="inline">
                                                        <Activity kind=kind.clone() slug=slug.clone() />
                                                        <input type="hidden" name="lesson" value=lesson.clone() />
                                                        <button type="submit" name="action" value="up" aria-label=format!("Move {label} up")>"Up"</button>
                                                        " "
                                                        <button type="submit" name="action" value="down" aria-label=format!("Move {label} down")>"Down"</button>
                                                        " "
                                                        <button type="submit" name="action" value="remove" aria-label=format!("Remove {label}")>"Remove"</button>
                                                    </form>
                                                    <form method="post" action="/studio/lessons" class="inline">
                                                        <Activity kind=kind.clone() slug=slug.clone() />
                                                        <input type="hidden" name="lesson" value=lesson.clone() />
                                                        <input type="hidden" name="action" value="rename" />
                                                        <label for=format!("rename-{lesson}")>"New short name"</label>
                                                        " "
                                                        <input id=format!("rename-{lesson}") name="new_slug" value=lesson.clone() maxlength="80" />
                                                        " "
                                                        <button type="submit">"Rename"</button>
                                                    </form>
                                                }
                                            })}
                                        </td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            </div>
            {is_course.then(|| {
                let (kind, slug) = (kind.clone(), slug.clone());
                view! {
                    <h3>"Add a lesson"</h3>
                    <form method="post" action="/studio/lessons">
                        <Activity kind=kind slug=slug />
                        <input type="hidden" name="action" value="add" />
                        <Field name="title" label="Lesson title" value=lessons_form.value("title").unwrap_or_default() error=lessons_form.error("title") required=true maxlength=200 />
                        <Field
                            name="new_slug"
                            label="Short name"
                            hint="Lowercase letters, digits and single hyphens; it becomes the lesson's address."
                            value=lessons_form.value("new_slug").unwrap_or_default()
                            error=lessons_form.error("new_slug")
                            required=true
                            maxlength=80
                        />
                        <button type="submit">"Add the lesson"</button>
                    </form>
                }
            })}
            {
                let (kind, slug) = (kind.clone(), slug.clone());
                view! {
                    <h3>"Tests"</h3>
                    <form method="post" action="/studio/lessons">
                        <Activity kind=kind slug=slug />
                        <p>"Add a test file with an example question to replace (a test already there is kept)."</p>
                        {is_course.then(|| view! { <button type="submit" name="action" value="add-pre-test">"Add a pre-test"</button> " " })}
                        <button type="submit" name="action" value="add-post-test">"Add a post-test"</button>
                    </form>
                }
            }
        </section>

        <section aria-labelledby="images">
            <h2 id="images">"Images"</h2>
            <p>
                "PNG, JPEG or WebP, at most 5 MB and 6000 pixels a side. Each is written again from its pixels "
                "(camera, place and author details are not kept) and phones get a copy 640 pixels wide. "
                "Put one in a lesson with its line below; content check refuses an image without alt text."
            </p>
            <FormMessages state=images_form.clone() />
            {(!images.is_empty()).then(|| view! {
                <ul class="images">
                    {images
                        .into_iter()
                        .map(|image| view! {
                            <li>
                                <img src=image.thumbnail alt=image.alt.clone() loading="lazy" width="160" />
                                <p>{image.file_name} ", " {image.size}</p>
                                <p><code>{image.markdown}</code></p>
                            </li>
                        })
                        .collect_view()}
                </ul>
            })}
            <form method="post" action="/studio/images" enctype="multipart/form-data">
                <Activity kind=kind.clone() slug=slug.clone() />
                <Field
                    name="alt"
                    label="Alt text"
                    hint="What the image shows, for learners who cannot see it."
                    value=images_form.value("alt").unwrap_or_default()
                    error=images_form.error("alt")
                    required=true
                    maxlength=300
                />
                <div class="field" class:has-error=images_form.error("file").is_some()>
                    <label for="field-file">"Image file"</label>
                    {images_form.error("file").map(|e| view! { <p class="field-error" id="field-file-error">{e}</p> })}
                    <input id="field-file" name="file" type="file" accept=".png,.jpg,.jpeg,.webp,image/png,image/jpeg,image/webp" required />
                </div>
                <button type="submit">"Upload the image"</button>
            </form>
        </section>

        <section aria-labelledby="owners">
            <h2 id="owners">"Owners"</h2>
            <p>"Owners edit the draft and publish it; a webinar's owners are also its organizers. Administrators may do everything."</p>
            <FormMessages state=owners_form.clone() />
            {if owners.is_empty() {
                view! { <p>"No owner is named: only administrators can edit it."</p> }.into_any()
            } else {
                view! {
                    <ul>
                        {owners
                            .into_iter()
                            .map(|owner| {
                                let (kind, slug) = (kind.clone(), slug.clone());
                                let email = owner.email.clone();
                                view! {
                                    <li>
                                        {owner.email} " (" {owner.source} ")"
                                        {(is_admin && owner.removable).then(|| view! {
                                            <form method="post" action="/studio/owners" class="inline">
                                                <Activity kind=kind slug=slug />
                                                <input type="hidden" name="email" value=email.clone() />
                                                " "
                                                <button type="submit" name="action" value="remove" aria-label=format!("Remove {email} as an owner")>"Remove"</button>
                                            </form>
                                        })}
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
                    .into_any()
            }}
            {is_admin.then(|| {
                let (kind, slug) = (kind.clone(), slug.clone());
                view! {
                    <form method="post" action="/studio/owners">
                        <Activity kind=kind slug=slug />
                        <input type="hidden" name="action" value="add" />
                        <Field name="email" label="Name an owner (an educator's sign-in email)" kind="email" value=owners_form.value("email").unwrap_or_default() error=owners_form.error("email") required=true maxlength=254 />
                        <button type="submit">"Name the owner"</button>
                    </form>
                }
            })}
        </section>

        <section aria-labelledby="discard">
            <h2 id="discard">"Discard the draft"</h2>
            {match live {
                Some(n) => format!("Returns every file to the live revision ({n}). Changes not published are lost."),
                None => "This activity was never published: discarding removes it from the studio.".to_owned(),
            }}
            <form method="post" action="/studio/discard">
                <Activity kind=kind.clone() slug=slug.clone() />
                <button type="submit">"Discard the draft"</button>
            </form>
        </section>
    }
}

#[component]
pub fn FileRoute() -> impl IntoView {
    let (kind, slug, name) = (param("kind"), param("slug"), param("name"));
    let data = Resource::new(
        move || (kind(), slug(), name()),
        |(kind, slug, name)| studio_file(kind, slug, name),
    );
    view! { <Loaded resource=data page=move |editor| view! { <FileEdit editor /> } /> }
}

#[component]
fn FileEdit(editor: FileEditor) -> impl IntoView {
    let FileEditor {
        kind,
        slug,
        title,
        name,
        role,
        text,
        version,
        problems,
        preview_html,
        quiz,
        form,
        conflict,
    } = editor;
    let base = format!("/studio/{kind}/{slug}");
    let lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let located: Vec<(Problem, Option<String>)> = problems
        .into_iter()
        .map(|p| {
            let shown = p
                .line
                .and_then(|n| lines.get((n as usize).saturating_sub(1)).cloned());
            (p, shown)
        })
        .collect();
    let text_error = form.error("text");
    let text_invalid = text_error.is_some();
    let lines_count = lines.len().clamp(12, 40);
    view! {
        <Title text=format!("{role}: {title}") />
        <p><a href="/studio">"Studio"</a> " › " <a href=base.clone()>{title.clone()}</a></p>
        <h1>{format!("{role}: {name}")}</h1>
        <FormMessages state=form.clone() />
        {conflict.map(|conflict| view! {
            <section aria-labelledby="conflict" class="conflict">
                <h2 id="conflict">"Someone else saved this file first"</h2>
                <p>
                    {format!("Your copy was older than the one saved since ({}). Nothing was written over. ", conflict.theirs_note)}
                    "Your text is in the editor below: save it to replace theirs, or copy what you need from theirs first."
                </p>
                <div class="side-by-side">
                    <div>
                        <h3>"Your text"</h3>
                        <pre>{conflict.yours}</pre>
                    </div>
                    <div>
                        <h3>"Saved since"</h3>
                        <pre>{conflict.theirs}</pre>
                    </div>
                </div>
            </section>
        })}
        {(!located.is_empty()).then(|| view! {
            <section aria-labelledby="file-problems">
                <h2 id="file-problems">"Problems in this file"</h2>
                <ul class="problems">
                    {located
                        .into_iter()
                        .map(|(p, shown)| {
                            let at = p.line.map(|n| format!("Line {n}: ")).unwrap_or_default();
                            view! {
                                <li>
                                    <strong>{at}</strong>
                                    {p.message}
                                    {shown.map(|s| view! { <br /> <code>{s}</code> })}
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </section>
        })}
        <form method="post" action="/studio/save">
            <input type="hidden" name="kind" value=kind.clone() />
            <input type="hidden" name="slug" value=slug.clone() />
            <input type="hidden" name="name" value=name.clone() />
            <input type="hidden" name="version" value=version.to_string() />
            <div class="field" class:has-error=text_invalid>
                <label for="field-text">{format!("{name} (markdown with TOML front matter between +++ lines)")}</label>
                {text_error.map(|e| view! { <p class="field-error" id="field-text-error">{e}</p> })}
                <textarea id="field-text" name="text" rows=lines_count.to_string() class="source" spellcheck="false" inner_html=crate::forms::textarea_html(&text)></textarea>
            </div>
            <button type="submit" name="action" value="save">"Save"</button>
            " "
            <button type="submit" name="action" value="preview">"Save and preview"</button>
        </form>
        <section aria-labelledby="preview" id="preview-section">
            <h2 id="preview">"Preview"</h2>
            <p class="hint">
                "As learners will see it, from the last saved text; with JavaScript on, it follows your typing."
            </p>
            <LivePreview kind slug name html=preview_html quiz />
        </section>
    }
}

/// What a file shows learners: rendered markdown, or a quiz's questions with the correct
/// options marked (the educator's preview only).
#[component]
fn PreviewBody(html: String, quiz: Vec<QuizPreviewQuestion>) -> impl IntoView {
    if quiz.is_empty() {
        view! { <div class="preview lesson-body" inner_html=html></div> }.into_any()
    } else {
        view! {
            <ol class="preview">
                {quiz
                    .into_iter()
                    .map(|q| view! {
                        <li>
                            <div inner_html=q.prompt_html></div>
                            <ul>
                                {q.options
                                    .into_iter()
                                    .map(|(html, correct)| view! {
                                        <li class:correct=correct>
                                            <span inner_html=html></span>
                                            {correct.then_some(" (correct)")}
                                        </li>
                                    })
                                    .collect_view()}
                            </ul>
                            {q.explanation_html.map(|html| view! { <div class="hint" inner_html=html></div> })}
                        </li>
                    })
                    .collect_view()}
            </ol>
        }
            .into_any()
    }
}

/// The preview, server-rendered from the saved text; in a browser with JavaScript it
/// follows what is typed in the file's text area (`#field-text`, which stays the form's
/// field), asking the server's publishing renderer 400 ms after the typing pauses. Nothing
/// is saved by it.
#[island]
fn LivePreview(
    kind: String,
    slug: String,
    name: String,
    html: String,
    quiz: Vec<QuizPreviewQuestion>,
) -> impl IntoView {
    let shown = RwSignal::new((html, quiz));
    #[cfg(not(feature = "hydrate"))]
    let _ = (&kind, &slug, &name);
    #[cfg(feature = "hydrate")]
    {
        let pending = StoredValue::new(None::<TimeoutHandle>);
        // Replies can arrive out of order: only the newest request's is shown.
        let latest = StoredValue::new(0_u64);
        let listener = window_event_listener(leptos::ev::input, move |event| {
            let target = event_target::<leptos::web_sys::Element>(&event);
            if target.id() != "field-text" {
                return;
            }
            let text = event_target_value(&event);
            if let Some(handle) = pending.get_value() {
                handle.clear();
            }
            let (kind, slug, name) = (kind.clone(), slug.clone(), name.clone());
            let handle = set_timeout_with_handle(
                move || {
                    latest.update_value(|n| *n += 1);
                    let asked = latest.get_value();
                    leptos::task::spawn_local(async move {
                        if let Ok(fresh) =
                            crate::studio::api::studio_preview(kind, slug, name, text).await
                            && latest.get_value() == asked
                        {
                            shown.set((fresh.html, fresh.quiz));
                        }
                    });
                },
                std::time::Duration::from_millis(400),
            )
            .ok();
            pending.set_value(handle);
        });
        on_cleanup(move || listener.remove());
    }
    view! {
        <div class="live-preview">
            {move || {
                let (html, quiz) = shown.get();
                view! { <PreviewBody html quiz /> }
            }}
        </div>
    }
}
