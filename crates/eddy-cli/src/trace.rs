//! `--trace` for components: one line per WASI 0.2 or 0.3 host call on stderr (an async 0.3
//! call: when it completes, with the time it took, waiting included).
//!
//! The host's WASI 0.2 and 0.3 functions run inside a TRACE span named `wit-bindgen import` (fields
//! `module`, `function`) with a `call` event carrying the arguments and a `return` event
//! carrying the result (wasmtime's bindgen `tracing` option; eddy-wasi makes the same for the
//! functions it defines itself). This layer collects them per span and, when the span
//! closes, prints `MODULE::FUNCTION(ARGS) -> RESULT [DURATION]`, the shape of the preview1
//! trace lines. Lists are shown as `"..."` (or a length), never their bytes.

use std::fmt::{self, Write};
use std::time::Instant;

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::registry::LookupSpan;

/// The layer (see the module docs).
pub struct ComponentCalls;

/// What one call has recorded so far (kept in its span's extensions).
struct Call {
    start: Instant,
    module: String,
    function: String,
    args: String,
    result: String,
}

/// Collects a span's or event's fields: `module`/`function`, the `message` (`call` or
/// `return`), and every other field as `name=value`.
#[derive(Default)]
struct Fields {
    module: String,
    function: String,
    message: String,
    rest: String,
    result: String,
}

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        match field.name() {
            "module" => self.module = value.to_owned(),
            "function" => self.function = value.to_owned(),
            _ => self.record_debug(field, &value),
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        match field.name() {
            "message" => self.message = format!("{value:?}"),
            "result" => self.result = compact(&format!("{value:?}")),
            name => {
                let sep = if self.rest.is_empty() { "" } else { ", " };
                // `self_`, `in_`: the Rust spelling of the WIT names `self`, `in`.
                let value = compact(&format!("{value:?}"));
                let _ = write!(self.rest, "{sep}{}={value}", name.trim_end_matches('_'));
            }
        }
    }
}

/// Shortens wasmtime's `Resource { rep: 3, state: "borrow" }` to `borrow#3` (and an owned
/// handle to `own#3`); everything else is kept.
fn compact(s: &str) -> String {
    const OPEN: &str = "Resource { rep: ";
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find(OPEN) {
        out.push_str(&rest[..i]);
        let after = &rest[i + OPEN.len()..];
        let parsed = after.split_once(", state: \"").and_then(|(rep, tail)| {
            let (state, tail) = tail.split_once("\" }")?;
            Some((rep, state, tail))
        });
        match parsed {
            Some((rep, state, tail)) if rep.bytes().all(|b| b.is_ascii_digit()) => {
                let kind = if state == "borrow" { "borrow" } else { "own" };
                let _ = write!(out, "{kind}#{rep}");
                rest = tail;
            }
            _ => {
                out.push_str(OPEN);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

impl<S> Layer<S> for ComponentCalls
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        if attrs.metadata().name() != "wit-bindgen import" {
            return;
        }
        let mut f = Fields::default();
        attrs.record(&mut f);
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(Call {
                start: Instant::now(),
                module: f.module,
                function: f.function,
                args: String::new(),
                result: String::new(),
            });
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let Some(span) = ctx.event_span(event) else { return };
        let mut ext = span.extensions_mut();
        let Some(call) = ext.get_mut::<Call>() else { return };
        let mut f = Fields::default();
        event.record(&mut f);
        match f.message.as_str() {
            "call" => call.args = f.rest,
            "return" => call.result = f.result,
            _ => {}
        }
    }

    fn on_close(&self, id: Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(&id) else { return };
        let ext = span.extensions();
        let Some(c) = ext.get::<Call>() else { return };
        eprintln!(
            "{}::{}({}) -> {} [{:?}]",
            c.module,
            c.function,
            c.args,
            if c.result.is_empty() { "trap" } else { &c.result },
            c.start.elapsed()
        );
    }
}

#[cfg(test)]
mod tests {
    use super::compact;

    #[test]
    fn compact_shortens_resources_only() {
        assert_eq!(
            compact(r#"Ok(Resource { rep: 12, state: "own (not in table)" })"#),
            "Ok(own#12)"
        );
        assert_eq!(compact(r#"Resource { rep: 0, state: "borrow" }"#), "borrow#0");
        assert_eq!(compact("Err(Closed)"), "Err(Closed)");
        assert_eq!(compact("Resource { rep: x }"), "Resource { rep: x }");
    }
}
