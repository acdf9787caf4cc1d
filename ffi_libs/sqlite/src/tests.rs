//! Unit tests: the exports called as the runtime would call them.
//!
//! The staticlib leaves SQLite and `sffi_set_error` undefined (the runtime's
//! link line provides both); the test binary gets them here.

use super::*;
use std::cell::RefCell;
use std::ffi::CString;
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

// Test builds only: link the system SQLite (dynamically is fine for tests).
#[link(name = "sqlite3")]
extern "C" {}

thread_local! {
    static ERRORS: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

/// The runtime's error hook, recording per thread (tests run in parallel).
#[no_mangle]
pub extern "C" fn sffi_set_error(msg: *const c_char) {
    let text = unsafe { CStr::from_ptr(msg) }
        .to_string_lossy()
        .into_owned();
    ERRORS.with(|e| e.borrow_mut().push(text));
}

/// The errors reported since the last call (clears them).
fn errors() -> Vec<String> {
    ERRORS.with(|e| std::mem::take(&mut *e.borrow_mut()))
}

fn no_error() {
    assert_eq!(errors(), Vec::<String>::new());
}

/// The connection's failure message under Simple's contract; no script error.
#[track_caller]
fn message(db: i64) -> String {
    no_error();
    let m = text(rt_sqlite_error_message(db)).unwrap();
    no_error();
    m
}

/// Asserts that the last call failed as a value (no script error) and that
/// the connection's message contains `part`.
#[track_caller]
fn expect_message(db: i64, part: &str) {
    let m = message(db);
    assert!(m.contains(part), "message {m:?} does not contain {part:?}");
}

/// Asserts exactly one error was reported and that it contains `part`.
#[track_caller]
fn expect_error(part: &str) -> String {
    let errs = errors();
    assert_eq!(
        errs.len(),
        1,
        "expected one error containing {part:?}, got {errs:?}"
    );
    assert!(
        errs[0].contains(part),
        "error {:?} does not contain {part:?}",
        errs[0]
    );
    errs[0].clone()
}

/// Tests run in parallel threads but share the one registry: a test that
/// follows one slot's history (a freed handle's message names why it was
/// freed only until the slot is reused) holds this exclusively, the others
/// that open handles hold it shared.
static REGISTRY_USERS: RwLock<()> = RwLock::new(());

fn shared_registry() -> RwLockReadGuard<'static, ()> {
    REGISTRY_USERS.read().unwrap_or_else(|e| e.into_inner())
}

fn exclusive_registry() -> RwLockWriteGuard<'static, ()> {
    REGISTRY_USERS.write().unwrap_or_else(|e| e.into_inner())
}

fn c(s: &str) -> CString {
    CString::new(s).unwrap()
}

fn text(p: *const c_char) -> Option<String> {
    if p.is_null() {
        None
    } else {
        Some(unsafe { CStr::from_ptr(p) }.to_str().unwrap().to_string())
    }
}

fn open_memory() -> i64 {
    let db = unsafe { rt_sqlite_open(c(":memory:").as_ptr()) };
    no_error();
    assert!(db > 0);
    db
}

fn exec(db: i64, sql: &str) {
    unsafe { rt_sqlite_exec(db, c(sql).as_ptr()) };
}

fn prepare(db: i64, sql: &str) -> i64 {
    unsafe { rt_sqlite_prepare(db, c(sql).as_ptr()) }
}

fn bind_text(stmt: i64, index: i64, value: &str) -> i64 {
    unsafe { rt_sqlite_bind_text(stmt, index, c(value).as_ptr()) }
}

fn execute(db: i64, sql: &str) -> i64 {
    unsafe { rt_sqlite_execute(db, c(sql).as_ptr()) }
}

fn execute_batch(db: i64, sql: &str) -> i64 {
    unsafe { rt_sqlite_execute_batch(db, c(sql).as_ptr()) }
}

fn query(db: i64, sql: &str) -> i64 {
    unsafe { rt_sqlite_query(db, c(sql).as_ptr()) }
}

fn query_i64(db: i64, sql: &str) -> i64 {
    let s = prepare(db, sql);
    assert!(rt_sqlite_step(s));
    let v = rt_sqlite_column_i64(s, 0);
    rt_sqlite_finalize(s);
    no_error();
    v
}

