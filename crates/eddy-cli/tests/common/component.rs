//! Preview1 guests adapted into WASI 0.2 components, for the `p2_*` tests.
//!
//! A C guest's core module (`program(name)`) is wrapped with wit-component and the
//! `wasi_snapshot_preview1` *command* adapter from `wasi-preview1-component-adapter-provider`
//! (it imports `wasi:*@0.2.6`), once per test binary and name, into
//! `<target dir>/eddy-test-components/<name>.component.wasm`.
//!
//! Through the adapter a guest's `proc_exit(n)` with n ≠ 0 becomes `wasi:cli/exit.exit(err)`,
//! exit status 1.

use std::fs;
use std::path::PathBuf;

use wasi_preview1_component_adapter_provider::{
    WASI_SNAPSHOT_PREVIEW1_ADAPTER_NAME, WASI_SNAPSHOT_PREVIEW1_COMMAND_ADAPTER,
};

/// Encodes a preview1 command module into a component with the command adapter.
pub fn adapt(module: &[u8]) -> Vec<u8> {
    wit_component::ComponentEncoder::default()
        .module(module)
        .expect("module accepted by wit-component")
        .adapter(WASI_SNAPSHOT_PREVIEW1_ADAPTER_NAME, WASI_SNAPSHOT_PREVIEW1_COMMAND_ADAPTER)
        .expect("command adapter accepted")
        .validate(true)
        .encode()
        .expect("component encodes")
}

/// The C guest `name` (see `super::program`) adapted into a component; returns its path.
pub fn component(name: &str) -> PathBuf {
    let module = super::program(name);
    let stem = module.file_stem().unwrap().to_str().unwrap().to_owned();
    let dir = super::cache_dir().with_file_name("eddy-test-components");
    fs::create_dir_all(&dir).unwrap();
    let out = dir.join(format!("{stem}.component.wasm"));
    let bytes = adapt(&fs::read(&module).unwrap());
    // Written atomically: tests in other binaries may read it concurrently.
    let tmp =
        dir.join(format!(".{stem}.{}.{:?}.tmp", std::process::id(), std::thread::current().id()));
    fs::write(&tmp, &bytes).unwrap();
    fs::rename(&tmp, &out).unwrap();
    out
}

/// [`component`] as a string (for argument lists).
pub fn component_str(name: &str) -> String {
    component(name).to_str().expect("path is UTF-8").to_owned()
}

/// The guest `name` both ways: its preview1 core module, then the same module adapted into a
/// WASI 0.2 component. Tests whose guests must print the same under both ABIs loop over this.
pub fn both_abis(name: &str) -> [String; 2] {
    [super::program_str(name), component_str(name)]
}

/// The guest `name` both ways with the output each must print: the core module with
/// `expected`, then the adapted component with `expected` after each `(preview1, component)`
/// replacement — the places where the *adapter* answers differently. Every replacement must
/// apply, so a stale one fails the test.
pub fn both_abis_expecting(
    name: &str,
    expected: &str,
    adapter_differences: &[(&str, &str)],
) -> [(String, String); 2] {
    let mut component_expected = expected.to_owned();
    for (preview1, component) in adapter_differences {
        assert!(
            component_expected.contains(preview1),
            "adapter difference {preview1:?} is not in the expected output"
        );
        component_expected = component_expected.replace(preview1, component);
    }
    [(super::program_str(name), expected.to_owned()), (component_str(name), component_expected)]
}
