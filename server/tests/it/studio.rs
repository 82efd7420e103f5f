//! The studio through the real router: ownership and draft privacy, saving (stale copies,
//! over-long and NUL text), the publish gate and its review, a new revision that learners
//! see while nothing they did changes, discard and republishing an old revision, the two
//! doors (content/ and the studio), and a webinar's started session frozen.

use crate::support::{COURSE, TestApp, User, copy_dir, demo_content};
use app::accounts::Role;
use http::StatusCode;

/// The value of the hidden input `name` on a page.
fn hidden(page: &crate::support::Page, name: &str) -> String {
    let needle = format!("name=\"{name}\" value=\"");
    let start = page
        .body
        .find(&needle)
        .unwrap_or_else(|| panic!("no hidden {name} on the page: {}", page.body))
        + needle.len();
    page.body[start..]
        .split('"')
        .next()
        .unwrap_or_default()
        .to_owned()
}

async fn educator(app: &TestApp, email: &str) -> User {
    app.user(email, Role::Educator).await
}

async fn start(app: &TestApp, who: &User, kind: &str, slug: &str, title: &str) {
    let page = app
        .post_form(
            "/studio/new",
            &[("kind", kind), ("title", title), ("slug", slug)],
            Some(&who.cookie),
        )
        .await;
    assert_eq!(
        page.location(),
        format!("/studio/{kind}/{slug}"),
        "{}",
        page.body
    );
}

/// Saves `text` as the file `name` from a fresh copy of its page.
async fn save(app: &TestApp, who: &User, kind: &str, slug: &str, name: &str, text: &str) {
    let path = format!("/studio/{kind}/{slug}/files/{name}");
    let editor = app.get_as(&path, &who.cookie).await;
    assert_eq!(editor.status, StatusCode::OK, "{}", editor.body);
    let version = hidden(&editor, "version");
    let saved = app
        .post_form(
            "/studio/save",
            &[
                ("kind", kind),
                ("slug", slug),
                ("name", name),
                ("version", &version),
                ("text", text),
                ("action", "save"),
            ],
            Some(&who.cookie),
        )
        .await;
    assert_eq!(saved.location(), path);
    let after = app.get_as(&path, &who.cookie).await;
    after.assert_contains("Saved in the draft");
}

/// Publishes what the review page shows; the page the publish led to.
async fn publish(app: &TestApp, who: &User, kind: &str, slug: &str) -> crate::support::Page {
    let review = app
        .get_as(&format!("/studio/{kind}/{slug}/publish"), &who.cookie)
        .await;
    assert_eq!(review.status, StatusCode::OK);
    let stamp = hidden(&review, "stamp");
    let done = app
        .post_form(
            "/studio/publish",
            &[("kind", kind), ("slug", slug), ("stamp", &stamp)],
            Some(&who.cookie),
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    app.get_as(done.location(), &who.cookie).await
}

/// The hash of a draft's files, as the review page would stamp it.
async fn draft_stamp(app: &TestApp, slug: &str) -> String {
    let files: Vec<(String, String)> = sqlx::query_as(
        "SELECT f.name, f.text FROM studio_draft_files f JOIN studio_drafts d ON d.id = f.draft_id WHERE d.slug = $1 ORDER BY f.name",
    )
    .bind(slug)
    .fetch_all(&app.state.pool)
    .await
    .expect("files");
    let files: Vec<server::content::SourceFile> = files
        .into_iter()
        .map(|(name, text)| server::content::SourceFile { name, text })
        .collect();
    server::content::kit::hash_files(&files)
}

async fn audited(app: &TestApp, action: &str) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = $1")
        .bind(action)
        .fetch_one(&app.state.pool)
        .await
        .expect("count")
}

#[tokio::test]
async fn an_educator_writes_a_course_fixes_what_check_finds_publishes_it_and_a_learner_enrols() {
    let app = TestApp::new().await;
    let ana = educator(&app, "ana@clinic.org").await;
    start(
        &app,
        &ana,
        "course",
        "wound-photography",
        "Wound photography",
    )
    .await;

    // Drafts are their owners' only: not public, not another educator's, not a learner's.
    assert_eq!(
        app.get("/courses/wound-photography").await.status,
        StatusCode::NOT_FOUND
    );
    let ben = educator(&app, "ben@clinic.org").await;
    for path in [
        "/studio/course/wound-photography",
        "/studio/course/wound-photography/files/course.md",
        "/studio/course/wound-photography/publish",
        "/studio/course/wound-photography/history",
    ] {
        let page = app.get_as(path, &ben.cookie).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
        assert!(!page.body.contains("Wound photography"), "{path}");
    }
    let listed = app.get_as("/studio", &ben.cookie).await;
    assert!(!listed.body.contains("Wound photography"));
    let learner = app.learner("lena@clinic.org").await;
    assert_ne!(
        app.get_as("/studio/course/wound-photography", &learner.cookie)
            .await
            .status,
        StatusCode::OK
    );
    let edit = app
        .post_form(
            "/studio/save",
            &[
                ("kind", "course"),
                ("slug", "wound-photography"),
                ("name", "course.md"),
                ("version", "0"),
                ("text", "hijacked"),
            ],
            Some(&ben.cookie),
        )
        .await;
    assert_eq!(edit.status, StatusCode::NOT_FOUND);

    let mine = app.get_as("/studio", &ana.cookie).await;
    mine.assert_contains("Wound photography");
    mine.assert_contains("Never published");

    // A lesson with a mistake: the problem is shown at its file and line, and publishing
    // is refused.
    let add = app
        .post_form(
            "/studio/lessons",
            &[
                ("kind", "course"),
                ("slug", "wound-photography"),
                ("action", "add"),
                ("title", "Light and <b>angles</b>"),
                ("new_slug", "light"),
            ],
            Some(&ana.cookie),
        )
        .await;
    assert_eq!(add.location(), "/studio/course/wound-photography#files");
    save(
        &app,
        &ana,
        "course",
        "wound-photography",
        "02-light.md",
        "# Light\n\nDaylight first.\n\nSee [the missing one](09-nowhere.md).\n<img src=x onerror=alert(1)><script>alert(2)</script>\n</textarea><script>alert(3)</script>\n",
    )
    .await;
    let draft = app
        .get_as("/studio/course/wound-photography", &ana.cookie)
        .await;
    draft.assert_contains("02-light.md, line 5: </strong>broken link: 09-nowhere.md");
    let review = app
        .get_as("/studio/course/wound-photography/publish", &ana.cookie)
        .await;
    review.assert_contains("Not yet: content check refuses this draft");
    // The page offers no button; a hand-made request with the right stamp is refused too.
    assert!(!review.body.contains("name=\"stamp\""));
    let refused = app
        .post_form(
            "/studio/publish",
            &[
                ("kind", "course"),
                ("slug", "wound-photography"),
                ("stamp", &draft_stamp(&app, "wound-photography").await),
            ],
            Some(&ana.cookie),
        )
        .await;
    assert_eq!(
        refused.location(),
        "/studio/course/wound-photography/publish"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM courses WHERE slug = 'wound-photography'")
            .await,
        0
    );

    // The preview is the publishing renderer's: the script and the handler are gone.
    let editor = app
        .get_as(
            "/studio/course/wound-photography/files/02-light.md",
            &ana.cookie,
        )
        .await;
    editor.assert_contains("Line 5: </strong>broken link");
    let preview = &editor.body[editor.position("id=\"preview\"")..];
    assert!(!preview.contains("onerror"), "{preview}");
    assert!(!preview.contains("alert(2)"), "{preview}");
    // The text area holds the text as text: nothing in it ends the element.
    assert!(!editor.body.contains("<script>alert"));
    editor.assert_contains("&lt;/textarea&gt;&lt;script&gt;alert(3)");
    editor.assert_contains("Daylight first.");

    save(
        &app,
        &ana,
        "course",
        "wound-photography",
        "02-light.md",
        "# Light\n\nDaylight first, then [the introduction](01-introduction.md).\n",
    )
    .await;
    let published = publish(&app, &ana, "course", "wound-photography").await;
    published.assert_contains("Published as revision 1");
    assert_eq!(audited(&app, "studio.publish").await, 1);
    let public = app.get("/courses/wound-photography").await;
    assert_eq!(public.status, StatusCode::OK);
    public.assert_contains("Wound photography");
    let lesson = app.get("/courses/wound-photography/light").await;
    lesson.assert_contains("href=\"/courses/wound-photography/introduction\"");

    // A learner enrols in it.
    let enrolled = app
        .post_form(
            "/learning/enroll",
            &[("course", "wound-photography")],
            Some(&learner.cookie),
        )
        .await;
    assert_eq!(enrolled.location(), "/courses/wound-photography");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM enrollments e JOIN courses c ON c.id = e.course_id WHERE c.slug = 'wound-photography'").await,
        1
    );
    let listed = app.get_as("/studio", &ana.cookie).await;
    listed.assert_contains("Published");
}

