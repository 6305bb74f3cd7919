//! The JS surface: `RimpCore`, which the package's JS `RimpClient` (js/runtime.js) wraps.
//! Marshalling only; every decision is made by the pure core.
//!
//! # The boundary rule
//! No JS exception ever unwinds through wasm frames: an exception that does leaves the
//! instance's stack pointer and allocator mid-update, so js/guard.js retires the instance.
//! Therefore every import that can throw is declared with `catch` and its error becomes a
//! typed `RimpError` (or a documented fallback): anything that touches a caller's value
//! (`Reflect`, `Array.isArray`, `Object.entries`, `JSON.stringify`, `in`), every call of user
//! code (`fetch`, `onRetry`, `onProgress`), and every Web API that can throw (`AbortController`,
//! timers, `crypto`, event listeners). The imports without `catch` are wasm-bindgen's own
//! intrinsics (`typeof` checks, string conversion), which cannot throw, and js-sys calls on
//! values this crate made itself (its own arrays and objects). And only what the core needs
//! crosses into wasm memory, bounded: request, success and webhook bodies stay in JS; of an
//! error body only the envelope's fields cross (read from the object `JSON.parse` made), and
//! its text only when it is not an envelope, cut in js/glue.js first.

mod errors;
mod fetch;
mod fields;
mod log;
mod options;
mod resources;
mod share;
mod timer;
mod wait;
mod webhook;

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use crate::budget::{BudgetSettings, RetryBudget};
use crate::config::ClientConfig;
use crate::engine::{self, CallPlan, RetryNotice};
use crate::error::{Error, ErrorKind};
use crate::plan::{CallInput, plan_call};
use crate::resources::Endpoint;
use crate::wait::JobKind;
use errors::{opt_num, opt_str, set, to_js};
use options::{CallOptions, Opts};

type E = Error<JsValue>;

/// The allocator: talc instead of Rust's default dlmalloc. Measured on this crate's release
/// wasm (after wasm-opt): 6.9 KB smaller raw, 2.5 KB gzip (54.6 → 52.1 KB), and a stubbed call
/// a little faster; wasm memory still does not grow over 10,000 calls (tests/js/faults.test.mjs).
/// The wasm is single-threaded, which is what this constructor requires (and it needs no
/// `unsafe`).
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = crypto, js_name = getRandomValues, catch)]
    fn get_random_values(buf: &mut [u8]) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_namespace = JSON, js_name = stringify, catch)]
    fn json_stringify(v: &JsValue) -> Result<JsValue, JsValue>;

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

/// A retry budget shared by the clients of one base URL with the same settings.
struct SharedBudget {
    bucket: RefCell<RetryBudget>,
    /// The exhaustion was logged; cleared by the next success, so an outage logs one line.
    warned: std::cell::Cell<bool>,
}

/// The budgets of this instance, by base URL and settings.
type Budgets = Vec<(String, BudgetSettings, Rc<SharedBudget>)>;

thread_local! {
    /// The retry budgets of this instance (one JS realm), one per base URL and settings: the
    /// clients of one API share what they learn about its health.
    static BUDGETS: RefCell<Budgets> = const { RefCell::new(Vec::new()) };
}

/// The shared budget for `base_url` with `settings`.
fn shared_budget(base_url: &str, settings: BudgetSettings) -> Rc<SharedBudget> {
    BUDGETS.with(|all| {
        let mut all = all.borrow_mut();
        if let Some((_, _, b)) = all.iter().find(|(u, s, _)| u == base_url && *s == settings) {
            return Rc::clone(b);
        }
        let b = Rc::new(SharedBudget {
            bucket: RefCell::new(RetryBudget::new(settings)),
            warned: std::cell::Cell::new(false),
        });
        all.push((base_url.to_owned(), settings, Rc::clone(&b)));
        b
    })
}

struct Inner {
    config: ClientConfig,
    fetch: Option<Function>,
    on_retry: Option<Function>,
    fetch_options: JsValue,
    budget: Option<Rc<SharedBudget>>,
    log: Option<log::Log>,
    /// The key's rate limit as every client of it knows it (`shareRateLimit`).
    share: Option<share::JsShare>,
}

/// The client's state in wasm (the JS `RimpClient` in js/runtime.js wraps it).
#[wasm_bindgen(js_name = RimpCore)]
pub struct RimpClient {
    inner: Rc<Inner>,
}

fn is_browser_window() -> bool {
    Reflect::get(&js_sys::global(), &JsValue::from_str("document"))
        .map(|d| !d.is_undefined() && !d.is_null())
        .unwrap_or(false)
}

