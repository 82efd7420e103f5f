-- The catalog's version, bumped in the same transaction as every content import that
-- changes what is published. Each app server polls it (a single-row read every few
-- seconds) and reloads its catalog and drops its page cache when it moves, so a revision
-- published through one server is served by all of them.
CREATE TABLE catalog_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);
INSERT INTO catalog_version (id, version) VALUES (1, 0);
