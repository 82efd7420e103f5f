//! The connection pool, for either database the binary serves: SQLite (the default, one
//! file, WAL mode with a busy timeout and foreign keys, `synchronous = FULL` so a commit is on
//! disk before the request that made it is answered) or PostgreSQL (several app servers on
//! one database). The stores talk to both through sqlx's `Any` driver, in one SQL dialect:
//! `$1` placeholders, booleans as booleans, nothing database-specific outside this module.
//!
//! The database holds password hashes, so a SQLite file (and the folder made for it, and
//! every backup) is readable and writable by its owner only.
//!
//! Here: the pool (connect, migrate, the file's permissions). Beside it, what every store
//! shares: `tx` ([`write_tx`] and [`lock`], which together say what each read-then-write
//! serialises on: SQLite serialises every write transaction, `BEGIN IMMEDIATE` taking the
//! write lock before the first read; PostgreSQL's READ COMMITTED does not, so each
//! read-then-write locks the row, or names the key, it depends on), `rows` (booleans and
//! integers as both databases return them, unique violations), `audit` (the audit log's
//! writer), `sessions` (the sign-in session store), `schema` and `copy` (between databases).

pub mod audit;
pub mod copy;
mod rows;
pub mod schema;
mod sessions;
mod tx;

pub use rows::{Flag, count, decode, decode_logged, is_unique_violation};
pub use sessions::{SessionStore, session_store};
use tx::refuse_open_transactions;
pub use tx::{On, Table, lock, skip_locked, write_tx};

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::sqlite::SqliteConnectOptions;
use std::io;
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

/// The database the stores talk to: whichever the URL names, chosen at start.
pub type Db = sqlx::Any;
pub type Pool = sqlx::Pool<Db>;
/// A bare connection, as transactions and pooled connections dereference to.
pub type Connection = <Db as sqlx::Database>::Connection;

/// The databases the binary serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// What to write instead of a URL the binary cannot serve.
pub const ACCEPTED_URLS: &str = "use sqlite:PATH (the default, e.g. sqlite:data/grandrounds.db) \
     or postgres://USER:PASSWORD@HOST:PORT/DATABASE (postgresql:// also works)";

impl Backend {
    /// The database `url` names, or why it names none this binary serves.
    pub fn of_url(url: &str) -> anyhow::Result<Self> {
        let scheme = url
            .split_once(':')
            .map(|(scheme, _)| scheme.to_ascii_lowercase());
        match scheme.as_deref() {
            Some("sqlite") => Ok(Self::Sqlite),
            Some("postgres" | "postgresql") => Ok(Self::Postgres),
            _ => anyhow::bail!(
                "DATABASE_URL \"{}\" is not a database Grand Rounds can serve: {ACCEPTED_URLS}",
                redacted(url)
            ),
        }
    }

    /// The backend behind `pool`.
    pub fn of(pool: &Pool) -> Self {
        Self::of_scheme(pool.connect_options().database_url.scheme())
    }

    /// The backend behind a connection or transaction.
    pub fn of_connection(connection: &Connection) -> Self {
        if connection.backend_name() == "PostgreSQL" {
            Self::Postgres
        } else {
            Self::Sqlite
        }
    }

    fn of_scheme(scheme: &str) -> Self {
        if scheme.starts_with("postgres") {
            Self::Postgres
        } else {
            Self::Sqlite
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Sqlite => "SQLite",
            Self::Postgres => "PostgreSQL",
        }
    }
}

