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

use wasm_bindgen::JsCast;
use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen_test]
fn an_api_key_in_a_page_needs_the_explicit_opt_in() {
    let e = rimp_client::wasm::RimpClient::new(Some(
        common::plain_object(r#"{"apiKey":"sk_test_secret_value"}"#).unchecked_into(),
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
        r#"{"apiKey":"sk_test_secret_value","dangerouslyAllowBrowser":true}"#,
        r#"{"baseUrl":"https://my-app.example/rimp"}"#,
    ] {
        assert!(
            rimp_client::wasm::RimpClient::new(Some(common::plain_object(ok).unchecked_into()))
                .is_ok()
        );
    }
}
