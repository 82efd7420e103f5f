//! Passwords: the policy (length, not the email, not a common password; no composition
//! rules) and argon2id hashing on the blocking pool, bounded so that a burst of sign-ins
//! cannot starve page requests.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use std::collections::HashSet;
use std::sync::{Arc, LazyLock};
use tokio::sync::Semaphore;

pub const MIN_CHARS: usize = 12;
pub const MAX_CHARS: usize = 256;

/// OWASP's minimum for argon2id: 19 MiB, 2 passes, 1 lane.
const MEMORY_KIB: u32 = 19 * 1024;
const PASSES: u32 = 2;
const LANES: u32 = 1;

static COMMON: LazyLock<HashSet<String>> = LazyLock::new(|| {
    include_str!("common-passwords.txt")
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(str::to_lowercase)
        .collect()
});

/// Checks a new password against the policy; the message says what to change.
pub fn check_policy(password: &str, email: &str) -> Result<(), String> {
    let chars = password.chars().count();
    if chars < MIN_CHARS {
        return Err(format!(
            "use at least {MIN_CHARS} characters; a few unrelated words make a strong, memorable password"
        ));
    }
    if chars > MAX_CHARS {
        return Err(format!("use at most {MAX_CHARS} characters"));
    }
    let lowered = password.to_lowercase();
    let email = email.trim().to_lowercase();
    if !email.is_empty() && (lowered == email || email.split('@').next() == Some(lowered.as_str()))
    {
        return Err("the password must not be your email address".into());
    }
    if COMMON.contains(&lowered) {
        return Err("this password is on a list of commonly used passwords; choose another".into());
    }
    Ok(())
}

#[derive(Debug, thiserror::Error)]
pub enum HashError {
    #[error("password hashing failed: {0}")]
    Hash(String),
    #[error("password hashing task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
}

/// What a new hash costs. Verifying always uses the parameters stored in the hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HashCost {
    /// OWASP's argon2id minimum: 19 MiB, 2 passes, 1 lane.
    #[default]
    Production,
    /// The smallest argon2id allows (8 KiB, 1 pass), for tests that create many accounts.
    /// Never for a real server: `serve` always uses [`HashCost::Production`].
    Fast,
}

/// Hashes and verifies passwords off the async workers, at most `limit` at a time.
#[derive(Clone)]
pub struct Hasher {
    permits: Arc<Semaphore>,
    cost: HashCost,
    /// Passwords checked since start (what throttling must keep small under attack).
    verified: Arc<std::sync::atomic::AtomicU64>,
}

impl Hasher {
    pub fn new(limit: usize) -> Self {
        Self::with_cost(limit, HashCost::Production)
    }

    pub fn with_cost(limit: usize, cost: HashCost) -> Self {
        Self {
            verified: Arc::default(),
            permits: Arc::new(Semaphore::new(limit.max(1))),
            cost,
        }
    }

    /// One per core, leaving the async workers free to serve pages.
    pub fn for_this_machine(cost: HashCost) -> Self {
        Self::with_cost(
            std::thread::available_parallelism().map_or(1, usize::from),
            cost,
        )
    }

    fn argon2(cost: HashCost) -> Result<Argon2<'static>, HashError> {
        let (memory, passes) = match cost {
            HashCost::Production => (MEMORY_KIB, PASSES),
            HashCost::Fast => (8 * LANES, 1),
        };
        let params = Params::new(memory, passes, LANES, None)
            .map_err(|error| HashError::Hash(error.to_string()))?;
        Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
    }

    pub async fn hash(&self, password: String) -> Result<String, HashError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|e| HashError::Hash(e.to_string()))?;
        let cost = self.cost;
        tokio::task::spawn_blocking(move || {
            let salt = SaltString::generate(&mut OsRng);
            Self::argon2(cost)?
                .hash_password(password.as_bytes(), &salt)
                .map(|hash| hash.to_string())
                .map_err(|error| HashError::Hash(error.to_string()))
        })
        .await?
    }

    /// `false` for a wrong password and for an unreadable stored hash alike.
    /// How many passwords were checked against a hash since start.
    pub fn verifications(&self) -> u64 {
        self.verified.load(std::sync::atomic::Ordering::Relaxed)
    }

    pub async fn verify(&self, password: String, stored: String) -> Result<bool, HashError> {
        self.verified
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|e| HashError::Hash(e.to_string()))?;
        tokio::task::spawn_blocking(move || {
            let Ok(parsed) = PasswordHash::new(&stored) else {
                return Ok(false);
            };
            // The parameters come from the stored hash; these are only the defaults.
            Ok(Self::argon2(HashCost::Production)?
                .verify_password(password.as_bytes(), &parsed)
                .is_ok())
        })
        .await?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_is_length_email_and_common_list_only() {
        assert!(
            check_policy("short", "a@b.org")
                .expect_err("refused")
                .contains("at least 12")
        );
        assert!(
            check_policy(&"x".repeat(257), "a@b.org")
                .expect_err("refused")
                .contains("at most 256")
        );
        assert!(
            check_policy("nurse.lee@clinic.org", "Nurse.Lee@clinic.org")
                .expect_err("refused")
                .contains("email")
        );
        assert!(
            check_policy("Password1234", "a@b.org")
                .expect_err("refused")
                .contains("commonly used")
        );
        assert!(check_policy("telemedicine", "a@b.org").is_err());
        // No composition rules: lowercase words with spaces are fine.
        assert_eq!(check_policy("river lantern quietly", "a@b.org"), Ok(()));
        assert_eq!(check_policy(&"é".repeat(12), "a@b.org"), Ok(()));
    }

    #[test]
    fn the_shipped_list_is_loaded() {
        assert!(COMMON.len() > 100);
        assert!(COMMON.iter().all(|p| p.chars().count() >= MIN_CHARS));
    }

    #[tokio::test]
    async fn the_fast_test_cost_is_argon2id_and_verifies_like_any_other() {
        let hasher = Hasher::with_cost(1, HashCost::Fast);
        let hash = hasher
            .hash("river lantern quietly".into())
            .await
            .expect("hash");
        assert!(hash.starts_with("$argon2id$v=19$m=8,t=1,p=1$"), "{hash}");
        assert!(
            hasher
                .verify("river lantern quietly".into(), hash.clone())
                .await
                .expect("verify")
        );
        assert!(!hasher.verify("wrong".into(), hash).await.expect("verify"));
    }

    #[tokio::test]
    async fn hashes_are_argon2id_with_the_required_cost_and_verify() {
        let hasher = Hasher::new(2);
        let hash = hasher
            .hash("river lantern quietly".into())
            .await
            .expect("hash");
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(
            hasher
                .verify("river lantern quietly".into(), hash.clone())
                .await
                .expect("verify")
        );
        assert!(
            !hasher
                .verify("river lantern quietly!".into(), hash.clone())
                .await
                .expect("verify")
        );
        assert!(
            !hasher
                .verify("x".into(), "not a hash".into())
                .await
                .expect("verify")
        );
        let again = hasher
            .hash("river lantern quietly".into())
            .await
            .expect("hash");
        assert_ne!(hash, again, "each hash has its own salt");
    }
}
