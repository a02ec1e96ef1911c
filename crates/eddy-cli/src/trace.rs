//! `--trace[=FILTER]`: one line per WASI host call — preview1/preview0 (events from
//! eddy-wasi's p1 view, target `eddy::p1`) and WASI 0.2/0.3 (spans, below) — written whole,
//! one write per line, to stderr or `--trace-file`, as text or JSON (`--trace-format`).
//!
//! Text: `MODULE::FUNCTION(ARGS) -> RESULT [DURATION]`. JSON: one object per line with
//! `module`, `function`, `args`, `result` (strings) and `ns` (the duration in ns).
//! An exit (`proc_exit`, 0.2/0.3 `exit`/`exit-with-code`) reads `-> exit(N)`.
//!
//! Components: the host's WASI 0.2 and 0.3 functions run inside a TRACE span named
//! `wit-bindgen import` (fields `module`, `function`) with a `call` event carrying the
//! arguments and a `return` event carrying the result (wasmtime's bindgen `tracing` option;
//! eddy-wasi makes the same for the functions it defines itself). This layer collects them
//! per span and prints the line when the span closes (an async 0.3 call: when it completes,
//! waiting included). Lists are shown as `"..."` (or a length), never their bytes.

use std::fmt::{self, Write};
use std::time::Instant;

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::registry::LookupSpan;

/// Where trace lines go and how they look; which calls are shown.
pub struct Sink {
    out: std::sync::Mutex<Box<dyn std::io::Write + Send>>,
    json: bool,
    filter: Filter,
}

impl Sink {
    /// A sink writing to `out` (stderr or a file), as JSON or text, of the calls `filter`
    /// selects.
    pub fn new(out: Box<dyn std::io::Write + Send>, json: bool, filter: Filter) -> Sink {
        Sink { out: std::sync::Mutex::new(out), json, filter }
    }

    /// Writes one call's line in one write (so it never splits), unless filtered out.
    fn line(&self, module: &str, function: &str, args: &str, result: &str, ns: u64) {
        if !self.filter.selects(module, function) {
            return;
        }
        let result =
            exit_status(result).map_or_else(|| result.to_string(), |n| format!("exit({n})"));
        let mut line = if self.json {
            serde_json::json!({
                "module": module, "function": function, "args": args, "result": result, "ns": ns
            })
            .to_string()
        } else {
            format!(
                "{module}::{function}({args}) -> {result} [{:?}]",
                std::time::Duration::from_nanos(ns)
            )
        };
        line.push('\n');
        if let Ok(mut out) = self.out.lock() {
            let _ = out.write_all(line.as_bytes());
            let _ = out.flush();
        }
    }
}

/// A component `exit`'s result, `Err(guest exited with status N)`: N.
fn exit_status(result: &str) -> Option<i32> {
    let rest = result.split_once("exited with status ")?.1;
    let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
    digits.parse().ok()
}

/// `--trace=FILTER`: a comma list of terms, each `all`, a group (`fs`, `sockets`, `clocks`,
/// `random`, `cli`, `poll`, `io`, `proc`, `sched`), a function (`path_open`, `open-at`,
/// `[method]descriptor.open-at`) or a module prefix (`wasi:filesystem`, `wasi_unstable`).
/// A call is shown when any term selects it.
#[derive(Clone, Debug)]
pub struct Filter {
    terms: Vec<String>,
}

impl Filter {
    /// Parses FILTER (empty or `all`: every call). Errors: a term that is empty.
    pub fn parse(s: &str) -> Result<Filter, String> {
        let terms: Vec<String> = s.split(',').map(|t| t.trim().to_string()).collect();
        if terms.iter().any(String::is_empty) && !s.is_empty() {
            return Err(format!(
                "--trace={s}: an empty term; expected e.g. --trace=fs,path_open,sockets"
            ));
        }
        Ok(Filter { terms: terms.into_iter().filter(|t| !t.is_empty()).collect() })
    }

    fn selects(&self, module: &str, function: &str) -> bool {
        if self.terms.is_empty() {
            return true;
        }
        let group = group_of(module, function);
        let short = function.rsplit('.').next().unwrap_or(function);
        self.terms.iter().any(|t| {
            t == "all"
                || t == "*"
                || t == group
                || t == function
                || t == short
                || t == module
                || (t.contains(':') || t.contains('_')) && module.starts_with(t.as_str())
        })
    }
}

