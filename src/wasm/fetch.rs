//! `fetch` as the request loop's [`Transport`]: one `AbortController` per attempt carrying the
//! per-attempt timeout and the caller's signal, with the reason kept in a Rust-side flag (never
//! read back from the abort reason's text).

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use std::cell::OnceCell;

use js_sys::{Array, Function, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, AbortSignal};

use crate::headers::ResponseHeaders;
use crate::transport::{
    BodyText, RequestSpec, ResponseParts, Transport, TransportError, TransportFailure,
};
use crate::wasm::timer::{TimerGuard, Trip, Tripwire, abort_reason, watch_signal};

#[wasm_bindgen(module = "/js/glue.js")]
extern "C" {
    #[wasm_bindgen(js_name = fetchInit)]
    fn fetch_init(
        method: &str,
        header_lines: &str,
        body: Option<String>,
        signal: Option<AbortSignal>,
    ) -> JsValue;
    /// `fetch(url, init)` (with `this = globalThis`), then the read headers and `text()`:
    /// resolves to `[status, headerLines, bodyText]`.
    #[wasm_bindgen(js_name = send)]
    fn send_js(fetch: &Function, url: &str, init: &JsValue) -> Promise;
    #[wasm_bindgen(js_name = parseBody)]
    fn parse_body_js(text: &JsValue) -> JsValue;
}

/// A response body kept as the JS string `text()` gave; copied into wasm memory only if the
/// core asks for it (errors, polled statuses).
pub struct JsBody {
    js: JsValue,
    text: OnceCell<String>,
}

impl JsBody {
    /// The body parsed in JS: JSON, `null` when empty, the text when it is not JSON.
    pub fn parse(&self) -> JsValue {
        parse_body_js(&self.js)
    }
}

impl BodyText for JsBody {
    fn text(&self) -> &str {
        self.text
            .get_or_init(|| self.js.as_string().unwrap_or_default())
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
}

/// Aborts the attempt's controller unless the attempt completed: dropping the call's future
/// mid-flight cancels the request.
struct ControllerGuard {
    controller: Option<AbortController>,
    done: bool,
}

impl Drop for ControllerGuard {
    fn drop(&mut self) {
        if let (false, Some(c)) = (self.done, &self.controller) {
            c.abort();
        }
    }
}

/// Resolves with the promise, or with the trip if the wire trips first (so a `fetch` that
/// ignores its signal cannot hold the call past its timeout or abort).
struct Race<'a> {
    wire: &'a Tripwire,
    fut: JsFuture,
}

impl Future for Race<'_> {
    type Output = Result<Result<JsValue, JsValue>, Trip>;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        if let Poll::Ready(t) = self.wire.poll_trip(cx) {
            return Poll::Ready(Err(t));
        }
        Pin::new(&mut self.fut).poll(cx).map(Ok)
    }
}

fn js_message(v: &JsValue) -> String {
    Reflect::get(v, &JsValue::from_str("message"))
        .ok()
        .and_then(|m| m.as_string())
        .unwrap_or_default()
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

    fn init_object(req: &RequestSpec, signal: Option<AbortSignal>) -> JsValue {
        let mut lines = String::new();
        for (k, v) in &req.headers {
            // Names are tokens and values hold no control characters (checked in
            // `crate::config::header`), so newlines separate them unambiguously.
            lines.push_str(k);
            lines.push('\n');
            lines.push_str(v);
            lines.push('\n');
        }
        fetch_init(&req.method, &lines, req.body.clone(), signal)
    }
}

impl Transport for FetchTransport {
    type Cause = JsValue;
    type Body = JsBody;

    async fn send(
        &self,
        req: &RequestSpec,
    ) -> Result<ResponseParts<JsBody>, TransportError<JsValue>> {
        let wire = Tripwire::default();
        let _listener = watch_signal(self.signal.as_ref(), &wire);
        if let Some(t) = wire.tripped() {
            return Err(self.failure(t, req.timeout_ms));
        }
        let mut guard = ControllerGuard {
            controller: AbortController::new().ok(),
            done: false,
        };
        let w = wire.clone();
        let _timer = TimerGuard::start(req.timeout_ms, move || w.trip(Trip::Timer));

        let init = Self::init_object(req, guard.controller.as_ref().map(|c| c.signal()));
        // One promise for the whole exchange (fetch, headers, body text): one await, one
        // wake-up, and the body stays a JS string.
        let exchange = send_js(&self.fetch, &req.url, &init);
        let parts: Array = match (Race {
            wire: &wire,
            fut: JsFuture::from(exchange),
        })
        .await
        {
            Ok(Ok(v)) => v.unchecked_into(),
            Ok(Err(e)) => return Err(self.network(e, &wire, req.timeout_ms)),
            Err(trip) => return Err(self.tripped(trip, &mut guard, req.timeout_ms)),
        };
        // HTTP statuses are 100..=599 (0 for an opaque response): exact in f64.
        let status = parts.get(0).as_f64().map_or(0, |s| s as u16);
        let mut headers = ResponseHeaders::default();
        let lines = parts.get(1).as_string().unwrap_or_default();
        for (name, value) in ResponseHeaders::NAMES.iter().zip(lines.split('\n')) {
            if value != "\0" {
                headers.set(name, value.to_owned());
            }
        }
        let body = JsBody {
            js: parts.get(2),
            text: OnceCell::new(),
        };
        guard.done = true;
        Ok(ResponseParts {
            status,
            headers,
            body,
        })
    }
}

impl FetchTransport {
    /// A rejection: if our own timer or the caller's signal tripped the controller, report
    /// that; otherwise it is a network failure.
    fn network(&self, e: JsValue, wire: &Tripwire, timeout_ms: u64) -> TransportError<JsValue> {
        if let Some(t) = wire.tripped() {
            return self.failure(t, timeout_ms);
        }
        TransportError {
            failure: TransportFailure::Network,
            detail: js_message(&e),
            cause: Some(e),
        }
    }

    fn tripped(
        &self,
        trip: Trip,
        guard: &mut ControllerGuard,
        timeout_ms: u64,
    ) -> TransportError<JsValue> {
        if let Some(c) = &guard.controller {
            match (trip, abort_reason(self.signal.as_ref())) {
                (Trip::Abort, Some(reason)) => c.abort_with_reason(&reason),
                _ => c.abort(),
            }
        }
        guard.done = true;
        self.failure(trip, timeout_ms)
    }
}
