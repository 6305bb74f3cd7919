//! Native, table-driven tests of error classification (`envelope`): every error type and bare
//! status to its class, hostile bodies, the optional envelope fields and the request id.
#![cfg(not(target_arch = "wasm32"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::type_complexity
)]

mod native;

use rimp_client::envelope::{Envelope, RAW_BODY_LIMIT, classify};
use rimp_client::error::{Error, ErrorKind};
use rimp_client::headers::ResponseHeaders;

use native::{NOW, env};

fn cls(status: u16, body: &str) -> Error {
    classify(status, &ResponseHeaders::default(), body, NOW)
}

#[test]
fn every_type_maps_to_its_class_whatever_the_status() {
    let table = [
        ("invalid_request", ErrorKind::InvalidRequest, false),
        ("authentication", ErrorKind::Authentication, false),
        ("authorization", ErrorKind::Authorization, false),
        ("not_found", ErrorKind::NotFound, false),
        ("conflict", ErrorKind::Conflict, false),
        ("insufficient_credits", ErrorKind::InsufficientCredits, true),
        ("rate_limited", ErrorKind::RateLimit, true),
        ("quota_exceeded", ErrorKind::QuotaExceeded, true),
        ("content_policy_blocked", ErrorKind::ContentPolicy, false),
        ("provider_unavailable", ErrorKind::ProviderUnavailable, true),
        ("internal", ErrorKind::InternalServer, true),
    ];
    for (t, kind, retryable) in table {
        // The documented status, and a mismatching one: the type wins.
        for status in [418, 400, 500] {
            let e = cls(status, &env(t, t));
            assert_eq!(e.kind, kind, "{t} {status}");
            assert_eq!(e.retryable, retryable, "{t}");
            assert_eq!(e.error_type.as_deref(), Some(t));
            assert_eq!(e.code.as_deref(), Some(t));
            assert_eq!(e.status, Some(status));
            assert_eq!(e.request_id.as_deref(), Some("req_body"));
            assert_eq!(e.raw_body, None);
        }
    }
}

#[test]
fn statuses_without_an_envelope_map_to_classes() {
    let table = [
        (400, ErrorKind::InvalidRequest, false),
        (401, ErrorKind::Authentication, false),
        (402, ErrorKind::InsufficientCredits, true),
        (403, ErrorKind::Authorization, false),
        (404, ErrorKind::NotFound, false),
        (409, ErrorKind::Conflict, false),
        (422, ErrorKind::ContentPolicy, false),
        (429, ErrorKind::RateLimit, true),
        (500, ErrorKind::InternalServer, true),
        (501, ErrorKind::InternalServer, true),
        (502, ErrorKind::ProviderUnavailable, true),
        (503, ErrorKind::ProviderUnavailable, true),
        (504, ErrorKind::ProviderUnavailable, true),
        (505, ErrorKind::InternalServer, true),
        (599, ErrorKind::InternalServer, true),
        (408, ErrorKind::Api, true),
        (418, ErrorKind::Api, false),
        (451, ErrorKind::Api, false),
        (302, ErrorKind::Api, false),
    ];
    for (status, kind, retryable) in table {
        for body in ["", "<html><body>Bad gateway</body></html>"] {
            let e = cls(status, body);
            assert_eq!(e.kind, kind, "{status}");
            assert_eq!(e.retryable, retryable, "{status}");
            assert_eq!(e.error_type, None);
        }
    }
}

#[test]
fn unknown_type_falls_back_to_status_and_codes_split_429s() {
    assert_eq!(cls(404, &env("brand_new", "x")).kind, ErrorKind::NotFound);
    assert_eq!(cls(418, &env("brand_new", "x")).kind, ErrorKind::Api);
    let q = cls(
        429,
        r#"{"error":{"code":"quota_exceeded","message":"cap"}}"#,
    );
    assert_eq!(q.kind, ErrorKind::QuotaExceeded);
    let a = cls(429, &env("rate_limited", "anomaly_paused"));
    assert_eq!(
        (a.kind, a.code.as_deref()),
        (ErrorKind::RateLimit, Some("anomaly_paused"))
    );
    let reuse = cls(409, &env("conflict", "idempotency_key_reuse"));
    assert!(!reuse.retryable);
    let in_use = cls(409, &env("conflict", "idempotency_key_in_use"));
    assert!(in_use.retryable);
}

