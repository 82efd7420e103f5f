//! The data transcript pages show, built by the server and sent through the server functions.

use crate::catalog::{CreditType, Hours};
use crate::forms::FormState;
use serde::{Deserialize, Serialize};

/// One line of a transcript.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TranscriptEntry {
    /// The certificate code (`None` for self-reported credit).
    pub code: Option<String>,
    /// The self-reported entry's id, for removing it.
    pub external_id: Option<i64>,
    pub title: String,
    pub provider: String,
    pub credit: CreditType,
    pub hours: Hours,
    /// ISO date.
    pub completed_on: String,
    /// Revoked certificates are listed but never counted.
    pub revoked: bool,
}

/// Hours per credit type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditTotal {
    pub credit: CreditType,
    pub hours: Hours,
}

/// `/transcript`: the learner's certificates and self-reported credit, in a date range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TranscriptPage {
    pub learner_name: String,
    /// The range as given (ISO dates, empty for open).
    pub from: String,
    pub to: String,
    pub verified: Vec<TranscriptEntry>,
    pub verified_totals: Vec<CreditTotal>,
    pub reported: Vec<TranscriptEntry>,
    pub reported_totals: Vec<CreditTotal>,
    pub state: FormState,
}
