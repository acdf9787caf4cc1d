// A Rust host of the outside project, built with rustc alone (tests/integration/package/test_wheel.py):
// the generated module's array arguments, errors and refusals.
#[allow(dead_code)]
mod sffi_table {
    include!(env!("SFFI_TABLE_RS"));
}
use sffi_table::{bind, lookup, Arg, Ret};

fn main() {
    let sum = bind("rt_greet_sum", "([i64]) -> i64").unwrap();
    println!("{:?}", sum.call(&[Arg::I64Array(&[1, 2, 39])]));
    println!("{:?}", sum.call(&[Arg::I64Array(&[])]));
    let join = lookup("rt_greet_join").unwrap();
    println!("{:?}", join.call(&[Arg::TextArray(&["a", "b", "c"]), Arg::Text("-")]));
    let long = vec!["0123456789"; 30];
    println!("{}", join.call(&[Arg::TextArray(&long), Arg::Text("")]).unwrap_err());
    println!("{}", join.call(&[Arg::TextArray(&["a\0b"]), Arg::Text("")]).unwrap_err());
    println!("{}", join.call(&[Arg::Text("a")]).unwrap_err());
    println!("{}", sum.call(&[Arg::Text("1")]).unwrap_err());
    let fail = lookup("rt_greet_fail").unwrap();
    println!("{}", fail.call(&[Arg::Text("on purpose")]).unwrap_err());
    assert_eq!(fail.call(&[Arg::Text("")]).unwrap_err().to_string(), "rt_greet_fail: ");
    let hello = lookup("rt_greet_hello").unwrap();
    assert_eq!(hello.call(&[Arg::Text("rust")]).unwrap(), Ret::Text(Some("hello, rust".into())));
    println!("{}", lookup("rt_greet_nope").unwrap_err());
    println!("{}", bind("rt_greet_hello", "(text) -> i64").unwrap_err());
}
