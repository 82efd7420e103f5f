//! Certificates: issued exactly once per credit claim (in the claim's own transaction),
//! every printed field copied at issue, a random code, and an Open Badges 3.0 credential
//! signed with the server's Ed25519 key. Rows are never deleted; revoking and superseding
//! mark them.

pub mod bulk;
mod pages;
pub mod routes;
pub mod signing;

use app::accounts::Profession;
use app::catalog::{CreditType, Hours};
use app::certificates::{CertificateStatus, CertificateView};
use rand::RngCore as _;
use serde_json::{Value, json};
use signing::Signer;

/// What issues certificates: the key, the site's address and the provider's name.
#[derive(Debug)]
pub struct Issuer {
    pub signer: Signer,
    /// Without a trailing slash.
    pub public_url: String,
    pub provider: String,
}

/// Every field a certificate states, as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Certificate {
    pub id: i64,
    pub code: String,
    pub user_id: i64,
    pub learner_name: String,
    pub profession: String,
    pub activity_slug: String,
    pub activity_title: String,
    pub revision_number: Option<i64>,
    pub format: String,
    pub completed_on: String,
    pub provider: String,
    pub credit_type: String,
    pub quarters: i64,
    pub accreditation_statement: String,
    pub designation_statement: String,
    pub issued_at: String,
    pub revoked_at: Option<String>,
    pub revoked_reason: Option<String>,
    pub superseded_by: Option<i64>,
    pub credential: String,
}

const COLUMNS: &str = "id, code, user_id, learner_name, profession, activity_slug, activity_title, \
     revision_number, format, completed_on, provider, credit_type, quarters, accreditation_statement, \
     designation_statement, issued_at, revoked_at, revoked_reason, superseded_by, credential";

/// 130 random bits (26 base32 characters of 17 random bytes), in groups of four for reading aloud.
fn new_code() -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 17];
    rand::rng().fill_bytes(&mut bytes);
    let mut bits = 0u32;
    let mut width = 0;
    let mut out = String::new();
    for byte in bytes {
        bits = (bits << 8) | u32::from(byte);
        width += 8;
        while width >= 5 {
            width -= 5;
            out.push(char::from(ALPHABET[((bits >> width) & 31) as usize]));
        }
    }
    out.truncate(26);
    out.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

fn format_label(format: &str) -> &'static str {
    match format {
        "live-webinar" => "Live webinar",
        "recording" => "Recording",
        _ => "Online course",
    }
}

fn profession_label(slug: &str) -> String {
    Profession::from_slug(slug).map_or_else(|| slug.to_owned(), |p| p.label().to_owned())
}

impl Issuer {
    pub fn verify_url(&self, code: &str) -> String {
        format!("{}/verify/{code}", self.public_url)
    }

    /// The Open Badges 3.0 `OpenBadgeCredential` of a certificate, before signing.
    pub fn credential(&self, c: &Certificate) -> Value {
        let credit = CreditType::from_slug(&c.credit_type);
        let hours = Hours::from_quarters(crate::db::decode_logged::<u32>(
            c.quarters,
            "certificate hours",
        ));
        let credits_earned = f64::from(hours.quarters) / 4.0;
        let credit_label = credit.map_or_else(|| c.credit_type.clone(), |k| k.label().to_owned());
        let activity_url = match c.revision_number {
            Some(n) => format!(
                "{}/courses/{}#revision-{n}",
                self.public_url, c.activity_slug
            ),
            None => format!("{}/activities/{}", self.public_url, c.activity_slug),
        };
        json!({
            "@context": [
                "https://www.w3.org/ns/credentials/v2",
                "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
            ],
            "id": self.verify_url(&c.code),
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "name": format!("{}: {hours} {credit_label}", c.activity_title),
            "issuer": {
                "id": format!("{}/issuer", self.public_url),
                "type": ["Profile"],
                "name": c.provider,
                "url": self.public_url,
            },
            "validFrom": c.issued_at,
            "credentialSubject": {
                "type": ["AchievementSubject"],
                "identifier": [{
                    "type": "IdentityObject",
                    "identityType": "name",
                    "hashed": false,
                    "identityHash": c.learner_name,
                }],
                "profession": profession_label(&c.profession),
                "activityEndDate": c.completed_on,
                "creditsEarned": credits_earned,
                "achievement": {
                    "id": activity_url,
                    "type": ["Achievement"],
                    "achievementType": "Course",
                    "name": c.activity_title,
                    "description": format!("{} ({})", c.activity_title, format_label(&c.format)),
                    "criteria": { "narrative": "Completed every lesson, passed the post-test and submitted the evaluation." },
                    "tag": [c.credit_type.clone()],
                    "creditType": credit_label,
                    "format": format_label(&c.format),
                    "revision": c.revision_number,
                    "accreditationStatement": c.accreditation_statement,
                    "designationStatement": c.designation_statement,
                },
            },
            "certificateCode": c.code,
        })
    }

