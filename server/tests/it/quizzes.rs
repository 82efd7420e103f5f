//! The learning loop's end through the real router: quizzes (idempotent, graded on the
//! server, tampering refused with nothing recorded), evaluation, completion and claims.

use crate::support::{TestApp, copy_dir, demo_content};
use server::quizzes::Quiz;

pub(crate) const COURSE: &str = "telehealth-for-clinical-teams";
const PASSWORD: &str = "river lantern quietly";

pub(crate) async fn learner(app: &TestApp, email: &str, profession: &str) -> String {
    let page = app
        .post_form(
            "/account/register",
            &[
                ("email", email),
                ("password", PASSWORD),
                ("full_name", "Ana Silva"),
                ("profession", profession),
            ],
            None,
        )
        .await;
    assert_eq!(page.location(), "/account", "{}", page.body);
    let cookie = page.session_cookie().expect("cookie");
    let enrolled = app
        .post_form("/learning/enroll", &[("course", COURSE)], Some(&cookie))
        .await;
    assert_eq!(enrolled.location(), format!("/courses/{COURSE}"));
    cookie
}

pub(crate) async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(&app.state.pool)
        .await
        .expect("count")
}

pub(crate) async fn stored_quiz(app: &TestApp, kind: &str) -> Quiz {
    let definition: String = sqlx::query_scalar(
        "SELECT q.definition FROM quiz_revisions q JOIN course_revisions r ON r.id = q.revision_id \
         JOIN courses c ON c.id = r.course_id WHERE c.slug = $1 AND q.kind = $2 ORDER BY r.number DESC LIMIT 1",
    )
    .bind(COURSE)
    .bind(kind)
    .fetch_one(&app.state.pool)
    .await
    .expect("quiz stored");
    serde_json::from_str(&definition).expect("quiz definition")
}

/// Every correct `(field, option)` pair, or every wrong one when `right` is false.
pub(crate) fn answers(quiz: &Quiz, right: bool) -> Vec<(String, String)> {
    quiz.questions
        .iter()
        .flat_map(|q| {
            let picked: Vec<_> = if right {
                q.options.iter().filter(|o| o.correct).collect()
            } else {
                q.options.iter().filter(|o| !o.correct).take(1).collect()
            };
            picked
                .into_iter()
                .map(|o| (format!("q-{}", q.id), o.id.clone()))
        })
        .collect()
}

pub(crate) fn token(body: &str) -> String {
    let start = body
        .find("name=\"token\" value=\"")
        .expect("the quiz form carries a token")
        + "name=\"token\" value=\"".len();
    body[start..]
        .split('"')
        .next()
        .expect("token value")
        .to_owned()
}

pub(crate) async fn open_quiz(app: &TestApp, cookie: &str, kind: &str) -> String {
    let page = app
        .get_as(&format!("/learning/{COURSE}/quiz/{kind}"), cookie)
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    token(&page.body)
}

pub(crate) async fn submit(
    app: &TestApp,
    cookie: &str,
    token: &str,
    answers: &[(String, String)],
) -> crate::support::Page {
    let mut fields: Vec<(&str, &str)> = vec![("token", token)];
    fields.extend(answers.iter().map(|(q, o)| (q.as_str(), o.as_str())));
    app.post_form("/learning/quiz", &fields, Some(cookie)).await
}

const SUBMITTED: &str = "SELECT COUNT(*) FROM quiz_attempts WHERE number IS NOT NULL";

