//! The data accounts pages show, built by the server and sent through the server functions.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Who a course is written for. The slugs are the values used in URLs and front matter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Profession {
    Physician,
    Nurse,
    Pharmacist,
    AlliedHealth,
    CommunityHealthWorker,
    Other,
}

impl Profession {
    pub const ALL: [Profession; 6] = [
        Self::Physician,
        Self::Nurse,
        Self::Pharmacist,
        Self::AlliedHealth,
        Self::CommunityHealthWorker,
        Self::Other,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            Self::Physician => "physician",
            Self::Nurse => "nurse",
            Self::Pharmacist => "pharmacist",
            Self::AlliedHealth => "allied-health",
            Self::CommunityHealthWorker => "community-health-worker",
            Self::Other => "other",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Physician => "Physicians",
            Self::Nurse => "Nurses",
            Self::Pharmacist => "Pharmacists",
            Self::AlliedHealth => "Allied health professionals",
            Self::CommunityHealthWorker => "Community health workers",
            Self::Other => "Other health workers",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.slug() == slug)
    }
}

/// What a user may do. Every account starts as a learner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Learner,
    Educator,
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Self::Learner, Self::Educator, Self::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Learner => "learner",
            Self::Educator => "educator",
            Self::Admin => "admin",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Learner => "Learner",
            Self::Educator => "Educator",
            Self::Admin => "Administrator",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Role {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        match value {
            "learner" => Ok(Self::Learner),
            "educator" => Ok(Self::Educator),
            "admin" | "administrator" => Ok(Self::Admin),
            other => Err(format!(
                "\"{other}\" is not a role: use learner, educator or admin"
            )),
        }
    }
}

/// The signed-in user, as pages see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewer {
    pub id: i64,
    pub name: String,
    pub role: Role,
}

/// A learner's own account details, as the account page shows them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub email: String,
    pub full_name: String,
    pub profession: Option<Profession>,
    pub npi: String,
    pub licence_number: String,
    pub licence_state: String,
    pub board_id: String,
    pub birth_month: Option<u8>,
    pub birth_day: Option<u8>,
    pub consent_reporting: bool,
    /// Optional mail (reminders) wanted.
    pub optional_mail: bool,
    pub role: Option<Role>,
    /// The IANA zone times are shown in; None: each webinar's own.
    pub time_zone: Option<String>,
}

/// One account in the administrators' list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRow {
    pub id: i64,
    pub email: String,
    pub full_name: String,
    pub role: Role,
    /// ISO date the account was created.
    pub created: String,
}

/// A page of the administrators' user list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserPage {
    pub users: Vec<UserRow>,
    pub total: u32,
    /// 1-based.
    pub page: u32,
    pub per_page: u32,
    pub query: String,
}

/// What `/reset-password?token=…` shows: the form for the account the link is for, or why
/// the link no longer works.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ResetLink {
    Usable { email: String },
    Refused { reason: String },
}

/// What `/invitation?token=…` shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum InvitationLink {
    Usable {
        email: String,
        role: Role,
        invited_by: Option<String>,
    },
    Refused {
        reason: String,
    },
}

/// One invitation in the administrators' list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationRow {
    pub id: i64,
    pub email: String,
    pub role: Role,
    pub invited_by: String,
    pub sent: String,
    /// "open until …", "expired …", "accepted …", "revoked …".
    pub state: String,
    /// Can still be revoked or resent.
    pub open: bool,
}
