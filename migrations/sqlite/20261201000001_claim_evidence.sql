-- What an accreditor asks of a claim: the study time the site recorded beside the hours
-- claimed, the learner's attestation when they claim more than was recorded, and the
-- profession that picked the credit type, as it was at the claim. NULL on claims made
-- before these were kept.
ALTER TABLE credit_claims ADD COLUMN recorded_minutes INTEGER;
ALTER TABLE credit_claims ADD COLUMN attested_at TEXT;
ALTER TABLE credit_claims ADD COLUMN profession TEXT;
