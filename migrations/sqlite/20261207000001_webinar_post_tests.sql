-- A live webinar's post-test (`content/webinars/<slug>.post-test.quiz.md`), stored with the
-- revision it came with, like a course's quizzes: immutable, so an attempt is always graded
-- against the questions and answer key it was started on.
CREATE TABLE webinar_quizzes (
    revision_id INTEGER PRIMARY KEY REFERENCES webinar_revisions (id),
    -- The quiz file as written.
    source TEXT NOT NULL,
    -- The parsed quiz with its answer key (JSON). Never sent to a browser as is.
    definition TEXT NOT NULL
);

-- Attempts at it, keyed to the learner's registration (a seat held): started when the quiz
-- page is first shown (the form carries the token), submitted at most once.
CREATE TABLE webinar_quiz_attempts (
    id INTEGER PRIMARY KEY,
    registration_id INTEGER NOT NULL REFERENCES webinar_registrations (id),
    revision_id INTEGER NOT NULL REFERENCES webinar_revisions (id),
    -- Random, unguessable: what the quiz form sends back. Makes submitting idempotent.
    token TEXT NOT NULL UNIQUE,
    started_at TEXT NOT NULL,
    -- NULL while the attempt is open; then 1, 2, ... among this learner's attempts.
    number INTEGER,
    submitted_at TEXT,
    -- JSON [[question id, option id], ...] as submitted.
    answers TEXT,
    correct INTEGER,
    total INTEGER,
    percent INTEGER,
    passed INTEGER,
    UNIQUE (registration_id, number)
);
CREATE INDEX webinar_quiz_attempts_registration ON webinar_quiz_attempts (registration_id);
