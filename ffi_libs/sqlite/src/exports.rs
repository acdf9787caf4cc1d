//! The `#[no_mangle] extern "C"` exports, declared in `../sqlite.spl`.
//!
//! Two vocabularies, two contracts (issue 26; docs/sqlite.md):
//!
//! * Simple's sqlite Tier-2 names (`rt_sqlite_execute`, `query`, `query_next`,
//!   `column_int`, ...) keep Simple's contract (its `sqlite_sffi.spl` wrappers,
//!   its interpreter's `sffi_db.rs`, its C runtime `runtime_sqlite.c`): a
//!   failure is a value, never a script error. Statuses are 1 on success and 0
//!   on failure; `open`/`query`/`prepare` return 0 on failure; an invalid,
//!   closed or stale handle gives 0 / `""` / `"null"`. SQLite's message (or
//!   this library's, e.g. an index out of range) is kept on the connection for
//!   `rt_sqlite_error_message` (see [`soft`]).
//! * This library's first names (`rt_sqlite_exec`, `step`, `bind_i64`,
//!   `bind_f64`, `column_i64`, `column_f64`, `version`) keep the strict style:
//!   a failure stops the script with a script error naming the extern.
//!
//! Both call the bodies in `ops`. A Rust panic is a bug of this library and a
//! script error under either vocabulary.
//!
//! The exports are `unsafe` only where they take raw C strings; everything
//! else they receive is validated.

use super::*;

/// The status of a call under Simple's names that succeeded / failed.
const OK: i64 = 1;
const FAILED: i64 = 0;

/// Which connection's message a call under Simple's names updates.
#[derive(Clone, Copy)]
enum On {
    /// None (`open`, `open_memory`: no connection yet).
    Nothing,
    /// A database or statement handle: its (statement's) connection, if live.
    Handle(i64),
}

/// Runs the body of an extern under Simple's names that runs SQL, prepares,
/// binds or steps: the connection's message is cleared first, set to the
/// failure's message if the body fails, and the failure returns `fallback`.
fn soft<T>(name: &str, on: On, fallback: T, body: impl FnOnce() -> Res<T>) -> T {
    as_value(name, on, true, fallback, body)
}

/// As [`soft`], for a call that only reads or releases (column reads, counts,
/// `query_done`/`finalize`): a failure sets the message, success leaves it, so
/// the message of a failed `query_next` survives the reads and the release
/// that follow it (as `sqlite3_errmsg` does).
fn soft_read<T>(name: &str, on: On, fallback: T, body: impl FnOnce() -> Res<T>) -> T {
    as_value(name, on, false, fallback, body)
}

fn as_value<T>(name: &str, on: On, clear: bool, fallback: T, body: impl FnOnce() -> Res<T>) -> T {
    let conn = match on {
        On::Nothing => None,
        On::Handle(h) => registry().owner(h),
    };
    if let (true, Some(c)) = (clear, conn) {
        registry().set_error(c, String::new());
    }
    match panic::catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(value)) => value,
        Ok(Err(msg)) => {
            if let Some(c) = conn {
                registry().set_error(c, msg);
            }
            fallback
        }
        Err(payload) => {
            report_panic(name, payload);
            fallback
        }
    }
}

/// A status under Simple's names: `OK` (1), or `FAILED` (0) as in [`soft`].
fn status(name: &str, on: On, body: impl FnOnce() -> Res<()>) -> i64 {
    soft(name, on, FAILED, || body().map(|()| OK))
}

/// A static text result (valid forever).
fn static_text(text: &'static CStr) -> *const c_char {
    text.as_ptr()
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
    soft("rt_sqlite_open", On::Nothing, 0, || {
        ops::open(text_arg(path, "path")?)
    })
}

/// Opens a new, private in-memory database.
#[no_mangle]
pub extern "C" fn rt_sqlite_open_memory() -> i64 {
    // SAFETY: a static C string.
    soft("rt_sqlite_open_memory", On::Nothing, 0, || unsafe {
        ops::open(c":memory:")
    })
}