#[tokio::test]
async fn a_stale_save_is_a_conflict_with_both_versions_and_bad_text_is_handed_back() {
    let app = TestApp::new().await;
    let ana = educator(&app, "ana@clinic.org").await;
    start(&app, &ana, "course", "triage", "Triage").await;
    let path = "/studio/course/triage/files/01-introduction.md";
    let first = app.get_as(path, &ana.cookie).await;
    let stale = hidden(&first, "version");
    save(
        &app,
        &ana,
        "course",
        "triage",
        "01-introduction.md",
        "# Intro\n\nMine first.\n",
    )
    .await;
    let late = app
        .post_form(
            "/studio/save",
            &[
                ("kind", "course"),
                ("slug", "triage"),
                ("name", "01-introduction.md"),
                ("version", &stale),
                ("text", "# Intro\n\nWritten from the old copy.\n"),
            ],
            Some(&ana.cookie),
        )
        .await;
    assert_eq!(late.location(), path);
    let conflict = app.get_as(path, &ana.cookie).await;
    conflict.assert_contains("Someone else saved this file first");
    conflict.assert_contains("Written from the old copy.");
    conflict.assert_contains("Mine first.");
    let stored: String =
        sqlx::query_scalar("SELECT text FROM studio_draft_files WHERE name = '01-introduction.md'")
            .fetch_one(&app.state.pool)
            .await
            .expect("file");
    assert!(stored.contains("Mine first."), "nothing written over");

    // Over the limit: refused, said, and the text comes back in the editor.
    let long = format!("# Long\n\n{}\n", "word ".repeat(60_000));
    let version = hidden(&app.get_as(path, &ana.cookie).await, "version");
    let big = app
        .post_form(
            "/studio/save",
            &[
                ("kind", "course"),
                ("slug", "triage"),
                ("name", "01-introduction.md"),
                ("version", &version),
                ("text", &long),
            ],
            Some(&ana.cookie),
        )
        .await;
    assert_eq!(big.location(), path);
    let back = app.get_as(path, &ana.cookie).await;
    back.assert_contains("a file may hold at most 200 KB");
    assert!(
        back.body.contains(&"word ".repeat(1000)),
        "the text is kept"
    );

    // NUL and a field sent twice: nothing written, the text kept.
    for fields in [
        vec![("text", "# Intro\n\nA\0B\n")],
        vec![("text", "# Intro\n\nOne\n"), ("text", "# Intro\n\nTwo\n")],
    ] {
        let mut sent = vec![
            ("kind", "course"),
            ("slug", "triage"),
            ("name", "01-introduction.md"),
            ("version", version.as_str()),
        ];
        sent.extend(fields);
        let page = app
            .post_form("/studio/save", &sent, Some(&ana.cookie))
            .await;
        assert_eq!(page.location(), path);
        let shown = app.get_as(path, &ana.cookie).await;
        assert!(
            shown.body.contains("AB") || shown.body.contains("One"),
            "{}",
            shown.body
        );
    }
    let still: String =
        sqlx::query_scalar("SELECT text FROM studio_draft_files WHERE name = '01-introduction.md'")
            .fetch_one(&app.state.pool)
            .await
            .expect("file");
    assert!(still.contains("Mine first."));
}

#[tokio::test]
async fn names_that_collide_or_are_not_slugs_are_refused_and_twenty_publishes_make_one_revision() {
    let app = TestApp::new().await;
    let ana = educator(&app, "ana@clinic.org").await;
    for (kind, slug, why) in [
        ("course", COURSE, "There already is a course"),
        ("webinar", "register", "a name the site's own pages use"),
        ("course", "Bad Name", "lowercase letters"),
        ("course", "./x", "lowercase letters"),
        ("podcast", "x", "Choose a course or a webinar"),
    ] {
        let page = app
            .post_form(
                "/studio/new",
                &[("kind", kind), ("title", "T"), ("slug", slug)],
                Some(&ana.cookie),
            )
            .await;
        assert_eq!(page.location(), "/studio#new", "{slug}");
        app.get_as("/studio", &ana.cookie)
            .await
            .assert_contains(why);
    }
    let long = "x".repeat(100 * 1024);
    let page = app
        .post_form(
            "/studio/new",
            &[("kind", "course"), ("title", &long), ("slug", "fine")],
            Some(&ana.cookie),
        )
        .await;
    assert_eq!(page.location(), "/studio#new");
    assert_eq!(app.count("SELECT COUNT(*) FROM studio_drafts").await, 0);

    start(&app, &ana, "course", "fine", "Fine").await;
    let review = app.get_as("/studio/course/fine/publish", &ana.cookie).await;
    let stamp = hidden(&review, "stamp");
    let fields = [
        ("kind", "course"),
        ("slug", "fine"),
        ("stamp", stamp.as_str()),
    ];
    let posts = (0..20).map(|_| app.post_form("/studio/publish", &fields, Some(&ana.cookie)));
    for page in futures::future::join_all(posts).await {
        assert_eq!(page.status, StatusCode::SEE_OTHER);
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM course_revisions r JOIN courses c ON c.id = r.course_id WHERE c.slug = 'fine'").await,
        1
    );
    assert_eq!(audited(&app, "studio.publish").await, 1);
}

