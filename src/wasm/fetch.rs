//! `fetch` as the request loop's [`Transport`]. Each attempt is one call of `send` in
//! js/glue.js, which makes the attempt's `AbortController`, arms its timeout and listens to the
//! caller's signal, all in JS: an attempt creates no Rust closure, and its one promise settles
//! as soon as the timer fires or the signal aborts, even if a custom `fetch` ignores its signal
//! and never settles, so a timed-out or aborted attempt leaves nothing pending on the Rust side.
//! What ended an attempt comes back as a marker in the result (never read from the abort
//! reason's text).

use std::cell::OnceCell;

use js_sys::{Array, Function, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::AbortSignal;

use crate::headers::ResponseHeaders;
use crate::transport::MAX_TIMER_MS;
use crate::transport::{
    BodyText, RequestSpec, ResponseParts, Transport, TransportError, TransportFailure,
};
use crate::wasm::timer::{Trip, abort_reason};

#[wasm_bindgen(module = "/js/glue.js")]
extern "C" {
    /// One attempt, timer and abort included (see `send` in js/glue.js): resolves to
    /// `[statusAndHeaderLines, bodyText, parsedBody?]`, or to `["-1"]` (timed out), `["-2"]`
    /// (aborted) or `["-3", what]` (`fetch` resolved to `what`, not a `Response`).
    #[wasm_bindgen(js_name = send, catch)]
    #[allow(clippy::too_many_arguments)]
    fn send_js(
        fetch: &Function,
        url: &str,
        method: &str,
        header_lines: &str,
        body: &JsValue,
        fetch_options: &JsValue,
        timeout_ms: f64,
        signal: Option<&AbortSignal>,
    ) -> Result<Promise, JsValue>;
    /// Ends an attempt whose call was dropped: aborts the request and settles its promise.
    #[wasm_bindgen(catch)]
    fn cancel(attempt: &Promise) -> Result<(), JsValue>;
    #[wasm_bindgen(js_name = parseBody, catch)]
    fn parse_body_js(text: &JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = errorMessage, catch)]
    fn error_message(e: &JsValue) -> Result<String, JsValue>;
}

/// A response body kept as the JS string `text()` gave; copied into wasm memory only if the
/// core asks for it (errors, whose text js/glue.js has already bounded).
pub struct JsBody {
    js: JsValue,
    /// A success's body as js/glue.js parsed it already (`undefined` for an error).
    parsed: JsValue,
    text: OnceCell<String>,
}

impl JsBody {
    /// The body parsed in JS: JSON, `null` when empty, the text when it is not JSON.
    pub fn parse(&self) -> JsValue {
        if !self.parsed.is_undefined() {
            return self.parsed.clone();
        }
        parse_body_js(&self.js).unwrap_or_else(|_| self.js.clone())
    }
}

impl BodyText for JsBody {
    fn text(&self) -> &str {
        self.text
            .get_or_init(|| self.js.as_string().unwrap_or_default())
    }

    /// Read from the object `JSON.parse` makes of the (bounded) text, in JS.
    fn envelope(&self) -> Option<crate::envelope::Envelope> {
        let parsed = super::fields::JsFields::parse(&self.js)?;
        crate::envelope::Envelope::read(&parsed)
    }
}

/// Sends attempts with a `fetch` function (the caller's, or `globalThis.fetch` resolved when
/// the call started).
pub struct FetchTransport {
    /// The `fetch` to call; always invoked with `this = globalThis` (a bare `window.fetch`
    /// throws "Illegal invocation" otherwise).
    pub fetch: Function,
    /// The caller's signal.
    pub signal: Option<AbortSignal>,
    /// The client's `fetchOptions` (a plain copy), or `undefined`.
    pub fetch_options: JsValue,
    /// The client's logger.
    pub log: Option<super::log::Log>,
}

/// Ends the attempt unless it completed: dropping the call's future mid-flight (a `waitFor`
/// deadline) cancels the request and settles the promise js/glue.js `send` returned, which
/// frees the callbacks awaiting it.
struct CancelGuard {
    attempt: Promise,
    done: bool,
}

impl Drop for CancelGuard {
    fn drop(&mut self) {
        if !self.done {
            let _ = cancel(&self.attempt);
        }
    }
}

