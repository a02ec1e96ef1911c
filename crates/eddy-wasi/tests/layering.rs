//! The layering rules of DESIGN.md, checked on the source:
//! - in `eddy-wasi`, an ABI view (`p1/`, `p2/`, `p3/`) never names another view, and nothing
//!   outside a view names it (`crate::pN`): the host core sits below every view;
//! - in `eddy` (the embedding crate), modules import each other without circles.
//!
//! In `eddy-wasi` comments count as naming: an intra-doc link to another view is a dependency
//! in the docs. In `eddy` only code counts (doc links name re-exported functions such as
//! `crate::run`, which share a module's name).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const VIEWS: &[&str] = &["p1", "p2", "p3"];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The view a file belongs to (`p1` for `src/p1/fd.rs` and `src/p1.rs`), if any.
fn view_of(src: &Path, file: &Path) -> Option<&'static str> {
    let rel = file.strip_prefix(src).unwrap();
    let first = rel.components().next()?.as_os_str().to_str()?;
    let first = first.strip_suffix(".rs").unwrap_or(first);
    VIEWS.iter().copied().find(|v| *v == first)
}

/// Every `crate::pN` a text names, with the line it is on.
fn named_views(text: &str) -> Vec<(&'static str, usize)> {
    let mut found = Vec::new();
    for (n, line) in text.lines().enumerate() {
        for v in VIEWS {
            let pat = format!("crate::{v}");
            let mut rest = line;
            while let Some(i) = rest.find(&pat) {
                let after = rest[i + pat.len()..].chars().next();
                if !after.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                    found.push((*v, n + 1));
                }
                rest = &rest[i + pat.len()..];
            }
        }
    }
    found
}

#[test]
fn views_never_name_each_other_and_the_core_names_none() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    assert!(files.len() > 20, "found only {} files under {}", files.len(), src.display());
    let mut bad = Vec::new();
    for f in &files {
        // The crate root declares the views; that is not a dependency on one.
        if f.file_name().unwrap() == "lib.rs" && f.parent() == Some(src.as_path()) {
            continue;
        }
        let own = view_of(&src, f);
        let text = std::fs::read_to_string(f).unwrap();
        for (v, line) in named_views(&text) {
            if own != Some(v) {
                let rel = f.strip_prefix(&src).unwrap().display();
                let who = own.map_or("host core".to_string(), |o| format!("view {o}"));
                bad.push(format!("src/{rel}:{line}: {who} names crate::{v}"));
            }
        }
    }
    assert!(bad.is_empty(), "layering violations:\n{}", bad.join("\n"));
}

#[test]
fn the_checker_sees_a_violation() {
    // The scan itself: a view named in code or docs is found; a longer name is not.
    assert_eq!(named_views("use crate::p1::fd;"), vec![("p1", 1)]);
    assert_eq!(named_views("\n/// see [`crate::p2`]"), vec![("p2", 2)]);
    assert!(named_views("use crate::p1x::fd; use crate::p22;").is_empty());
}

/// The modules of `crates/eddy/src` each file imports (`crate::name`), by module name.
fn eddy_imports() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../eddy/src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let module = |f: &Path| {
        let rel = f.strip_prefix(&src).unwrap();
        let first = rel.components().next().unwrap().as_os_str().to_str().unwrap().to_string();
        first.strip_suffix(".rs").unwrap_or(&first).to_string()
    };
    let names: BTreeSet<String> = files.iter().map(|f| module(f)).collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in &files {
        let m = module(f);
        // Code only: a doc link to `crate::run` (the function, re-exported at the root) is
        // no import of the module `run`.
        let text: String = std::fs::read_to_string(f)
            .unwrap()
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        let entry = graph.entry(m.clone()).or_default();
        for (i, _) in text.match_indices("crate::") {
            let name: String =
                text[i + 7..].chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            if name != m && names.contains(&name) && name != "lib" {
                entry.insert(name);
            }
        }
    }
    graph
}

#[test]
fn eddy_modules_import_without_circles() {
    let graph = eddy_imports();
    assert!(graph.len() >= 4, "found only {:?}", graph.keys());
    // Depth-first search for a back edge; report the circle.
    fn visit(
        g: &BTreeMap<String, BTreeSet<String>>,
        m: &str,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|p| p == m) {
            let mut c = path[i..].to_vec();
            c.push(m.to_string());
            return Some(c);
        }
        if done.contains(m) {
            return None;
        }
        path.push(m.to_string());
        for n in g.get(m).into_iter().flatten() {
            if let Some(c) = visit(g, n, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(m.to_string());
        None
    }
    let mut done = BTreeSet::new();
    for m in graph.keys() {
        if let Some(c) = visit(&graph, m, &mut Vec::new(), &mut done) {
            panic!("import circle in crates/eddy: {}", c.join(" -> "));
        }
    }
}
