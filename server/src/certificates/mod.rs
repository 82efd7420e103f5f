//! Certificates: issued exactly once per credit claim (in the claim's own transaction),
//! every printed field copied at issue, a random code, and an Open Badges 3.0 credential
//! signed with the server's Ed25519 key. Rows are never deleted; revoking and superseding
//! mark them.

pub mod bulk;
pub mod issue;
mod pages;
pub mod routes;
pub mod signing;
pub mod store;

pub use issue::credential_fields;
pub use routes::routes;
pub use store::{find, of_user, revoke};

use signing::Signer;

/// What issues certificates: the key, the site's address and the provider's name.
#[derive(Debug)]
pub struct Issuer {
    pub signer: Signer,
    /// Without a trailing slash.
    pub public_url: String,
    pub provider: String,
    /// Every certificate issued is announced to its learner by mail, in the same transaction.
    pub mail: crate::mail::compose::Identity,
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

/// A certificate about to be issued: what the flow that earns it knows (a course claim, a
/// live-session claim, a row of a bulk file, a correction). [`Issuer::insert`] gives it
/// its code, its time and its signed credential, stores it and tells its learner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCertificate {
    pub user_id: i64,
    pub learner_name: String,
    pub profession: String,
    pub activity_slug: String,
    pub activity_title: String,
    pub revision_number: Option<i64>,
    /// `online-course`, `recording`, `live-webinar`, …
    pub format: String,
    pub completed_on: String,
    pub provider: String,
    pub credit_type: String,
    pub quarters: i64,
    pub accreditation_statement: String,
    pub designation_statement: String,
}

impl NewCertificate {
    /// The same facts as `old`, for a corrected copy.
    pub fn copy_of(old: &Certificate) -> Self {
        Self {
            user_id: old.user_id,
            learner_name: old.learner_name.clone(),
            profession: old.profession.clone(),
            activity_slug: old.activity_slug.clone(),
            activity_title: old.activity_title.clone(),
            revision_number: old.revision_number,
            format: old.format.clone(),
            completed_on: old.completed_on.clone(),
            provider: old.provider.clone(),
            credit_type: old.credit_type.clone(),
            quarters: old.quarters,
            accreditation_statement: old.accreditation_statement.clone(),
            designation_statement: old.designation_statement.clone(),
        }
    }

    /// The certificate as issued now under `code` (its credential still to be signed).
    fn issued(self, code: String, issued_at: String) -> Certificate {
        Certificate {
            id: 0,
            code,
            user_id: self.user_id,
            learner_name: self.learner_name,
            profession: self.profession,
            activity_slug: self.activity_slug,
            activity_title: self.activity_title,
            revision_number: self.revision_number,
            format: self.format,
            completed_on: self.completed_on,
            provider: self.provider,
            credit_type: self.credit_type,
            quarters: self.quarters,
            accreditation_statement: self.accreditation_statement,
            designation_statement: self.designation_statement,
            issued_at,
            revoked_at: None,
            revoked_reason: None,
            superseded_by: None,
            credential: String::new(),
        }
    }
}

/// Whether `code` looks like one of ours (so junk is answered without a query).
pub fn plausible(code: &str) -> bool {
    let code = code.trim();
    code.len() <= 40 && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}