#[test]
fn hostile_bodies_still_classify() {
    let huge = "x".repeat(5 * 1024 * 1024);
    let deep = "[".repeat(100_000);
    let cases: Vec<(&str, bool)> = vec![
        ("", false),
        ("<!doctype html><h1>502 Bad Gateway</h1>", true),
        (r#"{"error":{"type":"internal","code":"int"#, true), // truncated
        (r#"{"error":"upstream exploded"}"#, false),
        (r#"{"error":42}"#, true),
        (r#"{"error":null}"#, true),
        ("null", true),
        ("[]", true),
        (r#""just a string""#, true),
        (r#"{"message":"plain top-level"}"#, false),
        (r#"{"title":"Bad Gateway","detail":"problem+json"}"#, false),
        (&huge, true),
        (&deep, true),
        ("\u{feff}{\"error\":{}}", true),
        ("{\"error\":{\"type\":\"\\ud800\"}}", true),
    ];
    for (body, raw) in cases {
        let e = cls(502, body);
        assert_eq!(e.kind, ErrorKind::ProviderUnavailable, "{:.40}", body);
        assert_eq!(e.status, Some(502));
        assert_eq!(e.raw_body.is_some(), raw, "{:.40}", body);
        if let Some(r) = &e.raw_body {
            assert!(r.len() <= RAW_BODY_LIMIT);
        }
        assert!(e.message.len() < 400, "message stays short");
    }
    let s = cls(500, r#"{"error":"upstream exploded"}"#);
    assert!(s.message.contains("upstream exploded"), "{}", s.message);
    // rawBody is cut on a char boundary.
    let multi = "é".repeat(RAW_BODY_LIMIT);
    let e = cls(500, &multi);
    assert!(e.raw_body.unwrap().len() <= RAW_BODY_LIMIT);
}

#[test]
fn envelope_fields_are_all_optional() {
    assert_eq!(Envelope::parse(r#"{"error":{}}"#), None);
    let e = Envelope::parse(r#"{"error":{"message":"only message"}}"#).unwrap();
    assert_eq!(e.message.as_deref(), Some("only message"));
    assert_eq!(
        (e.error_type, e.code, e.param, e.request_id),
        (None, None, None, None)
    );
    let p = Envelope::parse(
        r#"{"error":{"type":"invalid_request","code":"invalid_body","message":"bad","param":"num_outputs"}}"#,
    )
    .unwrap();
    assert_eq!(p.param.as_deref(), Some("num_outputs"));
}

#[test]
fn request_id_header_wins_over_body() {
    let mut h = ResponseHeaders::default();
    h.set("x-request-id", " req_header ".into());
    let e: Error = classify(500, &h, &env("internal", "internal"), NOW);
    assert_eq!(e.request_id.as_deref(), Some("req_header"));
    assert_eq!(e.message, "m", "the server's message, verbatim");
    let bare: Error = classify(502, &h, "<html>", NOW);
    assert_eq!(
        bare.message,
        "HTTP 502 with a body that is not a Rimp error envelope (request req_header)"
    );
    let e: Error = classify(
        500,
        &ResponseHeaders::default(),
        &env("internal", "internal"),
        NOW,
    );
    assert_eq!(e.request_id.as_deref(), Some("req_body"));
}

#[test]
fn a_monthly_quota_has_no_retry_after_from_the_rate_window() {
    use rimp_client::envelope::classify;
    let now = 1_795_564_800_000;
    let mut h = rimp_client::headers::ResponseHeaders::default();
    h.set("x-ratelimit-reset", ((now / 1000) + 2).to_string());
    let body =
        r#"{"error":{"type":"quota_exceeded","code":"quota_exceeded","message":"monthly cap"}}"#;
    let e = classify::<()>(429, &h, body, now);
    assert_eq!(e.kind, rimp_client::ErrorKind::QuotaExceeded);
    assert_eq!(e.retry_after_ms, None);
    // A rate limit still reads the window's reset.
    let body = r#"{"error":{"type":"rate_limited","code":"rate_limited","message":"slow"}}"#;
    assert_eq!(
        classify::<()>(429, &h, body, now).retry_after_ms,
        Some(2000)
    );
}
