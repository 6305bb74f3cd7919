//! Reading JS option objects into the core's validated settings.
//!
//! Each field is read with `Reflect::get` and checked here or in `crate::config` (no serde on
//! the JS boundary: serde-wasm-bindgen's deserializer costs ~21 KB of wasm, and even its
//! serializer, tried for the response object alone, added 3.1 KB gzip, 7.4 KB raw, against
//! one `makeResponse` call in js/glue.js). `undefined` and `null` both mean "not set".

use js_sys::{Array, Function, Reflect};
use wasm_bindgen::prelude::*;
use web_sys::AbortSignal;

use crate::config::{self, ClientConfig};
use crate::error::Error;

type E = Error<JsValue>;

#[wasm_bindgen]
extern "C" {
    /// `Object.entries`, which runs getters and Proxy traps: those may throw.
    #[wasm_bindgen(js_namespace = Object, js_name = entries, catch)]
    fn object_entries(o: &JsValue) -> Result<Array, JsValue>;
}

#[wasm_bindgen(module = "/js/glue.js")]
extern "C" {
    /// `Array.isArray`, which throws for a revoked Proxy (js-sys's binding has no `catch`).
    #[wasm_bindgen(js_name = isArray, catch)]
    pub(crate) fn is_array(v: &JsValue) -> Result<bool, JsValue>;
    /// `{ ...v }`: getters and Proxy traps run here, once.
    #[wasm_bindgen(js_name = copyRecord, catch)]
    fn copy_record(v: &JsValue) -> Result<JsValue, JsValue>;
    /// The first 64 own enumerable names of `o`, newline-separated (a Proxy trap may throw).
    #[wasm_bindgen(js_name = optionNames, catch)]
    fn option_names(o: &JsValue) -> Result<String, JsValue>;
}

/// An object literal (or one with a null prototype), from any realm: not an array, a `Map`,
/// a `Headers` or another class instance, whose entries `Object.entries` would not show. A
/// value whose inspection throws (a revoked Proxy) is not one.
pub fn is_plain_object(v: &JsValue) -> bool {
    v.is_object()
        && is_array(v) == Ok(false)
        && Reflect::get_prototype_of(v).is_ok_and(|proto| {
            proto.is_null() || Reflect::get_prototype_of(&proto).is_ok_and(|p| p.is_null())
        })
}

/// A JS options object (or nothing).
pub struct Opts(Option<JsValue>);

pub(crate) fn type_error(param: &str, what: &str) -> E {
    Error::invalid_option(param, String::from(param) + " must be " + what)
}

impl Opts {
    /// Wraps `value`, which must be an object, `undefined` or `null`.
    pub fn new(value: JsValue, param: &str) -> Result<Opts, E> {
        if value.is_undefined() || value.is_null() {
            return Ok(Opts(None));
        }
        match is_array(&value) {
            Ok(false) if value.is_object() => {}
            Ok(_) => return Err(type_error(param, "an object")),
            Err(_) => return Err(type_error(param, "an object whose properties can be read")),
        }
        Ok(Opts(Some(value)))
    }

    /// Refuses a name that is not one of `known` (see `crate::config::known_options`); `within`
    /// names the object in the message.
    #[inline(never)]
    pub fn known(&self, within: &str, known: &[&str]) -> Result<(), E> {
        let Some(o) = self.0.as_ref() else {
            return Ok(());
        };
        let names = option_names(o)
            .map_err(|_| type_error(within, "an object whose properties can be read"))?;
        if names.is_empty() {
            return Ok(());
        }
        let names: Vec<String> = names.split('\n').map(str::to_owned).collect();
        config::known_options(within, known, &names)
    }

    /// The raw value of `key` (`None` when unset); a getter or Proxy trap that throws is
    /// refused with `invalid_option` naming `key`.
    pub fn raw(&self, key: &str) -> Result<Option<JsValue>, E> {
        let Some(o) = self.0.as_ref() else {
            return Ok(None);
        };
        let v = Reflect::get(o, &JsValue::from_str(key))
            .map_err(|_| type_error(key, "readable (reading it threw)"))?;
        Ok((!v.is_undefined() && !v.is_null()).then_some(v))
    }

    pub fn number(&self, key: &str) -> Result<Option<f64>, E> {
        self.raw(key)?
            .map(|v| v.as_f64().ok_or_else(|| type_error(key, "a number")))
            .transpose()
    }

    pub fn string(&self, key: &str) -> Result<Option<String>, E> {
        self.raw(key)?
            .map(|v| v.as_string().ok_or_else(|| type_error(key, "a string")))
            .transpose()
    }

