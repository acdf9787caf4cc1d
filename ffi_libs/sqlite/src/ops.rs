//! The bodies behind the exports, shared by the names that do the same thing
//! (`rt_sqlite_step` / `rt_sqlite_query_next`, `rt_sqlite_exec` /
//! `rt_sqlite_execute_batch`, ...). Each takes validated arguments, runs under
//! the registry lock and returns `Res`; the exports wrap them in `guard`, which
//! reports an `Err` as a script error named after the extern that was called.

use super::*;

/// Opens (creating if needed) the database file `path`, or `":memory:"`, and
/// registers it. The schema is read at once, so a file that is not a database
/// (or is unreadable) fails here, with its name, not at the first query.
///
/// # Safety
/// SQLite's C API; `path` is any C string.
pub(crate) unsafe fn open(path: &CStr) -> Res<i64> {
    let shown = path.to_string_lossy().into_owned();
    // URI filenames are off: SQLITE_OPEN_URI is not passed. Some builds
    // (Debian's, with SQLITE_USE_URI=1) still read a name starting with
    // "file:" as a URI; "./" in front makes it a plain relative name.
    let owned;
    let name: &CStr = if path.to_bytes().starts_with(b"file:") {
        let mut bytes = b"./".to_vec();
        bytes.extend_from_slice(path.to_bytes());
        owned = CString::new(bytes).expect("came from a CStr");
        &owned
    } else {
        path
    };
    let mut reg = registry();
    let mut db: *mut sqlite3 = ptr::null_mut();
    let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    let rc = sqlite3_open_v2(name.as_ptr(), &mut db, flags, ptr::null());
    if rc != SQLITE_OK {
        let msg = if db.is_null() {
            lossy(sqlite3_errstr(rc))
        } else {
            errmsg(db)
        };
        sqlite3_close(db); // NULL is a harmless no-op
        return Err(format!("cannot open '{shown}': {msg}"));
    }
    sqlite3_busy_timeout(db, BUSY_TIMEOUT_MS);
    let check = c"SELECT count(*) FROM sqlite_master";
    if let Err(msg) = run_sql(db, check) {
        sqlite3_close(db);
        return Err(format!("cannot open '{shown}': {msg}"));
    }
    reg.dbs
        .insert(Db {
            ptr: db,
            error: String::new(),
        })
        .inspect_err(|_| {
            sqlite3_close(db);
        })
}

/// Runs `sql` (any number of statements) with `sqlite3_exec`; SQLite's
/// message on failure.
///
/// # Safety
/// `db` is an open connection (lock held).
unsafe fn run_sql(db: *mut sqlite3, sql: &CStr) -> Res<()> {
    let mut err: *mut c_char = ptr::null_mut();
    let rc = sqlite3_exec(db, sql.as_ptr(), None, ptr::null_mut(), &mut err);
    let msg = if err.is_null() {
        errmsg(db)
    } else {
        lossy(err)
    };
    sqlite3_free(err as *mut c_void);
    if rc == SQLITE_OK {
        Ok(())
    } else {
        Err(msg)
    }
}

/// Closes a connection. Statements still open on it are finalized first and
/// their handles become invalid; an uncommitted transaction is rolled back
/// (as SQLite does on close).
pub(crate) fn close(db: i64) -> Res<()> {
    let mut reg = registry();
    let ptr = reg.db(db)?;
    let owned: Vec<i64> = reg
        .stmts
        .handles()
        .filter(|(_, s)| s.db == db)
        .map(|(h, _)| h)
        .collect();
    for handle in owned {
        let st = reg
            .stmts
            .remove(handle, "was finalized when its database was closed")?;
        // SAFETY: a live statement, now unregistered.
        unsafe { sqlite3_finalize(st.ptr) };
    }
    // SAFETY: a live connection; all of its statements are finalized.
    let rc = unsafe { sqlite3_close(ptr) };
    if rc != SQLITE_OK {
        // Not expected (every statement is ours); the handle stays valid.
        return Err(format!("cannot close the database: {}", unsafe {
            errmsg(ptr)
        }));
    }
    reg.dbs.remove(db, "was already closed")?;
    Ok(())
}

/// Runs one or more SQL statements, discarding any rows; stops at the first
/// failing one (those before it stay applied).
pub(crate) fn exec(db: i64, sql: &CStr) -> Res<()> {
    let reg = registry();
    let ptr = reg.db(db)?;
    // SAFETY: a live connection (lock held).
    unsafe {
        let in_tx = sqlite3_get_autocommit(ptr) == 0;
        run_sql(ptr, sql).map_err(|msg| format!("{msg}{}", rollback_note(ptr, in_tx)))
    }
}

