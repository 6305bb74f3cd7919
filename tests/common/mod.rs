//! Test bodies shared by the Node suite (`tests/node.rs`) and the Chromium suite
//! (`tests/browser.rs`): the real wasm `RimpClient::request` against scripted `fetch` stubs.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
#![allow(dead_code)]

use js_sys::Promise;
use serde_json::json;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::wasm_bindgen_test;

use rimp_client::wasm::{ClientOptionsJs, RimpClient};

pub mod resources;

#[wasm_bindgen(module = "/tests/support/stubs.js")]
extern "C" {
    pub type Stub;
    pub type Recorder;
    #[wasm_bindgen(js_name = scriptedFetch)]
    fn scripted_fetch_json(script: &str) -> Stub;
    #[wasm_bindgen(js_name = callsJson)]
    fn calls_json(stub: &Stub) -> String;
    #[wasm_bindgen(js_name = callCount)]
    fn call_count(stub: &Stub) -> u32;
    #[wasm_bindgen(js_name = retryRecorder)]
    fn retry_recorder() -> Recorder;
    #[wasm_bindgen(js_name = eventsJson)]
    fn events_json(rec: &Recorder) -> String;
    #[wasm_bindgen(js_name = clientOptions)]
    fn client_options(stub: &Stub, rec: &Recorder, extra: &str) -> JsValue;
    #[wasm_bindgen(js_name = describeError)]
    fn describe_error(e: &JsValue, classes: &JsValue) -> String;
    #[wasm_bindgen(js_name = abortAfter)]
    pub fn abort_after(ms: u32, message: &str) -> JsValue;
    #[wasm_bindgen(js_name = abortedSignal)]
    pub fn aborted_signal(message: &str) -> JsValue;
    pub fn now() -> f64;
    #[wasm_bindgen(js_name = withSignal)]
    fn with_signal_json(json: &str, signal: &JsValue) -> JsValue;
    #[wasm_bindgen(js_name = hostileOptions)]
    fn hostile_options(kind: &str) -> JsValue;
}

#[wasm_bindgen(module = "/js/errors.js")]
extern "C" {
    #[wasm_bindgen(js_name = errorClasses)]
    fn error_classes() -> JsValue;
}

/// The JS value `JSON.parse` makes of `value`'s text: a plain object, array or primitive, as a
/// caller would write it (`js(json!({"timeoutMs": 30}))`).
pub fn js(value: serde_json::Value) -> JsValue {
    js_sys::JSON::parse(&value.to_string()).expect("serde_json writes valid JSON")
}

/// A `fetch` stub that answers with the steps of `script` in turn (the last one repeats): each
/// `{"status", "headers", "body"}`, `{"reject": message}` or `{"hang": true | "deaf"}`.
pub fn scripted_fetch(script: &serde_json::Value) -> Stub {
    scripted_fetch_json(&script.to_string())
}

/// Call options `options` with `signal` added.
pub fn with_signal(options: serde_json::Value, signal: &JsValue) -> JsValue {
    with_signal_json(&options.to_string(), signal)
}

fn parse(json: &str) -> serde_like::Value {
    serde_like::parse(json)
}

/// A minimal JSON view for assertions, built on the crate's own reader.
pub mod serde_like {
    pub use rimp_client::json::Json as Value;
    pub fn parse(s: &str) -> Value {
        Value::parse(s).unwrap_or_else(|| panic!("bad JSON from JS: {s}"))
    }
}

pub struct Run {
    pub result: Result<JsValue, JsValue>,
    pub stub: Stub,
    pub rec: Recorder,
    pub elapsed_ms: f64,
}

impl Run {
    pub fn calls(&self) -> Vec<serde_like::Value> {
        match parse(&calls_json(&self.stub)) {
            serde_like::Value::Array(a) => a,
            _ => unreachable!(),
        }
    }
    pub fn events(&self) -> Vec<serde_like::Value> {
        match parse(&events_json(&self.rec)) {
            serde_like::Value::Array(a) => a,
            _ => unreachable!(),
        }
    }
    pub fn error(&self) -> serde_like::Value {
        let e = self.result.as_ref().expect_err("expected a rejection");
        parse(&describe_error(e, &error_classes()))
    }
    pub fn ok(&self) -> JsValue {
        self.result.clone().expect("expected success")
    }
}

