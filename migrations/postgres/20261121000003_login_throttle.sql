-- PostgreSQL twin of ../sqlite/20261121000003_login_throttle.sql: the same tables, columns, nullability and
-- constraints (a test compares the two); 64-bit integers, identity keys, real booleans.
-- Failed sign-in attempts per account (email) and per client address, for slowing down and
-- then refusing brute-force attempts. Keys: 'email:<address>' and 'ip:<address>'.
CREATE TABLE login_throttle (
    key TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    -- Unix seconds of the first failure in the current window.
    window_start BIGINT NOT NULL,
    -- Unix seconds until which sign-in is refused; 0 when not locked.
    locked_until BIGINT NOT NULL DEFAULT 0
);
