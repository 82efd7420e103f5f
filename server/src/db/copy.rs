//! `grandrounds copy --to URL`: every table of one installation into a new, empty database,
//! usually from the embedded SQLite file to PostgreSQL when an installation outgrows one
//! machine (the other way works too). One transaction on the target: all of it or nothing.
//! Both databases must be at the same migration; the target is migrated first and must hold
//! no data. Rows keep their ids (so every link, certificate code and audit entry stays as it
//! was), and PostgreSQL's identity counters are moved past them. Sessions are not copied:
//! everyone signs in again on the new database.

use super::schema::{self, Kind, Schema};
use super::{Backend, Db, Pool};

/// What was copied: rows per table, in the order written.
#[derive(Debug, Default)]
pub struct Copied {
    pub tables: Vec<(String, u64)>,
}

/// A column's value on its way from one database to the other.
#[derive(Clone)]
enum Value {
    Integer(Option<i64>),
    Text(Option<String>),
    Bytes(Option<Vec<u8>>),
    Boolean(Option<bool>),
}

/// Tables the migrations fill themselves (replaced by the source's rows).
const SEEDED: &[&str] = &["catalog_version"];

pub async fn copy(source: &Pool, target: &Pool) -> anyhow::Result<Copied> {
    let from = schema::describe(source).await?;
    let to = schema::describe(target).await?;
    let (source_version, target_version) = (
        latest_migration(source).await?,
        latest_migration(target).await?,
    );
    if source_version != target_version {
        anyhow::bail!(
            "the source database is at migration {source_version} and the target at {target_version}: \
             run `grandrounds migrate` on the source first (every start does), then copy again"
        );
    }
    for name in to.keys() {
        if !from.contains_key(name) {
            anyhow::bail!("the source has no table {name}: is it a Grand Rounds database?");
        }
        if SEEDED.contains(&name.as_str()) {
            continue;
        }
        let rows: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {name}"))
            .fetch_one(target)
            .await?;
        if rows > 0 {
            anyhow::bail!(
                "the target database already has data ({rows} rows in {name}): copy into a new, empty database"
            );
        }
    }

    let mut copied = Copied::default();
    // One snapshot of the source for every table, so rows that refer to each other are
    // copied as they were at one moment even if something writes meanwhile.
    let mut snapshot = match Backend::of(source) {
        Backend::Sqlite => source.begin().await?,
        Backend::Postgres => {
            source
                .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                .await?
        }
    };
    let mut tx = target.begin().await?;
    for name in schema::insertion_order(&to) {
        let table = &to[&name];
        let source_table = &from[&name];
        if SEEDED.contains(&name.as_str()) {
            sqlx::query(&format!("DELETE FROM {name}"))
                .execute(&mut *tx)
                .await?;
        }
        // Columns that refer to the table itself (a certificate superseded by a later one)
        // are written in a second pass, once every row they may point at exists; a value
        // that points at an earlier row (rows go in id order), as every ledger correction
        // does, goes in with its row: that table refuses updates.
        let later: Vec<&str> = table
            .references
            .iter()
            .filter(|(_, target)| *target == name)
            .map(|(column, _)| column.as_str())
            .collect();
        let key = table
            .columns
            .iter()
            .find(|c| c.identity)
            .map(|c| c.name.clone());
        if !later.is_empty() && key.is_none() {
            anyhow::bail!("{name} refers to itself but has no id to update it by");
        }
        let columns: Vec<&schema::Column> = table.columns.iter().collect();
        let list = columns
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        let order = order_by(table);
        let select = format!("SELECT {list} FROM {name} ORDER BY {order}");
        let placeholders = (1..=columns.len())
            .map(|n| format!("${n}"))
            .collect::<Vec<_>>()
            .join(", ");
        let insert = format!("INSERT INTO {name} ({list}) VALUES ({placeholders})");
        let rows = sqlx::query(&select).fetch_all(&mut *snapshot).await?;
        let mut second_pass: Vec<(Vec<(String, Value)>, Value)> = Vec::new();
        for row in &rows {
            let mut query = sqlx::query::<Db>(&insert);
            let mut deferred = Vec::new();
            let mut key_value = None;
            let row_id = match &key {
                Some(key) => columns
                    .iter()
                    .position(|c| &c.name == key)
                    .map(|index| {
                        let column = columns[index];
                        let source_kind = source_table
                            .column(&column.name)
                            .map_or(column.kind, |c| c.kind);
                        read(row, index, column.kind, source_kind)
                    })
                    .transpose()?,
                None => None,
            };
            let earlier = |value: &Value| match (value, &row_id) {
                (Value::Integer(Some(to)), Some(Value::Integer(Some(id)))) => to < id,
                _ => false,
            };
            for (index, column) in columns.iter().enumerate() {
                let source_kind = source_table
                    .column(&column.name)
                    .map_or(column.kind, |c| c.kind);
                let value = read(row, index, column.kind, source_kind)?;
                if Some(&column.name) == key.as_ref() {
                    key_value = Some(read(row, index, column.kind, source_kind)?);
                }
                if later.contains(&column.name.as_str()) && !earlier(&value) {
                    deferred.push((
                        column.name.clone(),
                        read(row, index, column.kind, source_kind)?,
                    ));
                    query = bind(query, null_like(&value));
                } else {
                    query = bind(query, value);
                }
            }
            query.execute(&mut *tx).await?;
            if let Some(key_value) = key_value
                && !deferred.is_empty()
            {
                second_pass.push((deferred, key_value));
            }
        }
        if let Some(key) = &key {
            for (values, id) in second_pass {
                for (column, value) in values {
                    if is_null(&value) {
                        continue;
                    }
                    let update = format!("UPDATE {name} SET {column} = $1 WHERE {key} = $2");
                    let query = bind(sqlx::query::<Db>(&update), value);
                    bind(query, id.clone()).execute(&mut *tx).await?;
                }
            }
        }
        if Backend::of(target) == Backend::Postgres
            && let Some(key) = &key
        {
            // The next id after the copied ones (PostgreSQL's identity counter does not
            // move when ids are given).
            sqlx::query(&format!(
                "SELECT setval(pg_get_serial_sequence('{name}', '{key}'), \
                 COALESCE((SELECT MAX({key}) FROM {name}), 0) + 1, false)::text"
            ))
            .fetch_one(&mut *tx)
            .await?;
        }
        copied.tables.push((name.clone(), rows.len() as u64));
    }
    tx.commit().await?;
    snapshot.rollback().await?;
    Ok(copied)
}

