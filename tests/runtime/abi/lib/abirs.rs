//! A hand-written Rust crate with SFFI ABI v2 externs (declarations: abirs.spl),
//! for tests/runtime/test_marshal.py. Results live in thread-local buffers owned by
//! the crate until the next call (docs/abi.md, "Ownership").
use std::cell::RefCell;
use std::ffi::{c_char, CStr, CString};

#[repr(C)]
pub struct Bytes { data: *const u8, len: i64 }
#[repr(C)]
pub struct U32s { data: *const u32, len: i64 }
#[repr(C)]
pub struct OptU32 { value: u32, present: bool }
#[repr(C)]
pub struct Split { head: *const c_char, tail: *const c_char, at: i64 }
#[repr(C)]
pub struct Pair { x: f32, xs: U32s }

thread_local! {
    static TEXTS: RefCell<(CString, CString)> = RefCell::new((CString::default(), CString::default()));
    static BYTES: RefCell<Vec<u8>> = RefCell::new(Vec::new());
    static WORDS: RefCell<Vec<u32>> = RefCell::new(Vec::new());
}

/// # Safety
/// `s` is a NUL-terminated string (the ABI's `text`).
#[no_mangle]
pub unsafe extern "C" fn rt_abirs_split(s: *const c_char, at: u32) -> Split {
    let s = CStr::from_ptr(s).to_bytes();
    let at = (at as usize).min(s.len());
    TEXTS.with(|t| {
        let mut t = t.borrow_mut();
        *t = (CString::new(&s[..at]).unwrap_or_default(), CString::new(&s[at..]).unwrap_or_default());
        Split { head: t.0.as_ptr(), tail: t.1.as_ptr(), at: at as i64 }
    })
}

extern "C" {
    fn sffi_set_error(msg: *const c_char); // the runtime's (sffi_abi.h)
}

/// `n` bytes 0, 3, 6, ...; a size that cannot be allocated is a script error
/// (found by the misuse sweep: `collect()` aborted the process on 2^62).
#[no_mangle]
pub extern "C" fn rt_abirs_bytes(n: i64) -> Bytes {
    BYTES.with(|b| {
        let mut b = b.borrow_mut();
        b.clear();
        if b.try_reserve(n.max(0) as usize).is_err() {
            unsafe { sffi_set_error(c"cannot allocate the buffer".as_ptr()) };
            return Bytes { data: std::ptr::null(), len: 0 };
        }
        b.extend((0..n.max(0)).map(|i| (i * 3) as u8));
        Bytes { data: b.as_ptr(), len: b.len() as i64 }
    })
}

#[no_mangle]
pub extern "C" fn rt_abirs_opt(give: bool) -> OptU32 {
    OptU32 { value: if give { 4_000_000_000 } else { 0 }, present: give }
}

/// # Safety
/// `xs` points to `n` u32 values (or n is 0).
#[no_mangle]
pub unsafe extern "C" fn rt_abirs_sum_u32(xs: *const u32, n: i64) -> u64 {
    if n == 0 {
        return 0;
    }
    std::slice::from_raw_parts(xs, n as usize).iter().map(|&x| x as u64).sum()
}

#[no_mangle]
pub extern "C" fn rt_abirs_pair(x: f32) -> Pair {
    if x < 0.0 {
        return Pair { x, xs: U32s { data: std::ptr::null(), len: -1 } };
    }
    WORDS.with(|w| {
        let mut w = w.borrow_mut();
        *w = vec![x as u32, u32::MAX];
        Pair { x: x * 2.0, xs: U32s { data: w.as_ptr(), len: 2 } }
    })
}

#[no_mangle]
pub extern "C" fn rt_abirs_name(give: bool) -> *const c_char {
    if give { c"ferris".as_ptr() } else { std::ptr::null() }
}

#[repr(C)]
pub struct Var { name: *const c_char, value: i64 }
#[repr(C)]
pub struct Vars { data: *const Var, len: i64 }

thread_local! {
    static VARS: RefCell<(Vec<CString>, Vec<Var>)> = const { RefCell::new((Vec::new(), Vec::new())) };
}

/// An array of tuples `[(text, i64)]?`: `n` pairs ("x0", 0), ("x1", 10), ...; nil for a negative `n`.
#[no_mangle]
pub extern "C" fn rt_abirs_vars(n: i64) -> Vars {
    if n < 0 {
        return Vars { data: std::ptr::null(), len: -1 };
    }
    VARS.with(|v| {
        let mut v = v.borrow_mut();
        v.0 = (0..n.min(64)).map(|i| CString::new(format!("x{i}")).unwrap_or_default()).collect();
        let rows: Vec<Var> = v.0.iter().zip(0..).map(|(s, i)| Var { name: s.as_ptr(), value: i * 10 }).collect();
        v.1 = rows;
        Vars { data: v.1.as_ptr(), len: v.1.len() as i64 }
    })
}
