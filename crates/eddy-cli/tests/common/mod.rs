//! Helpers shared by the integration tests: locate guest programs, run `eddy`, compare its
//! output exactly, and build real temporary directory trees.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::thread;
use std::time::{Duration, Instant, SystemTime};

pub use tempfile::TempDir;

pub mod component;
pub mod rust_guest;

/// How long one `eddy` run may take before the test kills it and fails.
pub const RUN_TIMEOUT: Duration = Duration::from_secs(120);

/// The workspace root (where `tests/programs` lives).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A guest program by name.
///
/// - `"p1_clock"` (or `"p1_clock.c"`): the C program `tests/programs/c/p1_clock.c`, compiled
///   by build.rs into `$EDDY_TEST_PROGRAMS/p1_clock.wasm`.
/// - `"p1_hello.wat"`: the text module `tests/programs/wat/p1_hello.wat`, run as text.
pub fn program(name: &str) -> PathBuf {
    if name.ends_with(".wat") {
        let path = workspace_root().join("tests/programs/wat").join(name);
        assert!(path.is_file(), "no such WAT program: {}", path.display());
        return path;
    }
    let stem = name.strip_suffix(".c").or_else(|| name.strip_suffix(".wasm")).unwrap_or(name);
    let dir = PathBuf::from(env!("EDDY_TEST_PROGRAMS"));
    let marker = dir.join("TOOLCHAIN_MISSING");
    if marker.exists() {
        let why = fs::read_to_string(&marker).unwrap_or_default();
        panic!("guest toolchain missing: run scripts/setup.sh ({})", why.trim());
    }
    let path = dir.join(format!("{stem}.wasm"));
    assert!(
        path.is_file(),
        "guest program {} was not built: is there a tests/programs/c/{stem}.c? (looked in {})",
        path.display(),
        dir.display()
    );
    path
}

/// The program path as a string (for expected outputs that contain argv[0]).
pub fn program_str(name: &str) -> String {
    program(name).to_str().expect("program path is UTF-8").to_owned()
}

/// The compile cache shared by all test runs: `<target dir>/eddy-test-cache`, derived from the
/// location of the `eddy` binary (`<target dir>/<profile>/eddy`).
pub fn cache_dir() -> PathBuf {
    let exe = Path::new(env!("CARGO_BIN_EXE_eddy"));
    let target = exe.parent().and_then(Path::parent).unwrap_or_else(|| Path::new("."));
    target.join("eddy-test-cache")
}

/// `eddy` with a shared compile cache and no stray logging configuration. Add `run` etc.
pub fn eddy() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_eddy"));
    cmd.env("EDDY_CACHE_DIR", cache_dir());
    cmd.env_remove("RUST_LOG");
    cmd.env_remove("RUST_BACKTRACE");
    cmd
}

/// `eddy run` plus the given arguments.
pub fn eddy_run(args: &[&str]) -> Command {
    let mut cmd = eddy();
    cmd.arg("run").args(args);
    cmd
}

/// `cmd` run under a soft `RLIMIT_NOFILE` of `limit` (through `sh -c 'ulimit -n …; exec …'`),
/// with its environment changes kept: for lists of more pollfds than the kernel takes.
pub fn with_nofile_limit(cmd: &Command, limit: u32) -> Command {
    let mut sh = Command::new("sh");
    sh.arg("-c").arg(format!("ulimit -n {limit} && exec \"$0\" \"$@\""));
    sh.arg(cmd.get_program()).args(cmd.get_args());
    for (k, v) in cmd.get_envs() {
        match v {
            Some(v) => sh.env(k, v),
            None => sh.env_remove(k),
        };
    }
    sh
}

/// Runs `cmd` with `stdin` piped in (then closed), capturing stdout and stderr. Kills the
/// process and panics after [`RUN_TIMEOUT`].
pub fn run(mut cmd: Command, stdin: &[u8]) -> Output {
    cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let child = cmd.spawn().unwrap_or_else(|e| panic!("spawning {cmd:?}: {e}"));
    collect(child, Some(stdin.to_vec()), &cmd)
}

/// Like [`run`] but with stdin connected to /dev/null.
pub fn run_null_stdin(mut cmd: Command) -> Output {
    cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let child = cmd.spawn().unwrap_or_else(|e| panic!("spawning {cmd:?}: {e}"));
    collect(child, None, &cmd)
}