pub fn client(stub: &Stub, rec: &Recorder, extra: &serde_json::Value) -> RimpClient {
    let opts = client_options(stub, rec, &extra.to_string());
    RimpClient::new(Some(opts.unchecked_into::<ClientOptionsJs>())).expect("client")
}

pub async fn run(
    client_extra: &serde_json::Value,
    script: &serde_json::Value,
    method: &str,
    path: &str,
    options: JsValue,
) -> Run {
    let stub = scripted_fetch(script);
    let rec = retry_recorder();
    let c = client(&stub, &rec, client_extra);
    let t0 = now();
    let p: Promise = c.request(method.into(), path.into(), options);
    let result = JsFuture::from(p).await;
    Run {
        result,
        stub,
        rec,
        elapsed_ms: now() - t0,
    }
}

pub fn text(v: &serde_like::Value, key: &str) -> Option<String> {
    v.get_text(key)
}

pub fn get(v: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(v, &key.into()).unwrap()
}

/// Client options for the stub suites: fast retries, no budget, no shared rate limit.
fn fast() -> serde_json::Value {
    json!({"allowInsecureHttp":true,"retryBudget":false,"shareRateLimit":false,"baseUrl":"http://rimp.test","apiKey":"sk_test_k","dangerouslyAllowBrowser":true,"retryDelayMs":5,"maxRetryDelayMs":50})
}

/// A Rimp error envelope with type `t` and code `code` (message `msg <code>`).
fn env(t: &str, code: &str) -> serde_json::Value {
    json!({"error": {"type": t, "code": code, "message": format!("msg {code}"), "request_id": "req_body"}})
}

/// One answer of a scripted `fetch`: `body` is sent as is when a string, else as its JSON.
fn step(
    status: u16,
    headers: serde_json::Value,
    body: impl Into<serde_json::Value>,
) -> serde_json::Value {
    json!({"status": status, "headers": headers, "body": body.into()})
}

fn names(e: &serde_like::Value) -> Vec<String> {
    match e.get("instanceOf") {
        Some(serde_like::Value::Array(a)) => a
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        _ => vec![],
    }
}

fn num(v: &serde_like::Value, key: &str) -> Option<u64> {
    v.get_text(key).and_then(|t| t.parse().ok())
}

// ---- retry table ---------------------------------------------------------------------------

