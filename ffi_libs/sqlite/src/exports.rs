//! The `#[no_mangle] extern "C"` exports, declared in `../sqlite.spl`.
//!
//! Two vocabularies name the same operations: Simple's sqlite Tier-2 names
//! (`rt_sqlite_execute`, `query`, `query_next`, `column_int`, ... with `i64`
//! statuses) and this library's first names (`rt_sqlite_exec`, `step`,
//! `column_i64`, ...). Both call the bodies in `ops`, so they behave alike; an
//! error names the extern that was called.
//!
//! Statuses: an `i64` status is SQLite's result code, `SQLITE_OK` (0) on
//! success. A failure is never only a code: it is reported with
//! `sffi_set_error`, so the script stops with SQLite's message; the value
//! returned with the error is `SQLITE_ERROR` (1), for hosts that read it.
//! `rt_sqlite_query_next` returns 1 while a row is available and 0 at the end.
//!
//! The exports are `unsafe` only where they take raw C strings; everything
//! else they receive is validated.

use super::*;

/// The status returned with a failure (SQLite's generic `SQLITE_ERROR`).
const FAILED: i64 = 1;

/// Runs a status-returning body: `SQLITE_OK` (0), or the error reported and `FAILED`.
fn status(name: &str, body: impl FnOnce() -> Res<()>) -> i64 {
    guard(name, FAILED, || body().map(|()| i64::from(SQLITE_OK)))
}

// --- connections ------------------------------------------------------------

/// The version of the linked SQLite library, e.g. `"3.40.1"`.
#[no_mangle]
pub extern "C" fn rt_sqlite_version() -> *const c_char {
    // sqlite3_libversion() returns a static string: valid forever.
    guard("rt_sqlite_version", ptr::null(), || {
        Ok(unsafe { sqlite3_libversion() })
    })
}

/// Opens (creating if needed) the database file `path`, or `":memory:"`.
///
/// # Safety
/// `path` is NULL or a NUL-terminated string valid for the call.
#[no_mangle]
pub unsafe extern "C" fn rt_sqlite_open(path: *const c_char) -> i64 {
    guard("rt_sqlite_open", 0, || ops::open(text_arg(path, "path")?))
}

/// Opens a new, private in-memory database.
#[no_mangle]
pub extern "C" fn rt_sqlite_open_memory() -> i64 {
    // SAFETY: a static C string.
    guard("rt_sqlite_open_memory", 0, || unsafe {
        ops::open(c":memory:")
    })
}

/// Closes a connection (see `ops::close`); `SQLITE_OK`.
#[no_mangle]
pub extern "C" fn rt_sqlite_close(handle: i64) -> i64 {
    status("rt_sqlite_close", || ops::close(handle))
}

// --- running SQL --------------------------------------------------------------

/// Runs one or more SQL statements, discarding any rows.
///
/// # Safety
/// `sql` is NULL or a NUL-terminated string valid for the call.
#[no_mangle]
pub unsafe extern "C" fn rt_sqlite_exec(db: i64, sql: *const c_char) {
    guard("rt_sqlite_exec", (), || {
        ops::exec(db, text_arg(sql, "sql")?)
    })
}

/// Runs one or more SQL statements, discarding any rows; `SQLITE_OK`.
///
/// # Safety
/// `sql` is NULL or a NUL-terminated string valid for the call.
#[no_mangle]
pub unsafe extern "C" fn rt_sqlite_execute_batch(conn: i64, sql: *const c_char) -> i64 {
    status("rt_sqlite_execute_batch", || {
        ops::exec(conn, text_arg(sql, "sql")?)
    })
}

/// Runs exactly one SQL statement, discarding any rows; `SQLITE_OK`.
///
/// # Safety
/// `sql` is NULL or a NUL-terminated string valid for the call.
#[no_mangle]
pub unsafe extern "C" fn rt_sqlite_execute(conn: i64, sql: *const c_char) -> i64 {
    status("rt_sqlite_execute", || {
        ops::execute(conn, text_arg(sql, "sql")?)
    })
}

