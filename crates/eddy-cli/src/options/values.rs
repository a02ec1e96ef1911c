//! Parsing option values: `KEY[=VAL]` items, y/n, durations, sizes.

use std::time::Duration;

use super::{usage, Failure};

/// Splits `KEY[=VAL]`; a bare KEY means `y`.
pub(super) fn key_val(s: &str) -> (&str, &str) {
    s.split_once('=').unwrap_or((s, "y"))
}

pub(super) fn yes_no(opt: &str, key: &str, v: &str) -> Result<bool, Failure> {
    match v {
        "y" | "yes" | "true" | "" => Ok(true),
        "n" | "no" | "false" => Ok(false),
        _ => usage(format!("{opt} {key}={v}: expected y or n")),
    }
}

pub(super) fn parse_duration(s: &str) -> Option<Duration> {
    let (num, unit) = s.find(|c: char| c.is_ascii_alphabetic()).map_or((s, "s"), |i| s.split_at(i));
    let n: f64 = num.parse().ok()?;
    let secs = match unit {
        "ns" => n / 1e9,
        "us" => n / 1e6,
        "ms" => n / 1e3,
        "s" => n,
        "m" => n * 60.0,
        "h" => n * 3600.0,
        _ => return None,
    };
    Duration::try_from_secs_f64(secs).ok()
}

pub(super) fn parse_size(s: &str) -> Option<usize> {
    let (num, mult) = match s.char_indices().find(|(_, c)| c.is_ascii_alphabetic()) {
        Some((i, _)) => {
            let m = match &s[i..] {
                "K" | "KiB" | "k" => 1 << 10,
                "M" | "MiB" => 1 << 20,
                "G" | "GiB" => 1 << 30,
                _ => return None,
            };
            (&s[..i], m)
        }
        None => (s, 1),
    };
    num.parse::<usize>().ok()?.checked_mul(mult)
}

/// Every `KEY[=VAL]` item of a group's occurrences (`-W a,b=1 -W c` → `a`, `b=1`, `c`); none
/// of Eddy's values contains a comma.
pub(super) fn items(list: &[String]) -> impl Iterator<Item = &str> {
    list.iter().flat_map(|s| s.split(',')).filter(|s| !s.is_empty())
}
