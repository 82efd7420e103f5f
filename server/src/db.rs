//! The connection pool: SQLite in WAL mode with a busy timeout and foreign keys, and the
//! migrations in `migrations/`. `synchronous = FULL`: a commit is on disk before the
//! request that made it is answered (an acknowledged quiz submission survives a power cut).

use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::str::FromStr;
use std::time::Duration;

/// Opens (creating if missing, with its folder) the database at `url`.
pub async fn connect(url: &str) -> anyhow::Result<SqlitePool> {
    let options = SqliteConnectOptions::from_str(url)
        .map_err(|error| anyhow::anyhow!("DATABASE_URL \"{url}\" is not a SQLite URL: {error}"))?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .busy_timeout(Duration::from_secs(10))
        .foreign_keys(true);
    let file = options.get_filename().to_path_buf();
    if let Some(parent) = file.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|error| {
            anyhow::anyhow!(
                "cannot create the database folder {}: {error}",
                parent.display()
            )
        })?;
    }
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(options)
        .await
        .map_err(|error| anyhow::anyhow!("cannot open the database {}: {error}", file.display()))?;
    Ok(pool)
}

/// Opens an existing database without creating or migrating it (for read-only tools).
pub async fn connect_existing(url: &str) -> anyhow::Result<SqlitePool> {
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

pub async fn migrate(pool: &SqlitePool) -> anyhow::Result<()> {
    sqlx::migrate!("../migrations")
        .run(pool)
        .await
        .map_err(|error| anyhow::anyhow!("database migration failed: {error}"))
}

/// Liveness: the database answers a query.
pub async fn ping(pool: &SqlitePool) -> Result<(), sqlx::Error> {
    sqlx::query_scalar::<_, i64>("SELECT 1")
        .fetch_one(pool)
        .await
        .map(drop)
}