/// `url` with its password replaced by `***`, for messages and logs: in the user part, and
/// in `password=` / `sslpassword=` parameters. A URL too broken to parse (a password with a
/// raw `#` or `/`) has everything between `://` and its last `@` masked.
pub fn redacted(url: &str) -> String {
    let Ok(mut parsed) = url::Url::parse(url) else {
        return match (url.find("://"), url.rfind('@')) {
            (Some(start), Some(at)) if at > start + 3 => {
                format!("{}***{}", &url[..start + 3], &url[at..])
            }
            _ => url.to_owned(),
        };
    };
    if parsed.password().is_some() {
        let _ = parsed.set_password(Some("***"));
    }
    if parsed.query().is_some() {
        let pairs: Vec<(String, String)> = parsed
            .query_pairs()
            .map(|(name, value)| {
                let secret = name.eq_ignore_ascii_case("password")
                    || name.eq_ignore_ascii_case("sslpassword");
                let value = if secret {
                    "***".into()
                } else {
                    value.into_owned()
                };
                (name.into_owned(), value)
            })
            .collect();
        parsed.query_pairs_mut().clear().extend_pairs(pairs);
    }
    parsed.to_string()
}

/// Opens the database at `url`: a SQLite file (created if missing, with its folder) or a
/// PostgreSQL database (which must exist). Any other URL is refused, naming what works.
pub async fn connect(url: &str) -> anyhow::Result<Pool> {
    sqlx::any::install_default_drivers();
    match Backend::of_url(url)? {
        Backend::Sqlite => connect_sqlite(url, false).await,
        Backend::Postgres => connect_postgres(url).await,
    }
}

/// Connections per PostgreSQL pool: `GRANDROUNDS_DB_CONNECTIONS`, or 16. Each app server
/// holds this many (and a few for sessions): size PostgreSQL's `max_connections` for all.
fn postgres_pool_size() -> u32 {
    std::env::var("GRANDROUNDS_DB_CONNECTIONS")
        .ok()
        .and_then(|n| n.trim().parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(16)
}

async fn connect_postgres(url: &str) -> anyhow::Result<Pool> {
    let options = AnyConnectOptions::from_str(url).map_err(|error| {
        anyhow::anyhow!(
            "DATABASE_URL \"{}\" is not a PostgreSQL URL: {error}",
            redacted(url)
        )
    })?;
    AnyPoolOptions::new()
        .max_connections(postgres_pool_size())
        .acquire_timeout(Duration::from_secs(10))
        .before_acquire(|connection, _| {
            Box::pin(async move { Ok(refuse_open_transactions(connection)) })
        })
        .after_connect(|connection, _| {
            Box::pin(async move {
                // A queue on one learner's row, or a transaction left open by a stuck
                // request, is cut off instead of growing without bound.
                for setting in [
                    "SET lock_timeout = '30s'",
                    "SET idle_in_transaction_session_timeout = '60s'",
                ] {
                    sqlx::query(setting).execute(&mut *connection).await?;
                }
                Ok(())
            })
        })
        .connect_with(options)
        .await
        .map_err(|error| {
            anyhow::anyhow!(
                "cannot reach the PostgreSQL database {}: {error}",
                redacted(url)
            )
        })
}

/// The characters a file name cannot carry as is in a `sqlite:` URL.
const URL_UNSAFE: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'%')
    .add(b'?')
    .add(b'#')
    .add(b'"')
    .add(b'<')
    .add(b'>')
    .add(b'`')
    .add(b'{')
    .add(b'}');

