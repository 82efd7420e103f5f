-- Failed sign-in attempts per account (email) and per client address, for slowing down and
-- then refusing brute-force attempts. Keys: 'email:<address>' and 'ip:<address>'.
CREATE TABLE login_throttle (
    key TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    -- Unix seconds of the first failure in the current window.
    window_start INTEGER NOT NULL,
    -- Unix seconds until which sign-in is refused; 0 when not locked.
    locked_until INTEGER NOT NULL DEFAULT 0
);
