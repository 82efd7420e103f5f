//! Where a certificate is issued: [`Issuer::issue_for_claim`] inside the claim's own
//! transaction (exactly once per claim), [`Issuer::reissue`] after a correction, and the
//! printed and signed forms (the page's view, the Open Badges 3.0 credential, the QR code).

use super::{Certificate, Issuer, NewCertificate, store};
use crate::error::Error;
use app::accounts::Profession;
use app::catalog::{CreditType, Hours};
use app::certificates::{CertificateStatus, CertificateView};
use rand::RngCore as _;
use serde_json::{Value, json};

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
                // Open Badges 3.0 wants a date-time: the completion day, UTC.
                "activityEndDate": format!("{}T00:00:00Z", c.completed_on),
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
    ) -> Result<CertificateView, Error> {
        let status = if let (Some(at), Some(reason)) = (&c.revoked_at, &c.revoked_reason) {
            CertificateStatus::Revoked {
                on: at.chars().take(10).collect(),
                reason: reason.clone(),
            }
        } else if let Some(next) = c.superseded_by {
            let by = store::code_of(pool, next).await?;
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
            credit: CreditType::from_slug(&c.credit_type)
                .ok_or_else(|| Error::corrupt("credit type", &c.credit_type))?,
            hours: Hours::from_quarters(crate::db::decode::<u32>(c.quarters, "certificate hours")?),
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
        new: NewCertificate,
        claim: Option<i64>,
        issued_by: Option<i64>,
    ) -> Result<Certificate, Error> {
        let mut c = new.issued(new_code(), crate::clock::now());
        c.credential = self.sign(&c);
        let id = store::insert_row(&mut *conn, &c, claim, issued_by).await?;
        c.id = id;
        self.announce(conn, &c).await?;
        Ok(c)
    }

    /// Queues the "certificate issued" message to its learner in the issuing transaction:
    /// the certificate and its notice are committed together or not at all.
    async fn announce(
        &self,
        conn: &mut crate::db::Connection,
        c: &Certificate,
    ) -> Result<(), Error> {
        let email = store::email_of(conn, c.user_id).await?;
        let Some(email) = email else {
            return Ok(());
        };
        let credit = format!(
            "{} {}",
            app::catalog::Hours::from_quarters(u32::try_from(c.quarters).unwrap_or(0)),
            CreditType::from_slug(&c.credit_type).map_or(c.credit_type.as_str(), |k| k.label())
        );
        let letter = crate::mail::compose::templates::certificate_issued(
            &self.mail,
            c.user_id,
            &email,
            &c.learner_name,
            &c.activity_title,
            &credit,
            &c.code,
        );
        crate::mail::enqueue(conn, &self.mail, &letter).await?;
        Ok(())
    }

    /// Issues the certificate of a credit claim, inside the claim's transaction. A claim that
    /// already has one gets no second (the `claim_id` column is unique as well).
    pub async fn issue_for_claim(
        &self,
        conn: &mut crate::db::Connection,
        claim: i64,
    ) -> Result<String, Error> {
        if let Some(code) = store::code_of_claim(&mut *conn, claim).await? {
            return Ok(code);
        }
        let store::ClaimFacts {
            user_id,
            learner_name,
            profession,
            slug,
            revision_number,
            rendered,
            completed_on,
            credit_type,
            quarters,
        } = store::claim_facts(&mut *conn, claim).await?;
        let detail: app::catalog::CourseDetail = serde_json::from_str(&rendered)?;
        let certificate = NewCertificate {
            user_id,
            learner_name,
            profession,
            activity_slug: slug,
            activity_title: detail.card.title,
            revision_number: Some(revision_number),
            format: if detail.recording.is_some() {
                "recording".into()
            } else {
                "online-course".into()
            },
            completed_on,
            provider: self.provider.clone(),
            credit_type,
            quarters,
            accreditation_statement: detail.accreditation_statement,
            designation_statement: detail.designation_statement,
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
    ) -> Result<String, Error> {
        let mut tx = crate::db::write_tx(pool).await?;
        // Serialises on the certificate: superseded once.
        crate::db::lock(
            &mut tx,
            crate::db::On::Key(&format!("certificate:{}", code.trim().to_uppercase())),
        )
        .await?;
        let Some(old) = store::find_in(&mut tx, code).await? else {
            return Err(Error::not_found(format!("There is no certificate {code}.")));
        };
        if old.superseded_by.is_some() {
            return Err(Error::conflict(format!(
                "Certificate {code} was already replaced; correct the newest one."
            )));
        }
        if old.revoked_at.is_some() {
            return Err(Error::conflict(format!(
                "Certificate {code} is revoked; a revoked certificate is not reissued."
            )));
        }
        let mut copy = NewCertificate::copy_of(&old);
        copy.learner_name = learner_name.to_owned();
        let new = self.insert(&mut tx, copy, None, Some(admin)).await?;
        store::mark_superseded(&mut tx, old.id, new.id).await?;
        crate::db::audit::record(
            &mut tx,
            Some(admin),
            "certificate.reissue",
            code,
            &format!(
                "replaced by {}; name \"{}\" -> \"{}\"",
                new.code, old.learner_name, learner_name
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(new.code)
    }
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
    use crate::certificates::plausible;

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
