//! Single-use link tokens (password reset, invitation): 256 random bits, URL-safe, and only
//! their SHA-256 stored, so a copy of the database opens no account.

use base64::Engine as _;
use rand::RngCore as _;
use sha2::Digest as _;

/// A new token and the hash to store for it.
pub fn new_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let hash = hash(&token);
    (token, hash)
}

/// What is stored for `token`.
pub fn hash(token: &str) -> String {
    hex::encode(sha2::Sha256::digest(token.trim().as_bytes()))
}

/// Whether `token` could be one of ours (43 URL-safe characters): anything else is refused
/// before it reaches the database or a link.
pub fn well_formed(token: &str) -> bool {
    let token = token.trim();
    token.len() == 43
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_stored_hashed() {
        let (a, hash_a) = new_token();
        let (b, _) = new_token();
        assert_ne!(a, b);
        assert!(well_formed(&a));
        assert_eq!(hash_a, hash(&a));
        assert_eq!(hash_a.len(), 64);
        assert!(!hash_a.contains(&a));
        assert!(!well_formed("short"));
        assert!(!well_formed(&format!("{}\"", &a[..42])));
    }
}
