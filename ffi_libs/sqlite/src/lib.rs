//! `sffi_sqlite`: the Tier-1 exports of the sffi `sqlite` FFI library.
//!
//! Every `rt_sqlite_*` function declared in `../sqlite.spl` is defined in
//! `exports` (re-exported at the crate root) as a `#[no_mangle] extern "C"`
//! function following the SFFI C ABI (`runtime/include/sffi_abi.h`); their
//! bodies are in `ops`; this file holds what they share (SQLite's C API, error
//! reporting, the handle registry):
//!
//! * `i64` / `f64` / `bool` map to `i64` / `f64` / `bool`;
//! * a `text` parameter is a borrowed `*const c_char` (UTF-8, NUL-terminated);
//!   NULL (nil) is rejected with an error;
//! * a `text` result is a `*const c_char` owned by this library and valid until
//!   the next call into this library on the same thread (a thread-local buffer);
//!   NULL is nil (an SQL NULL column).
//!
//! # Handles
//!
//! Connections and prepared statements are `i64` handles into one registry
//! guarded by a mutex. A handle packs a kind tag, a slot index and the slot's
//! generation (see [`Table`]); a handle whose object was closed/finalized, a
//! made-up number, or a statement handle passed where a database handle is
//! expected is detected and reported, and never turned into a pointer.
//!
//! # Errors
//!
//! Errors are reported with `sffi_set_error` (defined by the runtime) as
//! `"<extern>: <message>"`, the message being SQLite's own where SQLite
//! produced it, e.g. `rt_sqlite_exec: near "SELEC": syntax error`. The
//! extern then returns a neutral value (0, 0.0, false or NULL; an `i64`
//! status returns `SQLITE_ERROR`, see `exports`) that the runtime ignores.
//! Rust panics are caught at every export and reported the same way, so no
//! unwind crosses the C boundary (that relies on the final binary being built
//! with `panic = "unwind"`, Rust's default).
//!
//! # Threads
//!
//! Every call into SQLite happens while the registry lock is held, so calls
//! from several threads are serialized and a handle cannot be closed by one
//! thread while another one is using it. This is also correct if the linked
//! SQLite was built single-threaded (`SQLITE_THREADSAFE=0`).

use std::cell::RefCell;
use std::ffi::{CStr, CString};
use std::os::raw::{c_char, c_int, c_void};
use std::panic::{self, AssertUnwindSafe};
use std::ptr;
use std::sync::{Mutex, MutexGuard, PoisonError};

// ---------------------------------------------------------------------------
// SQLite's C API (the subset used here).
//
// There is deliberately no `#[link(name = "sqlite3")]` on this block and no
// build.rs: the symbols stay undefined in the archive and are resolved by the
// runtime's link line, which sffi builds from sffi.toml (`[link] libs =
// ["sqlite3"]`, `prefer-static = true`, i.e. libsqlite3.a where it exists).
// A `#[link]` attribute would make rustc add `-lsqlite3` itself, which the
// linker resolves to the shared libsqlite3.so, forcing dynamic linking.
// Tests link it on their own (see the `tests` module).
// ---------------------------------------------------------------------------

#[allow(non_camel_case_types)]
#[repr(C)]
struct sqlite3 {
    _opaque: [u8; 0],
}

#[allow(non_camel_case_types)]
#[repr(C)]
struct sqlite3_stmt {
    _opaque: [u8; 0],
}

type ExecCallback =
    Option<unsafe extern "C" fn(*mut c_void, c_int, *mut *mut c_char, *mut *mut c_char) -> c_int>;