#[tokio::test]
async fn a_new_revision_shows_its_changes_discard_returns_to_it_and_an_old_one_comes_back() {
    let app = TestApp::new().await;
    let admin = app.user("admin@clinic.org", Role::Admin).await;
    let learner = app.enrolled("lena@clinic.org", "nurse").await;
    let base = format!("/studio/course/{COURSE}");
    let lesson = "01-telehealth-and-telemedicine.md";
    let original: String = sqlx::query_scalar(
        "SELECT f.text FROM revision_files f WHERE f.kind = 'course' AND f.name = $1",
    )
    .bind(lesson)
    .fetch_one(&app.state.pool)
    .await
    .expect("the imported revision keeps its files");
    let changed = original.replacen('\n', "\n\nA sentence the studio added.\n", 1);
    save(&app, &admin, "course", COURSE, lesson, &changed).await;
    app.get_as("/studio", &admin.cookie)
        .await
        .assert_contains("Published with unpublished changes");
    let review = app.get_as(&format!("{base}/publish"), &admin.cookie).await;
    review.assert_contains(&format!("{lesson} (changed)"));
    review.assert_contains("A sentence the studio added.");

    // Discard: back to the live files.
    let discarded = app
        .post_form(
            "/studio/discard",
            &[("kind", "course"), ("slug", COURSE)],
            Some(&admin.cookie),
        )
        .await;
    assert_eq!(discarded.location(), base);
    assert_eq!(app.count("SELECT COUNT(*) FROM studio_drafts").await, 0);

    save(&app, &admin, "course", COURSE, lesson, &changed).await;
    publish(&app, &admin, "course", COURSE)
        .await
        .assert_contains("Published as revision 2");
    let page = app
        .get(&format!("/courses/{COURSE}/telehealth-and-telemedicine"))
        .await;
    page.assert_contains("A sentence the studio added.");
    // The learner enrolled on revision 1 stays on it.
    let pinned: i64 = sqlx::query_scalar(
        "SELECT r.number FROM enrollments e JOIN course_revisions r ON r.id = e.revision_id WHERE e.user_id = $1",
    )
    .bind(learner.id)
    .fetch_one(&app.state.pool)
    .await
    .expect("enrollment");
    assert_eq!(pinned, 1);
    app.get_as("/learning", &learner.cookie)
        .await
        .assert_contains("A newer version of this course (revision 2) is published");

    // History: revision 1 again, as revision 3.
    let history = app.get_as(&format!("{base}/history"), &admin.cookie).await;
    history.assert_contains("admin user (studio)");
    history.assert_contains("the content/ folder");
    let again = app
        .post_form(
            "/studio/republish",
            &[("kind", "course"), ("slug", COURSE), ("revision", "1")],
            Some(&admin.cookie),
        )
        .await;
    assert_eq!(again.location(), format!("{base}/history"));
    app.get_as(&format!("{base}/history"), &admin.cookie)
        .await
        .assert_contains("Revision 1 published again as revision 3.");
    let page = app
        .get(&format!("/courses/{COURSE}/telehealth-and-telemedicine"))
        .await;
    assert!(!page.body.contains("A sentence the studio added."));
    assert_eq!(audited(&app, "studio.republish").await, 1);
    assert_eq!(audited(&app, "studio.discard").await, 1);
}

#[tokio::test]
async fn the_folder_and_the_studio_never_overwrite_each_other() {
    let dir = tempfile::tempdir().expect("temp dir");
    let content = dir.path().join("content");
    copy_dir(&demo_content(), &content);
    let app = TestApp::with_content(&content).await;
    let admin = app.user("admin@clinic.org", Role::Admin).await;
    let lesson = "01-telehealth-and-telemedicine.md";
    let path = content.join("courses").join(COURSE).join(lesson);
    let original = std::fs::read_to_string(&path).expect("lesson");
    save(
        &app,
        &admin,
        "course",
        COURSE,
        lesson,
        &format!("{original}\nFrom the studio.\n"),
    )
    .await;
    publish(&app, &admin, "course", COURSE).await;
    // A studio-born course has no folder.
    start(&app, &admin, "course", "studio-only", "Studio only").await;
    publish(&app, &admin, "course", "studio-only").await;
    let revisions = "SELECT COUNT(*) FROM course_revisions r JOIN courses c ON c.id = r.course_id WHERE c.slug = 'telehealth-for-clinical-teams'";
    assert_eq!(app.count(revisions).await, 2);

    // A restart with the folder unchanged: the studio's revision stands, nothing is retired.
    let restarted = TestApp::start_on(app.dir.path(), &content).await;
    let again = server::build_router(restarted);
    drop(again);
    assert_eq!(app.count(revisions).await, 2);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM courses WHERE retired_at IS NOT NULL")
            .await,
        0
    );

    // The folder changes too: held back as a conflict, shown in the studio.
    std::fs::write(&path, format!("{original}\nFrom the folder.\n")).expect("write");
    TestApp::start_on(app.dir.path(), &content).await;
    assert_eq!(app.count(revisions).await, 2);
    assert_eq!(app.count("SELECT COUNT(*) FROM door_conflicts").await, 1);
    app.get_as("/studio", &admin.cookie)
        .await
        .assert_contains("The content/ folder changed too");
    let draft = app
        .get_as(&format!("/studio/course/{COURSE}"), &admin.cookie)
        .await;
    draft.assert_contains("From the folder.");
    let settled = app
        .post_form(
            "/studio/doors",
            &[("kind", "course"), ("slug", COURSE), ("choice", "folder")],
            Some(&admin.cookie),
        )
        .await;
    assert_eq!(settled.location(), format!("/studio/course/{COURSE}"));
    assert_eq!(app.count(revisions).await, 3);
    assert_eq!(app.count("SELECT COUNT(*) FROM door_conflicts").await, 0);
    app.get(&format!("/courses/{COURSE}/telehealth-and-telemedicine"))
        .await
        .assert_contains("From the folder.");
    // And the next start with that folder imports nothing new.
    TestApp::start_on(app.dir.path(), &content).await;
    assert_eq!(app.count(revisions).await, 3);
    assert_eq!(audited(&app, "studio.doors").await, 1);
}