    pub fn boolean(&self, key: &str) -> Result<Option<bool>, E> {
        self.raw(key)?
            .map(|v| v.as_bool().ok_or_else(|| type_error(key, "true or false")))
            .transpose()
    }

    pub fn function(&self, key: &str) -> Result<Option<Function>, E> {
        self.raw(key)?
            .map(|v| {
                v.dyn_into::<Function>()
                    .map_err(|_| type_error(key, "a function"))
            })
            .transpose()
    }

    /// A plain object, copied (its getters run once, here), or `None`.
    pub fn record_copy(&self, key: &str) -> Result<Option<JsValue>, E> {
        let Some(v) = self.raw(key)? else {
            return Ok(None);
        };
        if !is_plain_object(&v) {
            return Err(type_error(key, "a plain object"));
        }
        copy_record(&v)
            .map(Some)
            .map_err(|_| type_error(key, "an object whose properties can be read"))
    }

    /// An `AbortSignal`, checked by shape so a signal from another realm is accepted.
    pub fn signal(&self, key: &str) -> Result<Option<AbortSignal>, E> {
        let Some(v) = self.raw(key)? else {
            return Ok(None);
        };
        // `in` on a revoked Proxy throws: such a value is not a signal.
        let has = |k: &str| Reflect::has(&v, &JsValue::from_str(k)).unwrap_or(false);
        if v.is_object() && has("aborted") && has("addEventListener") {
            Ok(Some(v.unchecked_into()))
        } else {
            Err(type_error(key, "an AbortSignal"))
        }
    }

    /// A `Record<string, string>` of headers, each checked (`undefined`/`null` values skipped).
    pub fn headers(&self, key: &str) -> Result<Vec<(String, String)>, E> {
        let Some(v) = self.raw(key)? else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for (name, value) in record(v, key)? {
            let value = value
                .as_string()
                .ok_or_else(|| type_error(key, "an object of string values"))?;
            config::header(key, &name, &value)?;
            out.push((name, value));
        }
        Ok(out)
    }
}

/// The `[name, value]` pairs of a record option (an object, or `undefined`/`null` for none),
/// skipping `undefined`/`null` values; errors name `param`.
fn record(v: JsValue, param: &str) -> Result<Vec<(String, JsValue)>, E> {
    let Some(obj) = Opts::new(v, param)?.0 else {
        return Ok(Vec::new());
    };
    if !is_plain_object(&obj) {
        return Err(type_error(
            param,
            "a plain object such as { \"X-Trace\": \"abc\" } (not a Headers, Map or class instance)",
        ));
    }
    let entries = object_entries(&obj)
        .map_err(|_| type_error(param, "an object whose properties can be read"))?;
    let pairs = entries
        .iter()
        .filter_map(|entry| {
            let pair: Array = entry.unchecked_into();
            let value = pair.get(1);
            (!value.is_undefined() && !value.is_null())
                .then(|| (pair.get(0).as_string().unwrap_or_default(), value))
        })
        .collect();
    Ok(pairs)
}

/// Everything `new RimpClient(options)` takes.
pub struct ClientOptions {
    pub config: ClientConfig,
    pub fetch: Option<Function>,
    pub on_retry: Option<Function>,
    pub dangerously_allow_browser: bool,
    /// `fetchOptions`, copied, or `undefined`.
    pub fetch_options: JsValue,
    /// `logger` and `logLevel`; `None` when nothing would be logged.
    pub log: Option<crate::wasm::log::Log>,
    /// `shareRateLimit`, when given (the default depends on the environment).
    pub share_rate_limit: Option<bool>,
}

/// Reads and validates `ClientOptions`.
pub fn client_options(value: JsValue) -> Result<ClientOptions, E> {
    let o = Opts::new(value, "options")?;
    o.known("options", config::CLIENT_OPTIONS)?;
    let mut c = ClientConfig::default();
    if let Some(k) = o.string("apiKey")? {
        config::api_key(&k)?;
        c.api_key = Some(k);
    }
    if let Some(s) = o.string("webhookSecret")? {
        config::webhook_secret("webhookSecret", &s)?;
        c.webhook_secret = Some(s);
    }
    if let Some(u) = o.string("baseUrl")? {
        c.base_url = config::base_url(&u)?;
    }
    if let Some(n) = o.number("maxRetries")? {
        c.retry.max_retries = config::max_retries(n)?;
    }
    if let Some(n) = o.number("retryDelayMs")? {
        c.retry.retry_delay_ms = config::millis("retryDelayMs", n, 0)?;
    }
    if let Some(n) = o.number("maxRetryDelayMs")? {
        c.retry.max_retry_delay_ms = config::millis("maxRetryDelayMs", n, 0)?;
    }
    if let Some(n) = o.number("maxRetryAfterMs")? {
        c.retry.max_retry_after_ms = config::millis("maxRetryAfterMs", n, 0)?;
    }
    if let Some(n) = o.number("timeoutMs")? {
        c.timeout_ms = config::millis("timeoutMs", n, 1)?;
    }
    c.headers = o.headers("headers")?;
    c.allow_insecure_http = o.boolean("allowInsecureHttp")?.unwrap_or(false);
    c.retry_budget = retry_budget(&o)?;
    Ok(ClientOptions {
        config: c,
        fetch: o.function("fetch")?,
        on_retry: o.function("onRetry")?,
        dangerously_allow_browser: o.boolean("dangerouslyAllowBrowser")?.unwrap_or(false),
        fetch_options: o.record_copy("fetchOptions")?.unwrap_or(JsValue::UNDEFINED),
        log: crate::wasm::log::Log::from_options(&o)?,
        share_rate_limit: o.boolean("shareRateLimit")?,
    })
}

