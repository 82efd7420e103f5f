-- PostgreSQL twin of ../sqlite/20261201000001_claim_evidence.sql: the same tables, columns, nullability and
-- constraints (a test compares the two); 64-bit integers, identity keys, real booleans.
-- What an accreditor asks of a claim: the study time the site recorded beside the hours
-- claimed, the learner's attestation when they claim more than was recorded, and the
-- profession that picked the credit type, as it was at the claim. NULL on claims made
-- before these were kept.
ALTER TABLE credit_claims ADD COLUMN recorded_minutes BIGINT;
ALTER TABLE credit_claims ADD COLUMN attested_at TEXT;
ALTER TABLE credit_claims ADD COLUMN profession TEXT;
