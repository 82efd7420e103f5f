-- Certificates: the legal record, kept for years. Every field shown on the certificate is
-- copied here at issue, so a later edit of a course or a profile never changes one. Rows
-- are never deleted: revoking and superseding mark them.
CREATE TABLE certificates (
    id INTEGER PRIMARY KEY,
    -- Unguessable (128 random bits), shown on the certificate and in its QR code.
    code TEXT NOT NULL UNIQUE,
    user_id INTEGER NOT NULL REFERENCES users (id),
    -- The claim it was issued from (NULL for certificates issued by hand or in bulk).
    claim_id INTEGER UNIQUE REFERENCES credit_claims (id),
    learner_name TEXT NOT NULL,
    profession TEXT NOT NULL,
    activity_slug TEXT NOT NULL,
    activity_title TEXT NOT NULL,
    -- The course revision the learner completed (NULL for activities outside the catalog).
    revision_number INTEGER,
    format TEXT NOT NULL CHECK (format IN ('online-course', 'live-webinar', 'recording')),
    completed_on TEXT NOT NULL,
    provider TEXT NOT NULL,
    credit_type TEXT NOT NULL,
    quarters INTEGER NOT NULL CHECK (quarters > 0),
    accreditation_statement TEXT NOT NULL,
    designation_statement TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    -- NULL: issued automatically on a credit claim.
    issued_by INTEGER REFERENCES users (id),
    revoked_at TEXT,
    revoked_by INTEGER REFERENCES users (id),
    revoked_reason TEXT,
    superseded_by INTEGER REFERENCES certificates (id),
    -- The signed Open Badges 3.0 credential (VC-JWT, EdDSA), made at issue.
    credential TEXT NOT NULL
);
CREATE INDEX certificates_user ON certificates (user_id);

-- The server's Ed25519 signing key, created at first start. The secret never leaves the
-- database; the public key is published at /issuer/jwks.json.
CREATE TABLE signing_keys (
    id INTEGER PRIMARY KEY,
    kid TEXT NOT NULL UNIQUE,
    public_key BLOB NOT NULL,
    secret_key BLOB NOT NULL,
    created_at TEXT NOT NULL
);
