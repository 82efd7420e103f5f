//! The server's Ed25519 keys and compact VC-JWTs (`alg: EdDSA`). The secrets live in the
//! key folder ([`crate::keys`]), never in the database, which keeps the public halves
//! (`signing_keys`) for `/issuer/jwks.json`. Verification needs nothing but that public key, so a
//! downloaded credential can be checked offline.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::{Signature, Signer as _, SigningKey, Verifier as _, VerifyingKey};
use rand::RngCore as _;
use serde_json::{Value, json};

/// The issuing key.
pub struct Signer {
    pub kid: String,
    key: SigningKey,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

/// The key id: derived from the public key, so it names exactly one key.
fn kid_of(key: &SigningKey) -> String {
    format!(
        "ed25519-{}",
        &hex::encode(key.verifying_key().to_bytes())[..16]
    )
}

impl Signer {
    /// The newest signing key of the key folder, created there (once, even with several
    /// servers starting) if there is none. Every key's public half is registered in the
    /// database for `/issuer/jwks.json`. A secret left in the database by an earlier version
    /// is moved into the key folder and erased from the database.
    pub async fn load_or_create(
        pool: &crate::db::Pool,
        keys: &crate::keys::KeyDir,
    ) -> Result<Self, crate::error::Error> {
        let file_error = |error: std::io::Error| {
            crate::error::Error::failed(
                format!("the key folder {}: {error}", keys.path().display()),
                "Check that the key folder exists, belongs to the user the server runs as, and holds the key files from your backup.",
            )
        };
        let legacy = super::store::legacy_secret_keys(pool).await?;
        let on_file = keys.signing_keys().map_err(file_error)?;
        let moved = !legacy.is_empty();
        for (kid, secret) in legacy {
            let secret: [u8; 32] = secret.as_slice().try_into().map_err(|_| {
                sqlx::Error::Protocol("a stored signing key is not 32 bytes".into())
            })?;
            if !on_file.iter().any(|(_, s)| *s == secret) {
                let number = keys.add_signing_key(&secret).map_err(file_error)?;
                tracing::warn!(%kid, file = %keys.signing_file(number).display(), "moved the signing key out of the database into the key folder");
            }
            super::store::erase_secret_key(pool, &kid).await?;
        }
        if moved {
            // The old secret is still in earlier backups of the database: sign with a new key
            // from now on (the old public key stays published for the old credentials).
            let (kid, file) = Self::rotate(pool, keys).await?;
            tracing::warn!(%kid, file = %file.display(), "signing with a new key; the one moved out of the database stays only for verifying older credentials");
        }
        let mut on_file = keys.signing_keys().map_err(file_error)?;
        if on_file.is_empty() {
            let mut secret = [0u8; 32];
            rand::rng().fill_bytes(&mut secret);
            match keys.add_signing_key(&secret) {
                Ok(number) => tracing::info!(
                    file = %keys.signing_file(number).display(),
                    "created the certificate signing key"
                ),
                // Another server created it at the same moment: use that one.
                Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(error) => return Err(file_error(error)),
            }
            on_file = keys.signing_keys().map_err(file_error)?;
        }
        for (_, secret) in &on_file {
            register(pool, &SigningKey::from_bytes(secret)).await?;
        }
        let (_, newest) = on_file
            .last()
            .ok_or_else(|| file_error(std::io::ErrorKind::NotFound.into()))?;
        let key = SigningKey::from_bytes(newest);
        Ok(Self {
            kid: kid_of(&key),
            key,
        })
    }

    /// `grandrounds key rotate`: a new signing key in the key folder, registered; the old
    /// ones stay in the JWK set. Servers sign with it from their next start.
    pub async fn rotate(
        pool: &crate::db::Pool,
        keys: &crate::keys::KeyDir,
    ) -> Result<(String, std::path::PathBuf), crate::error::Error> {
        let mut secret = [0u8; 32];
        rand::rng().fill_bytes(&mut secret);
        let number = keys.add_signing_key(&secret).map_err(|error| {
            crate::error::Error::failed(
                format!("the key folder {}: {error}", keys.path().display()),
                "Check the key folder's owner and permissions, then run the command again.",
            )
        })?;
        let key = SigningKey::from_bytes(&secret);
        register(pool, &key).await?;
        Ok((kid_of(&key), keys.signing_file(number)))
    }

