// The host kit's own build script: prints its cargo: lines, copies sffi_table.rs to OUT_DIR.
include!(concat!(env!("SFFI_HOSTKIT"), "/rust/build.rs"));
