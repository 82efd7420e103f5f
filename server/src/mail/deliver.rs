//! Delivery: the transport chosen by configuration (SMTP, or `.eml` files when no server is
//! configured) and the sender that drains the outbox with retries and growing back-off.
//! At least once: a message is marked sent only after the transport took it, so a crash
//! in between sends it again, with the same bytes and Message-ID.

use super::store::{self, Claimed};
use crate::db::Pool;
use app::mail::MailKind;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use std::path::PathBuf;
use std::time::Duration;

/// Messages one sender claims at a time.
const BATCH: i64 = 5;
/// How long one network step of an SMTP exchange may take.
const SMTP_TIMEOUT: Duration = Duration::from_secs(20);
/// How long handing one message over may take in all (connect, TLS, AUTH, DATA): cut off
/// after this, whatever the server does.
const SEND_TIMEOUT: Duration = Duration::from_secs(25);
/// A claim outlasts a whole batch (5 × 25 s): a message is never due again while the
/// sender that claimed it may still be handing it over. After it, it is due again.
pub const LEASE_SECS: i64 = 150;
/// Tries before a message is failed for good (about 7 hours of retries).
pub const MAX_ATTEMPTS: i64 = 12;

/// The pause after the `attempts`-th failed try: 10 s, 30 s, 90 s, … at most an hour.
pub fn backoff_secs(attempts: i64) -> i64 {
    let exponent = u32::try_from(attempts.clamp(1, 10) - 1).unwrap_or(0);
    (10 * 3_i64.pow(exponent)).min(3600)
}

/// Where messages go.
#[derive(Clone)]
pub enum Transport {
    Smtp {
        transport: AsyncSmtpTransport<Tokio1Executor>,
        /// `smtps://host:port`, never the credentials.
        shown: String,
    },
    /// One `.eml` file per message in this folder.
    Files(PathBuf),
}

/// Why a try failed, and whether trying again could help.
#[derive(Debug)]
pub struct Failure {
    pub message: String,
    pub permanent: bool,
}

impl Transport {
    /// SMTP from `smtp_url` (`smtps://user:pass@host` for implicit TLS,
    /// `smtp://user:pass@host:587?tls=required` for STARTTLS), else files in `outbox_dir`.
    pub fn from_settings(
        smtp_url: Option<&str>,
        outbox_dir: &std::path::Path,
    ) -> anyhow::Result<Self> {
        let Some(url) = smtp_url.map(str::trim).filter(|u| !u.is_empty()) else {
            return Ok(Self::Files(outbox_dir.to_path_buf()));
        };
        let shown = shown_url(url);
        let parsed = url::Url::parse(url).map_err(|error| {
            anyhow::anyhow!("GRANDROUNDS_SMTP_URL {shown} is not a URL: {error}")
        })?;
        const USE: &str = "use smtps://USER:PASSWORD@HOST (TLS from the start) or smtp://USER:PASSWORD@HOST:587?tls=required (STARTTLS)";
        let tls = parsed
            .query_pairs()
            .find(|(key, _)| key == "tls")
            .map(|(_, value)| value.into_owned());
        let loopback = match parsed.host() {
            // `smtp:` is not a scheme the URL standard knows, so an IP address arrives as a
            // name here.
            Some(url::Host::Domain(name)) => {
                name.eq_ignore_ascii_case("localhost")
                    || name
                        .trim_start_matches('[')
                        .trim_end_matches(']')
                        .parse::<std::net::IpAddr>()
                        .is_ok_and(|ip| ip.is_loopback())
            }
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            None => false,
        };
        match (parsed.scheme(), tls.as_deref()) {
            ("smtps", None) | ("smtp", Some("required")) => {}
            // A relay on this machine (postfix, a test server), without credentials, may
            // take mail in the clear: nothing crosses a network.
            ("smtp", None) if loopback && parsed.username().is_empty() => {}
            ("smtp", None | Some("opportunistic" | "none")) => anyhow::bail!(
                "GRANDROUNDS_SMTP_URL {shown}: mail and the password would cross the network unencrypted (or could be downgraded to it); {USE}"
            ),
            _ => anyhow::bail!("GRANDROUNDS_SMTP_URL {shown}: {USE}"),
        }
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|error| anyhow::anyhow!("GRANDROUNDS_SMTP_URL {shown}: {error}"))?
            .timeout(Some(SMTP_TIMEOUT));
        // Credentials percent-encoded in the URL (a password with `@` or `/`) are decoded.
        if !parsed.username().is_empty() {
            let decode = |part: &str| {
                percent_encoding::percent_decode_str(part)
                    .decode_utf8_lossy()
                    .into_owned()
            };
            builder = builder.credentials(Credentials::new(
                decode(parsed.username()),
                decode(parsed.password().unwrap_or_default()),
            ));
        }
        Ok(Self::Smtp {
            transport: builder.build(),
            shown,
        })
    }

    /// What the log and the outbox page say about where messages go.
    pub fn describe(&self) -> String {
        match self {
            Self::Smtp { shown, .. } => format!("the SMTP server {shown}"),
            Self::Files(dir) => format!(
                ".eml files in {} (no GRANDROUNDS_SMTP_URL set)",
                dir.display()
            ),
        }
    }

    /// Hands one message over; returns where it went.
    pub async fn send(&self, from: &lettre::Address, message: &Claimed) -> Result<String, Failure> {
        match self {
            Self::Smtp { transport, shown } => {
                let to: lettre::Address = message.recipient.parse().map_err(|error| Failure {
                    message: format!(
                        "the recipient {} is not an address: {error}",
                        message.recipient
                    ),
                    permanent: true,
                })?;
                let envelope = lettre::address::Envelope::new(Some(from.clone()), vec![to])
                    .map_err(|error| Failure {
                        message: error.to_string(),
                        permanent: true,
                    })?;
                transport
                    .send_raw(&envelope, &message.raw)
                    .await
                    .map(|_| format!("SMTP {shown}"))
                    .map_err(|error| Failure {
                        permanent: error.is_permanent(),
                        message: format!("SMTP {shown}: {error}"),
                    })
            }
            Self::Files(dir) => {
                let file = dir.join(file_name(message));
                write_file(dir, &file, &message.raw)
                    .await
                    .map_err(|error| Failure {
                        message: format!("cannot write {}: {error}", file.display()),
                        permanent: false,
                    })?;
                Ok(file.display().to_string())
            }
        }
    }
}

