//! The JS surface: `RimpClient`, exported with wasm-bindgen. Marshalling only; every decision
//! is made by the pure core.

mod errors;
mod fetch;
mod options;
mod resources;
mod timer;
mod wait;

use std::rc::Rc;

use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use crate::config::ClientConfig;
use crate::engine::{self, CallPlan, RetryNotice};
use crate::error::{Error, ErrorKind};
use crate::idempotency;
use crate::resources::Endpoint;
use crate::transport::RequestSpec;
use crate::url;
use crate::wait::JobKind;
use errors::{opt_num, opt_str, set, to_js};
use options::{CallOptions, Opts};

type E = Error<JsValue>;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &str = include_str!("../../js/types.d.ts");

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = crypto, js_name = getRandomValues, catch)]
    fn get_random_values(buf: &mut [u8]) -> Result<JsValue, JsValue>;

    /// `ClientOptions`
    #[wasm_bindgen(typescript_type = "ClientOptions")]
    pub type ClientOptionsJs;
}

fn random_bytes() -> [u8; 16] {
    let mut b = [0u8; 16];
    if get_random_values(&mut b).is_err() {
        // No Web Crypto (very old runtimes): uniqueness, not secrecy, is what a key needs.
        for byte in &mut b {
            *byte = (js_sys::Math::random() * 256.0) as u8;
        }
    }
    b
}

struct Inner {
    config: ClientConfig,
    fetch: Option<Function>,
    on_retry: Option<Function>,
}

/// The Rimp API client. See the README for every option and method.
#[wasm_bindgen]
pub struct RimpClient {
    inner: Rc<Inner>,
    /// `client.images`, `client.videos`, …: made once here and held as JS objects, so a getter
    /// returns the same object every time. They hold the `Rc<Inner>`, never the client, so
    /// there is no cycle: when the client is collected, they are too.
    namespaces: resources::Namespaces,
}

fn is_browser_window() -> bool {
    Reflect::get(&js_sys::global(), &JsValue::from_str("document"))
        .map(|d| !d.is_undefined() && !d.is_null())
        .unwrap_or(false)
}

#[wasm_bindgen]
impl RimpClient {
    /// Creates a client. Throws `InvalidRequestError` (code `invalid_option`) for a bad option,
    /// and `RimpError` (code `browser_api_key`) for an `apiKey` in a browser page without
    /// `dangerouslyAllowBrowser: true`.
    #[wasm_bindgen(constructor)]
    pub fn new(options: Option<ClientOptionsJs>) -> Result<RimpClient, JsValue> {
        let o = options::client_options(options.map_or(JsValue::UNDEFINED, Into::into))
            .map_err(|e| to_js(&e))?;
        if o.config.api_key.is_some() && !o.dangerously_allow_browser && is_browser_window() {
            let mut e: E = Error::new(
                ErrorKind::Client,
                "refusing to use an apiKey in a browser page, where anyone can read it: point baseUrl at your own backend that adds the key (see the README's \"Using a proxy\"), or pass dangerouslyAllowBrowser: true if you accept the risk (e.g. a test key on localhost)",
            );
            e.code = Some("browser_api_key".into());
            return Err(to_js(&e));
        }
        let inner = Rc::new(Inner {
            config: o.config,
            fetch: o.fetch,
            on_retry: o.on_retry,
        });
        Ok(RimpClient {
            namespaces: resources::Namespaces::new(&inner),
            inner,
        })
    }

    /// Sends one request with the client's retry rules; resolves to a `RimpResponse`.
    #[wasm_bindgen(skip_typescript)]
    pub fn request(&self, method: JsValue, path: JsValue, options: JsValue) -> Promise {
        call(&self.inner, Job::Request, method, path, options)
    }

    /// A JSON view with the key redacted.
    #[wasm_bindgen(js_name = toJSON, skip_typescript)]
    pub fn to_json(&self) -> JsValue {
        let o = Object::new();
        set(
            &o,
            "baseUrl",
            &JsValue::from_str(&self.inner.config.base_url),
        );
        set(
            &o,
            "apiKey",
            &opt_str(self.inner.config.api_key.as_ref().map(|_| "[redacted]")),
        );
        o.into()
    }

