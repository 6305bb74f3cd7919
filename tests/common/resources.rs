//! The resource methods (`client.images.generate`, …, `generations.waitFor`) in Node and
//! Chromium, called from JS exactly as an app does: input checks and URL building against
//! scripted `fetch` stubs, then every endpoint and every `waitFor` outcome against rimp-mock
//! (`RIMP_MOCK_URL`, set by `scripts/test.sh`), read back from the mock's request log.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::type_complexity
)]

use js_sys::{Array, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::wasm_bindgen_test;

use serde_json::json;

use super::serde_like::{self, Value};
use super::{
    ClientOptionsJs, RimpClient, abort_after, client, get, js, now, retry_recorder, scripted_fetch,
};

#[wasm_bindgen(module = "/tests/support/resources.js")]
extern "C" {
    #[wasm_bindgen(js_name = callMethod)]
    fn call_method(client: &JsValue, index: u32, args: &Array) -> Promise;
    #[wasm_bindgen(js_name = oddValue)]
    fn odd_value(kind: &str) -> JsValue;
    type Progress;
    #[wasm_bindgen(js_name = progressRecorder)]
    fn progress_recorder() -> Progress;
    #[wasm_bindgen(js_name = progressJson)]
    fn progress_json(rec: &Progress) -> String;
    #[wasm_bindgen(js_name = waitOptions)]
    fn wait_options_json(json: &str, rec: Option<&Progress>, signal: &JsValue) -> JsValue;
    #[wasm_bindgen(js_name = toJson)]
    fn to_json(value: &JsValue) -> String;
    fn sleep(ms: u32) -> Promise;
    #[wasm_bindgen(js_name = uniqueTag)]
    fn unique_tag() -> String;
    #[wasm_bindgen(js_name = mockControl)]
    fn mock_control(base: &str, method: &str, path: &str, body: Option<&str>) -> Promise;
    #[wasm_bindgen(js_name = mockLog)]
    fn mock_log(base: &str, authorization: &str) -> Promise;
}

// ---- helpers --------------------------------------------------------------------------------

/// A client as JS sees it (the object with the `images`, `generations`, … getters).
fn js_client(options: serde_json::Value) -> JsValue {
    RimpClient::new(Some(js(options).unchecked_into::<ClientOptionsJs>()))
        .expect("client")
        .into()
}

/// `client.<ns>.<method>(...args)`, awaited: the core's entry for that method of the table,
/// with the arguments exactly as a JS caller passes them (js/runtime.js does the same).
async fn call(
    client: &JsValue,
    ns: &str,
    method: &str,
    args: &[JsValue],
) -> Result<JsValue, JsValue> {
    let index = rimp_client::resources::SURFACE
        .iter()
        .position(|(n, m, _)| *n == ns && *m == method)
        .unwrap_or_else(|| panic!("no method {ns}.{method}"));
    let a: Array = args.iter().collect();
    JsFuture::from(call_method(client, index as u32, &a)).await
}

/// `waitFor` options `options`, with `onProgress` recording into `rec` and `signal` when given.
fn wait_options(options: serde_json::Value, rec: Option<&Progress>, signal: &JsValue) -> JsValue {
    wait_options_json(&options.to_string(), rec, signal)
}

fn s(v: &str) -> JsValue {
    JsValue::from_str(v)
}

fn text(v: &JsValue, key: &str) -> Option<String> {
    get(v, key).as_string()
}

fn number(v: &JsValue, key: &str) -> Option<f64> {
    get(v, key).as_f64()
}

fn array(v: &JsValue, key: &str) -> Array {
    let a = get(v, key);
    assert!(Array::is_array(&a), "{key} is not an array: {}", to_json(v));
    a.unchecked_into()
}

fn parse_array(json: &str) -> Vec<Value> {
    match serde_like::parse(json) {
        Value::Array(a) => a,
        other => panic!("expected an array, got {other:?}"),
    }
}

fn describe(e: &JsValue) -> Value {
    serde_like::parse(&super::describe_error(e, &super::error_classes()))
}

fn header(entry: &Value, name: &str) -> Option<String> {
    entry.get("headers").and_then(|h| h.get_text(name))
}

fn progress(rec: &Progress) -> Vec<Value> {
    parse_array(&progress_json(rec))
}

fn statuses(rec: &Progress) -> Vec<String> {
    progress(rec)
        .iter()
        .map(|e| e.get_text("status").unwrap_or_default())
        .collect()
}

/// Client options for the stub tests: fast retries, no budget, no shared rate limit.
fn stub_client_options() -> serde_json::Value {
    json!({"allowInsecureHttp":true,"retryBudget":false,"shareRateLimit":false,"baseUrl":"http://rimp.test","apiKey":"sk_test_stub","dangerouslyAllowBrowser":true,"retryDelayMs":5,"maxRetryDelayMs":20})
}

/// Every namespace and its methods, as the README lists them.
const NAMESPACES: [(&str, &[&str]); 12] = [
    ("images", &["generate"]),
    ("videos", &["create"]),
    ("music", &["create"]),
    ("threeD", &["create"]),
    ("upscale", &["create"]),
    ("chat", &["create"]),
    ("generations", &["cancel", "get", "waitFor"]),
    ("comparisons", &["create", "get", "waitFor"]),
    ("usage", &["get"]),
    ("models", &["list"]),
    ("apiKeys", &["create", "revoke", "update"]),
    ("webhooks", &["create", "unwrap"]),
];

fn stub_client(script: serde_json::Value) -> (JsValue, super::Stub) {
    let stub = scripted_fetch(&script);
    let c: JsValue = client(&stub, &retry_recorder(), &stub_client_options()).into();
    (c, stub)
}

fn stub_calls(stub: &super::Stub) -> Vec<Value> {
    parse_array(&super::calls_json(stub))
}

/// A 200 answer with generation `gen_s` in `status` (request id `req_<status>`).
fn gen_step(status: &str) -> serde_json::Value {
    json!({
        "status": 200,
        "headers": {"x-request-id": format!("req_{status}")},
        "body": {"id": "gen_s", "object": "generation", "status": status, "outputs": []}
    })
}

/// The rimp-mock under test. A test that needs it fails, loudly, when it is not configured.
fn mock_url() -> &'static str {
    match option_env!("RIMP_MOCK_URL") {
        Some(url) => url,
        None => panic!(
            "RIMP_MOCK_URL is not set: these tests run against rimp-mock. Start one \
             (`scripts/start-mock.sh --time-scale 0.05`) and export RIMP_MOCK_URL before \
             `cargo test --target wasm32-unknown-unknown` (scripts/test.sh does both)"
        ),
    }
}

