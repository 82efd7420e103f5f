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
