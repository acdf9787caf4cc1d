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
    // Declarations that differ from the table only in optionality bind; a refused nil is an error.
    let shown = |r: Result<sffi_table::Ret, sffi_table::Error>| match r {
        Ok(v) => format!("{v:?}"),
        Err(e) => e.to_string(),
    };
    println!("{}", shown(bind("rt_v2_next", "(u8) -> u8?").unwrap().call(&[Arg::U8(1)])));
    let opt = bind("rt_v2_opt", "(bool) -> u32").unwrap();
    println!("{} | {}", shown(opt.call(&[Arg::Bool(true)])), shown(opt.call(&[Arg::Bool(false)])));
    println!("{}", shown(bind("rt_v2_opt_text", "(bool) -> text").unwrap().call(&[Arg::Bool(false)])));
    let rows = bind("rt_v2_vars", "(i64) -> [(text, u16, [u8])]?").unwrap();
    println!("{} | {}", shown(rows.call(&[Arg::I64(2)])), shown(rows.call(&[Arg::I64(-1)])));
    println!("{}", shown(bind("rt_v2_vars", "(i64) -> [(text, u16?, [u8])]").unwrap().call(&[Arg::I64(-1)])));
    println!("{}", bind("rt_v2_next", "(u8) -> u16?").unwrap_err());
}