/// `retryBudget`: `false` (none), or an object of numbers (each optional).
fn retry_budget(o: &Opts) -> Result<Option<crate::budget::BudgetSettings>, E> {
    let Some(v) = o.raw("retryBudget")? else {
        return Ok(Some(crate::budget::BudgetSettings::default()));
    };
    match v.as_bool() {
        Some(false) => return Ok(None),
        Some(true) => return Ok(Some(crate::budget::BudgetSettings::default())),
        None => {}
    }
    if !is_plain_object(&v) {
        return Err(type_error(
            "retryBudget",
            "false or an object such as { capacity: 500, retryCost: 5 }",
        ));
    }
    let b = Opts(Some(v));
    b.known("retryBudget", config::RETRY_BUDGET_OPTIONS)?;
    let num = |k: &str, param: &str| -> Result<Option<f64>, E> {
        b.raw(k)
            .map_err(|_| type_error(param, "readable (reading it threw)"))?
            .map(|v| v.as_f64().ok_or_else(|| type_error(param, "a number")))
            .transpose()
    };
    config::retry_budget_option(
        num("capacity", "retryBudget.capacity")?,
        num("retryCost", "retryBudget.retryCost")?,
        num("timeoutCost", "retryBudget.timeoutCost")?,
        num("successRefund", "retryBudget.successRefund")?,
    )
    .map(Some)
}

/// The per-call options every method takes (`CallOptions`), plus `body`/`query` for
/// `request()` (`RequestOptions`).
pub struct CallOptions {
    pub idempotency_key: Option<String>,
    pub signal: Option<AbortSignal>,
    pub timeout_ms: Option<u64>,
    pub max_retries: Option<u32>,
    pub headers: Vec<(String, String)>,
}

/// Reads and validates `CallOptions` from `o`, whose names must all be in `known` (the
/// method's options: `config::REQUEST_OPTIONS`, `RESOURCE_OPTIONS` or `WAIT_OPTIONS`).
pub fn call_options(o: &Opts, known: &[&str]) -> Result<CallOptions, E> {
    o.known("options", known)?;
    Ok(CallOptions {
        idempotency_key: o.string("idempotencyKey")?,
        signal: o.signal("signal")?,
        timeout_ms: o
            .number("timeoutMs")?
            .map(|n| config::millis("timeoutMs", n, 1))
            .transpose()?,
        max_retries: o
            .number("maxRetries")?
            .map(config::max_retries)
            .transpose()?,
        headers: o.headers("headers")?,
    })
}

/// `query`: a record of string, number or boolean values (`undefined`/`null` entries skipped).
pub fn query(o: &Opts) -> Result<Vec<(String, String)>, E> {
    match o.raw("query")? {
        Some(v) => query_pairs(v),
        None => Ok(Vec::new()),
    }
}

/// The pairs of a query record (`undefined`/`null` for none); errors name `query`.
pub fn query_pairs(v: JsValue) -> Result<Vec<(String, String)>, E> {
    let mut out = Vec::new();
    for (name, value) in record(v, "query")? {
        let text = if let Some(s) = value.as_string() {
            s
        } else if let Some(b) = value.as_bool() {
            String::from(if b { "true" } else { "false" })
        } else if value.as_f64().is_some_and(f64::is_finite) {
            // JS's own number formatting (keeps float formatting out of the wasm).
            value
                .unchecked_into::<js_sys::Number>()
                .to_string_with_radix(10)
                .map(String::from)
                .unwrap_or_default()
        } else {
            return Err(type_error(
                "query",
                "an object of string, finite number or boolean values",
            ));
        };
        config::within_limit("query", &name)?;
        config::within_limit("query", &text)?;
        out.push((name, text));
    }
    Ok(out)
}