/// Closes a connection (see `ops::close`); 1, or 0 for an invalid handle.
#[no_mangle]
pub extern "C" fn rt_sqlite_close(handle: i64) -> i64 {
    status("rt_sqlite_close", On::Handle(handle), || ops::close(handle))
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

/// Runs one or more SQL statements, discarding any rows; 1, or 0 at the
/// first failing one (those before it stay applied).
///
/// # Safety
/// `sql` is NULL or a NUL-terminated string valid for the call.
#[no_mangle]
pub unsafe extern "C" fn rt_sqlite_execute_batch(conn: i64, sql: *const c_char) -> i64 {
    status("rt_sqlite_execute_batch", On::Handle(conn), || {
        ops::exec(conn, text_arg(sql, "sql")?)
    })
}

/// Runs exactly one SQL statement, discarding any rows; 1 or 0.
///
/// # Safety
/// `sql` is NULL or a NUL-terminated string valid for the call.
#[no_mangle]
pub unsafe extern "C" fn rt_sqlite_execute(conn: i64, sql: *const c_char) -> i64 {
    status("rt_sqlite_execute", On::Handle(conn), || {
        ops::execute(conn, text_arg(sql, "sql")?)
    })
}

/// `BEGIN` (a deferred transaction); 1 or 0.
#[no_mangle]
pub extern "C" fn rt_sqlite_begin(conn: i64) -> i64 {
    status("rt_sqlite_begin", On::Handle(conn), || {
        ops::transaction(conn, c"BEGIN")
    })
}

/// `COMMIT`; 1 or 0 (without an open transaction: SQLite's message).
#[no_mangle]
pub extern "C" fn rt_sqlite_commit(conn: i64) -> i64 {
    status("rt_sqlite_commit", On::Handle(conn), || {
        ops::transaction(conn, c"COMMIT")
    })
}

/// `ROLLBACK`; 1 or 0 (without an open transaction: SQLite's message).
#[no_mangle]
pub extern "C" fn rt_sqlite_rollback(conn: i64) -> i64 {
    status("rt_sqlite_rollback", On::Handle(conn), || {
        ops::transaction(conn, c"ROLLBACK")
    })
}

// --- statements ---------------------------------------------------------------

/// Compiles one SQL statement of any kind and returns its handle; 0 on failure.
///
/// # Safety
/// `sql` is NULL or a NUL-terminated string valid for the call.
#[no_mangle]
pub unsafe extern "C" fn rt_sqlite_prepare(conn: i64, sql: *const c_char) -> i64 {
    soft("rt_sqlite_prepare", On::Handle(conn), 0, || {
        ops::prepare(conn, text_arg(sql, "sql")?)
    })
}

/// Compiles one SQL statement (a query) and returns its handle, as `prepare`.
///
/// # Safety
/// `sql` is NULL or a NUL-terminated string valid for the call.
#[no_mangle]
pub unsafe extern "C" fn rt_sqlite_query(conn: i64, sql: *const c_char) -> i64 {
    soft("rt_sqlite_query", On::Handle(conn), 0, || {
        ops::prepare(conn, text_arg(sql, "sql")?)
    })
}

/// Runs the statement to its next row: true while a row is available.
#[no_mangle]
pub extern "C" fn rt_sqlite_step(stmt: i64) -> bool {
    guard("rt_sqlite_step", false, || ops::step(stmt, false))
}

/// Runs the statement to its next row: 1 while a row is available, 0 at the
/// end (and on every later call until `reset` or a bind rewinds it) and on a
/// failure. A statement without result columns runs on the first call, which
/// returns 1 when it succeeded (see `ops::query_next`).
#[no_mangle]
pub extern "C" fn rt_sqlite_query_next(stmt: i64) -> i64 {
    soft("rt_sqlite_query_next", On::Handle(stmt), FAILED, || {
        ops::query_next(stmt).map(i64::from)
    })
}

/// Rewinds a statement so it can run again; bound values are kept. 1 or 0.
#[no_mangle]
pub extern "C" fn rt_sqlite_reset(stmt: i64) -> i64 {
    status("rt_sqlite_reset", On::Handle(stmt), || ops::reset(stmt))
}

/// Releases a statement; its handle becomes invalid. An invalid handle is a
/// no-op (Simple's contract: there is no value to fail with).
#[no_mangle]
pub extern "C" fn rt_sqlite_finalize(stmt: i64) {
    soft_read("rt_sqlite_finalize", On::Nothing, (), || {
        ops::finalize(stmt)
    })
}

/// Releases a statement, as `finalize`.
#[no_mangle]
pub extern "C" fn rt_sqlite_query_done(stmt: i64) {
    soft_read("rt_sqlite_query_done", On::Nothing, (), || {
        ops::finalize(stmt)
    })
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

/// Binds an integer to parameter `idx` (1-based); 1 or 0.
#[no_mangle]
pub extern "C" fn rt_sqlite_bind_int(stmt: i64, idx: i64, value: i64) -> i64 {
    status("rt_sqlite_bind_int", On::Handle(stmt), || {
        bind_i64(stmt, idx, value)
    })
}

/// Binds a float to parameter `index` (1-based). NaN is stored as NULL (SQLite's rule).
#[no_mangle]
pub extern "C" fn rt_sqlite_bind_f64(stmt: i64, index: i64, value: f64) {
    guard("rt_sqlite_bind_f64", (), || bind_f64(stmt, index, value))
}

/// Binds a float to parameter `idx` (1-based); 1 or 0.
#[no_mangle]
pub extern "C" fn rt_sqlite_bind_float(stmt: i64, idx: i64, value: f64) -> i64 {
    status("rt_sqlite_bind_float", On::Handle(stmt), || {
        bind_f64(stmt, idx, value)
    })
}

/// Binds text to parameter `idx` (1-based); SQLite copies it. 1 or 0 (nil text is 0).
///
/// # Safety
/// `value` is NULL or a NUL-terminated string valid for the call.
#[no_mangle]
pub unsafe extern "C" fn rt_sqlite_bind_text(stmt: i64, idx: i64, value: *const c_char) -> i64 {
    status("rt_sqlite_bind_text", On::Handle(stmt), || {
        let value = text_arg(value, "value (use rt_sqlite_bind_null to store NULL)")?;
        let len = c_int::try_from(value.to_bytes().len())
            .map_err(|_| "the text is too long to bind".to_string())?;
        registry().bind(stmt, idx, |s, i| unsafe {
            sqlite3_bind_text(s, i, value.as_ptr(), len, SQLITE_TRANSIENT)
        })
    })
}

/// Binds SQL NULL to parameter `idx` (1-based); 1 or 0.
#[no_mangle]
pub extern "C" fn rt_sqlite_bind_null(stmt: i64, idx: i64) -> i64 {
    status("rt_sqlite_bind_null", On::Handle(stmt), || {
        registry().bind(stmt, idx, |s, i| unsafe { sqlite3_bind_null(s, i) })
    })
}

// --- reading results (columns numbered from 0) ------------------------------------

/// Number of columns in the statement's result (0 for statements without
/// rows, and for an invalid handle).
#[no_mangle]
pub extern "C" fn rt_sqlite_column_count(stmt: i64) -> i64 {
    soft_read("rt_sqlite_column_count", On::Handle(stmt), 0, || {
        let reg = registry();
        let st = reg.stmt(stmt)?;
        // SAFETY: a live statement (lock held).
        Ok(unsafe { sqlite3_column_count(st.ptr) } as i64)
    })
}

/// Name of result column `idx` (0-based), e.g. the `AS` alias; "" on failure.
#[no_mangle]
pub extern "C" fn rt_sqlite_column_name(stmt: i64, idx: i64) -> *const c_char {
    soft_read(
        "rt_sqlite_column_name",
        On::Handle(stmt),
        static_text(c""),
        || {
            let mut reg = registry();
            let (s, c) = reg.column(stmt, idx, false)?;
            // SAFETY: live statement, index checked (lock held).
            let name = unsafe { sqlite3_column_name(s, c) };
            if name.is_null() {
                return Err("out of memory".to_string());
            }
            text_result(unsafe { CStr::from_ptr(name) }.to_bytes())
        },
    )
}

/// Storage class of column `idx` in the current row: "integer", "float",
/// "text", "blob" or "null". Like sqlite3_column_type, ask before reading the
/// column as another type: a conversion (e.g. a blob read as text) can change it.
/// "null" on failure (Simple's contract).
#[no_mangle]
pub extern "C" fn rt_sqlite_column_type(stmt: i64, idx: i64) -> *const c_char {
    soft_read(
        "rt_sqlite_column_type",
        On::Handle(stmt),
        static_text(c"null"),
        || {
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
        },
    )
}

/// Column `col` of the current row as an integer (NULL is an error).
#[no_mangle]
pub extern "C" fn rt_sqlite_column_i64(stmt: i64, col: i64) -> i64 {
    guard("rt_sqlite_column_i64", 0, || {
        ops::column_i64(stmt, col, true)
    })
}

/// Column `idx` of the current row as an integer; NULL and failures are 0.
#[no_mangle]
pub extern "C" fn rt_sqlite_column_int(stmt: i64, idx: i64) -> i64 {
    soft_read("rt_sqlite_column_int", On::Handle(stmt), 0, || {
        ops::column_i64(stmt, idx, false)
    })
}

/// Column `col` of the current row as a float (NULL is an error).
#[no_mangle]
pub extern "C" fn rt_sqlite_column_f64(stmt: i64, col: i64) -> f64 {
    guard("rt_sqlite_column_f64", 0.0, || {
        ops::column_f64(stmt, col, true)
    })
}

/// Column `idx` of the current row as a float; NULL and failures are 0.0.
#[no_mangle]
pub extern "C" fn rt_sqlite_column_float(stmt: i64, idx: i64) -> f64 {
    soft_read("rt_sqlite_column_float", On::Handle(stmt), 0.0, || {
        ops::column_f64(stmt, idx, false)
    })
}

/// Column `idx` (0-based) of the current row as text; "" for SQL NULL and on
/// failure (Simple's contract; `column_type` tells NULL from "").
#[no_mangle]
pub extern "C" fn rt_sqlite_column_text(stmt: i64, idx: i64) -> *const c_char {
    soft_read(
        "rt_sqlite_column_text",
        On::Handle(stmt),
        static_text(c""),
        || {
            let mut reg = registry();
            let (s, c) = reg.column(stmt, idx, true)?;
            // SAFETY: live statement with a row, index checked (lock held); the
            // bytes are copied before anything else touches the statement.
            unsafe {
                if sqlite3_column_type(s, c) == SQLITE_NULL {
                    return Ok(static_text(c""));
                }
                let p = sqlite3_column_text(s, c);
                let n = sqlite3_column_bytes(s, c); // after column_text, as SQLite requires
                if p.is_null() {
                    return Err(errmsg(sqlite3_db_handle(s)));
                }
                let bytes = std::slice::from_raw_parts(p, n.max(0) as usize);
                text_result(bytes).map_err(|e| format!("column {idx}: {e}"))
            }
        },
    )
}

// --- connection state ---------------------------------------------------------------

/// Rows changed by the last INSERT, UPDATE or DELETE on this connection (0
/// for an invalid handle).
#[no_mangle]
pub extern "C" fn rt_sqlite_changes(conn: i64) -> i64 {
    soft_read("rt_sqlite_changes", On::Handle(conn), 0, || {
        let reg = registry();
        let ptr = reg.db(conn)?;
        // SAFETY: a live connection (lock held).
        Ok(unsafe { sqlite3_changes(ptr) } as i64)
    })
}

/// Rowid of the last successful INSERT on this connection (0 if none, and
/// for an invalid handle).
#[no_mangle]
pub extern "C" fn rt_sqlite_last_insert_rowid(conn: i64) -> i64 {
    soft_read("rt_sqlite_last_insert_rowid", On::Handle(conn), 0, || {
        let reg = registry();
        let ptr = reg.db(conn)?;
        // SAFETY: a live connection (lock held).
        Ok(unsafe { sqlite3_last_insert_rowid(ptr) })
    })
}

/// The message of the last failed call on the connection under Simple's
/// names, "" when there was none since the last call that ran SQL, and
/// "invalid connection" for an invalid, closed or stale handle.
#[no_mangle]
pub extern "C" fn rt_sqlite_error_message(conn: i64) -> *const c_char {
    let invalid = static_text(c"invalid connection");
    soft_read("rt_sqlite_error_message", On::Nothing, invalid, || {
        ops::error_message(conn)
    })
}
