//! Configuration: the command line (`Cli`, its subcommands and their flags), each flag also
//! read from its environment variable (see `.env.sample`); flags win over variables, which
//! win over `.env`.

use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "grandrounds",
    version,
    about = "Grand Rounds: continuing medical education, one binary and one SQLite file"
)]
pub struct Cli {
    /// Database URL; the default SQLite file (and its folder) is created if missing.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite:data/grandrounds.db",
        global = true
    )]
    pub database_url: String,

    /// The content folder: courses/<slug>/course.md and lessons.
    #[arg(
        long,
        env = "GRANDROUNDS_CONTENT_DIR",
        default_value = "content",
        global = true
    )]
    pub content_dir: PathBuf,

    /// The folder of the secret keys (certificate signing, form cookies), owner-only.
    /// Default: `keys/` beside the SQLite file. Back it up apart from the database.
    #[arg(long, env = "GRANDROUNDS_KEY_DIR", global = true)]
    pub key_dir: Option<PathBuf>,

    /// Where messages are written when no SMTP server is set. Default: `outbox/` beside the
    /// SQLite file (`data/outbox`).
    #[arg(long, env = "GRANDROUNDS_OUTBOX_DIR", global = true)]
    pub outbox_dir: Option<PathBuf>,

    /// The sender address of every message (its name is the provider's). Default:
    /// no-reply@<the public URL's host>.
    #[arg(long, env = "GRANDROUNDS_MAIL_FROM", global = true)]
    pub mail_from: Option<String>,

    /// What to do; `serve` when left out.
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Apply migrations, import content and serve the site.
    Serve(ServeArgs),
    /// Apply database migrations and exit.
    Migrate,
    /// Course content tools.
    Content {
        #[command(subcommand)]
        action: ContentCommand,
    },
    /// Account tools.
    User {
        #[command(subcommand)]
        action: UserCommand,
    },
    /// Write a consistent copy of the database to FILE (safe while the server runs): a SQLite
    /// file, or on PostgreSQL a pg_dump archive (restore with pg_restore). The copy holds
    /// password hashes: keep it as safe as the original.
    Backup {
        /// Where to write the copy; an existing file is never overwritten.
        file: PathBuf,
    },
    /// Copy every table of this installation's database (--database-url) into a new, empty
    /// database at --to, for moving from the embedded SQLite file to PostgreSQL. Checked by
    /// counting every table on both sides and verifying every certificate's signature
    /// against the copied keys. Stop the servers first; sessions are not copied.
    Copy {
        /// The new database: postgres://USER:PASSWORD@HOST:PORT/DATABASE (or sqlite:PATH).
        #[arg(long, value_name = "URL")]
        to: String,
    },
    /// Certificate tools.
    Cert {
        #[command(subcommand)]
        action: CertCommand,
    },
    /// Signing key tools.
    Key {
        #[command(subcommand)]
        action: KeyCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Make a new certificate signing key in the key folder. New certificates are signed
    /// with it once the servers restart; the old public keys stay in /issuer/jwks.json, so
    /// every credential issued before still verifies.
    Rotate,
}

impl Cli {
    /// The key folder: as given, or `keys/` beside the SQLite file. On PostgreSQL there is no
    /// file to put it beside, and every server must use the same keys: it must be named.
    pub fn key_dir(&self) -> anyhow::Result<PathBuf> {
        let postgres = self
            .database_url
            .trim_start()
            .get(..8)
            .is_some_and(|scheme| scheme.eq_ignore_ascii_case("postgres"));
        if self.key_dir.is_none() && postgres {
            anyhow::bail!(
                "name the key folder (the certificate signing keys, shared by every app server): \
                 --key-dir DIR or GRANDROUNDS_KEY_DIR=DIR; on PostgreSQL there is no default"
            );
        }
        Ok(key_dir_for(&self.database_url, self.key_dir.as_deref()))
    }
}