/// A client against rimp-mock with its own org (`res<n><unique>`, so suites and runs sharing
/// one mock never see each other's jobs, usage or keys) and its own key.
struct Live {
    client: JsValue,
    base: &'static str,
    auth: String,
}

impl Live {
    fn new(n: u32) -> Live {
        let base = mock_url();
        let key = format!("sk_test_res{n}{}_key", unique_tag());
        let client = js_client(json!({
            "retryBudget": false,
            "shareRateLimit": false,
            "baseUrl": base,
            "apiKey": key,
            "dangerouslyAllowBrowser": true,
            "retryDelayMs": 20
        }));
        Live {
            client,
            base,
            auth: format!("Bearer {key}"),
        }
    }

    async fn call(&self, ns: &str, method: &str, args: &[JsValue]) -> Result<JsValue, JsValue> {
        call(&self.client, ns, method, args).await
    }

    async fn ok(&self, ns: &str, method: &str, args: &[JsValue]) -> JsValue {
        match self.call(ns, method, args).await {
            Ok(v) => v,
            Err(e) => panic!("{ns}.{method} rejected: {:?}", describe(&e)),
        }
    }

    /// This client's requests, from the mock's log, oldest first.
    async fn log(&self) -> Vec<Value> {
        let text = JsFuture::from(mock_log(self.base, &self.auth))
            .await
            .expect("GET /__mock/requests");
        parse_array(&text.as_string().unwrap())
    }

    /// Scripts a fault; returns its id.
    async fn fault(&self, fault: serde_json::Value) -> String {
        let text = JsFuture::from(mock_control(
            self.base,
            "POST",
            "/__mock/faults",
            Some(&fault.to_string()),
        ))
        .await
        .expect("POST /__mock/faults");
        serde_like::parse(&text.as_string().unwrap())
            .get_text("id")
            .unwrap()
    }

    async fn clear_fault(&self, id: &str) {
        let path = format!("/__mock/faults/{id}");
        let _ = JsFuture::from(mock_control(self.base, "DELETE", &path, None)).await;
    }
}

/// Checks one logged request: method, path, query and body exactly as sent.
fn assert_wire(entry: &Value, method: &str, path: &str, query: Option<&str>, body: Option<&str>) {
    let what = format!("{method} {path}");
    assert_eq!(entry.get_text("method").as_deref(), Some(method), "{what}");
    assert_eq!(entry.get_text("path").as_deref(), Some(path), "{what}");
    assert_eq!(entry.get_text("query").as_deref(), query, "{what}");
    assert_eq!(entry.get_text("body").as_deref(), body, "{what}");
    let key = header(entry, "idempotency-key");
    if method == "POST" {
        assert_eq!(
            key.as_deref().map(str::len),
            Some(36),
            "{what}: a UUID v4 key"
        );
    } else {
        assert_eq!(key, None, "{what}: no key");
    }
    assert_eq!(
        header(entry, "content-type").as_deref(),
        body.map(|_| "application/json"),
        "{what}: a content-type only with a body"
    );
}

async fn settle(ms: u32) {
    JsFuture::from(sleep(ms)).await.unwrap();
}

// ---- the JS surface, against stubs ----------------------------------------------------------

#[wasm_bindgen_test]
fn the_method_table_has_every_namespace_and_method() {
    // The JS namespaces are built from this table (js/runtime.js; the package tests check the
    // objects themselves).
    for (ns, methods) in NAMESPACES {
        let mut got: Vec<&str> = rimp_client::resources::SURFACE
            .iter()
            .filter(|(n, _, _)| *n == ns)
            .map(|(_, m, _)| *m)
            .collect();
        got.sort_unstable();
        assert_eq!(got, *methods, "{ns}");
    }
    let total: usize = NAMESPACES.iter().map(|(_, m)| m.len()).sum();
    assert_eq!(total, rimp_client::resources::SURFACE.len());
}

