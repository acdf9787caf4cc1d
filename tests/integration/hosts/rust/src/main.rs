//! An example host runtime (docs/hostkit.md): a Rust interpreter's hand-kept extern registry,
//! a map from name to handler over its own `Value`, whose unknown-name branch falls back to
//! the sffi host kit's generated table. One adapter (`buffer`, `from_ret`) converts between
//! `Value` and the kit's `Arg`/`Ret`; no code per extern. The tests run it and compare its
//! output with tests/integration/hosts/expected.txt, line for line with the C++ host's.
#[allow(dead_code)] // the host uses part of the kit's API
mod sffi_table {
    include!(concat!(env!("OUT_DIR"), "/sffi_table.rs"));
}

use sffi_table as kit;
use std::collections::HashMap;
use std::ffi::{c_char, c_int, CString};
use std::fmt;
use std::sync::Arc;

#[derive(Clone, Debug, PartialEq)]
enum Value { Nil, Int(i64), Float(f64), Bool(bool), Str(Arc<str>), Array(Arc<Vec<Value>>), Tuple(Arc<Vec<Value>>) }

fn list(f: &mut fmt::Formatter<'_>, items: &[Value], open: &str, close: &str) -> fmt::Result {
    let parts: Vec<String> = items.iter().map(|v| v.to_string()).collect();
    write!(f, "{open}{}{close}", parts.join(", "))
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Nil => write!(f, "nil"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Float(x) => write!(f, "{x}"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Str(s) => write!(f, "{s:?}"),
            Value::Array(a) => list(f, a, "[", "]"),
            Value::Tuple(t) => list(f, t, "(", ")"),
        }
    }
}

/// The host's own error type: a library's error names the extern and carries its message.
#[derive(Debug)]
enum Error { Unknown(String), Extern { name: String, message: String }, Type(String) }

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Unknown(text) | Error::Type(text) => write!(f, "{text}"),
            Error::Extern { name, message } => write!(f, "extern {name} raised: {message}"),
        }
    }
}

type Handler = fn(&[Value]) -> Result<Value, Error>;

// ---- the adapter (quoted in full in docs/hostkit.md) ----
/// One argument's storage for the call: scalars and text borrow, arrays are gathered.
enum Buf<'v> { Arg(kit::Arg<'v>), Ints(Vec<i64>), Floats(Vec<f64>), Texts(Vec<&'v str>) }

impl Buf<'_> {
    fn arg(&self) -> kit::Arg<'_> {
        match self {
            Buf::Arg(a) => *a,
            Buf::Ints(v) => kit::Arg::I64Array(v),
            Buf::Floats(v) => kit::Arg::F64Array(v),
            Buf::Texts(v) => kit::Arg::TextArray(v),
        }
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Nil => "nil", Value::Int(_) => "int", Value::Float(_) => "float", Value::Bool(_) => "bool",
        Value::Str(_) => "text", Value::Array(_) => "array", Value::Tuple(_) => "tuple",
    }
}

fn elements<'v, T>(a: &'v [Value], want: kit::Type, f: impl Fn(&'v Value) -> Option<T>) -> Result<Vec<T>, String> {
    a.iter().map(|e| f(e).ok_or_else(|| format!("{} element must be {}, got {}", want.spelling(), want.spelling().trim_matches(['[', ']']), type_name(e)))).collect()
}

