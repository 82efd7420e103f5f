//! What stores share to read and write rows on both databases: booleans ([`Flag`]), stored
//! integers as the types they stand for ([`decode`]), counts, and unique violations.

use super::Db;

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
pub(super) fn postgres_constraint(target: &str) -> String {
    let mut table = "";
    let mut columns = Vec::new();
    for part in target.split(',') {
        let (t, column) = part.trim().split_once('.').unwrap_or(("", part.trim()));
        table = t;
        columns.push(column);
    }
    format!("{table}_{}_key", columns.join("_"))
}
