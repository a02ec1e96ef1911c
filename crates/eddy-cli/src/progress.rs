//! The progress line on long compiles: when compiling takes more than [`DELAY`] and stderr
//! is a terminal, one line on stderr (`compiling python.wasm (26.2 MB); it will be cached`),
//! erased when the compile ends. Silent when stderr is not a terminal or with `-q`.

use std::io::{IsTerminal, Write};
use std::sync::mpsc;
use std::time::Duration;

use eddy::{CompileObserver, CompileStart};

/// How long a compile runs before the line appears.
pub const DELAY: Duration = Duration::from_secs(1);

/// The CLI's [`CompileObserver`]: prints the line on stderr when it is a terminal.
#[derive(Debug)]
pub struct Progress;

impl Progress {
    /// An observer for `engine`, unless `quiet` or stderr is not a terminal (then none).
    pub fn attach(engine: &mut eddy::Engine, quiet: bool) {
        if !quiet && std::io::stderr().is_terminal() {
            engine.set_compile_observer(std::sync::Arc::new(Progress));
        }
    }
}

impl CompileObserver for Progress {
    fn start(&self, what: &CompileStart<'_>) -> Box<dyn Send> {
        Box::new(Line::spawn(line(what), DELAY, std::io::stderr()))
    }
}

/// The line for `what`: the file's name, its size in MB (10^6 bytes, as file managers show
/// sizes) and whether the result is cached.
pub fn line(what: &CompileStart<'_>) -> String {
    let name = what.name.file_name().unwrap_or(what.name.as_os_str()).to_string_lossy();
    let mb = what.bytes as f64 / 1e6;
    let tail = if what.cached { "; it will be cached" } else { "" };
    format!("compiling {name} ({mb:.1} MB){tail}")
}

/// A pending or shown line: a timer thread that writes `text` after the delay unless it is
/// dropped first; dropping it after erases the line (`\r`, erase-line, `\r`), and waits for
/// the thread, so nothing is left half-written when the program's own output starts.
#[derive(Debug)]
pub struct Line {
    done: Option<mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Line {
    /// Starts the timer: `text` goes to `out` after `delay`.
    pub fn spawn(text: String, delay: Duration, mut out: impl Write + Send + 'static) -> Line {
        let (tx, rx) = mpsc::channel::<()>();
        let thread = std::thread::spawn(move || {
            if rx.recv_timeout(delay) != Err(mpsc::RecvTimeoutError::Timeout) {
                return;
            }
            let _ = write!(out, "{text}");
            let _ = out.flush();
            let _ = rx.recv();
            let _ = write!(out, "\r\x1b[2K\r");
            let _ = out.flush();
        });
        Line { done: Some(tx), thread: Some(thread) }
    }
}

impl Drop for Line {
    fn drop(&mut self) {
        drop(self.done.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    /// A writer the test can read back.
    #[derive(Clone, Default)]
    struct Buf(Arc<Mutex<Vec<u8>>>);
    impl Write for Buf {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_quick_compile_prints_nothing_and_a_slow_one_a_line_then_erases_it() {
        let buf = Buf::default();
        drop(Line::spawn("quick".into(), Duration::from_millis(500), buf.clone()));
        assert_eq!(buf.0.lock().unwrap().as_slice(), b"");

        let buf = Buf::default();
        let l = Line::spawn("slow".into(), Duration::from_millis(20), buf.clone());
        std::thread::sleep(Duration::from_millis(300));
        assert_eq!(buf.0.lock().unwrap().as_slice(), b"slow");
        drop(l);
        assert_eq!(buf.0.lock().unwrap().as_slice(), b"slow\r\x1b[2K\r");
    }

    #[test]
    fn the_line_names_the_file_its_size_and_the_cache() {
        let name = std::path::Path::new("/x/y/python-3.12.0.wasm");
        let w = CompileStart { name, bytes: 26_214_400, cached: true };
        assert_eq!(line(&w), "compiling python-3.12.0.wasm (26.2 MB); it will be cached");
        let w = CompileStart { name, bytes: 1_000, cached: false };
        assert_eq!(line(&w), "compiling python-3.12.0.wasm (0.0 MB)");
    }
}