extern "C" {
    fn sqlite3_libversion() -> *const c_char;
    fn sqlite3_errmsg(db: *mut sqlite3) -> *const c_char;
    fn sqlite3_errstr(rc: c_int) -> *const c_char;
    fn sqlite3_free(p: *mut c_void);
    fn sqlite3_open_v2(
        filename: *const c_char,
        db: *mut *mut sqlite3,
        flags: c_int,
        vfs: *const c_char,
    ) -> c_int;
    fn sqlite3_close(db: *mut sqlite3) -> c_int;
    fn sqlite3_busy_timeout(db: *mut sqlite3, ms: c_int) -> c_int;
    fn sqlite3_get_autocommit(db: *mut sqlite3) -> c_int;
    fn sqlite3_exec(
        db: *mut sqlite3,
        sql: *const c_char,
        callback: ExecCallback,
        arg: *mut c_void,
        errmsg: *mut *mut c_char,
    ) -> c_int;
    fn sqlite3_changes(db: *mut sqlite3) -> c_int;
    fn sqlite3_last_insert_rowid(db: *mut sqlite3) -> i64;
    fn sqlite3_prepare_v2(
        db: *mut sqlite3,
        sql: *const c_char,
        nbyte: c_int,
        stmt: *mut *mut sqlite3_stmt,
        tail: *mut *const c_char,
    ) -> c_int;
    fn sqlite3_finalize(stmt: *mut sqlite3_stmt) -> c_int;
    fn sqlite3_reset(stmt: *mut sqlite3_stmt) -> c_int;
    fn sqlite3_step(stmt: *mut sqlite3_stmt) -> c_int;
    fn sqlite3_db_handle(stmt: *mut sqlite3_stmt) -> *mut sqlite3;
    fn sqlite3_bind_parameter_count(stmt: *mut sqlite3_stmt) -> c_int;
    fn sqlite3_bind_int64(stmt: *mut sqlite3_stmt, index: c_int, value: i64) -> c_int;
    fn sqlite3_bind_double(stmt: *mut sqlite3_stmt, index: c_int, value: f64) -> c_int;
    fn sqlite3_bind_null(stmt: *mut sqlite3_stmt, index: c_int) -> c_int;
    // The destructor argument is a function pointer or one of the sentinels
    // SQLITE_STATIC (0) / SQLITE_TRANSIENT (-1); it is declared as a
    // pointer-sized integer so the sentinel can be passed without a transmute.
    fn sqlite3_bind_text(
        stmt: *mut sqlite3_stmt,
        index: c_int,
        value: *const c_char,
        nbyte: c_int,
        destructor: isize,
    ) -> c_int;
    fn sqlite3_column_count(stmt: *mut sqlite3_stmt) -> c_int;
    fn sqlite3_column_type(stmt: *mut sqlite3_stmt, col: c_int) -> c_int;
    fn sqlite3_column_name(stmt: *mut sqlite3_stmt, col: c_int) -> *const c_char;
    fn sqlite3_column_int64(stmt: *mut sqlite3_stmt, col: c_int) -> i64;
    fn sqlite3_column_double(stmt: *mut sqlite3_stmt, col: c_int) -> f64;
    fn sqlite3_column_text(stmt: *mut sqlite3_stmt, col: c_int) -> *const u8;
    fn sqlite3_column_bytes(stmt: *mut sqlite3_stmt, col: c_int) -> c_int;
}

const SQLITE_OK: c_int = 0;
const SQLITE_ROW: c_int = 100;
const SQLITE_DONE: c_int = 101;
const SQLITE_OPEN_READWRITE: c_int = 0x0000_0002;
const SQLITE_OPEN_CREATE: c_int = 0x0000_0004;
const SQLITE_INTEGER: c_int = 1;
const SQLITE_FLOAT: c_int = 2;
const SQLITE_TEXT: c_int = 3;
const SQLITE_BLOB: c_int = 4;
const SQLITE_NULL: c_int = 5;
const SQLITE_TRANSIENT: isize = -1;

/// How long a connection waits for a lock held by another connection or
/// process before a statement fails with "database is locked".
const BUSY_TIMEOUT_MS: c_int = 5000;

// Defined by the runtime (runtime/src/ffi_error.c); it copies the message.
// In `cargo test` builds the `tests` module defines it.
extern "C" {
    fn sffi_set_error(msg: *const c_char);
}

