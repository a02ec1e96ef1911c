//! Every guest program must be run by some test: an unknown or unrun program fails the build.
//!
//! Lists `tests/programs/c/*.c`, `tests/programs/wat/*.wat`, `tests/programs/python/*.py` and
//! the crates of the Rust guest workspace (`tests/programs/rust/<name>/Cargo.toml`), and
//! fails, naming them, for any program whose stem (crate name) is not mentioned (as a whole
//! word) inside a string literal of a `crates/eddy-cli/tests/*.rs` file other than this one,
//! or of a `crates/eddy/tests/*.rs` file (the embedding API's tests)
//! (comments, doc comments included, do not count: a test names its guest in code, e.g.
//! `program("p1_path")`). Headers (`.h`) beside the C programs must be included by one of
//! them; any other file in those directories is an error too.

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

/// The contents of every string literal in Rust source `src` (`"..."`, `b"..."`, raw
/// `r#"..."#`), escapes left as written, joined by newlines; comments (`//`, `///`, `//!`,
/// `/* */`) and char literals are skipped, so a name in a comment is not seen.
fn string_literals(src: &str) -> String {
    let b = src.as_bytes();
    let mut out = String::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let mut depth = 0;
                while i < b.len() {
                    if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
                        depth += 1;
                        i += 2;
                    } else if b[i] == b'*' && b.get(i + 1) == Some(&b'/') {
                        depth -= 1;
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        i += 1;
                    }
                }
            }
            b'r' if (i == 0
                || !is_ident(b[i - 1])
                || (b[i - 1] == b'b' && (i == 1 || !is_ident(b[i - 2]))))
                && matches!(b.get(i + 1), Some(b'"' | b'#')) =>
            {
                // A raw string r"..." or r#"..."#: ends at `"` followed by as many `#`.
                let mut j = i + 1;
                let mut hashes = 0;
                while b.get(j) == Some(&b'#') {
                    hashes += 1;
                    j += 1;
                }
                if b.get(j) != Some(&b'"') {
                    i += 1;
                    continue;
                }
                let close = format!("\"{}", "#".repeat(hashes));
                let start = j + 1;
                let end = src[start..].find(&close).map_or(b.len(), |k| start + k);
                out.push_str(&src[start..end]);
                out.push('\n');
                i = end + close.len();
            }
            b'"' => {
                let start = i + 1;
                let mut j = start;
                while j < b.len() && b[j] != b'"' {
                    j += if b[j] == b'\\' { 2 } else { 1 };
                }
                out.push_str(&src[start..j.min(b.len())]);
                out.push('\n');
                i = j + 1;
            }
            b'\'' => {
                // A char literal ('a', '\n', '"', '\u{1F600}') is skipped; a lifetime is not
                // one.
                if b.get(i + 1) == Some(&b'\\') {
                    let close = src[i + 3..].find('\'').map_or(b.len(), |k| i + 3 + k);
                    i = close + 1;
                } else if let Some(c) = src[i + 1..].chars().next() {
                    let after = i + 1 + c.len_utf8();
                    i = if b.get(after) == Some(&b'\'') { after + 1 } else { i + 1 };
                } else {
                    i += 1;
                }
            }
            _ => i += 1,
        }
    }
    out
}

#[test]
fn every_guest_program_is_run_by_a_test() {
    let tests_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let this_file = Path::new(file!()).file_name().unwrap().to_owned();
    let library_tests = root().join("crates/eddy/tests");
    let test_sources: Vec<(PathBuf, String)> = files(&tests_dir)
        .into_iter()
        .chain(files(&library_tests))
        .filter(|p| p.extension().is_some_and(|e| e == "rs") && p.file_name().unwrap() != this_file)
        .map(|p| {
            let text = string_literals(&fs::read_to_string(&p).unwrap());
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
                "{}: program `{stem}` is not named in a string literal of any test in {}",
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

#[test]
fn only_string_literals_count() {
    let src = r##"
        //! Runs p1_doc.
        /// p1_outer_doc is mentioned here only.
        fn f() {
            // p1_comment: a comment does not run anything.
            /* p1_block /* nested p1_nested */ still p1_block */
            let c = '"'; let d = '\''; let l: &'static str = "p1_real";
            let r = r#"p1_raw "quoted""#;
            let e = "say \"p1_escaped\" // not a comment";
            p1_ident();
        }
    "##;
    let lits = string_literals(src);
    for name in ["p1_real", "p1_raw", "p1_escaped"] {
        assert!(mentions(&lits, name), "{name} is in a string literal: {lits:?}");
    }
    for name in ["p1_doc", "p1_outer_doc", "p1_comment", "p1_block", "p1_nested", "p1_ident"] {
        assert!(!mentions(&lits, name), "{name} is not in a string literal: {lits:?}");
    }
}
