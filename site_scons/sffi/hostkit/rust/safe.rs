/// Why a call or a lookup was refused, or what the library reported.
#[derive(Clone, Debug, PartialEq)]
pub enum Error {
    /// Not in the table; `provided_by` is (library, signature) from the catalog.
    Unknown { name: String, provided_by: Option<(String, String)>, with: String },
    /// The host's declaration differs from the table's signature.
    Mismatch { name: String, declared: String, table: String, library: String },
    /// Wrong number of arguments.
    Arity { name: String, expected: usize, got: usize },
    /// Argument `index` (from 1) has the wrong type.
    Argument { name: String, index: usize, expected: Type, got: Type },
    /// Text argument `index` (from 1) holds a NUL byte.
    NulInText { name: String, index: usize },
    /// The extern uses a type this module has no Rust mirror for.
    Unsupported { name: String, ty: String },
    /// The library reported an error through `sffi_set_error`.
    Raised { name: String, message: String },
    /// The extern returned nil where the declaration given to `bind` has no `?` (the table's has).
    NilResult { name: String, place: String, table: String },
    /// The kit's structs differ from this module's (built from another ABI).
    Layout(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Unknown { name, provided_by: Some((lib, sig)), with } => write!(
                f, "unknown extern function {name}\nprovided by FFI library '{lib}' as {sig}, which this host kit \
                    was built without; rebuild with: scons hostkit --with={with}"),
            Error::Unknown { name, .. } => {
                write!(f, "unknown extern function {name}\nno FFI library known to this host kit provides it")
            }
            Error::Mismatch { name, declared, table, library } => write!(
                f, "extern function {name} does not match the host kit's table\n  declared here:     {declared}\n  \
                    table provides:    {table}  (FFI library '{library}')"),
            Error::Arity { name, expected, got } => write!(f, "{name}: takes {expected} argument(s), got {got}"),
            Error::Argument { name, index, expected, got } => write!(
                f, "{name}: argument {index} must be {}, got {}", expected.spelling(), got.spelling()),
            Error::NulInText { name, index } => write!(f, "{name}: argument {index} holds a NUL byte"),
            Error::Unsupported { name, ty } => write!(
                f, "{name}: type {ty} has no Rust mirror in this sffi_table.rs (regenerate the kit with a newer sffi)"),
            Error::Raised { name, message } => write!(f, "{name}: {message}"),
            Error::NilResult { name, place, table } => write!(
                f, "{name} returned nil{place}, which its declaration does not allow (the table has {table}; \
                    add '?' to the declaration to accept nil)"),
            Error::Layout(what) => write!(f, "sffi_table.rs does not match the host kit: {what}"),
        }
    }
}

impl std::error::Error for Error {}

/// C strings and pointer arrays that must outlive one call.
#[derive(Default)]
struct Keep {
    strings: Vec<CString>,
    arrays: Vec<Vec<*const c_char>>,
}

/// A text argument held a NUL byte.
struct NulInText;

impl Keep {
    fn text(&mut self, s: &str) -> Result<*const c_char, NulInText> {
        let c = CString::new(s).map_err(|_| NulInText)?;
        let p = c.as_ptr(); // the heap buffer does not move with the CString
        self.strings.push(c);
        Ok(p)
    }

    fn texts(&mut self, xs: &[&str]) -> Result<(*const *const c_char, i64), NulInText> {
        let ptrs = xs.iter().map(|s| self.text(s)).collect::<Result<Vec<_>, _>>()?;
        let data = if ptrs.is_empty() { std::ptr::null() } else { ptrs.as_ptr() };
        self.arrays.push(ptrs);
        Ok((data, xs.len() as i64))
    }
}

/// An empty array passes (NULL, 0), as the ABI says.
fn slice_data<T>(xs: &[T]) -> *const T {
    if xs.is_empty() { std::ptr::null() } else { xs.as_ptr() }
}

// Unsafe bodies are spelled out (`unsafe { }` inside `unsafe fn`), as edition 2024 requires.
unsafe fn owned_text(p: *const c_char) -> Option<String> {
    if p.is_null() { None } else { Some(unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()) }
}

unsafe fn owned_slice<T: Copy>(data: *const T, len: i64) -> Vec<T> {
    if data.is_null() || len <= 0 { Vec::new() } else { unsafe { std::slice::from_raw_parts(data, len as usize) }.to_vec() }
}

unsafe fn owned_texts(data: *const *const c_char, len: i64) -> Result<Vec<String>, &'static str> {
    let ptrs = unsafe { owned_slice(data, len) };
    ptrs.into_iter().map(|p| unsafe { owned_text(p) }.ok_or("[text] (a NULL element)")).collect()
}

/// A table string (static, ASCII names and signatures).
fn table_str(p: *const c_char) -> &'static str {
    if p.is_null() { "" } else { unsafe { CStr::from_ptr(p) }.to_str().unwrap_or("") }
}