#[wasm_bindgen_test]
async fn bad_ids_params_and_options_are_refused_before_any_request() {
    let u = JsValue::UNDEFINED;
    let cases: Vec<(&str, &str, Vec<JsValue>, &str)> = vec![
        ("generations", "get", vec![s("")], "id"),
        ("generations", "get", vec![JsValue::from_f64(42.0)], "id"),
        ("generations", "get", vec![s("..")], "id"),
        ("generations", "cancel", vec![u.clone()], "id"),
        ("generations", "waitFor", vec![s(".")], "id"),
        ("comparisons", "get", vec![JsValue::NULL], "id"),
        ("comparisons", "waitFor", vec![], "id"),
        ("apiKeys", "update", vec![s(""), js(json!({}))], "id"),
        ("apiKeys", "revoke", vec![js(json!({}))], "id"),
        ("images", "generate", vec![], "params"),
        ("images", "generate", vec![js(json!([]))], "params"),
        ("videos", "create", vec![s("a video")], "params"),
        ("music", "create", vec![JsValue::NULL], "params"),
        ("threeD", "create", vec![odd_value("map")], "params"),
        ("upscale", "create", vec![odd_value("instance")], "params"),
        ("chat", "create", vec![odd_value("bigint")], "params"),
        ("comparisons", "create", vec![odd_value("date")], "params"),
        ("webhooks", "create", vec![odd_value("function")], "params"),
        (
            "apiKeys",
            "update",
            vec![s("key_1"), js(json!([1]))],
            "params",
        ),
        ("usage", "get", vec![s("day")], "query"),
        ("usage", "get", vec![js(json!({"groupBy":{}}))], "query"),
        ("models", "list", vec![s("fast")], "options"),
        (
            "images",
            "generate",
            vec![js(json!({"model":"m"})), js(json!({"withResponse":"yes"}))],
            "withResponse",
        ),
        (
            "generations",
            "get",
            vec![s("gen_1"), js(json!({"idempotencyKey":"k"}))],
            "idempotencyKey",
        ),
        (
            "videos",
            "create",
            vec![js(json!({})), js(json!({"timeoutMs":0}))],
            "timeoutMs",
        ),
        (
            "generations",
            "waitFor",
            vec![s("gen_1"), js(json!({"intervalMs":0}))],
            "intervalMs",
        ),
        (
            "generations",
            "waitFor",
            vec![s("gen_1"), js(json!({"maxIntervalMs":1.5}))],
            "maxIntervalMs",
        ),
        (
            "comparisons",
            "waitFor",
            vec![s("cmp_1"), js(json!({"timeoutMs":-1}))],
            "timeoutMs",
        ),
        (
            "generations",
            "waitFor",
            vec![s("gen_1"), js(json!({"onProgress":"log"}))],
            "onProgress",
        ),
    ];
    for (ns, method, args, param) in cases {
        let (c, stub) = stub_client(json!([gen_step("succeeded")]));
        let e = call(&c, ns, method, &args)
            .await
            .expect_err(&format!("{ns}.{method} refused ({param})"));
        let d = describe(&e);
        let what = format!("{ns}.{method} ({param})");
        assert_eq!(
            d.get_text("name").as_deref(),
            Some("InvalidRequestError"),
            "{what}"
        );
        assert_eq!(
            d.get_text("code").as_deref(),
            Some("invalid_option"),
            "{what}"
        );
        assert_eq!(d.get_text("param").as_deref(), Some(param), "{what}");
        assert_eq!(d.get("status"), Some(&Value::Null), "{what}");
        assert_eq!(stub_calls(&stub).len(), 0, "{what}: nothing sent");
    }
}

