//! Every guest program must be run by some test: an unknown or unrun program fails the build.
//!
//! Lists `tests/programs/c/*.c`, `tests/programs/wat/*.wat`, `tests/programs/python/*.py` and
//! the crates of the Rust guest workspace (`tests/programs/rust/<name>/Cargo.toml`), and
//! fails, naming them, for any program whose stem (crate name) is not mentioned (as a whole
//! word) in a `crates/eddy-cli/tests/*.rs` file other than this one. Headers (`.h`) beside the C programs must be included by one of them;
//! any other file in those directories is an error too.

use std::fs;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    v.sort();
    v
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// `word` occurs in `text` with no identifier character right before or after it (so
/// `p1_path` is not satisfied by `p1_path_errors`).
fn mentions(text: &str, word: &str) -> bool {
    let bytes = text.as_bytes();
    let mut start = 0;
    while let Some(i) = text[start..].find(word) {
        let at = start + i;
        let end = at + word.len();
        let before_ok = at == 0 || !is_ident(bytes[at - 1]);
        let after_ok = end == bytes.len() || !is_ident(bytes[end]);
        if before_ok && after_ok {
            return true;
        }
        start = at + 1;
    }
    false
}

#[test]
fn every_guest_program_is_run_by_a_test() {
    let tests_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let this_file = Path::new(file!()).file_name().unwrap().to_owned();
    let test_sources: Vec<(PathBuf, String)> = files(&tests_dir)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "rs") && p.file_name().unwrap() != this_file)
        .map(|p| {
            let text = fs::read_to_string(&p).unwrap();
            (p, text)
        })
        .collect();
    assert!(!test_sources.is_empty(), "no test files found in {}", tests_dir.display());

    let c_dir = root().join("tests/programs/c");
    let wat_dir = root().join("tests/programs/wat");
    let python_dir = root().join("tests/programs/python");
    let mut problems = Vec::new();
    let mut programs = Vec::new();
    let mut headers = Vec::new();
    let mut c_sources = Vec::new();

    for path in files(&c_dir) {
        match path.extension().and_then(|e| e.to_str()) {
            Some("c") => {
                c_sources.push(fs::read_to_string(&path).unwrap());
                programs.push(path);
            }
            Some("h") => headers.push(path),
            _ => problems.push(format!("{}: not a .c program or .h header", path.display())),
        }
    }
    for path in files(&wat_dir) {
        match path.extension().and_then(|e| e.to_str()) {
            Some("wat") => programs.push(path),
            _ => problems.push(format!("{}: not a .wat program", path.display())),
        }
    }
    let rust_dir = root().join("tests/programs/rust");
    let mut crates: Vec<PathBuf> = fs::read_dir(&rust_dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", rust_dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("Cargo.toml").is_file())
        .collect();
    crates.sort();
    programs.extend(crates);
    for path in files(&python_dir) {
        match path.extension().and_then(|e| e.to_str()) {
            Some("py") => programs.push(path),
            _ => problems.push(format!("{}: not a .py program", path.display())),
        }
    }
    assert!(
        !programs.is_empty(),
        "no guest programs found under {}",
        root().join("tests/programs").display()
    );

    for path in &programs {
        let stem = path.file_stem().unwrap().to_str().unwrap();
        if !test_sources.iter().any(|(_, text)| mentions(text, stem)) {
            problems.push(format!(
                "{}: program `{stem}` is not run by any test in {}",
                path.display(),
                tests_dir.display()
            ));
        }
    }
    for path in &headers {
        let name = path.file_name().unwrap().to_str().unwrap();
        let include = format!("#include \"{name}\"");
        if !c_sources.iter().any(|src| src.contains(&include)) {
            problems.push(format!("{}: header is not included by any program", path.display()));
        }
    }
    assert!(problems.is_empty(), "unregistered guest programs:\n  {}", problems.join("\n  "));
}

#[test]
fn mentions_matches_whole_words_only() {
    assert!(mentions("program(\"p1_path\")", "p1_path"));
    assert!(!mentions("program(\"p1_path_errors\")", "p1_path"));
    assert!(mentions("program(\"p1_hello.wat\")", "p1_hello"));
    assert!(!mentions("xp1_hello", "p1_hello"));
}
