//! What the database in use holds, read from its own catalog: tables, columns (kind,
//! nullability, identity), unique keys and references. One description for both databases,
//! so the two migration sets can be compared (`server/tests/it/schema.rs`) and a whole
//! installation copied from one to the other ([`super::copy`]). The catalog queries are the
//! only SQL here that differs between the databases.

use super::{Backend, Pool};
use std::collections::{BTreeMap, BTreeSet};

/// Tables that are not the application's data: the migrator's own bookkeeping.
const NOT_DATA: &[&str] = &["_sqlx_migrations"];

/// What a column holds, as both databases can say it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Integer,
    Text,
    Bytes,
    /// PostgreSQL's `BOOLEAN`; SQLite keeps flags as [`Kind::Integer`] 0/1.
    Boolean,
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    pub kind: Kind,
    pub not_null: bool,
    /// Numbered by the database: PostgreSQL's `GENERATED … AS IDENTITY`, SQLite's
    /// `INTEGER PRIMARY KEY` (the rowid, which SQLite numbers when none is given).
    pub identity: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    /// In the table's order.
    pub columns: Vec<Column>,
    /// Every unique key (the primary key among them), each as its sorted column names.
    pub unique: BTreeSet<Vec<String>>,
    /// `(column, referenced table)` for each foreign key column.
    pub references: BTreeSet<(String, String)>,
}

impl Table {
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }
}

pub type Schema = BTreeMap<String, Table>;

/// The application's tables in the database behind `pool`.
pub async fn describe(pool: &Pool) -> Result<Schema, sqlx::Error> {
    match Backend::of(pool) {
        Backend::Sqlite => describe_sqlite(pool).await,
        Backend::Postgres => describe_postgres(pool).await,
    }
}

/// The tables in an order that inserts every referenced row before the rows that refer to
/// it (a table's references to itself aside).
pub fn insertion_order(schema: &Schema) -> Vec<String> {
    let mut done: Vec<String> = Vec::new();
    let mut left: Vec<&String> = schema.keys().collect();
    while !left.is_empty() {
        let before = left.len();
        left.retain(|name| {
            let ready = schema[*name].references.iter().all(|(_, target)| {
                target == *name || done.contains(target) || !schema.contains_key(target)
            });
            if ready {
                done.push((*name).clone());
            }
            !ready
        });
        if left.len() == before {
            // A cycle between tables (none in this schema): keep the rest in name order.
            done.extend(left.drain(..).cloned());
        }
    }
    done
}

fn sqlite_kind(declared: &str) -> Kind {
    let declared = declared.to_ascii_uppercase();
    if declared.contains("INT") {
        Kind::Integer
    } else if declared.contains("TEXT") || declared.contains("CHAR") {
        Kind::Text
    } else if declared.contains("BLOB") {
        Kind::Bytes
    } else {
        Kind::Other
    }
}