    /// `RimpClient(<baseUrl>)`, never the key.
    #[wasm_bindgen(js_name = toString, skip_typescript)]
    pub fn to_js_string(&self) -> String {
        String::from("RimpClient(") + &self.inner.config.base_url + ")"
    }
}

/// What a method does.
#[derive(Clone, Copy)]
enum Job {
    /// `client.request(method, path, options)` (`first` is the method, `second` the path).
    Request,
    /// A resource method: one request to an endpoint (`first` is the id, `second` the params).
    Send(Endpoint),
    /// `waitFor(id, options)`: poll until terminal.
    Wait(JobKind),
}

/// Every async method of the client: one non-generic path and one future type, so each
/// export adds only its shim.
fn call(inner: &Rc<Inner>, job: Job, first: JsValue, second: JsValue, options: JsValue) -> Promise {
    let inner = Rc::clone(inner);
    future_to_promise(async move {
        match job {
            Job::Request => inner.request(first, second, options).await,
            Job::Send(ep) => inner.resource(ep, first, second, options).await,
            Job::Wait(kind) => inner.wait_for(kind, first, options).await,
        }
        .map_err(|e| to_js(&e))
    })
}

/// A call, resolved before its first attempt.
pub(crate) struct Prepared {
    plan: CallPlan,
    signal: Option<web_sys::AbortSignal>,
    fetch: Function,
}

impl Inner {
    /// Validates everything and builds the plan; nothing is sent on error.
    fn prepare(
        &self,
        method: &str,
        path: &str,
        query: &[(String, String)],
        body: Option<String>,
        call: CallOptions,
    ) -> Result<Prepared, E> {
        let method = crate::config::method(method)?;
        crate::config::path(path)?;
        if body.is_some() && matches!(method.as_str(), "GET" | "HEAD") {
            return Err(Error::invalid_option(
                "body",
                "GET and HEAD requests cannot have a body",
            ));
        }
        let fetch = match &self.fetch {
            Some(f) => f.clone(),
            None => Reflect::get(&js_sys::global(), &JsValue::from_str("fetch"))
                .ok()
                .and_then(|f| f.dyn_into::<Function>().ok())
                .ok_or_else(|| {
                    let mut e: E = Error::new(
                        ErrorKind::Client,
                        "globalThis.fetch is not a function in this environment: pass options.fetch",
                    );
                    e.code = Some("fetch_unavailable".into());
                    e
                })?,
        };
        let key =
            idempotency::key_for_call(&method, call.idempotency_key.as_deref(), random_bytes)?;

        let mut headers: Vec<(String, String)> = vec![("accept".into(), "application/json".into())];
        if body.is_some() {
            headers.push(("content-type".into(), "application/json".into()));
        }
        if let Some(api_key) = &self.config.api_key {
            headers.push(("authorization".into(), String::from("Bearer ") + api_key));
        }
        // The client's headers, then the call's, override anything set above (including the
        // apiKey's Authorization: an explicit header is the caller's deliberate choice).
        for (k, v) in self.config.headers.iter().chain(call.headers.iter()) {
            headers.retain(|(h, _)| !h.eq_ignore_ascii_case(k));
            headers.push((k.clone(), v.clone()));
        }
        if let Some(k) = &key {
            headers.push(("idempotency-key".into(), k.clone()));
        }

        let mut retry = self.config.retry;
        if let Some(n) = call.max_retries {
            retry.max_retries = n;
        }
        Ok(Prepared {
            plan: CallPlan {
                request: RequestSpec {
                    method,
                    url: url::build(&self.config.base_url, path, query),
                    headers,
                    body,
                    timeout_ms: call.timeout_ms.unwrap_or(self.config.timeout_ms),
                },
                retry,
                idempotency_key: key,
                deadline_ms: None,
            },
            signal: call.signal,
            fetch,
        })
    }

