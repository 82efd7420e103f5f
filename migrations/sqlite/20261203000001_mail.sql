-- Email. Every message a user must receive is written to `outbox` in the transaction of the
-- event that causes it (a certificate issued, a reset requested, an invitation made) and
-- delivered by a background sender on any app server: claimed by moving `next_attempt_at`
-- past a lease (so a sender that dies mid-delivery leaves it for another after the lease),
-- retried with growing back-off, marked sent, the last error kept. `raw` is the whole
-- message as delivered (headers, Message-ID and Date fixed when it was queued), so a
-- retry sends the same bytes.
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    message_id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    recipient TEXT NOT NULL,
    user_id INTEGER REFERENCES users (id),
    subject TEXT NOT NULL,
    -- Optional mail (reminders) the learner may turn off; 0 for what they cannot refuse.
    refusable INTEGER NOT NULL,
    raw BLOB NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'sent', 'failed')),
    attempts INTEGER NOT NULL,
    -- Unix seconds: due from then (queued), or held by a sender until then (its lease).
    next_attempt_at INTEGER NOT NULL,
    last_error TEXT,
    created_at TEXT NOT NULL,
    sent_at TEXT
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);

-- Password reset links: only the SHA-256 of the token is kept; valid until `expires_at`
-- (unix seconds), used once, and a newer request supersedes every older one.
CREATE TABLE password_resets (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER,
    superseded_at INTEGER
);
CREATE INDEX password_resets_user ON password_resets (user_id);

-- Invitations: an administrator (or `grandrounds user add --invite`, invited_by NULL)
-- invites an address with a role; the invitee follows the single-use link and chooses a
-- password. Resending replaces the token; revoking ends it.
CREATE TABLE invitations (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL,
    role TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    invited_by INTEGER REFERENCES users (id),
    created_at TEXT NOT NULL,
    sent_at TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    accepted_at TEXT,
    user_id INTEGER REFERENCES users (id),
    revoked_at TEXT,
    revoked_by INTEGER REFERENCES users (id)
);
CREATE INDEX invitations_email ON invitations (email);

-- Whether the user gets optional mail (reminders). What they cannot refuse (password
-- reset, password changed, certificates, invitations) is sent whatever this says.
ALTER TABLE users ADD COLUMN optional_mail INTEGER NOT NULL DEFAULT 1;

-- The command line (`grandrounds user add --invite`) acts without an account: its audit
-- entries have no actor. SQLite cannot drop a NOT NULL in place, so the table is rebuilt
-- (nothing references it).
CREATE TABLE audit_log_new (
    id INTEGER PRIMARY KEY,
    actor_id INTEGER REFERENCES users (id),
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    detail TEXT NOT NULL,
    created_at TEXT NOT NULL
);
INSERT INTO audit_log_new (id, actor_id, action, target, detail, created_at)
    SELECT id, actor_id, action, target, detail, created_at FROM audit_log;
DROP TABLE audit_log;
ALTER TABLE audit_log_new RENAME TO audit_log;
