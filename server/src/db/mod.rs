//! The connection pool, for either database the binary serves: SQLite (the default, one
//! file, WAL mode with a busy timeout and foreign keys, `synchronous = FULL` so a commit is on
//! disk before the request that made it is answered) or PostgreSQL (several app servers on
//! one database). The stores talk to both through sqlx's `Any` driver, in one SQL dialect:
//! `$1` placeholders, booleans as booleans, nothing database-specific outside this module.
//!
//! The database holds password hashes, so a SQLite file (and the folder made for it, and
//! every backup) is readable and writable by its owner only.
//!
//! This module also owns what every store shares: the pool type,
//! [`write_tx`] and [`lock`], which together say what each read-then-write serialises on.
//! SQLite serialises every write transaction (`BEGIN IMMEDIATE` takes the write lock before
//! the first read); PostgreSQL's READ COMMITTED does not, so each read-then-write locks the
//! row (or names the key) it depends on, and waits there for any other server's transaction
//! on the same thing.

pub mod audit;
pub mod copy;
pub mod schema;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
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

/// Where sessions are kept: tower-sessions' store for the database in use (its own pool of
/// that database's driver, as the store needs; a handful of connections).
#[derive(Debug, Clone)]
pub enum SessionStore {
    Sqlite(tower_sessions_sqlx_store::SqliteStore),
    Postgres(tower_sessions_sqlx_store::PostgresStore),
}

/// Opens the session store on the same database as `pool`.
pub async fn session_store(pool: &Pool) -> anyhow::Result<SessionStore> {
    let url = pool.connect_options().database_url.to_string();
    Ok(match Backend::of(pool) {
        Backend::Sqlite => {
            let options = SqliteConnectOptions::from_str(&url)?
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true);
            let sessions = SqlitePoolOptions::new()
                .max_connections(4)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options)
                .await
                .map_err(|error| anyhow::anyhow!("cannot open the session store: {error}"))?;
            SessionStore::Sqlite(tower_sessions_sqlx_store::SqliteStore::new(sessions))
        }
        Backend::Postgres => {
            let options = sqlx::postgres::PgConnectOptions::from_str(&url)?;
            let sessions = sqlx::postgres::PgPoolOptions::new()
                .max_connections(4)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options)
                .await
                .map_err(|error| anyhow::anyhow!("cannot open the session store: {error}"))?;
            SessionStore::Postgres(tower_sessions_sqlx_store::PostgresStore::new(sessions))
        }
    })
}

impl SessionStore {
    /// The store's table, as SQL names it (for counting sessions).
    pub fn table(&self) -> &'static str {
        match self {
            Self::Sqlite(_) => "tower_sessions",
            Self::Postgres(_) => "tower_sessions.session",
        }
    }

    /// Creates the store's own table if missing.
    pub async fn migrate(&self) -> Result<(), sqlx::Error> {
        match self {
            Self::Sqlite(store) => store.migrate().await,
            Self::Postgres(store) => store.migrate().await,
        }
    }
}

#[async_trait::async_trait]
impl tower_sessions::SessionStore for SessionStore {
    async fn create(
        &self,
        record: &mut tower_sessions::session::Record,
    ) -> tower_sessions::session_store::Result<()> {
        match self {
            Self::Sqlite(store) => store.create(record).await,
            Self::Postgres(store) => store.create(record).await,
        }
    }

    async fn save(
        &self,
        record: &tower_sessions::session::Record,
    ) -> tower_sessions::session_store::Result<()> {
        match self {
            Self::Sqlite(store) => store.save(record).await,
            Self::Postgres(store) => store.save(record).await,
        }
    }

    async fn load(
        &self,
        id: &tower_sessions::session::Id,
    ) -> tower_sessions::session_store::Result<Option<tower_sessions::session::Record>> {
        match self {
            Self::Sqlite(store) => store.load(id).await,
            Self::Postgres(store) => store.load(id).await,
        }
    }

    async fn delete(
        &self,
        id: &tower_sessions::session::Id,
    ) -> tower_sessions::session_store::Result<()> {
        match self {
            Self::Sqlite(store) => store.delete(id).await,
            Self::Postgres(store) => store.delete(id).await,
        }
    }
}