    /// Runs a prepared call; an already-aborted signal rejects before any request.
    async fn run(&self, p: &Prepared) -> Result<Answered, E> {
        if let Some(reason) = timer::abort_reason(p.signal.as_ref()) {
            let mut e = engine::aborted(Some(reason));
            e.idempotency_key.clone_from(&p.plan.idempotency_key);
            return Err(e);
        }
        let transport = fetch::FetchTransport {
            fetch: p.fetch.clone(),
            signal: p.signal.clone(),
        };
        let sleeper = timer::BrowserSleeper {
            signal: p.signal.clone(),
        };
        let on_retry = self.on_retry.clone();
        let mut notify = |n: RetryNotice<'_, JsValue>| {
            if let Some(f) = &on_retry {
                let ev = Object::new();
                set(&ev, "attempt", &JsValue::from_f64(f64::from(n.attempt)));
                set(&ev, "delayMs", &opt_num(Some(n.delay_ms)));
                set(&ev, "delaySource", &JsValue::from_str(n.source.as_str()));
                set(&ev, "error", &to_js(n.error));
                set(
                    &ev,
                    "idempotencyKey",
                    &opt_str(n.error.idempotency_key.as_deref()),
                );
                // A throwing callback must not break the call.
                let _ = f.call1(&JsValue::UNDEFINED, &ev);
            }
        };
        engine::execute(
            &p.plan,
            &transport,
            &sleeper,
            &timer::BrowserClock,
            &mut notify,
        )
        .await
    }

    async fn request(
        &self,
        method: JsValue,
        path: JsValue,
        options: JsValue,
    ) -> Result<JsValue, E> {
        let method = method.as_string().ok_or_else(|| {
            Error::invalid_option("method", "method must be a string such as \"GET\"")
        })?;
        let path = path.as_string().ok_or_else(|| {
            Error::invalid_option("path", "path must be a string such as \"/v1/models\"")
        })?;
        let o = Opts::new(options, "options")?;
        let call = options::call_options(&o)?;
        let query = options::query(&o)?;
        let body = match o.raw("body") {
            None => None,
            Some(b) => Some(stringify(&b, "body")?),
        };
        let prepared = self.prepare(&method, &path, &query, body, call)?;
        let ok = self.run(&prepared).await?;
        Ok(response_js(&ok, ok.response.body.parse()))
    }
}

/// `JSON.stringify(value)`, refusing values it cannot represent (`param` names the option).
fn stringify(value: &JsValue, param: &str) -> Result<String, E> {
    js_sys::JSON::stringify(value)
        .ok()
        .and_then(|s| s.as_string())
        .ok_or_else(|| {
            Error::invalid_option(
                param,
                String::from(param) + " must be JSON-serialisable (no BigInt, functions or cycles)",
            )
        })
}

/// `RimpResponse` for a success whose parsed body is `data`.
fn response_js(ok: &Answered, data: JsValue) -> JsValue {
    let r = &ok.response;
    let rl = r.headers.rate_limit();
    // Counts and epoch milliseconds are far inside f64's exact range.
    let num = |v: Option<u64>| v.map(|n| n as f64);
    make_response(
        data,
        r.status,
        r.headers.request_id().as_deref(),
        ok.idempotency_key.as_deref(),
        r.headers.replayed(),
        num(rl.and_then(|l| l.limit)),
        num(rl.and_then(|l| l.remaining)),
        num(rl.and_then(|l| l.reset_at_ms)),
        ok.attempts,
    )
}

/// A successful call, with its body still in JS.
pub(crate) type Answered = engine::Success<fetch::JsBody>;

#[wasm_bindgen(module = "/js/glue.js")]
extern "C" {
    #[wasm_bindgen(js_name = makeResponse)]
    #[allow(clippy::too_many_arguments)]
    fn make_response(
        data: JsValue,
        status: u16,
        request_id: Option<&str>,
        idempotency_key: Option<&str>,
        replayed: bool,
        limit: Option<f64>,
        remaining: Option<f64>,
        reset_at: Option<f64>,
        attempts: u32,
    ) -> JsValue;
}