#[wasm_bindgen_test]
async fn five_hundreds_are_retried_with_backoff_and_the_same_key() {
    for status in [500u16, 502, 503, 504] {
        let s = json!([
            step(status, json!({}), env("internal", "internal")),
            step(status, json!({}), "<html>gateway</html>"),
            step(
                202,
                json!({"x-request-id":"req_ok","idempotent-replayed":"true"}),
                json!({"id":"gen_1","status":"queued"}),
            ),
        ]);
        let r = run(
            &fast(),
            &s,
            "POST",
            "/v1/videos",
            js(json!({"body":{"model":"m","prompt":"p"}})),
        )
        .await;
        let ok = r.ok();
        assert_eq!(get(&ok, "attempts").as_f64(), Some(3.0), "{status}");
        assert_eq!(get(&ok, "status").as_f64(), Some(202.0));
        assert_eq!(get(&ok, "requestId").as_string().as_deref(), Some("req_ok"));
        assert_eq!(get(&ok, "replayed").as_bool(), Some(true));
        assert_eq!(
            get(&get(&ok, "data"), "id").as_string().as_deref(),
            Some("gen_1")
        );
        let calls = r.calls();
        assert_eq!(calls.len(), 3);
        let keys: Vec<_> = calls
            .iter()
            .map(|c| {
                c.get("headers")
                    .unwrap()
                    .get_text("idempotency-key")
                    .unwrap()
            })
            .collect();
        assert_eq!(keys[0].len(), 36, "a UUID v4");
        assert!(
            keys.iter().all(|k| *k == keys[0]),
            "same key on every attempt: {keys:?}"
        );
        assert_eq!(
            get(&ok, "idempotencyKey").as_string(),
            Some(keys[0].clone())
        );
        for c in &calls {
            let h = c.get("headers").unwrap();
            assert_eq!(
                h.get_text("authorization").as_deref(),
                Some("Bearer sk_test_k")
            );
            assert_eq!(
                h.get_text("content-type").as_deref(),
                Some("application/json")
            );
            assert_eq!(
                c.get_text("body").as_deref(),
                Some(r#"{"model":"m","prompt":"p"}"#)
            );
        }
        let ev = r.events();
        assert_eq!(ev.len(), 2);
        assert_eq!(num(&ev[0], "attempt"), Some(1));
        assert_eq!(ev[0].get_text("delaySource").as_deref(), Some("backoff"));
        assert_eq!(ev[1].get_text("idempotencyKey"), Some(keys[0].clone()));
        let d0 = num(&ev[0], "delayMs").unwrap();
        let d1 = num(&ev[1], "delayMs").unwrap();
        assert!(
            (5..8).contains(&d0) && (10..13).contains(&d1),
            "backoff {d0} {d1}"
        );
    }
}

#[wasm_bindgen_test]
async fn retries_exhausted_rejects_with_the_last_error() {
    let s = json!([step(503, json!({"x-request-id":"req_last"}), "")]);
    let r = run(&fast(), &s, "GET", "/v1/models", JsValue::UNDEFINED).await;
    let e = r.error();
    assert_eq!(
        e.get_text("name").as_deref(),
        Some("ProviderUnavailableError")
    );
    assert_eq!(num(&e, "attempts"), Some(4), "maxRetries 3 = 4 attempts");
    assert_eq!(e.get_text("requestId").as_deref(), Some("req_last"));
    assert_eq!(r.calls().len(), 4);
    // GET never sends a key.
    assert!(r.calls().iter().all(|c| {
        c.get("headers")
            .unwrap()
            .get_text("idempotency-key")
            .is_none()
    }));
    assert_eq!(e.get("idempotencyKey"), Some(&serde_like::Value::Null));
}

#[wasm_bindgen_test]
async fn rate_limited_waits_for_retry_after_and_reset() {
    // Retry-After (fractional seconds are accepted).
    let s = json!([
        step(
            429,
            json!({"retry-after":"0.05"}),
            env("rate_limited", "rate_limited"),
        ),
        step(200, json!({}), "{}"),
    ]);
    let r = run(&fast(), &s, "GET", "/v1/models", JsValue::UNDEFINED).await;
    assert_eq!(get(&r.ok(), "attempts").as_f64(), Some(2.0));
    let ev = r.events();
    assert_eq!(
        (
            num(&ev[0], "delayMs"),
            ev[0].get_text("delaySource").as_deref()
        ),
        (Some(50), Some("retry-after"))
    );
    let calls = r.calls();
    let gap = num(&calls[1], "at").unwrap() - num(&calls[0], "at").unwrap();
    assert!(
        gap >= 45,
        "slept the server's wait, not the 5 ms backoff: {gap}"
    );

    // No Retry-After (e.g. hidden by CORS) but X-RateLimit-Reset: wait for the reset.
    let reset = ((now() / 1000.0).floor() as u64) + 1;
    let s = json!([
        step(
            429,
            json!({"x-ratelimit-reset": reset.to_string(), "x-ratelimit-remaining": "0", "x-ratelimit-limit": "60"}),
            env("rate_limited", "rate_limited"),
        ),
        step(200, json!({}), "{}"),
    ]);
    let r = run(&fast(), &s, "GET", "/v1/models", JsValue::UNDEFINED).await;
    assert_eq!(get(&r.ok(), "attempts").as_f64(), Some(2.0));
    assert_eq!(
        r.events()[0].get_text("delaySource").as_deref(),
        Some("rate-limit-reset")
    );

    // Neither: degrade to backoff.
    let s = json!([
        step(429, json!({}), env("rate_limited", "rate_limited")),
        step(200, json!({}), "{}"),
    ]);
    let r = run(&fast(), &s, "GET", "/v1/models", JsValue::UNDEFINED).await;
    assert_eq!(
        r.events()[0].get_text("delaySource").as_deref(),
        Some("backoff")
    );
}

#[wasm_bindgen_test]
async fn long_retry_after_fails_fast_with_the_wait() {
    let s = json!([step(
        429,
        json!({"retry-after":"3600","x-request-id":"req_rl"}),
        env("rate_limited", "rate_limited"),
    )]);
    let r = run(&fast(), &s, "POST", "/v1/images", js(json!({"body":{}}))).await;
    let e = r.error();
    assert!(r.elapsed_ms < 1000.0, "did not sleep: {}", r.elapsed_ms);
    assert_eq!(e.get_text("name").as_deref(), Some("RateLimitError"));
    assert_eq!(num(&e, "retryAfterMs"), Some(3_600_000));
    assert_eq!(num(&e, "attempts"), Some(1));
    assert_eq!(e.get_text("retryable").as_deref(), None); // a bool
    assert_eq!(e.get("retryable"), Some(&serde_like::Value::Bool(true)));
    assert!(
        e.get_text("idempotencyKey").is_some(),
        "the key is on the error for a later retry"
    );
    assert!(r.events().is_empty());
}

#[wasm_bindgen_test]
async fn not_retried_rows() {
    let rows: Vec<(serde_json::Value, &str, &str)> = vec![
        (
            step(
                429,
                json!({"retry-after":"1800"}),
                env("rate_limited", "anomaly_paused"),
            ),
            "RateLimitError",
            "anomaly_paused",
        ),
        (
            step(429, json!({}), env("quota_exceeded", "quota_exceeded")),
            "QuotaExceededError",
            "quota_exceeded",
        ),
        (
            step(
                402,
                json!({}),
                env("insufficient_credits", "insufficient_credits"),
            ),
            "InsufficientCreditsError",
            "insufficient_credits",
        ),
        (
            step(400, json!({}), env("invalid_request", "invalid_body")),
            "InvalidRequestError",
            "invalid_body",
        ),
        (
            step(401, json!({}), env("authentication", "invalid_api_key")),
            "AuthenticationError",
            "invalid_api_key",
        ),
        (
            step(403, json!({}), env("authorization", "insufficient_role")),
            "AuthorizationError",
            "insufficient_role",
        ),
        (
            step(404, json!({}), env("not_found", "not_found")),
            "NotFoundError",
            "not_found",
        ),
        (
            step(409, json!({}), env("conflict", "idempotency_key_reuse")),
            "ConflictError",
            "idempotency_key_reuse",
        ),
        (
            step(
                422,
                json!({}),
                env("content_policy_blocked", "content_policy_blocked"),
            ),
            "ContentPolicyError",
            "content_policy_blocked",
        ),
        (
            step(418, json!({}), env("teapot", "teapot")),
            "APIError",
            "teapot",
        ),
    ];
    for (st, class, code) in rows {
        let r = run(
            &fast(),
            &json!([st]),
            "POST",
            "/v1/videos",
            js(json!({"body":{}})),
        )
        .await;
        let e = r.error();
        assert_eq!(e.get_text("name").as_deref(), Some(class), "{code}");
        assert_eq!(e.get_text("code").as_deref(), Some(code));
        assert_eq!(num(&e, "attempts"), Some(1), "{code}: not retried");
        assert_eq!(r.calls().len(), 1);
        assert_eq!(e.get_text("message"), Some(format!("msg {code}")));
        assert_eq!(e.get_text("requestId").as_deref(), Some("req_body"));
        if code == "anomaly_paused" {
            assert_eq!(num(&e, "retryAfterMs"), Some(1_800_000));
        }
    }
}

#[wasm_bindgen_test]
async fn network_failures_retry_get_and_keyed_post_only() {
    let s = json!([
        json!({"reject":"Failed to fetch"}),
        step(200, json!({}), "{}"),
    ]);
    let r = run(&fast(), &s, "GET", "/v1/models", JsValue::UNDEFINED).await;
    assert_eq!(get(&r.ok(), "attempts").as_f64(), Some(2.0));

    let r = run(&fast(), &s, "POST", "/v1/videos", js(json!({"body":{}}))).await;
    assert_eq!(
        get(&r.ok(), "attempts").as_f64(),
        Some(2.0),
        "POST always carries a key"
    );

    // PATCH carries no key unless given one: a lost answer is not replayed.
    let s1 = json!([json!({"reject":"Failed to fetch"})]);
    let r = run(
        &fast(),
        &s1,
        "PATCH",
        "/v1/api-keys/key_1",
        js(json!({"body":{}})),
    )
    .await;
    let e = r.error();
    assert_eq!(e.get_text("name").as_deref(), Some("ConnectionError"));
    assert_eq!(num(&e, "attempts"), Some(1));
    assert_eq!(
        e.get_text("causeMessage").as_deref(),
        Some("Failed to fetch")
    );
    assert_eq!(e.get_text("causeName").as_deref(), Some("TypeError"));
    let r = run(
        &fast(),
        &s,
        "PATCH",
        "/v1/api-keys/key_1",
        js(json!({"body":{},"idempotencyKey":"patch-1"})),
    )
    .await;
    assert_eq!(get(&r.ok(), "attempts").as_f64(), Some(2.0));
    assert_eq!(
        r.calls()[1]
            .get("headers")
            .unwrap()
            .get_text("idempotency-key")
            .as_deref(),
        Some("patch-1")
    );
}

#[wasm_bindgen_test]
async fn per_attempt_timeout() {
    // A fetch that honours its signal, and one that ignores it: both end at the timeout.
    for hang in [json!({"hang":true}), json!({"hang":"deaf"})] {
        let s = json!([hang.clone(), step(200, json!({}), "{}")]);
        let cfg = json!({"allowInsecureHttp":true,"retryBudget":false,"shareRateLimit":false,"baseUrl":"http://rimp.test","retryDelayMs":5,"timeoutMs":40});
        let r = run(&cfg, &s, "GET", "/v1/models", JsValue::UNDEFINED).await;
        assert_eq!(get(&r.ok(), "attempts").as_f64(), Some(2.0), "{hang}");
        let r = run(
            &cfg,
            &json!([&hang]),
            "GET",
            "/v1/models",
            js(json!({"maxRetries":1})),
        )
        .await;
        let e = r.error();
        assert_eq!(
            e.get_text("name").as_deref(),
            Some("TimeoutError"),
            "{hang}"
        );
        assert_eq!(num(&e, "attempts"), Some(2));
        assert!(
            r.elapsed_ms >= 80.0 && r.elapsed_ms < 1500.0,
            "{}",
            r.elapsed_ms
        );
    }
    // A call's own timeoutMs overrides the client's.
    let r = run(
        &fast(),
        &json!([json!({"hang":true})]),
        "GET",
        "/v1/models",
        js(json!({"timeoutMs":30,"maxRetries":0})),
    )
    .await;
    assert!(r.elapsed_ms < 1000.0);
    assert_eq!(r.error().get_text("name").as_deref(), Some("TimeoutError"));
}

#[wasm_bindgen_test]
async fn abort_before_send_in_flight_and_during_a_wait() {
    // Before send: no request at all.
    let r = run(
        &fast(),
        &json!([step(200, json!({}), "{}")]),
        "GET",
        "/v1/models",
        with_signal(json!({}), &aborted_signal("early")),
    )
    .await;
    let e = r.error();
    assert_eq!(e.get_text("name").as_deref(), Some("AbortError"));
    assert_eq!(e.get_text("causeMessage").as_deref(), Some("early"));
    assert_eq!(num(&e, "attempts"), Some(0));
    assert_eq!(r.calls().len(), 0);

    // In flight, with a fetch that honours the signal and one that ignores it.
    for hang in [json!({"hang":true}), json!({"hang":"deaf"})] {
        let r = run(
            &fast(),
            &json!([&hang]),
            "GET",
            "/v1/models",
            with_signal(json!({}), &abort_after(30, "mid-flight")),
        )
        .await;
        let e = r.error();
        assert_eq!(e.get_text("name").as_deref(), Some("AbortError"), "{hang}");
        assert_eq!(e.get_text("causeMessage").as_deref(), Some("mid-flight"));
        assert!(r.elapsed_ms < 500.0, "prompt: {}", r.elapsed_ms);
        assert_eq!(r.calls().len(), 1, "no further request");
    }

    // During a 10 s backoff wait: rejects at once, no second request.
    let slow = json!({"allowInsecureHttp":true,"retryBudget":false,"shareRateLimit":false,"baseUrl":"http://rimp.test","retryDelayMs":10000});
    let r = run(
        &slow,
        &json!([step(503, json!({}), "")]),
        "POST",
        "/v1/videos",
        with_signal(json!({"body":{}}), &abort_after(50, "user gave up")),
    )
    .await;
    let e = r.error();
    assert_eq!(e.get_text("name").as_deref(), Some("AbortError"));
    assert_eq!(e.get_text("causeMessage").as_deref(), Some("user gave up"));
    assert_eq!(num(&e, "attempts"), Some(1));
    assert!(e.get_text("idempotencyKey").is_some());
    assert!(
        r.elapsed_ms < 1000.0,
        "the wait was cut short: {}",
        r.elapsed_ms
    );
    assert_eq!(r.calls().len(), 1);
    assert_eq!(r.events().len(), 1, "onRetry ran before the wait");
}

#[wasm_bindgen_test]
async fn every_class_has_its_name_and_lineage() {
    let rows: Vec<(serde_json::Value, &str, &[&str])> = vec![
        (
            step(400, json!({}), ""),
            "InvalidRequestError",
            &["APIError"],
        ),
        (
            step(401, json!({}), ""),
            "AuthenticationError",
            &["APIError"],
        ),
        (
            step(403, json!({}), ""),
            "AuthorizationError",
            &["APIError"],
        ),
        (step(404, json!({}), ""), "NotFoundError", &["APIError"]),
        (step(409, json!({}), ""), "ConflictError", &["APIError"]),
        (
            step(402, json!({}), ""),
            "InsufficientCreditsError",
            &["APIError"],
        ),
        (
            step(429, json!({}), env("rate_limited", "anomaly_paused")),
            "RateLimitError",
            &["APIError"],
        ),
        (
            step(429, json!({}), env("quota_exceeded", "quota_exceeded")),
            "QuotaExceededError",
            &["APIError"],
        ),
        (
            step(422, json!({}), ""),
            "ContentPolicyError",
            &["APIError"],
        ),
        (
            step(502, json!({}), ""),
            "ProviderUnavailableError",
            &["APIError"],
        ),
        (
            step(500, json!({}), ""),
            "InternalServerError",
            &["APIError"],
        ),
        (step(418, json!({}), ""), "APIError", &[]),
        (json!({"reject":"Failed to fetch"}), "ConnectionError", &[]),
    ];
    let one = json!({"allowInsecureHttp":true,"retryBudget":false,"shareRateLimit":false,"baseUrl":"http://rimp.test","maxRetries":0});
    for (st, class, parents) in rows {
        let r = run(&one, &json!([st]), "POST", "/v1/x", js(json!({"body":{}}))).await;
        let e = r.error();
        assert_eq!(e.get_text("name").as_deref(), Some(class));
        assert_eq!(e.get("isError"), Some(&serde_like::Value::Bool(true)));
        assert_eq!(e.get("stack"), Some(&serde_like::Value::Bool(true)));
        let mut want: Vec<String> = vec![class.to_owned()];
        want.extend(parents.iter().map(|s| (*s).to_owned()));
        if class != "RimpError" {
            want.push("RimpError".into());
        }
        let mut got = names(&e);
        got.sort();
        want.sort();
        want.dedup();
        assert_eq!(got, want, "{class}");
    }
    let r = run(
        &one,
        &json!([json!({"hang":true})]),
        "GET",
        "/v1/x",
        js(json!({"timeoutMs":10})),
    )
    .await;
    assert_eq!(names(&r.error()).len(), 2, "TimeoutError + RimpError");
}

#[wasm_bindgen_test]
async fn hostile_bodies_keep_raw_text_and_status_class() {
    let big = "x".repeat(100_000);
    for body in [
        "",
        "<html><h1>502</h1></html>",
        r#"{"error":{"type":"internal","co"#,
        r#"{"error":"text only"}"#,
        big.as_str(),
    ] {
        let r = run(
            &json!({"allowInsecureHttp":true,"retryBudget":false,"shareRateLimit":false,"baseUrl":"http://rimp.test","maxRetries":0}),
            &json!([step(502, json!({}), body)]),
            "GET",
            "/v1/x",
            JsValue::UNDEFINED,
        )
        .await;
        let e = r.error();
        assert_eq!(
            e.get_text("name").as_deref(),
            Some("ProviderUnavailableError")
        );
        assert_eq!(num(&e, "status"), Some(502));
        let raw = e.get_text("rawBody").unwrap_or_default();
        assert!(raw.len() <= 2048);
        if body == r#"{"error":"text only"}"# {
            assert_eq!(e.get_text("message").as_deref(), Some("text only"));
        }
    }
}

