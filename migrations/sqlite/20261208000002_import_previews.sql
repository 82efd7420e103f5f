-- An attendance import between its two steps: the uploaded report and what its preview
-- showed, kept here (not in the organizer's session) until it is written, replaced by the
-- next upload for the same session, discarded, or removed after a day unwritten. Not
-- evidence: the report's bytes join `attendance_files` only when the import is written.
CREATE TABLE attendance_import_previews (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES webinar_sessions (id),
    sha256 TEXT NOT NULL,
    bytes BLOB NOT NULL,
    file_name TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    -- The preview as the page shows it (JSON; its rows capped).
    shown TEXT NOT NULL,
    created_by INTEGER NOT NULL REFERENCES users (id),
    created_at INTEGER NOT NULL,
    UNIQUE (session_id, created_by)
);
CREATE INDEX attendance_import_previews_age ON attendance_import_previews (created_at);

-- The name a learner had when they registered for a webinar: a report row without an
-- email is matched by this name, so renaming oneself later takes no one else's minutes.
ALTER TABLE webinar_registrations ADD COLUMN registered_name TEXT NOT NULL DEFAULT '';
UPDATE webinar_registrations
    SET registered_name = (SELECT full_name FROM users WHERE users.id = webinar_registrations.user_id);