impl Cli {
    /// Where mail goes.
    /// Where mail goes. The SMTP server (smtps://USER:PASSWORD@HOST, or
    /// smtp://USER:PASSWORD@HOST:587?tls=required) is read from `GRANDROUNDS_SMTP_URL` only
    /// (the environment or `.env`), never a flag: its password stays out of process
    /// listings and shell history. Without it, messages are `.eml` files.
    pub fn mail_settings(&self) -> crate::mail::MailSettings {
        crate::mail::MailSettings {
            smtp_url: std::env::var("GRANDROUNDS_SMTP_URL")
                .ok()
                .filter(|url| !url.trim().is_empty()),
            outbox_dir: self.outbox_dir.clone().unwrap_or_else(|| {
                if self.database_url.trim_start().starts_with("sqlite") {
                    beside_database(&self.database_url, "outbox")
                } else {
                    PathBuf::from("data/outbox")
                }
            }),
            from: self.mail_from.clone(),
        }
    }
}

/// The key folder for `database_url` when none is configured.
pub fn key_dir_for(database_url: &str, configured: Option<&std::path::Path>) -> PathBuf {
    if let Some(dir) = configured {
        return dir.to_path_buf();
    }
    beside_database(database_url, "keys")
}

/// `name` in the SQLite file's folder (`name` itself when there is none).
fn beside_database(database_url: &str, name: &str) -> PathBuf {
    let file = database_url
        .strip_prefix("sqlite://")
        .or_else(|| database_url.strip_prefix("sqlite:"))
        .map(|rest| rest.split('?').next().unwrap_or(rest));
    match file
        .map(std::path::Path::new)
        .and_then(std::path::Path::parent)
    {
        Some(parent) if !parent.as_os_str().is_empty() => parent.join(name),
        _ => PathBuf::from(name),
    }
}

#[derive(Debug, Subcommand)]
pub enum CertCommand {
    /// Check a downloaded signed credential (.jwt) offline and print its fields; exits
    /// non-zero if it was changed or not signed by the issuer.
    Verify {
        /// The credential file, as downloaded from a certificate page.
        file: PathBuf,
        /// The issuer's public keys (the JSON from /issuer/jwks.json). Default: the keys in
        /// the local database (on the server itself).
        #[arg(long)]
        keys: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account; the password is read from standard input (first line). With
    /// --invite, mail a single-use link instead: the invitee chooses the password.
    Add {
        #[arg(long)]
        email: String,
        /// learner, educator or admin.
        #[arg(long, default_value = "learner")]
        role: crate::accounts::Role,
        /// Full name as it must appear on certificates (default: the email's local part;
        /// the user can change it on /account).
        #[arg(long)]
        name: Option<String>,
        #[arg(long, default_value = "other", value_parser = parse_profession)]
        profession: app::accounts::Profession,
        /// Mail an invitation link (valid 7 days) instead of reading a password; the invitee
        /// chooses their name and profession too.
        #[arg(long)]
        invite: bool,
        /// The address the link points at (as `serve --public-url`).
        #[arg(long, env = "GRANDROUNDS_PUBLIC_URL", default_value = "http://127.0.0.1:3000", value_parser = parse_public_url)]
        public_url: String,
        /// The site's name, the sender of the invitation (as `serve --provider`).
        #[arg(long, env = "GRANDROUNDS_PROVIDER", default_value = "Grand Rounds")]
        provider: String,
    },
}

fn parse_profession(value: &str) -> Result<app::accounts::Profession, String> {
    app::accounts::Profession::from_slug(value).ok_or_else(|| {
        let all: Vec<&str> = app::accounts::Profession::ALL
            .iter()
            .map(|p| p.slug())
            .collect();
        format!(
            "\"{value}\" is not a profession: use one of {}",
            all.join(", ")
        )
    })
}

#[derive(Debug, Subcommand)]
pub enum ContentCommand {
    /// Validate a content folder; prints every problem as FILE:LINE: message and exits
    /// non-zero if there is any.
    Check {
        /// The folder to check (default: the content directory).
        dir: Option<PathBuf>,
    },
    /// Store a new revision of every course whose files changed and retire courses whose
    /// folder is gone, then exit: the deploy step for several servers started with
    /// `serve --no-import`. Refuses (and stores nothing) if any course has a problem.
    Import {
        /// The folder to import (default: the content directory).
        dir: Option<PathBuf>,
        /// The address links in the mail it queues point at (a webinar's registrants are
        /// told of a changed time), as `serve --public-url`.
        #[arg(long, env = "GRANDROUNDS_PUBLIC_URL", default_value = "http://127.0.0.1:3000", value_parser = parse_public_url)]
        public_url: String,
        /// The site's name, the sender of that mail (as `serve --provider`).
        #[arg(long, env = "GRANDROUNDS_PROVIDER", default_value = "Grand Rounds")]
        provider: String,
    },
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, env = "GRANDROUNDS_LISTEN", default_value = "127.0.0.1:3000")]
    pub listen: SocketAddr,

    /// The address users reach the site at (used in links and to mark cookies Secure);
    /// defaults to http://<listen>.
    #[arg(long, env = "GRANDROUNDS_PUBLIC_URL", value_parser = parse_public_url)]
    pub public_url: Option<String>,

    /// The built site (cargo-leptos output): pkg/ with the wasm, JS and CSS.
    #[arg(long, env = "GRANDROUNDS_SITE_ROOT", default_value = "target/site")]
    pub site_root: PathBuf,

    /// The accredited provider named on certificates and as the credential issuer.
    #[arg(long, env = "GRANDROUNDS_PROVIDER", default_value = "Grand Rounds")]
    pub provider: String,

    /// Reverse proxies in front of the server, by address or network (repeat the flag, or
    /// separate with commas in the variable). Only requests from them have their client
    /// address taken from X-Forwarded-For, for the per-address limits.
    #[arg(
        long = "trusted-proxy",
        env = "GRANDROUNDS_TRUSTED_PROXIES",
        value_delimiter = ',',
        value_parser = crate::client_addr::parse_trusted_proxy
    )]
    pub trusted_proxies: Vec<ipnet::IpNet>,

    /// Do not import the content folder at start; serve what the database holds (several
    /// servers: publish with `grandrounds content import` once per deploy, so a server with
    /// an older folder never stores it as a new revision).
    #[arg(long, env = "GRANDROUNDS_NO_IMPORT")]
    pub no_import: bool,

    /// Rehearse: start the site's one clock at this instant (RFC 3339 in UTC, e.g.
    /// 2031-03-04T15:00:00Z) and let it run from there. Logged with a warning at start and
    /// shown in a banner on every page. For rehearsing a session day, demos and tests.
    /// Command line only: `GRANDROUNDS_CLOCK` is read with `--rehearsal` alone.
    #[arg(long, value_parser = parse_instant)]
    pub clock: Option<time::OffsetDateTime>,

    /// Take the rehearsal clock from `GRANDROUNDS_CLOCK`. Without this flag a server whose
    /// environment still has the variable set (left from a rehearsal) refuses to start,
    /// rather than moving every date of a live site.
    #[arg(long)]
    pub rehearsal: bool,
}

