//! `eddy cache stats|clear`, and the value of `-C cache-size`.

use clap::{Args, Subcommand};

use crate::options::Failure;

/// `eddy cache`: look at or empty the compile cache.
#[derive(Args, Debug)]
pub struct CacheCommand {
    #[command(subcommand)]
    action: CacheAction,
}

#[derive(Subcommand, Debug)]
enum CacheAction {
    /// Print the cache's directory, its entries, their total size and the size bound.
    Stats {
        /// The bound to report (`-C cache-size` of the runs that use it; default 1G).
        #[arg(short = 'C', long = "codegen", value_name = "cache-size=BYTES")]
        codegen: Vec<String>,
    },
    /// Remove every entry of the cache; prints how many and how many bytes.
    Clear,
}

/// `-C cache-size=BYTES`: a whole number of bytes with an optional `K`/`M`/`G` suffix
/// (powers of 1024). Errors: a usage error naming the value.
pub fn parse_cache_size(v: &str) -> Result<u64, Failure> {
    let (num, mult) = match v.find(|c: char| c.is_ascii_alphabetic()) {
        Some(i) => {
            let m: u64 = match &v[i..] {
                "K" | "k" | "KiB" => 1 << 10,
                "M" | "MiB" => 1 << 20,
                "G" | "GiB" => 1 << 30,
                _ => 0,
            };
            (&v[..i], m)
        }
        None => (v, 1),
    };
    num.parse::<u64>().ok().filter(|_| mult > 0).and_then(|n| n.checked_mul(mult)).ok_or_else(
        || {
            Failure::Usage(format!(
                "-C cache-size={v}: invalid value, expected bytes (e.g. 1073741824, 512M, 2G)"
            ))
        },
    )
}

/// `n` bytes for people: `512 B`, `1.5 KiB`, `25.3 MiB`, `1.0 GiB`.
pub fn human(n: u64) -> String {
    let units = [("GiB", 1u64 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)];
    for (unit, size) in units {
        if n >= size {
            return format!("{:.1} {unit}", n as f64 / size as f64);
        }
    }
    format!("{n} B")
}

impl CacheCommand {
    /// Runs the subcommand: prints on stdout, returns status 0. Errors: no cache directory
    /// can be found (no `$EDDY_CACHE_DIR`, `$XDG_CACHE_HOME` or `$HOME`: status 1), the
    /// directory cannot be read or an entry removed (status 1), a bad `-C` (status 2).
    pub fn execute(self) -> Result<i32, Failure> {
        let Some(dir) = eddy::default_cache_dir() else {
            return Err(Failure::Eddy(eddy::Error::Other(
                "no compile-cache directory: set $EDDY_CACHE_DIR (or $XDG_CACHE_HOME or $HOME)"
                    .to_string(),
            )));
        };
        let io = |e: std::io::Error| {
            Failure::Eddy(eddy::Error::Other(format!(
                "cannot read the compile cache `{}`: {e}",
                dir.display()
            )))
        };
        match self.action {
            CacheAction::Stats { codegen } => {
                let mut bound = eddy::DEFAULT_CACHE_MAX_BYTES;
                for item in codegen.iter().flat_map(|s| s.split(',')).filter(|s| !s.is_empty()) {
                    match item.split_once('=') {
                        Some(("cache-size", v)) => bound = parse_cache_size(v)?,
                        _ => {
                            return Err(Failure::Usage(format!(
                            "eddy cache stats -C {item}: only cache-size=BYTES is meaningful here"
                        )))
                        }
                    }
                }
                let st = eddy::cache_stats(&dir).map_err(io)?;
                println!("directory: {}", dir.display());
                println!("entries: {}", st.entries);
                println!("size: {} bytes ({})", st.bytes, human(st.bytes));
                println!("bound: {} bytes ({})", bound, human(bound));
            }
            CacheAction::Clear => {
                let st = eddy::clear_cache(&dir).map_err(io)?;
                let noun = if st.entries == 1 { "entry" } else { "entries" };
                println!(
                    "removed {} {noun} ({} bytes) from {}",
                    st.entries,
                    st.bytes,
                    dir.display()
                );
            }
        }
        Ok(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_sizes_parse_with_suffixes_and_refuse_junk() {
        assert_eq!(parse_cache_size("4096").unwrap(), 4096);
        assert_eq!(parse_cache_size("64K").unwrap(), 64 << 10);
        assert_eq!(parse_cache_size("512M").unwrap(), 512 << 20);
        assert_eq!(parse_cache_size("2G").unwrap(), 2 << 30);
        for bad in ["", "x", "1T", "-1", "1.5G", "18446744073709551615G"] {
            assert!(parse_cache_size(bad).is_err(), "{bad}");
        }
        assert_eq!(human(512), "512 B");
        assert_eq!(human(1536), "1.5 KiB");
        assert_eq!(human(1 << 30), "1.0 GiB");
    }
}
