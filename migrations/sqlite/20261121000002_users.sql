-- Accounts. Email is stored lower-cased and trimmed, so UNIQUE means one account per address.

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    -- argon2id PHC string.
    password_hash TEXT NOT NULL,
    -- As it must appear on certificates.
    full_name TEXT NOT NULL,
    profession TEXT NOT NULL,
    role TEXT NOT NULL DEFAULT 'learner' CHECK (role IN ('learner', 'educator', 'admin')),
    -- Optional identifiers for accreditation reporting.
    npi TEXT,
    licence_number TEXT,
    licence_state TEXT,
    board_id TEXT,
    birth_month INTEGER CHECK (birth_month BETWEEN 1 AND 12),
    birth_day INTEGER CHECK (birth_day BETWEEN 1 AND 31),
    -- Consent to share completion data with accrediting bodies; off unless given.
    consent_reporting INTEGER NOT NULL DEFAULT 0,
    -- Bumped on password change and forced sign-out: sessions carrying an older value end.
    session_version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