#[wasm_bindgen(js_class = RimpCore)]
impl RimpClient {
    /// Creates a client. Throws `InvalidRequestError` (code `invalid_option`, or
    /// `insecure_base_url`) for a bad option, and `RimpError` (code `browser_api_key`) for an
    /// `apiKey` in a browser page without `dangerouslyAllowBrowser: true`.
    #[wasm_bindgen(constructor)]
    pub fn new(options: Option<ClientOptionsJs>) -> Result<RimpClient, JsValue> {
        let o = options::client_options(options.map_or(JsValue::UNDEFINED, Into::into))
            .map_err(|e| to_js(&e))?;
        crate::config::check_client::<JsValue>(
            &o.config,
            is_browser_window(),
            o.dangerously_allow_browser,
        )
        .map_err(|e| to_js(&e))?;
        let budget = o
            .config
            .retry_budget
            .map(|s| shared_budget(&o.config.base_url, s));
        let share = o
            .share_rate_limit
            .unwrap_or_else(share::is_browser_like)
            .then(|| {
                share::JsShare::open(&crate::shared_limit::channel_name(
                    &o.config.base_url,
                    o.config.api_key.as_deref(),
                ))
            })
            .flatten();
        let inner = Rc::new(Inner {
            config: o.config,
            fetch: o.fetch,
            on_retry: o.on_retry,
            fetch_options: o.fetch_options,
            budget,
            log: o.log,
            share,
        });
        Ok(RimpClient { inner })
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
    /// `webhooks.unwrap(payload, headers, options)`: verify a delivery (no request).
    Unwrap,
}

/// Every async method of the client: one non-generic path and one future type, so each
/// export adds only its shim.
fn call(inner: &Rc<Inner>, job: Job, first: JsValue, second: JsValue, options: JsValue) -> Promise {
    #[cfg(feature = "trap-probe")]
    let probe = trap_probe(&first);
    let inner = Rc::clone(inner);
    future_to_promise(async move {
        let out = match job {
            Job::Request => inner.request(first, second, options).await,
            Job::Send(ep) => inner.resource(ep, first, second, options).await,
            Job::Wait(kind) => inner.wait_for(kind, first, options).await,
            Job::Unwrap => inner.unwrap_webhook(first, second, options).await,
        };
        #[cfg(feature = "trap-probe")]
        if probe {
            // The test-only trap after an await: inside a futures-queue microtask.
            std::process::abort();
        }
        out.map_err(|mut e| {
            inner.redact(&mut e);
            to_js(&e)
        })
    })
}

/// Test builds only (`--features trap-probe`): `request("TRAP_NOW", …)` traps synchronously,
/// `request("TRAP_LATER", …)` after the call's first await. Proves js/guard.js and the
/// restart in js/runtime.js against a real trap.
#[cfg(feature = "trap-probe")]
fn trap_probe(method: &JsValue) -> bool {
    match method.as_string().as_deref() {
        Some("TRAP_NOW") => std::process::abort(),
        Some("TRAP_LATER") => true,
        _ => false,
    }
}

/// A call, resolved before its first attempt.
pub(crate) struct Prepared {
    plan: CallPlan<JsValue>,
    signal: Option<web_sys::AbortSignal>,
    fetch: Function,
}

impl Inner {
    /// The `fetch` to use: the client's, else `globalThis.fetch` looked up now.
    fn fetch_fn(&self) -> Result<Function, E> {
        if let Some(f) = &self.fetch {
            return Ok(f.clone());
        }
        Reflect::get(&js_sys::global(), &JsValue::from_str("fetch"))
            .ok()
            .and_then(|f| f.dyn_into::<Function>().ok())
            .ok_or_else(|| {
                let mut e: E = Error::new(
                    ErrorKind::Client,
                    "globalThis.fetch is not a function in this environment: pass options.fetch",
                );
                e.code = Some("fetch_unavailable".into());
                e
            })
    }

    /// Validates everything and builds the plan (`crate::plan`); nothing is sent on error.
    fn prepare(
        &self,
        method: &str,
        path: &str,
        query: &[(String, String)],
        body: Option<JsValue>,
        call: CallOptions,
    ) -> Result<Prepared, E> {
        let fetch = self.fetch_fn()?;
        let input = CallInput {
            method,
            path,
            query,
            body,
            idempotency_key: call.idempotency_key.as_deref(),
            headers: &call.headers,
            timeout_ms: call.timeout_ms,
            max_retries: call.max_retries,
        };
        Ok(Prepared {
            plan: plan_call(&self.config, input, &mut random_bytes)?,
            signal: call.signal,
            fetch,
        })
    }