async fn describe_sqlite(pool: &Pool) -> Result<Schema, sqlx::Error> {
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
         AND name <> 'tower_sessions' ORDER BY name",
    )
    .fetch_all(pool)
    .await?;
    let mut schema = Schema::new();
    for name in names
        .into_iter()
        .filter(|n| !NOT_DATA.contains(&n.as_str()))
    {
        let mut table = Table::default();
        let columns: Vec<(String, String, i64, i64)> = sqlx::query_as(
            "SELECT name, type, \"notnull\", pk FROM pragma_table_info($1) ORDER BY cid",
        )
        .bind(&name)
        .fetch_all(pool)
        .await?;
        let mut primary: Vec<(i64, String)> = Vec::new();
        for (column, declared, not_null, pk) in &columns {
            let kind = sqlite_kind(declared);
            if *pk > 0 {
                primary.push((*pk, column.clone()));
            }
            table.columns.push(Column {
                name: column.clone(),
                kind,
                // A primary key column is never NULL in practice (SQLite's rowid alias).
                not_null: *not_null != 0 || *pk > 0,
                identity: false,
            });
        }
        if let [(_, only)] = primary.as_slice() {
            // `INTEGER PRIMARY KEY` is the rowid: numbered by SQLite.
            if let Some(column) = table.columns.iter_mut().find(|c| c.name == *only) {
                column.identity = column.kind == Kind::Integer;
            }
        }
        if !primary.is_empty() {
            let mut key: Vec<String> = primary.into_iter().map(|(_, c)| c).collect();
            key.sort();
            table.unique.insert(key);
        }
        let indexes: Vec<String> =
            sqlx::query_scalar("SELECT name FROM pragma_index_list($1) WHERE \"unique\" = 1")
                .bind(&name)
                .fetch_all(pool)
                .await?;
        for index in indexes {
            let mut key: Vec<String> = sqlx::query_scalar("SELECT name FROM pragma_index_info($1)")
                .bind(&index)
                .fetch_all(pool)
                .await?;
            key.sort();
            table.unique.insert(key);
        }
        let references: Vec<(String, String)> =
            sqlx::query_as("SELECT \"from\", \"table\" FROM pragma_foreign_key_list($1)")
                .bind(&name)
                .fetch_all(pool)
                .await?;
        table.references = references.into_iter().collect();
        schema.insert(name, table);
    }
    Ok(schema)
}

fn postgres_kind(data_type: &str) -> Kind {
    match data_type {
        "bigint" | "integer" | "smallint" => Kind::Integer,
        "text" | "character varying" | "character" => Kind::Text,
        "bytea" => Kind::Bytes,
        "boolean" => Kind::Boolean,
        _ => Kind::Other,
    }
}

async fn describe_postgres(pool: &Pool) -> Result<Schema, sqlx::Error> {
    // Only the application's schema: tower-sessions keeps its table in a schema of its own.
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables \
         WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1",
    )
    .fetch_all(pool)
    .await?;
    let mut schema = Schema::new();
    for name in names
        .into_iter()
        .filter(|n| !NOT_DATA.contains(&n.as_str()))
    {
        let mut table = Table::default();
        let columns: Vec<(String, String, String, String)> = sqlx::query_as(
            "SELECT column_name::text, data_type::text, is_nullable::text, is_identity::text \
             FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 \
             ORDER BY ordinal_position",
        )
        .bind(&name)
        .fetch_all(pool)
        .await?;
        for (column, data_type, nullable, identity) in columns {
            table.columns.push(Column {
                name: column,
                kind: postgres_kind(&data_type),
                not_null: nullable == "NO",
                identity: identity == "YES",
            });
        }
        let keys: Vec<(String, String)> = sqlx::query_as(
            "SELECT i.indexrelid::regclass::text, a.attname::text \
             FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid \
             JOIN pg_namespace ns ON ns.oid = t.relnamespace \
             CROSS JOIN LATERAL unnest(i.indkey) AS k(attnum) \
             JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum \
             WHERE ns.nspname = current_schema() AND t.relname = $1 AND i.indisunique",
        )
        .bind(&name)
        .fetch_all(pool)
        .await?;
        let mut by_index: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (index, column) in keys {
            by_index.entry(index).or_default().push(column);
        }
        for (_, mut key) in by_index {
            key.sort();
            table.unique.insert(key);
        }
        let references: Vec<(String, String)> = sqlx::query_as(
            "SELECT a.attname::text, r.relname::text FROM pg_constraint c \
             JOIN pg_class t ON t.oid = c.conrelid JOIN pg_class r ON r.oid = c.confrelid \
             JOIN pg_namespace ns ON ns.oid = t.relnamespace \
             CROSS JOIN LATERAL unnest(c.conkey) AS k(attnum) \
             JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum \
             WHERE c.contype = 'f' AND ns.nspname = current_schema() AND t.relname = $1",
        )
        .bind(&name)
        .fetch_all(pool)
        .await?;
        table.references = references.into_iter().collect();
        schema.insert(name, table);
    }
    Ok(schema)
}