#[tokio::test]
async fn enroll_study_fail_pass_evaluate_and_claim() {
    let app = TestApp::new().await;
    let cookie = learner(&app, "ana@clinic.org", "nurse").await;
    let post = stored_quiz(&app, "post").await;
    let pre = stored_quiz(&app, "pre").await;

    // The quiz page carries the questions but never the answer key or the explanations.
    let page = app
        .get_as(&format!("/learning/{COURSE}/quiz/post-test"), &cookie)
        .await;
    page.assert_contains(&post.questions[0].prompt);
    page.assert_contains("type=\"radio\"");
    page.assert_contains("type=\"checkbox\"");
    assert!(
        !page.body.contains("\"correct\""),
        "no answer key in the page"
    );
    assert!(
        !page.body.contains("within it"),
        "no explanation before submission"
    );

    // Pre-test: a baseline, one attempt.
    let pre_token = open_quiz(&app, &cookie, "pre-test").await;
    let wrong_pre = answers(&pre, false);
    let done = submit(&app, &cookie, &pre_token, &wrong_pre).await;
    assert_eq!(
        done.location(),
        format!("/learning/{COURSE}/quiz/pre-test/1")
    );
    let closed = app
        .get_as(&format!("/learning/{COURSE}/quiz/pre-test"), &cookie)
        .await;
    closed.assert_contains("You have taken the pre-test");
    assert!(!closed.body.contains("name=\"token\""));

    // Claiming too early is refused and records nothing.
    let early = app
        .post_form(
            "/learning/claim",
            &[("course", COURSE), ("hours-nursing-contact-hours", "1")],
            Some(&cookie),
        )
        .await;
    assert_eq!(early.location(), format!("/learning/{COURSE}/credit"));
    app.get_as(&format!("/learning/{COURSE}/credit"), &cookie)
        .await
        .assert_contains("To claim credit, complete every lesson, pass the post-test and submit the evaluation first.");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM credit_claims").await, 0);

    // The lessons.
    let lessons: Vec<String> = sqlx::query_scalar(
        "SELECT l.slug FROM lesson_revisions l JOIN enrollments e ON e.revision_id = l.revision_id ORDER BY l.position",
    )
    .fetch_all(&app.state.pool)
    .await
    .expect("lessons");
    assert_eq!(lessons.len(), 5);
    for lesson in &lessons {
        app.post_form(
            "/learning/complete",
            &[("course", COURSE), ("lesson", lesson)],
            Some(&cookie),
        )
        .await;
    }

    // Post-test, attempt 1: everything wrong. Sending the same form again records nothing new.
    let first = open_quiz(&app, &cookie, "post-test").await;
    let wrong = answers(&post, false);
    for _ in 0..2 {
        let failed = submit(&app, &cookie, &first, &wrong).await;
        assert_eq!(
            failed.location(),
            format!("/learning/{COURSE}/quiz/post-test/1")
        );
    }
    assert_eq!(count(&app, SUBMITTED).await, 2, "pre-test + one post-test");
    let result = app
        .get_as(&format!("/learning/{COURSE}/quiz/post-test/1"), &cookie)
        .await;
    result.assert_contains("attempt 1: 0 %");
    result.assert_contains("Not passed: the pass mark is 75 %.");
    result.assert_contains("your answer, incorrect");
    result.assert_contains("correct answer");
    result.assert_contains("within it");
    result.assert_contains("Try the post-test again");

    // Tampered submissions: refused, nothing recorded, the attempt stays open.
    let second = open_quiz(&app, &cookie, "post-test").await;
    assert_ne!(second, first, "a new attempt gets a new token");
    let q0 = format!("q-{}", post.questions[0].id);
    let single = post
        .questions
        .iter()
        .find(|q| !q.is_multiple())
        .expect("a single-choice question");
    let mut two_for_single = answers(&post, true);
    two_for_single.extend(
        single
            .options
            .iter()
            .filter(|o| !o.correct)
            .take(1)
            .map(|o| (format!("q-{}", single.id), o.id.clone())),
    );
    let other_quiz = pre
        .questions
        .iter()
        .find(|q| !post.questions.iter().any(|p| p.id == q.id))
        .expect("a pre-test question");
    let mut with_other = answers(&post, true);
    with_other.push((format!("q-{}", other_quiz.id), "a".into()));
    let mut unknown_option = answers(&post, true);
    unknown_option.push((q0.clone(), "z".into()));
    let cases: Vec<(Vec<(String, String)>, &str)> = vec![
        (unknown_option, "chooses an option (\"z\")"),
        (with_other, "that is not in this quiz"),
        (two_for_single, "several answers to one-answer question"),
        (
            vec![("score".into(), "100".into())],
            "a field this quiz does not have",
        ),
    ];
    for (fields, message) in cases {
        let refused = submit(&app, &cookie, &second, &fields).await;
        assert_eq!(
            refused.location(),
            format!("/learning/{COURSE}/quiz/post-test")
        );
        let shown = app
            .get_as(&format!("/learning/{COURSE}/quiz/post-test"), &cookie)
            .await;
        shown.assert_contains(message);
        shown.assert_contains("nothing was recorded");
        assert_eq!(token(&shown.body), second, "the same attempt stays open");
        assert_eq!(
            count(&app, SUBMITTED).await,
            2,
            "{message}: nothing recorded"
        );
    }

    // Someone else's token is not theirs to submit.
    let other = learner(&app, "bo@clinic.org", "nurse").await;
    let stolen = submit(&app, &other, &second, &answers(&post, true)).await;
    assert_eq!(stolen.location(), "/learning");
    app.get_as("/learning", &other)
        .await
        .assert_contains("That quiz form is not one we gave you");
    assert_eq!(count(&app, SUBMITTED).await, 2);

    // An unanswered question: refused, the other answers kept.
    let mut partial = answers(&post, true);
    partial.retain(|(q, _)| *q != q0);
    let refused = submit(&app, &cookie, &second, &partial).await;
    assert_eq!(
        refused.location(),
        format!("/learning/{COURSE}/quiz/post-test")
    );
    let shown = app
        .get_as(&format!("/learning/{COURSE}/quiz/post-test"), &cookie)
        .await;
    shown.assert_contains("Answer every question before you submit");
    shown.assert_contains("Choose an answer.");
    assert!(shown.body.matches("checked").count() >= partial.len());
    assert_eq!(count(&app, SUBMITTED).await, 2);

    // Attempt 2 passes.
    let passed = submit(&app, &cookie, &second, &answers(&post, true)).await;
    assert_eq!(
        passed.location(),
        format!("/learning/{COURSE}/quiz/post-test/2")
    );
    let result = app
        .get_as(&format!("/learning/{COURSE}/quiz/post-test/2"), &cookie)
        .await;
    result.assert_contains("attempt 2: 100 %");
    result.assert_contains("Passed: the pass mark is 75 %.");
    app.get_as(&format!("/learning/{COURSE}/quiz/post-test"), &cookie)
        .await
        .assert_contains("You passed the post-test");
    app.get_as(&format!("/courses/{COURSE}"), &cookie)
        .await
        .assert_contains("post-test 100 % (passed)");
    // Another learner's attempt is not visible.
    assert_eq!(
        app.get_as(&format!("/learning/{COURSE}/quiz/post-test/2"), &other)
            .await
            .status,
        404
    );

    // Evaluation: every statement rated, the commitment-to-change answered.
    let bad = app
        .post_form(
            "/learning/evaluation",
            &[
                ("course", COURSE),
                ("rating-0", "4"),
                ("rating-1", "7"),
                ("practice_change", "  "),
                ("comments", "Clear and short."),
            ],
            Some(&cookie),
        )
        .await;
    assert_eq!(bad.location(), format!("/learning/{COURSE}/credit"));
    let page = app
        .get_as(&format!("/learning/{COURSE}/credit"), &cookie)
        .await;
    page.assert_contains("Choose one of the five answers");
    page.assert_contains("Choose how far you agree.");
    page.assert_contains("Say what you will change in your practice");
    page.assert_contains("Clear and short.");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM evaluations").await, 0);
    let evaluation = [
        ("course", COURSE),
        ("rating-0", "5"),
        ("rating-1", "4"),
        ("rating-2", "5"),
        (
            "practice_change",
            "Offer video follow-up to patients who live far from the clinic.",
        ),
        ("comments", ""),
    ];
    app.post_form("/learning/evaluation", &evaluation, Some(&cookie))
        .await;
    app.get_as(&format!("/learning/{COURSE}/credit"), &cookie)
        .await
        .assert_contains("your evaluation is recorded");
    app.post_form("/learning/evaluation", &evaluation, Some(&cookie))
        .await;
    app.get_as(&format!("/learning/{COURSE}/credit"), &cookie)
        .await
        .assert_contains("it cannot be changed");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM evaluations").await, 1);

    // The claim: quarter hours, up to the maximum, only the learner's own credit type.
    let page = app
        .get_as(&format!("/learning/{COURSE}/credit"), &cookie)
        .await;
    page.assert_contains("Nursing contact hours (at most 1)");
    page.assert_contains("<option value=\"0.75\"");
    for (field, hours, message) in [
        (
            "hours-nursing-contact-hours",
            "0.3",
            "not a quarter-hour step",
        ),
        (
            "hours-nursing-contact-hours",
            "5",
            "at most 1 Nursing contact hours",
        ),
        (
            "hours-nursing-contact-hours",
            "",
            "Choose the hours you spent",
        ),
        ("hours-ama-pra-category-1", "1", "You cannot claim"),
    ] {
        app.post_form(
            "/learning/claim",
            &[("course", COURSE), (field, hours)],
            Some(&cookie),
        )
        .await;
        app.get_as(&format!("/learning/{COURSE}/credit"), &cookie)
            .await
            .assert_contains(message);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM credit_claims").await, 0);
    }
    app.post_form(
        "/learning/claim",
        &[("course", COURSE), ("hours-nursing-contact-hours", "0.75")],
        Some(&cookie),
    )
    .await;
    let page = app
        .get_as(&format!("/learning/{COURSE}/credit"), &cookie)
        .await;
    page.assert_contains("Your claim of 0.75 Nursing contact hours is recorded");
    let (quarters, kind, completed_on, revision): (i64, String, String, i64) = sqlx::query_as(
        "SELECT quarters, credit_type, completed_on, revision_id FROM credit_claims",
    )
    .fetch_one(&app.state.pool)
    .await
    .expect("claim");
    assert_eq!((quarters, kind.as_str()), (3, "nursing-contact-hours"));
    assert_eq!(completed_on.len(), 10, "an ISO date: {completed_on}");
    let pinned: i64 = sqlx::query_scalar("SELECT revision_id FROM enrollments WHERE id = 1")
        .fetch_one(&app.state.pool)
        .await
        .expect("enrollment");
    assert_eq!(revision, pinned, "the claim names the revision studied");
    app.post_form(
        "/learning/claim",
        &[("course", COURSE), ("hours-nursing-contact-hours", "1")],
        Some(&cookie),
    )
    .await;
    app.get_as(&format!("/learning/{COURSE}/credit"), &cookie)
        .await
        .assert_contains("a claim cannot be changed");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM credit_claims").await, 1);
    app.get_as("/learning", &cookie)
        .await
        .assert_contains("credit claimed on");
}

