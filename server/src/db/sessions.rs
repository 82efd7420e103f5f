//! Where sign-in sessions are kept: tower-sessions' store for the database in use, so any
//! app server can answer any request.

use super::{Backend, Pool};
use crate::read_cache::{Epoch, ReadCache};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::str::FromStr;
use std::time::Duration;
use tower_sessions::session::{Id, Record};

/// Where sessions are kept: tower-sessions' store for the database in use (its own pool of
/// that database's driver, as the store needs; a handful of connections), with a count of
/// the writes it made (a page view should not be one).
#[derive(Debug, Clone)]
pub struct SessionStore {
    backing: Backing,
    saves: std::sync::Arc<std::sync::atomic::AtomicU64>,
    /// Sessions read in the last moments (see [`crate::read_cache`]): a page view reads its
    /// session from here; every write of a session drops its copy.
    copies: std::sync::Arc<ReadCache<Id, Record>>,
    epoch: Epoch,
}

#[derive(Debug, Clone)]
enum Backing {
    Sqlite(tower_sessions_sqlx_store::SqliteStore),
    Postgres(tower_sessions_sqlx_store::PostgresStore),
}

/// Opens the session store on the same database as `pool`.
pub async fn session_store(pool: &Pool) -> anyhow::Result<SessionStore> {
    let url = pool.connect_options().database_url.to_string();
    let backing = match Backend::of(pool) {
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
            Backing::Sqlite(tower_sessions_sqlx_store::SqliteStore::new(sessions))
        }
        Backend::Postgres => {
            let options = sqlx::postgres::PgConnectOptions::from_str(&url)?;
            let sessions = sqlx::postgres::PgPoolOptions::new()
                .max_connections(4)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options)
                .await
                .map_err(|error| anyhow::anyhow!("cannot open the session store: {error}"))?;
            Backing::Postgres(tower_sessions_sqlx_store::PostgresStore::new(sessions))
        }
    };
    let epoch = Epoch::default();
    Ok(SessionStore {
        backing,
        saves: std::sync::Arc::default(),
        copies: std::sync::Arc::new(ReadCache::new(&epoch)),
        epoch,
    })
}

impl SessionStore {
    /// The store's table, as SQL names it (for counting sessions).
    pub fn table(&self) -> &'static str {
        match self.backing {
            Backing::Sqlite(_) => "tower_sessions",
            Backing::Postgres(_) => "tower_sessions.session",
        }
    }

    /// What moves on when anything changes: the app's other copies share it.
    pub fn epoch(&self) -> &Epoch {
        &self.epoch
    }

    /// Sessions created or saved by this store since it was opened.
    pub fn writes(&self) -> u64 {
        self.saves.load(std::sync::atomic::Ordering::Relaxed)
    }

    fn wrote(&self) {
        self.saves
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    /// Creates the store's own table if missing.
    pub async fn migrate(&self) -> Result<(), sqlx::Error> {
        match &self.backing {
            Backing::Sqlite(store) => store.migrate().await,
            Backing::Postgres(store) => store.migrate().await,
        }
    }
}

#[async_trait::async_trait]
impl tower_sessions::SessionStore for SessionStore {
    async fn create(
        &self,
        record: &mut tower_sessions::session::Record,
    ) -> tower_sessions::session_store::Result<()> {
        self.wrote();
        match &self.backing {
            Backing::Sqlite(store) => store.create(record).await,
            Backing::Postgres(store) => store.create(record).await,
        }
    }

    async fn save(
        &self,
        record: &tower_sessions::session::Record,
    ) -> tower_sessions::session_store::Result<()> {
        // The store's save inserts a missing row: a session ended a moment ago on another
        // app server (its row deleted) must not come back because a request here, which
        // read it before, saves it. New sessions are `create`d, never saved.
        let exists = match &self.backing {
            Backing::Sqlite(store) => store.load(&record.id).await,
            Backing::Postgres(store) => store.load(&record.id).await,
        }?
        .is_some();
        self.copies.forget(record.id);
        if !exists {
            return Ok(());
        }
        self.wrote();
        let saved = match &self.backing {
            Backing::Sqlite(store) => store.save(record).await,
            Backing::Postgres(store) => store.save(record).await,
        };
        self.copies.forget(record.id);
        saved
    }

    async fn load(
        &self,
        id: &tower_sessions::session::Id,
    ) -> tower_sessions::session_store::Result<Option<tower_sessions::session::Record>> {
        if let Some(record) = self.copies.get(id)
            && record.expiry_date > time::OffsetDateTime::now_utc()
        {
            return Ok(Some(record));
        }
        let ticket = self.copies.ticket(id);
        let loaded = match &self.backing {
            Backing::Sqlite(store) => store.load(id).await,
            Backing::Postgres(store) => store.load(id).await,
        }?;
        if let Some(record) = &loaded {
            self.copies.put(*id, record.clone(), ticket);
        }
        Ok(loaded)
    }

    async fn delete(
        &self,
        id: &tower_sessions::session::Id,
    ) -> tower_sessions::session_store::Result<()> {
        let deleted = match &self.backing {
            Backing::Sqlite(store) => store.delete(id).await,
            Backing::Postgres(store) => store.delete(id).await,
        };
        self.copies.forget(*id);
        deleted
    }
}

#[async_trait::async_trait]
impl tower_sessions::ExpiredDeletion for SessionStore {
    async fn delete_expired(&self) -> tower_sessions::session_store::Result<()> {
        match &self.backing {
            Backing::Sqlite(store) => store.delete_expired().await,
            Backing::Postgres(store) => store.delete_expired().await,
        }
    }
}
