-- Courses and their immutable revisions. A revision is never updated or deleted: everything a
-- learner does points at the revision it was done against.

CREATE TABLE courses (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    -- Set when the course folder disappears from content/; the revisions stay.
    retired_at TEXT
);

CREATE TABLE course_revisions (
    id INTEGER PRIMARY KEY,
    course_id INTEGER NOT NULL REFERENCES courses (id),
    number INTEGER NOT NULL,
    -- SHA-256 over every markdown file of the course folder.
    content_hash TEXT NOT NULL,
    -- course.md as written.
    source TEXT NOT NULL,
    -- The rendered, sanitised course (JSON): metadata, statements, overview HTML.
    rendered TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (course_id, number)
);

CREATE TABLE lesson_revisions (
    id INTEGER PRIMARY KEY,
    revision_id INTEGER NOT NULL REFERENCES course_revisions (id),
    position INTEGER NOT NULL,
    slug TEXT NOT NULL,
    title TEXT NOT NULL,
    source TEXT NOT NULL,
    html TEXT NOT NULL,
    -- Table of contents (JSON array of {level, id, text}).
    toc TEXT NOT NULL,
    UNIQUE (revision_id, position),
    UNIQUE (revision_id, slug)
);
