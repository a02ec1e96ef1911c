//! `eddy compile`.

use std::path::PathBuf;

use clap::Args;
use eddy::{Engine, Error};

use super::engine_flags::EngineFlags;
use super::Failure;

#[derive(Args, Debug)]
pub struct CompileCommand {
    #[command(flatten)]
    engine: EngineFlags,
    /// Output file (default: FILE with the extension `.cwasm`).
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    output: Option<PathBuf>,
    /// Print no progress line on long compiles.
    #[arg(short = 'q', long)]
    quiet: bool,
    /// The program to compile.
    #[arg(value_name = "FILE")]
    file: PathBuf,
}

impl CompileCommand {
    pub fn execute(self) -> Result<i32, Failure> {
        if let Some(help) = self.engine.help() {
            print!("{help}");
            return Ok(0);
        }
        let w = self.engine.options()?;
        let mut config = w.engine;
        config.cache_dir = None;
        let mut engine = Engine::new(&config)?;
        crate::progress::Progress::attach(&mut engine, self.quiet);
        let bytes = engine.precompile_file(&self.file)?;
        let out = self.output.unwrap_or_else(|| self.file.with_extension("cwasm"));
        std::fs::write(&out, bytes)
            .map_err(|e| Error::Other(format!("cannot write `{}`: {e}", out.display())))?;
        Ok(0)
    }
}