// ---------------------------------------------------------------------------
// Error reporting, panic containment and text results.
// ---------------------------------------------------------------------------

type Res<T> = Result<T, String>;

fn report(name: &str, msg: &str) {
    let line = format!("{name}: {msg}").replace('\0', "\\0");
    let c = CString::new(line).unwrap_or_default();
    // SAFETY: `c` is a valid NUL-terminated string for the duration of the
    // call; the runtime copies it.
    unsafe { sffi_set_error(c.as_ptr()) }
}

/// Runs the body of the extern `name`: returns its value, or reports its
/// error (or a caught panic) and returns `fallback`.
fn guard<T>(name: &str, fallback: T, body: impl FnOnce() -> Res<T>) -> T {
    match panic::catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(value)) => value,
        Ok(Err(msg)) => {
            let _ = panic::catch_unwind(|| report(name, &msg));
            fallback
        }
        Err(payload) => {
            report_panic(name, payload);
            fallback
        }
    }
}

/// Reports a caught panic of the extern `name` as a script error: a panic is
/// a bug of this library, never a failure value.
fn report_panic(name: &str, payload: Box<dyn std::any::Any + Send>) {
    let what = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_string());
    let msg = format!("internal error in sffi_sqlite (Rust panic: {what})");
    let _ = panic::catch_unwind(|| report(name, &msg));
}

thread_local! {
    /// Backing store of the last `text` result returned on this thread.
    static TEXT_RESULT: RefCell<CString> = RefCell::new(CString::default());
}

/// Stores `bytes` as this thread's text result and returns a pointer to it,
/// valid until the next text result on this thread. Invalid UTF-8 is replaced
/// with U+FFFD; an embedded NUL cannot be represented and is an error.
fn text_result(bytes: &[u8]) -> Res<*const c_char> {
    let text = String::from_utf8_lossy(bytes).into_owned();
    let c = CString::new(text).map_err(|e| {
        format!(
            "the text contains a NUL byte at offset {} and cannot be returned as text",
            e.nul_position()
        )
    })?;
    Ok(TEXT_RESULT.with(|cell| {
        let mut slot = cell.borrow_mut();
        *slot = c;
        slot.as_ptr()
    }))
}

/// A borrowed `text` argument; NULL (nil) is an error.
///
/// # Safety
/// `p` is NULL or a NUL-terminated string that outlives the call.
unsafe fn text_arg<'a>(p: *const c_char, what: &str) -> Res<&'a CStr> {
    if p.is_null() {
        return Err(format!("{what} is nil (a NULL text argument)"));
    }
    Ok(CStr::from_ptr(p))
}

/// # Safety
/// `p` is NULL or a NUL-terminated string.
unsafe fn lossy(p: *const c_char) -> String {
    if p.is_null() {
        String::new()
    } else {
        CStr::from_ptr(p).to_string_lossy().into_owned()
    }
}

/// SQLite's message for the last failed call on `db`.
///
/// # Safety
/// `db` is an open connection (or NULL, for which SQLite reports out of memory).
unsafe fn errmsg(db: *mut sqlite3) -> String {
    lossy(sqlite3_errmsg(db))
}

// ---------------------------------------------------------------------------
// The handle registry.
// ---------------------------------------------------------------------------

const KIND_DB: u64 = 1;
const KIND_STMT: u64 = 2;
const KIND_BITS: u32 = 2;
const INDEX_BITS: u32 = 24;
const GEN_SHIFT: u32 = KIND_BITS + INDEX_BITS;
/// Slot indices are stored +1 in 24 bits, so at most this many objects of one
/// kind can be alive at once.
const MAX_SLOTS: usize = (1 << INDEX_BITS) - 1;

fn kind_name(kind: u64) -> &'static str {
    match kind {
        KIND_DB => "database",
        KIND_STMT => "statement",
        _ => "unknown",
    }
}

