//! Enrollment and lesson progress through the real router.

use crate::support::{COURSE, TestApp, copy_dir, demo_content};
use http::StatusCode;

#[tokio::test]
async fn enroll_open_and_complete_lessons_and_see_progress() {
    let app = TestApp::new().await;
    let anonymous = app.get(&format!("/courses/{COURSE}")).await;
    anonymous.assert_contains("to enroll and earn credit");

    let cookie = app.learner("lee@clinic.org").await.cookie;
    let course = app.get_as(&format!("/courses/{COURSE}"), &cookie).await;
    course.assert_contains("Enroll in this course");

    for _ in 0..2 {
        let page = app
            .post_form("/learning/enroll", &[("course", COURSE)], Some(&cookie))
            .await;
        assert_eq!(page.location(), format!("/courses/{COURSE}"));
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM enrollments").await,
        1,
        "enrolling twice is one enrollment"
    );
    let course = app.get_as(&format!("/courses/{COURSE}"), &cookie).await;
    course.assert_contains("You are enrolled.");
    course.assert_contains("0 of 5 lessons complete");

    let lesson = app
        .get_as(
            &format!("/courses/{COURSE}/telehealth-and-telemedicine"),
            &cookie,
        )
        .await;
    lesson.assert_contains("Mark this lesson complete");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM lesson_progress WHERE first_opened_at IS NOT NULL AND completed_at IS NULL").await,
        1,
        "opening is recorded"
    );
    let done = app
        .post_form(
            "/learning/complete",
            &[
                ("course", COURSE),
                ("lesson", "telehealth-and-telemedicine"),
            ],
            Some(&cookie),
        )
        .await;
    assert_eq!(
        done.location(),
        format!("/courses/{COURSE}/telehealth-and-telemedicine")
    );
    let first: String = sqlx::query_scalar("SELECT completed_at FROM lesson_progress")
        .fetch_one(&app.state.pool)
        .await
        .expect("completed");
    app.post_form(
        "/learning/complete",
        &[
            ("course", COURSE),
            ("lesson", "telehealth-and-telemedicine"),
        ],
        Some(&cookie),
    )
    .await;
    let again: String = sqlx::query_scalar("SELECT completed_at FROM lesson_progress")
        .fetch_one(&app.state.pool)
        .await
        .expect("completed");
    assert_eq!(first, again, "the first completion time is kept");

    app.get_as(
        &format!("/courses/{COURSE}/telehealth-and-telemedicine"),
        &cookie,
    )
    .await
    .assert_contains("You completed this lesson.");
    let learning = app.get_as("/learning", &cookie).await;
    assert_eq!(learning.status, StatusCode::OK);
    learning.assert_contains("1 of 5 lessons complete");
    learning.assert_contains("Continue: The four modalities of remote care");
}

#[tokio::test]
async fn progress_needs_an_enrollment_and_a_real_lesson() {
    let app = TestApp::new().await;
    let cookie = app.learner("lee@clinic.org").await.cookie;
    let page = app
        .post_form(
            "/learning/complete",
            &[("course", COURSE), ("lesson", "modalities")],
            Some(&cookie),
        )
        .await;
    assert_eq!(page.location(), format!("/courses/{COURSE}"));
    app.get_as(
        &format!("/courses/{COURSE}"),
        &page.session_cookie().unwrap_or(cookie.clone()),
    )
    .await
    .assert_contains("Enroll in the course first");
    assert_eq!(app.count("SELECT COUNT(*) FROM lesson_progress").await, 0);

    app.post_form("/learning/enroll", &[("course", COURSE)], Some(&cookie))
        .await;
    app.post_form(
        "/learning/complete",
        &[("course", COURSE), ("lesson", "no-such-lesson")],
        Some(&cookie),
    )
    .await;
    assert_eq!(app.count("SELECT COUNT(*) FROM lesson_progress").await, 0);
    let unknown = app
        .post_form(
            "/learning/enroll",
            &[("course", "no-such-course")],
            Some(&cookie),
        )
        .await;
    assert_eq!(unknown.location(), "/courses");
    assert_eq!(app.count("SELECT COUNT(*) FROM enrollments").await, 1);
    assert_eq!(
        app.get("/learning").await.location(),
        "/login?next=/learning"
    );
}

#[tokio::test]
async fn an_enrolled_learner_keeps_their_revision_after_an_update() {
    let dir = tempfile::tempdir().expect("dir");
    let content = dir.path().join("content");
    copy_dir(&demo_content(), &content);
    let app = TestApp::with_content(&content).await;
    let cookie = app.learner("lee@clinic.org").await.cookie;
    app.post_form("/learning/enroll", &[("course", COURSE)], Some(&cookie))
        .await;

    let lesson = content.join(format!("courses/{COURSE}/02-modalities.md"));
    let text = std::fs::read_to_string(&lesson).expect("read");
    std::fs::write(
        &lesson,
        text.replace(
            "## Live video (synchronous)",
            "## Real-time video (synchronous)",
        ),
    )
    .expect("write");
    let report = server::content::load_dir(&content);
    server::content::import::import(&app.state.pool, &report.courses, &report.present)
        .await
        .expect("import");
    app.state
        .catalog
        .reload(&app.state.pool)
        .await
        .expect("reload");

    let path = format!("/courses/{COURSE}/modalities");
    app.get(&path)
        .await
        .assert_contains("Real-time video (synchronous)");
    let pinned = app.get_as(&path, &cookie).await;
    pinned.assert_contains("Live video (synchronous)");
    assert!(!pinned.body.contains("Real-time video"));
    let learning = app.get_as("/learning", &cookie).await;
    learning.assert_contains(
        "A newer version of this course (revision 2) is published. You continue on revision 1",
    );
    learning.assert_contains("Switch to revision 2");

    // Offered, never forced: the learner switches when they choose, and progress carries over.
    app.post_form(
        "/learning/complete",
        &[("course", COURSE), ("lesson", "modalities")],
        Some(&cookie),
    )
    .await;
    let switched = app
        .post_form("/learning/switch", &[("course", COURSE)], Some(&cookie))
        .await;
    assert_eq!(switched.location(), format!("/courses/{COURSE}"));
    let course = app.get_as(&format!("/courses/{COURSE}"), &cookie).await;
    course.assert_contains("You are now on revision 2.");
    course.assert_contains("1 of 5 lessons complete");
    app.get_as(&path, &cookie)
        .await
        .assert_contains("Real-time video (synchronous)");
    app.post_form("/learning/switch", &[("course", COURSE)], Some(&cookie))
        .await;
    app.get_as(&format!("/courses/{COURSE}"), &cookie)
        .await
        .assert_contains("You are already on the newest revision (2).");
}
