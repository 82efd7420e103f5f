-- The attendance ledger: the evidence that a learner attended a webinar session. Every row
-- is added and never changed or removed (triggers below refuse UPDATE and DELETE); a
-- correction is a new row that supersedes one earlier row, with its reason. Times are unix
-- seconds, UTC. Kept as long as the certificates they support (at least 6 years).

-- Every participant report uploaded, byte for byte, named by its SHA-256: kept in the
-- database (in the data folder, backed up and copied with everything else, and seen by every
-- app server) so the evidence can be shown years later.
CREATE TABLE attendance_files (
    sha256 TEXT PRIMARY KEY,
    bytes BLOB NOT NULL,
    uploaded_by INTEGER NOT NULL REFERENCES users (id),
    uploaded_at INTEGER NOT NULL
);

-- A report imported for a session. The same file for the same session is imported once.
CREATE TABLE attendance_imports (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES webinar_sessions (id),
    sha256 TEXT NOT NULL REFERENCES attendance_files (sha256),
    format TEXT NOT NULL,
    file_name TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    rows_read INTEGER NOT NULL,
    rows_added INTEGER NOT NULL,
    -- The rows not added, each with its line and why (JSON): listed, never dropped silently.
    rows_skipped TEXT NOT NULL,
    imported_by INTEGER NOT NULL REFERENCES users (id),
    imported_at INTEGER NOT NULL,
    UNIQUE (session_id, sha256)
);

-- A code shown during a session for `opens_at` to `closes_at`; learners with a seat who
-- enter it inside that window add a row to the ledger.
CREATE TABLE attendance_code_windows (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES webinar_sessions (id),
    code TEXT NOT NULL,
    opens_at INTEGER NOT NULL,
    closes_at INTEGER NOT NULL CHECK (closes_at > opens_at),
    opened_by INTEGER NOT NULL REFERENCES users (id)
);
CREATE INDEX attendance_code_windows_session ON attendance_code_windows (session_id, closes_at);

CREATE TABLE attendance_ledger (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES webinar_sessions (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    source TEXT NOT NULL CHECK (source IN ('join_click', 'code', 'report', 'correction')),
    -- The interval the evidence covers (a join click: one instant). A correction without
    -- one withdraws the row it supersedes.
    starts_at INTEGER,
    ends_at INTEGER,
    recorded_by INTEGER NOT NULL REFERENCES users (id),
    recorded_at INTEGER NOT NULL,
    import_id INTEGER REFERENCES attendance_imports (id),
    import_line INTEGER,
    code_window_id INTEGER REFERENCES attendance_code_windows (id),
    supersedes INTEGER UNIQUE REFERENCES attendance_ledger (id),
    reason TEXT,
    CHECK ((starts_at IS NULL) = (ends_at IS NULL)),
    CHECK (starts_at IS NULL OR ends_at >= starts_at),
    CHECK (source = 'correction' OR starts_at IS NOT NULL),
    CHECK ((source = 'correction') = (supersedes IS NOT NULL AND reason IS NOT NULL)),
    CHECK ((source = 'report') = (import_id IS NOT NULL)),
    CHECK ((source = 'code') = (code_window_id IS NOT NULL)),
    UNIQUE (code_window_id, user_id)
);
CREATE INDEX attendance_ledger_session ON attendance_ledger (session_id, user_id);

-- The join clicks recorded so far become the ledger's first rows.
INSERT INTO attendance_ledger (session_id, user_id, source, starts_at, ends_at, recorded_by, recorded_at)
    SELECT session_id, user_id, 'join_click', clicked_at, clicked_at, user_id, clicked_at
    FROM webinar_join_clicks ORDER BY id;
DROP TABLE webinar_join_clicks;

CREATE TRIGGER attendance_ledger_no_update BEFORE UPDATE ON attendance_ledger
BEGIN
    SELECT RAISE(ABORT, 'the attendance ledger is append-only: add a correction instead');
END;
CREATE TRIGGER attendance_ledger_no_delete BEFORE DELETE ON attendance_ledger
BEGIN
    SELECT RAISE(ABORT, 'the attendance ledger is append-only: add a correction instead');
END;