/// Rows per table in `pool`, for checking a copy.
pub async fn counts(pool: &Pool, schema: &Schema) -> Result<Vec<(String, i64)>, sqlx::Error> {
    let mut out = Vec::new();
    for name in schema.keys() {
        let rows: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {name}"))
            .fetch_one(pool)
            .await?;
        out.push((name.clone(), rows));
    }
    Ok(out)
}

async fn latest_migration(pool: &Pool) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations WHERE success = TRUE",
    )
    .fetch_one(pool)
    .await
}

/// A stable order: the primary key (or, without one, every column).
fn order_by(table: &schema::Table) -> String {
    if let Some(id) = table.columns.iter().find(|c| c.identity) {
        return id.name.clone();
    }
    let names: Vec<&str> = table.columns.iter().map(|c| c.name.as_str()).collect();
    table
        .unique
        .iter()
        .next()
        .map_or_else(|| names.join(", "), |key| key.join(", "))
}

fn read(
    row: &sqlx::any::AnyRow,
    index: usize,
    target: Kind,
    source: Kind,
) -> Result<Value, sqlx::Error> {
    use sqlx::Row as _;
    Ok(if target == Kind::Boolean || source == Kind::Boolean {
        let flag: Option<super::Flag> = row.try_get(index)?;
        let flag = flag.map(bool::from);
        if target == Kind::Boolean {
            Value::Boolean(flag)
        } else {
            Value::Integer(flag.map(i64::from))
        }
    } else {
        match target {
            Kind::Integer => Value::Integer(row.try_get(index)?),
            Kind::Bytes => Value::Bytes(row.try_get(index)?),
            _ => Value::Text(row.try_get(index)?),
        }
    })
}

fn null_like(value: &Value) -> Value {
    match value {
        Value::Integer(_) => Value::Integer(None),
        Value::Text(_) => Value::Text(None),
        Value::Bytes(_) => Value::Bytes(None),
        Value::Boolean(_) => Value::Boolean(None),
    }
}

fn is_null(value: &Value) -> bool {
    matches!(
        value,
        Value::Integer(None) | Value::Text(None) | Value::Bytes(None) | Value::Boolean(None)
    )
}

fn bind<'q>(
    query: sqlx::query::Query<'q, Db, sqlx::any::AnyArguments<'q>>,
    value: Value,
) -> sqlx::query::Query<'q, Db, sqlx::any::AnyArguments<'q>> {
    match value {
        Value::Integer(v) => query.bind(v),
        Value::Text(v) => query.bind(v),
        Value::Bytes(v) => query.bind(v),
        Value::Boolean(v) => query.bind(v),
    }
}