/// The adapter, host value to ABI value, by the declared type.
fn buffer(v: &Value, ty: kit::Type) -> Result<Buf<'_>, String> {
    use kit::{Arg, Type as T};
    Ok(match (ty, v) {
        (T::I64, Value::Int(i)) => Buf::Arg(Arg::I64(*i)),
        (T::I32, Value::Int(i)) => Buf::Arg(Arg::I32(i32::try_from(*i).map_err(|_| format!("{i} does not fit in i32"))?)),
        (T::F64, Value::Float(x)) => Buf::Arg(Arg::F64(*x)),
        (T::F64, Value::Int(i)) => Buf::Arg(Arg::F64(*i as f64)),
        (T::Bool, Value::Bool(b)) => Buf::Arg(Arg::Bool(*b)),
        (T::Text, Value::Str(s)) => Buf::Arg(Arg::Text(s)),
        (T::I64Array, Value::Array(a)) => Buf::Ints(elements(a, ty, |e| if let Value::Int(i) = e { Some(*i) } else { None })?),
        (T::F64Array, Value::Array(a)) => Buf::Floats(elements(a, ty, |e| match e { Value::Float(x) => Some(*x), Value::Int(i) => Some(*i as f64), _ => None })?),
        (T::TextArray, Value::Array(a)) => Buf::Texts(elements(a, ty, |e| if let Value::Str(s) = e { Some(&**s) } else { None })?),
        (ty, v) => return Err(format!("expected {}, got {}", ty.spelling(), type_name(v))),
    })
}

/// The adapter, ABI result to host value: optionals (`Nil`), tuples and arrays of tuples included.
fn from_ret(r: kit::Ret) -> Result<Value, Error> {
    let array = |items: Vec<Value>| Value::Array(Arc::new(items));
    Ok(match r {
        kit::Ret::None | kit::Ret::Nil | kit::Ret::Text(None) => Value::Nil,
        kit::Ret::I64(i) => Value::Int(i),
        kit::Ret::I32(i) => Value::Int(i.into()),
        kit::Ret::F64(x) => Value::Float(x),
        kit::Ret::Bool(b) => Value::Bool(b),
        kit::Ret::Text(Some(s)) => Value::Str(s.into()),
        kit::Ret::I64Array(v) => array(v.into_iter().map(Value::Int).collect()),
        kit::Ret::F64Array(v) => array(v.into_iter().map(Value::Float).collect()),
        kit::Ret::TextArray(v) => array(v.into_iter().map(|s| Value::Str(s.into())).collect()),
        kit::Ret::Tuple(items) => Value::Tuple(Arc::new(items.into_iter().map(from_ret).collect::<Result<_, _>>()?)),
        kit::Ret::TupleArray(rows) => array(rows.into_iter().map(|items| from_ret(kit::Ret::Tuple(items)))
            .collect::<Result<_, _>>()?),
        other => return Err(Error::Type(format!("result {other:?}: this host does not adapt its type"))),
    })
}

#[derive(Default)]
struct Runtime { handlers: HashMap<&'static str, Handler>, table: HashMap<String, kit::Extern> }

impl Runtime {
    /// A script's `extern fn`: the hand-kept handlers first, else the kit's table (checked signature).
    fn declare(&mut self, name: &str, signature: &str) -> Result<(), Error> {
        if !self.handlers.contains_key(name) {
            let ext = kit::bind(name, signature).map_err(|e| Error::Unknown(e.to_string()))?;
            self.table.insert(name.to_string(), ext);
        }
        Ok(())
    }