#[async_trait::async_trait]
impl tower_sessions::ExpiredDeletion for SessionStore {
    async fn delete_expired(&self) -> tower_sessions::session_store::Result<()> {
        match self {
            Self::Sqlite(store) => store.delete_expired().await,
            Self::Postgres(store) => store.delete_expired().await,
        }
    }
}

/// A transaction for a read-then-write. On SQLite it takes the write lock before its first
/// read (`BEGIN IMMEDIATE`), so what it read cannot change before it writes, and SQLite never
/// answers "database is locked" halfway through. On PostgreSQL it is a plain READ COMMITTED
/// transaction: what it must not see change, it names with [`lock`] before reading it.
/// Every read-then-write goes through here.
///
/// Cancel-safe. A request whose client goes away (a reset, a proxy's timeout, a shutdown)
/// is dropped wherever it waits. sqlx's own `begin_with` is not safe to drop: on SQLite it
/// waits once more after `BEGIN IMMEDIATE` has succeeded (to check the statement opened a
/// transaction) and before the `Transaction` that would roll it back exists, so a request
/// dropped there returned its connection to the pool still inside the transaction, holding
/// SQLite's one write lock until restart. Here the begin runs on a task of its own that
/// always finishes: if nobody is left to take the transaction, it is dropped there, which
/// rolls it back before the connection is used again. A transaction dropped later (while a
/// query or the commit waits) is rolled back the same way, by sqlx, before its connection
/// serves anyone else; the pool also refuses any connection that still reports an open
/// transaction (see [`refuse_open_transactions`]).
///
/// So a write whose client went away is committed if its commit was reached, and rolled
/// back whole otherwise; never half, and an answered write is always committed first.
pub async fn write_tx(pool: &Pool) -> Result<sqlx::Transaction<'static, Db>, sqlx::Error> {
    let pool = pool.clone();
    tokio::spawn(async move {
        match Backend::of(&pool) {
            Backend::Sqlite => pool.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => pool.begin().await,
        }
    })
    .await
    .map_err(|error| {
        sqlx::Error::Io(io::Error::other(format!(
            "beginning a transaction: {error}"
        )))
    })?
}

/// The pool's check before it hands out an idle connection (whether to hand it out) (after sqlx has flushed any
/// rollback a dropped transaction queued on it): a connection still inside a transaction is
/// closed instead, which ends the transaction and frees its locks. [`write_tx`] makes this
/// never happen; if something else ever does, it costs one connection, never the database.
fn refuse_open_transactions(connection: &Connection) -> bool {
    use sqlx::Connection as _;
    let open = connection.is_in_transaction();
    if open {
        tracing::error!(
            "a pooled connection was still inside a transaction; it is closed instead of reused"
        );
    }
    !open
}

/// Tables whose rows a read-then-write locks (a fixed list: the name goes into SQL). A
/// domain that needs another adds its table here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    /// A user's row: everything one learner does (enrolling, studying, quizzes, claims,
    /// profile) serialises on it, so it cannot interleave with itself on two servers.
    Users,
}

impl Table {
    fn locking_select(self) -> &'static str {
        match self {
            Self::Users => "SELECT id FROM users WHERE id = $1",
        }
    }
}

/// What a read-then-write serialises on.
#[derive(Debug, Clone, Copy)]
pub enum On<'a> {
    /// One row: every transaction that locks it waits for the one holding it, until commit
    /// (`SELECT … FOR NO KEY UPDATE` on PostgreSQL).
    Row(Table, i64),
    /// A name with no row of its own (the signing key, a content import): a
    /// transaction-scoped advisory lock on PostgreSQL, keyed by the name's hash.
    Key(&'a str),
}

