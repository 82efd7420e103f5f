//! Certificates through the real router: issued exactly once with the claim, shown to their
//! learner, verified publicly, signed as an Open Badges credential, revoked and reissued by
//! administrators.

use crate::support::TestApp;
use crate::support::{COURSE, only_code};
use app::accounts::Role;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use server::certificates::signing::{PublicKey, verify};

#[tokio::test]
async fn concurrent_claims_issue_exactly_one_certificate() {
    let app = TestApp::new().await;
    let cookie = app.finished("ana@clinic.org").await.cookie;
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let router = app.router.clone();
            let cookie = cookie.clone();
            tokio::spawn(async move {
                use tower::ServiceExt;
                let request = http::Request::post("/learning/claim")
                    .header("content-type", "application/x-www-form-urlencoded")
                    .header("origin", crate::support::ORIGIN)
                    .header("cookie", cookie)
                    .body(axum::body::Body::from(format!(
                        "course={COURSE}&hours-nursing-contact-hours=0.75&attest=0.75"
                    )))
                    .expect("request");
                router.oneshot(request).await.expect("answer").status()
            })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.expect("task"), 303);
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM credit_claims").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM certificates").await, 1);
    let code = only_code(&app).await;
    let page = app
        .get_as(&format!("/learning/{COURSE}/credit"), &cookie)
        .await;
    page.assert_contains(&format!("/certificates/{code}"));
}

#[tokio::test]
async fn the_certificate_page_verification_and_signed_credential() {
    let app = TestApp::new().await;
    let cookie = app.claimed("ana@clinic.org").await.cookie;
    let code = only_code(&app).await;
    assert_eq!(code.len(), 32, "{code}");

    // The learner's own page: every field, the QR code, the downloads.
    let page = app.get_as(&format!("/certificates/{code}"), &cookie).await;
    assert_eq!(page.status, 200, "{}", page.body);
    for field in [
        "Ana Silva",
        "Nurses",
        "Telehealth and telemedicine for clinical teams",
        "Online course (revision 1)",
        "0.75 Nursing contact hours",
        "Grand Rounds",
        "Valid.",
        "<svg",
        &format!("http://localhost/verify/{code}"),
        &format!("/certificates/{code}/credential.jwt"),
    ] {
        page.assert_contains(field);
    }
    assert!(
        !page.body.contains("Revoke this certificate"),
        "learners do not manage"
    );

    // Someone else: refused; nobody signed in: sent to sign in.
    let other = app.enrolled("bo@clinic.org", "nurse").await.cookie;
    assert_eq!(
        app.get_as(&format!("/certificates/{code}"), &other)
            .await
            .status,
        403
    );
    assert_eq!(
        app.get_as(&format!("/certificates/{code}/credential.jwt"), &other)
            .await
            .status,
        403
    );
    assert!(
        app.get(&format!("/certificates/{code}"))
            .await
            .location()
            .starts_with("/login")
    );

    // The public verification page: no sign-in, every field and the status.
    let verify_page = app.get(&format!("/verify/{code}")).await;
    assert_eq!(verify_page.status, 200);
    for field in [
        "Ana Silva",
        "0.75 Nursing contact hours",
        "Valid.",
        "Accreditation statement",
        &code,
    ] {
        verify_page.assert_contains(field);
    }
    let unknown = app
        .get("/verify/AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG-HH")
        .await;
    assert_eq!(unknown.status, 404);
    unknown.assert_contains("There is no certificate with the code");
    let junk = app.get("/verify/%3Cscript%3E").await;
    assert_eq!(junk.status, 404);

    // The signed credential verifies against the published key, and any changed field fails.
    let download = app
        .get_as(&format!("/certificates/{code}/credential.jwt"), &cookie)
        .await;
    assert_eq!(download.status, 200);
    assert_eq!(download.header("content-type"), "application/vc+jwt");
    let jwks = app.get("/issuer/jwks.json").await;
    let keys = PublicKey::from_jwks(&jwks.body).expect("published keys");
    let token = download.body.trim().to_owned();
    let payload = verify(&token, &keys).expect("a valid credential");
    assert_eq!(payload["type"][1], "OpenBadgeCredential");
    assert_eq!(payload["credentialSubject"]["creditsEarned"], 0.75);
    assert_eq!(
        payload["credentialSubject"]["identifier"][0]["identityHash"],
        "Ana Silva"
    );
    assert_eq!(payload["certificateCode"], code.as_str());
    let parts: Vec<&str> = token.split('.').collect();
    for (pointer, forged) in [
        (
            "/credentialSubject/identifier/0/identityHash",
            serde_json::json!("Someone Else"),
        ),
        ("/credentialSubject/creditsEarned", serde_json::json!(10.0)),
        (
            "/credentialSubject/achievement/name",
            serde_json::json!("Another course"),
        ),
        (
            "/credentialSubject/achievement/creditType",
            serde_json::json!("AMA PRA Category 1 Credit™"),
        ),
        (
            "/credentialSubject/activityEndDate",
            serde_json::json!("2020-01-01"),
        ),
        ("/issuer/name", serde_json::json!("Diploma Mill")),
        ("/validFrom", serde_json::json!("2020-01-01T00:00:00Z")),
        ("/certificateCode", serde_json::json!("AAAA")),
    ] {
        let mut changed = payload.clone();
        *changed.pointer_mut(pointer).expect(pointer) = forged;
        let forged_token = format!(
            "{}.{}.{}",
            parts[0],
            URL_SAFE_NO_PAD.encode(changed.to_string()),
            parts[2]
        );
        assert!(
            verify(&forged_token, &keys).is_err(),
            "changing {pointer} must break the signature"
        );
    }
    // The PDF: one page, the font embedded, for its learner only.
    let pdf = app
        .get_as(&format!("/certificates/{code}/certificate.pdf"), &cookie)
        .await;
    assert_eq!(pdf.status, 200);
    assert_eq!(pdf.header("content-type"), "application/pdf");
    assert!(pdf.body.starts_with("%PDF-"));
    if let Ok(dir) = std::env::var("GRANDROUNDS_KEEP_PDF") {
        std::fs::write(std::path::Path::new(&dir).join("certificate.pdf"), &pdf.raw).ok();
    }
    assert!(pdf.body.contains("FontFile"), "the font is embedded");
    assert_eq!(
        app.get_as(&format!("/certificates/{code}/certificate.pdf"), &other)
            .await
            .status,
        403
    );
    let issuer = app.get("/issuer").await;
    issuer.assert_contains("\"Profile\"");
}