    pub fn public_key(&self) -> PublicKey {
        PublicKey {
            kid: self.kid.clone(),
            key: self.key.verifying_key(),
        }
    }

    /// A compact JWS over `payload` with `typ` and this key's `kid` in the header.
    pub fn sign(&self, payload: &Value) -> String {
        let header = json!({ "alg": "EdDSA", "typ": "vc+jwt", "kid": self.kid });
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(payload.to_string())
        );
        let signature = self.key.sign(signing_input.as_bytes());
        format!(
            "{signing_input}.{}",
            URL_SAFE_NO_PAD.encode(signature.to_bytes())
        )
    }
}

/// Records a key's public half (once) for the JWK set; the secret column stays empty.
async fn register(pool: &crate::db::Pool, key: &SigningKey) -> Result<(), crate::error::Error> {
    super::store::register_public_key(pool, &kid_of(key), &key.verifying_key().to_bytes()).await?;
    Ok(())
}

/// A verification key with its id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKey {
    pub kid: String,
    pub key: VerifyingKey,
}

impl PublicKey {
    /// The key as a JSON Web Key (RFC 8037, OKP / Ed25519).
    pub fn jwk(&self) -> Value {
        json!({
            "kty": "OKP",
            "crv": "Ed25519",
            "alg": "EdDSA",
            "use": "sig",
            "kid": self.kid,
            "x": URL_SAFE_NO_PAD.encode(self.key.to_bytes()),
        })
    }

    /// Reads the keys of a JWK set (`{"keys": [...]}`) or a single JWK.
    pub fn from_jwks(text: &str) -> Result<Vec<Self>, String> {
        let value: Value =
            serde_json::from_str(text).map_err(|e| format!("the key file is not JSON: {e}"))?;
        let keys = match value.get("keys") {
            Some(Value::Array(keys)) => keys.clone(),
            _ => vec![value],
        };
        keys.iter()
            .map(|jwk| {
                let field = |name: &str| {
                    jwk.get(name)
                        .and_then(Value::as_str)
                        .ok_or_else(|| format!("the key has no \"{name}\""))
                };
                if field("kty")? != "OKP" || field("crv")? != "Ed25519" {
                    return Err("the key is not an Ed25519 key (kty OKP, crv Ed25519)".into());
                }
                let bytes: [u8; 32] = URL_SAFE_NO_PAD
                    .decode(field("x")?)
                    .ok()
                    .and_then(|b| b.try_into().ok())
                    .ok_or("the key's \"x\" is not a 32-byte base64url value")?;
                Ok(Self {
                    kid: field("kid")?.to_owned(),
                    key: VerifyingKey::from_bytes(&bytes)
                        .map_err(|e| format!("the key is not a valid Ed25519 point: {e}"))?,
                })
            })
            .collect()
    }
}

/// The JWK set published at `/issuer/jwks.json`.
pub async fn jwks(pool: &crate::db::Pool) -> Result<Value, crate::error::Error> {
    let rows = super::store::public_keys(pool).await?;
    let keys: Vec<Value> = rows
        .into_iter()
        .filter_map(|(kid, public)| {
            let bytes: [u8; 32] = public.try_into().ok()?;
            Some(
                PublicKey {
                    kid,
                    key: VerifyingKey::from_bytes(&bytes).ok()?,
                }
                .jwk(),
            )
        })
        .collect();
    Ok(json!({ "keys": keys }))
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("not a compact JWT: expected three base64url parts separated by dots")]
    Shape,
    #[error("the {0} is not valid base64url")]
    Encoding(&'static str),
    #[error("the {0} is not valid JSON")]
    Json(&'static str),
    #[error("the algorithm is {0}, not EdDSA")]
    Algorithm(String),
    #[error("signed with key \"{0}\", which is not among the issuer's keys")]
    UnknownKey(String),
    #[error(
        "the signature does not match: the credential was changed or not signed by this issuer"
    )]
    Signature,
}

