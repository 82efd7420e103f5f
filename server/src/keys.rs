//! Secrets kept outside the database, in a key folder (`--key-dir`, `GRANDROUNDS_KEY_DIR`;
//! by default `keys/` beside the SQLite file): owner-only files (`0600` in a `0700` folder),
//! created at first start. A database backup therefore holds no secret; back the key folder
//! up separately, and share it (read-only) between app servers.
//!
//! - `signing-0001.key`, `signing-0002.key`, …: the certificate signing keys (Ed25519, 32
//!   bytes in hex). The highest number signs; `grandrounds key rotate` adds the next. The
//!   database keeps only the public halves, so `/issuer/jwks.json` lists every key ever used
//!   and old credentials still verify.
//! - `form-state.key`: the HMAC key of the short-lived cookie that carries an anonymous
//!   visitor's form back to the page (see [`crate::forms`]).
//!
//! Creating a file is `create_new`: two servers starting together make it once; the one
//! that loses the race reads the winner's file.

use rand::RngCore as _;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct KeyDir {
    path: PathBuf,
}

const SIGNING_PREFIX: &str = "signing-";
const SUFFIX: &str = ".key";

impl KeyDir {
    /// Opens the key folder, creating it owner-only (`0700`) if missing. An existing folder
    /// keeps its permissions (it may be a read-only share); a key file that others can read
    /// is made owner-only, with a warning.
    pub fn open(path: &Path) -> io::Result<Self> {
        if !path.exists() {
            std::fs::create_dir_all(path)?;
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt as _;
                std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700))?;
            }
        }
        let dir = Self {
            path: path.to_path_buf(),
        };
        #[cfg(unix)]
        for entry in std::fs::read_dir(path)? {
            use std::os::unix::fs::PermissionsExt as _;
            let entry = entry?;
            let is_key = entry
                .file_name()
                .to_str()
                .is_some_and(|n| n.ends_with(SUFFIX));
            let mode = entry.metadata()?.permissions().mode();
            if is_key && mode & 0o077 != 0 {
                std::fs::set_permissions(entry.path(), std::fs::Permissions::from_mode(0o600))?;
                tracing::warn!(file = %entry.path().display(), "key file was readable by other users; made owner-only");
            }
        }
        Ok(dir)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The 32-byte secret in `name`, made at random first if the file does not exist.
    pub fn secret(&self, name: &str) -> io::Result<[u8; 32]> {
        let file = self.path.join(name);
        match read_key(&file) {
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                let mut secret = [0u8; 32];
                rand::rng().fill_bytes(&mut secret);
                match write_new(&file, &secret) {
                    Ok(()) => Ok(secret),
                    // Another server made it first: use theirs.
                    Err(error) if error.kind() == io::ErrorKind::AlreadyExists => read_key(&file),
                    Err(error) => Err(error),
                }
            }
            other => other,
        }
    }

    /// The signing keys' numbers and secrets, oldest first.
    pub fn signing_keys(&self) -> io::Result<Vec<(u32, [u8; 32])>> {
        let mut keys = Vec::new();
        for entry in std::fs::read_dir(&self.path)? {
            let name = entry?.file_name();
            let Some(number) = name
                .to_str()
                .and_then(|n| n.strip_prefix(SIGNING_PREFIX))
                .and_then(|n| n.strip_suffix(SUFFIX))
                .and_then(|n| n.parse::<u32>().ok())
            else {
                continue;
            };
            keys.push((number, read_key(&self.path.join(&name))?));
        }
        keys.sort_by_key(|(number, _)| *number);
        Ok(keys)
    }

    /// Writes `secret` as the next signing key (or as number 1); returns its number.
    /// `AlreadyExists` when another process took that number at the same moment.
    pub fn add_signing_key(&self, secret: &[u8; 32]) -> io::Result<u32> {
        let next = self
            .signing_keys()?
            .last()
            .map_or(1, |(number, _)| number + 1);
        write_new(&self.signing_file(next), secret)?;
        Ok(next)
    }

    pub fn signing_file(&self, number: u32) -> PathBuf {
        self.path
            .join(format!("{SIGNING_PREFIX}{number:04}{SUFFIX}"))
    }
}

fn read_key(file: &Path) -> io::Result<[u8; 32]> {
    let text = std::fs::read_to_string(file)?;
    hex::decode(text.trim())
        .ok()
        .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
        .ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "{} is not a key file (64 hexadecimal digits); restore it from your backup of the key folder",
                    file.display()
                ),
            )
        })
}

/// Writes the key to a temporary file, then links it under its name, which fails if the
/// name exists: a reader never sees a half-written key, a crash leaves no empty one, and of
/// two servers racing, exactly one key is made.
fn write_new(file: &Path, secret: &[u8; 32]) -> io::Result<()> {
    let mut nonce = [0u8; 8];
    rand::rng().fill_bytes(&mut nonce);
    let temporary = file.with_extension(format!("tmp-{}", hex::encode(nonce)));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let written = (|| {
        let mut out = options.open(&temporary)?;
        writeln!(out, "{}", hex::encode(secret))?;
        out.sync_all()?;
        std::fs::hard_link(&temporary, file)
    })();
    let _ = std::fs::remove_file(&temporary);
    written
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_made_once_owner_only_and_read_back() {
        let dir = tempfile::tempdir().expect("dir");
        let keys = KeyDir::open(&dir.path().join("keys")).expect("open");
        let first = keys.secret("form-state.key").expect("secret");
        assert_eq!(keys.secret("form-state.key").expect("again"), first);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(keys.path().join("form-state.key"))
                .expect("meta")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
            let mode = std::fs::metadata(keys.path())
                .expect("meta")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o700);
        }
        assert_eq!(keys.add_signing_key(&[1; 32]).expect("add"), 1);
        assert_eq!(keys.add_signing_key(&[2; 32]).expect("add"), 2);
        let numbers: Vec<u32> = keys
            .signing_keys()
            .expect("list")
            .iter()
            .map(|(n, _)| *n)
            .collect();
        assert_eq!(numbers, [1, 2]);
        std::fs::write(keys.path().join("signing-0003.key"), "not hex").expect("write");
        assert!(
            keys.signing_keys().is_err(),
            "a damaged key file is an error, never skipped"
        );
    }
}