#[tokio::test]
async fn administrators_revoke_and_reissue_with_an_audit_trail() {
    let app = TestApp::new().await;
    let cookie = app.claimed("ana@clinic.org").await.cookie;
    let code = only_code(&app).await;
    app.user("admin@clinic.org", Role::Admin).await;
    let admin = app.sign_in("admin@clinic.org").await;

    // Learners cannot.
    let refused = app
        .post_form(
            "/admin/certificates/revoke",
            &[("code", &code), ("reason", "Because I can")],
            Some(&cookie),
        )
        .await;
    assert_eq!(refused.status, 403);

    // Reissue after a name correction: a new code; the old one points to it.
    let page = app.get_as(&format!("/certificates/{code}"), &admin).await;
    page.assert_contains("Revoke this certificate");
    let bad_name = app
        .post_form(
            "/admin/certificates/reissue",
            &[("code", &code), ("learner_name", "   ")],
            Some(&admin),
        )
        .await;
    assert_eq!(bad_name.location(), format!("/certificates/{code}"));
    app.get_as(&format!("/certificates/{code}"), &admin)
        .await
        .assert_contains("Name on the certificate: enter your full name");
    let reissued = app
        .post_form(
            "/admin/certificates/reissue",
            &[("code", &code), ("learner_name", "Ana Silva Santos")],
            Some(&admin),
        )
        .await;
    let new_code = reissued
        .location()
        .strip_prefix("/certificates/")
        .expect("the new certificate")
        .to_owned();
    assert_ne!(new_code, code);
    let old = app.get(&format!("/verify/{code}")).await;
    old.assert_contains("Superseded.");
    old.assert_contains(&format!("/verify/{new_code}"));
    let new = app.get(&format!("/verify/{new_code}")).await;
    new.assert_contains("Ana Silva Santos");
    new.assert_contains("Valid.");
    // The learner sees the new one as theirs.
    assert_eq!(
        app.get_as(&format!("/certificates/{new_code}"), &cookie)
            .await
            .status,
        200
    );

    // Revoke needs a reason; then the record stays, marked.
    app.post_form(
        "/admin/certificates/revoke",
        &[("code", &new_code), ("reason", "x")],
        Some(&admin),
    )
    .await;
    app.get_as(&format!("/certificates/{new_code}"), &admin)
        .await
        .assert_contains("Give the reason for revoking");
    app.post_form(
        "/admin/certificates/revoke",
        &[
            ("code", &new_code),
            ("reason", "Attendance could not be confirmed"),
        ],
        Some(&admin),
    )
    .await;
    let revoked = app.get(&format!("/verify/{new_code}")).await;
    revoked.assert_contains("Revoked on");
    revoked.assert_contains("Reason: Attendance could not be confirmed");
    assert_eq!(app.count("SELECT COUNT(*) FROM certificates").await, 2);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action IN ('certificate.revoke', 'certificate.reissue')"
        )
        .await,
        2
    );

    // On the learner's transcript: the superseded one is replaced by its successor, which is
    // listed as revoked and not counted.
    let transcript = app.get_as("/transcript", &cookie).await;
    transcript.assert_contains(&new_code);
    transcript.assert_contains("(revoked, not counted)");
    transcript.assert_contains("No verified credit in this period.");
    assert!(
        !transcript.body.contains(&format!(">{code}<")),
        "the superseded code is not listed"
    );
}