/// Runs exactly one SQL statement to completion, discarding any rows
/// (`rt_sqlite_execute`: several statements are an error, as in Python's
/// `sqlite3.Cursor.execute`, so a value pasted into SQL cannot add one).
pub(crate) fn execute(db: i64, sql: &CStr) -> Res<()> {
    let reg = registry();
    let stmt = compile(&reg, db, sql, "rt_sqlite_execute_batch")?;
    // SAFETY: a statement compiled just now on a live connection (lock held).
    unsafe {
        let conn = sqlite3_db_handle(stmt);
        let in_tx = sqlite3_get_autocommit(conn) == 0;
        let result = loop {
            match sqlite3_step(stmt) {
                SQLITE_ROW => continue,
                SQLITE_DONE => break Ok(()),
                _ => break Err(format!("{}{}", errmsg(conn), rollback_note(conn, in_tx))),
            }
        };
        // Ours and never registered. Its result code repeats the step's,
        // handled above; the connection keeps the error message.
        sqlite3_finalize(stmt);
        result
    }
}

/// Compiles exactly one statement of `sql` on `db` (not registered): trailing
/// SQL other than blanks, `;` and comments is an error that suggests `several`,
/// the extern that runs several statements. The caller holds the lock.
fn compile(reg: &Registry, db: i64, sql: &CStr, several: &str) -> Res<*mut sqlite3_stmt> {
    let ptr = reg.db(db)?;
    let mut stmt: *mut sqlite3_stmt = ptr::null_mut();
    let mut tail: *const c_char = ptr::null();
    // SAFETY: a live connection (lock held); `sql` is NUL-terminated.
    unsafe {
        let rc = sqlite3_prepare_v2(ptr, sql.as_ptr(), -1, &mut stmt, &mut tail);
        if rc != SQLITE_OK {
            let msg = errmsg(ptr);
            sqlite3_finalize(stmt); // NULL is a harmless no-op
            return Err(msg);
        }
        if stmt.is_null() {
            return Err(
                "no SQL statement to prepare (the text is empty or only comments)".to_string(),
            );
        }
        if !tail.is_null() && !only_blank_sql(CStr::from_ptr(tail).to_bytes()) {
            sqlite3_finalize(stmt);
            return Err(format!(
                "the text holds more than one SQL statement; run them one at a time \
                 (or all together with {several})"
            ));
        }
    }
    Ok(stmt)
}

/// Compiles exactly one SQL statement and registers it; returns its handle.
pub(crate) fn prepare(db: i64, sql: &CStr) -> Res<i64> {
    let mut reg = registry();
    let stmt = compile(&reg, db, sql, "rt_sqlite_exec or rt_sqlite_execute_batch")?;
    reg.stmts
        .insert(Stmt {
            ptr: stmt,
            db,
            state: StepState::Ready,
        })
        .inspect_err(|_| {
            // SAFETY: ours, never registered.
            unsafe { sqlite3_finalize(stmt) };
        })
}

/// Runs the statement to its next row: true while a row is available, false
/// when it is done. Anything else is an error (the statement is then reset,
/// its bindings kept). A statement stepped again after it was done runs again
/// from the start (SQLite's rule), unless `done_stays_done`: then it stays
/// done, false, until it is reset or rebound (an iterator's end).
pub(crate) fn step(stmt: i64, done_stays_done: bool) -> Res<bool> {
    let mut reg = registry();
    let st = reg.stmt_mut(stmt)?;
    if done_stays_done && st.state == StepState::Done {
        return Ok(false);
    }
    advance(st)
}

/// `rt_sqlite_query_next`: true while a query has a row, false at its end and
/// on every later call until a reset or bind rewinds it. A statement without
/// result columns (INSERT, UPDATE, CREATE, ...) is executed by the first call,
/// which returns true when it succeeded, as Simple's interpreter does (Simple's
/// `sqlite_insert` tests `query_next(...) == 1`); later calls return false.
pub(crate) fn query_next(stmt: i64) -> Res<bool> {
    let mut reg = registry();
    let st = reg.stmt_mut(stmt)?;
    if st.state == StepState::Done {
        return Ok(false);
    }
    let row = advance(st)?;
    // SAFETY: a live statement (lock held).
    Ok(row || unsafe { sqlite3_column_count(st.ptr) } == 0)
}

