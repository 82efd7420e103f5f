//! The data the mail pages show, built by the server.

use serde::{Deserialize, Serialize};

/// What a message is about. Which of them a learner may refuse is decided here, once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MailKind {
    AddressConfirmation,
    AccountExists,
    PasswordReset,
    PasswordChanged,
    Invitation,
    CertificateIssued,
    WebinarRegistered,
    WebinarWaitlisted,
    WebinarPromoted,
    WebinarCancelled,
    WebinarChanged,
    WebinarReminder,
}

impl MailKind {
    pub const ALL: [MailKind; 12] = [
        Self::AddressConfirmation,
        Self::AccountExists,
        Self::PasswordReset,
        Self::PasswordChanged,
        Self::Invitation,
        Self::CertificateIssued,
        Self::WebinarRegistered,
        Self::WebinarWaitlisted,
        Self::WebinarPromoted,
        Self::WebinarCancelled,
        Self::WebinarChanged,
        Self::WebinarReminder,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::AddressConfirmation => "address-confirmation",
            Self::AccountExists => "account-exists",
            Self::PasswordReset => "password-reset",
            Self::PasswordChanged => "password-changed",
            Self::Invitation => "invitation",
            Self::CertificateIssued => "certificate-issued",
            Self::WebinarRegistered => "webinar-registered",
            Self::WebinarWaitlisted => "webinar-waitlisted",
            Self::WebinarPromoted => "webinar-promoted",
            Self::WebinarCancelled => "webinar-cancelled",
            Self::WebinarChanged => "webinar-changed",
            Self::WebinarReminder => "webinar-reminder",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == slug)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::AddressConfirmation => "Address confirmation link",
            Self::AccountExists => "Someone registered with an address that has an account",
            Self::PasswordReset => "Password reset link",
            Self::PasswordChanged => "Your password was changed",
            Self::Invitation => "Invitation to join",
            Self::CertificateIssued => "Certificate issued",
            Self::WebinarRegistered => "Webinar registration confirmed",
            Self::WebinarWaitlisted => "Webinar waitlist place",
            Self::WebinarPromoted => "A webinar seat became yours",
            Self::WebinarCancelled => "Webinar registration cancelled",
            Self::WebinarChanged => "A webinar's time changed or a session was cancelled",
            Self::WebinarReminder => "Webinar reminders (a day and an hour before)",
        }
    }

    /// Whether a learner may turn it off on `/account` (reminders, when they come). Security
    /// messages and records of credit are always sent.
    pub fn refusable(self) -> bool {
        matches!(self, Self::WebinarReminder)
    }

    /// Whether it may go to an account whose address is not confirmed yet: only what proves
    /// or recovers the address. Nothing else is sent until the owner confirms it, so a
    /// stranger's address typed at registration gets no other mail from the site.
    pub fn before_confirmation(self) -> bool {
        matches!(
            self,
            Self::AddressConfirmation | Self::AccountExists | Self::PasswordReset
        )
    }
}

/// Where a message stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MailStatus {
    Queued,
    Sent,
    Failed,
}

impl MailStatus {
    pub const ALL: [MailStatus; 3] = [Self::Queued, Self::Sent, Self::Failed];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Sent => "sent",
            Self::Failed => "failed",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == slug)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Queued => "Queued",
            Self::Sent => "Sent",
            Self::Failed => "Failed",
        }
    }
}

/// One message on `/admin/outbox`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxRow {
    pub id: i64,
    pub created: String,
    pub kind: String,
    pub recipient: String,
    pub subject: String,
    pub status: MailStatus,
    pub attempts: i64,
    /// When the next try is due (queued messages), UTC.
    pub next_attempt: Option<String>,
    pub last_error: Option<String>,
    pub sent: Option<String>,
}

/// `/admin/outbox`: counts per status and one page of messages, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxPage {
    pub queued: u32,
    pub sent: u32,
    pub failed: u32,
    /// The status shown (`None`: all).
    pub status: Option<MailStatus>,
    pub rows: Vec<OutboxRow>,
    pub page: u32,
    pub pages: u32,
    /// Where messages go: "SMTP smtp.example.org:465" or "files in data/outbox".
    pub transport: String,
}
