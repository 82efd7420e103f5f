-- A learner's enrollment pins the course revision they study; lesson progress keeps when a
-- lesson was first opened and when it was marked complete (the time-spent record).
CREATE TABLE enrollments (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id),
    course_id INTEGER NOT NULL REFERENCES courses (id),
    revision_id INTEGER NOT NULL REFERENCES course_revisions (id),
    enrolled_at TEXT NOT NULL,
    UNIQUE (user_id, course_id)
);

CREATE TABLE lesson_progress (
    enrollment_id INTEGER NOT NULL REFERENCES enrollments (id),
    lesson_slug TEXT NOT NULL,
    first_opened_at TEXT NOT NULL,
    completed_at TEXT,
    PRIMARY KEY (enrollment_id, lesson_slug)
);