/// One `sqlite3_step` of a registered statement, its state updated.
fn advance(st: &mut Stmt) -> Res<bool> {
    // SAFETY: a live statement on a live connection (the caller holds the lock).
    unsafe {
        let db = sqlite3_db_handle(st.ptr);
        let in_tx = sqlite3_get_autocommit(db) == 0;
        match sqlite3_step(st.ptr) {
            SQLITE_ROW => {
                st.state = StepState::Row;
                Ok(true)
            }
            SQLITE_DONE => {
                st.state = StepState::Done;
                Ok(false)
            }
            _ => {
                let msg = errmsg(db);
                // Release what the failed run holds; bindings are kept.
                sqlite3_reset(st.ptr);
                st.state = StepState::Ready;
                Err(format!("{msg}{}", rollback_note(db, in_tx)))
            }
        }
    }
}

/// Rewinds a statement so it can run again; bound values are kept.
pub(crate) fn reset(stmt: i64) -> Res<()> {
    let mut reg = registry();
    let st = reg.stmt_mut(stmt)?;
    // SAFETY: a live statement (lock held). Its result code repeats the last
    // step's error, which the step already reported.
    unsafe { sqlite3_reset(st.ptr) };
    st.state = StepState::Ready;
    Ok(())
}

/// Releases a statement; its handle becomes invalid.
pub(crate) fn finalize(stmt: i64) -> Res<()> {
    // One lock for both steps, so a concurrent close never sees the
    // connection with an unregistered, still unfinalized statement.
    let mut reg = registry();
    reg.stmt(stmt)?;
    let st = reg.stmts.remove(stmt, "was already finalized")?;
    // SAFETY: a live statement, now unregistered. The result code repeats
    // the last step's error, which the step already reported.
    unsafe { sqlite3_finalize(st.ptr) };
    Ok(())
}

/// # Safety
/// `s` is a live statement with a row and `c` a valid column index.
unsafe fn not_null(s: *mut sqlite3_stmt, c: c_int, col: i64) -> Res<()> {
    if sqlite3_column_type(s, c) == SQLITE_NULL {
        let name = lossy(sqlite3_column_name(s, c));
        return Err(format!(
            "column {col} ('{name}') is NULL, which has no number value \
             (check rt_sqlite_column_type, or use COALESCE/IFNULL in the SQL)"
        ));
    }
    Ok(())
}

/// Column `col` (0-based) of the current row as an integer, by SQLite's
/// conversion rules for floats and text. An SQL NULL is an error when
/// `null_is_error` (this library's `column_i64`), else 0 (SQLite's conversion,
/// Simple's `column_int`).
pub(crate) fn column_i64(stmt: i64, col: i64, null_is_error: bool) -> Res<i64> {
    let mut reg = registry();
    let (s, c) = reg.column(stmt, col, true)?;
    // SAFETY: live statement with a row, index checked (lock held).
    unsafe {
        if null_is_error {
            not_null(s, c, col)?;
        }
        Ok(sqlite3_column_int64(s, c))
    }
}

/// Column `col` (0-based) of the current row as a float; NULL as in [`column_i64`].
pub(crate) fn column_f64(stmt: i64, col: i64, null_is_error: bool) -> Res<f64> {
    let mut reg = registry();
    let (s, c) = reg.column(stmt, col, true)?;
    // SAFETY: live statement with a row, index checked (lock held).
    unsafe {
        if null_is_error {
            not_null(s, c, col)?;
        }
        Ok(sqlite3_column_double(s, c))
    }
}

/// Runs BEGIN, COMMIT or ROLLBACK on `db`; SQLite's message when it refuses
/// (e.g. "cannot commit - no transaction is active").
pub(crate) fn transaction(db: i64, sql: &CStr) -> Res<()> {
    let reg = registry();
    let ptr = reg.db(db)?;
    // SAFETY: a live connection (lock held).
    unsafe { run_sql(ptr, sql) }
}

/// The message of the last failed call on `db` under Simple's names ("" if
/// none since the last call that ran SQL; see `exports::soft`).
pub(crate) fn error_message(db: i64) -> Res<*const c_char> {
    let reg = registry();
    reg.db(db)?;
    let conn = reg.dbs.get(db)?;
    text_result(conn.error.as_bytes())
}
