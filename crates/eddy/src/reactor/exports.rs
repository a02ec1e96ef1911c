//! What a reactor can call: an export named as `--invoke` spells it, resolved once per
//! program, and the conversions between component `Val`s and core wasm values.

use wasmtime::component::types::ComponentFunc;
use wasmtime::component::{Component, ComponentExportIndex, Type, Val};
use wasmtime::{Module, Val as CoreVal, ValType};

use crate::engine::Engine;
use crate::error::Error;
use crate::program::list;

/// One exported function, resolved.
#[derive(Debug)]
pub(crate) struct Export {
    /// The name as the caller wrote it (for messages).
    pub(crate) name: String,
    /// Parameter types, as component types (a core module's i32/i64/f32/f64 as
    /// s32/s64/float32/float64).
    pub(crate) params: Vec<Type>,
    /// Result types, likewise.
    pub(crate) results: Vec<Type>,
    /// Where it is.
    pub(crate) at: At,
}

/// Where an export is found in an instance.
#[derive(Debug)]
pub(crate) enum At {
    /// A component function; `async_` for an async-lifted one (WASI 0.3 style).
    Component { index: ComponentExportIndex, ty: ComponentFunc, async_: bool },
    /// A core module's function of this name, with its core types.
    Module { params: Vec<ValType>, results: Vec<ValType> },
}

impl Export {
    /// Resolves `name` (`f`, or `iface#f` with the abbreviations of `--invoke`) in a
    /// component. Errors: `Error::Usage`, listing the exported functions.
    pub(crate) fn component(engine: &Engine, c: &Component, name: &str) -> Result<Export, Error> {
        let (iface, func, ty) = crate::calls::resolve(engine, c, name)?;
        let index = match &iface {
            None => c.get_export_index(None, &func),
            Some(i) => {
                c.get_export_index(None, i).and_then(|i| c.get_export_index(Some(&i), &func))
            }
        }
        .ok_or_else(|| Error::Other(format!("`{name}` has no export index")))?;
        let params = ty.params().map(|(_, t)| t).collect();
        let results = ty.results().collect();
        let async_ = ty.async_();
        Ok(Export {
            name: name.to_string(),
            params,
            results,
            at: At::Component { index, ty, async_ },
        })
    }

    /// Resolves `name` among a core module's exported functions. Errors: `Error::Usage`
    /// (no such function, listing them; or a parameter or result type other than
    /// i32/i64/f32/f64).
    pub(crate) fn module(m: &Module, name: &str) -> Result<Export, Error> {
        let funcs: Vec<String> =
            m.exports().filter(|e| e.ty().func().is_some()).map(|e| e.name().to_string()).collect();
        let Some(ty) = m.get_export(name).and_then(|t| t.func().cloned()) else {
            return Err(Error::Usage(format!(
                "no exported function `{name}`; the module exports: {}",
                list(&funcs, "no functions")
            )));
        };
        let map = |t: ValType| match t {
            ValType::I32 => Ok(Type::S32),
            ValType::I64 => Ok(Type::S64),
            ValType::F32 => Ok(Type::Float32),
            ValType::F64 => Ok(Type::Float64),
            other => Err(Error::Usage(format!(
                "`{name}` uses a {other} value; a reactor passes only i32, i64, f32 and f64"
            ))),
        };
        let params: Vec<ValType> = ty.params().collect();
        let results: Vec<ValType> = ty.results().collect();
        Ok(Export {
            name: name.to_string(),
            params: params.iter().cloned().map(map).collect::<Result<_, _>>()?,
            results: results.iter().cloned().map(map).collect::<Result<_, _>>()?,
            at: At::Module { params, results },
        })
    }

    /// Checks the argument count (each value's type is checked by the engine when lowered).
    /// Errors: `Error::Usage` with the expected count.
    pub(crate) fn check_arity(&self, args: usize) -> Result<(), Error> {
        if args == self.params.len() {
            return Ok(());
        }
        Err(Error::Usage(format!(
            "`{}` takes {} argument(s), {args} given",
            self.name,
            self.params.len()
        )))
    }
}

/// A `Val` as the core value of type `t`: S32/U32 → i32, S64/U64 → i64, Float32 → f32,
/// Float64 → f64. Errors: `Error::Usage` naming the argument.
pub(crate) fn to_core(name: &str, i: usize, v: &Val, t: &ValType) -> Result<CoreVal, Error> {
    Ok(match (t, v) {
        (ValType::I32, Val::S32(x)) => CoreVal::I32(*x),
        (ValType::I32, Val::U32(x)) => CoreVal::I32(*x as i32),
        (ValType::I64, Val::S64(x)) => CoreVal::I64(*x),
        (ValType::I64, Val::U64(x)) => CoreVal::I64(*x as i64),
        (ValType::F32, Val::Float32(x)) => CoreVal::F32(x.to_bits()),
        (ValType::F64, Val::Float64(x)) => CoreVal::F64(x.to_bits()),
        (t, v) => {
            return Err(Error::Usage(format!(
                "argument {} of `{name}` must be a {t} (Val::{}), not {v:?}",
                i + 1,
                match t {
                    ValType::I32 => "S32",
                    ValType::I64 => "S64",
                    ValType::F32 => "Float32",
                    _ => "Float64",
                }
            )))
        }
    })
}

/// A core result as a `Val` (i32 → S32, i64 → S64, f32 → Float32, f64 → Float64).
pub(crate) fn from_core(v: &CoreVal) -> Val {
    match v {
        CoreVal::I32(x) => Val::S32(*x),
        CoreVal::I64(x) => Val::S64(*x),
        CoreVal::F32(x) => Val::Float32(f32::from_bits(*x)),
        CoreVal::F64(x) => Val::Float64(f64::from_bits(*x)),
        // `Export::module` admits only the four number types.
        _ => Val::Bool(false),
    }
}
