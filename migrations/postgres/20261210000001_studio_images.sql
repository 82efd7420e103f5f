-- PostgreSQL twin of ../sqlite/20261210000001_studio_images.sql.
-- Images educators upload in the studio: decoded and written again (no metadata survives),
-- stored once by the SHA-256 of the written bytes, in the database so every app server
-- serves them. `small` is the phone-sized copy (640 pixels wide) of an image wider than
-- that, NULL otherwise. Immutable: a row is never updated or deleted by the site.
CREATE TABLE images (
    hash TEXT PRIMARY KEY,
    format TEXT NOT NULL CHECK (format IN ('png', 'jpeg', 'webp')),
    width BIGINT NOT NULL,
    height BIGINT NOT NULL,
    bytes BYTEA NOT NULL,
    small BYTEA,
    uploaded_by BIGINT NOT NULL REFERENCES users (id),
    uploaded_at BIGINT NOT NULL
);

-- Which activity's draft an image was uploaded to (the studio lists them there). The same
-- image in two activities is stored once and listed in both.
CREATE TABLE activity_images (
    kind TEXT NOT NULL,
    slug TEXT NOT NULL,
    hash TEXT NOT NULL REFERENCES images (hash),
    file_name TEXT NOT NULL,
    alt TEXT NOT NULL,
    added_by BIGINT NOT NULL REFERENCES users (id),
    added_at BIGINT NOT NULL,
    PRIMARY KEY (kind, slug, hash)
);
