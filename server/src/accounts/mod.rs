//! Accounts: who a user is, what they may do (role), how their password is checked and
//! stored, and the validation of every field they give us.

pub mod password;
pub mod store;
pub mod validate;

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// What a user may do. Every user starts as a learner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Learner,
    Educator,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Learner => "learner",
            Self::Educator => "educator",
            Self::Admin => "admin",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
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
