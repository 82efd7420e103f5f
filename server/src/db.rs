//! The connection pool: SQLite in WAL mode with a busy timeout and foreign keys, and the
//! migrations in `migrations/`. `synchronous = FULL`: a commit is on disk before the
//! request that made it is answered (an acknowledged quiz submission survives a power cut).
//!
//! The database holds password hashes and the certificate signing key, so its file (and the
//! folder made for it, and every backup) is readable and writable by its owner only.
//!
//! This module also owns what every store shares: the pool type, the one clock ([`now`]),
//! and [`write_tx`], the only place that says `BEGIN IMMEDIATE`. Everything SQLite-specific
//! stays here, so the stores' SQL (`$1` placeholders, booleans as booleans) is portable.

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::io;
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

/// The database the stores talk to.
pub type Db = sqlx::Sqlite;
pub type Pool = sqlx::Pool<Db>;
/// A bare connection, as transactions and pooled connections dereference to.
pub type Connection = <Db as sqlx::Database>::Connection;

/// Where sessions are kept: tower-sessions' store for this database.
pub type SessionStore = tower_sessions_sqlx_store::SqliteStore;

pub fn session_store(pool: &Pool) -> SessionStore {
    SessionStore::new(pool.clone())
}

/// The one clock: now, in UTC, as stored (RFC 3339, to the second or finer).
pub fn now() -> String {
    now_instant()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|error| {
            // Only a date past the year 9999 fails to format.
            tracing::error!(%error, "the clock could not be formatted");
            String::from("1970-01-01T00:00:00Z")
        })
}

/// Seconds added to the system clock: 0 unless [`set_clock`] moved it (a rehearsal of a
/// session day, or a test that must stand after a date).
static CLOCK_OFFSET: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(0);

/// The one clock, as an instant.
pub fn now_instant() -> time::OffsetDateTime {
    let offset = CLOCK_OFFSET.load(std::sync::atomic::Ordering::Relaxed);
    time::OffsetDateTime::now_utc() + time::Duration::seconds(offset)
}

/// Sets the one clock to `at`; it runs on from there. For the whole process: tests that use
/// it run one per process (nextest).
pub fn set_clock(at: time::OffsetDateTime) {
    let offset = (at - time::OffsetDateTime::now_utc()).whole_seconds();
    CLOCK_OFFSET.store(offset, std::sync::atomic::Ordering::Relaxed);
}

/// Today's date by the one clock, `YYYY-MM-DD` (the form content dates are written in).
pub fn today() -> String {
    let date = now_instant().date();
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// Seconds since the Unix epoch, by the same clock.
pub fn now_secs() -> i64 {
    now_instant().unix_timestamp()
}

/// A transaction for a read-then-write: it takes the write lock before its first read
/// (`BEGIN IMMEDIATE`), so what it read cannot change before it writes, and SQLite never
/// answers "database is locked" halfway through. Every read-then-write goes through here.
pub async fn write_tx(pool: &Pool) -> Result<sqlx::Transaction<'static, Db>, sqlx::Error> {
    pool.begin_with("BEGIN IMMEDIATE").await
}

/// A stored integer as the type it stands for; one that does not fit (a bug or a damaged
/// database) is an error that names `what`, never a silent zero.
pub fn decode<T: TryFrom<i64>>(value: i64, what: &str) -> Result<T, crate::error::Error> {
    T::try_from(value).map_err(|_| crate::error::Error::corrupt(what, value))
}

/// [`decode`] where no error can be returned (building a document from a checked record):
/// a value that does not fit is logged as the error it is, and shown as zero.
pub fn decode_logged<T: TryFrom<i64> + Default>(value: i64, what: &str) -> T {
    T::try_from(value).unwrap_or_else(|_| {
        tracing::error!(value, what, "stored value does not decode");
        T::default()
    })
}

