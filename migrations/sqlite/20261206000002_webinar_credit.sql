-- Credit for live webinars: after a session a learner eligible by the attendance ledger
-- evaluates it, then claims credit, which issues the certificate in the same transaction.

-- One evaluation per learner and session, with the statements as shown.
CREATE TABLE webinar_evaluations (
    session_id INTEGER NOT NULL REFERENCES webinar_sessions (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    -- JSON [[statement, rating 1-5], ...].
    ratings TEXT NOT NULL,
    practice_change TEXT NOT NULL,
    comments TEXT NOT NULL,
    submitted_at TEXT NOT NULL,
    PRIMARY KEY (session_id, user_id)
);

-- A claim: once per learner, webinar and credit type (whichever session earned it), never
-- updated; the certificate it issued is unique to it. `attended_seconds` is the ledger's
-- figure when the claim was made (a later import never changes the claim or its certificate).
CREATE TABLE webinar_claims (
    id INTEGER PRIMARY KEY,
    webinar_id INTEGER NOT NULL REFERENCES webinars (id),
    session_id INTEGER NOT NULL REFERENCES webinar_sessions (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    revision_number INTEGER NOT NULL,
    credit_type TEXT NOT NULL,
    quarters INTEGER NOT NULL CHECK (quarters > 0),
    attended_seconds INTEGER NOT NULL,
    certificate_id INTEGER NOT NULL UNIQUE REFERENCES certificates (id),
    claimed_at TEXT NOT NULL,
    UNIQUE (webinar_id, user_id, credit_type)
);
CREATE INDEX webinar_claims_user ON webinar_claims (user_id);