    /// The signed credential: the credential JSON plus the JWT registered claims.
    pub fn sign(&self, c: &Certificate) -> String {
        let mut payload = self.credential(c);
        if let Value::Object(map) = &mut payload {
            map.insert("iss".into(), json!(format!("{}/issuer", self.public_url)));
            map.insert("jti".into(), json!(self.verify_url(&c.code)));
            map.insert("sub".into(), json!(c.learner_name));
            if let Ok(at) = time::OffsetDateTime::parse(
                &c.issued_at,
                &time::format_description::well_known::Rfc3339,
            ) {
                map.insert("nbf".into(), json!(at.unix_timestamp()));
            }
        }
        self.signer.sign(&payload)
    }

    /// The QR code of the verification address, as SVG.
    pub fn qr_svg(&self, code: &str) -> String {
        qrcode::QrCode::new(self.verify_url(code).as_bytes())
            .map(|qr| {
                qr.render::<qrcode::render::svg::Color<'_>>()
                    .min_dimensions(160, 160)
                    .dark_color(qrcode::render::svg::Color("#000000"))
                    .light_color(qrcode::render::svg::Color("#ffffff"))
                    .build()
            })
            .map(|svg| match svg.find("<svg") {
                // Inline in HTML: no XML declaration.
                Some(start) => svg[start..].to_owned(),
                None => svg,
            })
            .unwrap_or_default()
    }

    pub async fn view(
        &self,
        pool: &crate::db::Pool,
        c: &Certificate,
    ) -> Result<CertificateView, crate::error::Error> {
        let status = if let (Some(at), Some(reason)) = (&c.revoked_at, &c.revoked_reason) {
            CertificateStatus::Revoked {
                on: at.chars().take(10).collect(),
                reason: reason.clone(),
            }
        } else if let Some(next) = c.superseded_by {
            let by: String = sqlx::query_scalar("SELECT code FROM certificates WHERE id = $1")
                .bind(next)
                .fetch_one(pool)
                .await?;
            CertificateStatus::Superseded { by }
        } else {
            CertificateStatus::Valid
        };
        Ok(CertificateView {
            code: c.code.clone(),
            learner_name: c.learner_name.clone(),
            profession: profession_label(&c.profession),
            activity_title: c.activity_title.clone(),
            revision: c.revision_number,
            format: format_label(&c.format).to_owned(),
            completed_on: c.completed_on.clone(),
            provider: c.provider.clone(),
            credit: CreditType::from_slug(&c.credit_type).unwrap_or(CreditType::Participation),
            hours: Hours::from_quarters(crate::db::decode_logged::<u32>(
                c.quarters,
                "certificate hours",
            )),
            accreditation_statement: c.accreditation_statement.clone(),
            designation_statement: c.designation_statement.clone(),
            issued_on: c.issued_at.chars().take(10).collect(),
            status,
            verify_url: self.verify_url(&c.code),
            qr_svg: self.qr_svg(&c.code),
        })
    }

