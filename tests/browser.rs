//! The wasm glue in headless Chromium, plus what only a browser can show: the API-key guard
//! and CORS against a real cross-origin server (rimp-mock, started by `make test`).
#![cfg(target_arch = "wasm32")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use serde_json::json;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen_test]
fn an_api_key_in_a_page_needs_the_explicit_opt_in() {
    let e = rimp_client::wasm::RimpClient::new(Some(
        common::js(json!({"apiKey":"sk_test_secret_value"})).unchecked_into(),
    ))
    .err()
    .expect("refused");
    let name = js_sys::Reflect::get(&e, &"name".into()).unwrap();
    let code = js_sys::Reflect::get(&e, &"code".into()).unwrap();
    let msg = js_sys::Reflect::get(&e, &"message".into())
        .unwrap()
        .as_string()
        .unwrap();
    assert_eq!(name.as_string().as_deref(), Some("RimpError"));
    assert_eq!(code.as_string().as_deref(), Some("browser_api_key"));
    assert!(!msg.contains("sk_test_secret_value"));
    // With the opt-in, or with no key (the proxy pattern), it is fine.
    for ok in [
        json!({"apiKey":"sk_test_secret_value","dangerouslyAllowBrowser":true}),
        json!({"baseUrl":"https://my-app.example/rimp"}),
    ] {
        assert!(rimp_client::wasm::RimpClient::new(Some(common::js(ok).unchecked_into())).is_ok());
    }
}

// ---- CORS against a real cross-origin server (rimp-mock) ------------------------------------
//
// The test page is served by wasm-bindgen-test-runner from its own port; rimp-mock listens on
// another, so every request here is cross-origin and goes through Chromium's CORS checks.
// `scripts/test.sh` starts two mocks: one exposing the headers, one with --no-expose-headers.

use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen(module = "/tests/support/stubs.js")]
extern "C" {
    #[wasm_bindgen(js_name = mockControl)]
    fn mock_control(base: &str, path: &str, body: &str) -> Promise;
    #[wasm_bindgen(js_name = mockGet)]
    fn mock_get(base: &str, path: &str) -> Promise;
    #[wasm_bindgen(js_name = retryRecorder)]
    fn retry_recorder() -> common::Recorder;
    #[wasm_bindgen(js_name = liveOptions)]
    fn live_options(rec: &common::Recorder, extra: &str) -> JsValue;
    #[wasm_bindgen(js_name = eventsJson)]
    fn events_json(rec: &common::Recorder) -> String;
}

fn mock_url(hidden: bool) -> &'static str {
    let url = if hidden {
        option_env!("RIMP_MOCK_HIDDEN_URL")
    } else {
        option_env!("RIMP_MOCK_URL")
    };
    url.expect("RIMP_MOCK_URL / RIMP_MOCK_HIDDEN_URL must name running rimp-mocks (scripts/test.sh starts them)")
}

async fn live_client(base: &str, key: &str) -> (rimp_client::wasm::RimpClient, common::Recorder) {
    let rec = retry_recorder();
    let opts = live_options(
        &rec,
        &json!({"baseUrl": base, "apiKey": key, "dangerouslyAllowBrowser": true, "retryDelayMs": 20})
            .to_string(),
    );
    (
        rimp_client::wasm::RimpClient::new(Some(opts.unchecked_into())).unwrap(),
        rec,
    )
}

async fn fault(base: &str, fault: serde_json::Value) {
    JsFuture::from(mock_control(base, "/__mock/faults", &fault.to_string()))
        .await
        .unwrap();
}

fn events(rec: &common::Recorder) -> Vec<common::serde_like::Value> {
    match common::serde_like::parse(&events_json(rec)) {
        common::serde_like::Value::Array(a) => a,
        _ => unreachable!(),
    }
}