/// `BEGIN` (a deferred transaction); `SQLITE_OK`.
#[no_mangle]
pub extern "C" fn rt_sqlite_begin(conn: i64) -> i64 {
    status("rt_sqlite_begin", || ops::transaction(conn, c"BEGIN"))
}

/// `COMMIT`; `SQLITE_OK`. Without an open transaction it is SQLite's error.
#[no_mangle]
pub extern "C" fn rt_sqlite_commit(conn: i64) -> i64 {
    status("rt_sqlite_commit", || ops::transaction(conn, c"COMMIT"))
}

/// `ROLLBACK`; `SQLITE_OK`. Without an open transaction it is SQLite's error.
#[no_mangle]
pub extern "C" fn rt_sqlite_rollback(conn: i64) -> i64 {
    status("rt_sqlite_rollback", || ops::transaction(conn, c"ROLLBACK"))
}

// --- statements ---------------------------------------------------------------

/// Compiles one SQL statement and returns its handle.
///
/// # Safety
/// `sql` is NULL or a NUL-terminated string valid for the call.
#[no_mangle]
pub unsafe extern "C" fn rt_sqlite_prepare(conn: i64, sql: *const c_char) -> i64 {
    guard("rt_sqlite_prepare", 0, || {
        ops::prepare(conn, text_arg(sql, "sql")?)
    })
}

/// Compiles one SQL statement (a query) and returns its handle, as `prepare`.
///
/// # Safety
/// `sql` is NULL or a NUL-terminated string valid for the call.
#[no_mangle]
pub unsafe extern "C" fn rt_sqlite_query(conn: i64, sql: *const c_char) -> i64 {
    guard("rt_sqlite_query", 0, || {
        ops::prepare(conn, text_arg(sql, "sql")?)
    })
}

/// Runs the statement to its next row: true while a row is available.
#[no_mangle]
pub extern "C" fn rt_sqlite_step(stmt: i64) -> bool {
    guard("rt_sqlite_step", false, || ops::step(stmt, false))
}

/// Runs the statement to its next row: 1 while a row is available, 0 at the
/// end, and 0 again on every later call until `reset` (or a bind) rewinds it.
#[no_mangle]
pub extern "C" fn rt_sqlite_query_next(stmt: i64) -> i64 {
    guard("rt_sqlite_query_next", 0, || {
        ops::step(stmt, true).map(i64::from)
    })
}

/// Rewinds a statement so it can run again; bound values are kept. `SQLITE_OK`.
#[no_mangle]
pub extern "C" fn rt_sqlite_reset(stmt: i64) -> i64 {
    status("rt_sqlite_reset", || ops::reset(stmt))
}

/// Releases a statement; its handle becomes invalid.
#[no_mangle]
pub extern "C" fn rt_sqlite_finalize(stmt: i64) {
    guard("rt_sqlite_finalize", (), || ops::finalize(stmt))
}

/// Releases a statement, as `finalize`.
#[no_mangle]
pub extern "C" fn rt_sqlite_query_done(stmt: i64) {
    guard("rt_sqlite_query_done", (), || ops::finalize(stmt))
}

// --- binding parameters (numbered from 1) ----------------------------------------

fn bind_i64(stmt: i64, index: i64, value: i64) -> Res<()> {
    registry().bind(stmt, index, |s, i| unsafe {
        sqlite3_bind_int64(s, i, value)
    })
}

fn bind_f64(stmt: i64, index: i64, value: f64) -> Res<()> {
    registry().bind(stmt, index, |s, i| unsafe {
        sqlite3_bind_double(s, i, value)
    })
}

/// Binds an integer to parameter `index` (1-based).
#[no_mangle]
pub extern "C" fn rt_sqlite_bind_i64(stmt: i64, index: i64, value: i64) {
    guard("rt_sqlite_bind_i64", (), || bind_i64(stmt, index, value))
}