/// `20261202T101500-42-password-reset.eml`: sorted by time, the same name on a second try.
fn file_name(message: &Claimed) -> String {
    let stamp: String = message
        .created_at
        .chars()
        .take(19)
        .filter(|c| c.is_ascii_digit() || *c == 'T')
        .collect();
    let kind: String = message
        .kind
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    format!("{stamp}-{}-{kind}.eml", message.id)
}

/// Written under a temporary name and renamed, so a reader never sees half a message. The
/// messages carry reset and invitation links: the folder is the server's user's only (0700,
/// tightened if it was made looser) and so is each file (0600).
async fn write_file(
    dir: &std::path::Path,
    file: &std::path::Path,
    raw: &[u8],
) -> std::io::Result<()> {
    use tokio::io::AsyncWriteExt as _;
    let mut folder = tokio::fs::DirBuilder::new();
    folder.recursive(true);
    #[cfg(unix)]
    folder.mode(0o700);
    folder.create(dir).await?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = tokio::fs::metadata(dir).await?.permissions().mode();
        if mode & 0o077 != 0 {
            tokio::fs::set_permissions(dir, std::fs::Permissions::from_mode(mode & 0o700)).await?;
        }
    }
    let partial = file.with_extension("eml.partial");
    let mut options = tokio::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    options.mode(0o600);
    let mut out = options.open(&partial).await?;
    out.write_all(raw).await?;
    out.sync_all().await?;
    drop(out);
    tokio::fs::rename(&partial, file).await
}

/// How long a `.eml` file stays in the outbox folder. The files carry reset, invitation and
/// confirmation links (which expire within two days): whoever reads the folder has had a
/// week, and the links are dead long before.
pub const FILES_KEPT: Duration = Duration::from_secs(7 * 24 * 60 * 60);

/// Removes the `.eml` files (and half-written ones) in `dir` last written more than `kept`
/// ago; how many. A folder that does not exist yet holds nothing to remove.
pub fn remove_old_files(dir: &std::path::Path, kept: Duration) -> std::io::Result<usize> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(error) => return Err(error),
    };
    let now = std::time::SystemTime::now();
    let mut removed = 0;
    for entry in entries.flatten() {
        let path = entry.path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if !(name.ends_with(".eml") || name.ends_with(".eml.partial")) {
            continue;
        }
        let Ok(meta) = entry.metadata() else { continue };
        let old = meta
            .modified()
            .ok()
            .and_then(|at| now.duration_since(at).ok())
            .is_some_and(|age| age > kept);
        if meta.is_file() && old {
            std::fs::remove_file(&path)?;
            removed += 1;
        }
    }
    Ok(removed)
}