#[wasm_bindgen_test]
async fn cors_exposed_headers_are_readable_and_keyed_posts_pass_the_preflight() {
    let base = mock_url(false);
    let (c, _) = live_client(base, "sk_test_corsa_1").await;
    let r = JsFuture::from(c.request(
        "POST".into(),
        "/v1/images".into(),
        common::js(json!({"body":{"model":"flux-pro","prompt":"a lighthouse"},"idempotencyKey":"cors-key-1"})),
    ))
    .await
    .expect("the preflight allowed Idempotency-Key and the POST went through");
    let rid = common::get(&r, "requestId").as_string().unwrap_or_default();
    assert!(rid.starts_with("req_"), "X-Request-Id exposed: {rid:?}");
    let rl = common::get(&r, "rateLimit");
    assert!(
        common::get(&rl, "limit").as_f64().is_some(),
        "X-RateLimit-* exposed"
    );
    assert_eq!(
        common::get(&r, "idempotencyKey").as_string().as_deref(),
        Some("cors-key-1")
    );

    // The browser really sent a preflight for it, and the POST carried the key.
    let log = JsFuture::from(mock_get(base, "/__mock/requests"))
        .await
        .unwrap()
        .as_string()
        .unwrap();
    assert!(log.contains("cors-key-1"));
    assert!(log.contains("OPTIONS"), "a preflight was logged");
}

/// A 429 with `Retry-After: 1` on `GET /v1/generations/<gen>` (scripted on the mock at
/// `base`), then the real endpoint's 404: returns the final error and the `onRetry` events.
async fn rate_limited_once(
    base: &str,
    gen_id: &str,
    key: &str,
) -> (JsValue, Vec<common::serde_like::Value>) {
    let path = format!("/v1/generations/{gen_id}");
    fault(
        base,
        json!({
            "method": "GET",
            "path": path,
            "count": 1,
            "action": {
                "type": "respond",
                "status": 429,
                "headers": {"Retry-After": "1"},
                "body": {"error": {"type": "rate_limited", "code": "rate_limited", "message": "slow down"}}
            }
        }),
    )
    .await;
    let (c, rec) = live_client(base, key).await;
    let e = JsFuture::from(c.request("GET".into(), path.into(), JsValue::UNDEFINED))
        .await
        .expect_err("the retry reaches the real endpoint: 404");
    assert_eq!(
        common::get(&e, "name").as_string().as_deref(),
        Some("NotFoundError")
    );
    let ev = events(&rec);
    assert_eq!(ev.len(), 1, "one retry");
    (e, ev)
}

#[wasm_bindgen_test]
async fn cors_exposed_retry_after_is_honoured() {
    let (_, ev) = rate_limited_once(mock_url(false), "gen_cors_exposed", "sk_test_corsb_1").await;
    assert_eq!(
        ev[0].get_text("delaySource").as_deref(),
        Some("retry-after")
    );
    assert_eq!(ev[0].get_text("delayMs").as_deref(), Some("1000"));
}

#[wasm_bindgen_test]
async fn cors_hidden_headers_degrade_to_backoff_and_null_request_id() {
    let base = mock_url(true);
    let (e, ev) = rate_limited_once(base, "gen_cors_hidden", "sk_test_corsc_1").await;
    // The body's request_id still identifies the call even though the header is hidden.
    assert!(
        common::get(&e, "requestId")
            .as_string()
            .is_some_and(|r| r.starts_with("req_"))
    );
    assert_eq!(
        ev[0].get_text("delaySource").as_deref(),
        Some("backoff"),
        "Retry-After unreadable"
    );
    let d: u64 = ev[0].get_text("delayMs").unwrap().parse().unwrap();
    assert!((20..30).contains(&d), "backoff from retryDelayMs 20: {d}");

    let (c, _) = live_client(base, "sk_test_corsc_1").await;
    let r = JsFuture::from(c.request("GET".into(), "/v1/models".into(), JsValue::UNDEFINED))
        .await
        .unwrap();
    assert!(
        common::get(&r, "requestId").is_null(),
        "X-Request-Id hidden"
    );
    assert!(
        common::get(&r, "rateLimit").is_null(),
        "X-RateLimit-* hidden"
    );
}
