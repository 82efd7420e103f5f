-- PostgreSQL twin of ../sqlite/20261208000001_attendance_append_only.sql.
-- Every table of attendance evidence is append-only, not only the ledger: the report files,
-- the imports, the code windows and the ledger refuse UPDATE and DELETE row by row, and
-- TRUNCATE (which fires no row trigger) with a statement trigger.

CREATE FUNCTION attendance_evidence_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'attendance evidence is append-only: % refuses %', TG_TABLE_NAME, TG_OP;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER attendance_files_no_update BEFORE UPDATE ON attendance_files
    FOR EACH ROW EXECUTE FUNCTION attendance_evidence_append_only();
CREATE TRIGGER attendance_files_no_delete BEFORE DELETE ON attendance_files
    FOR EACH ROW EXECUTE FUNCTION attendance_evidence_append_only();
CREATE TRIGGER attendance_files_no_truncate BEFORE TRUNCATE ON attendance_files
    FOR EACH STATEMENT EXECUTE FUNCTION attendance_evidence_append_only();
CREATE TRIGGER attendance_imports_no_update BEFORE UPDATE ON attendance_imports
    FOR EACH ROW EXECUTE FUNCTION attendance_evidence_append_only();
CREATE TRIGGER attendance_imports_no_delete BEFORE DELETE ON attendance_imports
    FOR EACH ROW EXECUTE FUNCTION attendance_evidence_append_only();
CREATE TRIGGER attendance_imports_no_truncate BEFORE TRUNCATE ON attendance_imports
    FOR EACH STATEMENT EXECUTE FUNCTION attendance_evidence_append_only();
CREATE TRIGGER attendance_code_windows_no_update BEFORE UPDATE ON attendance_code_windows
    FOR EACH ROW EXECUTE FUNCTION attendance_evidence_append_only();
CREATE TRIGGER attendance_code_windows_no_delete BEFORE DELETE ON attendance_code_windows
    FOR EACH ROW EXECUTE FUNCTION attendance_evidence_append_only();
CREATE TRIGGER attendance_code_windows_no_truncate BEFORE TRUNCATE ON attendance_code_windows
    FOR EACH STATEMENT EXECUTE FUNCTION attendance_evidence_append_only();
CREATE TRIGGER attendance_ledger_no_truncate BEFORE TRUNCATE ON attendance_ledger
    FOR EACH STATEMENT EXECUTE FUNCTION attendance_evidence_append_only();