/// The group of a call, for filters.
fn group_of(module: &str, function: &str) -> &'static str {
    if module.starts_with("wasi_") {
        return match function.split('_').next().unwrap_or_default() {
            "fd" | "path" => "fs",
            "sock" => "sockets",
            "clock" => "clocks",
            "poll" => "poll",
            "random" => "random",
            "args" | "environ" => "cli",
            "proc" => "proc",
            "sched" => "sched",
            _ => "other",
        };
    }
    if !module.contains(':') {
        // WASI 0.3 spans name the interface alone (`stdout`, `monotonic-clock`, `types`).
        return match module {
            "stdin" | "stdout" | "stderr" | "environment" | "exit" => "cli",
            m if m.starts_with("terminal-") => "cli",
            "monotonic-clock" | "system-clock" | "wall-clock" | "timezone" => "clocks",
            "random" | "insecure" | "insecure-seed" => "random",
            "preopens" => "fs",
            "ip-name-lookup" => "sockets",
            "types" if function.contains("descriptor") => "fs",
            "types" if function.contains("socket") => "sockets",
            _ => "other",
        };
    }
    let package = module.split('/').next().unwrap_or_default();
    match package {
        "wasi:filesystem" => "fs",
        "wasi:sockets" => "sockets",
        "wasi:clocks" => "clocks",
        "wasi:random" => "random",
        "wasi:cli" => "cli",
        "wasi:io" if module.starts_with("wasi:io/poll") => "poll",
        "wasi:io" => "io",
        _ => "other",
    }
}

/// The preview1 trace events (target `eddy::p1`, fields `module`, `function`, `args`,
/// `result`, `ns`) as lines.
pub struct P1Calls(pub std::sync::Arc<Sink>);

/// Collects a p1 event's fields.
#[derive(Default)]
struct P1Fields {
    module: String,
    function: String,
    args: String,
    result: String,
    ns: u64,
}

impl Visit for P1Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        match field.name() {
            "module" => self.module = value.to_owned(),
            "function" => self.function = value.to_owned(),
            "args" => self.args = value.to_owned(),
            "result" => self.result = value.to_owned(),
            _ => {}
        }
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        if field.name() == "ns" {
            self.ns = value;
        }
    }

    fn record_debug(&mut self, _field: &Field, _value: &dyn fmt::Debug) {}
}

impl<S: Subscriber> Layer<S> for P1Calls {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        if event.metadata().target() != "eddy::p1" {
            return;
        }
        let mut f = P1Fields::default();
        event.record(&mut f);
        self.0.line(&f.module, &f.function, &f.args, &f.result, f.ns);
    }
}

/// The WASI 0.2/0.3 call spans as lines (see the module docs).
pub struct ComponentCalls(pub std::sync::Arc<Sink>);

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
        let ns = u64::try_from(c.start.elapsed().as_nanos()).unwrap_or(u64::MAX);
        let result = if c.result.is_empty() { "trap" } else { &c.result };
        self.0.line(&c.module, &c.function, &c.args, result, ns);
    }
}

#[cfg(test)]
mod tests {
    use super::{compact, exit_status, Filter};

    #[test]
    fn filters_by_group_function_and_module() {
        let f = Filter::parse("fs,sock_send,wasi:clocks").unwrap();
        assert!(f.selects("wasi_snapshot_preview1", "path_open"));
        assert!(f.selects("wasi:filesystem/types@0.2.6", "[method]descriptor.open-at"));
        assert!(f.selects("wasi_snapshot_preview1", "sock_send"));
        assert!(!f.selects("wasi_snapshot_preview1", "sock_recv"));
        assert!(f.selects("wasi:clocks/monotonic-clock@0.3.0", "now"));
        assert!(!f.selects("wasi:random/random@0.2.6", "get-random-u64"));
        assert!(Filter::parse("open-at")
            .unwrap()
            .selects("wasi:filesystem/types@0.3.0", "[method]descriptor.open-at"));
        assert!(Filter::parse("").unwrap().selects("x", "y"));
        assert!(Filter::parse("cli").unwrap().selects("stdout", "write-via-stream"));
        assert!(Filter::parse("sockets").unwrap().selects("types", "[method]tcp-socket.connect"));
        assert!(Filter::parse("fs,,x").is_err());
    }

    #[test]
    fn exits_are_exits() {
        assert_eq!(exit_status("Err(guest exited with status 0)"), Some(0));
        assert_eq!(exit_status("Ok(())"), None);
    }

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
