//! rt_tally_*: two exports with the C signatures sffi declares for them (tally.spl).

/// `rt_tally_add(a: i64, b: i64) -> i64`, wrapping on overflow.
#[no_mangle]
pub extern "C" fn rt_tally_add(a: i64, b: i64) -> i64 {
    a.wrapping_add(b)
}

/// `rt_tally_mean(xs: [f64]) -> f64`: 0 for no values.
///
/// # Safety
/// `ptr` points to `len` values (the ABI's f64 slice).
#[no_mangle]
pub unsafe extern "C" fn rt_tally_mean(ptr: *const f64, len: i64) -> f64 {
    if ptr.is_null() || len <= 0 {
        return 0.0;
    }
    let xs = std::slice::from_raw_parts(ptr, len as usize);
    xs.iter().sum::<f64>() / xs.len() as f64
}
