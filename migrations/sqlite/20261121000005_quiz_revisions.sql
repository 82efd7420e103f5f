-- Quizzes belong to a course revision, like lessons: immutable, so an attempt is always
-- graded against the questions and answer key it was started on.
CREATE TABLE quiz_revisions (
    id INTEGER PRIMARY KEY,
    revision_id INTEGER NOT NULL REFERENCES course_revisions (id),
    -- pre or post
    kind TEXT NOT NULL CHECK (kind IN ('pre', 'post')),
    -- The quiz file as written.
    source TEXT NOT NULL,
    -- The parsed quiz with its answer key (JSON). Never sent to a browser as is.
    definition TEXT NOT NULL,
    UNIQUE (revision_id, kind)
);