    /// Stores a certificate (its code and credential made here) and returns it.
    pub(crate) async fn insert(
        &self,
        conn: &mut crate::db::Connection,
        mut c: Certificate,
        claim: Option<i64>,
        issued_by: Option<i64>,
    ) -> Result<Certificate, crate::error::Error> {
        c.code = new_code();
        c.issued_at = crate::db::now();
        c.credential = self.sign(&c);
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO certificates (code, user_id, claim_id, learner_name, profession, activity_slug, \
             activity_title, revision_number, format, completed_on, provider, credit_type, quarters, \
             accreditation_statement, designation_statement, issued_at, issued_by, credential) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) RETURNING id",
        )
        .bind(&c.code)
        .bind(c.user_id)
        .bind(claim)
        .bind(&c.learner_name)
        .bind(&c.profession)
        .bind(&c.activity_slug)
        .bind(&c.activity_title)
        .bind(c.revision_number)
        .bind(&c.format)
        .bind(&c.completed_on)
        .bind(&c.provider)
        .bind(&c.credit_type)
        .bind(c.quarters)
        .bind(&c.accreditation_statement)
        .bind(&c.designation_statement)
        .bind(&c.issued_at)
        .bind(issued_by)
        .bind(&c.credential)
        .fetch_one(&mut *conn)
        .await?;
        c.id = id;
        Ok(c)
    }

    /// Issues the certificate of a credit claim, inside the claim's transaction. A claim that
    /// already has one gets no second (the `claim_id` column is unique as well).
    pub async fn issue_for_claim(
        &self,
        conn: &mut crate::db::Connection,
        claim: i64,
    ) -> Result<String, crate::error::Error> {
        if let Some(code) =
            sqlx::query_scalar::<_, String>("SELECT code FROM certificates WHERE claim_id = $1")
                .bind(claim)
                .fetch_optional(&mut *conn)
                .await?
        {
            return Ok(code);
        }
        let (user_id, learner_name, profession, slug, revision_number, rendered, completed_on, credit_type, quarters): (
            i64, String, String, String, i64, String, String, String, i64,
        ) = sqlx::query_as(
            "SELECT k.user_id, u.full_name, u.profession, c.slug, r.number, r.rendered, k.completed_on, \
             k.credit_type, k.quarters FROM credit_claims k JOIN users u ON u.id = k.user_id \
             JOIN course_revisions r ON r.id = k.revision_id JOIN courses c ON c.id = r.course_id \
             WHERE k.id = $1",
        )
        .bind(claim)
        .fetch_one(&mut *conn)
        .await?;
        let detail: app::catalog::CourseDetail = serde_json::from_str(&rendered)?;
        let certificate = Certificate {
            id: 0,
            code: String::new(),
            user_id,
            learner_name,
            profession,
            activity_slug: slug,
            activity_title: detail.card.title,
            revision_number: Some(revision_number),
            format: "online-course".into(),
            completed_on,
            provider: self.provider.clone(),
            credit_type,
            quarters,
            accreditation_statement: detail.accreditation_statement,
            designation_statement: detail.designation_statement,
            issued_at: String::new(),
            revoked_at: None,
            revoked_reason: None,
            superseded_by: None,
            credential: String::new(),
        };
        Ok(self
            .insert(conn, certificate, Some(claim), None)
            .await?
            .code)
    }

    /// Issues a corrected copy (a new code, the learner's name as given) and marks the old
    /// one superseded, pointing to it. Audited.
    pub async fn reissue(
        &self,
        pool: &crate::db::Pool,
        admin: i64,
        code: &str,
        learner_name: &str,
    ) -> Result<Result<String, String>, crate::error::Error> {
        let mut tx = crate::db::write_tx(pool).await?;
        let Some(old) = find_in(&mut tx, code).await? else {
            return Ok(Err(format!("There is no certificate {code}.")));
        };
        if old.superseded_by.is_some() {
            return Ok(Err(format!(
                "Certificate {code} was already replaced; correct the newest one."
            )));
        }
        if old.revoked_at.is_some() {
            return Ok(Err(format!(
                "Certificate {code} is revoked; a revoked certificate is not reissued."
            )));
        }
        let mut copy = old.clone();
        copy.learner_name = learner_name.to_owned();
        let new = self.insert(&mut tx, copy, None, Some(admin)).await?;
        sqlx::query("UPDATE certificates SET superseded_by = $1 WHERE id = $2")
            .bind(new.id)
            .bind(old.id)
            .execute(&mut *tx)
            .await?;
        audit(
            &mut tx,
            admin,
            "certificate.reissue",
            code,
            &format!(
                "replaced by {}; name \"{}\" -> \"{}\"",
                new.code, old.learner_name, learner_name
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(Ok(new.code))
    }
}

async fn audit(
    conn: &mut crate::db::Connection,
    actor: i64,
    action: &str,
    target: &str,
    detail: &str,
) -> Result<(), crate::error::Error> {
    sqlx::query(
        "INSERT INTO audit_log (actor_id, action, target, detail, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(actor)
    .bind(action)
    .bind(target)
    .bind(detail)
    .bind(crate::db::now())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn find_in(
    conn: &mut crate::db::Connection,
    code: &str,
) -> Result<Option<Certificate>, crate::error::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM certificates WHERE code = $1"
    ))
    .bind(code.trim().to_uppercase())
    .fetch_optional(&mut *conn)
    .await
    .map_err(Into::into)
}

