//! Certificates in the database: finding them, writing a new row, revoking and superseding,
//! and the audit record of each change. Rows are never deleted.

use super::Certificate;
use crate::db::{Connection, Pool};
use crate::error::Error;

pub(crate) const COLUMNS: &str = "id, code, user_id, learner_name, profession, activity_slug, activity_title, \
     revision_number, format, completed_on, provider, credit_type, quarters, accreditation_statement, \
     designation_statement, issued_at, revoked_at, revoked_reason, superseded_by, credential";

/// Writes a certificate row (its code and credential already made) and returns its id.
pub(crate) async fn insert_row(
    conn: &mut Connection,
    c: &Certificate,
    claim: Option<i64>,
    issued_by: Option<i64>,
) -> Result<i64, Error> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO certificates (code, user_id, claim_id, learner_name, profession, activity_slug, \
         activity_title, revision_number, format, completed_on, provider, credit_type, quarters, \
         accreditation_statement, designation_statement, issued_at, issued_by, credential) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) RETURNING id",
    )
    .bind(&c.code)
    .bind(c.user_id)
    .bind(claim)
    .bind(&c.learner_name)
    .bind(&c.profession)
    .bind(&c.activity_slug)
    .bind(&c.activity_title)
    .bind(c.revision_number)
    .bind(&c.format)
    .bind(&c.completed_on)
    .bind(&c.provider)
    .bind(&c.credit_type)
    .bind(c.quarters)
    .bind(&c.accreditation_statement)
    .bind(&c.designation_statement)
    .bind(&c.issued_at)
    .bind(issued_by)
    .bind(&c.credential)
    .fetch_one(&mut *conn)
    .await?;
    Ok(id)
}

/// The code of the certificate a claim already has, if any.
pub(crate) async fn code_of_claim(
    conn: &mut Connection,
    claim: i64,
) -> Result<Option<String>, Error> {
    Ok(
        sqlx::query_scalar("SELECT code FROM certificates WHERE claim_id = $1")
            .bind(claim)
            .fetch_optional(&mut *conn)
            .await?,
    )
}

/// What a claim's certificate copies: the learner, the revision studied and the claim.
#[derive(sqlx::FromRow)]
pub(crate) struct ClaimFacts {
    pub user_id: i64,
    pub learner_name: String,
    pub profession: String,
    pub slug: String,
    pub revision_number: i64,
    pub rendered: String,
    pub completed_on: String,
    pub credit_type: String,
    pub quarters: i64,
}

pub(crate) async fn claim_facts(conn: &mut Connection, claim: i64) -> Result<ClaimFacts, Error> {
    Ok(sqlx::query_as(
        "SELECT k.user_id, u.full_name AS learner_name, u.profession, c.slug, r.number AS revision_number, \
         r.rendered, k.completed_on, k.credit_type, k.quarters FROM credit_claims k JOIN users u ON u.id = k.user_id \
         JOIN course_revisions r ON r.id = k.revision_id JOIN courses c ON c.id = r.course_id \
         WHERE k.id = $1",
    )
    .bind(claim)
    .fetch_one(&mut *conn)
    .await?)
}

/// The code of the certificate with `id`.
pub(crate) async fn code_of(pool: &Pool, id: i64) -> Result<String, Error> {
    Ok(
        sqlx::query_scalar("SELECT code FROM certificates WHERE id = $1")
            .bind(id)
            .fetch_one(pool)
            .await?,
    )
}

/// Marks `old` superseded by `new`.
pub(crate) async fn mark_superseded(
    conn: &mut Connection,
    old: i64,
    new: i64,
) -> Result<(), Error> {
    sqlx::query("UPDATE certificates SET superseded_by = $1 WHERE id = $2")
        .bind(new)
        .bind(old)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub(crate) async fn find_in(
    conn: &mut Connection,
    code: &str,
) -> Result<Option<Certificate>, Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM certificates WHERE code = $1"
    ))
    .bind(code.trim().to_uppercase())
    .fetch_optional(&mut *conn)
    .await
    .map_err(Into::into)
}

pub async fn find(pool: &Pool, code: &str) -> Result<Option<Certificate>, Error> {
    let mut conn = pool.acquire().await?;
    find_in(&mut conn, code).await
}

/// A learner's certificates, newest first.
pub async fn of_user(pool: &Pool, user: i64) -> Result<Vec<Certificate>, Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM certificates WHERE user_id = $1 ORDER BY id DESC"
    ))
    .bind(user)
    .fetch_all(pool)
    .await
    .map_err(Into::into)
}