/// `scheme://host:port` of an SMTP URL: never its user or password.
pub fn shown_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(parsed) => format!(
            "{}://{}{}",
            parsed.scheme(),
            parsed.host_str().unwrap_or("?"),
            parsed.port().map(|p| format!(":{p}")).unwrap_or_default()
        ),
        Err(_) => "(unreadable URL)".to_owned(),
    }
}

/// What one round of the sender did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Round {
    pub sent: usize,
    pub retrying: usize,
    pub failed: usize,
}

impl Round {
    pub fn claimed(&self) -> usize {
        self.sent + self.retrying + self.failed
    }
}

/// Whether a message of `kind` carries a single-use link: its body leaves the database once
/// it is delivered or failed for good, and it is never retried by hand.
pub fn carries_secret(kind: &str) -> bool {
    MailKind::from_slug(kind)
        .is_some_and(|k| matches!(k, MailKind::PasswordReset | MailKind::Invitation))
}

/// Claims the due messages and delivers them, once. The background sender calls this in a
/// loop; tests call it to deliver now.
pub async fn deliver_due(pool: &Pool, mail: &super::Mail) -> Result<Round, sqlx::Error> {
    let claimed = store::claim_due(pool, BATCH, LEASE_SECS).await?;
    deliver(pool, mail, claimed).await
}

/// Delivers message `id` only, if it is due (`grandrounds user add --invite`: its own
/// message, never anyone else's).
pub async fn deliver_one(pool: &Pool, mail: &super::Mail, id: i64) -> Result<Round, sqlx::Error> {
    let claimed = store::claim_one(pool, id, LEASE_SECS).await?;
    deliver(pool, mail, claimed).await
}

async fn deliver(
    pool: &Pool,
    mail: &super::Mail,
    claimed: Vec<Claimed>,
) -> Result<Round, sqlx::Error> {
    let mut round = Round::default();
    for message in claimed {
        let handed_over = mail.transport.send(&mail.identity.from, &message);
        let sent = tokio::time::timeout(SEND_TIMEOUT, handed_over)
            .await
            .unwrap_or_else(|_| {
                Err(Failure {
                    message: format!("no answer within {} seconds", SEND_TIMEOUT.as_secs()),
                    permanent: false,
                })
            });
        let secret = carries_secret(&message.kind);
        match sent {
            Ok(place) => {
                store::mark_sent(pool, &message, secret).await?;
                tracing::info!(
                    outbox = message.id,
                    kind = %message.kind,
                    to = %message.recipient,
                    "mail delivered to {place}"
                );
                round.sent += 1;
            }
            Err(failure) => {
                let give_up = failure.permanent || message.attempts >= MAX_ATTEMPTS;
                let retry_at =
                    (!give_up).then(|| crate::clock::now_secs() + backoff_secs(message.attempts));
                store::mark_failed(pool, &message, &failure.message, retry_at, secret).await?;
                if give_up {
                    tracing::error!(outbox = message.id, error = %failure.message, attempts = message.attempts, "mail failed for good; retry it on /admin/outbox");
                    round.failed += 1;
                } else {
                    tracing::warn!(outbox = message.id, error = %failure.message, attempts = message.attempts, "mail not delivered; will try again");
                    round.retrying += 1;
                }
            }
        }
    }
    Ok(round)
}

