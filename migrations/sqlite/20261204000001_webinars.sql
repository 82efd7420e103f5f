-- Live webinars, stored like courses: immutable revisions of the file as written (a new one
-- only when the file changed), and per session its current schedule, the stable identity
-- registrations and calendar UIDs refer to. `sequence` grows with every change of a
-- session's time (the calendar's SEQUENCE), `cancelled_at` marks a session removed from
-- the file.
CREATE TABLE webinars (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    retired_at TEXT
);

CREATE TABLE webinar_revisions (
    id INTEGER PRIMARY KEY,
    webinar_id INTEGER NOT NULL REFERENCES webinars (id),
    number INTEGER NOT NULL,
    content_hash TEXT NOT NULL,
    source TEXT NOT NULL,
    -- The page model as JSON (never the join URL).
    detail TEXT NOT NULL,
    -- Kept apart: only registered learners inside the join window are sent there.
    join_url TEXT NOT NULL,
    -- The organizers' sign-in emails, as JSON: they see its registrations (never shown).
    organizers TEXT NOT NULL,
    capacity INTEGER NOT NULL,
    registration_opens INTEGER NOT NULL,
    registration_closes INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (webinar_id, number)
);

CREATE TABLE webinar_sessions (
    id INTEGER PRIMARY KEY,
    webinar_id INTEGER NOT NULL REFERENCES webinars (id),
    number INTEGER NOT NULL,
    starts_at INTEGER NOT NULL,
    minutes INTEGER NOT NULL,
    zone TEXT NOT NULL,
    sequence INTEGER NOT NULL,
    cancelled_at TEXT,
    UNIQUE (webinar_id, number)
);