#[wasm_bindgen_test]
async fn ids_are_encoded_and_params_sent_as_given() {
    let ok = json!([{"status":200,"headers":{},"body":{"ok":true}}]);
    // (namespace, method, args, method on the wire, URL, body)
    let cases: Vec<(&str, &str, Vec<JsValue>, &str, &str, Option<&str>)> = vec![
        (
            "generations",
            "get",
            vec![s("a/b c?d")],
            "GET",
            "http://rimp.test/v1/generations/a%2Fb%20c%3Fd",
            None,
        ),
        (
            "generations",
            "cancel",
            vec![s("../x")],
            "POST",
            "http://rimp.test/v1/generations/..%2Fx/cancel",
            None,
        ),
        (
            "comparisons",
            "get",
            vec![s("cmp é")],
            "GET",
            "http://rimp.test/v1/comparisons/cmp%20%C3%A9",
            None,
        ),
        (
            "apiKeys",
            "update",
            vec![
                s("key#1"),
                js(json!({"ipAllowlist":["203.0.113.0/24","2001:db8::/32"]})),
            ],
            "PATCH",
            "http://rimp.test/v1/api-keys/key%231",
            Some(r#"{"ipAllowlist":["203.0.113.0/24","2001:db8::/32"]}"#),
        ),
        (
            "apiKeys",
            "revoke",
            vec![s("key_old")],
            "DELETE",
            "http://rimp.test/v1/api-keys/key_old",
            None,
        ),
        (
            "usage",
            "get",
            vec![js(
                json!({"start":"2026-05-01T00:00:00Z","groupBy":"api_key","end":null}),
            )],
            "GET",
            "http://rimp.test/v1/usage?start=2026-05-01T00%3A00%3A00Z&group_by=api_key",
            None,
        ),
        (
            "usage",
            "get",
            vec![],
            "GET",
            "http://rimp.test/v1/usage",
            None,
        ),
        (
            "threeD",
            "create",
            vec![odd_value("nullproto")],
            "POST",
            "http://rimp.test/v1/three-d",
            Some(r#"{"model":"m","prompt":"p"}"#),
        ),
        (
            "upscale",
            "create",
            vec![js(
                json!({"model":"real-esrgan","image_url":"https://x.test/a.png","scale_factor":"4","unknown_field":[1]}),
            )],
            "POST",
            "http://rimp.test/v1/upscale",
            Some(
                r#"{"model":"real-esrgan","image_url":"https://x.test/a.png","scale_factor":"4","unknown_field":[1]}"#,
            ),
        ),
    ];
    for (ns, method, args, wire_method, url, body) in cases {
        let (c, stub) = stub_client(ok.clone());
        let data = call(&c, ns, method, &args).await.expect(url);
        assert_eq!(
            get(&data, "ok").as_bool(),
            Some(true),
            "{url}: resolves to the parsed body"
        );
        let calls = stub_calls(&stub);
        assert_eq!(calls.len(), 1);
        let sent = &calls[0];
        assert_eq!(
            sent.get_text("method").as_deref(),
            Some(wire_method),
            "{url}"
        );
        assert_eq!(sent.get_text("url").as_deref(), Some(url));
        assert_eq!(sent.get_text("body").as_deref(), body, "{url}");
        let h = sent.get("headers").unwrap();
        assert_eq!(
            h.get_text("authorization").as_deref(),
            Some("Bearer sk_test_stub")
        );
        assert_eq!(
            h.get_text("content-type").is_some(),
            body.is_some(),
            "{url}: content-type only with a body (cancel posts none)"
        );
        assert_eq!(
            h.get_text("idempotency-key").is_some(),
            wire_method == "POST",
            "{url}: every POST (cancel too) carries a key"
        );
    }
}

#[wasm_bindgen_test]
async fn wait_for_polls_on_a_growing_interval_until_terminal() {
    let script = [
        "queued",
        "queued",
        "running",
        "running",
        "running",
        "succeeded",
    ]
    .map(gen_step);
    let (c, stub) = stub_client(json!(script));
    let rec = progress_recorder();
    let t0 = now();
    let g = call(
        &c,
        "generations",
        "waitFor",
        &[
            s("gen_s"),
            wait_options(
                json!({"intervalMs":20,"maxIntervalMs":45}),
                Some(&rec),
                &JsValue::UNDEFINED,
            ),
        ],
    )
    .await
    .unwrap();
    let elapsed = now() - t0;
    assert_eq!(text(&g, "status").as_deref(), Some("succeeded"));
    assert_eq!(text(&g, "id").as_deref(), Some("gen_s"));
    let calls = stub_calls(&stub);
    assert_eq!(calls.len(), 6, "polled until terminal, then stopped");
    for c in &calls {
        assert_eq!(c.get_text("method").as_deref(), Some("GET"));
        assert_eq!(
            c.get_text("url").as_deref(),
            Some("http://rimp.test/v1/generations/gen_s")
        );
        assert_eq!(c.get("body"), Some(&Value::Null));
        assert_eq!(header(c, "idempotency-key"), None);
    }
    // Intervals 20, 30, 45 (capped), 45, 45: each gap at least that (timers never fire early
    // by more than the clock's rounding).
    let at: Vec<f64> = calls
        .iter()
        .map(|c| c.get_text("at").unwrap().parse().unwrap())
        .collect();
    for (i, want) in [20.0, 30.0, 45.0, 45.0, 45.0].iter().enumerate() {
        let gap = at[i + 1] - at[i];
        assert!(gap >= want - 2.0, "gap {i} = {gap} ms, want ≥ {want}");
    }
    assert!(elapsed >= 183.0, "{elapsed}");
    // onProgress: the first poll and each change, with the parsed object.
    assert_eq!(statuses(&rec), ["queued", "running", "succeeded"]);
    let last = serde_like::parse(&progress(&rec)[2].get_text("json").unwrap());
    assert_eq!(last.get_text("id").as_deref(), Some("gen_s"));
}

#[wasm_bindgen_test]
async fn wait_for_resolves_failed_jobs_and_rejects_failed_polls() {
    // A failed generation is a result, not an error.
    let (c, _) = stub_client(json!([gen_step("running"), gen_step("failed")]));
    let r = call(
        &c,
        "generations",
        "waitFor",
        &[s("gen_s"), js(json!({"intervalMs":5,"withResponse":true}))],
    )
    .await
    .unwrap();
    assert_eq!(text(&get(&r, "data"), "status").as_deref(), Some("failed"));
    assert_eq!(number(&r, "status"), Some(200.0));
    assert_eq!(
        text(&r, "requestId").as_deref(),
        Some("req_failed"),
        "the last poll's response"
    );
    assert_eq!(get(&r, "idempotencyKey"), JsValue::NULL);

    // A poll that fails (after the client's retries) rejects the wait with its error.
    let (c, stub) = stub_client(json!([{
        "status": 404,
        "headers": {},
        "body": {"error": {"type": "not_found", "code": "not_found", "message": "No such generation"}}
    }]));
    let e = call(&c, "generations", "waitFor", &[s("gen_gone")])
        .await
        .unwrap_err();
    assert_eq!(
        describe(&e).get_text("name").as_deref(),
        Some("NotFoundError")
    );
    assert_eq!(stub_calls(&stub).len(), 1);
}

#[wasm_bindgen_test]
async fn wait_for_rejects_an_answer_that_is_not_a_job() {
    // A 200 with no `status` (an HTML page from a proxy, a lone surrogate the Rust reader
    // refuses but JSON.parse accepts is read from the JS object instead) must not poll forever.
    for body in [
        json!("<html>proxy login</html>"),
        json!({"id": "gen_s"}),
        json!([]),
    ] {
        let script = json!([
            gen_step("running"),
            {"status": 200, "headers": {"x-request-id": "req_odd"}, "body": body}
        ]);
        let (c, stub) = stub_client(script);
        let e = call(
            &c,
            "generations",
            "waitFor",
            &[s("gen_s"), js(json!({"intervalMs":5}))],
        )
        .await
        .unwrap_err();
        let d = describe(&e);
        assert_eq!(d.get_text("name").as_deref(), Some("APIError"), "{body}");
        assert_eq!(number_text(&d, "status"), Some(200));
        assert_eq!(number_text(&d, "attempts"), Some(2));
        assert_eq!(d.get_text("requestId").as_deref(), Some("req_odd"));
        assert!(d.get_text("rawBody").is_some());
        assert_eq!(stub_calls(&stub).len(), 2, "{body}: stopped at once");
    }
    // A status the Rust JSON reader could not see (a lone surrogate elsewhere in the body) is
    // still read from the object JSON.parse made: the wait ends.
    let odd = json!({
        "status": 200,
        "headers": {},
        "body": r#"{"id":"gen_s","prompt":"\udc00","status":"succeeded"}"#
    });
    let (c, _) = stub_client(json!([odd]));
    let g = call(&c, "generations", "waitFor", &[s("gen_s")])
        .await
        .unwrap();
    assert_eq!(text(&g, "status").as_deref(), Some("succeeded"));
}

fn number_text(v: &Value, key: &str) -> Option<u64> {
    v.get_text(key).and_then(|t| t.parse().ok())
}

#[wasm_bindgen_test]
async fn wait_for_deadline_cuts_a_hanging_poll_short() {
    // The second poll hangs; the client's per-attempt timeout is a minute, but the wait's own
    // deadline (timeoutMs 150) ends it: the fetch is aborted and the wait rejects at once.
    let stub = scripted_fetch(&json!([gen_step("running"), {"hang": true}]));
    let opts = json!({"allowInsecureHttp":true,"retryBudget":false,"shareRateLimit":false,"baseUrl":"http://rimp.test","timeoutMs":60000,"dangerouslyAllowBrowser":true});
    let c: JsValue = client(&stub, &retry_recorder(), &opts).into();
    let t0 = now();
    let e = call(
        &c,
        "comparisons",
        "waitFor",
        &[s("cmp_x"), js(json!({"intervalMs":20,"timeoutMs":150}))],
    )
    .await
    .unwrap_err();
    let elapsed = now() - t0;
    let d = describe(&e);
    assert_eq!(d.get_text("name").as_deref(), Some("TimeoutError"));
    assert_eq!(d.get("retryable"), Some(&Value::Bool(true)));
    let msg = d.get_text("message").unwrap();
    assert!(
        msg.contains("comparison cmp_x")
            && msg.contains("timeoutMs 150")
            && msg.contains("\"running\""),
        "{msg}"
    );
    assert!(
        (145.0..1000.0).contains(&elapsed),
        "ended at the deadline: {elapsed}"
    );
    assert_eq!(stub_calls(&stub).len(), 2);
}

// ---- every endpoint against rimp-mock ------------------------------------------------------

#[wasm_bindgen_test]
async fn generation_endpoints_on_the_wire() {
    let m = Live::new(1);
    let image_params = json!({"model":"flux-pro","prompt":"a red fox","aspect_ratio":"16:9","num_outputs":2,"seed":7});
    let video_params = json!({"model":"veo-3-1-fast","prompt":"waves at dusk","duration_s":4,"aspect_ratio":"9:16","resolution":"720p"});
    let music_params =
        json!({"model":"suno-v4","prompt":"lo-fi rain","duration_s":30,"with_vocals":false});
    let three_d_params = json!({"model":"meshy-4","prompt":"a teapot","texture_size":"2048","mesh_complexity":"low","rigged":false});
    let upscale_params = json!({"model":"real-esrgan","image_url":"https://example.com/in.png","scale_factor":"2","face_enhance":true});
    let chat_params = json!({"model":"gpt-4o-mini","messages":[{"role":"user","content":"Say hi"}],"max_tokens":20,"temperature":0.5,"system_prompt":"Be brief."});
    let cmp_params = json!({"prompt":"a lighthouse","models":["flux-pro","sdxl-turbo"],"params_shared":{"num_outputs":1}});

    let image = m
        .ok("images", "generate", &[js(image_params.clone())])
        .await;
    let video = m.ok("videos", "create", &[js(video_params.clone())]).await;
    let music = m.ok("music", "create", &[js(music_params.clone())]).await;
    // Cancel at once, while the job is still queued (jobs take ~200 ms at --time-scale 0.05).
    let music_id = text(&music, "id").unwrap();
    let canceled = m.ok("generations", "cancel", &[s(&music_id)]).await;
    let three_d = m
        .ok("threeD", "create", &[js(three_d_params.clone())])
        .await;
    let upscale = m
        .ok("upscale", "create", &[js(upscale_params.clone())])
        .await;
    let chat = m.ok("chat", "create", &[js(chat_params.clone())]).await;
    let video_id = text(&video, "id").unwrap();
    let got = m.ok("generations", "get", &[s(&video_id)]).await;
    let cmp = m
        .ok("comparisons", "create", &[js(cmp_params.clone())])
        .await;
    let cmp_id = text(&cmp, "id").unwrap();
    let cmp_got = m.ok("comparisons", "get", &[s(&cmp_id)]).await;

    // Parsed results: the API's objects, as sent.
    for (g, modality) in [
        (&image, "image"),
        (&video, "video"),
        (&music, "music"),
        (&three_d, "3d"),
        (&upscale, "upscale"),
        (&got, "video"),
    ] {
        assert_eq!(text(g, "object").as_deref(), Some("generation"));
        assert_eq!(text(g, "modality").as_deref(), Some(modality));
        assert!(text(g, "id").unwrap().starts_with("gen_"));
        assert!(number(g, "reserved_credits").is_some());
    }
    // Images are synchronous but the status is checked, not assumed.
    let image_status = text(&image, "status").unwrap();
    assert!(
        ["queued", "running", "succeeded"].contains(&image_status.as_str()),
        "{image_status}"
    );
    if image_status == "succeeded" {
        assert_eq!(array(&image, "outputs").length(), 2, "num_outputs 2");
    }
    assert_eq!(
        text(&video, "status").as_deref(),
        Some("queued"),
        "async: 202 queued"
    );
    assert_eq!(text(&got, "id"), Some(video_id.clone()));
    assert_eq!(text(&canceled, "status").as_deref(), Some("canceled"));
    assert_eq!(text(&canceled, "id"), Some(music_id.clone()));
    assert_eq!(text(&chat, "object").as_deref(), Some("chat.completion"));
    assert_eq!(text(&chat, "status").as_deref(), Some("succeeded"));
    assert!(text(&get(&chat, "message"), "content").is_some());
    assert!(
        get(&chat, "outputs").is_undefined(),
        "chat is not a Generation"
    );
    assert_eq!(text(&cmp, "object").as_deref(), Some("comparison"));
    assert_eq!(array(&cmp, "generations").length(), 2);
    assert_eq!(text(&cmp_got, "id"), Some(cmp_id.clone()));

    // On the wire, in order: method, path, query, body exactly as given.
    let log = m.log().await;
    assert_eq!(log.len(), 10, "one request per call: {log:?}");
    assert_wire(
        &log[0],
        "POST",
        "/v1/images",
        None,
        Some(image_params.to_string().as_str()),
    );
    assert_wire(
        &log[1],
        "POST",
        "/v1/videos",
        None,
        Some(video_params.to_string().as_str()),
    );
    assert_wire(
        &log[2],
        "POST",
        "/v1/music",
        None,
        Some(music_params.to_string().as_str()),
    );
    assert_wire(
        &log[3],
        "POST",
        &format!("/v1/generations/{music_id}/cancel"),
        None,
        None,
    );
    assert_wire(
        &log[4],
        "POST",
        "/v1/three-d",
        None,
        Some(three_d_params.to_string().as_str()),
    );
    assert_wire(
        &log[5],
        "POST",
        "/v1/upscale",
        None,
        Some(upscale_params.to_string().as_str()),
    );
    assert_wire(
        &log[6],
        "POST",
        "/v1/chat",
        None,
        Some(chat_params.to_string().as_str()),
    );
    assert_wire(
        &log[7],
        "GET",
        &format!("/v1/generations/{video_id}"),
        None,
        None,
    );
    assert_wire(
        &log[8],
        "POST",
        "/v1/comparisons",
        None,
        Some(cmp_params.to_string().as_str()),
    );
    assert_wire(
        &log[9],
        "GET",
        &format!("/v1/comparisons/{cmp_id}"),
        None,
        None,
    );
    for e in &log {
        assert_eq!(header(e, "accept").as_deref(), Some("application/json"));
        assert!(e.get_text("status").unwrap().starts_with('2'), "{e:?}");
    }
    // A fresh key per call.
    let keys: Vec<_> = log
        .iter()
        .filter_map(|e| header(e, "idempotency-key"))
        .collect();
    let mut unique = keys.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), keys.len());
}