#[wasm_bindgen_test]
async fn bad_input_is_refused_before_any_request() {
    let cases: Vec<(&str, &str, serde_json::Value, &str, &str)> = vec![
        (
            "POST",
            "/v1/videos",
            json!({"body": {}, "idempotencyKey": "k".repeat(201)}),
            "idempotency_key_too_long",
            "idempotencyKey",
        ),
        (
            "GET",
            "/v1/models",
            json!({"idempotencyKey":"k"}),
            "invalid_option",
            "idempotencyKey",
        ),
        (
            "GET",
            "/v1/models",
            json!({"body":{}}),
            "invalid_option",
            "body",
        ),
        ("FETCH", "/v1/models", json!({}), "invalid_option", "method"),
        ("GET", "v1/models", json!({}), "invalid_option", "path"),
        (
            "GET",
            "/v1/models",
            json!({"timeoutMs":-1}),
            "invalid_option",
            "timeoutMs",
        ),
        (
            "GET",
            "/v1/models",
            json!({"maxRetries":"3"}),
            "invalid_option",
            "maxRetries",
        ),
        (
            "GET",
            "/v1/models",
            json!({"headers":{"Idempotency-Key":"x"}}),
            "invalid_option",
            "headers",
        ),
        (
            "GET",
            "/v1/models",
            json!({"query":{"a":{}}}),
            "invalid_option",
            "query",
        ),
        (
            "GET",
            "/v1/models",
            json!({"signal":{}}),
            "invalid_option",
            "signal",
        ),
    ];
    for (method, path, opts, code, param) in cases {
        let r = run(
            &fast(),
            &json!([step(200, json!({}), "{}")]),
            method,
            path,
            js(opts.clone()),
        )
        .await;
        let e = r.error();
        assert_eq!(
            e.get_text("name").as_deref(),
            Some("InvalidRequestError"),
            "{opts}"
        );
        assert_eq!(e.get_text("code").as_deref(), Some(code), "{opts}");
        assert_eq!(e.get_text("param").as_deref(), Some(param), "{opts}");
        assert_eq!(e.get("status"), Some(&serde_like::Value::Null));
        assert_eq!(num(&e, "attempts"), Some(0));
        assert_eq!(r.calls().len(), 0, "{opts}: nothing sent");
    }
}