#[tokio::test]
async fn verification_lookups_are_rate_limited() {
    let app = TestApp::new().await;
    let mut statuses = Vec::new();
    for i in 0..25 {
        statuses.push(
            app.get(&format!("/verify/NOPE-{i:04}"))
                .await
                .status
                .as_u16(),
        );
    }
    assert!(statuses[..20].iter().all(|s| *s == 404), "{statuses:?}");
    assert_eq!(statuses[24], 429, "{statuses:?}");
}

/// Behind a trusted reverse proxy each client has its own allowance; a client that is not a
/// trusted proxy cannot dodge the limit by sending `X-Forwarded-For` itself.
#[tokio::test]
async fn behind_a_trusted_proxy_the_limit_is_per_forwarded_client() {
    use axum::extract::ConnectInfo;
    use server::client_addr::{TrustedProxies, parse_trusted_proxy};
    use std::net::SocketAddr;

    let app = TestApp::new().await;
    let mut state = app.state.clone();
    state.trusted_proxies =
        TrustedProxies::new(&[parse_trusted_proxy("10.0.0.0/8").expect("network")]);
    let app = TestApp {
        router: server::build_router(state.clone()),
        state,
        dir: app.dir,
    };
    let lookup = |peer: &str, forwarded: &str, i: usize| {
        let peer: SocketAddr = format!("{peer}:40000").parse().expect("address");
        http::Request::get(format!("/verify/NOPE-{i:04}"))
            .header("x-forwarded-for", forwarded)
            .extension(ConnectInfo(peer))
            .body(axum::body::Body::empty())
            .expect("request")
    };
    let mut first = Vec::new();
    for i in 0..21 {
        let page = app.request(lookup("10.0.0.2", "203.0.113.9", i)).await;
        first.push(page.status.as_u16());
    }
    assert!(first[..20].iter().all(|s| *s == 404), "{first:?}");
    assert_eq!(first[20], 429, "{first:?}");
    // Another clinic behind the same proxy is not held up by the first one.
    let other = app.request(lookup("10.0.0.2", "203.0.113.10", 0)).await;
    assert_eq!(other.status, 404);

    // A direct client claiming to be a fresh address each time is still one client.
    let mut direct = Vec::new();
    for i in 0..21 {
        let forged = format!("198.51.100.{i}");
        let page = app.request(lookup("192.0.2.50", &forged, i)).await;
        direct.push(page.status.as_u16());
    }
    assert_eq!(direct[20], 429, "{direct:?}");
}

