-- Credits a learner earned elsewhere and reports themselves: shown on the transcript,
-- marked self-reported, never added to the totals of verified credit.
CREATE TABLE external_credits (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id),
    title TEXT NOT NULL,
    provider TEXT NOT NULL,
    credit_type TEXT NOT NULL,
    quarters INTEGER NOT NULL CHECK (quarters > 0),
    completed_on TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX external_credits_user ON external_credits (user_id, completed_on);