/// Marks a certificate revoked with the reason; the record stays. Audited.
pub async fn revoke(pool: &Pool, admin: i64, code: &str, reason: &str) -> Result<(), Error> {
    let reason = reason.trim();
    if reason.chars().count() < 5 || reason.chars().count() > 500 {
        return Err(Error::conflict(
            "Give the reason for revoking in 5 to 500 characters; it is shown on the verification page.",
        ));
    }
    let mut tx = crate::db::write_tx(pool).await?;
    // Serialises on the certificate: revoked once.
    crate::db::lock(
        &mut tx,
        crate::db::On::Key(&format!("certificate:{}", code.trim().to_uppercase())),
    )
    .await?;
    let Some(c) = find_in(&mut tx, code).await? else {
        return Err(Error::not_found(format!("There is no certificate {code}.")));
    };
    if let Some(at) = c.revoked_at {
        return Err(Error::conflict(format!(
            "Certificate {code} was already revoked on {}.",
            &at[..at.len().min(10)]
        )));
    }
    sqlx::query(
        "UPDATE certificates SET revoked_at = $1, revoked_by = $2, revoked_reason = $3 WHERE id = $4",
    )
    .bind(crate::clock::now())
    .bind(admin)
    .bind(reason)
    .bind(c.id)
    .execute(&mut *tx)
    .await?;
    crate::db::audit::record(&mut tx, Some(admin), "certificate.revoke", &c.code, reason).await?;
    tx.commit().await?;
    Ok(())
}

/// The learner's email address, if the account still exists.
pub(crate) async fn email_of(conn: &mut Connection, user: i64) -> Result<Option<String>, Error> {
    Ok(sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
        .bind(user)
        .fetch_optional(&mut *conn)
        .await?)
}

/// Signing keys an earlier version kept in the database: `(kid, secret)`.
pub(crate) async fn legacy_secret_keys(
    pool: &crate::db::Pool,
) -> Result<Vec<(String, Vec<u8>)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT kid, secret_key FROM signing_keys WHERE length(secret_key) > 0 ORDER BY id",
    )
    .fetch_all(pool)
    .await
}

/// Erases a key's secret from the database (it lives in the key folder).
pub(crate) async fn erase_secret_key(pool: &crate::db::Pool, kid: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE signing_keys SET secret_key = $1 WHERE kid = $2")
        .bind(Vec::<u8>::new())
        .bind(kid)
        .execute(pool)
        .await?;
    Ok(())
}

/// Records a key's public half (once) for the JWK set; the secret column stays empty.
pub(crate) async fn register_public_key(
    pool: &crate::db::Pool,
    kid: &str,
    public: &[u8],
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO signing_keys (kid, public_key, secret_key, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (kid) DO NOTHING",
    )
    .bind(kid)
    .bind(public)
    .bind(Vec::<u8>::new())
    .bind(crate::clock::now())
    .execute(pool)
    .await?;
    Ok(())
}

/// Every public key ever used: `(kid, public key)`, oldest first.
pub(crate) async fn public_keys(
    pool: &crate::db::Pool,
) -> Result<Vec<(String, Vec<u8>)>, sqlx::Error> {
    sqlx::query_as("SELECT kid, public_key FROM signing_keys ORDER BY id")
        .fetch_all(pool)
        .await
}

/// An account by its email: `(id, name, profession)`.
pub(crate) async fn learner_by_email(
    conn: &mut Connection,
    email: &str,
) -> Result<Option<(i64, String, String)>, sqlx::Error> {
    sqlx::query_as("SELECT id, full_name, profession FROM users WHERE email = $1")
        .bind(email)
        .fetch_optional(&mut *conn)
        .await
}

/// A course's latest revision: `(number, rendered)`.
pub(crate) async fn latest_course_revision(
    conn: &mut Connection,
    slug: &str,
) -> Result<Option<(i64, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT r.number, r.rendered FROM courses c JOIN course_revisions r ON r.course_id = c.id \
         WHERE c.slug = $1 ORDER BY r.number DESC LIMIT 1",
    )
    .bind(slug)
    .fetch_optional(&mut *conn)
    .await
}

/// Whether the learner holds a valid certificate for this activity, credit and date.
pub(crate) async fn holds_certificate(
    conn: &mut Connection,
    user: i64,
    activity: &str,
    credit_type: &str,
    completed_on: &str,
) -> Result<bool, sqlx::Error> {
    let crate::db::Flag(exists) = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM certificates WHERE user_id = $1 AND activity_slug = $2 \
         AND credit_type = $3 AND completed_on = $4 AND revoked_at IS NULL AND superseded_by IS NULL)",
    )
    .bind(user)
    .bind(activity)
    .bind(credit_type)
    .bind(completed_on)
    .fetch_one(&mut *conn)
    .await?;
    Ok(exists)
}

/// `(code, learner, activity, credit type, quarters, issued on, revoked, superseded)`.
pub(crate) type RecentRow = (
    String,
    String,
    String,
    String,
    i64,
    String,
    crate::db::Flag,
    crate::db::Flag,
);

/// The latest 50 certificates, newest first.
pub(crate) async fn recent(pool: &Pool) -> Result<Vec<RecentRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT code, learner_name, activity_title, credit_type, quarters, substr(issued_at, 1, 10), \
         revoked_at IS NOT NULL, superseded_by IS NOT NULL FROM certificates ORDER BY id DESC LIMIT 50",
    )
    .fetch_all(pool)
    .await
}

/// Every certificate's code and signed credential, oldest first.
pub async fn credentials(pool: &Pool) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query_as("SELECT code, credential FROM certificates ORDER BY id")
        .fetch_all(pool)
        .await
}
