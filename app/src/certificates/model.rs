//! The data certificates pages show, built by the server and sent through the server functions.

use crate::catalog::{CreditType, Hours};
use crate::forms::FormState;
use serde::{Deserialize, Serialize};

/// Where a certificate stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CertificateStatus {
    Valid,
    /// ISO date and the administrator's reason.
    Revoked {
        on: String,
        reason: String,
    },
    /// Replaced (for instance after a name correction) by the certificate with this code.
    Superseded {
        by: String,
    },
}

/// A certificate as its page and the public verification page show it: every field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateView {
    pub code: String,
    pub learner_name: String,
    pub profession: String,
    pub activity_title: String,
    /// The course revision completed, for catalog activities.
    pub revision: Option<i64>,
    /// "Online course", "Live webinar", "Recording".
    pub format: String,
    /// ISO date.
    pub completed_on: String,
    pub provider: String,
    pub credit: CreditType,
    pub hours: Hours,
    pub accreditation_statement: String,
    pub designation_statement: String,
    /// ISO date.
    pub issued_on: String,
    pub status: CertificateStatus,
    /// The public verification address (also in the QR code).
    pub verify_url: String,
    /// The QR code of `verify_url`, as SVG markup made by the server.
    pub qr_svg: String,
}

/// `/certificates/{code}`: the learner's certificate, with the administrators' actions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificatePage {
    pub certificate: CertificateView,
    /// The viewer is an administrator: show revoke and reissue.
    pub manage: bool,
    pub state: FormState,
}

/// One row of a bulk issue, as checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkRow {
    /// The line in the file (the header is line 1).
    pub line: u32,
    pub email: String,
    pub activity: String,
    pub credit: String,
    pub hours: String,
    pub completed_on: String,
    /// What is wrong with the row; `None` when it can be issued.
    pub problem: Option<String>,
}

/// A checked bulk file: every row's problem, or ready to issue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkPreview {
    /// The file's text, sent back with the confirmation.
    pub csv: String,
    pub rows: Vec<BulkRow>,
    /// A problem with the file as a whole (no header, not CSV, empty).
    pub file_problem: Option<String>,
}

impl BulkPreview {
    pub fn ready(&self) -> bool {
        self.file_problem.is_none()
            && !self.rows.is_empty()
            && self.rows.iter().all(|r| r.problem.is_none())
    }
}

/// A recently issued certificate, in the administrators' list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedRow {
    pub code: String,
    pub learner_name: String,
    pub activity_title: String,
    pub credit: String,
    pub issued_on: String,
    pub status: String,
}

/// `/admin/certificates`: issue one by hand, bulk-issue from CSV with a preview, and the
/// latest certificates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminCertificatesPage {
    /// `(slug, title)` of the catalog's courses.
    pub activities: Vec<(String, String)>,
    pub preview: Option<BulkPreview>,
    pub state: FormState,
    pub recent: Vec<IssuedRow>,
}