/// Handle layout (always a positive `i64`, never 0):
///
/// ```text
///   bits 26..57  generation of the slot (u32, bumped whenever the slot is freed)
///   bits  2..25  slot index + 1
///   bits  0..1   kind (1 = database, 2 = statement)
/// ```
///
/// The first objects get small numbers (database 5, statement 6, ...), which
/// keeps handles readable in script output; a slot reused after a close gets
/// a new generation, so an old handle never addresses the new object. A slot
/// whose 2^32 generations are spent is never reused (see [`Table::remove`]),
/// so no handle value ever names two objects.
fn encode(kind: u64, index: usize, gen: u32) -> i64 {
    ((u64::from(gen) << GEN_SHIFT) | ((index as u64 + 1) << KIND_BITS) | kind) as i64
}

fn decode(handle: i64) -> Option<(u64, usize, u32)> {
    if handle <= 0 || handle as u64 >> (GEN_SHIFT + 32) != 0 {
        return None;
    }
    let h = handle as u64;
    let kind = h & ((1 << KIND_BITS) - 1);
    let slot = (h >> KIND_BITS) & ((1 << INDEX_BITS) - 1);
    let gen = (h >> GEN_SHIFT) as u32;
    if slot == 0 {
        return None;
    }
    Some((kind, (slot - 1) as usize, gen))
}

struct Slot<T> {
    gen: u32,
    value: Option<T>,
    /// The generation freed last and why, for a precise "already closed" message.
    retired: Option<(u32, &'static str)>,
}

/// Objects of one kind, addressed by generation-checked handles.
struct Table<T> {
    kind: u64,
    slots: Vec<Slot<T>>,
    free: Vec<usize>,
}

impl<T> Table<T> {
    const fn new(kind: u64) -> Self {
        Table {
            kind,
            slots: Vec::new(),
            free: Vec::new(),
        }
    }

    fn insert(&mut self, value: T) -> Res<i64> {
        let index = match self.free.pop() {
            Some(i) => i,
            None => {
                if self.slots.len() >= MAX_SLOTS {
                    return Err(format!(
                        "too many open {} handles ({MAX_SLOTS})",
                        kind_name(self.kind)
                    ));
                }
                self.slots.push(Slot {
                    gen: 0,
                    value: None,
                    retired: None,
                });
                self.slots.len() - 1
            }
        };
        let slot = &mut self.slots[index];
        slot.value = Some(value);
        Ok(encode(self.kind, index, slot.gen))
    }

    fn index_of(&self, handle: i64) -> Res<usize> {
        let what = kind_name(self.kind);
        let (kind, index, gen) = match decode(handle) {
            Some(parts) => parts,
            None => return Err(format!("{handle} is not a valid {what} handle")),
        };
        if kind != self.kind {
            // Registry::refine says more when it is a live handle of the other kind.
            return Err(format!("{handle} is not a {what} handle"));
        }
        match self.slots.get(index) {
            Some(slot) if slot.gen == gen && slot.value.is_some() => Ok(index),
            Some(slot) => Err(match slot.retired {
                Some((g, why)) if g == gen => format!("{what} handle {handle} {why}"),
                _ if gen < slot.gen => {
                    format!("{what} handle {handle} is no longer valid (it was released earlier)")
                }
                _ => format!("unknown {what} handle {handle}"),
            }),
            None => Err(format!("unknown {what} handle {handle}")),
        }
    }

    fn get(&self, handle: i64) -> Res<&T> {
        let index = self.index_of(handle)?;
        Ok(self.slots[index]
            .value
            .as_ref()
            .expect("checked by index_of"))
    }

    fn get_mut(&mut self, handle: i64) -> Res<&mut T> {
        let index = self.index_of(handle)?;
        Ok(self.slots[index]
            .value
            .as_mut()
            .expect("checked by index_of"))
    }