#[tokio::test]
async fn one_ownership_model_for_courses_and_webinars() {
    let app = TestApp::new().await;
    let admin = app.user("admin@clinic.org", Role::Admin).await;
    // The demo webinar's file names this organizer: an owner like any other.
    let organizer = educator(&app, "educator@grandrounds.example").await;
    let club = "remote-monitoring-journal-club";
    let page = app
        .get_as(&format!("/studio/webinar/{club}"), &organizer.cookie)
        .await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("named in the webinar's file");
    app.get_as("/studio", &organizer.cookie)
        .await
        .assert_contains("Journal club");

    // An administrator names an educator owner of a course; they may then edit it and,
    // for a webinar, organize it.
    let ben = educator(&app, "ben@clinic.org").await;
    let course = format!("/studio/course/{COURSE}");
    assert_eq!(
        app.get_as(&course, &ben.cookie).await.status,
        StatusCode::NOT_FOUND
    );
    // Educators cannot name owners.
    let refused = app
        .post_form(
            "/studio/owners",
            &[
                ("kind", "course"),
                ("slug", COURSE),
                ("action", "add"),
                ("email", "ben@clinic.org"),
            ],
            Some(&ben.cookie),
        )
        .await;
    assert_ne!(refused.status, StatusCode::SEE_OTHER);
    for (email, expect) in [
        ("nobody@clinic.org", "No educator has this sign-in email"),
        ("ben@clinic.org", "ben@clinic.org is now an owner."),
    ] {
        let named = app
            .post_form(
                "/studio/owners",
                &[
                    ("kind", "course"),
                    ("slug", COURSE),
                    ("action", "add"),
                    ("email", email),
                ],
                Some(&admin.cookie),
            )
            .await;
        assert_eq!(named.location(), format!("{course}#owners"));
        app.get_as(&course, &admin.cookie)
            .await
            .assert_contains(expect);
    }
    assert_eq!(
        app.get_as(&course, &ben.cookie).await.status,
        StatusCode::OK
    );
    let webinar_owner = app
        .post_form(
            "/studio/owners",
            &[
                ("kind", "webinar"),
                ("slug", club),
                ("action", "add"),
                ("email", "ben@clinic.org"),
            ],
            Some(&admin.cookie),
        )
        .await;
    assert_eq!(webinar_owner.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.get_as(&format!("/webinars/{club}/registrations"), &ben.cookie)
            .await
            .status,
        StatusCode::OK
    );
    // A file-named owner is not removed on the form.
    let file_named = app
        .post_form(
            "/studio/owners",
            &[
                ("kind", "webinar"),
                ("slug", club),
                ("action", "remove"),
                ("email", "educator@grandrounds.example"),
            ],
            Some(&admin.cookie),
        )
        .await;
    assert_eq!(file_named.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.get_as(&format!("/studio/webinar/{club}"), &organizer.cookie)
            .await
            .status,
        StatusCode::OK
    );
    let removed = app
        .post_form(
            "/studio/owners",
            &[
                ("kind", "course"),
                ("slug", COURSE),
                ("action", "remove"),
                ("email", "ben@clinic.org"),
            ],
            Some(&admin.cookie),
        )
        .await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.get_as(&course, &ben.cookie).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(audited(&app, "studio.owner_added").await, 2);
    assert_eq!(audited(&app, "studio.owner_removed").await, 1);

    // An organizer who is not an administrator cannot change the organizers list in the
    // file (it is who owns the webinar).
    let file = format!("{club}.md");
    let text: String = sqlx::query_scalar(
        "SELECT f.text FROM revision_files f WHERE f.kind = 'webinar' AND f.name = $1",
    )
    .bind(&file)
    .fetch_one(&app.state.pool)
    .await
    .expect("file");
    let widened = text.replace(
        "organizers = [\"educator@grandrounds.example\"]",
        "organizers = [\"educator@grandrounds.example\", \"mallory@clinic.org\"]",
    );
    assert_ne!(widened, text);
    save(&app, &organizer, "webinar", club, &file, &widened).await;
    let review = app
        .get_as(
            &format!("/studio/webinar/{club}/publish"),
            &organizer.cookie,
        )
        .await;
    let refused = app
        .post_form(
            "/studio/publish",
            &[
                ("kind", "webinar"),
                ("slug", club),
                ("stamp", &hidden(&review, "stamp")),
            ],
            Some(&organizer.cookie),
        )
        .await;
    assert_eq!(
        refused.location(),
        format!("/studio/webinar/{club}/publish")
    );
    app.get_as(
        &format!("/studio/webinar/{club}/publish"),
        &organizer.cookie,
    )
    .await
    .assert_contains("Only administrators change a webinar");
}

#[tokio::test]
async fn a_webinar_written_in_the_studio_is_published_and_a_started_session_is_frozen() {
    let app = TestApp::new().await;
    let ana = educator(&app, "ana@clinic.org").await;
    start(&app, &ana, "webinar", "wound-rounds", "Wound rounds").await;
    let page = publish(&app, &ana, "webinar", "wound-rounds").await;
    page.assert_contains("Published as revision 1");
    let public = app.get("/webinars/wound-rounds").await;
    assert_eq!(public.status, StatusCode::OK);
    public.assert_contains("Wound rounds");
    // Its owner organizes it.
    assert_eq!(
        app.get_as("/webinars/wound-rounds/registrations", &ana.cookie)
            .await
            .status,
        StatusCode::OK
    );

    // Once its session has started, its time cannot move.
    let text: String = sqlx::query_scalar(
        "SELECT text FROM revision_files WHERE kind = 'webinar' AND name = 'wound-rounds.md'",
    )
    .fetch_one(&app.state.pool)
    .await
    .expect("file");
    let starts: i64 = sqlx::query_scalar(
        "SELECT s.starts_at FROM webinar_sessions s JOIN webinars w ON w.id = s.webinar_id WHERE w.slug = 'wound-rounds'",
    )
        .fetch_one(&app.state.pool)
        .await
        .expect("session");
    server::clock::set_clock(
        time::OffsetDateTime::from_unix_timestamp(starts + 600).expect("instant"),
    );
    // Months later: a new sign-in.
    let ana = User {
        id: ana.id,
        cookie: app.sign_in("ana@clinic.org").await,
    };
    let moved = text.replace("T12:00:00\nzone", "T13:00:00\nzone");
    assert_ne!(moved, text);
    save(
        &app,
        &ana,
        "webinar",
        "wound-rounds",
        "wound-rounds.md",
        &moved,
    )
    .await;
    let review = app
        .get_as("/studio/webinar/wound-rounds/publish", &ana.cookie)
        .await;
    let refused = app
        .post_form(
            "/studio/publish",
            &[
                ("kind", "webinar"),
                ("slug", "wound-rounds"),
                ("stamp", &hidden(&review, "stamp")),
            ],
            Some(&ana.cookie),
        )
        .await;
    assert_eq!(
        refused.location(),
        "/studio/webinar/wound-rounds/publish",
        "{}",
        app.get_as(refused.location(), &ana.cookie).await.body
    );
    app.get_as("/studio/webinar/wound-rounds/publish", &ana.cookie)
        .await
        .assert_contains("session 1 has started");
    assert_eq!(app.count("SELECT COUNT(*) FROM webinar_revisions").await, 3);
}

#[tokio::test]
async fn an_activity_downloads_as_a_folder_content_check_accepts_with_the_same_revision_hash() {
    let app = TestApp::new().await;
    let admin = app.user("admin@clinic.org", Role::Admin).await;
    let page = app
        .get_as(&format!("/studio/course/{COURSE}/files.zip"), &admin.cookie)
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.header("content-type"), "application/zip");
    let dir = tempfile::tempdir().expect("temp dir");
    zip::ZipArchive::new(std::io::Cursor::new(page.raw.clone()))
        .expect("a zip")
        .extract(dir.path())
        .expect("extracts");
    let report = server::content::load_dir(dir.path());
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let live: String = sqlx::query_scalar(
        "SELECT r.content_hash FROM course_revisions r JOIN courses c ON c.id = r.course_id WHERE c.slug = $1",
    )
    .bind(COURSE)
    .fetch_one(&app.state.pool)
    .await
    .expect("hash");
    assert_eq!(report.courses[0].content_hash, live);

    let webinar = app
        .get_as(
            "/studio/webinar/store-and-forward-case-conference/files.zip?revision=1",
            &admin.cookie,
        )
        .await;
    let mut archive =
        zip::ZipArchive::new(std::io::Cursor::new(webinar.raw.clone())).expect("a zip");
    let names: Vec<String> = (0..archive.len())
        .map(|i| archive.by_index(i).expect("entry").name().to_owned())
        .collect();
    assert_eq!(
        names,
        [
            "webinars/store-and-forward-case-conference.md",
            "webinars/store-and-forward-case-conference.post-test.quiz.md"
        ]
    );
    for bad in ["?revision=9", "?revision=x"] {
        let page = app
            .get_as(
                &format!("/studio/course/{COURSE}/files.zip{bad}"),
                &admin.cookie,
            )
            .await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{bad}");
    }
    let other = app.user("ben@clinic.org", Role::Educator).await;
    let refused = app
        .get_as(&format!("/studio/course/{COURSE}/files.zip"), &other.cookie)
        .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
}

