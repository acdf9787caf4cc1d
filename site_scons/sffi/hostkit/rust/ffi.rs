/// `sffi_thunk`: unpacks one `sffi_value` per parameter, calls the export, stores its result.
#[allow(non_camel_case_types)]
pub type sffi_thunk = unsafe extern "C" fn(args: *const sffi_value, result: *mut sffi_value);

/// `sffi_catalog_entry`: an extern a library outside the selection provides.
#[repr(C)]
#[allow(non_camel_case_types)]
pub struct sffi_catalog_entry {
    pub name: *const c_char,
    pub library: *const c_char,
    pub signature: *const c_char,
}

/// `sffi_host_layout` (sffi_host.h): the kit's struct sizes, checked against this module's.
#[repr(C)]
#[allow(non_camel_case_types)]
pub struct sffi_host_layout {
    pub abi_version: u32,
    pub max_params: u32,
    pub value_size: u32,
    pub entry_size: u32,
    pub catalog_entry_size: u32,
}

// `unsafe extern` (Rust 1.82+): required by edition 2024, accepted by 2021.
#[allow(non_upper_case_globals, dead_code)]
unsafe extern "C" {
    pub static sffi_table: [sffi_entry; 0];
    pub static sffi_table_len: usize;
    pub static sffi_catalog: [sffi_catalog_entry; 0];
    pub static sffi_catalog_len: usize;
    pub static sffi_libraries: [*const c_char; 0];
    pub static sffi_libraries_len: usize;
    pub static sffi_host_layout_info: sffi_host_layout;
    pub fn sffi_host_find(name: *const c_char) -> *const sffi_entry;
    pub fn sffi_host_catalog_find(name: *const c_char) -> *const sffi_catalog_entry;
    pub fn sffi_host_call(e: *const sffi_entry, args: *const sffi_value, result: *mut sffi_value) -> i32;
    pub fn sffi_host_error() -> *const c_char;
    pub fn sffi_host_clear_error();
    pub fn sffi_set_error(msg: *const c_char);
}

