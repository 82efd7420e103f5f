//! Passwords: the policy (length, not the email, not a common password; no composition
//! rules) and argon2id hashing on the blocking pool, bounded so that a burst of sign-ins
//! cannot starve page requests, in memory each hashing slot owns.
//!
//! argon2id fills 19 MiB for every hash. Allocated and freed per hash, glibc kept the freed
//! blocks in the arenas of whichever blocking threads had run them and never gave them
//! back: 300 registrations 16 at once grew the server to 2.7 GB. Each of the `limit` slots
//! now allocates its memory once and reuses it, so hashing holds at most `limit` × 19 MiB
//! whatever the load (`benches/registration_memory.rs` prints the peak).

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use std::collections::HashSet;
use std::sync::{Arc, LazyLock, Mutex, PoisonError};
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

impl From<HashError> for crate::error::Error {
    fn from(error: HashError) -> Self {
        Self::Internal(Box::new(error))
    }
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

/// Hashes and verifies passwords off the async workers, at most `limit` at a time, each in
/// memory allocated once for its slot.
#[derive(Clone)]
pub struct Hasher {
    permits: Arc<Semaphore>,
    /// argon2's working memory, one per slot, kept between hashes (see the module's note).
    memories: Arc<Mutex<Vec<Vec<Block>>>>,
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
            memories: Arc::default(),
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

    /// Runs `work` on the blocking pool with a slot's memory. The slot is held until the work
    /// ends, even when the request that asked for it is gone (a client that gave up during
    /// sign-in): otherwise abandoned hashes would run beside new ones, beyond the limit.
    async fn in_slot<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Vec<Block>) -> T + Send + 'static,
    ) -> Result<T, HashError> {
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|e| HashError::Hash(e.to_string()))?;
        let memories = self.memories.clone();
        let done = tokio::task::spawn_blocking(move || {
            let _slot = permit;
            let taken = memories
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .pop();
            let mut memory = taken.unwrap_or_default();
            let result = work(&mut memory);
            memories
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(memory);
            result
        });
        Ok(done.await?)
    }

    pub async fn hash(&self, password: String) -> Result<String, HashError> {
        let cost = self.cost;
        self.in_slot(move |memory| {
            let argon2 = Self::argon2(cost)?;
            let params = argon2.params().clone();
            let salt = SaltString::generate(&mut OsRng);
            let mut salt_bytes = [0u8; 64];
            let salt_bytes = salt
                .as_salt()
                .decode_b64(&mut salt_bytes)
                .map_err(|error| HashError::Hash(error.to_string()))?;
            let output_len = params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN);
            let blocks = blocks(memory, params.block_count());
            let output = Output::init_with(output_len, |out| {
                argon2
                    .hash_password_into_with_memory(password.as_bytes(), salt_bytes, out, blocks)
                    .map_err(Into::into)
            })
            .map_err(|error| HashError::Hash(error.to_string()))?;
            let phc = PasswordHash {
                algorithm: Algorithm::Argon2id.ident(),
                version: Some(Version::V0x13.into()),
                params: ParamsString::try_from(&params)
                    .map_err(|error| HashError::Hash(error.to_string()))?,
                salt: Some(salt.as_salt()),
                hash: Some(output),
            };
            Ok(phc.to_string())
        })
        .await?
    }

    /// How many passwords were checked against a hash since start.
    pub fn verifications(&self) -> u64 {
        self.verified.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// `false` for a wrong password and for an unreadable stored hash alike. The cost is the
    /// one the stored hash names; the comparison takes the same time wherever they differ.
    pub async fn verify(&self, password: String, stored: String) -> Result<bool, HashError> {
        self.verified
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.in_slot(move |memory| {
            let Ok(parsed) = PasswordHash::new(&stored) else {
                return false;
            };
            let (Ok(algorithm), Ok(params), Some(salt), Some(expected)) = (
                Algorithm::try_from(parsed.algorithm),
                Params::try_from(&parsed),
                parsed.salt,
                parsed.hash,
            ) else {
                return false;
            };
            let version = match parsed.version.map(Version::try_from).transpose() {
                Ok(version) => version.unwrap_or_default(),
                Err(_) => return false,
            };
            let mut salt_bytes = [0u8; 64];
            let Ok(salt) = salt.decode_b64(&mut salt_bytes) else {
                return false;
            };
            let blocks = blocks(memory, params.block_count());
            let argon2 = Argon2::new(algorithm, version, params);
            let mut computed = vec![0u8; expected.len()];
            argon2
                .hash_password_into_with_memory(password.as_bytes(), salt, &mut computed, blocks)
                .is_ok()
                && Output::new(&computed).is_ok_and(|computed| computed == expected)
        })
        .await
    }
}

/// The first `count` blocks of a slot's memory, grown (once) if it is smaller.
fn blocks(memory: &mut Vec<Block>, count: usize) -> &mut [Block] {
    if memory.len() < count {
        memory.resize(count, Block::default());
    }
    &mut memory[..count]
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

    /// Hashes made before the slots (by argon2's own `PasswordHasher`) still verify, and the
    /// slots' hashes verify with argon2's own `PasswordVerifier`.
    #[tokio::test]
    async fn hashes_are_those_argon2_itself_makes_and_reads() {
        use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
        let hasher = Hasher::new(1);
        let salt = SaltString::generate(&mut OsRng);
        let theirs = Hasher::argon2(HashCost::Production)
            .expect("argon2")
            .hash_password(b"river lantern quietly", &salt)
            .expect("hash")
            .to_string();
        assert!(
            hasher
                .verify("river lantern quietly".into(), theirs.clone())
                .await
                .expect("verify")
        );
        assert!(
            !hasher
                .verify("river lantern quietlY".into(), theirs)
                .await
                .expect("verify")
        );
        let ours = hasher
            .hash("river lantern quietly".into())
            .await
            .expect("hash");
        let parsed = PasswordHash::new(&ours).expect("a PHC string");
        assert!(
            Argon2::default()
                .verify_password(b"river lantern quietly", &parsed)
                .is_ok()
        );
        // A fast test hash, verified in a slot grown for the production cost, still verifies.
        let fast = Hasher::with_cost(1, HashCost::Fast)
            .hash("river lantern quietly".into())
            .await
            .expect("hash");
        assert!(
            hasher
                .verify("river lantern quietly".into(), fast)
                .await
                .expect("verify")
        );
    }

    /// Hashes abandoned by their callers still hold their slot until they finish: never more
    /// slots' memory than the limit, however many requests give up.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn abandoned_hashes_keep_their_slot_until_done() {
        let hasher = Hasher::with_cost(2, HashCost::Production);
        for _ in 0..8 {
            let pending = hasher.hash("river lantern quietly".into());
            let _ = tokio::time::timeout(std::time::Duration::from_millis(1), pending).await;
        }
        hasher
            .hash("river lantern quietly".into())
            .await
            .expect("hash");
        let slots = hasher
            .memories
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len();
        assert!(slots <= 2, "{slots} memories for a limit of 2");
    }
}
