//! `eddy wast FILE...`: runs WebAssembly spec-test scripts through Eddy's engine.

use std::path::PathBuf;

use clap::Args;
use eddy::{Engine, Error};
use wasmtime_wast::{Async, SpectestConfig, WastContext};

use super::engine_flags::EngineFlags;
use super::Failure;

/// Run `.wast` spec-test scripts (modules, `assert_return`, `assert_trap`, `assert_invalid`,
/// ...) through the engine Eddy runs programs on, with the same `-W`/`-C`/`-O`/`-D` options;
/// the `spectest` module is linked. Exit status 0 when every directive of every file
/// passes, 1 at the first failing one (its file, line and why on stderr).
#[derive(Args, Debug)]
pub struct WastCommand {
    #[command(flatten)]
    engine: EngineFlags,
    /// The scripts, run in order.
    #[arg(value_name = "FILE", required = true)]
    files: Vec<PathBuf>,
}

impl WastCommand {
    /// Runs the scripts. Errors: usage errors of the engine options; `Failure::Eddy` naming
    /// the file and directive that failed.
    pub fn execute(self) -> Result<i32, Failure> {
        if let Some(help) = self.engine.help() {
            print!("{help}");
            return Ok(0);
        }
        let mut config = self.engine.options()?.engine;
        config.cache_dir = None;
        let engine = Engine::new(&config)?;
        for file in &self.files {
            let mut cx = WastContext::new(engine.wasmtime(), Async::No, |_| {});
            cx.register_spectest(&SpectestConfig {
                use_shared_memory: false,
                suppress_prints: false,
            })
            .map_err(|e| Error::Other(format!("cannot link `spectest`: {e}")))?;
            cx.run_file(file).map_err(|e| {
                let msg = format!("{e:#}").replace('\n', " ");
                Error::Other(format!("wast `{}`: {msg}", file.display()))
            })?;
        }
        Ok(0)
    }
}