fn sample_db() -> i64 {
    let db = open_memory();
    exec(
        db,
        "CREATE TABLE item(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, \
              kind TEXT, qty INTEGER, price REAL)",
    );
    let ins = prepare(
        db,
        "INSERT INTO item(name, kind, qty, price) VALUES (?1, ?2, ?3, ?4)",
    );
    for (name, kind, qty, price) in [
        ("bolt", Some("hardware"), 100, 0.25),
        ("nut", Some("hardware"), 250, 0.1),
        ("glue", Some("supplies"), 12, 3.5),
        ("tape", None, 30, 1.75),
    ] {
        bind_text(ins, 1, name);
        match kind {
            Some(k) => assert_eq!(bind_text(ins, 2, k), 1),
            None => assert_eq!(rt_sqlite_bind_null(ins, 2), 1),
        }
        rt_sqlite_bind_i64(ins, 3, qty);
        rt_sqlite_bind_f64(ins, 4, price);
        assert!(!rt_sqlite_step(ins));
    }
    rt_sqlite_finalize(ins);
    no_error();
    db
}

#[test]
fn version_is_sqlite3() {
    let v = text(rt_sqlite_version()).unwrap();
    assert!(v.starts_with("3."), "{v}");
    no_error();
}

#[test]
fn insert_query_and_aggregates() {
    let _registry = shared_registry();
    let db = sample_db();
    assert_eq!(rt_sqlite_last_insert_rowid(db), 4);
    exec(db, "UPDATE item SET qty = qty + 1 WHERE kind = 'hardware'");
    assert_eq!(rt_sqlite_changes(db), 2);

    let s = prepare(
        db,
        "SELECT kind, COUNT(*) AS n, SUM(qty) AS total, AVG(price) AS avg_price \
                         FROM item WHERE kind IS NOT NULL GROUP BY kind ORDER BY kind",
    );
    assert_eq!(rt_sqlite_column_count(s), 4);
    assert_eq!(
        text(rt_sqlite_column_name(s, 3)).as_deref(),
        Some("avg_price")
    );
    let mut rows = Vec::new();
    while rt_sqlite_step(s) {
        rows.push((
            text(rt_sqlite_column_text(s, 0)).unwrap(),
            rt_sqlite_column_i64(s, 1),
            rt_sqlite_column_i64(s, 2),
            rt_sqlite_column_f64(s, 3),
        ));
    }
    no_error();
    assert_eq!(rows.len(), 2);
    assert_eq!(
        (rows[0].0.as_str(), rows[0].1, rows[0].2),
        ("hardware", 2, 352)
    );
    assert!((rows[0].3 - 0.175).abs() < 1e-12);
    assert_eq!(
        (rows[1].0.as_str(), rows[1].1, rows[1].2),
        ("supplies", 1, 12)
    );
    // Done: reading a column now is an error, not garbage.
    assert_eq!(rt_sqlite_column_i64(s, 0), 0);
    expect_error("no row is available");
    rt_sqlite_finalize(s);
    rt_sqlite_close(db);
    no_error();
}

#[test]
fn null_column_is_empty_text_zero_and_an_error_for_strict_numbers() {
    let _registry = shared_registry();
    let db = sample_db();
    let s = prepare(db, "SELECT kind, qty, price FROM item WHERE name = 'tape'");
    assert!(rt_sqlite_step(s));
    assert_eq!(text(rt_sqlite_column_text(s, 0)).as_deref(), Some(""));
    assert_eq!(text(rt_sqlite_column_type(s, 0)).as_deref(), Some("null"));
    assert_eq!(
        text(rt_sqlite_column_type(s, 1)).as_deref(),
        Some("integer")
    );
    assert_eq!(text(rt_sqlite_column_type(s, 2)).as_deref(), Some("float"));
    // Simple's names: SQLite's conversion (NULL is 0), not a failure.
    assert_eq!(rt_sqlite_column_int(s, 0), 0);
    assert_eq!(rt_sqlite_column_float(s, 0), 0.0);
    assert_eq!(message(db), "");
    // This library's names: an error.
    assert_eq!(rt_sqlite_column_i64(s, 0), 0);
    expect_error("rt_sqlite_column_i64: column 0 ('kind') is NULL");
    assert_eq!(rt_sqlite_column_f64(s, 0), 0.0);
    expect_error("rt_sqlite_column_f64: column 0 ('kind') is NULL");
    // Numbers read as text, text as numbers (SQLite's conversions).
    assert_eq!(text(rt_sqlite_column_text(s, 1)).as_deref(), Some("30"));
    assert_eq!(rt_sqlite_column_f64(s, 1), 30.0);
    no_error();
    rt_sqlite_finalize(s);
    rt_sqlite_close(db);
}

