//! `eddy settings`: the Cranelift settings of the host target, as wasmtime prints them.

use clap::Args;
use cranelift_codegen::settings::{self, SettingKind};

use super::Failure;

/// Print the Cranelift code-generation settings for this machine's target (each setting's
/// name and what it does, by kind), then the ones inferred from the host CPU: what
/// compiled code (and the compile cache's key) may use.
#[derive(Args, Debug)]
pub struct SettingsCommand {}

impl SettingsCommand {
    /// Prints the settings. Errors: `Failure::Eddy` if Cranelift does not support the host.
    pub fn execute(self) -> Result<i32, Failure> {
        let unsupported = |e: &dyn std::fmt::Display| {
            Failure::Eddy(eddy::Error::Other(format!("cannot list the host's settings: {e}")))
        };
        let builder = cranelift_native::builder_with_options(false).map_err(|e| unsupported(&e))?;
        let triple = builder.triple().to_string();
        let mut by_kind: [(&str, SettingKind, Vec<settings::Setting>); 4] = [
            ("Boolean settings", SettingKind::Bool, vec![]),
            ("Enum settings", SettingKind::Enum, vec![]),
            ("Numerical settings", SettingKind::Num, vec![]),
            ("Presets", SettingKind::Preset, vec![]),
        ];
        let shared = settings::builder();
        for s in builder.iter().chain(shared.iter()) {
            if let Some(slot) = by_kind.iter_mut().find(|(_, k, _)| *k == s.kind) {
                slot.2.push(s);
            }
        }
        let mut out = format!("Cranelift settings for target '{triple}':\n");
        for (title, _, list) in &by_kind {
            if list.is_empty() {
                continue;
            }
            let width = list.iter().map(|s| s.name.len()).max().unwrap_or(0);
            out.push_str(&format!("\n{title}:\n"));
            for s in list {
                out.push_str(&format!("  {:width$}  {}", s.name, s.description));
                if let Some(values) = s.values {
                    out.push_str(&format!(" Supported values: {}.", values.join(", ")));
                }
                out.push('\n');
            }
        }
        let native = cranelift_native::builder().map_err(|e| unsupported(&e))?;
        let isa = native
            .finish(settings::Flags::new(settings::builder()))
            .map_err(|e| unsupported(&e))?;
        let inferred: Vec<String> = isa
            .isa_flags()
            .iter()
            .filter(|v| v.as_bool() == Some(true))
            .map(|v| v.name.to_string())
            .collect();
        out.push_str(&format!(
            "\nSettings inferred for the current host:\n  {}\n",
            inferred.join("\n  ")
        ));
        print!("{out}");
        Ok(0)
    }
}