/// Binds an integer to parameter `idx` (1-based); `SQLITE_OK`.
#[no_mangle]
pub extern "C" fn rt_sqlite_bind_int(stmt: i64, idx: i64, value: i64) -> i64 {
    status("rt_sqlite_bind_int", || bind_i64(stmt, idx, value))
}

/// Binds a float to parameter `index` (1-based). NaN is stored as NULL (SQLite's rule).
#[no_mangle]
pub extern "C" fn rt_sqlite_bind_f64(stmt: i64, index: i64, value: f64) {
    guard("rt_sqlite_bind_f64", (), || bind_f64(stmt, index, value))
}

/// Binds a float to parameter `idx` (1-based); `SQLITE_OK`.
#[no_mangle]
pub extern "C" fn rt_sqlite_bind_float(stmt: i64, idx: i64, value: f64) -> i64 {
    status("rt_sqlite_bind_float", || bind_f64(stmt, idx, value))
}

/// Binds text to parameter `idx` (1-based); SQLite copies it. `SQLITE_OK`.
///
/// # Safety
/// `value` is NULL or a NUL-terminated string valid for the call.
#[no_mangle]
pub unsafe extern "C" fn rt_sqlite_bind_text(stmt: i64, idx: i64, value: *const c_char) -> i64 {
    status("rt_sqlite_bind_text", || {
        let value = text_arg(value, "value (use rt_sqlite_bind_null to store NULL)")?;
        let len = c_int::try_from(value.to_bytes().len())
            .map_err(|_| "the text is too long to bind".to_string())?;
        registry().bind(stmt, idx, |s, i| unsafe {
            sqlite3_bind_text(s, i, value.as_ptr(), len, SQLITE_TRANSIENT)
        })
    })
}

/// Binds SQL NULL to parameter `idx` (1-based); `SQLITE_OK`.
#[no_mangle]
pub extern "C" fn rt_sqlite_bind_null(stmt: i64, idx: i64) -> i64 {
    status("rt_sqlite_bind_null", || {
        registry().bind(stmt, idx, |s, i| unsafe { sqlite3_bind_null(s, i) })
    })
}

// --- reading results (columns numbered from 0) ------------------------------------

/// Number of columns in the statement's result (0 for statements without rows).
#[no_mangle]
pub extern "C" fn rt_sqlite_column_count(stmt: i64) -> i64 {
    guard("rt_sqlite_column_count", 0, || {
        let reg = registry();
        let st = reg.stmt(stmt)?;
        // SAFETY: a live statement (lock held).
        Ok(unsafe { sqlite3_column_count(st.ptr) } as i64)
    })
}

/// Name of result column `idx` (0-based), e.g. the `AS` alias.
#[no_mangle]
pub extern "C" fn rt_sqlite_column_name(stmt: i64, idx: i64) -> *const c_char {
    guard("rt_sqlite_column_name", ptr::null(), || {
        let mut reg = registry();
        let (s, c) = reg.column(stmt, idx, false)?;
        // SAFETY: live statement, index checked (lock held).
        let name = unsafe { sqlite3_column_name(s, c) };
        if name.is_null() {
            return Err("out of memory".to_string());
        }
        text_result(unsafe { CStr::from_ptr(name) }.to_bytes())
    })
}

/// Storage class of column `idx` in the current row: "integer", "float",
/// "text", "blob" or "null". Like sqlite3_column_type, ask before reading the
/// column as another type: a conversion (e.g. a blob read as text) can change it.
#[no_mangle]
pub extern "C" fn rt_sqlite_column_type(stmt: i64, idx: i64) -> *const c_char {
    guard("rt_sqlite_column_type", ptr::null(), || {
        let mut reg = registry();
        let (s, c) = reg.column(stmt, idx, true)?;
        // SAFETY: live statement with a row, index checked (lock held).
        let name: &CStr = match unsafe { sqlite3_column_type(s, c) } {
            SQLITE_INTEGER => c"integer",
            SQLITE_FLOAT => c"float",
            SQLITE_TEXT => c"text",
            SQLITE_BLOB => c"blob",
            SQLITE_NULL => c"null",
            other => return Err(format!("unknown column type code {other}")),
        };
        Ok(name.as_ptr()) // static strings: valid forever
    })
}

