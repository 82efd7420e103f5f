-- Images educators upload in the studio: decoded and written again (no metadata survives),
-- stored once by the SHA-256 of the written bytes, in the database so every app server
-- serves them. `small` is the phone-sized copy (640 pixels wide) of an image wider than
-- that, NULL otherwise. Immutable: a row is never updated or deleted by the site.
CREATE TABLE images (
    hash TEXT PRIMARY KEY,
    format TEXT NOT NULL CHECK (format IN ('png', 'jpeg', 'webp')),
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    bytes BLOB NOT NULL,
    small BLOB,
    uploaded_by INTEGER NOT NULL REFERENCES users (id),
    uploaded_at INTEGER NOT NULL
);

-- Which activity's draft an image was uploaded to (the studio lists them there). The same
-- image in two activities is stored once and listed in both.
CREATE TABLE activity_images (
    kind TEXT NOT NULL,
    slug TEXT NOT NULL,
    hash TEXT NOT NULL REFERENCES images (hash),
    file_name TEXT NOT NULL,
    alt TEXT NOT NULL,
    added_by INTEGER NOT NULL REFERENCES users (id),
    added_at INTEGER NOT NULL,
    PRIMARY KEY (kind, slug, hash)
);
