//! The wasm glue in Node.js (the default wasm-bindgen-test environment).
#![cfg(target_arch = "wasm32")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

#[wasm_bindgen_test::wasm_bindgen_test]
fn node_has_no_document_so_keys_are_allowed() {
    let c = rimp_client::wasm::RimpClient::new(Some(
        common::js(json!({"apiKey":"sk_test_secret"})).unchecked_into(),
    ));
    assert!(c.is_ok());
}

use serde_json::json;
use wasm_bindgen::JsCast;