/// Column `col` of the current row as an integer (NULL is an error).
#[no_mangle]
pub extern "C" fn rt_sqlite_column_i64(stmt: i64, col: i64) -> i64 {
    guard("rt_sqlite_column_i64", 0, || ops::column_i64(stmt, col))
}

/// Column `idx` of the current row as an integer, as `column_i64`.
#[no_mangle]
pub extern "C" fn rt_sqlite_column_int(stmt: i64, idx: i64) -> i64 {
    guard("rt_sqlite_column_int", 0, || ops::column_i64(stmt, idx))
}

/// Column `col` of the current row as a float (NULL is an error).
#[no_mangle]
pub extern "C" fn rt_sqlite_column_f64(stmt: i64, col: i64) -> f64 {
    guard("rt_sqlite_column_f64", 0.0, || ops::column_f64(stmt, col))
}

/// Column `idx` of the current row as a float, as `column_f64`.
#[no_mangle]
pub extern "C" fn rt_sqlite_column_float(stmt: i64, idx: i64) -> f64 {
    guard("rt_sqlite_column_float", 0.0, || ops::column_f64(stmt, idx))
}

/// Column `idx` (0-based) of the current row as text; NULL (nil) for SQL NULL.
#[no_mangle]
pub extern "C" fn rt_sqlite_column_text(stmt: i64, idx: i64) -> *const c_char {
    guard("rt_sqlite_column_text", ptr::null(), || {
        let mut reg = registry();
        let (s, c) = reg.column(stmt, idx, true)?;
        // SAFETY: live statement with a row, index checked (lock held); the
        // bytes are copied before anything else touches the statement.
        unsafe {
            if sqlite3_column_type(s, c) == SQLITE_NULL {
                return Ok(ptr::null());
            }
            let p = sqlite3_column_text(s, c);
            let n = sqlite3_column_bytes(s, c); // after column_text, as SQLite requires
            if p.is_null() {
                return Err(errmsg(sqlite3_db_handle(s)));
            }
            let bytes = std::slice::from_raw_parts(p, n.max(0) as usize);
            text_result(bytes).map_err(|e| format!("column {idx}: {e}"))
        }
    })
}

// --- connection state ---------------------------------------------------------------

/// Rows changed by the last INSERT, UPDATE or DELETE on this connection.
#[no_mangle]
pub extern "C" fn rt_sqlite_changes(conn: i64) -> i64 {
    guard("rt_sqlite_changes", 0, || {
        let reg = registry();
        let ptr = reg.db(conn)?;
        // SAFETY: a live connection (lock held).
        Ok(unsafe { sqlite3_changes(ptr) } as i64)
    })
}

/// Rowid of the last successful INSERT on this connection (0 if none).
#[no_mangle]
pub extern "C" fn rt_sqlite_last_insert_rowid(conn: i64) -> i64 {
    guard("rt_sqlite_last_insert_rowid", 0, || {
        let reg = registry();
        let ptr = reg.db(conn)?;
        // SAFETY: a live connection (lock held).
        Ok(unsafe { sqlite3_last_insert_rowid(ptr) })
    })
}

/// SQLite's message for the most recent failed SQLite call on the connection
/// ("not an error" when the most recent call succeeded).
#[no_mangle]
pub extern "C" fn rt_sqlite_error_message(conn: i64) -> *const c_char {
    guard("rt_sqlite_error_message", ptr::null(), || {
        ops::error_message(conn)
    })
}