impl FetchTransport {
    fn failure(&self, trip: Trip, timeout_ms: u64) -> TransportError<JsValue> {
        match trip {
            Trip::Timer => TransportError {
                failure: TransportFailure::Timeout,
                detail: String::from("timed out after ") + &timeout_ms.to_string() + " ms",
                cause: None,
            },
            Trip::Abort => TransportError {
                failure: TransportFailure::Aborted,
                detail: String::new(),
                cause: abort_reason(self.signal.as_ref()),
            },
        }
    }

    /// A failure before anything was sent: the `fetch` glue itself could not run.
    fn unsendable(cause: JsValue) -> TransportError<JsValue> {
        TransportError {
            failure: TransportFailure::Network,
            detail: error_message(&cause).unwrap_or_default(),
            cause: Some(cause),
        }
    }
}

impl Transport for FetchTransport {
    type Cause = JsValue;
    type ReqBody = JsValue;
    type Body = JsBody;

    async fn send(
        &self,
        req: &RequestSpec<JsValue>,
    ) -> Result<ResponseParts<JsBody>, TransportError<JsValue>> {
        if abort_reason(self.signal.as_ref()).is_some() {
            return Err(self.failure(Trip::Abort, req.timeout_ms));
        }
        let mut lines = String::new();
        for (k, v) in &req.headers {
            // Names are tokens and values hold no control characters (checked in
            // `crate::config::header`), so newlines separate them unambiguously.
            lines.push_str(k);
            lines.push('\n');
            lines.push_str(v);
            lines.push('\n');
        }
        let body = req.body.clone().unwrap_or(JsValue::UNDEFINED);
        // One promise for the whole attempt (fetch, headers, body text, timer, abort): one
        // await, one wake-up, and the body stays a JS string.
        let attempt = send_js(
            &self.fetch,
            &req.url,
            &req.method,
            &lines,
            &body,
            &self.fetch_options,
            // Integers up to 2^31−1 are exact in f64.
            req.timeout_ms.min(MAX_TIMER_MS) as f64,
            self.signal.as_ref(),
        )
        .map_err(Self::unsendable)?;
        if let Some(l) = &self.log {
            l.debug(|| String::from("rimp-client: → ") + &req.method + " " + &req.url);
        }
        let mut guard = CancelGuard {
            attempt: attempt.clone(),
            done: false,
        };
        let outcome = JsFuture::from(attempt).await;
        guard.done = true;
        let parts: Array = match outcome {
            Ok(v) => v.unchecked_into(),
            Err(e) => {
                return Err(TransportError {
                    failure: TransportFailure::Network,
                    detail: error_message(&e).unwrap_or_default(),
                    cause: Some(e),
                });
            }
        };
        let head = parts.get(0).as_string().unwrap_or_default();
        let (status_line, lines) = head.split_once('\n').unwrap_or((&head, ""));
        let trip = match status_line {
            "-1" => Some(Trip::Timer),
            "-2" => Some(Trip::Abort),
            "-3" => {
                return Err(TransportError {
                    failure: TransportFailure::NotAResponse,
                    detail: parts.get(1).as_string().unwrap_or_default(),
                    cause: None,
                });
            }
            _ => None,
        };
        if let Some(trip) = trip {
            if let Some(l) = &self.log {
                l.debug(|| {
                    String::from("rimp-client: ✗ ")
                        + &req.method
                        + " "
                        + &req.url
                        + if trip == Trip::Timer {
                            " timed out"
                        } else {
                            " aborted"
                        }
                });
            }
            return Err(self.failure(trip, req.timeout_ms));
        }
        // HTTP statuses are 100..=599 (0 for an opaque response, or anything unreadable).
        let status = status_line.parse::<u16>().unwrap_or(0);
        if let Some(l) = &self.log {
            l.debug(|| {
                String::from("rimp-client: ← ")
                    + &status.to_string()
                    + " "
                    + &req.method
                    + " "
                    + &req.url
            });
        }
        let mut headers = ResponseHeaders::default();
        for (name, value) in ResponseHeaders::NAMES.iter().zip(lines.split('\n')) {
            if value != "\0" {
                headers.set(name, value.to_owned());
            }
        }
        Ok(ResponseParts {
            status,
            headers,
            body: JsBody {
                js: parts.get(1),
                parsed: parts.get(2),
                text: OnceCell::new(),
            },
        })
    }
}