    fn call(&self, name: &str, args: &[Value]) -> Result<Value, Error> {
        if let Some(handler) = self.handlers.get(name) {
            return handler(args);
        }
        let ext = self.table.get(name).ok_or_else(|| Error::Unknown(format!("unknown extern function {name}")))?;
        let bufs = ext.params().into_iter().zip(args).enumerate()
            .map(|(i, (t, v))| buffer(v, t).map_err(|m| Error::Type(format!("{name}: argument {}: {m}", i + 1))))
            .collect::<Result<Vec<_>, _>>()?;
        let kit_args: Vec<kit::Arg> = bufs.iter().map(Buf::arg).collect();
        match ext.call(&kit_args) {
            Ok(r) => from_ret(r),
            Err(kit::Error::Raised { name, message }) => Err(Error::Extern { name, message }),
            Err(other) => Err(Error::Type(other.to_string())),
        }
    }
}

// ---- end of the adapter ----

extern "C" {
    fn sffi_host_set_args(argc: c_int, argv: *mut *mut c_char); // core's host service (sffi_host.h)
}

fn show(label: &str, r: Result<Value, Error>) {
    match r {
        Ok(v) => println!("{label}: {v}"),
        Err(e) => println!("{label}: error: {e}"),
    }
}

fn main() {
    let mut rt = Runtime::default();
    rt.handlers.insert("rt_host_twice", |a| match a { [Value::Int(i)] => Ok(Value::Int(i * 2)), _ => Err(Error::Type("rt_host_twice: (i64) -> i64".into())) });
    let args: Vec<CString> = ["alpha", "beta"].iter().map(|s| CString::new(*s).unwrap()).collect();
    let mut argv: Vec<*mut c_char> = args.iter().map(|s| s.as_ptr() as *mut c_char).collect();
    unsafe { sffi_host_set_args(argv.len() as c_int, argv.as_mut_ptr()) };
    let text = |s: &str| Value::Str(s.into());
    // The script's `extern fn` declarations, one "name signature" a line (tests/integration/hosts/declarations.txt).
    let path = std::env::args().nth(1).expect("usage: rust-host DECLARATIONS");
    let decls = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
    for (name, sig) in decls.lines().filter_map(|l| l.split_once(' ')) {
        if let Err(e) = rt.declare(name, sig) {
            println!("declare {name} {sig}: error: {e}");
        }
    }
    show("rt_host_twice(21)", rt.call("rt_host_twice", &[Value::Int(21)]));
    show("rt_env_set", rt.call("rt_env_set", &[text("SFFI_HOST_DEMO"), text("h\u{e9}llo")]));
    show("rt_env_get", rt.call("rt_env_get", &[text("SFFI_HOST_DEMO")]));
    show("rt_env_get unset", rt.call("rt_env_get", &[text("SFFI_HOST_UNSET")]));
    show("rt_args", rt.call("rt_args", &[]));
    show("rt_file_read_text", rt.call("rt_file_read_text", &[text("/nonexistent/sffi-host.txt")]));
    show("rt_sqlite_open wrong type", rt.call("rt_sqlite_open", &[Value::Int(1)]));
    let Ok(db) = rt.call("rt_sqlite_open", &[text(":memory:")]) else { panic!("rt_sqlite_open failed") };
    show("create", rt.call("rt_sqlite_exec", &[db.clone(), text("CREATE TABLE t(name TEXT, n INTEGER)")]));
    show("bad sql", rt.call("rt_sqlite_exec", &[db.clone(), text("SELEC 1")]));
    let ins = rt.call("rt_sqlite_prepare", &[db.clone(), text("INSERT INTO t VALUES (?1, ?2)")]).unwrap();
    for (name, n) in [("ada", 36), ("grace", 85)] {
        rt.call("rt_sqlite_bind_text", &[ins.clone(), Value::Int(1), text(name)]).unwrap();
        rt.call("rt_sqlite_bind_i64", &[ins.clone(), Value::Int(2), Value::Int(n)]).unwrap();
        rt.call("rt_sqlite_step", &[ins.clone()]).unwrap();
        rt.call("rt_sqlite_reset", &[ins.clone()]).unwrap();
    }
    rt.call("rt_sqlite_finalize", &[ins]).unwrap();
    let sel = rt.call("rt_sqlite_prepare", &[db.clone(), text("SELECT name, n FROM t ORDER BY n")]).unwrap();
    let mut rows = Vec::new();
    while rt.call("rt_sqlite_step", &[sel.clone()]).unwrap() == Value::Bool(true) {
        let name = rt.call("rt_sqlite_column_text", &[sel.clone(), Value::Int(0)]).unwrap();
        let n = rt.call("rt_sqlite_column_i64", &[sel.clone(), Value::Int(1)]).unwrap();
        rows.push(Value::Tuple(Arc::new(vec![name, n])));
    }
    show("rows", Ok(Value::Array(Arc::new(rows))));
    rt.call("rt_sqlite_finalize", &[sel]).unwrap();
    show("rt_sqlite_close", rt.call("rt_sqlite_close", &[db.clone()]));
    show("rt_sqlite_exec after close", rt.call("rt_sqlite_exec", &[db, text("SELECT 1")]));
}