async fn connect_sqlite(url: &str, read_only: bool) -> anyhow::Result<Pool> {
    let options = SqliteConnectOptions::from_str(url)
        .map_err(|error| anyhow::anyhow!("DATABASE_URL \"{url}\" is not a SQLite URL: {error}"))?;
    let file = options.get_filename().to_path_buf();
    // `sqlite::memory:` comes back as a `file:sqlx-in-memory-N` name, not a file.
    let in_memory = !is_file_path(&file)
        || url.contains(":memory:")
        || file.to_string_lossy().starts_with("file:");
    if read_only {
        if in_memory || !file.is_file() {
            anyhow::bail!("there is no database at {}", file.display());
        }
    } else if !in_memory {
        prepare_private_file(&file)?;
    }
    let mode = if read_only { "ro" } else { "rwc" };
    let any_url = if in_memory {
        format!("sqlite::memory:?mode={mode}")
    } else {
        // An absolute path after `sqlite://`: what sqlx reads back is exactly this file
        // (`sqlite:` + `//srv/x.db` would be read as the relative `srv/x.db`).
        let absolute = std::path::absolute(&file).map_err(|error| {
            anyhow::anyhow!(
                "cannot resolve the database path {}: {error}",
                file.display()
            )
        })?;
        format!(
            "sqlite://{}?mode={mode}",
            percent_encoding::utf8_percent_encode(&absolute.to_string_lossy(), URL_UNSAFE)
        )
    };
    let options = AnyConnectOptions::from_str(&any_url)
        .map_err(|error| anyhow::anyhow!("DATABASE_URL \"{url}\" is not a SQLite URL: {error}"))?;
    AnyPoolOptions::new()
        // An in-memory database lives in its one connection.
        .max_connections(if in_memory || read_only { 1 } else { 8 })
        .acquire_timeout(Duration::from_secs(10))
        .before_acquire(|connection, _| {
            Box::pin(async move { Ok(refuse_open_transactions(connection)) })
        })
        .after_connect(move |connection, _| {
            Box::pin(async move {
                // WAL and FULL as the module says; foreign keys on; wait for a busy writer;
                // recursive triggers on, so the rows an `INSERT OR REPLACE` removes fire the
                // delete triggers that keep the attendance evidence append-only.
                let pragmas: &[&str] = if read_only {
                    &["PRAGMA busy_timeout = 10000"]
                } else {
                    &[
                        "PRAGMA journal_mode = WAL",
                        "PRAGMA synchronous = FULL",
                        "PRAGMA foreign_keys = ON",
                        "PRAGMA recursive_triggers = ON",
                        "PRAGMA busy_timeout = 10000",
                    ]
                };
                for pragma in pragmas {
                    sqlx::query(pragma).execute(&mut *connection).await?;
                }
                Ok(())
            })
        })
        .connect_with(options)
        .await
        .map_err(|error| anyhow::anyhow!("cannot open the database {}: {error}", file.display()))
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

/// Opens an existing database without creating or migrating it (for read-only tools): a
/// SQLite file read-only, a PostgreSQL database as it is.
pub async fn connect_existing(url: &str) -> anyhow::Result<Pool> {
    sqlx::any::install_default_drivers();
    match Backend::of_url(url)? {
        Backend::Sqlite => connect_sqlite(url, true).await,
        Backend::Postgres => connect_postgres(url).await,
    }
}

/// Applies the migrations of the database in use (`migrations/sqlite/` or
/// `migrations/postgres/`, the same versions). Several servers starting at once are safe:
/// on PostgreSQL the migrator holds an advisory lock while it works.
pub async fn migrate(pool: &Pool) -> anyhow::Result<()> {
    let migrator = match Backend::of(pool) {
        Backend::Sqlite => sqlx::migrate!("../migrations/sqlite"),
        Backend::Postgres => sqlx::migrate!("../migrations/postgres"),
    };
    // SQLite's migrator takes no lock of its own: two processes starting on one file at
    // once hold the file's advisory lock (flock, apart from SQLite's own locks) in turn.
    let _held = match sqlite_file(pool) {
        Some(file) => Some(lock_file(&file).await?),
        None => None,
    };
    migrator
        .run(pool)
        .await
        .map_err(|error| anyhow::anyhow!("database migration failed: {error}"))
}

/// The file behind a SQLite pool (`None` on PostgreSQL and for in-memory databases).
fn sqlite_file(pool: &Pool) -> Option<std::path::PathBuf> {
    if Backend::of(pool) != Backend::Sqlite {
        return None;
    }
    let url = pool.connect_options().database_url.to_string();
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let name = rest.split('?').next().unwrap_or(rest);
    let path = percent_encoding::percent_decode_str(name)
        .decode_utf8()
        .ok()?
        .into_owned();
    is_file_path(Path::new(&path)).then(|| path.into())
}

/// An exclusive advisory lock on `file` until the returned handle is dropped.
async fn lock_file(file: &Path) -> anyhow::Result<std::fs::File> {
    let file = file.to_path_buf();
    tokio::task::spawn_blocking(move || {
        let handle = std::fs::File::open(&file)?;
        handle.lock()?;
        Ok::<_, io::Error>(handle)
    })
    .await?
    .map_err(|error| anyhow::anyhow!("cannot lock the database file for migrating: {error}"))
}

/// Runs `work` (another pool's schema step, such as the session store's) while holding the
/// advisory key `name` on PostgreSQL, so servers starting together take turns: PostgreSQL's
/// `CREATE … IF NOT EXISTS` is not safe against itself running at the same moment.
pub async fn with_key_held<T, F>(pool: &Pool, name: &str, work: F) -> anyhow::Result<T>
where
    F: std::future::Future<Output = anyhow::Result<T>>,
{
    let mut tx = pool.begin().await?;
    lock(&mut tx, On::Key(name)).await?;
    let done = work.await;
    tx.commit().await?;
    done
}

/// A consistent copy of the whole SQLite database into `file` (which may exist, empty), taken
/// while others read and write: SQLite's `VACUUM INTO`. PostgreSQL is copied with `pg_dump`
/// (see `grandrounds backup`), never through here.
pub async fn copy_into(pool: &Pool, file: &str) -> Result<(), sqlx::Error> {
    if Backend::of(pool) != Backend::Sqlite {
        return Err(sqlx::Error::Configuration(
            "VACUUM INTO copies SQLite databases only".into(),
        ));
    }
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
    use super::rows::postgres_constraint;
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path)
            .expect("exists")
            .permissions()
            .mode()
            & 0o777
    }

    #[test]
    fn postgres_names_unique_constraints_by_table_and_columns() {
        assert_eq!(postgres_constraint("users.email"), "users_email_key");
        assert_eq!(
            postgres_constraint("credit_claims.enrollment_id, credit_claims.credit_type"),
            "credit_claims_enrollment_id_credit_type_key"
        );
    }

    #[test]
    fn only_sqlite_and_postgres_urls_are_accepted() {
        assert_eq!(
            Backend::of_url("sqlite:data/x.db").ok(),
            Some(Backend::Sqlite)
        );
        assert_eq!(
            Backend::of_url("postgresql://u@h/db").ok(),
            Some(Backend::Postgres)
        );
        let refused = Backend::of_url("mysql://root:hunter2@h/db").expect_err("refused");
        let message = refused.to_string();
        assert!(
            message.contains("sqlite:") && message.contains("postgres://"),
            "{message}"
        );
        assert!(
            !message.contains("hunter2"),
            "the password is not repeated: {message}"
        );
        assert!(Backend::of_url("data/grandrounds.db").is_err());
    }

    #[test]
    fn passwords_never_reach_a_message() {
        for (url, secret) in [
            ("postgres://gr:s3cret@db:5432/gr", "s3cret"),
            (
                "postgres://gr@db/gr?sslmode=require&password=s3cret",
                "s3cret",
            ),
            ("postgres://gr:pa#ss/word@db/gr", "pa#ss/word"),
        ] {
            let shown = redacted(url);
            assert!(!shown.contains(secret), "{url} shown as {shown}");
            assert!(shown.contains("db"), "{shown}");
        }
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

    #[tokio::test]
    async fn an_absolute_path_with_a_double_slash_and_odd_characters_opens_that_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("odd name #1.db");
        let url = format!("sqlite:///{}", file.display());
        let pool = connect(&url).await.expect("connect");
        migrate(&pool).await.expect("migrate");
        assert!(file.is_file(), "the named file was opened");
        assert_eq!(sqlite_file(&pool).as_deref(), Some(file.as_path()));
        let memory = connect("sqlite::memory:").await.expect("memory");
        migrate(&memory).await.expect("migrate in memory");
        assert!(sqlite_file(&memory).is_none());
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
