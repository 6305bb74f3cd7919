//! The `logger` and `logLevel` options: each attempt, each wait and each retry at `debug`, and
//! the retry budget running empty at `warn` (once, until a call succeeds again). Lines carry the method, the URL, the status
//! and the (already redacted) error message: never a header, so never the key.

use wasm_bindgen::prelude::*;

use super::E;
use super::options::{Opts, type_error};

#[wasm_bindgen(module = "/js/glue.js")]
extern "C" {
    /// `logger[level](message)`: user code, so `catch` (a throwing logger is ignored).
    #[wasm_bindgen(js_name = log, catch)]
    fn log_js(logger: &JsValue, level: &str, message: &str) -> Result<(), JsValue>;
}

/// `logLevel`s, quietest first.
const LEVELS: [&str; 5] = ["off", "error", "warn", "info", "debug"];
/// The default `logLevel`.
const DEFAULT_LEVEL: usize = 2;

/// Whether `logger` has the four methods (reading them may throw: then it has not).
fn has_methods(logger: &JsValue) -> bool {
    LEVELS.get(1..).unwrap_or_default().iter().all(|name| {
        js_sys::Reflect::get(logger, &JsValue::from_str(name)).is_ok_and(|f| f.is_function())
    })
}

/// Where log lines go and how many.
#[derive(Clone)]
pub struct Log {
    logger: JsValue,
    level: usize,
}

impl Log {
    /// Reads `logger` (default `globalThis.console`) and `logLevel` (default `"warn"`).
    pub fn from_options(o: &Opts) -> Result<Option<Log>, E> {
        let level = match o.string("logLevel")? {
            None => DEFAULT_LEVEL,
            Some(l) => LEVELS.iter().position(|n| *n == l).ok_or_else(|| {
                type_error(
                    "logLevel",
                    "one of \"off\", \"error\", \"warn\", \"info\", \"debug\"",
                )
            })?,
        };
        let logger = match o.raw("logger")? {
            Some(l) if l.is_object() && has_methods(&l) => l,
            Some(_) => {
                return Err(type_error(
                    "logger",
                    "an object with debug, info, warn and error methods, such as console",
                ));
            }
            None => js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("console"))
                .unwrap_or(JsValue::UNDEFINED),
        };
        Ok((level > 0 && logger.is_object()).then_some(Log { logger, level }))
    }

    fn at(&self, level: usize, message: &str) {
        if level <= self.level {
            let name = LEVELS.get(level).copied().unwrap_or("debug");
            let _ = log_js(&self.logger, name, message);
        }
    }

    /// A `debug` line (built only when it will be printed).
    pub fn debug(&self, message: impl FnOnce() -> String) {
        if self.level >= 4 {
            self.at(4, &message());
        }
    }

    /// A `warn` line.
    pub fn warn(&self, message: &str) {
        self.at(2, message);
    }
}