    /// Removes the object; later uses of `handle` report "`<what> handle H <why>`".
    fn remove(&mut self, handle: i64, why: &'static str) -> Res<T> {
        let index = self.index_of(handle)?;
        let slot = &mut self.slots[index];
        let value = slot.value.take().expect("checked by index_of");
        slot.retired = Some((slot.gen, why));
        // A slot whose generation is spent is retired for good rather than
        // wrapped to 0: a handle is never reused for another object, so a
        // stale handle is always detected (Simple's interpreter reuses slots).
        if let Some(next) = slot.gen.checked_add(1) {
            slot.gen = next;
            self.free.push(index);
        }
        Ok(value)
    }

    fn handles(&self) -> impl Iterator<Item = (i64, &T)> + '_ {
        self.slots
            .iter()
            .enumerate()
            .filter_map(move |(i, s)| s.value.as_ref().map(|v| (encode(self.kind, i, s.gen), v)))
    }
}

struct Db {
    ptr: *mut sqlite3,
    /// The message of the last failed call under one of Simple's names on this
    /// connection or its statements ("" when none; see `exports::soft`).
    error: String,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum StepState {
    /// Freshly prepared or reset: parameters can be bound, no row to read.
    Ready,
    /// The last step returned a row: columns can be read.
    Row,
    /// The last step returned SQLITE_DONE: no row; the next bind resets it.
    Done,
}

struct Stmt {
    ptr: *mut sqlite3_stmt,
    /// The database handle it was prepared on (finalized when that closes).
    db: i64,
    state: StepState,
}

// SAFETY: the raw pointers are only used while the REGISTRY lock is held, so
// no two threads ever use one connection or statement at the same time.
unsafe impl Send for Db {}
unsafe impl Send for Stmt {}

struct Registry {
    dbs: Table<Db>,
    stmts: Table<Stmt>,
}

static REGISTRY: Mutex<Registry> = Mutex::new(Registry {
    dbs: Table::new(KIND_DB),
    stmts: Table::new(KIND_STMT),
});

/// Locks the registry. A poisoned lock (a panic while it was held) is taken
/// over: every registry update is a single push/take, never left half done.
fn registry() -> MutexGuard<'static, Registry> {
    REGISTRY.lock().unwrap_or_else(PoisonError::into_inner)
}

const NO_ROW: &str = "no row is available (read columns only after rt_sqlite_step returned true \
                      or rt_sqlite_query_next returned 1)";

impl Registry {
    fn db(&self, handle: i64) -> Res<*mut sqlite3> {
        match self.dbs.get(handle) {
            Ok(db) => Ok(db.ptr),
            Err(e) => Err(self.refine(handle, KIND_DB, e)),
        }
    }

    fn stmt(&self, handle: i64) -> Res<&Stmt> {
        match self.stmts.index_of(handle) {
            Ok(_) => self.stmts.get(handle),
            Err(e) => Err(self.refine(handle, KIND_STMT, e)),
        }
    }

    fn stmt_mut(&mut self, handle: i64) -> Res<&mut Stmt> {
        match self.stmts.index_of(handle) {
            Ok(_) => self.stmts.get_mut(handle),
            Err(e) => Err(self.refine(handle, KIND_STMT, e)),
        }
    }

    /// The live connection that `handle` (a database or statement handle) belongs to.
    fn owner(&self, handle: i64) -> Option<i64> {
        if self.dbs.index_of(handle).is_ok() {
            return Some(handle);
        }
        self.stmts.get(handle).ok().map(|st| st.db)
    }

    /// Sets the failure message of connection `conn` ("" clears it); a
    /// connection closed meanwhile is left alone.
    fn set_error(&mut self, conn: i64, msg: String) {
        if let Ok(db) = self.dbs.get_mut(conn) {
            db.error = msg;
        }
    }

