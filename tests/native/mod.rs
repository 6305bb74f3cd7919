//! Helpers shared by the native test files of the pure core (`tests/envelope.rs`,
//! `tests/headers.rs`, `tests/policy.rs`, `tests/redact.rs`); each uses some of them.
#![allow(dead_code)]

use rimp_client::headers::ResponseHeaders;

/// 2026-11-25T00:00:00Z
pub const NOW: u64 = 1_795_564_800_000;

/// A Rimp error envelope with type `t` and code `code` (message `m`, request id `req_body`).
pub fn env(t: &str, code: &str) -> String {
    format!(r#"{{"error":{{"type":"{t}","code":"{code}","message":"m","request_id":"req_body"}}}}"#)
}

/// Response headers holding `pairs`, set as the glue sets them.
pub fn headers(pairs: &[(&str, &str)]) -> ResponseHeaders {
    let mut h = ResponseHeaders::default();
    for (k, v) in pairs {
        h.set(k, (*v).to_owned());
    }
    h
}
