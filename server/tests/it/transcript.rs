//! The transcript through the real router: verified credit totalled by period, self-reported
//! credit kept apart, CSV and PDF downloads of the learner's own.

use crate::support::{TestApp, only_code};

#[tokio::test]
async fn the_transcript_totals_verified_credit_by_period_and_keeps_self_reported_apart() {
    let app = TestApp::new().await;
    let cookie = app.claimed("ana@clinic.org").await.cookie;
    let code = only_code(&app).await;
    let today = time::OffsetDateTime::now_utc().date().to_string();

    // Self-reported: checked field by field, kept on error, never in the verified totals.
    app.post_form(
        "/transcript/external",
        &[
            ("title", "Wound care update"),
            ("provider", "County hospital"),
            ("credit_type", "nursing-contact-hours"),
            ("hours", "1.3"),
            ("completed_on", "2999-01-01"),
        ],
        Some(&cookie),
    )
    .await;
    let page = app.get_as("/transcript", &cookie).await;
    page.assert_contains("not a quarter-hour step");
    page.assert_contains("The completion date is in the future.");
    page.assert_contains("Wound care update");
    assert_eq!(app.count("SELECT COUNT(*) FROM external_credits").await, 0);
    app.post_form(
        "/transcript/external",
        &[
            ("title", "Wound care update"),
            ("provider", "County hospital"),
            ("credit_type", "nursing-contact-hours"),
            ("hours", "2"),
            ("completed_on", "2025-03-10"),
        ],
        Some(&cookie),
    )
    .await;

    let page = app.get_as("/transcript", &cookie).await;
    assert_eq!(page.status, 200);
    page.assert_contains(&code);
    page.assert_contains("<strong>0.75</strong> Nursing contact hours");
    page.assert_contains("<strong>2</strong> Nursing contact hours");
    page.assert_contains("Self-reported");

    // A licensing period that leaves out today's certificate but keeps the 2025 entry.
    let period = app
        .get_as("/transcript?from=2025-01-01&to=2025-12-31", &cookie)
        .await;
    period.assert_contains("No verified credit in this period.");
    period.assert_contains("Wound care update");
    let bad = app
        .get_as("/transcript?from=2025-12-31&to=2025-01-01", &cookie)
        .await;
    assert_eq!(bad.status, 400);
    bad.assert_contains("the range ends");

    let csv = app
        .get_as(&format!("/transcript.csv?from={today}&to="), &cookie)
        .await;
    assert_eq!(csv.status, 200);
    assert!(csv.header("content-type").starts_with("text/csv"));
    let lines: Vec<&str> = csv.body.lines().collect();
    assert_eq!(
        lines[0],
        "kind,completed_on,activity,provider,credit_type,hours,certificate_code,status"
    );
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines[1].starts_with(&format!("verified,{today},Telehealth and telemedicine for clinical teams,Grand Rounds,nursing-contact-hours,0.75,{code},")), "{}", lines[1]);

    let pdf = app.get_as("/transcript.pdf", &cookie).await;
    assert_eq!(pdf.status, 200);
    assert_eq!(pdf.header("content-type"), "application/pdf");
    assert!(pdf.raw.starts_with(b"%PDF-"));
    if let Ok(dir) = std::env::var("GRANDROUNDS_KEEP_PDF") {
        std::fs::write(std::path::Path::new(&dir).join("transcript.pdf"), &pdf.raw).ok();
    }

    // Someone else's entry cannot be removed; one's own can.
    let other = app.enrolled("bo@clinic.org", "nurse").await.cookie;
    app.post_form("/transcript/external/remove", &[("id", "1")], Some(&other))
        .await;
    assert_eq!(app.count("SELECT COUNT(*) FROM external_credits").await, 1);
    app.post_form("/transcript/external/remove", &[("id", "1")], Some(&cookie))
        .await;
    assert_eq!(app.count("SELECT COUNT(*) FROM external_credits").await, 0);
}
