-- Registrations: one row per learner and webinar. `position` is the arrival order, given
-- under the webinar's lock (so it is strict even with several app servers); seats go to the
-- lowest positions and the waitlist is promoted in that order. A learner who cancels and
-- registers again goes to the back (a new position).
CREATE TABLE webinar_registrations (
    id INTEGER PRIMARY KEY,
    webinar_id INTEGER NOT NULL REFERENCES webinars (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    status TEXT NOT NULL CHECK (status IN ('registered', 'waitlisted', 'cancelled')),
    position INTEGER NOT NULL,
    arrived_at TEXT NOT NULL,
    registered_at TEXT,
    cancelled_at TEXT,
    cancelled_by INTEGER REFERENCES users (id),
    UNIQUE (webinar_id, user_id)
);
CREATE INDEX webinar_registrations_queue ON webinar_registrations (webinar_id, status, position);
