//! The data reports pages show, built by the server and sent through the server functions.

use serde::{Deserialize, Serialize};

/// `/admin/reports`: completions for accreditation reporting, by activity and period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportPage {
    /// `(slug, title)` of every activity with certificates.
    pub activities: Vec<(String, String)>,
    /// The filter as given (empty = all).
    pub activity: String,
    pub from: String,
    pub to: String,
    /// Completions of consenting learners (in the CSV).
    pub listed: u32,
    /// Completions of learners who did not consent (counted, not listed).
    pub not_listed: u32,
}

/// One line of the audit log: who did what, when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// RFC 3339, UTC.
    pub at: String,
    /// The name of whoever did it (an administrator, or the learner themselves).
    pub actor: String,
    /// e.g. `role.change`, `profile.profession`, `certificate.revoke`, `report.export`.
    pub action: String,
    pub target: String,
    pub detail: String,
}

/// `/admin`: the administrators' console, linking its sections, with the latest audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminConsole {
    pub audit: Vec<AuditEntry>,
}