#[wasm_bindgen_test]
async fn account_endpoints_on_the_wire() {
    let m = Live::new(2);
    // Something to aggregate: two images.
    m.ok(
        "images",
        "generate",
        &[js(json!({"model":"flux-pro","prompt":"one"}))],
    )
    .await;
    m.ok(
        "images",
        "generate",
        &[js(json!({"model":"sdxl-turbo","prompt":"two"}))],
    )
    .await;
    let usage = m
        .ok(
            "usage",
            "get",
            &[js(
                json!({"start":"2020-01-01T00:00:00Z","groupBy":"model"}),
            )],
        )
        .await;
    let total = m.ok("usage", "get", &[]).await;
    let models = m.ok("models", "list", &[]).await;
    let key = m
        .ok(
            "apiKeys",
            "create",
            &[js(json!({"name":"ci-key","scopes":["generations:read"]}))],
        )
        .await;
    let key_id = text(&key, "id").unwrap();
    let updated = m
        .ok(
            "apiKeys",
            "update",
            &[s(&key_id), js(json!({"ipAllowlist":["203.0.113.0/24"]}))],
        )
        .await;
    let revoked = m.ok("apiKeys", "revoke", &[s(&key_id)]).await;
    let hook = m
        .ok(
            "webhooks",
            "create",
            &[js(json!({"url":"https://example.com/rimp-hook","events":["generation.completed","generation.failed"]}))],
        )
        .await;

    assert_eq!(text(&usage, "group_by").as_deref(), Some("model"));
    let groups = array(&usage, "data");
    assert_eq!(
        groups.length(),
        2,
        "grouped by the two models: {}",
        to_json(&usage)
    );
    assert_eq!(
        number(&total, "total_generations"),
        Some(2.0),
        "{}",
        to_json(&total)
    );
    assert!(array(&models, "data").length() > 0);
    assert!(key_id.starts_with("key_"));
    assert!(
        text(&key, "key").unwrap().starts_with("sk_test_"),
        "the key, shown once"
    );
    assert_eq!(text(&key, "name").as_deref(), Some("ci-key"));
    assert_eq!(
        array(&updated, "ip_allowlist")
            .get(0)
            .as_string()
            .as_deref(),
        Some("203.0.113.0/24")
    );
    assert_eq!(get(&revoked, "revoked").as_bool(), Some(true));
    assert!(text(&hook, "id").unwrap().starts_with("whk_"));
    assert!(text(&hook, "secret").unwrap().starts_with("whsec_"));
    assert_eq!(array(&hook, "events").length(), 2);

    let log = m.log().await;
    assert_eq!(log.len(), 9, "{log:?}");
    assert_wire(
        &log[2],
        "GET",
        "/v1/usage",
        Some("start=2020-01-01T00%3A00%3A00Z&group_by=model"),
        None,
    );
    assert_wire(&log[3], "GET", "/v1/usage", None, None);
    assert_wire(&log[4], "GET", "/v1/models", None, None);
    assert_wire(
        &log[5],
        "POST",
        "/v1/api-keys",
        None,
        Some(r#"{"name":"ci-key","scopes":["generations:read"]}"#),
    );
    assert_wire(
        &log[6],
        "PATCH",
        &format!("/v1/api-keys/{key_id}"),
        None,
        Some(r#"{"ipAllowlist":["203.0.113.0/24"]}"#),
    );
    assert_wire(
        &log[7],
        "DELETE",
        &format!("/v1/api-keys/{key_id}"),
        None,
        None,
    );
    assert_wire(
        &log[8],
        "POST",
        "/v1/webhooks",
        None,
        Some(
            r#"{"url":"https://example.com/rimp-hook","events":["generation.completed","generation.failed"]}"#,
        ),
    );
}

#[wasm_bindgen_test]
async fn with_response_resolves_to_the_metadata() {
    let m = Live::new(3);
    let params = json!({"model":"veo-3-1-fast","prompt":"a paper boat","duration_s":2});
    let opts = json!({"withResponse":true,"idempotencyKey":"res3-boat-1"});
    let first = m
        .ok("videos", "create", &[js(params.clone()), js(opts.clone())])
        .await;
    let data = get(&first, "data");
    assert_eq!(text(&data, "object").as_deref(), Some("generation"));
    assert_eq!(number(&first, "status"), Some(202.0));
    assert!(text(&first, "requestId").unwrap().starts_with("req_"));
    assert_eq!(
        text(&first, "idempotencyKey").as_deref(),
        Some("res3-boat-1")
    );
    assert_eq!(get(&first, "replayed").as_bool(), Some(false));
    assert_eq!(number(&first, "attempts"), Some(1.0));
    let rl = get(&first, "rateLimit");
    assert!(number(&rl, "limit").is_some() && number(&rl, "remaining").is_some());
    assert!(number(&rl, "resetAt").unwrap() > 1e12, "epoch ms");

    // The same call again with the same key: the stored answer, marked replayed.
    let again = m
        .ok("videos", "create", &[js(params.clone()), js(opts.clone())])
        .await;
    assert_eq!(get(&again, "replayed").as_bool(), Some(true));
    assert_eq!(text(&get(&again, "data"), "id"), text(&data, "id"));

    // Without the flag (or with false): the body alone.
    let plain = m
        .ok(
            "generations",
            "get",
            &[
                s(&text(&data, "id").unwrap()),
                js(json!({"withResponse":false})),
            ],
        )
        .await;
    assert_eq!(text(&plain, "object").as_deref(), Some("generation"));
    assert!(get(&plain, "requestId").is_undefined());
    let list = m
        .ok("models", "list", &[js(json!({"withResponse":true}))])
        .await;
    assert_eq!(
        get(&list, "idempotencyKey"),
        JsValue::NULL,
        "GET sends no key"
    );
    assert!(array(&get(&list, "data"), "data").length() > 0);
}

// ---- waiting for async jobs against rimp-mock ------------------------------------------------

#[wasm_bindgen_test]
async fn a_video_is_created_waited_for_and_succeeds() {
    let m = Live::new(4);
    let video = m
        .ok(
            "videos",
            "create",
            &[js(
                json!({"model":"kling-2","prompt":"a fox in snow","duration_s":3}),
            )],
        )
        .await;
    let id = text(&video, "id").unwrap();
    let rec = progress_recorder();
    let done = m
        .ok(
            "generations",
            "waitFor",
            &[
                s(&id),
                wait_options(
                    json!({"intervalMs":5,"maxIntervalMs":20}),
                    Some(&rec),
                    &JsValue::UNDEFINED,
                ),
            ],
        )
        .await;
    assert_eq!(text(&done, "status").as_deref(), Some("succeeded"));
    assert_eq!(text(&done, "id"), Some(id.clone()));
    let outputs = array(&done, "outputs");
    assert!(outputs.length() >= 1);
    assert!(text(&outputs.get(0), "url").unwrap().contains(&id));
    // Progress: each status once, in lifecycle order, ending with the final one.
    let seen = statuses(&rec);
    assert_eq!(
        seen.last().map(String::as_str),
        Some("succeeded"),
        "{seen:?}"
    );
    let mut dedup = seen.clone();
    dedup.dedup();
    assert_eq!(dedup, seen, "only changes are reported");
    let order = ["queued", "running", "succeeded"];
    let ranks: Vec<usize> = seen
        .iter()
        .map(|s| order.iter().position(|o| o == s).unwrap())
        .collect();
    assert!(ranks.windows(2).all(|w| w[0] < w[1]), "{seen:?}");
    // On the wire: the create, then GETs of that generation only.
    let log = m.log().await;
    assert!(log.len() >= 2);
    assert_wire(
        &log[0],
        "POST",
        "/v1/videos",
        None,
        Some(r#"{"model":"kling-2","prompt":"a fox in snow","duration_s":3}"#),
    );
    for e in &log[1..] {
        assert_wire(e, "GET", &format!("/v1/generations/{id}"), None, None);
    }
    assert!(log.len() > seen.len(), "a poll per reported change");
}

#[wasm_bindgen_test]
async fn a_job_is_canceled() {
    let m = Live::new(5);
    let job = m
        .ok(
            "threeD",
            "create",
            &[js(
                json!({"model":"meshy-4","prompt":"a chair","texture_size":"1024"}),
            )],
        )
        .await;
    let id = text(&job, "id").unwrap();
    let canceled = m.ok("generations", "cancel", &[s(&id)]).await;
    assert_eq!(text(&canceled, "status").as_deref(), Some("canceled"));
    // Canceled is terminal: the wait resolves with it after one poll.
    let waited = m
        .ok(
            "generations",
            "waitFor",
            &[s(&id), js(json!({"intervalMs":5}))],
        )
        .await;
    assert_eq!(text(&waited, "status").as_deref(), Some("canceled"));
    // A second cancel is a conflict, not_cancelable.
    let e = m
        .call("generations", "cancel", &[s(&id)])
        .await
        .unwrap_err();
    let d = describe(&e);
    assert_eq!(d.get_text("name").as_deref(), Some("ConflictError"));
    assert_eq!(d.get_text("code").as_deref(), Some("not_cancelable"));
    let log = m.log().await;
    assert_wire(
        &log[1],
        "POST",
        &format!("/v1/generations/{id}/cancel"),
        None,
        None,
    );
    assert_wire(&log[2], "GET", &format!("/v1/generations/{id}"), None, None);
    assert_eq!(log.len(), 4, "one poll: {log:?}");
}

#[wasm_bindgen_test]
async fn a_comparison_ends_partial() {
    let m = Live::new(6);
    let cmp = m
        .ok(
            "comparisons",
            "create",
            &[js(
                json!({"prompt":"a koi pond","models":["flux-pro","fail-model","sdxl-turbo"]}),
            )],
        )
        .await;
    let id = text(&cmp, "id").unwrap();
    let rec = progress_recorder();
    let done = m
        .ok(
            "comparisons",
            "waitFor",
            &[
                s(&id),
                wait_options(
                    json!({"intervalMs":5,"maxIntervalMs":20}),
                    Some(&rec),
                    &JsValue::UNDEFINED,
                ),
            ],
        )
        .await;
    assert_eq!(
        text(&done, "status").as_deref(),
        Some("partial"),
        "{}",
        to_json(&done)
    );
    let children = array(&done, "generations");
    assert_eq!(children.length(), 3);
    let mut by_model: Vec<(String, String, Option<String>)> = children
        .iter()
        .map(|c| {
            (
                text(&c, "model").unwrap(),
                text(&c, "status").unwrap(),
                text(&c, "error_code"),
            )
        })
        .collect();
    by_model.sort();
    assert_eq!(by_model[0].0, "fail-model");
    assert_eq!(by_model[0].1, "failed");
    assert!(
        by_model[0].2.is_some(),
        "a failed child carries its error_code"
    );
    assert_eq!(
        (by_model[1].1.as_str(), by_model[2].1.as_str()),
        ("succeeded", "succeeded")
    );
    assert_eq!(statuses(&rec).last().map(String::as_str), Some("partial"));
    let log = m.log().await;
    for e in &log[1..] {
        assert_wire(e, "GET", &format!("/v1/comparisons/{id}"), None, None);
    }
}

#[wasm_bindgen_test]
async fn wait_for_resolves_with_a_failed_generation() {
    let m = Live::new(7);
    let job = m
        .ok(
            "music",
            "create",
            &[js(
                json!({"model":"suno-v4","prompt":"please fail-job now"}),
            )],
        )
        .await;
    let id = text(&job, "id").unwrap();
    let done = m
        .ok(
            "generations",
            "waitFor",
            &[s(&id), js(json!({"intervalMs":5,"maxIntervalMs":20}))],
        )
        .await;
    assert_eq!(
        text(&done, "status").as_deref(),
        Some("failed"),
        "resolved, not rejected"
    );
    assert_eq!(array(&done, "outputs").length(), 0);
    assert_eq!(
        number(&done, "refunded_credits"),
        number(&done, "reserved_credits")
    );
}

/// A fault that answers every poll of `id` with `status` (200), for waits that must not end.
fn stuck_fault(id: &str, status: &str, count: u32) -> serde_json::Value {
    json!({
        "method": "GET",
        "path": format!("/v1/generations/{id}"),
        "count": count,
        "action": {
            "type": "respond",
            "status": 200,
            "body": {"id": id, "object": "generation", "status": status, "outputs": []}
        }
    })
}

#[wasm_bindgen_test]
async fn wait_for_times_out_at_its_deadline() {
    let m = Live::new(8);
    let job = m
        .ok(
            "videos",
            "create",
            &[js(
                json!({"model":"veo-3-1-fast","prompt":"a slow sunrise"}),
            )],
        )
        .await;
    let id = text(&job, "id").unwrap();
    let fault = m.fault(stuck_fault(&id, "running", 500)).await;
    let t0 = now();
    let e = m
        .call(
            "generations",
            "waitFor",
            &[s(&id), js(json!({"intervalMs":20,"timeoutMs":300}))],
        )
        .await
        .unwrap_err();
    let elapsed = now() - t0;
    m.clear_fault(&fault).await;
    let d = describe(&e);
    assert_eq!(d.get_text("name").as_deref(), Some("TimeoutError"));
    let msg = d.get_text("message").unwrap();
    assert!(
        msg.contains(&id) && msg.contains("timeoutMs 300") && msg.contains("\"running\""),
        "{msg}"
    );
    assert!(
        (295.0..1500.0).contains(&elapsed),
        "rejected at the deadline: {elapsed}"
    );
    // Polls: 20, 30, 45, 68, 102 ms apart → 6 fit in 300 ms (fewer on a slow machine).
    let polls = m.log().await.len() - 1;
    assert!((2..=6).contains(&polls), "{polls} polls");
    // Nothing polls after the rejection.
    settle(150).await;
    assert_eq!(m.log().await.len() - 1, polls);
}

#[wasm_bindgen_test]
async fn wait_for_aborts_at_once() {
    let m = Live::new(9);
    let job = m
        .ok(
            "upscale",
            "create",
            &[js(
                json!({"model":"real-esrgan","image_url":"https://example.com/a.png"}),
            )],
        )
        .await;
    let id = text(&job, "id").unwrap();
    let fault = m.fault(stuck_fault(&id, "queued", 500)).await;
    // Abort during a 5 s wait between polls: rejects at once, the timer is cleared.
    let t0 = now();
    let e = m
        .call(
            "generations",
            "waitFor",
            &[
                s(&id),
                wait_options(
                    json!({"intervalMs":5000}),
                    None,
                    &abort_after(300, "user left"),
                ),
            ],
        )
        .await
        .unwrap_err();
    let elapsed = now() - t0;
    let d = describe(&e);
    assert_eq!(d.get_text("name").as_deref(), Some("AbortError"));
    assert_eq!(d.get_text("causeMessage").as_deref(), Some("user left"));
    assert!(
        elapsed < 1000.0,
        "at once, not after the 5 s interval: {elapsed}"
    );
    let polls = m.log().await.len() - 1;
    assert_eq!(polls, 1);
    settle(100).await;
    assert_eq!(m.log().await.len() - 1, polls, "no poll after the abort");

    // An already-aborted signal: nothing is sent.
    let e = m
        .call(
            "generations",
            "waitFor",
            &[
                s(&id),
                wait_options(json!({}), None, &super::aborted_signal("never mind")),
            ],
        )
        .await
        .unwrap_err();
    assert_eq!(describe(&e).get_text("name").as_deref(), Some("AbortError"));
    assert_eq!(m.log().await.len() - 1, polls);
    m.clear_fault(&fault).await;
}

#[wasm_bindgen_test]
async fn wait_for_paces_itself_when_remaining_is_zero() {
    let m = Live::new(10);
    let job = m
        .ok(
            "videos",
            "create",
            &[js(json!({"model":"veo-3-1-fast","prompt":"tide pools"}))],
        )
        .await;
    let id = text(&job, "id").unwrap();
    // The first poll's answer says the window is spent until `reset` (epoch seconds).
    let reset_s = (now() / 1000.0).floor() as u64 + 2;
    let fault = m
        .fault(json!({
            "method": "GET",
            "path": format!("/v1/generations/{id}"),
            "count": 1,
            "action": {
                "type": "respond",
                "status": 200,
                "headers": {
                    "X-RateLimit-Limit": "60",
                    "X-RateLimit-Remaining": "0",
                    "X-RateLimit-Reset": reset_s.to_string()
                },
                "body": {"id": id, "object": "generation", "status": "running", "outputs": []}
            }
        }))
        .await;
    let rec = progress_recorder();
    let done = m
        .ok(
            "generations",
            "waitFor",
            &[
                s(&id),
                wait_options(json!({"intervalMs":10}), Some(&rec), &JsValue::UNDEFINED),
            ],
        )
        .await;
    m.clear_fault(&fault).await;
    assert_eq!(text(&done, "status").as_deref(), Some("succeeded"));
    let events = progress(&rec);
    assert_eq!(statuses(&rec), ["running", "succeeded"], "two polls");
    let first: f64 = events[0].get_text("at").unwrap().parse().unwrap();
    let second: f64 = events[1].get_text("at").unwrap().parse().unwrap();
    let reset_ms = (reset_s * 1000) as f64;
    assert!(
        second >= reset_ms - 5.0,
        "the second poll waited for the reset ({reset_ms}), not the 10 ms interval: {second}"
    );
    assert!(second - first > 50.0, "{}", second - first);
    let log = m.log().await;
    assert_eq!(log.len(), 3, "create + 2 polls, no 429: {log:?}");
}