#[wasm_bindgen_test]
async fn query_headers_and_success_shapes() {
    let s = json!([step(
        200,
        json!({"x-ratelimit-limit":"300","x-ratelimit-remaining":"12","x-ratelimit-reset":"1795564812"}),
        json!({"object":"list"}),
    )]);
    let opts = js(
        json!({"query":{"group_by":"day","n":2.5,"flag":true,"skip":null,"s":"a b&c"},"headers":{"X-Trace":"t1"}}),
    );
    let r = run(
        &json!({"allowInsecureHttp":true,"retryBudget":false,"shareRateLimit":false,"baseUrl":"http://rimp.test/","headers":{"X-App":"demo"}}),
        &s,
        "get",
        "/v1/usage",
        opts,
    )
    .await;
    let ok = r.ok();
    let call = &r.calls()[0];
    assert_eq!(
        call.get_text("url").as_deref(),
        Some("http://rimp.test/v1/usage?group_by=day&n=2.5&flag=true&s=a%20b%26c")
    );
    assert_eq!(call.get_text("method").as_deref(), Some("GET"));
    let h = call.get("headers").unwrap();
    assert_eq!(h.get_text("X-App").as_deref(), Some("demo"));
    assert_eq!(h.get_text("X-Trace").as_deref(), Some("t1"));
    assert_eq!(
        h.get_text("authorization"),
        None,
        "no apiKey, no Authorization"
    );
    assert_eq!(h.get_text("content-type"), None, "no body, no content-type");
    let rl = get(&ok, "rateLimit");
    assert_eq!(get(&rl, "limit").as_f64(), Some(300.0));
    assert_eq!(get(&rl, "remaining").as_f64(), Some(12.0));
    assert_eq!(get(&rl, "resetAt").as_f64(), Some(1_795_564_812_000.0));
    assert!(get(&ok, "requestId").is_null());

    // Empty body → null data; non-JSON → the text.
    let r = run(
        &fast(),
        &json!([step(204, json!({}), "")]),
        "POST",
        "/v1/generations/gen_1/cancel",
        JsValue::UNDEFINED,
    )
    .await;
    assert!(get(&r.ok(), "data").is_null());
    let r = run(
        &fast(),
        &json!([step(200, json!({}), "plain text")]),
        "GET",
        "/v1/x",
        JsValue::UNDEFINED,
    )
    .await;
    assert_eq!(
        get(&r.ok(), "data").as_string().as_deref(),
        Some("plain text")
    );
}

