//! `--dir HOST[::GUEST][:ro]`.

use std::path::PathBuf;

use eddy::Preopen;

use super::{usage, Failure};

/// Colon suffixes that look like a preopen option but are not `:ro` (any case, `:RO` too):
/// refused rather than silently becoming part of the guest path.
pub(super) const DIR_OPTION_LOOKALIKES: &[&str] = &[
    "ro",
    "rw",
    "r",
    "w",
    "wo",
    "readonly",
    "read-only",
    "read_only",
    "readwrite",
    "read-write",
    "read_write",
    "writeonly",
    "write-only",
    "write_only",
    "write",
];

/// Parses `HOST[::GUEST][:ro]`. Usage errors: an empty HOST or GUEST, or a GUEST ending in a
/// colon suffix that looks like an option but is not exactly `:ro` (`:RO`, `:rw`, …).
pub(super) fn parse_dir(arg: &str) -> Result<Preopen, Failure> {
    let (s, read_only) = match arg.strip_suffix(":ro") {
        Some(rest) => (rest, true),
        None => (arg, false),
    };
    let (host, guest) = s.split_once("::").unwrap_or((s, s));
    if host.is_empty() {
        return usage(format!("--dir {arg:?}: empty host directory (expected HOST[::GUEST][:ro])"));
    }
    if guest.is_empty() {
        return usage(format!("--dir {arg:?}: empty guest path (expected HOST[::GUEST][:ro])"));
    }
    if let Some((_, suffix)) = guest.rsplit_once(':') {
        if DIR_OPTION_LOOKALIKES.contains(&suffix.to_ascii_lowercase().as_str()) {
            return usage(format!(
                "--dir {arg:?}: unknown option `:{suffix}` (the only one is `:ro`, read-only; \
                 directories are read-write without it)"
            ));
        }
    }
    Ok(Preopen { host: PathBuf::from(host), guest: guest.to_string(), read_only })
}