/// One extern of the table, found by `lookup` or `bind`.
#[derive(Clone, Copy)]
pub struct Extern {
    entry: &'static sffi_entry,
    /// Where the declaration given to `bind` refuses a nil the table allows: bit 0 the whole
    /// result (an array of tuples, or a single result), bit k+1 tuple element k.
    refuse_nil: u16,
}

impl fmt::Debug for Extern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Extern({} {} from '{}')", self.name(), self.signature(), self.library())
    }
}

impl Extern {
    /// The C symbol, e.g. `rt_sqlite_open`.
    pub fn name(&self) -> &'static str { table_str(self.entry.name) }
    /// The owning FFI library.
    pub fn library(&self) -> &'static str { table_str(self.entry.library) }
    /// The canonical signature, e.g. `(text) -> i64` (docs/abi.md).
    pub fn signature(&self) -> &'static str { table_str(self.entry.signature) }

    /// The parameter types, in order (codes were checked by `lookup`).
    pub fn params(&self) -> Vec<Type> {
        let n = self.entry.n_params as usize;
        self.entry.params[..n].iter().filter_map(|&c| Type::from_code(c)).collect()
    }

    /// The type of a single result (its base type when optional); `None` for no result or a tuple.
    pub fn result(&self) -> Option<Type> { Type::from_code(self.entry.result & !OPTIONAL_FLAG) }

    /// Calls the extern with one `Arg` per parameter; text and arrays are copied out at once.
    ///
    /// Errors: `Arity`, `Argument`, `NulInText`, `Unsupported` before the call (nothing runs);
    /// `Raised` when the library called `sffi_set_error` (its message, the extern's name).
    pub fn call(&self, args: &[Arg]) -> Result<Ret, Error> {
        let name = || self.name().to_string();
        let params = self.params();
        if args.len() != params.len() {
            return Err(Error::Arity { name: name(), expected: params.len(), got: args.len() });
        }
        if let Some(t) = params.iter().chain(self.result().iter()).find(|t| !t.supported()) {
            return Err(Error::Unsupported { name: name(), ty: t.spelling().to_string() });
        }
        let mut keep = Keep::default();
        let mut values = Vec::with_capacity(args.len());
        for (i, (arg, want)) in args.iter().zip(&params).enumerate() {
            if arg.ty() != *want {
                return Err(Error::Argument { name: name(), index: i + 1, expected: *want, got: arg.ty() });
            }
            values.push(arg.to_value(&mut keep).map_err(|_| Error::NulInText { name: name(), index: i + 1 })?);
        }
        // RESULT_SLOTS values: a tuple result fills one per element (ABI v2).
        let mut result = [unsafe { std::mem::zeroed::<sffi_value>() }; RESULT_SLOTS];
        let rc = unsafe { sffi_host_call(self.entry, values.as_ptr(), result.as_mut_ptr()) };
        if rc != 0 {
            let message = unsafe { owned_text(sffi_host_error()) }.unwrap_or_default();
            return Err(Error::Raised { name: name(), message });
        }
        let ret = unsafe { read_result(self.entry, &result) }
            .map_err(|ty| Error::Unsupported { name: name(), ty: ty.to_string() })?;
        match self.refused_nil(&ret) {
            Some(place) => Err(Error::NilResult { name: name(), place, table: self.signature().to_string() }),
            None => Ok(ret),
        }
    }

    /// Where `ret` holds a nil that `refuse_nil` refuses: "", " in tuple element 1", or
    /// " in tuple element 1 of array element 0"; None when it holds none.
    fn refused_nil(&self, ret: &Ret) -> Option<String> {
        let nil = |r: &Ret| matches!(r, Ret::Nil | Ret::Text(None));
        let refused = |bit: usize| self.refuse_nil & (1 << bit) != 0;
        let element = |items: &[Ret]| items.iter().enumerate().find(|(k, r)| refused(k + 1) && nil(r)).map(|(k, _)| k);
        match ret {
            Ret::Tuple(items) => element(items).map(|k| format!(" in tuple element {k}")),
            Ret::TupleArray(rows) => rows.iter().enumerate().find_map(|(i, row)| {
                element(row).map(|k| format!(" in tuple element {k} of array element {i}"))
            }),
            // A nil array of tuples is refused by bit 0; a nil single result by its item's bit 1.
            r if nil(r) && refused(if self.entry.result & !OPTIONAL_FLAG == TUPLE_ARRAY { 0 } else { 1 }) => {
                Some(String::new())
            }
            _ => None,
        }
    }
}

/// Refuses to run against a kit whose struct layout differs from this module's.
pub fn check_layout() -> Result<(), Error> {
    let kit = unsafe { &sffi_host_layout_info };
    let ours = [ABI_VERSION, MAX_PARAMS as u32, std::mem::size_of::<sffi_value>() as u32,
                std::mem::size_of::<sffi_entry>() as u32, std::mem::size_of::<sffi_catalog_entry>() as u32];
    let theirs = [kit.abi_version, kit.max_params, kit.value_size, kit.entry_size, kit.catalog_entry_size];
    if ours == theirs {
        return Ok(());
    }
    Err(Error::Layout(format!(
        "(ABI version, max params, sizeof sffi_value, sffi_entry, sffi_catalog_entry) is {theirs:?} in the kit, \
         {ours:?} here")))
}