#[wasm_bindgen_test]
async fn hostile_option_objects_are_refused_not_thrown() {
    for kind in ["throwing-getter", "proxy", "headers-instance", "map"] {
        let opts = hostile_options(kind);
        let r = run(
            &fast(),
            &json!([step(200, json!({}), "{}")]),
            "GET",
            "/v1/models",
            opts,
        )
        .await;
        let e = r.error();
        assert_eq!(
            e.get_text("name").as_deref(),
            Some("InvalidRequestError"),
            "{kind}"
        );
        assert_eq!(e.get_text("param").as_deref(), Some("headers"), "{kind}");
        assert_eq!(r.calls().len(), 0, "{kind}: nothing sent");
    }
}

#[wasm_bindgen_test]
async fn explicit_authorization_header_wins_over_api_key() {
    let r = run(
        &fast(),
        &json!([step(200, json!({}), "{}")]),
        "GET",
        "/v1/models",
        js(json!({"headers":{"Authorization":"Bearer session-token"}})),
    )
    .await;
    r.ok();
    let h = r.calls()[0].get("headers").unwrap().clone();
    assert_eq!(
        h.get_text("Authorization").as_deref(),
        Some("Bearer session-token")
    );
    assert_eq!(
        h.get_text("authorization"),
        None,
        "only one Authorization header"
    );
}

