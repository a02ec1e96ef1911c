//! `eddy run --deterministic` (virtual clocks, seeded random, fixed environment, no network):
//! the preview1 guest p1_deterministic checks the virtual clock exactly; CPython run twice
//! prints byte-identical times and random numbers.

mod common;

use std::path::PathBuf;

use common::*;

#[test]
fn p1_sleeps_advance_the_virtual_clock_exactly() {
    let prog = program("p1_deterministic");
    let out = run(eddy_run(&["--deterministic", s(&prog)]), b"");
    // Each read adds 1 us; a sleep moves the clock to its deadline at once (computed from
    // the clock as it stood, without a tick); a deadline already passed leaves it.
    let expected = "resolution 1000\n\
        monotonic 0\n\
        realtime 946684800000001000\n\
        sleep 1s: errno 0, 1 event(s), userdata 42, error 0\n\
        monotonic 1000002000\n\
        sleep until 2000-01-01T00:00:05Z: errno 0, 1 event(s), userdata 42, error 0\n\
        realtime 946684805000000000\n\
        sleep until monotonic 1s (past): errno 0, 1 event(s), userdata 42, error 0\n\
        monotonic 5000001000\n\
        random RANDOM\n";
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let random = text.lines().last().unwrap_or_default().strip_prefix("random ").unwrap_or("");
    assert_eq!(random.len(), 16, "{}", describe(&out));
    assert_run(&out, &expected.replace("RANDOM", random), "", 0);

    // Again: the same bytes. Another seed: other random bytes, the same clocks.
    let again = run(eddy_run(&["--deterministic", s(&prog)]), b"");
    assert_eq!(again.stdout, out.stdout, "{}", describe(&again));
    let other = run(eddy_run(&["--deterministic", "--seed", "1", s(&prog)]), b"");
    let other_text = String::from_utf8_lossy(&other.stdout).into_owned();
    assert_eq!(other.status.code(), Some(0), "{}", describe(&other));
    assert_ne!(other_text, text);
    assert_eq!(other_text.lines().count(), text.lines().count());
    assert_eq!(
        other_text.lines().take(9).collect::<Vec<_>>(),
        text.lines().take(9).collect::<Vec<_>>()
    );

    // Without --deterministic the host clock: realtime is after 2020.
    let host = run(eddy_run(&[s(&prog)]), b"");
    let host_text = String::from_utf8_lossy(&host.stdout).into_owned();
    let realtime: u64 = host_text.lines().nth(2).unwrap()["realtime ".len()..].parse().unwrap();
    assert!(realtime > 1_577_836_800_000_000_000, "{}", describe(&host));
}

#[test]
fn deterministic_refuses_host_environment_and_network_grants() {
    let prog = program("p1_deterministic");
    let cases: &[(&[&str], &str)] = &[
        (
            &["-S", "inherit-env"],
            "error: --deterministic: -S inherit-env is refused: a deterministic run sees only variables given as --env NAME=VALUE\n",
        ),
        (
            &["--env", "HOME"],
            "error: --deterministic: --env HOME (the host's value) is refused: a deterministic run sees only variables given as --env NAME=VALUE\n",
        ),
        (
            &["-S", "inherit-network"],
            "error: --deterministic: -S inherit-network is refused: a deterministic run has no network\n",
        ),
        (
            &["-S", "allow-ip-name-lookup"],
            "error: --deterministic: -S allow-ip-name-lookup is refused: a deterministic run has no network\n",
        ),
        (
            &["-S", "tcplisten=127.0.0.1:0"],
            "error: --deterministic: -S tcplisten is refused: a deterministic run has no network\n",
        ),
        (
            &["--allow-connect", "127.0.0.1:80"],
            "error: --deterministic: --allow-connect is refused: a deterministic run has no network\n",
        ),
        (
            &["--allow-bind", "127.0.0.1:0"],
            "error: --deterministic: --allow-bind is refused: a deterministic run has no network\n",
        ),
    ];
    for (flags, stderr) in cases {
        let mut args = vec!["--deterministic"];
        args.extend_from_slice(flags);
        args.push(s(&prog));
        let out = run(eddy_run(&args), b"");
        assert_run(&out, "", stderr, 2);
    }
    // --seed needs --deterministic (clap's usage error).
    let out = run(eddy_run(&["--seed", "3", s(&prog)]), b"");
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--deterministic"), "{}", describe(&out));
    // An explicit variable is fine.
    let out = run(eddy_run(&["--deterministic", "--env", "A=1", s(&prog)]), b"");
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
}