pub async fn find(
    pool: &crate::db::Pool,
    code: &str,
) -> Result<Option<Certificate>, crate::error::Error> {
    let mut conn = pool.acquire().await?;
    find_in(&mut conn, code).await
}

/// A learner's certificates, newest first.
pub async fn of_user(
    pool: &crate::db::Pool,
    user: i64,
) -> Result<Vec<Certificate>, crate::error::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM certificates WHERE user_id = $1 ORDER BY id DESC"
    ))
    .bind(user)
    .fetch_all(pool)
    .await
    .map_err(Into::into)
}

/// Marks a certificate revoked with the reason; the record stays. Audited.
pub async fn revoke(
    pool: &crate::db::Pool,
    admin: i64,
    code: &str,
    reason: &str,
) -> Result<Result<(), String>, crate::error::Error> {
    let reason = reason.trim();
    if reason.chars().count() < 5 || reason.chars().count() > 500 {
        return Ok(Err("Give the reason for revoking in 5 to 500 characters; it is shown on the verification page.".into()));
    }
    let mut tx = crate::db::write_tx(pool).await?;
    let Some(c) = find_in(&mut tx, code).await? else {
        return Ok(Err(format!("There is no certificate {code}.")));
    };
    if let Some(at) = c.revoked_at {
        return Ok(Err(format!(
            "Certificate {code} was already revoked on {}.",
            &at[..at.len().min(10)]
        )));
    }
    sqlx::query(
        "UPDATE certificates SET revoked_at = $1, revoked_by = $2, revoked_reason = $3 WHERE id = $4",
    )
    .bind(crate::db::now())
    .bind(admin)
    .bind(reason)
    .bind(c.id)
    .execute(&mut *tx)
    .await?;
    audit(&mut tx, admin, "certificate.revoke", &c.code, reason).await?;
    tx.commit().await?;
    Ok(Ok(()))
}

/// Whether `code` looks like one of ours (so junk is answered without a query).
pub fn plausible(code: &str) -> bool {
    let code = code.trim();
    code.len() <= 40 && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// The fields of a verified credential, labelled for people.
pub fn credential_fields(payload: &Value) -> Vec<(&'static str, String)> {
    let text = |pointer: &str| {
        payload
            .pointer(pointer)
            .map(|v| match v {
                Value::String(s) => s.clone(),
                Value::Null => String::new(),
                other => other.to_string(),
            })
            .unwrap_or_default()
    };
    let revision = text("/credentialSubject/achievement/revision");
    vec![
        ("code", text("/certificateCode")),
        (
            "learner",
            text("/credentialSubject/identifier/0/identityHash"),
        ),
        ("profession", text("/credentialSubject/profession")),
        ("activity", text("/credentialSubject/achievement/name")),
        (
            "format",
            if revision.is_empty() {
                text("/credentialSubject/achievement/format")
            } else {
                format!(
                    "{} (revision {revision})",
                    text("/credentialSubject/achievement/format")
                )
            },
        ),
        ("completed", text("/credentialSubject/activityEndDate")),
        (
            "credit",
            format!(
                "{} {}",
                text("/credentialSubject/creditsEarned"),
                text("/credentialSubject/achievement/creditType")
            ),
        ),
        ("provider", text("/issuer/name")),
        ("issued", text("/validFrom")),
        (
            "accreditation",
            text("/credentialSubject/achievement/accreditationStatement"),
        ),
        (
            "designation",
            text("/credentialSubject/achievement/designationStatement"),
        ),
        ("verify at", text("/id")),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_random_and_readable() {
        let a = new_code();
        let b = new_code();
        assert_ne!(a, b);
        assert_eq!(a.len(), 26 + 6, "{a}");
        assert!(plausible(&a));
        assert!(!plausible("../etc/passwd"));
    }
}