/// The background sender: a round every 2 seconds, or at once when something is queued
/// on this server ([`super::Mail::wake`]) or the last round was full. A database that does
/// not answer is logged and tried again; the sender never stops.
pub fn spawn_sender(pool: Pool, mail: std::sync::Arc<super::Mail>) {
    tracing::info!("mail goes to {}", mail.transport.describe());
    if let Transport::Files(dir) = &mail.transport {
        let dir = dir.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(Duration::from_secs(3600));
            loop {
                every.tick().await;
                let swept = dir.clone();
                match tokio::task::spawn_blocking(move || remove_old_files(&swept, FILES_KEPT))
                    .await
                {
                    Ok(Ok(0)) => {}
                    Ok(Ok(removed)) => {
                        tracing::info!(removed, "old .eml files removed from the outbox folder");
                    }
                    Ok(Err(error)) => {
                        tracing::warn!(%error, "could not remove old .eml files; trying again in an hour");
                    }
                    Err(error) => {
                        tracing::warn!(%error, "the .eml sweep stopped; trying again in an hour")
                    }
                }
            }
        });
    }
    tokio::spawn(async move {
        loop {
            let busy = match deliver_due(&pool, &mail).await {
                Ok(round) => round.claimed() as i64 >= BATCH,
                Err(error) => {
                    tracing::warn!(%error, "the mail sender could not read the outbox; trying again");
                    false
                }
            };
            if !busy {
                let _ = tokio::time::timeout(Duration::from_secs(2), mail.wake.notified()).await;
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_eml_files_are_removed_and_nothing_else() {
        let dir = tempfile::tempdir().expect("dir");
        let old = dir.path().join("20300101-1-password-reset.eml");
        let new = dir.path().join("20300108-2-password-reset.eml");
        let other = dir.path().join("notes.txt");
        for file in [&old, &new, &other] {
            std::fs::write(file, b"x").expect("write");
        }
        let long_ago = std::time::SystemTime::now() - FILES_KEPT - Duration::from_secs(60);
        for file in [&old, &other] {
            std::fs::File::options()
                .write(true)
                .open(file)
                .and_then(|f| f.set_modified(long_ago))
                .expect("age");
        }
        assert_eq!(remove_old_files(dir.path(), FILES_KEPT).expect("sweep"), 1);
        assert!(!old.exists());
        assert!(new.exists() && other.exists());
        assert_eq!(
            remove_old_files(&dir.path().join("missing"), FILES_KEPT).expect("none"),
            0
        );
    }

    #[test]
    fn back_off_grows_and_is_capped() {
        let pauses: Vec<i64> = (1..=MAX_ATTEMPTS).map(backoff_secs).collect();
        assert_eq!(&pauses[..4], &[10, 30, 90, 270]);
        assert!(pauses.windows(2).all(|w| w[0] <= w[1]));
        assert_eq!(*pauses.last().expect("last"), 3600);
    }

    #[test]
    fn credentials_never_show() {
        assert_eq!(
            shown_url("smtps://mailer:s3cret@mail.example.org"),
            "smtps://mail.example.org"
        );
        assert_eq!(
            shown_url("smtp://mailer:s3cret@mail.example.org:587?tls=required"),
            "smtp://mail.example.org:587"
        );
        let error =
            Transport::from_settings(Some("http://mailer:s3cret@x"), std::path::Path::new("o"))
                .err()
                .expect("refused")
                .to_string();
        assert!(!error.contains("s3cret"), "{error}");
        let error = Transport::from_settings(
            Some("smtp://mailer:s3cret@x?tls=sometimes"),
            std::path::Path::new("o"),
        )
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
        assert!(!error.contains("s3cret"), "{error}");
    }

    // The SMTP pool is built on the async runtime.
    #[tokio::test]
    async fn both_kinds_of_tls_are_accepted() {
        for url in [
            "smtps://mailer:s3cret@mail.example.org",
            "smtp://mailer:s3cret@mail.example.org:587?tls=required",
            "smtp://127.0.0.1:2525",
            "smtp://localhost:25",
        ] {
            let transport =
                Transport::from_settings(Some(url), std::path::Path::new("o")).expect(url);
            assert!(matches!(transport, Transport::Smtp { .. }));
            assert!(!transport.describe().contains("s3cret"));
        }
        // Nothing that could send a password or a reset link in the clear.
        for url in [
            "smtp://mailer:s3cret@mail.example.org:587",
            "smtp://mail.example.org:25",
            "smtp://mailer:s3cret@mail.example.org:587?tls=opportunistic",
            "smtp://mailer:s3cret@127.0.0.1:25",
            "smtps://mailer:s3cret@mail.example.org?tls=none",
        ] {
            let error = Transport::from_settings(Some(url), std::path::Path::new("o"))
                .err()
                .unwrap_or_else(|| panic!("{url} refused"))
                .to_string();
            assert!(error.contains("tls=required"), "{error}");
            assert!(!error.contains("s3cret"), "{error}");
        }
        assert!(matches!(
            Transport::from_settings(None, std::path::Path::new("o")).expect("files"),
            Transport::Files(_)
        ));
    }
}