/// Waits (at most 8 s) until `server` serves `path` with `needle` in it, to an anonymous
/// reader (whose pages the cache keeps).
async fn until_served(server: &TestApp, path: &str, needle: &str) {
    let started = std::time::Instant::now();
    loop {
        let page = server.get(path).await;
        if page.status == StatusCode::OK && page.body.contains(needle) {
            return;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(8),
            "{path} still lacks {needle:?} after 8 s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn a_publish_through_one_server_reaches_the_other_within_seconds() {
    let a = TestApp::new().await;
    let mut settings = TestApp::settings(a.dir.path(), &demo_content()).await;
    settings.import_content = false;
    let state = server::start(&settings)
        .await
        .expect("a second server starts");
    let b = TestApp {
        router: server::build_router(state.clone()),
        state,
        dir: tempfile::tempdir().expect("dir"),
    };
    for server in [&a, &b] {
        server
            .state
            .catalog
            .clone()
            .watch(server.state.pool.clone());
    }
    let lesson = format!("/courses/{COURSE}/telehealth-and-telemedicine");
    // b keeps the anonymous page in its cache.
    b.get(&lesson).await;
    b.get(&lesson).await;
    assert_eq!(
        b.get("/courses/cold-chain").await.status,
        StatusCode::NOT_FOUND
    );

    let admin = a.user("admin@clinic.org", Role::Admin).await;
    start(&a, &admin, "course", "cold-chain", "Keeping vaccines cold").await;
    publish(&a, &admin, "course", "cold-chain").await;
    let file = "01-telehealth-and-telemedicine.md";
    let text: String =
        sqlx::query_scalar("SELECT text FROM revision_files WHERE kind = 'course' AND name = $1")
            .bind(file)
            .fetch_one(&a.state.pool)
            .await
            .expect("lesson");
    save(
        &a,
        &admin,
        "course",
        COURSE,
        file,
        &format!("{text}\nPublished through a.\n"),
    )
    .await;
    publish(&a, &admin, "course", COURSE).await;

    until_served(&b, "/courses", "Keeping vaccines cold").await;
    until_served(
        &b,
        "/courses/cold-chain/introduction",
        "Write the first lesson here.",
    )
    .await;
    until_served(&b, &lesson, "Published through a.").await;
}

#[tokio::test]
async fn a_save_after_the_session_ended_keeps_the_text_through_the_sign_in() {
    let app = TestApp::new().await;
    let ana = educator(&app, "ana@clinic.org").await;
    start(&app, &ana, "course", "triage", "Triage").await;
    let path = "/studio/course/triage/files/01-introduction.md";
    let version = hidden(&app.get_as(path, &ana.cookie).await, "version");
    let text = "# Intro\n\nTyped for an hour </textarea><b>kept</b>.\n";
    let fields = [
        ("kind", "course"),
        ("slug", "triage"),
        ("name", "01-introduction.md"),
        ("version", version.as_str()),
        ("text", text),
        ("action", "save"),
    ];
    // No session any more: the text comes back in a sign-in form, nothing is written.
    let page = app.post_form("/studio/save", &fields, None).await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("Sign in to save 01-introduction.md");
    page.assert_contains("Typed for an hour &lt;/textarea&gt;&lt;b&gt;kept&lt;/b&gt;.");
    assert!(!page.body.contains("<b>kept</b>"));
    assert_eq!(page.header("cache-control"), "no-store");
    // A wrong password: the same form, the text still there.
    let mut wrong = fields.to_vec();
    wrong.extend([("email", "ana@clinic.org"), ("password", "not it")]);
    let page = app.post_form("/studio/save", &wrong, None).await;
    page.assert_contains("The email or password is not right");
    page.assert_contains("Typed for an hour");
    // A learner's credentials save nothing.
    app.learner("lena@clinic.org").await;
    let mut learner = fields.to_vec();
    learner.extend([
        ("email", "lena@clinic.org"),
        ("password", crate::support::PASSWORD),
    ]);
    let page = app.post_form("/studio/save", &learner, None).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    let stored = "SELECT COUNT(*) FROM studio_draft_files WHERE text LIKE '%Typed for an hour%'";
    assert_eq!(app.count(stored).await, 0);
    // The owner's: signed in and saved.
    let mut right = fields.to_vec();
    right.extend([
        ("email", "ana@clinic.org"),
        ("password", crate::support::PASSWORD),
    ]);
    let page = app.post_form("/studio/save", &right, None).await;
    assert_eq!(page.location(), path);
    let cookie = page.session_cookie().expect("signed in");
    assert_eq!(app.count(stored).await, 1);
    app.get_as(path, &cookie)
        .await
        .assert_contains("Saved in the draft");
}

#[tokio::test]
async fn the_same_save_or_lesson_sent_twenty_times_at_once_changes_the_draft_once() {
    let app = TestApp::new().await;
    let ana = educator(&app, "ana@clinic.org").await;
    start(&app, &ana, "course", "triage", "Triage").await;
    let path = "/studio/course/triage/files/01-introduction.md";
    let version = hidden(&app.get_as(path, &ana.cookie).await, "version");
    let fields = [
        ("kind", "course"),
        ("slug", "triage"),
        ("name", "01-introduction.md"),
        ("version", version.as_str()),
        ("text", "# Intro\n\nOnce.\n"),
    ];
    let saves = (0..20).map(|_| app.post_form("/studio/save", &fields, Some(&ana.cookie)));
    for page in futures::future::join_all(saves).await {
        assert_eq!(page.location(), path);
    }
    // One save went in; the other nineteen were stale copies by then.
    let stored: i64 = sqlx::query_scalar(
        "SELECT version FROM studio_draft_files WHERE name = '01-introduction.md'",
    )
    .fetch_one(&app.state.pool)
    .await
    .expect("file");
    assert_eq!(stored, 1);

    let add = [
        ("kind", "course"),
        ("slug", "triage"),
        ("action", "add"),
        ("title", "Second"),
        ("new_slug", "second"),
    ];
    let adds = (0..20).map(|_| app.post_form("/studio/lessons", &add, Some(&ana.cookie)));
    for page in futures::future::join_all(adds).await {
        assert_eq!(page.status, StatusCode::SEE_OTHER);
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM studio_draft_files WHERE name LIKE '%-second.md'")
            .await,
        1
    );
    // A field sent twice and a 100 KB title: refused, nothing added.
    let mut twice = add.to_vec();
    twice[4] = ("new_slug", "third");
    twice.push(("new_slug", "fourth"));
    let long = "x".repeat(100 * 1024);
    let mut huge = add.to_vec();
    huge[3] = ("title", long.as_str());
    huge[4] = ("new_slug", "fifth");
    for fields in [twice, huge] {
        let page = app
            .post_form("/studio/lessons", &fields, Some(&ana.cookie))
            .await;
        assert_eq!(page.location(), "/studio/course/triage#files");
    }
    // course.md, 01-introduction.md, post-test.quiz.md and 02-second.md only.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM studio_draft_files").await,
        4
    );
}

/// A JPEG `width` × `height` with an EXIF segment that names a place and a camera.
fn jpeg_with_exif(width: u32, height: u32) -> Vec<u8> {
    let mut plain = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
    }))
    .write_to(&mut plain, image::ImageFormat::Jpeg)
    .expect("jpeg");
    let plain = plain.into_inner();
    let payload = b"Exif\0\0GPS 46.2044N 6.1432E secret-camera-model";
    let mut out = plain[..2].to_vec(); // SOI
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(
        &u16::try_from(payload.len() + 2)
            .expect("short")
            .to_be_bytes(),
    );
    out.extend_from_slice(payload);
    out.extend_from_slice(&plain[2..]);
    out
}