#[test]
fn syntax_error_message() {
    let _registry = shared_registry();
    let db = open_memory();
    exec(db, "SELEC 1");
    assert_eq!(
        errors(),
        vec![r#"rt_sqlite_exec: near "SELEC": syntax error"#.to_string()]
    );
    assert_eq!(prepare(db, "SELECT * FROM missing"), 0);
    assert_eq!(message(db), "no such table: missing");
    rt_sqlite_close(db);
    no_error();
}

#[test]
fn constraint_violation_keeps_transaction_and_data() {
    let _registry = shared_registry();
    let db = sample_db();
    exec(db, "BEGIN");
    exec(db, "INSERT INTO item(name, qty) VALUES ('washer', 5)");
    no_error();
    exec(db, "INSERT INTO item(name, qty) VALUES ('bolt', 1)");
    expect_error("rt_sqlite_exec: UNIQUE constraint failed: item.name");
    // Through a prepared statement as well.
    let s = prepare(db, "INSERT INTO item(name, qty) VALUES (?, 1)");
    rt_sqlite_bind_null(s, 1);
    assert!(!rt_sqlite_step(s));
    expect_error("rt_sqlite_step: NOT NULL constraint failed: item.name");
    // The failed statements were undone, the transaction is still open.
    exec(db, "COMMIT");
    no_error();
    assert_eq!(query_i64(db, "SELECT COUNT(*) FROM item"), 5);
    assert_eq!(
        query_i64(db, "SELECT qty FROM item WHERE name = 'bolt'"),
        100
    );
    // The statement was reset after the error and can be reused.
    bind_text(s, 1, "spring");
    assert!(!rt_sqlite_step(s));
    no_error();
    assert_eq!(query_i64(db, "SELECT COUNT(*) FROM item"), 6);
    rt_sqlite_finalize(s);
    rt_sqlite_close(db);
    no_error();
}

#[test]
fn bad_handles_are_reported_not_dereferenced() {
    let _registry = exclusive_registry();
    let db = open_memory();
    let s = prepare(db, "SELECT 1");
    no_error();

    for bogus in [0_i64, -1, 1, 4, 42, 3 | 1 << 10, i64::MAX, db + (1 << 40)] {
        // Simple's names: the failure value, no script error.
        assert_eq!(rt_sqlite_changes(bogus), 0);
        assert_eq!(
            unsafe { rt_sqlite_execute(bogus, c("SELECT 1").as_ptr()) },
            0
        );
        assert_eq!(
            text(rt_sqlite_column_type(bogus, 0)).as_deref(),
            Some("null")
        );
        assert_eq!(text(rt_sqlite_column_text(bogus, 0)).as_deref(), Some(""));
        assert_eq!(
            text(rt_sqlite_error_message(bogus)).as_deref(),
            Some("invalid connection")
        );
        no_error();
        // This library's names: a script error.
        exec(bogus, "SELECT 1");
        let e = errors();
        assert_eq!(e.len(), 1, "{bogus}: {e:?}");
        assert!(e[0].starts_with("rt_sqlite_exec: "), "{e:?}");
        assert!(!rt_sqlite_step(bogus));
        assert_eq!(errors().len(), 1);
    }
    // Kinds are checked.
    exec(s, "SELECT 1");
    expect_error(&format!(
        "handle {s} is a statement handle, not a database handle"
    ));
    assert!(!rt_sqlite_step(db));
    expect_error(&format!(
        "handle {db} is a database handle, not a statement handle"
    ));

    // Finalized twice: the second is a no-op under Simple's name.
    rt_sqlite_finalize(s);
    rt_sqlite_finalize(s);
    no_error();
    assert!(!rt_sqlite_step(s));
    expect_error(&format!("statement handle {s} was already finalized"));

    // Closing finalizes the statements still open on the connection.
    let s2 = prepare(db, "SELECT 1");
    assert!(rt_sqlite_step(s2));
    assert_eq!(rt_sqlite_close(db), 1);
    no_error();
    assert_eq!(rt_sqlite_column_i64(s2, 0), 0);
    expect_error(&format!(
        "statement handle {s2} was finalized when its database was closed"
    ));
    assert_eq!(rt_sqlite_close(db), 0);
    no_error();
    exec(db, "SELECT 1");
    expect_error(&format!("database handle {db} was already closed"));

    // A reused slot gets a new generation: the old handle stays dead.
    let db2 = open_memory();
    assert_ne!(db, db2);
    assert_eq!(rt_sqlite_begin(db), 0);
    assert_eq!(
        text(rt_sqlite_error_message(db)).as_deref(),
        Some("invalid connection")
    );
    assert_eq!(message(db2), "");
    exec(db, "SELECT 1");
    assert!(errors().len() == 1);
    rt_sqlite_close(db2);
    no_error();
}

#[test]
fn a_slot_whose_generations_are_spent_is_never_reused() {
    let mut table: Table<u8> = Table::new(KIND_DB);
    let first = table.insert(1).unwrap();
    table.remove(first, "was closed").unwrap();
    let second = table.insert(2).unwrap();
    assert_eq!(decode(second).unwrap().1, decode(first).unwrap().1); // same slot
    assert!(table.get(first).is_err());
    table.slots[0].gen = u32::MAX; // as after 2^32 - 1 reuses
    let last = encode(KIND_DB, 0, u32::MAX);
    table.remove(last, "was closed").unwrap();
    let fresh = table.insert(3).unwrap();
    assert_eq!(
        decode(fresh).unwrap().1,
        1,
        "a new slot, not slot 0 wrapped to generation 0"
    );
    for old in [first, second, last] {
        assert!(table.get(old).is_err(), "{old}");
    }
    assert_eq!(table.get(fresh), Ok(&3));
}

#[test]
fn index_checks() {
    let _registry = shared_registry();
    let db = sample_db();
    let s = prepare(db, "SELECT name, qty FROM item WHERE qty > ?");
    rt_sqlite_bind_i64(s, 0, 1);
    expect_error("rt_sqlite_bind_i64: parameter index 0 out of range 1..1");
    rt_sqlite_bind_i64(s, 2, 1);
    expect_error("parameter index 2 out of range");
    assert_eq!(rt_sqlite_column_i64(s, 0), 0);
    expect_error("no row is available");
    rt_sqlite_bind_i64(s, 1, 20);
    assert!(rt_sqlite_step(s));
    for bad in [-1_i64, 2, 1 << 40] {
        assert_eq!(text(rt_sqlite_column_text(s, bad)).as_deref(), Some(""));
        expect_message(db, &format!("column index {bad} out of range 0..1"));
    }
    assert_eq!(text(rt_sqlite_column_name(s, 5)).as_deref(), Some(""));
    expect_message(db, "column index 5 out of range");
    // Binding mid-query is refused, after reset it works.
    rt_sqlite_bind_i64(s, 1, 1000);
    expect_error("in the middle of a query");
    assert_eq!(rt_sqlite_reset(s), 1);
    rt_sqlite_bind_i64(s, 1, 1000);
    assert!(!rt_sqlite_step(s));
    no_error();
    rt_sqlite_finalize(s);

    let none = prepare(db, "SELECT 1");
    rt_sqlite_bind_i64(none, 1, 1);
    expect_error("the statement has no parameters");
    rt_sqlite_finalize(none);
    let ddl = prepare(db, "CREATE TABLE t(x)");
    assert_eq!(rt_sqlite_column_count(ddl), 0);
    assert_eq!(rt_sqlite_column_i64(ddl, 0), 0);
    expect_error("the statement returns no columns");
    rt_sqlite_finalize(ddl);
    rt_sqlite_close(db);
    no_error();
}

#[test]
fn bind_after_done_rewinds() {
    let _registry = shared_registry();
    let db = open_memory();
    exec(db, "CREATE TABLE t(x)");
    let s = prepare(db, "INSERT INTO t VALUES (?)");
    for i in 0..10 {
        rt_sqlite_bind_i64(s, 1, i);
        assert!(!rt_sqlite_step(s));
    }
    no_error();
    assert_eq!(query_i64(db, "SELECT SUM(x) FROM t"), 45);
    rt_sqlite_close(db);
    no_error();
}

#[test]
fn nil_text_arguments() {
    let _registry = shared_registry();
    let db = open_memory();
    unsafe {
        assert_eq!(rt_sqlite_open(ptr::null()), 0);
        no_error();
        rt_sqlite_exec(db, ptr::null());
        expect_error("rt_sqlite_exec: sql is nil");
        assert_eq!(rt_sqlite_prepare(db, ptr::null()), 0);
        expect_message(db, "sql is nil");
        let s = prepare(db, "SELECT ?");
        assert_eq!(rt_sqlite_bind_text(s, 1, ptr::null()), 0);
        expect_message(db, "value (use rt_sqlite_bind_null to store NULL) is nil");
        rt_sqlite_finalize(s);
    }
    rt_sqlite_close(db);
    no_error();
}

#[test]
fn prepare_takes_exactly_one_statement() {
    let _registry = shared_registry();
    let db = open_memory();
    assert_eq!(prepare(db, ""), 0);
    expect_message(db, "no SQL statement");
    assert_eq!(prepare(db, "  -- only a comment"), 0);
    expect_message(db, "no SQL statement");
    assert_eq!(prepare(db, "SELECT 1; SELECT 2"), 0);
    expect_message(db, "more than one SQL statement");
    let s = prepare(db, "SELECT 1; -- trailing\n /* block */ ;  ");
    assert_eq!(message(db), "");
    assert!(rt_sqlite_step(s));
    rt_sqlite_finalize(s);
    // Any kind of statement (Simple's interpreter emulates only INSERT).
    for sql in [
        "CREATE TABLE t(x)",
        "PRAGMA user_version = 3",
        "DELETE FROM t",
        "BEGIN",
    ] {
        let st = prepare(db, sql);
        assert!(st > 0, "{sql}: {}", message(db));
        assert_eq!(rt_sqlite_query_next(st), 1, "{sql}: {}", message(db));
        rt_sqlite_finalize(st);
    }
    rt_sqlite_close(db);
    no_error();
}

#[test]
fn text_round_trip() {
    let _registry = shared_registry();
    let db = open_memory();
    let s = prepare(
        db,
        "SELECT ?1, length(?1), CAST(x'610062' AS TEXT), x'ff41'",
    );
    bind_text(s, 1, "grüße, 世界");
    assert!(rt_sqlite_step(s));
    assert_eq!(
        text(rt_sqlite_column_text(s, 0)).as_deref(),
        Some("grüße, 世界")
    );
    assert_eq!(rt_sqlite_column_i64(s, 1), 9);
    no_error();
    // Embedded NUL: a failure, not a silently truncated string.
    assert_eq!(text(rt_sqlite_column_text(s, 2)).as_deref(), Some(""));
    expect_message(db, "column 2: the text contains a NUL byte at offset 1");
    // Invalid UTF-8 is replaced. (The type is read first: like SQLite's
    // sqlite3_column_type, it reflects conversions made by earlier reads.)
    assert_eq!(text(rt_sqlite_column_type(s, 3)).as_deref(), Some("blob"));
    assert_eq!(
        text(rt_sqlite_column_text(s, 3)).as_deref(),
        Some("\u{fffd}A")
    );
    rt_sqlite_finalize(s);
    rt_sqlite_close(db);
    no_error();
}

#[test]
fn files_on_disk() {
    let _registry = shared_registry();
    let dir = std::env::temp_dir().join(format!("sffi_sqlite_test_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("inv.db");
    let p = c(path.to_str().unwrap());
    let db = unsafe { rt_sqlite_open(p.as_ptr()) };
    no_error();
    exec(db, "CREATE TABLE t(x); INSERT INTO t VALUES (1), (2)");
    rt_sqlite_close(db);
    let db = unsafe { rt_sqlite_open(p.as_ptr()) };
    assert_eq!(query_i64(db, "SELECT SUM(x) FROM t"), 3);
    rt_sqlite_close(db);
    no_error();

    // Not a database.
    let junk = dir.join("junk.db");
    std::fs::write(&junk, vec![b'x'; 4096]).unwrap();
    assert_eq!(
        unsafe { rt_sqlite_open(c(junk.to_str().unwrap()).as_ptr()) },
        0
    );
    no_error();
    // Missing directory.
    assert_eq!(
        unsafe { rt_sqlite_open(c("/nonexistent-dir/x.db").as_ptr()) },
        0
    );
    no_error();

    // "file:" starts a plain file name (URIs are off), relative to the cwd.
    // The only test that changes the cwd; the others use absolute paths.
    let cwd = std::env::current_dir().unwrap();
    std::env::set_current_dir(&dir).unwrap();
    let db = unsafe { rt_sqlite_open(c("file:plain.db?mode=ro").as_ptr()) };
    std::env::set_current_dir(&cwd).unwrap();
    no_error();
    exec(db, "CREATE TABLE t(x)"); // would fail with mode=ro if read as a URI
    no_error();
    rt_sqlite_close(db);
    assert!(dir.join("file:plain.db?mode=ro").is_file());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn threads_share_the_registry() {
    let _registry = shared_registry();
    let workers: Vec<_> = (0..8)
        .map(|t| {
            std::thread::spawn(move || {
                let db = open_memory();
                exec(db, "CREATE TABLE t(x)");
                let s = prepare(db, "INSERT INTO t VALUES (?)");
                for i in 0..200 {
                    rt_sqlite_bind_i64(s, 1, i * t);
                    rt_sqlite_step(s);
                }
                rt_sqlite_finalize(s);
                let sum = query_i64(db, "SELECT SUM(x) FROM t");
                rt_sqlite_close(db);
                no_error();
                sum
            })
        })
        .collect();
    for (t, w) in workers.into_iter().enumerate() {
        assert_eq!(w.join().unwrap(), 19900 * t as i64);
    }
}

#[test]
fn panics_become_errors() {
    let prev = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    let v: i64 = guard("rt_sqlite_test", -7, || panic!("boom {}", 1));
    panic::set_hook(prev);
    assert_eq!(v, -7);
    expect_error("rt_sqlite_test: internal error in sffi_sqlite (Rust panic: boom 1)");
}

#[test]
fn handle_encoding() {
    assert_eq!(encode(KIND_DB, 0, 0), 5);
    assert_eq!(encode(KIND_STMT, 0, 0), 6);
    for (kind, index, gen) in [(KIND_DB, 0, 1), (KIND_STMT, MAX_SLOTS - 1, u32::MAX)] {
        let h = encode(kind, index, gen);
        assert!(h > 0);
        assert_eq!(decode(h), Some((kind, index, gen)));
    }
    assert_eq!(decode(0), None);
    assert_eq!(decode(-5), None);
    assert_eq!(decode(1), None); // slot 0
    assert_eq!(decode(1 << 58 | 5), None); // beyond the generation bits
}

#[test]
fn blank_sql_scanner() {
    assert!(only_blank_sql(b""));
    assert!(only_blank_sql(b" ;\n-- x\n/* y */ ; /* open"));
    assert!(!only_blank_sql(b" SELECT 1"));
    assert!(!only_blank_sql(b"- 1"));
    assert!(!only_blank_sql(b"/ 2"));
}

// --- Simple's sqlite Tier-2 names: failures are values ---------------------

#[test]
fn simple_names_round_trip_with_statuses() {
    let db = rt_sqlite_open_memory();
    no_error();
    assert!(db > 0);
    assert_eq!(
        execute(
            db,
            "CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, qty INTEGER, w REAL)"
        ),
        1
    );
    assert_eq!(rt_sqlite_begin(db), 1);
    let ins = prepare(db, "INSERT INTO t(name, qty, w) VALUES (?, ?, ?)");
    for (name, qty, w) in [(Some("a"), 3, 0.5), (None, 4, 1.25), (Some("c"), 5, -2.0)] {
        match name {
            Some(n) => assert_eq!(bind_text(ins, 1, n), 1),
            None => assert_eq!(rt_sqlite_bind_null(ins, 1), 1),
        }
        assert_eq!(rt_sqlite_bind_int(ins, 2, qty), 1);
        assert_eq!(rt_sqlite_bind_float(ins, 3, w), 1);
        // Not a query: the first query_next runs it and says 1, then 0.
        assert_eq!(rt_sqlite_query_next(ins), 1);
        assert_eq!(rt_sqlite_query_next(ins), 0);
        assert_eq!(rt_sqlite_reset(ins), 1);
    }
    rt_sqlite_finalize(ins);
    assert_eq!(rt_sqlite_commit(db), 1);
    assert_eq!(message(db), "");
    assert_eq!(rt_sqlite_last_insert_rowid(db), 3);

    let q = query(db, "SELECT id, name, qty * w AS product FROM t ORDER BY id");
    assert_eq!(rt_sqlite_column_count(q), 3);
    assert_eq!(
        text(rt_sqlite_column_name(q, 2)).as_deref(),
        Some("product")
    );
    let mut rows = Vec::new();
    while rt_sqlite_query_next(q) == 1 {
        rows.push((
            rt_sqlite_column_int(q, 0),
            text(rt_sqlite_column_text(q, 1)).unwrap(),
            text(rt_sqlite_column_type(q, 1)).unwrap(),
            rt_sqlite_column_float(q, 2),
        ));
    }
    assert_eq!(message(db), "");
    let row = |id, name: &str, kind: &str, p| (id, name.to_string(), kind.to_string(), p);
    assert_eq!(
        rows,
        vec![
            row(1, "a", "text", 1.5),
            row(2, "", "null", 5.0),
            row(3, "c", "text", -10.0)
        ]
    );
    // The end stays the end (SQLite alone would run the query again); a
    // reset starts it over. rt_sqlite_step keeps SQLite's rule.
    assert_eq!(rt_sqlite_query_next(q), 0);
    assert_eq!(rt_sqlite_query_next(q), 0);
    assert_eq!(rt_sqlite_reset(q), 1);
    assert_eq!(rt_sqlite_query_next(q), 1);
    assert_eq!(rt_sqlite_column_int(q, 0), 1);
    while rt_sqlite_step(q) {}
    assert!(rt_sqlite_step(q));
    assert_eq!(rt_sqlite_column_int(q, 0), 1);
    no_error();
    rt_sqlite_query_done(q);
    assert_eq!(rt_sqlite_query_next(q), 0);
    no_error();

    assert_eq!(execute(db, "UPDATE t SET qty = qty + 1 WHERE qty > 3"), 1);
    assert_eq!(rt_sqlite_changes(db), 2);
    assert_eq!(rt_sqlite_close(db), 1);
    no_error();
}

#[test]
fn query_next_on_a_failing_statement_is_0_with_the_message() {
    let db = rt_sqlite_open_memory();
    execute(db, "CREATE TABLE t(x UNIQUE)");
    execute(db, "INSERT INTO t VALUES (1)");
    // Simple's sqlite_insert: prepare, bind, query_next == 1, finalize.
    let ins = prepare(db, "INSERT INTO t VALUES (?)");
    assert_eq!(rt_sqlite_bind_int(ins, 1, 1), 1);
    assert_eq!(rt_sqlite_query_next(ins), 0);
    rt_sqlite_finalize(ins); // a release keeps the message
    expect_message(db, "UNIQUE constraint failed: t.x");
    // A query that fails on a row: 0, and the message.
    let q = query(db, "SELECT x, abs(-9223372036854775807 - x) FROM t");
    assert_eq!(rt_sqlite_query_next(q), 0);
    assert_eq!(rt_sqlite_column_count(q), 2);
    expect_message(db, "integer overflow");
    // The next call that runs SQL clears it.
    assert_eq!(execute(db, "SELECT 1"), 1);
    assert_eq!(message(db), "");
    rt_sqlite_query_done(q);
    rt_sqlite_close(db);
    no_error();
}

#[test]
fn execute_takes_one_statement_execute_batch_several() {
    let db = rt_sqlite_open_memory();
    assert_eq!(
        execute_batch(
            db,
            "CREATE TABLE t(x); INSERT INTO t VALUES (1); INSERT INTO t VALUES (2);"
        ),
        1
    );
    no_error();
    assert_eq!(query_i64(db, "SELECT SUM(x) FROM t"), 3);
    assert_eq!(execute(db, "INSERT INTO t VALUES (3); DROP TABLE t"), 0);
    expect_message(db, "the text holds more than one SQL statement; run them one at a time (or all together with rt_sqlite_execute_batch)");
    // Nothing of the refused text ran.
    assert_eq!(query_i64(db, "SELECT SUM(x) FROM t"), 3);
    // Rows of a query run through execute are discarded.
    assert_eq!(execute(db, "SELECT * FROM t"), 1);
    assert_eq!(execute(db, "SELECT 1;  -- trailing comment"), 1);
    assert_eq!(message(db), "");
    assert_eq!(execute(db, "SELEC 1"), 0);
    expect_message(db, r#"near "SELEC": syntax error"#);
    assert_eq!(execute_batch(db, "INSERT INTO t VALUES (4); SELEC 1"), 0);
    expect_message(db, r#"near "SELEC": syntax error"#);
    assert_eq!(query_i64(db, "SELECT SUM(x) FROM t"), 7); // the statement before the error stays
    unsafe {
        assert_eq!(rt_sqlite_execute(db, ptr::null()), 0);
    }
    expect_message(db, "sql is nil");
    assert_eq!(rt_sqlite_close(db), 1);
    no_error();
}

#[test]
fn transactions_commit_and_roll_back() {
    let db = rt_sqlite_open_memory();
    execute(db, "CREATE TABLE t(x UNIQUE)");
    assert_eq!(rt_sqlite_begin(db), 1);
    execute(db, "INSERT INTO t VALUES (1)");
    assert_eq!(rt_sqlite_rollback(db), 1);
    assert_eq!(query_i64(db, "SELECT COUNT(*) FROM t"), 0);
    assert_eq!(rt_sqlite_begin(db), 1);
    assert_eq!(rt_sqlite_begin(db), 0);
    expect_message(db, "cannot start a transaction within a transaction");
    execute(db, "INSERT INTO t VALUES (1)");
    assert_eq!(execute(db, "INSERT INTO t VALUES (1)"), 0);
    expect_message(db, "UNIQUE constraint failed: t.x");
    assert_eq!(rt_sqlite_commit(db), 1); // the failed statement was undone, the first insert stays
    assert_eq!(query_i64(db, "SELECT COUNT(*) FROM t"), 1);
    assert_eq!(rt_sqlite_commit(db), 0);
    expect_message(db, "cannot commit - no transaction is active");
    assert_eq!(rt_sqlite_rollback(db), 0);
    expect_message(db, "cannot rollback - no transaction is active");
    rt_sqlite_close(db);
    no_error();
}

#[test]
fn error_message_holds_the_last_failure_until_sql_runs_again() {
    let db = rt_sqlite_open_memory();
    assert_eq!(message(db), "");
    execute(db, "CREATE TABLE t(x NOT NULL)");
    assert_eq!(execute(db, "INSERT INTO t VALUES (NULL)"), 0);
    assert_eq!(message(db), "NOT NULL constraint failed: t.x");
    // Reads leave it.
    assert_eq!(rt_sqlite_changes(db), 0);
    assert_eq!(message(db), "NOT NULL constraint failed: t.x");
    assert_eq!(query(db, "SELECT * FROM nowhere"), 0);
    assert_eq!(message(db), "no such table: nowhere");
    execute(db, "INSERT INTO t VALUES (1)");
    assert_eq!(message(db), "");
    // A statement's failure is its connection's message.
    let q = query(db, "SELECT ?");
    assert_eq!(rt_sqlite_bind_int(q, 9, 1), 0);
    assert_eq!(
        message(db),
        "parameter index 9 out of range 1..1 (parameters are numbered from 1)"
    );
    rt_sqlite_query_done(q);
    rt_sqlite_close(db);
    assert_eq!(
        text(rt_sqlite_error_message(db)).as_deref(),
        Some("invalid connection")
    );
    no_error();
}

#[test]
fn simple_names_fail_as_values() {
    let db = rt_sqlite_open_memory();
    let q = query(db, "SELECT NULL, ?");
    assert_eq!(rt_sqlite_bind_int(q, 2, 1), 0);
    expect_message(db, "parameter index 2 out of range 1..1");
    assert_eq!(rt_sqlite_bind_float(q, 0, 1.0), 0);
    expect_message(db, "parameter index 0 out of range");
    assert_eq!(rt_sqlite_bind_null(q, 3), 0);
    expect_message(db, "parameter index 3 out of range");
    assert_eq!(rt_sqlite_column_int(q, 0), 0);
    expect_message(db, "no row is available");
    assert_eq!(text(rt_sqlite_column_type(q, 0)).as_deref(), Some("null"));
    assert_eq!(rt_sqlite_query_next(q), 1);
    assert_eq!(rt_sqlite_bind_int(q, 1, 1), 0);
    expect_message(db, "the statement is in the middle of a query");
    assert_eq!(rt_sqlite_query_next(db), 0);
    expect_message(
        db,
        &format!("handle {db} is a database handle, not a statement handle"),
    );
    assert_eq!(rt_sqlite_reset(db), 0);
    assert_eq!(rt_sqlite_close(q), 0);
    expect_message(
        db,
        &format!("handle {q} is a statement handle, not a database handle"),
    );
    // close finalizes the open query; its handle is then stale everywhere.
    assert_eq!(rt_sqlite_close(db), 1);
    rt_sqlite_query_done(q);
    assert_eq!(rt_sqlite_query_next(q), 0);
    assert_eq!(rt_sqlite_column_count(q), 0);
    assert_eq!(text(rt_sqlite_column_name(q, 0)).as_deref(), Some(""));
    assert_eq!(rt_sqlite_close(db), 0);
    assert_eq!(rt_sqlite_begin(db), 0);
    assert_eq!(unsafe { rt_sqlite_prepare(db, c("SELECT 1").as_ptr()) }, 0);
    no_error();
}

#[test]
fn open_memory_databases_are_separate() {
    let a = rt_sqlite_open_memory();
    let b = rt_sqlite_open_memory();
    assert_ne!(a, b);
    execute(a, "CREATE TABLE only_in_a(x)");
    assert_eq!(query(b, "SELECT * FROM only_in_a"), 0);
    expect_message(b, "no such table: only_in_a");
    assert_eq!(message(a), "");
    rt_sqlite_close(a);
    rt_sqlite_close(b);
    no_error();
}
