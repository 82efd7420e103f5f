-- Every table of attendance evidence is append-only, not only the ledger: the report files,
-- the imports, the code windows and the ledger refuse UPDATE and DELETE. `INSERT OR REPLACE`
-- removes the row it replaces with a delete, which fires the delete triggers only while
-- `recursive_triggers` is on: the server turns it on for every connection it opens
-- (`server/src/db/mod.rs`), so a replace is refused like a delete.

CREATE TRIGGER attendance_files_no_update BEFORE UPDATE ON attendance_files
BEGIN
    SELECT RAISE(ABORT, 'attendance evidence is append-only: attendance_files rows are never changed');
END;
CREATE TRIGGER attendance_files_no_delete BEFORE DELETE ON attendance_files
BEGIN
    SELECT RAISE(ABORT, 'attendance evidence is append-only: attendance_files rows are never removed');
END;
CREATE TRIGGER attendance_imports_no_update BEFORE UPDATE ON attendance_imports
BEGIN
    SELECT RAISE(ABORT, 'attendance evidence is append-only: attendance_imports rows are never changed');
END;
CREATE TRIGGER attendance_imports_no_delete BEFORE DELETE ON attendance_imports
BEGIN
    SELECT RAISE(ABORT, 'attendance evidence is append-only: attendance_imports rows are never removed');
END;
CREATE TRIGGER attendance_code_windows_no_update BEFORE UPDATE ON attendance_code_windows
BEGIN
    SELECT RAISE(ABORT, 'attendance evidence is append-only: attendance_code_windows rows are never changed');
END;
CREATE TRIGGER attendance_code_windows_no_delete BEFORE DELETE ON attendance_code_windows
BEGIN
    SELECT RAISE(ABORT, 'attendance evidence is append-only: attendance_code_windows rows are never removed');
END;
