//! `fetch` as the request loop's [`Transport`]: one `AbortController` per attempt carrying the
//! per-attempt timeout and the caller's signal, with the reason kept in a Rust-side flag (never
//! read back from the abort reason's text).
//!
//! The promise the attempt awaits (`send` in js/glue.js) settles as soon as the attempt's
//! controller aborts, even if a custom `fetch` ignores its signal and never settles: so a
//! timed-out or aborted attempt leaves nothing pending on the Rust side.

use std::cell::OnceCell;

use js_sys::{Array, Function, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, AbortSignal};

use crate::headers::ResponseHeaders;
use crate::transport::{
    BodyText, RequestSpec, ResponseParts, Transport, TransportError, TransportFailure,
};
use crate::wasm::timer::{AbortListener, TimerGuard, Trip, Tripwire, abort_reason};

#[wasm_bindgen(module = "/js/glue.js")]
extern "C" {
    /// The `init` for fetch (`fetchOptions` merged under the client's own fields).
    #[wasm_bindgen(js_name = fetchInit, catch)]
    fn fetch_init(
        method: &str,
        header_lines: &str,
        body: &JsValue,
        signal: &JsValue,
        fetch_options: &JsValue,
    ) -> Result<JsValue, JsValue>;
    /// `fetch(url, init)` (with `this = globalThis`), then the read headers and the body text
    /// (bounded when the status is not 2xx): resolves to `[status, headerLines, bodyText]`;
    /// settles (rejects) as soon as `controller` aborts.
    #[wasm_bindgen(js_name = send, catch)]
    fn send_js(
        fetch: &Function,
        url: &str,
        init: &JsValue,
        controller: &AbortController,
    ) -> Result<Promise, JsValue>;
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

/// Aborts the attempt's controller unless the attempt completed: dropping the call's future
/// mid-flight cancels the request (and settles the promise js/glue.js `send` returned).
struct ControllerGuard {
    controller: AbortController,
    done: bool,
}

impl Drop for ControllerGuard {
    fn drop(&mut self) {
        if !self.done {
            self.controller.abort();
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
        let controller = AbortController::new().map_err(Self::unsendable)?;
        let mut guard = ControllerGuard {
            controller: controller.clone(),
            done: false,
        };
        let wire = Tripwire::default();
        // Either trip aborts the attempt's controller, which settles the exchange's promise.
        let (w, c) = (wire.clone(), controller.clone());
        let _timer = TimerGuard::start(req.timeout_ms, move || {
            w.trip(Trip::Timer);
            c.abort();
        });
        let _listener = self.signal.as_ref().map(|s| {
            let (w, c, s2) = (wire.clone(), controller.clone(), s.clone());
            AbortListener::new(s, move || {
                w.trip(Trip::Abort);
                match abort_reason(Some(&s2)) {
                    Some(reason) => c.abort_with_reason(&reason),
                    None => c.abort(),
                }
            })
        });

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
        let init = fetch_init(
            &req.method,
            &lines,
            &body,
            &controller.signal(),
            &self.fetch_options,
        )
        .map_err(Self::unsendable)?;
        // One promise for the whole exchange (fetch, headers, body text): one await, one
        // wake-up, and the body stays a JS string.
        let exchange =
            send_js(&self.fetch, &req.url, &init, &controller).map_err(Self::unsendable)?;
        if let Some(l) = &self.log {
            l.debug(|| String::from("rimp-client: → ") + &req.method + " " + &req.url);
        }
        let outcome = JsFuture::from(exchange).await;
        guard.done = true;
        let parts: Array = match (outcome, wire.tripped()) {
            (_, Some(trip)) => {
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
            (Ok(v), None) => v.unchecked_into(),
            (Err(e), None) => {
                return Err(TransportError {
                    failure: TransportFailure::Network,
                    detail: error_message(&e).unwrap_or_default(),
                    cause: Some(e),
                });
            }
        };
        // HTTP statuses are 100..=599 (0 for an opaque response): exact in f64.
        let status = parts.get(0).as_f64().map_or(0, |s| s as u16);
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
        let lines = parts.get(1).as_string().unwrap_or_default();
        for (name, value) in ResponseHeaders::NAMES.iter().zip(lines.split('\n')) {
            if value != "\0" {
                headers.set(name, value.to_owned());
            }
        }
        Ok(ResponseParts {
            status,
            headers,
            body: JsBody {
                js: parts.get(2),
                parsed: parts.get(3),
                text: OnceCell::new(),
            },
        })
    }
}