    /// Removes the API key (and the webhook secret) from anything echoed into an error.
    fn redact(&self, e: &mut E) {
        if let Some(k) = &self.config.api_key {
            e.redact_secret(k);
        }
        if let Some(s) = &self.config.webhook_secret {
            e.redact_secret(s);
        }
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
            fetch_options: self.fetch_options.clone(),
            log: self.log.clone(),
        };
        let sleeper = timer::BrowserSleeper {
            signal: p.signal.clone(),
        };
        let on_retry = self.on_retry.clone();
        let mut notify = |n: RetryNotice<'_, JsValue>| {
            if let Some(l) = &self.log {
                l.debug(|| {
                    let mut shown = n.error.clone();
                    self.redact(&mut shown);
                    String::from("rimp-client: attempt ")
                        + &n.attempt.to_string()
                        + " failed ("
                        + n.error.kind.class_name()
                        + ": "
                        + &shown.message
                        + "); retrying in "
                        + &n.delay_ms.to_string()
                        + " ms ("
                        + n.source.as_str()
                        + ")"
                });
            }
            if let Some(f) = &on_retry {
                let mut shown = n.error.clone();
                self.redact(&mut shown);
                let ev = Object::new();
                set(&ev, "attempt", &JsValue::from_f64(f64::from(n.attempt)));
                set(&ev, "delayMs", &opt_num(Some(n.delay_ms)));
                set(&ev, "delaySource", &JsValue::from_str(n.source.as_str()));
                set(&ev, "error", &to_js(&shown));
                set(
                    &ev,
                    "idempotencyKey",
                    &opt_str(n.error.idempotency_key.as_deref()),
                );
                // A throwing (or rejecting) callback must not break the call.
                let _ = call_user(f, &ev.into());
            }
        };
        let out = engine::execute(
            &p.plan,
            &transport,
            &sleeper,
            &timer::BrowserClock,
            engine::Coordination {
                budget: self.budget.as_deref().map(|b| &b.bucket),
                shared: self.share.as_ref().map(|s| s as &dyn engine::SharedLimit),
            },
            &mut notify,
        )
        .await;
        let warn_now = self.budget.as_deref().is_some_and(|b| match &out {
            Ok(_) => {
                b.warned.set(false);
                false
            }
            Err(e) => e.retry_budget_exhausted && !b.warned.replace(true),
        });
        if let (true, Err(e), Some(l)) = (warn_now, &out, &self.log) {
            if e.retry_budget_exhausted {
                l.warn(
                    &(String::from("rimp-client: not retrying ")
                        + &p.plan.request.method
                        + " "
                        + &p.plan.request.url
                        + ": the retry budget for "
                        + &self.config.base_url
                        + " is exhausted (too many recent failures); failures are returned without retrying until calls succeed again"),
                );
            }
        }
        out
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
        let call = options::call_options(&o, crate::config::REQUEST_OPTIONS)?;
        let query = options::query(&o)?;
        let body = match o.raw("body")? {
            None => None,
            Some(b) => Some(stringify(&b, "body")?),
        };
        let prepared = self.prepare(&method, &path, &query, body, call)?;
        let ok = self.run(&prepared).await?;
        Ok(response_js(&ok, ok.response.body.parse()))
    }
}

/// `JSON.stringify(value)` as a JS string (it never crosses into wasm memory), refusing values
/// it cannot represent (`param` names the option).
fn stringify(value: &JsValue, param: &str) -> Result<JsValue, E> {
    json_stringify(value)
        .ok()
        .filter(JsValue::is_string)
        .ok_or_else(|| {
            Error::invalid_option(
                param,
                String::from(param)
                    + " must be JSON-serialisable (no BigInt, functions, cycles or throwing getters)",
            )
        })
}

/// `RimpResponse` for a success whose parsed body is `data`.
fn response_js(ok: &Answered, data: JsValue) -> JsValue {
    let r = &ok.response;
    let rl = r
        .headers
        .rate_limit_at(crate::transport::Clock::now_ms(&timer::BrowserClock));
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
    .unwrap_or(JsValue::UNDEFINED)
}

/// A successful call, with its body still in JS.
pub(crate) type Answered = engine::Success<fetch::JsBody>;

#[wasm_bindgen(module = "/js/glue.js")]
extern "C" {
    /// `f(arg)`; a throw or a rejected promise from it is swallowed.
    #[wasm_bindgen(js_name = callUser, catch)]
    pub(crate) fn call_user(f: &Function, arg: &JsValue) -> Result<(), JsValue>;
    #[wasm_bindgen(js_name = makeResponse, catch)]
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
    ) -> Result<JsValue, JsValue>;
}