#[tokio::test]
async fn cert_verify_checks_a_downloaded_credential_offline() {
    let app = TestApp::new().await;
    let cookie = app.claimed("ana@clinic.org").await.cookie;
    let code = only_code(&app).await;
    let token = app
        .get_as(&format!("/certificates/{code}/credential.jwt"), &cookie)
        .await
        .body;
    let jwks = app.get("/issuer/jwks.json").await.body;
    let dir = tempfile::tempdir().expect("dir");
    let good = dir.path().join("good.jwt");
    let keys = dir.path().join("jwks.json");
    std::fs::write(&good, &token).expect("write");
    std::fs::write(&keys, &jwks).expect("write");
    // One changed character in the payload (the learner's name, re-encoded).
    let parts: Vec<&str> = token.trim().split('.').collect();
    let payload = String::from_utf8(URL_SAFE_NO_PAD.decode(parts[1]).expect("b64")).expect("utf8");
    let bad = dir.path().join("bad.jwt");
    std::fs::write(
        &bad,
        format!(
            "{}.{}.{}",
            parts[0],
            URL_SAFE_NO_PAD.encode(payload.replace("Ana Silva", "Ana Silvb")),
            parts[2]
        ),
    )
    .expect("write");
    let database = app.database_url();
    let run = |file: &std::path::Path, with_keys: bool| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_grandrounds"));
        command.env_remove("DATABASE_URL").env("RUST_LOG", "warn");
        command.args(["cert", "verify"]).arg(file);
        if with_keys {
            command.arg("--keys").arg(&keys);
        } else {
            command.args(["--database-url", &database]);
        }
        command.output().expect("runs")
    };
    for with_keys in [true, false] {
        let output = run(&good, with_keys);
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "{stdout}{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(stdout.starts_with("VALID"), "{stdout}");
        for field in [
            "Ana Silva",
            "0.75 Nursing contact hours",
            &code,
            "Online course (revision 1)",
        ] {
            assert!(stdout.contains(field), "{field} in {stdout}");
        }
        let output = run(&bad, with_keys);
        assert_eq!(output.status.code(), Some(1));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("INVALID"), "{stderr}");
        assert!(stderr.contains("signature does not match"), "{stderr}");
    }
}

async fn upload(app: &TestApp, cookie: &str, action: &str, csv: &str) -> crate::support::Page {
    let boundary = "grandroundsboundary";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"action\"\r\n\r\n{action}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"issue.csv\"\r\n\
         Content-Type: text/csv\r\n\r\n{csv}\r\n--{boundary}--\r\n"
    );
    app.request(
        http::Request::post("/admin/certificates/bulk")
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .header("origin", crate::support::ORIGIN)
            .header("cookie", cookie)
            .header("content-length", body.len())
            .body(axum::body::Body::from(body))
            .expect("request"),
    )
    .await
}