/// Checks a compact JWT against the given keys and returns its payload.
pub fn verify(token: &str, keys: &[PublicKey]) -> Result<Value, VerifyError> {
    let token = token.trim();
    let parts: Vec<&str> = token.split('.').collect();
    let [header, payload, signature] = parts.as_slice() else {
        return Err(VerifyError::Shape);
    };
    let decode = |part: &str, what: &'static str| {
        URL_SAFE_NO_PAD
            .decode(part)
            .map_err(|_| VerifyError::Encoding(what))
    };
    let header_json: Value = serde_json::from_slice(&decode(header, "header")?)
        .map_err(|_| VerifyError::Json("header"))?;
    let alg = header_json
        .get("alg")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if alg != "EdDSA" {
        return Err(VerifyError::Algorithm(alg.to_owned()));
    }
    let kid = header_json
        .get("kid")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let key = keys
        .iter()
        .find(|k| k.kid == kid)
        .ok_or_else(|| VerifyError::UnknownKey(kid.to_owned()))?;
    let signature: [u8; 64] = decode(signature, "signature")?
        .try_into()
        .map_err(|_| VerifyError::Signature)?;
    key.key
        .verify(
            format!("{header}.{payload}").as_bytes(),
            &Signature::from_bytes(&signature),
        )
        .map_err(|_| VerifyError::Signature)?;
    serde_json::from_slice(&decode(payload, "payload")?).map_err(|_| VerifyError::Json("payload"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signer() -> Signer {
        Signer {
            kid: "ed25519-test".into(),
            key: SigningKey::from_bytes(&[7u8; 32]),
        }
    }

    #[test]
    fn a_signed_token_verifies_and_any_changed_byte_fails() {
        let signer = signer();
        let token = signer.sign(&json!({ "name": "Ana Silva", "creditsEarned": 0.75 }));
        let keys = [signer.public_key()];
        let payload = verify(&token, &keys).expect("verifies");
        assert_eq!(payload["name"], "Ana Silva");

        let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.";
        for index in 0..token.len() {
            let original = token.as_bytes()[index];
            for &replacement in alphabet.iter().filter(|&&b| b != original).take(3) {
                let mut bytes = token.clone().into_bytes();
                bytes[index] = replacement;
                let changed = String::from_utf8(bytes).expect("ascii");
                assert!(
                    verify(&changed, &keys).is_err(),
                    "changing byte {index} to {} still verified",
                    replacement as char
                );
            }
        }
    }

    #[test]
    fn another_key_or_algorithm_is_refused() {
        let token = signer().sign(&json!({ "a": 1 }));
        let other = Signer {
            kid: "ed25519-test".into(),
            key: SigningKey::from_bytes(&[9u8; 32]),
        };
        assert_eq!(
            verify(&token, &[other.public_key()]),
            Err(VerifyError::Signature)
        );
        let none_alg = format!(
            "{}.{}.",
            URL_SAFE_NO_PAD.encode(r#"{"alg":"none","kid":"ed25519-test"}"#),
            token.split('.').nth(1).expect("payload")
        );
        assert!(matches!(
            verify(&none_alg, &[signer().public_key()]),
            Err(VerifyError::Algorithm(_))
        ));
    }

    #[test]
    fn jwks_round_trip() {
        let key = signer().public_key();
        let set = json!({ "keys": [key.jwk()] }).to_string();
        assert_eq!(PublicKey::from_jwks(&set), Ok(vec![key]));
        assert!(PublicKey::from_jwks("{}").is_err());
    }
}