#[tokio::test]
async fn attempts_stop_at_the_maximum_and_are_graded_on_their_revision() {
    let content = tempfile::tempdir().expect("temp dir");
    copy_dir(&demo_content(), content.path());
    let app = TestApp::with_content(content.path()).await;
    let cookie = learner(&app, "cy@clinic.org", "physician").await;
    let post = stored_quiz(&app, "post").await;
    let wrong = answers(&post, false);
    let mut last = String::new();
    for attempt in 1..=3 {
        last = open_quiz(&app, &cookie, "post-test").await;
        let page = submit(&app, &cookie, &last, &wrong).await;
        assert_eq!(
            page.location(),
            format!("/learning/{COURSE}/quiz/post-test/{attempt}")
        );
    }
    let page = app
        .get_as(&format!("/learning/{COURSE}/quiz/post-test"), &cookie)
        .await;
    page.assert_contains("You have used all 3 attempts at the post-test.");
    assert!(!page.body.contains("name=\"token\""));
    // The last form sent again still lands on its own result, and nothing is added.
    let again = submit(&app, &cookie, &last, &answers(&post, true)).await;
    assert_eq!(
        again.location(),
        format!("/learning/{COURSE}/quiz/post-test/3")
    );
    assert_eq!(count(&app, SUBMITTED).await, 3);
    app.get_as(&format!("/learning/{COURSE}/quiz/post-test/3"), &cookie)
        .await
        .assert_contains("attempt 3: 0 %");
}