fn cpython() -> PathBuf {
    let path = std::env::var_os("EDDY_CPYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join(".cache/guests/python-3.12.0.wasm"));
    assert!(path.is_file(), "CPython not found at {}: run scripts/setup.sh", path.display());
    path
}

/// The script: wall-clock and monotonic time, `random` (seeded by CPython from
/// `os.urandom`, i.e. `random_get`), `os.urandom` itself, and a sleep.
const SCRIPT: &str = "import time, random, os; \
    print(time.time(), time.monotonic(), random.random(), os.urandom(8).hex()); \
    t = time.monotonic(); time.sleep(2.5); print(round(time.monotonic() - t, 3)); \
    print(time.strftime('%Y-%m-%d %H:%M:%S', time.gmtime()))";

#[test]
fn cpython_twice_gives_byte_identical_output() {
    let py = cpython();
    let go = |extra: &[&str]| {
        let mut args = vec!["--deterministic"];
        args.extend_from_slice(extra);
        args.extend_from_slice(&[s(&py), "-c", SCRIPT]);
        let out = run(eddy_run(&args), b"");
        assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
        assert_eq!(String::from_utf8_lossy(&out.stderr), "", "{}", describe(&out));
        String::from_utf8(out.stdout).unwrap()
    };
    let first = go(&[]);
    let second = go(&[]);
    assert_eq!(first, second, "two deterministic runs differ");
    let lines: Vec<&str> = first.lines().collect();
    assert_eq!(lines.len(), 3, "{first}");
    let fields: Vec<&str> = lines[0].split(' ').collect();
    let wall: f64 = fields[0].parse().unwrap();
    let mono: f64 = fields[1].parse().unwrap();
    // 2000-01-01T00:00:00Z plus a few µs of clock reads.
    assert!((946_684_800.0..946_684_800.01).contains(&wall), "{first}");
    assert!((0.0..0.01).contains(&mono), "{first}");
    // The 2.5 s sleep took 2.5 s of virtual time (plus a tick), and no real time to speak of.
    assert_eq!(lines[1], "2.5");
    assert_eq!(lines[2], "2000-01-01 00:00:02");

    // Another seed: other random numbers, the same times.
    let seeded = go(&["--seed", "42"]);
    let s_fields: Vec<&str> = seeded.lines().next().unwrap().split(' ').collect();
    assert_eq!(s_fields[..2], fields[..2], "{seeded}");
    assert_ne!(s_fields[2], fields[2], "random.random() did not change with the seed");
    assert_ne!(s_fields[3], fields[3], "os.urandom did not change with the seed");
    assert_eq!(go(&["--seed", "42"]), seeded);
}

/// The same guest adapted into a WASI 0.2 component (the adapter turns `poll_oneoff` into
/// `subscribe-duration` and `wasi:io/poll`, `clock_time_get` into `wasi:clocks`,
/// `random_get` into `wasi:random`): virtual clocks and seeded random in the 0.2 view too,
/// with the same values as the core module except one tick more after the absolute
/// realtime sleep (the adapter reads the wall clock once to turn it into a duration) and
/// the same random bytes (the same ChaCha20 stream).
#[test]
fn p2_component_runs_on_the_virtual_clock_too() {
    let module = run(eddy_run(&["--deterministic", &program_str("p1_deterministic")]), b"");
    let module = String::from_utf8(module.stdout).unwrap();
    let expected = module
        .replace("realtime 946684805000000000\n", "realtime 946684805000001000\n")
        .replace("monotonic 5000001000\n", "monotonic 5000002000\n");
    assert_ne!(expected, module, "{module}");
    let prog = component::component_str("p1_deterministic");
    let out = run(eddy_run(&["--deterministic", &prog]), b"");
    assert_run(&out, &expected, "", 0);
    let again = run(eddy_run(&["--deterministic", &prog]), b"");
    assert_eq!(again.stdout, out.stdout);
    let seeded = run(eddy_run(&["--deterministic", "--seed", "9", &prog]), b"");
    let seeded = String::from_utf8(seeded.stdout).unwrap();
    assert_ne!(seeded.lines().last(), expected.lines().last(), "seeded random");
}
