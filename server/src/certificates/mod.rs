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

/// Whether `code` looks like one of ours (so junk is answered without a query).
pub fn plausible(code: &str) -> bool {
    let code = code.trim();
    code.len() <= 40 && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}
