//! How a read-then-write serialises: [`write_tx`] begins every one (cancel-safe), [`lock`]
//! names the row or key it depends on (PostgreSQL; SQLite's write lock already covers it),
//! and [`skip_locked`] lets clean-ups pass over rows others hold.

use super::{Backend, Connection, Db, Pool};
use std::io;

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
pub(super) fn refuse_open_transactions(connection: &Connection) -> bool {
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
pub(super) fn advisory_key(name: &str) -> i64 {
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(format!("grandrounds:{name}").as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(first)
}