/// A PNG with a text chunk naming its author.
fn png_with_text(width: u32, height: u32) -> Vec<u8> {
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for byte in bytes {
            crc ^= u32::from(*byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
    let mut plain = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgba8(image::RgbaImage::from_pixel(
        width,
        height,
        image::Rgba([200, 30, 30, 128]),
    ))
    .write_to(&mut plain, image::ImageFormat::Png)
    .expect("png");
    let plain = plain.into_inner();
    // After the signature (8 bytes) and IHDR (8 + 13 + 4).
    let at = 8 + 25;
    let mut chunk = b"tEXt".to_vec();
    chunk.extend_from_slice(b"Author\0secret-author-name");
    let mut out = plain[..at].to_vec();
    out.extend_from_slice(&u32::try_from(chunk.len() - 4).expect("short").to_be_bytes());
    out.extend_from_slice(&chunk);
    out.extend_from_slice(&crc32(&chunk).to_be_bytes());
    out.extend_from_slice(&plain[at..]);
    out
}

async fn upload_image(
    app: &TestApp,
    who: &User,
    slug: &str,
    alt: &str,
    file: (&str, &[u8]),
) -> crate::support::Page {
    let page = app
        .post_multipart(
            "/studio/images",
            &[("kind", "course"), ("slug", slug), ("alt", alt)],
            Some(file),
            Some(&who.cookie),
        )
        .await;
    if page.status == StatusCode::SEE_OTHER {
        assert_eq!(page.location(), format!("/studio/course/{slug}#images"));
    }
    page
}

#[tokio::test]
async fn images_are_read_from_their_bytes_written_again_and_served_to_every_page() {
    let app = TestApp::new().await;
    let ana = educator(&app, "ana@clinic.org").await;
    let bea = educator(&app, "bea@clinic.org").await;
    start(&app, &ana, "course", "imaging", "Imaging at a distance").await;
    let draft = "/studio/course/imaging";

    // Another educator may not add to it.
    let jpeg = jpeg_with_exif(1000, 500);
    let refused = upload_image(&app, &bea, "imaging", "A wound", ("wound.jpg", &jpeg)).await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND, "{}", refused.body);
    assert_eq!(app.count("SELECT COUNT(*) FROM images").await, 0);

    // Bad files: each said, nothing stored.
    let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>";
    let wide = {
        let mut out = std::io::Cursor::new(Vec::new());
        image::DynamicImage::ImageLuma8(image::GrayImage::new(7000, 2))
            .write_to(&mut out, image::ImageFormat::Png)
            .expect("png");
        out.into_inner()
    };
    let big = vec![0u8; 6 * 1024 * 1024];
    let too_big = vec![0u8; 11 * 1024 * 1024];
    let png = png_with_text(300, 200);
    for (alt, file, message) in [
        (
            "A chart",
            ("chart.svg", &svg[..]),
            "SVG images are not accepted",
        ),
        (
            "A chart",
            ("chart.png", &svg[..]),
            "SVG images are not accepted",
        ),
        (
            "A wound",
            ("wound.png", &jpeg[..]),
            "wound.png is named as a PNG image but its bytes are a JPEG image",
        ),
        (
            "A strip",
            ("strip.png", &wide[..]),
            "larger than 6000 × 6000 pixels",
        ),
        (
            "A photo",
            ("photo.jpg", &big[..]),
            "photo.jpg is 6.0 MB; an image may be at most 5 MB",
        ),
        ("A\0B", ("dot.png", &png[..]), "NUL"),
        ("", ("dot.png", &png[..]), "Write the alt text"),
        (
            &"x".repeat(100 * 1024),
            ("dot.png", &png[..]),
            "at most 300 characters",
        ),
    ] {
        let page = upload_image(&app, &ana, "imaging", alt, file).await;
        assert_eq!(
            page.status,
            StatusCode::SEE_OTHER,
            "{message}: {}",
            page.body
        );
        app.get_as(draft, &ana.cookie)
            .await
            .assert_contains(message);
    }
    // Cut at the route's limit before anything could be read: the explained page.
    let cut = upload_image(&app, &ana, "imaging", "A photo", ("photo.jpg", &too_big)).await;
    assert_eq!(cut.status, StatusCode::PAYLOAD_TOO_LARGE);
    cut.assert_contains("An image may be at most 5 MB");
    assert_eq!(app.count("SELECT COUNT(*) FROM images").await, 0);

    // A JPEG with EXIF: stored written again, without it; the same upload 20 times at once
    // is stored once.
    let uploads = (0..20).map(|_| {
        upload_image(
            &app,
            &ana,
            "imaging",
            "A nurse's tablet on a cart",
            ("cart.jpg", &jpeg),
        )
    });
    for page in futures::future::join_all(uploads).await {
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM images").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM activity_images").await, 1);
    let hash: String = sqlx::query_scalar("SELECT hash FROM images")
        .fetch_one(&app.state.pool)
        .await
        .expect("hash");
    let line = format!("![A nurse's tablet on a cart](/media/{hash}-1000.jpeg)");
    let page = app.get_as(draft, &ana.cookie).await;
    page.assert_contains("cart.jpg uploaded (1000 × 500 pixels)");
    page.assert_contains(&line);

    // The same image again with other alt text: listed once, with the new text.
    let again = upload_image(
        &app,
        &ana,
        "imaging",
        "A tablet on a wheeled cart",
        ("cart.jpg", &jpeg),
    )
    .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    let page = app.get_as(draft, &ana.cookie).await;
    page.assert_contains(&format!(
        "![A tablet on a wheeled cart](/media/{hash}-1000.jpeg)"
    ));
    assert!(!page.body.contains(&line), "the old line is gone");
    assert_eq!(app.count("SELECT COUNT(*) FROM activity_images").await, 1);
    let again = upload_image(
        &app,
        &ana,
        "imaging",
        "A nurse's tablet on a cart",
        ("cart.jpg", &jpeg),
    )
    .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);

    let full = app.get(&format!("/media/{hash}-1000.jpeg")).await;
    assert_eq!(full.status, StatusCode::OK);
    assert_eq!(full.headers["content-type"], "image/jpeg");
    assert_eq!(
        full.headers["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert!(
        !full.raw.windows(13).any(|w| w == b"secret-camera")
            && !full.raw.windows(4).any(|w| w == b"Exif"),
        "the EXIF segment is gone"
    );
    let decoded = image::load_from_memory(&full.raw).expect("a JPEG");
    assert_eq!((decoded.width(), decoded.height()), (1000, 500));
    let phone = app.get(&format!("/media/{hash}-640.jpeg")).await;
    assert_eq!(phone.status, StatusCode::OK);
    let decoded = image::load_from_memory(&phone.raw).expect("a JPEG");
    assert_eq!((decoded.width(), decoded.height()), (640, 320));
    for missing in [
        format!("/media/{hash}-999.jpeg"),
        format!("/media/{hash}-1000.png"),
        "/media/..%2f..%2fetc%2fpasswd".to_owned(),
        format!("/media/{}-1000.jpeg", "0".repeat(64)),
    ] {
        let status = app.get(&missing).await.status;
        assert!(
            matches!(status, StatusCode::NOT_FOUND | StatusCode::BAD_REQUEST),
            "{missing}: {status}"
        );
    }

    // A PNG's text chunk is gone too; a small image has no phone copy.
    let page = upload_image(&app, &ana, "imaging", "A red square", ("square.png", &png)).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let png_hash: String = sqlx::query_scalar("SELECT hash FROM images WHERE format = 'png'")
        .fetch_one(&app.state.pool)
        .await
        .expect("hash");
    let served = app.get(&format!("/media/{png_hash}-300.png")).await;
    assert_eq!(served.status, StatusCode::OK);
    assert!(!served.raw.windows(13).any(|w| w == b"secret-author"));
    assert_eq!(
        app.get(&format!("/media/{png_hash}-640.png")).await.status,
        StatusCode::NOT_FOUND
    );

    // In a lesson: without alt text content check refuses it at its line; with it, the
    // published lesson offers phones the small copy.
    save(
        &app,
        &ana,
        "course",
        "imaging",
        "01-introduction.md",
        &format!("# Introduction\n\nThe cart:\n\n![](/media/{hash}-1000.jpeg)\n"),
    )
    .await;
    let editor = app
        .get_as(
            "/studio/course/imaging/files/01-introduction.md",
            &ana.cookie,
        )
        .await;
    editor.assert_contains("Line 5: ");
    editor.assert_contains("an image needs alt text");
    save(
        &app,
        &ana,
        "course",
        "imaging",
        "01-introduction.md",
        &format!("# Introduction\n\nThe cart:\n\n{line}\n"),
    )
    .await;
    publish(&app, &ana, "course", "imaging").await;
    let lesson = app.get("/courses/imaging/introduction").await;
    assert_eq!(lesson.status, StatusCode::OK, "{}", lesson.body);
    lesson.assert_contains(&format!(
        "srcset=\"/media/{hash}-640.jpeg 640w, /media/{hash}-1000.jpeg 1000w\""
    ));
    lesson.assert_contains("alt=\"A nurse's tablet on a cart\"");
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&amp;", "&")
}

