-- The organizers' page reads a session's ledger a page at a time, in the order it was
-- written: this index serves those pages without sorting the whole session's rows.
CREATE INDEX attendance_ledger_session_order ON attendance_ledger (session_id, id);
