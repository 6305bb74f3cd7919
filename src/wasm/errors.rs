//! The one place a Rust [`Error`] becomes a JS error object (classes from `js/errors.js`).

use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;

use crate::error::Error;
use crate::headers::RateLimitInfo;

#[wasm_bindgen(module = "/js/errors.js")]
extern "C" {
    #[wasm_bindgen(js_name = makeError, catch)]
    fn make_error(
        class_name: &str,
        message: &str,
        props: &Object,
        has_cause: bool,
        cause: &JsValue,
    ) -> Result<JsValue, JsValue>;
}

pub(crate) fn set(obj: &Object, key: &str, value: &JsValue) {
    let _ = Reflect::set(obj, &JsValue::from_str(key), value);
}

pub(crate) fn opt_str(v: Option<&str>) -> JsValue {
    v.map_or(JsValue::NULL, JsValue::from_str)
}

pub(crate) fn opt_num(v: Option<u64>) -> JsValue {
    // Values are milliseconds or counts well inside f64's exact range.
    v.map_or(JsValue::NULL, |n| JsValue::from_f64(n as f64))
}

/// `RateLimitInfo` as a plain object.
pub(crate) fn rate_limit_js(rl: Option<RateLimitInfo>) -> JsValue {
    match rl {
        None => JsValue::NULL,
        Some(rl) => {
            let o = Object::new();
            set(&o, "limit", &opt_num(rl.limit));
            set(&o, "remaining", &opt_num(rl.remaining));
            set(&o, "resetAt", &opt_num(rl.reset_at_ms));
            o.into()
        }
    }
}

/// Builds the JS error for `e`.
pub fn to_js(e: &Error<JsValue>) -> JsValue {
    let props = Object::new();
    set(&props, "code", &opt_str(e.code.as_deref()));
    set(&props, "requestId", &opt_str(e.request_id.as_deref()));
    set(
        &props,
        "idempotencyKey",
        &opt_str(e.idempotency_key.as_deref()),
    );
    set(
        &props,
        "attempts",
        &JsValue::from_f64(f64::from(e.attempts)),
    );
    set(&props, "retryable", &JsValue::from_bool(e.retryable));
    set(
        &props,
        "retryBudgetExhausted",
        &JsValue::from_bool(e.retry_budget_exhausted),
    );
    if e.kind.is_api() {
        set(&props, "status", &opt_num(e.status.map(u64::from)));
        set(&props, "type", &opt_str(e.error_type.as_deref()));
        set(&props, "param", &opt_str(e.param.as_deref()));
        set(&props, "retryAfterMs", &opt_num(e.retry_after_ms));
        set(&props, "rateLimit", &rate_limit_js(e.rate_limit));
        set(&props, "rawBody", &opt_str(e.raw_body.as_deref()));
    }
    let cause = e.cause.clone().unwrap_or(JsValue::UNDEFINED);
    make_error(
        e.kind.class_name(),
        &e.message,
        &props,
        e.cause.is_some(),
        &cause,
    )
    // Only a page that broke `Error` itself gets here: the class without the cause, else the
    // message as a plain value.
    .or_else(|_| make_error(e.kind.class_name(), &e.message, &props, false, &cause))
    .unwrap_or_else(|_| JsValue::from_str(&e.message))
}
