//! `eddy run --invoke 'NAME(ARGS)'` on components: arguments parsed and results printed in
//! WAVE, top-level and interface functions (`IFACE#FUNC`), WASI imports linked as for `run`,
//! traps, and the one-line errors for a bad name, bad arguments and an unparsable call.
//!
//! Guests: p2_invoke_calc.wat (add, nop, boom, take(own<res>), `eddy:test/calc@1.0.0#mul`),
//! p2_invoke_values.wat (records, enums, variants, flags, lists, strings, options, results,
//! tuples, floats),
//! p2_invoke_wasi.wat (`say` writes to wasi:cli/stdout).

mod common;
use common::*;

/// `eddy run --invoke EXPR PROGRAM`.
fn invoke(program_name: &str, expr: &str) -> std::process::Output {
    run(eddy_run(&["--invoke", expr, s(&program(program_name))]), b"")
}

fn calc(expr: &str) -> std::process::Output {
    invoke("p2_invoke_calc.wat", expr)
}

fn values(expr: &str) -> std::process::Output {
    invoke("p2_invoke_values.wat", expr)
}

const CALC_EXPORTS: &str = "add, nop, boom, take, eddy:test/calc@1.0.0#mul";

#[test]
fn add_prints_the_sum() {
    assert_run(&calc("add(2, 3)"), "5\n", "", 0);
    assert_run(&calc("add(4294967295, 1)"), "0\n", "", 0);
}

#[test]
fn an_interface_function_by_full_versionless_and_short_name() {
    assert_run(&calc("eddy:test/calc@1.0.0#mul(6, 7)"), "42\n", "", 0);
    assert_run(&calc("eddy:test/calc#mul(6, 7)"), "42\n", "", 0);
    assert_run(&calc("calc#mul(6,7)"), "42\n", "", 0);
}

#[test]
fn a_function_without_results_prints_nothing() {
    assert_run(&calc("nop()"), "", "", 0);
    assert_run(&calc("  nop ( )  "), "", "", 0);
}

#[test]
fn a_trap_is_status_134_with_a_backtrace() {
    assert_trap(&calc("boom()"), "", &["unreachable", "boom"]);
}

#[test]
fn records_enums_variants_and_flags() {
    assert_run(&values("flip({x: 1, y: -2})"), "{x: -2, y: 1}\n", "", 0);
    assert_run(&values("flip({y: 3, x: 4})"), "{x: 3, y: 4}\n", "", 0);
    assert_run(&values("next(blue)"), "red\n", "", 0);
    assert_run(&values("grow(circle(21))"), "circle(42)\n", "", 0);
    assert_run(&values("grow(dot)"), "dot\n", "", 0);
    assert_run(&values("invert({read})"), "{write, exec}\n", "", 0);
    assert_run(&values("invert({})"), "{read, write, exec}\n", "", 0);
}

#[test]
fn lists() {
    assert_run(&values("sum([1, 2, 3])"), "6\n", "", 0);
    assert_run(&values("rev([1, 2, 3])"), "[3, 2, 1]\n", "", 0);
    assert_run(&values("rev([])"), "[]\n", "", 0);
}

