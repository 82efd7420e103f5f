-- The educators' studio and the one ownership model of activities.

-- Who owns an activity, course or webinar alike: owners edit its drafts in the studio and
-- publish them; a webinar's owners are also its organizers (registrations, attendance).
-- An owner is named by sign-in email (lowercase), either in the activity's file
-- (`source` 'file': a webinar's `organizers`, replaced whenever a revision of the file is
-- published, through either door) or by an administrator in the studio ('studio').
CREATE TABLE activity_owners (
    kind TEXT NOT NULL CHECK (kind IN ('course', 'webinar')),
    slug TEXT NOT NULL,
    email TEXT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('file', 'studio')),
    added_by INTEGER REFERENCES users (id),
    added_at INTEGER NOT NULL,
    PRIMARY KEY (kind, slug, email, source)
);
CREATE INDEX activity_owners_email ON activity_owners (email);

-- The organizers named in each webinar's latest revision become its file-named owners.
INSERT INTO activity_owners (kind, slug, email, source, added_by, added_at)
SELECT DISTINCT 'webinar', w.slug, lower(j.value), 'file', NULL, CAST(strftime('%s', 'now') AS INTEGER)
FROM webinars w
JOIN webinar_revisions r ON r.webinar_id = w.id
    AND r.number = (SELECT MAX(number) FROM webinar_revisions WHERE webinar_id = w.id),
    json_each(r.organizers) j;

-- Every file of every revision exactly as written (names included), so a revision can be
-- opened in the studio, compared line by line and published again. Revisions before this
-- migration get their files back from what they stored (lesson files named NN-<slug>.md).
CREATE TABLE revision_files (
    kind TEXT NOT NULL CHECK (kind IN ('course', 'webinar')),
    revision_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    text TEXT NOT NULL,
    PRIMARY KEY (kind, revision_id, name)
);
INSERT INTO revision_files (kind, revision_id, name, text)
SELECT 'course', id, 'course.md', source FROM course_revisions;
INSERT INTO revision_files (kind, revision_id, name, text)
SELECT 'course', revision_id, printf('%02d-%s.md', position, slug), source FROM lesson_revisions;
INSERT INTO revision_files (kind, revision_id, name, text)
SELECT 'course', revision_id, CASE kind WHEN 'pre' THEN 'pre-test.quiz.md' ELSE 'post-test.quiz.md' END, source
FROM quiz_revisions;
INSERT INTO revision_files (kind, revision_id, name, text)
SELECT 'webinar', r.id, w.slug || '.md', r.source FROM webinar_revisions r JOIN webinars w ON w.id = r.webinar_id;
INSERT INTO revision_files (kind, revision_id, name, text)
SELECT 'webinar', q.revision_id, w.slug || '.post-test.quiz.md', q.source
FROM webinar_quizzes q JOIN webinar_revisions r ON r.id = q.revision_id JOIN webinars w ON w.id = r.webinar_id;

-- Which door a revision came through, and who published it from the studio.
ALTER TABLE course_revisions ADD COLUMN published_by INTEGER REFERENCES users (id);
ALTER TABLE webinar_revisions ADD COLUMN published_by INTEGER REFERENCES users (id);

-- The two doors: the hash of the activity's files in content/ when they were last read
-- (imported, or seen and set aside), so a folder that did not change never overwrites what
-- the studio published, and one that changed while the studio also published is held back
-- as a conflict until someone chooses.
ALTER TABLE courses ADD COLUMN folder_hash TEXT;
ALTER TABLE webinars ADD COLUMN folder_hash TEXT;
UPDATE courses SET folder_hash = (SELECT content_hash FROM course_revisions r WHERE r.course_id = courses.id ORDER BY number DESC LIMIT 1);
UPDATE webinars SET folder_hash = (SELECT content_hash FROM webinar_revisions r WHERE r.webinar_id = webinars.id ORDER BY number DESC LIMIT 1);
CREATE TABLE door_conflicts (
    kind TEXT NOT NULL CHECK (kind IN ('course', 'webinar')),
    slug TEXT NOT NULL,
    -- The folder's files as found (JSON [[name, text], ...]) and their hash.
    folder_files TEXT NOT NULL,
    folder_hash TEXT NOT NULL,
    found_at INTEGER NOT NULL,
    PRIMARY KEY (kind, slug)
);

-- Drafts: the files of an activity being edited, one row per file. `version` grows with
-- every save of the file, so a save from a stale copy is caught, not written over.
CREATE TABLE studio_drafts (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('course', 'webinar')),
    slug TEXT NOT NULL,
    -- The live revision's number when the draft was started (NULL: never published).
    base_revision INTEGER,
    created_by INTEGER NOT NULL REFERENCES users (id),
    created_at INTEGER NOT NULL,
    updated_by INTEGER NOT NULL REFERENCES users (id),
    updated_at INTEGER NOT NULL,
    UNIQUE (kind, slug)
);
CREATE TABLE studio_draft_files (
    draft_id INTEGER NOT NULL REFERENCES studio_drafts (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    text TEXT NOT NULL,
    version INTEGER NOT NULL,
    updated_by INTEGER NOT NULL REFERENCES users (id),
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (draft_id, name)
);
