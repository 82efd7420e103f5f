-- Calendars, join clicks and reminders for webinars.

-- The zone a signed-in user reads times in (an IANA name); NULL: each webinar's own zone.
ALTER TABLE users ADD COLUMN time_zone TEXT;

-- How often a registration changed (registered, cancelled, registered again, promoted):
-- a session's calendar SEQUENCE is its own sequence plus this, so it grows with every
-- change a learner's calendar must follow.
ALTER TABLE webinar_registrations ADD COLUMN calendar_sequence INTEGER NOT NULL DEFAULT 0;

-- A learner's private calendar feed: only the SHA-256 of the token in its address is kept
-- (the address is shown once); replacing or turning it off sets `revoked_at`.
CREATE TABLE calendar_feeds (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE INDEX calendar_feeds_user ON calendar_feeds (user_id);

-- The first kind of attendance evidence: a registered learner followed the join link
-- (`clicked_at` in unix seconds, UTC). Rows are only ever added.
CREATE TABLE webinar_join_clicks (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES webinar_sessions (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    clicked_at INTEGER NOT NULL
);
CREATE INDEX webinar_join_clicks_session ON webinar_join_clicks (session_id, user_id);

-- Reminders sent: the key makes each one once, whichever app server gets there first; a
-- session moved to another time (`starts_at`) is reminded of again.
CREATE TABLE webinar_reminders (
    session_id INTEGER NOT NULL REFERENCES webinar_sessions (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    kind TEXT NOT NULL CHECK (kind IN ('day', 'hour')),
    starts_at INTEGER NOT NULL,
    outbox_id INTEGER REFERENCES outbox (id),
    created_at TEXT NOT NULL,
    PRIMARY KEY (session_id, user_id, kind, starts_at)
);