/// Like [`run`] but with stdin read from the file at `path` (a regular file, not a pipe).
pub fn run_file_stdin(mut cmd: Command, path: &Path) -> Output {
    let file = fs::File::open(path).unwrap_or_else(|e| panic!("opening {}: {e}", path.display()));
    cmd.stdin(Stdio::from(file)).stdout(Stdio::piped()).stderr(Stdio::piped());
    let child = cmd.spawn().unwrap_or_else(|e| panic!("spawning {cmd:?}: {e}"));
    collect(child, None, &cmd)
}

/// Waits for a child spawned from `cmd` with stdout and stderr piped (and stdin not piped),
/// collecting its output; kills it and panics after [`RUN_TIMEOUT`].
pub fn wait_with_timeout(child: Child, cmd: &Command) -> Output {
    collect(child, None, cmd)
}

fn collect(mut child: Child, stdin: Option<Vec<u8>>, cmd: &Command) -> Output {
    let writer = stdin.map(|data| {
        let mut pipe = child.stdin.take().expect("stdin is piped");
        // A guest may exit without reading its input: ignore EPIPE.
        thread::spawn(move || {
            let _ = pipe.write_all(&data);
        })
    });
    let mut out = child.stdout.take().expect("stdout is piped");
    let mut err = child.stderr.take().expect("stderr is piped");
    let out_reader = thread::spawn(move || {
        let mut v = Vec::new();
        let _ = out.read_to_end(&mut v);
        v
    });
    let err_reader = thread::spawn(move || {
        let mut v = Vec::new();
        let _ = err.read_to_end(&mut v);
        v
    });
    let deadline = Instant::now() + RUN_TIMEOUT;
    let status: ExitStatus = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() < deadline => thread::sleep(Duration::from_millis(5)),
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("{cmd:?} did not finish within {RUN_TIMEOUT:?}");
            }
            Err(e) => panic!("waiting for {cmd:?}: {e}"),
        }
    };
    if let Some(w) = writer {
        let _ = w.join();
    }
    Output { status, stdout: out_reader.join().unwrap(), stderr: err_reader.join().unwrap() }
}

/// Both streams, for failure messages.
pub fn describe(output: &Output) -> String {
    format!(
        "status: {}\n--- stdout ---\n{}\n--- stderr ---\n{}\n--------------",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// The first line where `actual` differs from `expected`, with context.
fn first_difference(expected: &str, actual: &str) -> String {
    let e: Vec<&str> = expected.split_inclusive('\n').collect();
    let a: Vec<&str> = actual.split_inclusive('\n').collect();
    let i = e.iter().zip(&a).position(|(x, y)| x != y).unwrap_or(e.len().min(a.len()));
    format!(
        "first difference at line {}:\n  expected: {:?}\n  actual:   {:?}",
        i + 1,
        e.get(i).copied().unwrap_or("<end of output>"),
        a.get(i).copied().unwrap_or("<end of output>")
    )
}

/// Asserts exact stdout, exact stderr and the exit code; prints both streams on mismatch.
pub fn assert_run(
    output: &Output,
    expected_stdout: &str,
    expected_stderr: &str,
    expected_code: i32,
) {
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let mut problems = Vec::new();
    if stdout != expected_stdout {
        problems.push(format!("stdout differs; {}", first_difference(expected_stdout, &stdout)));
    }
    if stderr != expected_stderr {
        problems.push(format!("stderr differs; {}", first_difference(expected_stderr, &stderr)));
    }
    if output.status.code() != Some(expected_code) {
        problems.push(format!("exit status {} (expected code {expected_code})", output.status));
    }
    if !problems.is_empty() {
        panic!(
            "{}\n--- expected stdout ---\n{expected_stdout}\n--- expected stderr ---\n{expected_stderr}\n{}",
            problems.join("\n"),
            describe(output)
        );
    }
}

/// Asserts exact stdout and exit code, and that stderr is exactly one line starting with
/// `Error: ` and containing every one of `needles`.
pub fn assert_error_line(
    output: &Output,
    expected_stdout: &str,
    expected_code: i32,
    needles: &[&str],
) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    let one_line = stderr.ends_with('\n') && stderr.matches('\n').count() == 1;
    let ok = String::from_utf8_lossy(&output.stdout) == expected_stdout
        && output.status.code() == Some(expected_code)
        && stderr.starts_with("Error: ")
        && one_line
        && needles.iter().all(|n| stderr.contains(n));
    assert!(
        ok,
        "expected stdout {expected_stdout:?}, exit code {expected_code} and one stderr line \
         `Error: ...` containing {needles:?}\n{}",
        describe(output)
    );
}

/// Asserts a usage error: exit status 2, no stdout, and stderr exactly one line starting with
/// `error: ` (as clap's own usage errors start) and containing every one of `needles`.
pub fn assert_usage_error(output: &Output, needles: &[&str]) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    let one_line = stderr.ends_with('\n') && stderr.matches('\n').count() == 1;
    let ok = output.stdout.is_empty()
        && output.status.code() == Some(2)
        && stderr.starts_with("error: ")
        && one_line
        && needles.iter().all(|n| stderr.contains(n));
    assert!(
        ok,
        "expected no stdout, exit code 2 and one stderr line `error: ...` containing \
         {needles:?}\n{}",
        describe(output)
    );
}