/// A count or length as a `u32` for a page (saturating: a page never shows four billion).
pub fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Whether `error` is a unique-constraint violation on `target` (SQLite names it
/// `table.column` in its message; other databases by the constraint's name).
pub fn is_unique_violation(error: &sqlx::Error, target: &str) -> bool {
    let Some(db) = error.as_database_error() else {
        return false;
    };
    db.is_unique_violation() && (db.constraint() == Some(target) || db.message().contains(target))
}

/// Opens (creating if missing, with its folder) the database at `url`.
pub async fn connect(url: &str) -> anyhow::Result<Pool> {
    let options = SqliteConnectOptions::from_str(url)
        .map_err(|error| anyhow::anyhow!("DATABASE_URL \"{url}\" is not a SQLite URL: {error}"))?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .busy_timeout(Duration::from_secs(10))
        .foreign_keys(true);
    let file = options.get_filename().to_path_buf();
    if is_file_path(&file) {
        prepare_private_file(&file)?;
    }
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(options)
        .await
        .map_err(|error| anyhow::anyhow!("cannot open the database {}: {error}", file.display()))?;
    Ok(pool)
}

/// `:memory:` and the like are not files.
fn is_file_path(file: &Path) -> bool {
    !file.as_os_str().is_empty() && !file.to_string_lossy().starts_with(':')
}

/// Creates the database's folder (owner-only) and the file itself (empty, owner-only) when
/// missing; an existing file that others can read is made owner-only, with a warning.
fn prepare_private_file(file: &Path) -> anyhow::Result<()> {
    if let Some(parent) = file.parent().filter(|p| !p.as_os_str().is_empty()) {
        let mut folder = std::fs::DirBuilder::new();
        folder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut folder, 0o700);
        folder.create(parent).map_err(|error| {
            anyhow::anyhow!(
                "cannot create the database folder {}: {error}",
                parent.display()
            )
        })?;
    }
    match create_private_file(file) {
        Ok(()) => Ok(()),
        Err(error) if error.kind() == io::ErrorKind::AlreadyExists => {
            // SQLite gives the -wal and -shm files the database file's permissions, but
            // ones left from before may be looser.
            for path in [
                file.to_path_buf(),
                sidecar(file, "-wal"),
                sidecar(file, "-shm"),
            ] {
                restrict_to_owner(&path)?;
            }
            Ok(())
        }
        Err(error) => Err(anyhow::anyhow!(
            "cannot create the database {}: {error}",
            file.display()
        )),
    }
}

fn sidecar(file: &Path, suffix: &str) -> std::path::PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(suffix);
    name.into()
}

/// Creates `file` empty and owner-only; fails if it exists (nothing is ever overwritten).
pub fn create_private_file(file: &Path) -> io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(file).map(drop)
}

#[cfg(unix)]
fn restrict_to_owner(path: &Path) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let Ok(metadata) = std::fs::metadata(path) else {
        return Ok(());
    };
    let mode = metadata.permissions().mode();
    if mode & 0o077 != 0 {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode & 0o700)).map_err(
            |error| {
                anyhow::anyhow!(
                    "{} can be read by other users and could not be made owner-only: {error}",
                    path.display()
                )
            },
        )?;
        tracing::warn!(
            file = %path.display(),
            "database file was readable by other users; made owner-only (it holds password hashes and the signing key)"
        );
    }
    Ok(())
}

#[cfg(not(unix))]
fn restrict_to_owner(_: &Path) -> anyhow::Result<()> {
    Ok(())
}

/// Opens an existing database without creating or migrating it (for read-only tools).
pub async fn connect_existing(url: &str) -> anyhow::Result<Pool> {
    let options = SqliteConnectOptions::from_str(url)
        .map_err(|error| anyhow::anyhow!("DATABASE_URL \"{url}\" is not a SQLite URL: {error}"))?
        .read_only(true);
    let file = options.get_filename().to_path_buf();
    if !file.is_file() {
        anyhow::bail!("there is no database at {}", file.display());
    }
    SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
        .map_err(|error| anyhow::anyhow!("cannot open the database {}: {error}", file.display()))
}

pub async fn migrate(pool: &Pool) -> anyhow::Result<()> {
    sqlx::migrate!("../migrations")
        .run(pool)
        .await
        .map_err(|error| anyhow::anyhow!("database migration failed: {error}"))
}

/// A consistent copy of the whole database into `file` (which may exist, empty), taken
/// while others read and write: SQLite's `VACUUM INTO`.
pub async fn copy_into(pool: &Pool, file: &str) -> Result<(), sqlx::Error> {
    sqlx::query("VACUUM INTO $1")
        .bind(file)
        .execute(pool)
        .await
        .map(drop)
}

/// Liveness: the database answers a query.
pub async fn ping(pool: &Pool) -> Result<(), sqlx::Error> {
    sqlx::query_scalar::<_, i64>("SELECT 1")
        .fetch_one(pool)
        .await
        .map(drop)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path)
            .expect("exists")
            .permissions()
            .mode()
            & 0o777
    }

    #[tokio::test]
    async fn a_new_database_and_its_folder_are_owner_only() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("data/grandrounds.db");
        let pool = connect(&format!("sqlite:{}", file.display()))
            .await
            .expect("connect");
        migrate(&pool).await.expect("migrate");
        assert_eq!(mode(&file), 0o600);
        assert_eq!(mode(&sidecar(&file, "-wal")), 0o600);
        assert_eq!(mode(file.parent().expect("folder")), 0o700);
    }

    #[tokio::test]
    async fn an_existing_readable_database_is_made_owner_only() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("old.db");
        std::fs::write(&file, b"").expect("write");
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        connect(&format!("sqlite:{}", file.display()))
            .await
            .expect("connect");
        assert_eq!(mode(&file), 0o600);
    }

    #[test]
    fn a_private_file_is_never_overwritten() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("copy.db");
        create_private_file(&file).expect("create");
        assert_eq!(mode(&file), 0o600);
        let again = create_private_file(&file).expect_err("exists");
        assert_eq!(again.kind(), io::ErrorKind::AlreadyExists);
    }
}