/// The libraries in this kit's table, sorted (`core` included when selected).
pub fn libraries() -> Vec<&'static str> {
    let n = unsafe { sffi_libraries_len };
    let data = unsafe { sffi_libraries.as_ptr() };
    (0..n).map(|i| table_str(unsafe { *data.add(i) })).collect()
}

/// Every extern of the table, sorted by name.
pub fn externs() -> Vec<Extern> {
    let n = unsafe { sffi_table_len };
    let data = unsafe { sffi_table.as_ptr() };
    (0..n).map(|i| Extern { entry: unsafe { &*data.add(i) }, refuse_nil: 0 }).collect()
}

/// The `--with=` list that adds `lib` to this kit's selection: "sqlite,torch".
fn with_list(lib: &str) -> String {
    let mut names: Vec<&str> = libraries().into_iter().filter(|n| *n != "core" && *n != lib).collect();
    names.push(lib);
    names.sort();
    names.join(",")
}

/// The extern `name` of the table.
///
/// Errors: `Unknown` (naming the library that provides it, from the catalog, and the
/// `scons hostkit --with=` that adds it), `Layout` (module and kit disagree).
pub fn lookup(name: &str) -> Result<Extern, Error> {
    check_layout()?;
    let unknown = |provided_by: Option<(String, String)>| {
        let with = provided_by.as_ref().map(|(lib, _)| with_list(lib)).unwrap_or_default();
        Error::Unknown { name: name.to_string(), provided_by, with }
    };
    let Ok(c) = CString::new(name) else { return Err(unknown(None)) };
    let entry = unsafe { sffi_host_find(c.as_ptr()) };
    if entry.is_null() {
        let cat = unsafe { sffi_host_catalog_find(c.as_ptr()) };
        let provided = unsafe { cat.as_ref() }
            .map(|e| (table_str(e.library).to_string(), table_str(e.signature).to_string()));
        return Err(unknown(provided));
    }
    let entry: &'static sffi_entry = unsafe { &*entry };
    let mut codes = entry.params[..(entry.n_params as usize).min(MAX_PARAMS)].iter();
    if codes.any(|&c| Type::from_code(c).is_none()) || !known_result(entry) {
        // A type this module cannot carry (from a newer ABI than the one it was generated from).
        let sig = table_str(entry.signature);
        return Err(Error::Unsupported { name: name.to_string(), ty: sig.to_string() });
    }
    Ok(Extern { entry, refuse_nil: 0 })
}

/// The canonical signature of a declaration: `(i64, text) -> bool`, `(i64)` with no result.
pub fn signature(params: &[Type], result: Option<Type>) -> String {
    let list: Vec<&str> = params.iter().map(|t| t.spelling()).collect();
    match result {
        Some(r) => format!("({}) -> {}", list.join(", "), r.spelling()),
        None => format!("({})", list.join(", ")),
    }
}

/// Where a squashed result spelling may be nil: the whole (an array of tuples `[(..)]?`), then
/// each tuple element or the single result; the same positions as sffi.abi's `_optional_flags`.
fn optional_flags(result: &str) -> Vec<bool> {
    let tuples = result.starts_with("[(");
    let whole = tuples && result.ends_with('?');
    let inner = if tuples { result.trim_end_matches('?').trim_start_matches('[').trim_end_matches(']') } else { result };
    let items = inner.strip_prefix('(').and_then(|t| t.strip_suffix(')')).unwrap_or(inner);
    std::iter::once(whole).chain(items.split(',').map(|i| i.ends_with('?'))).collect()
}

/// `lookup(name)`, then check the host's declared signature (canonical text, spaces ignored)
/// against the table's, by the runtime's rule (docs/abi.md, "Optionality"): equal, or differing
/// only in the optionality of the result or its tuple elements. A declared `T?` where the table
/// has `T` reads the value as is; a declared `T` where the table has `T?` makes a nil result an
/// `Error::NilResult` when called. Any other difference is a `Mismatch` showing both.
pub fn bind(name: &str, declared: &str) -> Result<Extern, Error> {
    let ext = lookup(name)?;
    let squash = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    let (mine, table) = (squash(declared), squash(ext.signature()));
    if mine == table {
        return Ok(ext);
    }
    if mine.replace('?', "") != table.replace('?', "") {
        return Err(Error::Mismatch { name: name.to_string(), declared: declared.to_string(),
                                     table: ext.signature().to_string(), library: ext.library().to_string() });
    }
    let result = |s: &str| s.split_once("->").map(|(_, r)| r.to_string()).unwrap_or_default();
    let pairs = optional_flags(&result(&mine)).into_iter().zip(optional_flags(&result(&table)));
    let refuse_nil = pairs.enumerate().filter(|(_, (d, t))| *t && !*d).fold(0u16, |bits, (k, _)| bits | 1 << k);
    Ok(Extern { entry: ext.entry, refuse_nil })
}