/// The value of attribute `name` in a tag's text, if it has it.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let needle = format!(" {name}=\"");
    let start = tag.find(&needle)? + needle.len();
    Some(unescape(tag[start..].split('"').next().unwrap_or_default()))
}

/// What a browser without JavaScript sends when the form posting to `action` is submitted
/// as the page shows it: inputs (ticked boxes only), text areas and selected options.
fn form_values(body: &str, action: &str) -> Vec<(String, String)> {
    let start = body
        .find(&format!("action=\"{action}\""))
        .unwrap_or_else(|| panic!("no form for {action}: {body}"));
    let form = &body[start..start + body[start..].find("</form>").expect("form end")];
    let mut values = Vec::new();
    let mut rest = form;
    while let Some(at) = rest.find('<') {
        rest = &rest[at..];
        let end = rest.find('>').expect("tag end");
        let tag = &rest[..=end];
        if tag.starts_with("<input") {
            let kind = attribute(tag, "type").unwrap_or_default();
            if let Some(name) = attribute(tag, "name")
                && (kind != "checkbox" || tag.contains(" checked"))
            {
                values.push((name, attribute(tag, "value").unwrap_or_default()));
            }
        } else if tag.starts_with("<textarea") {
            let name = attribute(tag, "name").expect("name");
            let close = rest.find("</textarea>").expect("close");
            let text = &rest[end + 1..close];
            // A text area's first line break is not part of its value.
            values.push((name, unescape(text.strip_prefix('\n').unwrap_or(text))));
        } else if tag.starts_with("<select") {
            let name = attribute(tag, "name").expect("name");
            let close = rest.find("</select>").expect("close");
            let options = &rest[end + 1..close];
            let chosen = options
                .split("<option")
                .find(|o| o.contains(" selected"))
                .and_then(|o| attribute(o, "value"))
                .unwrap_or_default();
            values.push((name, chosen));
        }
        rest = &rest[1..];
    }
    values
}

fn set_field(values: &mut [(String, String)], name: &str, value: &str) {
    let field = values
        .iter_mut()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no field {name}"));
    field.1 = value.to_owned();
}

async fn post_details(
    app: &TestApp,
    who: &User,
    values: &[(String, String)],
) -> crate::support::Page {
    let fields: Vec<(&str, &str)> = values
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    app.post_form("/studio/details", &fields, Some(&who.cookie))
        .await
}

/// The error paragraph shown at a field, if any.
fn error_at(page: &crate::support::Page, field: &str) -> Option<String> {
    let needle = format!("id=\"field-{}-error\"", field.replace('.', "-"));
    let at = page.body.find(&needle)?;
    let start = at + page.body[at..].find('>')? + 1;
    Some(unescape(
        page.body[start..].split("</p>").next().unwrap_or_default(),
    ))
}