/// Asserts the exit code, exact stdout, and that stderr starts with `Error: ` and contains
/// every one of `needles` (for traps, whose message carries a backtrace).
pub fn assert_trap(output: &Output, expected_stdout: &str, needles: &[&str]) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    let ok = String::from_utf8_lossy(&output.stdout) == expected_stdout
        && output.status.code() == Some(134)
        && stderr.starts_with("Error: ")
        && needles.iter().all(|n| stderr.contains(n));
    assert!(
        ok,
        "expected a trap (status 134, stderr `Error: ...` containing {needles:?}) after stdout \
         {expected_stdout:?}\n{}",
        describe(output)
    );
}

// ---------------------------------------------------------------------------------------------
// Temporary directory trees
// ---------------------------------------------------------------------------------------------

/// A fresh temporary directory (removed when dropped).
pub fn temp_dir() -> TempDir {
    tempfile::Builder::new().prefix("eddy-test-").tempdir().expect("creating a temp dir")
}

/// The path as a `&str` (temp paths are UTF-8 here).
pub fn s(path: &Path) -> &str {
    path.to_str().expect("path is UTF-8")
}

/// `--dir` argument `HOST::GUEST`.
pub fn dir_arg(host: &Path, guest: &str) -> String {
    format!("{}::{guest}", s(host))
}

/// Writes `contents` to `root/rel`, creating parent directories.
pub fn write_file(root: &Path, rel: &str, contents: impl AsRef<[u8]>) {
    let path = root.join(rel);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).unwrap();
    }
    fs::write(&path, contents).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
}

/// Creates `root/rel` and its parents.
pub fn make_dir(root: &Path, rel: &str) {
    fs::create_dir_all(root.join(rel)).unwrap();
}

/// Creates the symlink `root/rel -> target`.
#[cfg(unix)]
pub fn symlink(root: &Path, rel: &str, target: impl AsRef<Path>) {
    std::os::unix::fs::symlink(target.as_ref(), root.join(rel))
        .unwrap_or_else(|e| panic!("symlink {rel}: {e}"));
}

/// One entry of a [`snapshot`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    File { contents: Vec<u8>, mtime: SystemTime },
    Dir,
    Symlink(PathBuf),
}

/// Every entry under `root` (recursively, not following symlinks), keyed by relative path.
pub fn snapshot(root: &Path) -> BTreeMap<String, Node> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Node>) {
        let mut entries: Vec<_> = fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
        entries.sort();
        for path in entries {
            let rel = path.strip_prefix(root).unwrap().to_string_lossy().into_owned();
            let meta = fs::symlink_metadata(&path).unwrap();
            if meta.file_type().is_symlink() {
                out.insert(rel, Node::Symlink(fs::read_link(&path).unwrap()));
            } else if meta.is_dir() {
                out.insert(rel, Node::Dir);
                walk(root, &path, out);
            } else {
                out.insert(
                    rel,
                    Node::File {
                        contents: fs::read(&path).unwrap(),
                        mtime: meta.modified().unwrap(),
                    },
                );
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

/// A compact listing of a tree: one line per entry, `path` for directories (with a trailing
/// `/`), `path = "contents"` for files and `path -> target` for symlinks.
pub fn listing(root: &Path) -> String {
    let mut out = String::new();
    for (rel, node) in snapshot(root) {
        match node {
            Node::Dir => out.push_str(&format!("{rel}/\n")),
            Node::File { contents, .. } => {
                out.push_str(&format!("{rel} = {:?}\n", String::from_utf8_lossy(&contents)))
            }
            Node::Symlink(target) => out.push_str(&format!("{rel} -> {}\n", target.display())),
        }
    }
    out
}
