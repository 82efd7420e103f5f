-- Quiz attempts: started when the quiz page is first shown (the form carries the token),
-- submitted at most once. Graded against the revision the attempt was started on.
CREATE TABLE quiz_attempts (
    id INTEGER PRIMARY KEY,
    enrollment_id INTEGER NOT NULL REFERENCES enrollments (id),
    revision_id INTEGER NOT NULL REFERENCES course_revisions (id),
    kind TEXT NOT NULL CHECK (kind IN ('pre', 'post')),
    -- Random, unguessable: what the quiz form sends back. Makes submitting idempotent.
    token TEXT NOT NULL UNIQUE,
    started_at TEXT NOT NULL,
    -- NULL while the attempt is open; then 1, 2, … among this learner's attempts.
    number INTEGER,
    submitted_at TEXT,
    -- JSON [[question id, option id], …] as submitted.
    answers TEXT,
    correct INTEGER,
    total INTEGER,
    percent INTEGER,
    passed INTEGER,
    UNIQUE (enrollment_id, kind, number)
);
CREATE INDEX quiz_attempts_enrollment ON quiz_attempts (enrollment_id, kind);

-- One evaluation per enrollment, against the revision studied.
CREATE TABLE evaluations (
    enrollment_id INTEGER PRIMARY KEY REFERENCES enrollments (id),
    revision_id INTEGER NOT NULL REFERENCES course_revisions (id),
    -- JSON [[statement, rating 1-5], …]: the statements as shown.
    ratings TEXT NOT NULL,
    practice_change TEXT NOT NULL,
    comments TEXT NOT NULL,
    submitted_at TEXT NOT NULL
);

-- Credit claimed after completion: what certificates are issued from. Never updated.
CREATE TABLE credit_claims (
    id INTEGER PRIMARY KEY,
    enrollment_id INTEGER NOT NULL REFERENCES enrollments (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    revision_id INTEGER NOT NULL REFERENCES course_revisions (id),
    credit_type TEXT NOT NULL,
    -- Whole quarter hours, so 0.25 steps are exact.
    quarters INTEGER NOT NULL CHECK (quarters > 0),
    -- ISO date the last requirement was met.
    completed_on TEXT NOT NULL,
    claimed_at TEXT NOT NULL,
    UNIQUE (enrollment_id, credit_type)
);
CREATE INDEX credit_claims_user ON credit_claims (user_id);
