//! The accreditation export through the real router: only consenting learners are listed,
//! the others counted, and every download audited.

use crate::support::{COURSE, TestApp, claim, finish_course};
use app::accounts::Role;

#[tokio::test]
async fn the_accreditation_export_lists_only_consenting_learners() {
    let app = TestApp::new().await;
    let consenting = app.enrolled("ana@clinic.org", "nurse").await.cookie;
    let private = app.enrolled("bo@clinic.org", "nurse").await.cookie;
    sqlx::query(
        "UPDATE users SET consent_reporting = TRUE, npi = '1234567893', licence_number = 'RN-55', \
         licence_state = 'NM', birth_month = 4, birth_day = 9 WHERE email = 'ana@clinic.org'",
    )
    .execute(&app.state.pool)
    .await
    .expect("consent");
    for cookie in [&consenting, &private] {
        finish_course(&app, cookie).await;
        claim(&app, cookie).await;
    }
    app.user("admin@clinic.org", Role::Admin).await;
    let admin = app.sign_in("admin@clinic.org").await;

    // Learners cannot see or export it.
    assert_eq!(app.get_as("/admin/reports", &consenting).await.status, 403);
    assert_eq!(
        app.get_as("/admin/export.csv", &consenting).await.status,
        403
    );

    let page = app
        .get_as(&format!("/admin/reports?activity={COURSE}"), &admin)
        .await;
    assert_eq!(page.status, 200);
    page.assert_contains("1 completion will be listed; 1 not listed");
    let csv = app
        .get_as(&format!("/admin/export.csv?activity={COURSE}"), &admin)
        .await;
    assert_eq!(csv.status, 200);
    let lines: Vec<&str> = csv.body.lines().collect();
    assert_eq!(lines[0], server::reports::COLUMNS.join(","));
    assert_eq!(lines.len(), 2, "one listed learner: {lines:?}");
    assert!(
        lines[1].contains("Ana Silva,nurse,1234567893,RN-55,NM,,4,9,"),
        "{}",
        lines[1]
    );
    assert!(
        lines[1].contains(",nursing-contact-hours,0.75,"),
        "{}",
        lines[1]
    );
    assert!(!csv.body.contains("bo@clinic.org"));
    // A period with nothing in it, and a bad date.
    let empty = app
        .get_as("/admin/export.csv?from=2020-01-01&to=2020-12-31", &admin)
        .await;
    assert_eq!(empty.body.lines().count(), 1);
    assert_eq!(
        app.get_as("/admin/export.csv?from=yesterday", &admin)
            .await
            .status,
        400
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'report.export'")
            .await,
        2
    );
}