#[tokio::test]
async fn the_details_form_edits_front_matter_and_shows_problems_at_their_fields() {
    let app = TestApp::new().await;
    let ana = educator(&app, "ana@clinic.org").await;
    let bea = educator(&app, "bea@clinic.org").await;
    start(&app, &ana, "course", "forms", "Forms at a distance").await;
    let page_path = "/studio/course/forms/details";
    assert_eq!(
        app.get_as(page_path, &bea.cookie).await.status,
        StatusCode::NOT_FOUND
    );

    let page = app.get_as(page_path, &ana.cookie).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let mut values = form_values(&page.body, "/studio/details");
    assert!(
        values
            .iter()
            .any(|(n, v)| n == "title" && v == "Forms at a distance"),
        "{values:?}"
    );

    // An expiry before the release: content check's message, at the expiry's field; a
    // credit row added; a hostile title kept as text.
    let hostile = "Risk \" </title><script>alert(1)</script> = [x]";
    set_field(&mut values, "title", hostile);
    set_field(&mut values, "release_date", "2027-05-01");
    set_field(&mut values, "expiry_date", "2027-01-01");
    set_field(
        &mut values,
        "objectives",
        "Name the risks\r\nPlan around them\r\n",
    );
    let row = values
        .iter()
        .filter(|(n, _)| n.starts_with("credits.") && n.ends_with(".type"))
        .count()
        - 1;
    set_field(
        &mut values,
        &format!("credits.{row}.type"),
        "nursing-contact-hours",
    );
    set_field(&mut values, &format!("credits.{row}.max_hours"), "0.75");
    values.push(("professions:pharmacist".into(), "on".into()));
    let saved = post_details(&app, &ana, &values).await;
    assert_eq!(saved.location(), page_path, "{}", saved.body);
    let page = app.get_as(page_path, &ana.cookie).await;
    page.assert_contains("Saved in the draft");
    let at_expiry = error_at(&page, "expiry_date").unwrap_or_else(|| panic!("{}", page.body));
    assert!(
        at_expiry.contains("must be after release_date"),
        "{at_expiry}"
    );
    assert!(!page.body.contains("<script>alert(1)"), "the title is text");
    let stored: String =
        sqlx::query_scalar("SELECT text FROM studio_draft_files WHERE name = 'course.md'")
            .fetch_one(&app.state.pool)
            .await
            .expect("file");
    assert!(
        stored.contains("objectives = [\n  \"Name the risks\",\n  \"Plan around them\",\n]"),
        "{stored}"
    );
    assert!(stored.contains("max_hours = 0.75"), "{stored}");
    assert!(stored.contains("\"pharmacist\""), "{stored}");

    // Corrected, content check accepts it and it publishes with the typed title.
    let mut values = form_values(&page.body, "/studio/details");
    set_field(&mut values, "expiry_date", "2028-04-30");
    let stale = values.clone();
    let saved = post_details(&app, &ana, &values).await;
    assert_eq!(saved.location(), page_path);
    let page = app.get_as(page_path, &ana.cookie).await;
    assert_eq!(error_at(&page, "expiry_date"), None, "{}", page.body);
    publish(&app, &ana, "course", "forms").await;
    let card = app.get("/courses/forms").await;
    assert_eq!(card.status, StatusCode::OK);
    card.assert_contains("Risk &quot; &lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt; = [x]");
    assert!(!card.body.contains("<script>alert(1)"), "{}", card.body);

    // A form from before that save is refused and the values come back; nothing written.
    let before: String =
        sqlx::query_scalar("SELECT text FROM studio_draft_files WHERE name = 'course.md'")
            .fetch_optional(&app.state.pool)
            .await
            .expect("query")
            .unwrap_or_default();
    let mut stale = stale;
    set_field(&mut stale, "summary", "Typed on the stale form.");
    let refused = post_details(&app, &ana, &stale).await;
    assert_eq!(refused.location(), page_path);
    let page = app.get_as(page_path, &ana.cookie).await;
    page.assert_contains("changed since you opened this form");
    page.assert_contains("Typed on the stale form.");

    // NUL, a field sent twice and a 100 KB value: refused, said, nothing written.
    let fresh = form_values(
        &app.get_as(page_path, &ana.cookie).await.body,
        "/studio/details",
    );
    let mut nul = fresh.clone();
    set_field(&mut nul, "summary", "A\0B");
    let mut twice = fresh.clone();
    twice.push(("title".into(), "Again".into()));
    let mut long = fresh.clone();
    set_field(&mut long, "summary", &"x".repeat(100 * 1024));
    for (values, message) in [
        (nul, "NUL"),
        (twice, "sent more than once"),
        (long, "at most 20 KB"),
    ] {
        let refused = post_details(&app, &ana, &values).await;
        assert_eq!(refused.location(), page_path);
        app.get_as(page_path, &ana.cookie)
            .await
            .assert_contains(message);
    }
    let after: String =
        sqlx::query_scalar("SELECT text FROM studio_draft_files WHERE name = 'course.md'")
            .fetch_optional(&app.state.pool)
            .await
            .expect("query")
            .unwrap_or_default();
    assert_eq!(before, after);

    // A webinar's sessions: a zone that is not one is shown at the session's zone field.
    start(&app, &ana, "webinar", "forms-live", "Forms, live").await;
    let path = "/studio/webinar/forms-live/details";
    let mut values = form_values(&app.get_as(path, &ana.cookie).await.body, "/studio/details");
    set_field(&mut values, "sessions.0.zone", "Mars/Olympus");
    set_field(&mut values, "attendance.min_minutes", "");
    set_field(&mut values, "attendance.min_percent", "80");
    let saved = post_details(&app, &ana, &values).await;
    assert_eq!(saved.location(), path);
    let page = app.get_as(path, &ana.cookie).await;
    let at_zone = error_at(&page, "sessions.0.zone").unwrap_or_else(|| panic!("{}", page.body));
    assert!(at_zone.contains("Mars/Olympus"), "{at_zone}");
    let stored: String =
        sqlx::query_scalar("SELECT text FROM studio_draft_files WHERE name = 'forms-live.md'")
            .fetch_one(&app.state.pool)
            .await
            .expect("file");
    assert!(
        stored.contains("[attendance]\nmin_percent = 80"),
        "{stored}"
    );
}

#[tokio::test]
async fn the_live_preview_renders_typed_text_for_owners_only_and_saves_nothing() {
    let app = TestApp::new().await;
    let ana = educator(&app, "ana@clinic.org").await;
    let bea = educator(&app, "bea@clinic.org").await;
    start(&app, &ana, "course", "live", "Live preview").await;
    let typed =
        "# Typed\n\nNot saved <img src=x onerror=alert(1)><script>alert(2)</script> **yet**.\n";
    async fn ask(app: &TestApp, who: &User, text: &str) -> crate::support::Page {
        let fields = [
            ("kind", "course"),
            ("slug", "live"),
            ("name", "01-introduction.md"),
            ("text", text),
        ];
        app.post_form("/api/studio-preview", &fields, Some(&who.cookie))
            .await
    }
    // The file's page is the one that loads the site's script and wasm (the island), with
    // preload links that carry no nonce; the draft's page, like every other, loads none.
    let editor = app
        .get_as("/studio/course/live/files/01-introduction.md", &ana.cookie)
        .await;
    assert_eq!(editor.body.matches("crossorigin=\"anonymous\"").count(), 2);
    let csp = editor.header("content-security-policy");
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a nonce");
    assert!(!editor.body.contains(&format!("crossorigin=\"{nonce}\"")));
    editor.assert_contains("/pkg/grandrounds.js");
    editor.assert_contains("/pkg/grandrounds_bg.wasm");
    let draft = app.get_as("/studio/course/live", &ana.cookie).await;
    assert!(!draft.body.contains("/pkg/grandrounds.js"));

    let shown = ask(&app, &ana, typed).await;
    assert_eq!(shown.status, StatusCode::OK, "{}", shown.body);
    let data: serde_json::Value = serde_json::from_str(&shown.body).expect("json");
    let html = data["html"].as_str().expect("html");
    assert!(html.contains("<strong>yet</strong>"), "{html}");
    assert!(
        html.contains("<strong>Typed</strong>"),
        "the lesson's title: {html}"
    );
    assert!(
        !html.contains("onerror") && !html.contains("<script"),
        "{html}"
    );
    let stored: String =
        sqlx::query_scalar("SELECT text FROM studio_draft_files WHERE name = '01-introduction.md'")
            .fetch_optional(&app.state.pool)
            .await
            .expect("query")
            .unwrap_or_default();
    assert!(!stored.contains("Not saved"), "nothing saved");

    // Another educator's request is refused as if there were no such activity; NUL and a
    // text over a file's limit are refused.
    assert_eq!(ask(&app, &bea, typed).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        ask(&app, &ana, "A\0B").await.status,
        StatusCode::BAD_REQUEST
    );
    let long = "x".repeat(300 * 1024);
    assert_eq!(ask(&app, &ana, &long).await.status, StatusCode::BAD_REQUEST);
}

/// The same details form sent 20 times at once is saved once: the others were made from
/// the version the first one replaced, and are refused as stale, writing nothing.
#[tokio::test]
async fn the_same_details_form_sent_twenty_times_at_once_is_saved_once() {
    let app = TestApp::new().await;
    let ana = educator(&app, "ana@clinic.org").await;
    start(&app, &ana, "course", "burst", "Burst").await;
    let path = "/studio/course/burst/details";
    let mut values = form_values(&app.get_as(path, &ana.cookie).await.body, "/studio/details");
    set_field(&mut values, "summary", "Sent twenty times at once.");
    let sends = (0..20).map(|_| post_details(&app, &ana, &values));
    for page in futures::future::join_all(sends).await {
        assert_eq!(page.location(), path);
    }
    let (text, version): (String, i64) =
        sqlx::query_as("SELECT text, version FROM studio_draft_files WHERE name = 'course.md'")
            .fetch_one(&app.state.pool)
            .await
            .expect("file");
    assert!(text.contains("Sent twenty times at once."), "{text}");
    assert_eq!(version, 1, "one save, nineteen refused as stale");
}
