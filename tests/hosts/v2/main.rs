// ABI v2 results read by the generated module: a tuple, optionals present and absent, u8, an array of tuples.
#[allow(dead_code)]
mod sffi_table {
    include!(env!("SFFI_TABLE_RS"));
}
use sffi_table::{bind, Arg};

fn main() {
    println!("{:?}", bind("rt_v2_run", "(text) -> (text, text, i64)").unwrap().call(&[Arg::Text("ls")]));
    for name in ["rt_v2_opt", "rt_v2_opt_array", "rt_v2_opt_text"] {
        let ext = sffi_table::lookup(name).unwrap();
        println!("{name} {:?} {:?}", ext.call(&[Arg::Bool(true)]), ext.call(&[Arg::Bool(false)]));
    }
    println!("{:?}", bind("rt_v2_next", "(u8) -> u8").unwrap().call(&[Arg::U8(41)]));
    let vars = bind("rt_v2_vars", "(i64) -> [(text, u16?, [u8])]?").unwrap();
    for n in [2, 0, -1] {
        println!("{:?}", vars.call(&[Arg::I64(n)]));
    }
}
