//! TOML files: `--config FILE` (the option groups, as wasmtime's `--config` reads them) and
//! `-C cache-config=FILE` (the compile cache, the layout `eddy config new` writes).

use std::path::{Path, PathBuf};

use super::{usage, Failure};

/// The option-group items of a `--config FILE`, one list per group, each item `KEY=VALUE`
/// as it would be written after `-W`, `-S`, `-C`, `-O` or `-D`.
#[derive(Debug, Default)]
pub(super) struct ConfigItems {
    pub(super) wasm: Vec<String>,
    pub(super) wasi: Vec<String>,
    pub(super) codegen: Vec<String>,
    pub(super) optimize: Vec<String>,
    pub(super) debug: Vec<String>,
}

/// Reads a `--config FILE`: tables `[wasm]`, `[wasi]`, `[codegen]`, `[optimize]`, `[debug]`
/// whose keys are the groups' keys (`max-wasm-stack = 65536`, `inherit-env = true`,
/// `opt-level = 0`, `timeout = "10s"`). Booleans become `y`/`n`, numbers and strings their
/// text; a `{ secs, nanos }` table (wasmtime's duration) a duration. The keys are checked by
/// the group as if given on the command line, after which the command line's own items
/// apply (they win). Errors (usage): an unreadable file, TOML that does not parse, an
/// unknown table, a value of another type.
pub(super) fn read_config(path: &Path) -> Result<ConfigItems, Failure> {
    let text = std::fs::read_to_string(path)
        .or_else(|e| usage(format!("--config {}: cannot read it: {e}", path.display())))?;
    let doc: toml::Table = text.parse().or_else(|e: toml::de::Error| {
        usage(format!("--config {}: {}", path.display(), one_line(&e.to_string())))
    })?;
    let mut out = ConfigItems::default();
    for (section, value) in &doc {
        let list = match section.as_str() {
            "wasm" => &mut out.wasm,
            "wasi" => &mut out.wasi,
            "codegen" => &mut out.codegen,
            "optimize" => &mut out.optimize,
            "debug" => &mut out.debug,
            other => {
                return usage(format!(
                    "--config {}: unknown table `[{other}]` (known: wasm, wasi, codegen, optimize, debug)",
                    path.display()
                ))
            }
        };
        let Some(table) = value.as_table() else {
            return usage(format!("--config {}: `{section}` must be a table", path.display()));
        };
        for (key, v) in table {
            let text = scalar(v).ok_or_else(|| {
                Failure::Usage(format!(
                    "--config {}: [{section}] {key}: expected a boolean, number, string or duration",
                    path.display()
                ))
            })?;
            list.push(format!("{key}={text}"));
        }
    }
    Ok(out)
}

/// A TOML value as option text: `y`/`n`, a number, a string, `{ secs, nanos }` as `Ns`.
fn scalar(v: &toml::Value) -> Option<String> {
    Some(match v {
        toml::Value::Boolean(b) => if *b { "y" } else { "n" }.to_string(),
        toml::Value::Integer(n) => n.to_string(),
        toml::Value::Float(f) => f.to_string(),
        toml::Value::String(s) => s.clone(),
        toml::Value::Table(t) => {
            let secs = t.get("secs").and_then(toml::Value::as_integer).unwrap_or(0);
            let nanos = t.get("nanos").and_then(toml::Value::as_integer).unwrap_or(0);
            if t.keys().any(|k| k != "secs" && k != "nanos") {
                return None;
            }
            format!("{}ns", secs.checked_mul(1_000_000_000)?.checked_add(nanos)?)
        }
        _ => return None,
    })
}

/// wasmtime's cache-config keys that Eddy reads and ignores: its cache has its own policy.
const IGNORED_CACHE_KEYS: &[&str] = &[
    "worker-event-queue-size",
    "baseline-compression-level",
    "optimized-compression-level",
    "optimized-compression-usage-counter-threshold",
    "cleanup-interval",
    "optimizing-compression-task-timeout",
    "allowed-clock-drift-for-files-from-future",
    "file-count-soft-limit",
    "files-total-size-soft-limit",
    "file-count-limit-percent-if-deleting",
    "files-total-size-limit-percent-if-deleting",
];

/// Reads a cache config (`-C cache-config=FILE`): a `[cache]` table with `enabled`
/// (default true) and `directory` (default Eddy's cache directory); wasmtime's tuning keys
/// ([`IGNORED_CACHE_KEYS`]) are accepted and ignored. Returns the cache directory, `None`
/// for a disabled cache. Errors (usage): an unreadable file, bad TOML, no `[cache]` table,
/// an unknown key or a value of the wrong type.
pub(super) fn cache_config(path: &str) -> Result<Option<PathBuf>, Failure> {
    let bad = |why: String| Failure::Usage(format!("-C cache-config={path}: {why}"));
    let text = std::fs::read_to_string(path).map_err(|e| bad(format!("cannot read it: {e}")))?;
    let doc: toml::Table =
        text.parse().map_err(|e: toml::de::Error| bad(one_line(&e.to_string())))?;
    let Some(cache) = doc.get("cache").and_then(toml::Value::as_table) else {
        return Err(bad("no `[cache]` table".to_string()));
    };
    let mut enabled = true;
    let mut dir = eddy::default_cache_dir();
    for (k, v) in cache {
        match k.as_str() {
            "enabled" => {
                enabled =
                    v.as_bool().ok_or_else(|| bad("`enabled` must be true or false".into()))?
            }
            "directory" => {
                let d = v.as_str().ok_or_else(|| bad("`directory` must be a string".into()))?;
                dir = Some(PathBuf::from(d));
            }
            k if IGNORED_CACHE_KEYS.contains(&k) => {}
            other => return Err(bad(format!("unknown key `{other}` in [cache]"))),
        }
    }
    Ok(if enabled { dir } else { None })
}

/// What `eddy config new` writes: a cache config with every key Eddy reads.
pub(super) const CACHE_CONFIG_TEMPLATE: &str = "\
# Eddy's compile-cache configuration, for `eddy run -C cache-config=FILE`
# (the layout of wasmtime's cache config; wasmtime's tuning keys are accepted and ignored).

[cache]
enabled = true
# Where compiled programs are kept (default: $EDDY_CACHE_DIR, else $XDG_CACHE_HOME/eddy,
# else ~/.cache/eddy).
# directory = \"/path/to/cache\"
";

/// The first line of a multi-line message (toml's errors quote the source over lines),
/// with the rest's first meaningful line appended.
fn one_line(s: &str) -> String {
    let mut lines = s.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('|'));
    let first = lines.next().unwrap_or_default().to_string();
    match lines.next_back() {
        Some(last) if last != first => format!("{first}: {last}"),
        _ => first,
    }
}