#[wasm_bindgen_test]
async fn caller_key_is_sent_unchanged() {
    let s = json!([step(500, json!({}), ""), step(202, json!({}), "{}")]);
    let r = run(
        &fast(),
        &s,
        "POST",
        "/v1/music",
        js(json!({"body":{},"idempotencyKey":"order-42"})),
    )
    .await;
    assert_eq!(
        get(&r.ok(), "idempotencyKey").as_string().as_deref(),
        Some("order-42")
    );
    for c in r.calls() {
        assert_eq!(
            c.get("headers")
                .unwrap()
                .get_text("idempotency-key")
                .as_deref(),
            Some("order-42")
        );
    }
}

#[wasm_bindgen_test]
fn constructor_validates_and_never_leaks_the_key() {
    for (opts, param) in [
        (json!({"baseUrl":"rimp.io"}), "baseUrl"),
        (json!({"maxRetries":1.5}), "maxRetries"),
        (json!({"timeoutMs":0}), "timeoutMs"),
        (json!({"apiKey":"sk_test_ has space"}), "apiKey"),
        (json!({"fetch":"nope"}), "fetch"),
        (json!({"headers":{"bad name":"v"}}), "headers"),
        (json!({"apiKey":"sk_test_pasted’"}), "apiKey"),
        (json!({"headers":{"X-Note":"curly ’ quote"}}), "headers"),
    ] {
        let e = RimpClient::new(Some(js(opts.clone()).unchecked_into()))
            .err()
            .unwrap_or_else(|| panic!("{opts}: accepted"));
        let d = parse(&describe_error(&e, &error_classes()));
        assert_eq!(
            d.get_text("name").as_deref(),
            Some("InvalidRequestError"),
            "{opts}"
        );
        assert_eq!(d.get_text("param").as_deref(), Some(param));
        assert!(!d.get_text("message").unwrap().contains("has space"));
    }
}
