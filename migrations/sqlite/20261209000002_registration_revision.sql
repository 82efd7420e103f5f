-- A registration is pinned to the webinar revision it was made on, as an enrollment is to
-- its course revision: the post-test a learner takes, its attempt limit and the pass that
-- opens the claim are that revision's, so a later revision (more attempts, another key)
-- never reopens a test the learner has already seen. Existing registrations are pinned to
-- the revision of their first attempt, or the one live when they arrived.
ALTER TABLE webinar_registrations ADD COLUMN revision_id INTEGER REFERENCES webinar_revisions (id);
UPDATE webinar_registrations SET revision_id = COALESCE(
    (SELECT MIN(a.revision_id) FROM webinar_quiz_attempts a WHERE a.registration_id = webinar_registrations.id),
    (SELECT MAX(r.id) FROM webinar_revisions r
     WHERE r.webinar_id = webinar_registrations.webinar_id AND r.created_at <= webinar_registrations.arrived_at),
    (SELECT MIN(r.id) FROM webinar_revisions r WHERE r.webinar_id = webinar_registrations.webinar_id)
);
