//! The server's Ed25519 key and compact VC-JWTs (`alg: EdDSA`). The key pair is created at
//! first start and kept in the database (`signing_keys`); only the public half is ever
//! published (`/issuer/jwks.json`). Verification needs nothing but that public key, so a
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

impl Signer {
    /// The key in the database, created (once, even with several servers starting) if there
    /// is none.
    pub async fn load_or_create(pool: &crate::db::Pool) -> Result<Self, crate::error::Error> {
        let mut tx = crate::db::write_tx(pool).await?;
        let existing: Option<(String, Vec<u8>)> =
            sqlx::query_as("SELECT kid, secret_key FROM signing_keys ORDER BY id LIMIT 1")
                .fetch_optional(&mut *tx)
                .await?;
        if let Some((kid, secret)) = existing {
            let bytes: [u8; 32] = secret.as_slice().try_into().map_err(|_| {
                sqlx::Error::Protocol("the stored signing key is not 32 bytes".into())
            })?;
            return Ok(Self {
                kid,
                key: SigningKey::from_bytes(&bytes),
            });
        }
        let mut secret = [0u8; 32];
        rand::rng().fill_bytes(&mut secret);
        let key = SigningKey::from_bytes(&secret);
        let public = key.verifying_key().to_bytes();
        // The key id is derived from the public key, so it names exactly one key.
        let kid = format!("ed25519-{}", &hex::encode(public)[..16]);
        sqlx::query(
            "INSERT INTO signing_keys (kid, public_key, secret_key, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(&kid)
        .bind(public.as_slice())
        .bind(secret.as_slice())
        .bind(crate::db::now())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        tracing::info!(%kid, "created the certificate signing key");
        Ok(Self { kid, key })
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
    let rows: Vec<(String, Vec<u8>)> =
        sqlx::query_as("SELECT kid, public_key FROM signing_keys ORDER BY id")
            .fetch_all(pool)
            .await?;
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