impl ServeArgs {
    /// The rehearsal clock asked for, if any: `--clock`, or `GRANDROUNDS_CLOCK` (`env`) with
    /// `--rehearsal`. The variable without the flag is refused, naming both.
    pub fn rehearsal_clock(
        &self,
        env: Option<&str>,
    ) -> Result<Option<time::OffsetDateTime>, String> {
        if let Some(at) = self.clock {
            return Ok(Some(at));
        }
        match (env.map(str::trim).filter(|v| !v.is_empty()), self.rehearsal) {
            (None, false) => Ok(None),
            (None, true) => Err(
                "--rehearsal takes the clock from GRANDROUNDS_CLOCK, which is not set: set it (e.g. GRANDROUNDS_CLOCK=2031-03-04T15:00:00Z) or give --clock".into(),
            ),
            (Some(value), true) => parse_instant(value)
                .map(Some)
                .map_err(|error| format!("GRANDROUNDS_CLOCK: {error}")),
            (Some(value), false) => Err(format!(
                "GRANDROUNDS_CLOCK is set ({value}) but the command line does not say --rehearsal: a rehearsal clock moves every date the site shows and decides, so it needs both. Start with `grandrounds serve --rehearsal` to rehearse, or unset GRANDROUNDS_CLOCK"
            )),
        }
    }
}

fn parse_instant(value: &str) -> Result<time::OffsetDateTime, String> {
    time::OffsetDateTime::parse(value.trim(), &time::format_description::well_known::Rfc3339)
        .map(|at| at.to_offset(time::UtcOffset::UTC))
        .map_err(|_| {
            format!(
                "\"{value}\" is not an instant: write it as 2031-03-04T15:00:00Z (UTC) or 2031-03-04T09:00:00-06:00"
            )
        })
}

/// `grandrounds` with no subcommand serves, reading the serve flags' environment variables.
#[derive(Debug, Parser)]
struct ServeOnly {
    #[command(flatten)]
    args: ServeArgs,
}