#[tokio::test]
async fn bulk_issue_previews_every_problem_and_writes_all_or_nothing() {
    let app = TestApp::new().await;
    app.enrolled("ana@clinic.org", "nurse").await;
    app.enrolled("bo@clinic.org", "physician").await;
    app.user("admin@clinic.org", Role::Admin).await;
    let admin = app.sign_in("admin@clinic.org").await;
    let header = "email,activity,format,credit_type,hours,completed_on";
    let bad = format!(
        "{header}\n\
         ana@clinic.org,{COURSE},live-webinar,nursing-contact-hours,1,2026-10-01\n\
         nobody@clinic.org,{COURSE},live-webinar,nursing-contact-hours,1,2026-10-01\n\
         bo@clinic.org,{COURSE},live-webinar,ama-pra-category-1,1.1,2026-10-01\n\
         bo@clinic.org,{COURSE},live-webinar,pharmacy-contact-hours,1,2026-10-01\n\
         bo@clinic.org,no-such-course,live-webinar,participation,1,2999-01-01\n\
         ana@clinic.org,{COURSE},live-webinar,nursing-contact-hours,1,2026-10-01\n"
    );
    for action in ["preview", "issue"] {
        let sent = upload(&app, &admin, action, &bad).await;
        assert_eq!(
            sent.location(),
            "/admin/certificates#preview",
            "{}",
            sent.body
        );
        let page = app.get_as("/admin/certificates", &admin).await;
        assert_eq!(page.status, 200);
        for problem in [
            "5 of 6 rows have a problem. Nothing was issued",
            "no account with the email \"nobody@clinic.org\"",
            "1.1 hours is not a quarter-hour step",
            "the activity does not offer Pharmacy contact hours",
            "no activity \"no-such-course\"",
            "completed_on 2999-01-01 is in the future",
            "the same row appears earlier in the file",
        ] {
            page.assert_contains(problem);
        }
        assert!(!page.body.contains("Issue 6 certificates"));
        assert_eq!(
            app.count("SELECT COUNT(*) FROM certificates").await,
            0,
            "{action}"
        );
    }
    let wrong_header = upload(&app, &admin, "preview", "name,course\nx,y\n").await;
    assert_eq!(wrong_header.location(), "/admin/certificates#preview");
    app.get_as("/admin/certificates", &admin)
        .await
        .assert_contains("the first line must be the header");

    let good = format!(
        "{header}\n\
         ana@clinic.org,{COURSE},live-webinar,nursing-contact-hours,1,2026-10-01\n\
         bo@clinic.org,{COURSE},live-webinar,ama-pra-category-1,0.75,2026-10-01\n"
    );
    upload(&app, &admin, "preview", &good).await;
    let page = app.get_as("/admin/certificates", &admin).await;
    page.assert_contains("All 2 rows can be issued. Nothing is written until you confirm.");
    page.assert_contains("Issue 2 certificates");
    assert_eq!(app.count("SELECT COUNT(*) FROM certificates").await, 0);
    let issued = upload(&app, &admin, "issue", &good).await;
    assert_eq!(issued.location(), "/admin/certificates");
    app.get_as("/admin/certificates", &admin)
        .await
        .assert_contains("Issued 2 certificates");
    assert_eq!(app.count("SELECT COUNT(*) FROM certificates WHERE format = 'live-webinar' AND issued_by IS NOT NULL").await, 2);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'certificate.issue'")
            .await,
        1
    );
    let code: String = sqlx::query_scalar(
        "SELECT code FROM certificates WHERE credit_type = 'ama-pra-category-1'",
    )
    .fetch_one(&app.state.pool)
    .await
    .expect("code");
    let verify_page = app.get(&format!("/verify/{code}")).await;
    verify_page.assert_contains("Live webinar");
    verify_page.assert_contains("0.75 AMA PRA Category 1 Credit™");
    // The same file again: every row is already issued.
    upload(&app, &admin, "issue", &good).await;
    app.get_as("/admin/certificates", &admin)
        .await
        .assert_contains("this learner already has this certificate");
    assert_eq!(app.count("SELECT COUNT(*) FROM certificates").await, 2);

    // A file past the size limit gets a page that says so and what to do; nothing written.
    let row = format!("ana@clinic.org,{COURSE},live-webinar,nursing-contact-hours,1,2026-10-01\n");
    let huge = format!("{header}\n{}", row.repeat(300 * 1024 / row.len()));
    let too_large = upload(&app, &admin, "issue", &huge).await;
    assert_eq!(too_large.status, 413);
    too_large.assert_contains("larger than 256 KB");
    too_large.assert_contains("Split the CSV file into smaller files");
    assert_eq!(app.count("SELECT COUNT(*) FROM certificates").await, 2);

    // One by hand.
    let one = app
        .post_form(
            "/admin/certificates/issue",
            &[
                ("email", "ana@clinic.org"),
                ("activity", COURSE),
                ("format", "recording"),
                ("credit_type", "participation"),
                ("hours", "0.5"),
                ("completed_on", "2026-09-15"),
            ],
            Some(&admin),
        )
        .await;
    assert!(
        one.location().starts_with("/certificates/"),
        "{}",
        one.location()
    );
    let refused = app
        .post_form(
            "/admin/certificates/issue",
            &[
                ("email", "ana@clinic.org"),
                ("activity", COURSE),
                ("format", "recording"),
                ("credit_type", "participation"),
                ("hours", "9"),
                ("completed_on", "2026-09-15"),
            ],
            Some(&admin),
        )
        .await;
    assert_eq!(refused.location(), "/admin/certificates");
    app.get_as("/admin/certificates", &admin)
        .await
        .assert_contains("Nothing was issued: 9 hours is more than the activity's maximum of 1");
    assert_eq!(app.count("SELECT COUNT(*) FROM certificates").await, 3);

    // Learners cannot.
    let learner_cookie = app.sign_in("ana@clinic.org").await;
    assert_eq!(
        upload(&app, &learner_cookie, "issue", &good).await.status,
        403
    );
}