    /// The lookup error `e` for a `wanted`-kind handle, made precise when the
    /// handle is a live handle of the other kind.
    fn refine(&self, handle: i64, wanted: u64, e: String) -> String {
        let (other, live) = if wanted == KIND_DB {
            (KIND_STMT, self.stmts.index_of(handle).is_ok())
        } else {
            (KIND_DB, self.dbs.index_of(handle).is_ok())
        };
        if live {
            format!(
                "handle {handle} is a {} handle, not a {} handle",
                kind_name(other),
                kind_name(wanted)
            )
        } else {
            e
        }
    }

    /// The statement and a validated column index; `need_row` also requires
    /// that the last step produced a row.
    fn column(&mut self, handle: i64, col: i64, need_row: bool) -> Res<(*mut sqlite3_stmt, c_int)> {
        let st = self.stmt(handle)?;
        // SAFETY: st.ptr is a live statement (registered, lock held).
        let n = unsafe { sqlite3_column_count(st.ptr) };
        if n == 0 {
            return Err(format!(
                "column index {col} out of range: the statement returns no columns"
            ));
        }
        if col < 0 || col >= n as i64 {
            return Err(format!(
                "column index {col} out of range 0..{} (the result has {n} column{}, numbered from 0)",
                n - 1,
                if n == 1 { "" } else { "s" }
            ));
        }
        if need_row && st.state != StepState::Row {
            return Err(NO_ROW.to_string());
        }
        Ok((st.ptr, col as c_int))
    }

    fn bind(
        &mut self,
        handle: i64,
        index: i64,
        bind: impl FnOnce(*mut sqlite3_stmt, c_int) -> c_int,
    ) -> Res<()> {
        let st = self.stmt_mut(handle)?;
        // SAFETY: st.ptr is a live statement (registered, lock held).
        unsafe {
            let n = sqlite3_bind_parameter_count(st.ptr);
            if n == 0 {
                return Err(format!(
                    "parameter index {index} out of range: the statement has no parameters"
                ));
            }
            if index < 1 || index > n as i64 {
                return Err(format!(
                    "parameter index {index} out of range 1..{n} (parameters are numbered from 1)"
                ));
            }
            match st.state {
                StepState::Row => {
                    return Err("the statement is in the middle of a query (it has a row); \
                                call rt_sqlite_reset before binding new values"
                        .to_string())
                }
                StepState::Done => {
                    // Ran to completion: rewind it so it can run again with
                    // new values (bindings are kept). Its result code repeats
                    // the last step's, which was already handled.
                    sqlite3_reset(st.ptr);
                    st.state = StepState::Ready;
                }
                StepState::Ready => {}
            }
            let rc = bind(st.ptr, index as c_int);
            if rc != SQLITE_OK {
                return Err(errmsg(sqlite3_db_handle(st.ptr)));
            }
        }
        Ok(())
    }
}

/// True when `rest` holds only whitespace, `;` and SQL comments.
fn only_blank_sql(rest: &[u8]) -> bool {
    let mut i = 0;
    while i < rest.len() {
        match rest[i] {
            b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' | b';' => i += 1,
            b'-' if rest.get(i + 1) == Some(&b'-') => {
                while i < rest.len() && rest[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if rest.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i < rest.len() && !(rest[i] == b'*' && rest.get(i + 1) == Some(&b'/')) {
                    i += 1;
                }
                i += 2;
            }
            _ => return false,
        }
    }
    true
}

/// Appended to an error when SQLite rolled back the transaction that was open.
///
/// # Safety
/// `db` is an open connection.
unsafe fn rollback_note(db: *mut sqlite3, was_in_transaction: bool) -> &'static str {
    if was_in_transaction && sqlite3_get_autocommit(db) != 0 {
        " (SQLite rolled back the open transaction)"
    } else {
        ""
    }
}

mod exports;
mod ops;

// The exports live in a private module; re-exported here so that they are
// reachable as `sffi_sqlite::rt_sqlite_*` (the umbrella crate's signature
// checks name them by that path).
pub use exports::*;

#[cfg(test)]
mod tests;