#[tokio::test]
async fn an_open_attempt_is_graded_against_the_revision_it_started_on() {
    let content = tempfile::tempdir().expect("temp dir");
    copy_dir(&demo_content(), content.path());
    let app = TestApp::with_content(content.path()).await;
    let cookie = learner(&app, "di@clinic.org", "nurse").await;
    let post = stored_quiz(&app, "post").await;
    let token = open_quiz(&app, &cookie, "post-test").await;

    // The educator rewrites the post-test: the first question's correct option moves.
    let file = content
        .path()
        .join(format!("courses/{COURSE}/post-test.quiz.md"));
    let text = std::fs::read_to_string(&file).expect("quiz file");
    let changed = text
        .replacen(
            "- [x] Telemedicine is the clinical part",
            "- [ ] Telemedicine is the clinical part",
            1,
        )
        .replacen(
            "- [ ] They are two names for the same thing.",
            "- [x] They are two names for the same thing.",
            1,
        );
    assert_ne!(changed, text);
    std::fs::write(&file, changed).expect("write quiz");
    let state = TestApp::start_on(app.dir.path(), content.path()).await;
    let router = server::build_router(state.clone());
    let restarted = TestApp {
        router,
        state,
        dir: tempfile::tempdir().expect("unused"),
    };
    assert_eq!(
        count(&restarted, "SELECT COUNT(*) FROM course_revisions r JOIN courses c ON c.id = r.course_id WHERE c.slug = 'telehealth-for-clinical-teams'").await,
        2,
        "the edit made a new revision"
    );
    let done = submit(&restarted, &cookie, &token, &answers(&post, true)).await;
    assert_eq!(
        done.location(),
        format!("/learning/{COURSE}/quiz/post-test/1")
    );
    restarted
        .get_as(&format!("/learning/{COURSE}/quiz/post-test/1"), &cookie)
        .await
        .assert_contains("attempt 1: 100 %");
    // Passed on revision 1: the record stays there, so switching is no longer offered.
    restarted
        .post_form("/learning/switch", &[("course", COURSE)], Some(&cookie))
        .await;
    let course = restarted
        .get_as(&format!("/courses/{COURSE}"), &cookie)
        .await;
    course
        .assert_contains("You passed the post-test on revision 1, so you finish the course on it.");
    assert!(!course.body.contains("Switch to revision"));
}