impl ServeArgs {
    pub fn default_from_env() -> Result<Self, clap::Error> {
        ServeOnly::try_parse_from(["grandrounds"]).map(|only| only.args)
    }
}

fn parse_public_url(value: &str) -> Result<String, String> {
    let trimmed = value.trim_end_matches('/');
    let rest = trimmed
        .strip_prefix("https://")
        .or_else(|| trimmed.strip_prefix("http://"))
        .ok_or_else(|| format!("\"{value}\" must start with http:// or https://"))?;
    if rest.is_empty() || rest.contains(char::is_whitespace) {
        return Err(format!("\"{value}\" is not a usable address"));
    }
    Ok(trimmed.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rehearsal_clock_is_an_instant() {
        let at = parse_instant("2031-03-04T09:00:00-06:00").expect("instant");
        assert_eq!(at, time::macros::datetime!(2031-03-04 15:00 UTC));
        let error = parse_instant("next tuesday").expect_err("refused");
        assert!(error.contains("2031-03-04T15:00:00Z"), "{error}");
        let error =
            Cli::try_parse_from(["grandrounds", "serve", "--clock", "2031-13-01T00:00:00Z"])
                .expect_err("refused")
                .to_string();
        assert!(error.contains("--clock"), "{error}");
    }

    #[test]
    fn the_clock_variable_needs_the_rehearsal_flag() {
        let serve = |args: &[&str]| {
            let mut all = vec!["grandrounds", "serve"];
            all.extend_from_slice(args);
            match Cli::try_parse_from(all).expect("parses").command {
                Some(Command::Serve(args)) => args,
                _ => unreachable!("serve"),
            }
        };
        let at = time::macros::datetime!(2031-03-04 15:00 UTC);
        assert_eq!(serve(&[]).rehearsal_clock(None), Ok(None));
        let left = serve(&[]).rehearsal_clock(Some("2031-03-04T15:00:00Z"));
        assert!(
            left.as_ref().is_err_and(|e| e.contains("--rehearsal")),
            "{left:?}"
        );
        assert_eq!(
            serve(&["--rehearsal"]).rehearsal_clock(Some("2031-03-04T15:00:00Z")),
            Ok(Some(at))
        );
        assert!(serve(&["--rehearsal"]).rehearsal_clock(None).is_err());
        assert_eq!(
            serve(&["--clock", "2031-03-04T15:00:00Z"]).rehearsal_clock(None),
            Ok(Some(at))
        );
    }

    #[test]
    fn public_url_must_be_http() {
        assert_eq!(
            parse_public_url("https://cme.example.org/").as_deref(),
            Ok("https://cme.example.org")
        );
        assert!(parse_public_url("cme.example.org").is_err());
        assert!(parse_public_url("https://").is_err());
    }

    #[test]
    fn serve_is_the_default_and_flags_parse() {
        let cli =
            Cli::try_parse_from(["grandrounds", "--database-url", "sqlite:x.db"]).expect("parse");
        assert!(cli.command.is_none());
        assert_eq!(cli.database_url, "sqlite:x.db");
        let cli = Cli::try_parse_from(["grandrounds", "serve", "--listen", "0.0.0.0:8080"])
            .expect("parse");
        let Some(Command::Serve(args)) = cli.command else {
            panic!("serve expected")
        };
        assert_eq!(args.listen.port(), 8080);
        assert!(Cli::try_parse_from(["grandrounds", "serve", "--listen", "nowhere"]).is_err());
    }

    #[test]
    fn trusted_proxies_are_listed_and_checked() {
        let cli = Cli::try_parse_from([
            "grandrounds",
            "serve",
            "--trusted-proxy",
            "127.0.0.1,10.0.0.0/8",
            "--trusted-proxy",
            "::1",
        ])
        .expect("parse");
        let Some(Command::Serve(args)) = cli.command else {
            panic!("serve expected")
        };
        assert_eq!(args.trusted_proxies.len(), 3);
        let error = Cli::try_parse_from(["grandrounds", "serve", "--trusted-proxy", "proxy"])
            .expect_err("not an address")
            .to_string();
        assert!(
            error.contains("--trusted-proxy") && error.contains("\"proxy\" is not an IP address"),
            "{error}"
        );
    }
}
