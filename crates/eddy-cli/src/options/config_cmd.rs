//! `eddy config new [PATH]`: writes a compile-cache configuration file.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use eddy::Error;

use super::config_file::CACHE_CONFIG_TEMPLATE;
use super::Failure;

/// Manage configuration files (as wasmtime's `config`).
#[derive(Args, Debug)]
pub struct ConfigCommand {
    #[command(subcommand)]
    action: ConfigAction,
}

#[derive(Subcommand, Debug)]
enum ConfigAction {
    /// Write a new compile-cache configuration (for `-C cache-config=FILE`) to PATH (default
    /// `$XDG_CONFIG_HOME/eddy/config.toml`, else `~/.config/eddy/config.toml`); refuses to
    /// overwrite an existing file.
    New {
        /// Where to write it.
        #[arg(value_name = "PATH")]
        path: Option<PathBuf>,
    },
}

impl ConfigCommand {
    /// Writes the file and says where on stdout. Errors: `Failure::Eddy` (`Error::Other`)
    /// if the file exists, no default location is known, or writing fails.
    pub fn execute(self) -> Result<i32, Failure> {
        let ConfigAction::New { path } = self.action;
        let path = match path {
            Some(p) => p,
            None => default_path().ok_or_else(|| {
                Error::Other("no default place for the config: set HOME or give a PATH".into())
            })?,
        };
        if path.exists() {
            return Err(Error::Other(format!(
                "`{}` exists already; remove it or name another PATH",
                path.display()
            ))
            .into());
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| Error::Other(format!("cannot create `{}`: {e}", dir.display())))?;
        }
        std::fs::write(&path, CACHE_CONFIG_TEMPLATE)
            .map_err(|e| Error::Other(format!("cannot write `{}`: {e}", path.display())))?;
        println!("wrote a new configuration file to `{}`", path.display());
        Ok(0)
    }
}

/// `$XDG_CONFIG_HOME/eddy/config.toml`, else `$HOME/.config/eddy/config.toml`.
fn default_path() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    Some(base.join("eddy").join("config.toml"))
}