/// Where two schemas differ in what the migrations promise to keep the same: tables,
/// columns (order aside), nullability, unique keys and references. Kinds must match, but
/// for SQLite's integer flags, which are PostgreSQL booleans. (Which keys the database
/// numbers is not compared: every SQLite `INTEGER PRIMARY KEY` can be.) Empty when they
/// agree.
pub fn differences(sqlite: &Schema, postgres: &Schema) -> Vec<String> {
    let mut out = Vec::new();
    let names: BTreeSet<&String> = sqlite.keys().chain(postgres.keys()).collect();
    for name in names {
        let (Some(s), Some(p)) = (sqlite.get(name), postgres.get(name)) else {
            let side = if sqlite.contains_key(name) {
                "only in migrations/sqlite"
            } else {
                "only in migrations/postgres"
            };
            out.push(format!("table {name}: {side}"));
            continue;
        };
        let columns: BTreeSet<&String> = s
            .columns
            .iter()
            .chain(&p.columns)
            .map(|c| &c.name)
            .collect();
        for column in columns {
            match (s.column(column), p.column(column)) {
                (Some(a), Some(b)) => {
                    if a.not_null != b.not_null {
                        out.push(format!(
                            "{name}.{column}: NOT NULL on SQLite {}, on PostgreSQL {}",
                            a.not_null, b.not_null
                        ));
                    }
                    let same_kind =
                        a.kind == b.kind || (a.kind == Kind::Integer && b.kind == Kind::Boolean);
                    if !same_kind {
                        out.push(format!(
                            "{name}.{column}: {:?} on SQLite, {:?} on PostgreSQL",
                            a.kind, b.kind
                        ));
                    }
                }
                (Some(_), None) => out.push(format!("{name}.{column}: only on SQLite")),
                (None, _) => out.push(format!("{name}.{column}: only on PostgreSQL")),
            }
        }
        for key in s.unique.symmetric_difference(&p.unique) {
            let side = if s.unique.contains(key) {
                "SQLite"
            } else {
                "PostgreSQL"
            };
            out.push(format!(
                "{name}: unique ({}) only on {side}",
                key.join(", ")
            ));
        }
        for reference in s.references.symmetric_difference(&p.references) {
            let side = if s.references.contains(reference) {
                "SQLite"
            } else {
                "PostgreSQL"
            };
            out.push(format!(
                "{name}.{} references {} only on {side}",
                reference.0, reference.1
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(references: &[(&str, &str)]) -> Table {
        Table {
            references: references
                .iter()
                .map(|(c, t)| ((*c).to_owned(), (*t).to_owned()))
                .collect(),
            ..Table::default()
        }
    }

    #[test]
    fn referenced_tables_come_first() {
        let mut schema = Schema::new();
        schema.insert(
            "certificates".into(),
            table(&[("user_id", "users"), ("superseded_by", "certificates")]),
        );
        schema.insert("users".into(), Table::default());
        schema.insert("audit_log".into(), table(&[("actor_id", "users")]));
        let order = insertion_order(&schema);
        let at = |name: &str| order.iter().position(|n| n == name).expect("listed");
        assert!(at("users") < at("certificates"));
        assert!(at("users") < at("audit_log"));
        assert_eq!(order.len(), 3);
    }

    #[test]
    fn a_drift_is_named() {
        let mut a = Schema::new();
        let mut b = Schema::new();
        let column = |name: &str, kind, not_null| Column {
            name: name.into(),
            kind,
            not_null,
            identity: false,
        };
        a.insert(
            "users".into(),
            Table {
                columns: vec![
                    column("email", Kind::Text, true),
                    column("consent", Kind::Integer, true),
                ],
                ..Table::default()
            },
        );
        b.insert(
            "users".into(),
            Table {
                columns: vec![
                    column("email", Kind::Text, false),
                    column("consent", Kind::Boolean, true),
                ],
                ..Table::default()
            },
        );
        assert_eq!(
            differences(&a, &b),
            vec!["users.email: NOT NULL on SQLite true, on PostgreSQL false".to_owned()]
        );
    }
}
