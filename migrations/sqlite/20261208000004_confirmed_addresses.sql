-- Addresses are confirmed before they count. `email_confirmed_at` (unix seconds) is set
-- when the owner follows the link mailed at registration, accepts an invitation (its link
-- proves the address), completes a password reset, or an operator creates the account.
-- Accounts made before this migration are taken as confirmed.
ALTER TABLE users ADD COLUMN email_confirmed_at INTEGER;
UPDATE users SET email_confirmed_at = CAST(strftime('%s', 'now') AS INTEGER);

-- Confirmation links: only the SHA-256 of the token is kept; valid until `expires_at`, used
-- once, and a newer link supersedes the older ones. Their rows count the links sent, so an
-- account is sent a few an hour at most.
CREATE TABLE email_confirmations (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER,
    superseded_at INTEGER
);
CREATE INDEX email_confirmations_user ON email_confirmations (user_id, created_at);
