//! `--deterministic` and `--seed N` for `eddy run`: what they refuse, and the
//! [`eddy::Deterministic`] settings they give the run.
//!
//! A deterministic run sees virtual clocks and seeded random bytes (see
//! [`eddy::Deterministic`]), only the environment given with `--env NAME=VALUE`, and no
//! network. Flags that would let host state in are refused with one line (status 2): `-S
//! inherit-env` and `--env NAME` (the host's values), and every network grant (`-S
//! inherit-network`, `-S allow-ip-name-lookup`, `-S tcplisten`, `--allow-connect`,
//! `--allow-bind`).

use eddy::{Capabilities, Deterministic};

use crate::options::Failure;

/// Whether `-S` items `wasi` turn `key` on (`key`, `key=y`; the values were checked
/// already).
fn on(wasi: &[String], key: &str) -> bool {
    wasi.iter().flat_map(|s| s.split(',')).any(|item| {
        let (k, v) = item.split_once('=').unwrap_or((item, "y"));
        k == key && matches!(v, "y" | "yes" | "true" | "")
    })
}

/// With `deterministic`, checks the run's other flags (`wasi`: the `-S` values, `envs`: the
/// `--env` values, `caps`: the network grants already parsed) and sets
/// `caps.deterministic` with `seed` (default 0). Errors: a usage error naming the first flag
/// a deterministic run refuses.
pub fn apply(
    deterministic: bool,
    seed: Option<u64>,
    wasi: &[String],
    envs: &[String],
    caps: &mut Capabilities,
) -> Result<(), Failure> {
    if !deterministic {
        return Ok(());
    }
    let refuse = |what: &str, why: &str| {
        Err(Failure::Usage(format!("--deterministic: {what} is refused: {why}")))
    };
    let host_env = "a deterministic run sees only variables given as --env NAME=VALUE";
    if on(wasi, "inherit-env") {
        return refuse("-S inherit-env", host_env);
    }
    if let Some(e) = envs.iter().find(|e| !e.contains('=')) {
        return refuse(&format!("--env {e} (the host's value)"), host_env);
    }
    let no_net = "a deterministic run has no network";
    let n = &caps.network;
    let grants = [
        ("-S inherit-network", n.inherit_network),
        ("-S allow-ip-name-lookup", n.allow_ip_name_lookup),
        ("-S tcplisten", !caps.tcp_listen.is_empty()),
        ("--allow-connect", !n.allow_connect.is_empty()),
        ("--allow-bind", !n.allow_bind.is_empty()),
    ];
    if let Some((flag, _)) = grants.iter().find(|g| g.1) {
        return refuse(flag, no_net);
    }
    caps.deterministic =
        Some(Deterministic { seed: seed.unwrap_or(0), ..Deterministic::default() });
    Ok(())
}