#[tokio::test]
async fn sixty_four_learners_submitting_at_once_are_all_recorded() {
    let app = TestApp::new().await;
    let post = stored_quiz(&app, "post").await;
    let mut learners = Vec::new();
    for i in 0..64 {
        let cookie = learner(&app, &format!("learner{i}@clinic.org"), "nurse").await;
        let token = open_quiz(&app, &cookie, "post-test").await;
        learners.push((cookie, token));
    }
    let right = answers(&post, true);
    let router = app.router.clone();
    let tasks: Vec<_> = learners
        .into_iter()
        .map(|(cookie, token)| {
            let router = router.clone();
            let right = right.clone();
            tokio::spawn(async move {
                use tower::ServiceExt;
                let mut body = format!("token={token}");
                for (q, o) in &right {
                    body.push_str(&format!("&{q}={o}"));
                }
                let request = http::Request::post("/learning/quiz")
                    .header("content-type", "application/x-www-form-urlencoded")
                    .header("origin", crate::support::ORIGIN)
                    .header("cookie", cookie)
                    .body(axum::body::Body::from(body))
                    .expect("request");
                let response = router.oneshot(request).await.expect("answer");
                (
                    response.status(),
                    response
                        .headers()
                        .get("location")
                        .and_then(|l| l.to_str().ok())
                        .unwrap_or_default()
                        .to_owned(),
                )
            })
        })
        .collect();
    for task in tasks {
        let (status, location) = task.await.expect("task");
        assert_eq!(status, 303, "every submission is acknowledged");
        assert_eq!(location, format!("/learning/{COURSE}/quiz/post-test/1"));
    }
    assert_eq!(count(&app, SUBMITTED).await, 64);
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM quiz_attempts WHERE passed = TRUE"
        )
        .await,
        64
    );
}

/// Takes an enrolled learner through every lesson, a passing post-test and the evaluation.
pub(crate) async fn finish_course(app: &TestApp, cookie: &str) {
    let lessons: Vec<String> = sqlx::query_scalar(
        "SELECT l.slug FROM lesson_revisions l JOIN course_revisions r ON r.id = l.revision_id \
         JOIN courses c ON c.id = r.course_id WHERE c.slug = $1 ORDER BY r.number DESC, l.position LIMIT 5",
    )
    .bind(COURSE)
    .fetch_all(&app.state.pool)
    .await
    .expect("lessons");
    for lesson in &lessons {
        app.post_form(
            "/learning/complete",
            &[("course", COURSE), ("lesson", lesson)],
            Some(cookie),
        )
        .await;
    }
    let post = stored_quiz(app, "post").await;
    let token = open_quiz(app, cookie, "post-test").await;
    submit(app, cookie, &token, &answers(&post, true)).await;
    app.post_form(
        "/learning/evaluation",
        &[
            ("course", COURSE),
            ("rating-0", "5"),
            ("rating-1", "5"),
            ("rating-2", "4"),
            (
                "practice_change",
                "Use video follow-up for stable patients.",
            ),
        ],
        Some(cookie),
    )
    .await;
}