/// Takes the lock `on` names for the rest of `tx`, waiting for anyone holding it. On SQLite
/// the transaction already holds the database's one write lock ([`write_tx`]), so this only
/// reads. For a row, says whether it exists.
pub async fn lock(tx: &mut Connection, on: On<'_>) -> Result<bool, sqlx::Error> {
    let postgres = Backend::of_connection(tx) == Backend::Postgres;
    match on {
        On::Row(table, id) => {
            let select = table.locking_select();
            let sql = if postgres {
                // NO KEY: nothing changes a locked row's id, so inserts that refer to it
                // (an audit entry, a certificate) need not wait for the lock.
                std::borrow::Cow::Owned(format!("{select} FOR NO KEY UPDATE"))
            } else {
                std::borrow::Cow::Borrowed(select)
            };
            let found: Option<i64> = sqlx::query_scalar(&sql)
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
            Ok(found.is_some())
        }
        On::Key(name) => {
            if postgres {
                sqlx::query("SELECT 1 FROM (SELECT pg_advisory_xact_lock($1)) AS held")
                    .bind(advisory_key(name))
                    .execute(&mut *tx)
                    .await?;
            }
            Ok(true)
        }
    }
}

/// What a clean-up's `SELECT` ends with so that rows others hold are skipped, not waited
/// for: `FOR UPDATE SKIP LOCKED` on PostgreSQL; nothing on SQLite (one writer at a time).
pub fn skip_locked(pool: &Pool) -> &'static str {
    match Backend::of(pool) {
        Backend::Sqlite => "",
        Backend::Postgres => " FOR UPDATE SKIP LOCKED",
    }
}

/// A stable 64-bit key for `name` (the first 8 bytes of its SHA-256).
fn advisory_key(name: &str) -> i64 {
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(format!("grandrounds:{name}").as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(first)
}

/// A boolean as SQL computes it: PostgreSQL answers `EXISTS`, `IS NULL` and comparisons
/// with a boolean, SQLite with the integers 0 and 1. Read either as this.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Flag(pub bool);

impl sqlx::Type<Db> for Flag {
    fn type_info() -> sqlx::any::AnyTypeInfo {
        <bool as sqlx::Type<Db>>::type_info()
    }

    fn compatible(ty: &sqlx::any::AnyTypeInfo) -> bool {
        use sqlx::any::AnyTypeInfoKind as Kind;
        matches!(
            ty.kind(),
            Kind::Bool | Kind::SmallInt | Kind::Integer | Kind::BigInt
        )
    }
}

impl<'r> sqlx::Decode<'r, Db> for Flag {
    fn decode(value: sqlx::any::AnyValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
        use sqlx::ValueRef as _;
        if value.type_info().kind() == sqlx::any::AnyTypeInfoKind::Bool {
            <bool as sqlx::Decode<Db>>::decode(value).map(Flag)
        } else {
            <i64 as sqlx::Decode<Db>>::decode(value).map(|n| Flag(n != 0))
        }
    }
}

impl From<Flag> for bool {
    fn from(flag: Flag) -> Self {
        flag.0
    }
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

/// Whether `error` is a unique-constraint violation on `target`, written `table.column`
/// (or `table.a, table.b` for several columns), as SQLite's message names it; PostgreSQL
/// names the constraint it made for that `UNIQUE`: `table_column_key`, `table_a_b_key`.
pub fn is_unique_violation(error: &sqlx::Error, target: &str) -> bool {
    let Some(db) = error.as_database_error() else {
        return false;
    };
    db.is_unique_violation()
        && (db.constraint() == Some(target)
            || db.constraint() == Some(postgres_constraint(target).as_str())
            || db.message().contains(target))
}

/// PostgreSQL's name for the `UNIQUE` constraint on `table.a, table.b`: `table_a_b_key`.
fn postgres_constraint(target: &str) -> String {
    let mut table = "";
    let mut columns = Vec::new();
    for part in target.split(',') {
        let (t, column) = part.trim().split_once('.').unwrap_or(("", part.trim()));
        table = t;
        columns.push(column);
    }
    format!("{table}_{}_key", columns.join("_"))
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
                // WAL and FULL as the module says; foreign keys on; wait for a busy writer.
                let pragmas: &[&str] = if read_only {
                    &["PRAGMA busy_timeout = 10000"]
                } else {
                    &[
                        "PRAGMA journal_mode = WAL",
                        "PRAGMA synchronous = FULL",
                        "PRAGMA foreign_keys = ON",
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