#[test]
fn strings_are_escaped_in_wave() {
    assert_run(&values(r#"greet("wasm")"#), "\"hello, wasm\"\n", "", 0);
    assert_run(&values(r#"greet("a\"b\n☃")"#), "\"hello, a\\\"b\\n☃\"\n", "", 0);
}

#[test]
fn options_explicit_flat_and_omitted() {
    assert_run(&values(r#"echo-opt(some("x"))"#), "some(\"x\")\n", "", 0);
    assert_run(&values(r#"echo-opt("flat")"#), "some(\"flat\")\n", "", 0);
    assert_run(&values("echo-opt(none)"), "none\n", "", 0);
    // A trailing option parameter may be left out: it is `none`.
    assert_run(&values("echo-opt()"), "none\n", "", 0);
}

#[test]
fn results_ok_and_err() {
    assert_run(&values("check(21)"), "ok(42)\n", "", 0);
    assert_run(&values("check(500)"), "err(\"too big\")\n", "", 0);
}

#[test]
fn tuples_and_floats() {
    assert_run(&values(r#"swap((7, "a"))"#), "(\"a\", 7)\n", "", 0);
    assert_run(&values("half(3)"), "1.5\n", "", 0);
    assert_run(&values("half(-1.5)"), "-0.75\n", "", 0);
    assert_run(&values("half(nan)"), "nan\n", "", 0);
}

#[test]
fn a_resource_parameter_is_refused_before_the_call() {
    let err = "Error: argument 1 (`r`) of `take` is a resource (own): --invoke cannot pass \
               resources, streams, futures or maps\n";
    assert_run(&calc("take(1)"), "", err, 1);
}

#[test]
fn wasi_imports_are_linked_as_for_run() {
    let out = invoke("p2_invoke_wasi.wat", r#"say("hi")"#);
    assert_run(&out, "hi\n", "", 0);
}

#[test]
fn an_unknown_function_lists_the_exports() {
    let err =
        format!("Error: no exported function `nope`; the component exports: {CALC_EXPORTS}\n");
    assert_run(&calc("nope(1)"), "", &err, 1);
    let err =
        format!("Error: no exported function `other#mul`; the component exports: {CALC_EXPORTS}\n");
    assert_run(&calc("other#mul(1, 2)"), "", &err, 1);
    let err =
        format!("Error: no exported function `calc#div`; the component exports: {CALC_EXPORTS}\n");
    assert_run(&calc("calc#div(1, 2)"), "", &err, 1);
}

#[test]
fn a_wrong_argument_count_gives_the_signature() {
    let err = "Error: `add` takes 2 arguments, 1 given: add(a: u32, b: u32) -> u32\n";
    assert_run(&calc("add(1)"), "", err, 1);
    let err = "Error: `add` takes 2 arguments, 3 given: add(a: u32, b: u32) -> u32\n";
    assert_run(&calc("add(1, 2, 3)"), "", err, 1);
    let err = "Error: `add` takes 2 arguments, 0 given: add(a: u32, b: u32) -> u32\n";
    assert_run(&calc("add()"), "", err, 1);
}

#[test]
fn a_wrong_argument_type_names_the_argument_and_its_type() {
    let err = "Error: argument 2 (`b`) of `add` expects u32: invalid value type at `\"x\"`\n";
    assert_run(&calc(r#"add(1, "x")"#), "", err, 1);
    let err = "Error: argument 1 (`a`) of `add` expects u32: invalid value at `-1`\n";
    assert_run(&calc("add(-1, 2)"), "", err, 1);
    let err = "Error: argument 1 (`p`) of `flip` expects record { x: s32, y: s32 }: error \
               converting Wasm value: missing field \"y\" at `{x: 1}`\n";
    assert_run(&values("flip({x: 1})"), "", err, 1);
    let err = "Error: argument 1 (`c`) of `next` expects enum { red, green, blue }: error \
               converting Wasm value: expected a enum { red, green, blue }; got purple at `purple`\n";
    assert_run(&values("next(purple)"), "", err, 1);
    let err = "Error: argument 1 (`l`) of `sum` expects list<u32>: invalid value type at `\"a\"`\n";
    assert_run(&values(r#"sum([1, "a"])"#), "", err, 1);
}

#[test]
fn an_unparsable_call_gives_the_wave_error() {
    let err = "Error: cannot parse --invoke `add(1,,2)`: unexpected token: Comma at `,`\n";
    assert_run(&calc("add(1,,2)"), "", err, 1);
    let err = "Error: cannot parse --invoke `add(1, 2`: unexpected end of input at the end\n";
    assert_run(&calc("add(1, 2"), "", err, 1);
    let err =
        "Error: cannot parse --invoke `add(1, 2) x`: trailing characters after value at `x`\n";
    assert_run(&calc("add(1, 2) x"), "", err, 1);
    let err = "Error: cannot parse --invoke `add`: expected a WAVE call `NAME(ARGS)`, e.g. \
               `add(2, 3)` or `IFACE#NAME()`\n";
    assert_run(&calc("add"), "", err, 1);
}

#[test]
fn arguments_after_the_file_are_an_error_for_a_component() {
    let out =
        run(eddy_run(&["--invoke", "add(1, 2)", s(&program("p2_invoke_calc.wat")), "3"]), b"");
    assert_error_line(&out, "", 1, &["inside the WAVE call", "after the file: 3"]);
}
