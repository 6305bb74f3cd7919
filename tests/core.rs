//! Native, table-driven tests of the pure core: classification, headers, backoff, the retry
//! decision and idempotency rules.
#![cfg(not(target_arch = "wasm32"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::type_complexity
)]

use rimp_client::backoff::backoff_ms;
use rimp_client::budget::{BudgetSettings, RetryBudget};
use rimp_client::config::{ClientConfig, check_client, retry_budget_option};
use rimp_client::envelope::{Envelope, RAW_BODY_LIMIT, classify};
use rimp_client::error::{DelaySource, Error, ErrorKind};
use rimp_client::headers::{ResponseHeaders, parse_repeated_uint, parse_retry_after};
use rimp_client::idempotency::{key_for_call, uuid_v4, validate_key};
use rimp_client::policy::{Decision, RequestTraits, RetrySettings, StopReason, decide};
use rimp_client::redact::redact;
use rimp_client::transport::MAX_TIMER_MS;
use rimp_client::{config, url};

/// 2026-11-25T00:00:00Z
const NOW: u64 = 1_795_564_800_000;

fn env(t: &str, code: &str) -> String {
    format!(r#"{{"error":{{"type":"{t}","code":"{code}","message":"m","request_id":"req_body"}}}}"#)
}

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
fn retry_after_forms() {
    let table: Vec<(&str, Option<u64>)> = vec![
        ("0", Some(0)),
        ("12", Some(12_000)),
        (" 3 ", Some(3_000)),
        ("0.05", Some(50)),
        ("1.5", Some(1_500)),
        ("0.0001", Some(1)),
        ("1800", Some(1_800_000)),
        ("99999999999999999999999", Some(MAX_TIMER_MS)),
        ("2147484", Some(MAX_TIMER_MS)),
        ("2147483", Some(2_147_483_000)),
        ("-5", None),
        ("", None),
        ("soon", None),
        ("1e3", None),
        ("12s", None),
        ("1.", None),
        ("0x10", None),
        // IMF-fixdate, 30 s ahead of NOW.
        ("Wed, 25 Nov 2026 00:00:30 GMT", Some(30_000)),
        // RFC 850 and asctime forms of the same instant.
        ("Wednesday, 25-Nov-26 00:00:30 GMT", Some(30_000)),
        ("Wed Nov 25 00:00:30 2026", Some(30_000)),
        // Past dates wait 0.
        ("Sun, 06 Nov 1994 08:49:37 GMT", Some(0)),
        ("Sunday, 06-Nov-94 08:49:37 GMT", Some(0)),
        ("Sun Nov  6 08:49:37 1994", Some(0)),
        // Far-future dates are clamped.
        ("Fri, 31 Dec 9999 23:59:59 GMT", Some(MAX_TIMER_MS)),
        // Garbage dates.
        ("Wed, 31 Feb 2026 00:00:00 GMT", None),
        ("Wed, 25 Nov 2026 25:00:00 GMT", None),
        ("Wed, 25 Foo 2026 00:00:00 GMT", None),
        ("Wed, 25 Nov 2026 00:00:30 UTC", None),
        ("Wed, 25 Nov 26 00:00:30 GMT", None),
        ("Blursday, 25-Nov-26 00:00:30 GMT", None),
        ("Wed Nov 25 00:00 2026", None),
    ];
    for (v, want) in table {
        assert_eq!(parse_retry_after(v, NOW), want, "{v:?}");
    }
    // Leap day is a real date.
    assert!(parse_retry_after("Thu, 29 Feb 2028 00:00:00 GMT", NOW).is_some());
    assert!(parse_retry_after("Fri, 29 Feb 2027 00:00:00 GMT", NOW).is_none());
}

#[test]
fn rate_limit_headers() {
    let mut h = ResponseHeaders::default();
    assert_eq!(h.rate_limit(), None);
    h.set("x-ratelimit-limit", "300".into());
    h.set("x-ratelimit-remaining", "0".into());
    h.set("x-ratelimit-reset", "1795564812".into()); // epoch seconds
    let rl = h.rate_limit().unwrap();
    assert_eq!(rl.limit, Some(300));
    assert_eq!(rl.remaining, Some(0));
    assert_eq!(rl.reset_at_ms, Some(1_795_564_812_000));
    assert_eq!(rl.until_reset_ms(NOW), Some(12_000));
    assert_eq!(rl.until_reset_ms(NOW + 20_000), None);
    h.set("x-ratelimit-limit", "lots".into());
    assert_eq!(h.rate_limit().unwrap().limit, None);
}

fn settings() -> RetrySettings {
    RetrySettings {
        max_retries: 3,
        retry_delay_ms: 1000,
        max_retry_delay_ms: 30_000,
        max_retry_after_ms: 60_000,
    }
}

#[test]
fn backoff_formula_at_jitter_bounds() {
    for (attempt, low) in [(0, 1000), (1, 2000), (2, 4000), (3, 8000), (4, 16_000)] {
        assert_eq!(backoff_ms(attempt, 1000, 30_000, 0.0), low);
        assert_eq!(backoff_ms(attempt, 1000, 30_000, 0.999_999), low + 499);
        assert_eq!(backoff_ms(attempt, 1000, 30_000, 1.0), low + 499);
        assert_eq!(backoff_ms(attempt, 1000, 30_000, 0.5), low + 250);
    }
    assert_eq!(backoff_ms(5, 1000, 30_000, 0.0), 30_000);
    assert_eq!(backoff_ms(200, 1000, 30_000, 0.9), 30_000);
    assert_eq!(backoff_ms(70, u64::MAX, u64::MAX, 0.9), MAX_TIMER_MS);
    assert_eq!(backoff_ms(0, 1000, 30_000, f64::NAN), 1000);
    assert_eq!(backoff_ms(0, 1000, 30_000, -3.0), 1000);
    assert_eq!(backoff_ms(0, 0, 30_000, 0.7), 0);
    assert_eq!(backoff_ms(1, 10, 30_000, 0.5), 22);
}

fn api(status: u16, body: &str, retry_after: Option<&str>, reset: Option<&str>) -> Error {
    let mut h = ResponseHeaders::default();
    if let Some(v) = retry_after {
        h.set("retry-after", v.into());
    }
    if let Some(v) = reset {
        h.set("x-ratelimit-reset", v.into());
    }
    classify(status, &h, body, NOW)
}

fn transport(kind: ErrorKind) -> Error {
    Error::new(kind, "x")
}

#[test]
fn every_row_of_the_retry_table() {
    let get = RequestTraits::new("GET", false);
    let post_keyed = RequestTraits::new("POST", true);
    let post_bare = RequestTraits::new("POST", false);
    let patch = RequestTraits::new("PATCH", false);
    let delete = RequestTraits::new("DELETE", false);
    let s = settings();
    let backoff0 = Decision::Retry {
        delay_ms: 1000,
        source: DelaySource::Backoff,
    };
    let stop = Decision::Stop;
    let rl = env("rate_limited", "rate_limited");
    let rows: Vec<(&str, Error, RequestTraits, Decision)> = vec![
        // 5xx, envelope or not, any method.
        (
            "500 env",
            api(500, &env("internal", "internal"), None, None),
            post_keyed,
            backoff0,
        ),
        (
            "502 env",
            api(
                502,
                &env("provider_unavailable", "provider_unavailable"),
                None,
                None,
            ),
            get,
            backoff0,
        ),
        ("503 bare", api(503, "", None, None), get, backoff0),
        (
            "504 html",
            api(504, "<html>", None, None),
            post_keyed,
            backoff0,
        ),
        (
            "503 ignores Retry-After",
            api(503, "", Some("7"), None),
            get,
            backoff0,
        ),
        (
            "501",
            api(501, "", None, None),
            get,
            stop(StopReason::NotRetryable),
        ),
        (
            "505",
            api(505, "", None, None),
            get,
            stop(StopReason::NotRetryable),
        ),
        // Network failures and timeouts: replay-safe requests only.
        ("net GET", transport(ErrorKind::Connection), get, backoff0),
        (
            "net DELETE",
            transport(ErrorKind::Connection),
            delete,
            backoff0,
        ),
        (
            "net POST keyed",
            transport(ErrorKind::Connection),
            post_keyed,
            backoff0,
        ),
        (
            "net POST bare",
            transport(ErrorKind::Connection),
            post_bare,
            stop(StopReason::NotReplaySafe),
        ),
        (
            "net PATCH bare",
            transport(ErrorKind::Connection),
            patch,
            stop(StopReason::NotReplaySafe),
        ),
        ("timeout GET", transport(ErrorKind::Timeout), get, backoff0),
        (
            "timeout POST keyed",
            transport(ErrorKind::Timeout),
            post_keyed,
            backoff0,
        ),
        (
            "timeout POST bare",
            transport(ErrorKind::Timeout),
            post_bare,
            stop(StopReason::NotReplaySafe),
        ),
        (
            "abort",
            transport(ErrorKind::Abort),
            get,
            stop(StopReason::NotRetryable),
        ),
        // 429 rate_limited: Retry-After, else reset − now, else backoff; never jittered.
        (
            "429 retry-after",
            api(429, &rl, Some("12"), Some("1795564830")),
            post_keyed,
            Decision::Retry {
                delay_ms: 12_000,
                source: DelaySource::RetryAfter,
            },
        ),
        (
            "429 retry-after date",
            api(429, &rl, Some("Wed, 25 Nov 2026 00:00:05 GMT"), None),
            get,
            Decision::Retry {
                delay_ms: 5_000,
                source: DelaySource::RetryAfter,
            },
        ),
        (
            "429 reset",
            api(429, &rl, None, Some("1795564830")),
            get,
            Decision::Retry {
                delay_ms: 30_000,
                source: DelaySource::RateLimitReset,
            },
        ),
        (
            "429 garbage hint",
            api(429, &rl, Some("later"), None),
            get,
            backoff0,
        ),
        (
            "429 past reset",
            api(429, &rl, None, Some("1700000000")),
            get,
            backoff0,
        ),
        ("429 hidden hints", api(429, &rl, None, None), get, backoff0),
        (
            "429 bare",
            api(429, "", Some("2"), None),
            get,
            Decision::Retry {
                delay_ms: 2_000,
                source: DelaySource::RetryAfter,
            },
        ),
        (
            "429 at the cap",
            api(429, &rl, Some("60"), None),
            get,
            Decision::Retry {
                delay_ms: 60_000,
                source: DelaySource::RetryAfter,
            },
        ),
        (
            "429 over the cap",
            api(429, &rl, Some("61"), None),
            get,
            stop(StopReason::WaitTooLong),
        ),
        (
            "429 reset over the cap",
            api(429, &rl, None, Some("1795564900")),
            get,
            stop(StopReason::WaitTooLong),
        ),
        // Not retried.
        (
            "anomaly",
            api(
                429,
                &env("rate_limited", "anomaly_paused"),
                Some("1800"),
                None,
            ),
            get,
            stop(StopReason::NotRetryable),
        ),
        (
            "quota",
            api(
                429,
                &env("quota_exceeded", "quota_exceeded"),
                Some("5"),
                None,
            ),
            get,
            stop(StopReason::NotRetryable),
        ),
        (
            "402",
            api(
                402,
                &env("insufficient_credits", "insufficient_credits"),
                None,
                None,
            ),
            post_keyed,
            stop(StopReason::NotRetryable),
        ),
        (
            "400",
            api(400, &env("invalid_request", "invalid_body"), None, None),
            post_keyed,
            stop(StopReason::NotRetryable),
        ),
        (
            "401",
            api(401, "", None, None),
            get,
            stop(StopReason::NotRetryable),
        ),
        (
            "403",
            api(403, "", None, None),
            get,
            stop(StopReason::NotRetryable),
        ),
        (
            "404",
            api(404, "", None, None),
            get,
            stop(StopReason::NotRetryable),
        ),
        (
            "409",
            api(409, &env("conflict", "idempotency_key_reuse"), None, None),
            post_keyed,
            stop(StopReason::NotRetryable),
        ),
        (
            "422",
            api(422, "", None, None),
            post_keyed,
            stop(StopReason::NotRetryable),
        ),
        (
            "418",
            api(418, "", None, None),
            get,
            stop(StopReason::NotRetryable),
        ),
        (
            "408",
            api(408, "", None, None),
            get,
            stop(StopReason::NotRetryable),
        ),
    ];
    for (name, err, traits, want) in rows {
        assert_eq!(decide(&err, 0, traits, &s, NOW, None, 0.0), want, "{name}");
    }
}

#[test]
fn fail_fast_carries_the_wait_and_anomaly_keeps_its_header() {
    let e = api(429, &env("rate_limited", "rate_limited"), Some("120"), None);
    assert_eq!(e.retry_after_ms, Some(120_000));
    assert!(e.retryable);
    let a = api(
        429,
        &env("rate_limited", "anomaly_paused"),
        Some("1800"),
        None,
    );
    assert_eq!(a.retry_after_ms, Some(1_800_000));
}

#[test]
fn attempts_deadline_and_jitter() {
    let s = settings();
    let get = RequestTraits::new("GET", false);
    let e = api(502, "", None, None);
    for (attempt, delay) in [(0, 1250), (1, 2250), (2, 4250)] {
        assert_eq!(
            decide(&e, attempt, get, &s, NOW, None, 0.5),
            Decision::Retry {
                delay_ms: delay,
                source: DelaySource::Backoff
            }
        );
    }
    assert_eq!(
        decide(&e, 3, get, &s, NOW, None, 0.5),
        Decision::Stop(StopReason::RetriesExhausted)
    );
    let zero = RetrySettings {
        max_retries: 0,
        ..s
    };
    assert_eq!(
        decide(&e, 0, get, &zero, NOW, None, 0.5),
        Decision::Stop(StopReason::RetriesExhausted)
    );
    // A wait that would not end before the deadline is not started.
    assert_eq!(
        decide(&e, 0, get, &s, NOW, Some(NOW + 1000), 0.0),
        Decision::Stop(StopReason::PastDeadline)
    );
    assert!(matches!(
        decide(&e, 0, get, &s, NOW, Some(NOW + 1001), 0.0),
        Decision::Retry { .. }
    ));
    // Server-directed waits are never jittered.
    let rl = api(429, &env("rate_limited", "rate_limited"), Some("3"), None);
    for j in [0.0, 0.5, 0.99] {
        assert_eq!(
            decide(&rl, 1, get, &s, NOW, None, j),
            Decision::Retry {
                delay_ms: 3000,
                source: DelaySource::RetryAfter
            }
        );
    }
}

#[test]
fn idempotency_rules() {
    let k = uuid_v4([0xff; 16]);
    assert_eq!(k, "ffffffff-ffff-4fff-bfff-ffffffffffff");
    assert_eq!(uuid_v4([0; 16]), "00000000-0000-4000-8000-000000000000");
    let post: Result<Option<String>, Error> = key_for_call("POST", None, || [7; 16]);
    assert_eq!(post.unwrap(), Some(uuid_v4([7; 16])));
    let get: Result<Option<String>, Error> = key_for_call("GET", None, || unreachable!());
    assert_eq!(get.unwrap(), None);
    let patch: Result<Option<String>, Error> = key_for_call("PATCH", None, || unreachable!());
    assert_eq!(patch.unwrap(), None);
    let own: Result<Option<String>, Error> =
        key_for_call("POST", Some("order-42"), || unreachable!());
    assert_eq!(own.unwrap().as_deref(), Some("order-42"));
    let on_get: Error = key_for_call("GET", Some("k"), || [0; 16]).unwrap_err();
    assert_eq!(on_get.code.as_deref(), Some("invalid_option"));
    assert!(validate_key::<()>(&"a".repeat(200)).is_ok());
    let long: Error = validate_key(&"a".repeat(201)).unwrap_err();
    assert_eq!(
        (
            long.kind,
            long.code.as_deref(),
            long.param.as_deref(),
            long.status
        ),
        (
            ErrorKind::InvalidRequest,
            Some("idempotency_key_too_long"),
            Some("idempotencyKey"),
            None
        )
    );
    for bad in ["", "a\nb", "ключ", "tab\there"] {
        let e: Error = validate_key(bad).unwrap_err();
        assert_eq!(e.code.as_deref(), Some("invalid_option"), "{bad:?}");
    }
}

#[test]
fn option_validation() {
    assert_eq!(config::whole_number::<()>("x", 3.0, 0, 10).unwrap(), 3);
    for bad in [f64::NAN, f64::INFINITY, -1.0, 1.5, 11.0] {
        let e: Error = config::whole_number("maxRetries", bad, 0, 10).unwrap_err();
        assert_eq!(e.param.as_deref(), Some("maxRetries"));
        assert_eq!(e.message, "maxRetries must be a whole number from 0 to 10");
    }
    assert!(config::millis::<()>("timeoutMs", 0.0, 1).is_err());
    assert!(config::millis::<()>("timeoutMs", 2_147_483_648.0, 1).is_err());
    assert_eq!(
        config::base_url::<()>("http://127.0.0.1:8787/").unwrap(),
        "http://127.0.0.1:8787"
    );
    for bad in [
        "api.rimp.io",
        "ftp://x",
        "https://",
        "https://h/?a=1",
        "https://h#f",
        "https://a b",
    ] {
        assert!(config::base_url::<()>(bad).is_err(), "{bad}");
    }
    assert!(config::header::<()>("headers", "X-Trace", "abc").is_ok());
    assert!(config::header::<()>("headers", "Bad Name", "v").is_err());
    assert!(config::header::<()>("headers", "X-A", "v\r\nInjected: 1").is_err());
    assert!(config::header::<()>("headers", "idempotency-key", "v").is_err());
    assert!(config::api_key::<()>("sk_test_1").is_ok());
    let e: Error = config::api_key("sk_test_ secret").unwrap_err();
    assert!(!e.message.contains("secret"));
    assert_eq!(config::method::<()>("post").unwrap(), "POST");
    assert!(config::method::<()>("TRACE").is_err());
    assert!(config::path::<()>("/v1/models").is_ok());
    for bad in ["v1/models", "//evil.example/x", "/v1?x=1", "/v1 x"] {
        assert!(config::path::<()>(bad).is_err(), "{bad}");
    }
    let dbg = format!(
        "{:?}",
        config::ClientConfig {
            api_key: Some("sk_test_secret".into()),
            ..Default::default()
        }
    );
    assert!(!dbg.contains("sk_test_secret"), "{dbg}");
}

#[test]
fn url_building() {
    assert_eq!(url::percent_encode("gen/../x"), "gen%2F..%2Fx");
}

fn headers(pairs: &[(&str, &str)]) -> ResponseHeaders {
    let mut h = ResponseHeaders::default();
    for (k, v) in pairs {
        h.set(k, (*v).to_owned());
    }
    h
}

#[test]
fn repeated_retry_after_values_read_the_first() {
    // 1994-11-06T08:49:37Z
    let date_ms = 784_111_777_000u64;
    let table: [(&str, u64, Option<u64>); 12] = [
        ("1, 1", NOW, Some(1000)),
        ("1,1", NOW, Some(1000)),
        ("2, 120", NOW, Some(2000)),
        ("0.5, 0.5", NOW, Some(500)),
        ("1 ,1", NOW, Some(1000)),
        ("x, 1", NOW, None),
        (", 1", NOW, None),
        (
            "Sun, 06 Nov 1994 08:49:37 GMT, Sun, 06 Nov 1994 08:49:37 GMT",
            date_ms - 3000,
            Some(3000),
        ),
        (
            "Sun, 06 Nov 1994 08:49:37 GMT,Sun, 06 Nov 1994 08:49:38 GMT",
            date_ms - 3000,
            Some(3000),
        ),
        ("Sun, 06 Nov 1994 08:49:37 GMT", date_ms - 3000, Some(3000)),
        (
            "Sunday, 06-Nov-94 08:49:37 GMT, 5",
            date_ms - 1000,
            Some(1000),
        ),
        (
            "Sun, 06 Nov 1994 08:49:37 GMT, garbage",
            date_ms - 3000,
            Some(3000),
        ),
    ];
    for (value, now, want) in table {
        assert_eq!(parse_retry_after(value, now), want, "{value:?}");
    }
}

#[test]
fn a_repeated_retry_after_is_slept_in_full() {
    let h = headers(&[("retry-after", "1, 1")]);
    let e: Error = classify(
        429,
        &h,
        r#"{"error":{"type":"rate_limited","code":"rate_limited","message":"slow"}}"#,
        NOW,
    );
    assert_eq!(e.retry_after_ms, Some(1000));
    assert_eq!(e.retry_after_source, Some(DelaySource::RetryAfter));
}

#[test]
fn repeated_replayed_and_rate_limit_values_read_the_first() {
    let table: [(&str, bool); 8] = [
        ("true", true),
        ("true, true", true),
        ("TRUE,true", true),
        (" true , false", true),
        ("false, true", false),
        ("false", false),
        ("", false),
        ("yes, true", false),
    ];
    for (value, want) in table {
        assert_eq!(
            headers(&[("idempotent-replayed", value)]).replayed(),
            want,
            "{value:?}"
        );
    }
    let rl = headers(&[
        ("x-ratelimit-limit", "100, 100"),
        ("x-ratelimit-remaining", "7,7"),
        ("x-ratelimit-reset", "1795564860, 1795564860"),
    ])
    .rate_limit()
    .unwrap();
    assert_eq!(rl.limit, Some(100));
    assert_eq!(rl.remaining, Some(7));
    assert_eq!(rl.reset_at_ms, Some(1_795_564_860_000));
    let bad = headers(&[("x-ratelimit-limit", "x, 100")]).rate_limit();
    assert_eq!(bad, None);
    assert_eq!(parse_repeated_uint("12"), Some(12));
    assert_eq!(parse_repeated_uint(" 12 , 13"), Some(12));
    assert_eq!(parse_repeated_uint("-1, 3"), None);
}

fn with_key(base: &str, allow_insecure_http: bool) -> ClientConfig {
    ClientConfig {
        base_url: base.to_owned(),
        api_key: Some("sk_test_0123456789".to_owned()),
        allow_insecure_http,
        ..ClientConfig::default()
    }
}

#[test]
fn an_api_key_in_a_browser_window_is_refused_unless_allowed() {
    let c = with_key("https://api.rimp.io", false);
    let e = check_client::<()>(&c, true, false).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Client);
    assert_eq!(e.code.as_deref(), Some("browser_api_key"));
    assert!(
        e.message
            .starts_with("refusing to use an apiKey in a browser page")
    );
    assert!(e.message.contains("dangerouslyAllowBrowser: true"));
    assert!(!e.message.contains("sk_test"));
    assert!(check_client::<()>(&c, true, true).is_ok());
    assert!(check_client::<()>(&c, false, false).is_ok());
    let no_key = ClientConfig::default();
    assert!(check_client::<()>(&no_key, true, false).is_ok());
}

#[test]
fn an_api_key_over_plain_http_is_refused_unless_loopback_or_allowed() {
    // (baseUrl, refused without allowInsecureHttp)
    let table = [
        ("https://api.rimp.io", false),
        ("https://10.0.0.1:8443", false),
        ("http://api.rimp.io", true),
        ("http://10.0.0.1:8080", true),
        ("http://192.168.1.5", true),
        ("http://localhost", false),
        ("http://localhost:4010", false),
        ("http://LOCALHOST:4010/v", false),
        ("http://api.localhost:3000", false),
        ("http://localhost.evil.com", true),
        ("http://evil-localhost", true),
        ("http://.localhost", true),
        ("http://127.0.0.1:4010", false),
        ("http://127.1.2.3", false),
        ("http://127.0.0.256", true),
        ("http://127.0.0.1.evil.com", true),
        ("http://128.0.0.1", true),
        ("http://[::1]:4010", false),
        ("http://[::2]:4010", true),
        ("http://user@localhost:1", false),
        ("http://localhost@evil.com", true),
        ("http://127.0.0.1@evil.com", true),
    ];
    for (base, refused) in table {
        let e = check_client::<()>(&with_key(base, false), false, false);
        assert_eq!(e.is_err(), refused, "{base}");
        if let Err(e) = e {
            assert_eq!(e.kind, ErrorKind::InvalidRequest, "{base}");
            assert_eq!(e.code.as_deref(), Some("insecure_base_url"));
            assert_eq!(e.param.as_deref(), Some("baseUrl"));
            assert!(e.message.contains("clear text"), "{}", e.message);
            assert!(
                e.message.contains("https://") && e.message.contains("allowInsecureHttp: true")
            );
        }
        assert!(
            check_client::<()>(&with_key(base, true), false, false).is_ok(),
            "{base}"
        );
        let keyless = ClientConfig {
            base_url: base.to_owned(),
            ..ClientConfig::default()
        };
        assert!(check_client::<()>(&keyless, false, false).is_ok(), "{base}");
    }
    // The browser rule is reported first.
    let e = check_client::<()>(&with_key("http://api.rimp.io", false), true, false).unwrap_err();
    assert_eq!(e.code.as_deref(), Some("browser_api_key"));
}

#[test]
fn new_config_fields_default() {
    let c = ClientConfig::default();
    assert!(!c.allow_insecure_http);
    assert_eq!(c.retry_budget, Some(BudgetSettings::default()));
    assert_eq!(
        BudgetSettings::default(),
        BudgetSettings {
            capacity: 500,
            retry_cost: 5,
            timeout_cost: 10,
            success_refund: 1
        }
    );
    let dbg = format!("{:?}", with_key("https://h", false));
    assert!(!dbg.contains("sk_test"), "{dbg}");
}

#[test]
fn retry_budget_option_validation() {
    let ok = |c, r, t, s| retry_budget_option::<()>(c, r, t, s).unwrap();
    assert_eq!(ok(None, None, None, None), BudgetSettings::default());
    assert_eq!(
        ok(Some(100.0), Some(0.0), Some(100.0), Some(2.0)),
        BudgetSettings {
            capacity: 100,
            retry_cost: 0,
            timeout_cost: 100,
            success_refund: 2
        }
    );
    // Defaults above a smaller capacity are lowered to it.
    assert_eq!(
        ok(Some(3.0), None, None, None),
        BudgetSettings {
            capacity: 3,
            retry_cost: 3,
            timeout_cost: 3,
            success_refund: 1
        }
    );
    assert_eq!(ok(Some(1_000_000.0), None, None, None).capacity, 1_000_000);
    let table: [([Option<f64>; 4], &str); 10] = [
        ([Some(0.0), None, None, None], "retryBudget.capacity"),
        (
            [Some(1_000_001.0), None, None, None],
            "retryBudget.capacity",
        ),
        ([Some(1.5), None, None, None], "retryBudget.capacity"),
        ([Some(f64::NAN), None, None, None], "retryBudget.capacity"),
        (
            [Some(f64::INFINITY), None, None, None],
            "retryBudget.capacity",
        ),
        ([None, Some(-1.0), None, None], "retryBudget.retryCost"),
        ([None, Some(501.0), None, None], "retryBudget.retryCost"),
        (
            [Some(10.0), None, Some(11.0), None],
            "retryBudget.timeoutCost",
        ),
        ([None, None, Some(0.25), None], "retryBudget.timeoutCost"),
        ([None, None, None, Some(501.0)], "retryBudget.successRefund"),
    ];
    for ([c, r, t, s], param) in table {
        let e = retry_budget_option::<()>(c, r, t, s).unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidRequest);
        assert_eq!(e.code.as_deref(), Some("invalid_option"));
        assert_eq!(e.param.as_deref(), Some(param), "{c:?} {r:?} {t:?} {s:?}");
        assert!(e.message.starts_with(param), "{}", e.message);
    }
}

#[test]
fn the_budget_bucket() {
    let mut b = RetryBudget::new(BudgetSettings {
        capacity: 12,
        retry_cost: 5,
        timeout_cost: 10,
        success_refund: 2,
    });
    assert_eq!(b.tokens(), 12, "starts full");
    b.on_success();
    assert_eq!(b.tokens(), 12, "capped at the capacity");
    // (after_timeout, allowed, tokens after)
    let table = [
        (false, true, 7),
        (true, false, 7),
        (false, true, 2),
        (false, false, 2),
    ];
    for (after_timeout, allowed, left) in table {
        assert_eq!(b.try_spend(after_timeout), allowed);
        assert_eq!(b.tokens(), left);
    }
    b.on_success();
    assert_eq!(b.tokens(), 4);
    for _ in 0..10 {
        b.on_success();
    }
    assert_eq!(b.tokens(), 12);
    assert!(b.try_spend(true));
    assert_eq!(b.tokens(), 2);
    // Zero costs never run out.
    let mut free = RetryBudget::new(BudgetSettings {
        capacity: 1,
        retry_cost: 0,
        timeout_cost: 0,
        success_refund: 0,
    });
    assert!((0..1000).all(|i| free.try_spend(i % 2 == 0)));
    assert_eq!(free.tokens(), 1);
}

const KEY: &str = "sk_live_abcdef123456";

#[test]
fn redaction() {
    let table: [(&str, &str, Option<&str>); 10] = [
        ("no secret here", KEY, None),
        (
            "bad key sk_live_abcdef123456",
            KEY,
            Some("bad key [redacted]"),
        ),
        (
            "sk_live_abcdef123456 and sk_live_abcdef123456!",
            KEY,
            Some("[redacted] and [redacted]!"),
        ),
        ("Bearer sk_live_abcdef12345", KEY, None),
        ("short key abc in text abc", "abc", None),
        ("seven77 seven77", "seven77", None),
        ("eight888 x", "eight888", Some("[redacted] x")),
        // Overlapping occurrences are one span.
        ("xaaaaaaaaaay", "aaaaaaaa", Some("x[redacted]y")),
        ("é-clé-secrète-é", "clé-secrète", Some("é-[redacted]-é")),
        // A replacement that would form the secret again is redacted again.
        ("d]zzzzzzzzzzzz", "d]zzzzzz", Some("[redacte[redacted]")),
    ];
    for (text, secret, want) in table {
        let got = redact(text, secret);
        assert_eq!(got.as_deref(), want, "{text:?}");
        if let Some(g) = got {
            assert!(!g.contains(secret), "{g:?}");
        }
    }
}

#[test]
fn an_error_redacts_the_secret_in_every_text_field() {
    let mut e: Error = classify(
        401,
        &ResponseHeaders::default(),
        r#"{"error":{"type":"authentication","code":"bad_key_sk_live_abcdef123456","message":"invalid key sk_live_abcdef123456","param":"sk_live_abcdef123456"}}"#,
        NOW,
    );
    e.redact_secret(KEY);
    assert_eq!(e.message, "invalid key [redacted]");
    assert_eq!(e.code.as_deref(), Some("bad_key_[redacted]"));
    assert_eq!(e.param.as_deref(), Some("[redacted]"));
    let mut raw: Error = classify(
        502,
        &ResponseHeaders::default(),
        "<html>Authorization: Bearer sk_live_abcdef123456</html>",
        NOW,
    );
    raw.redact_secret(KEY);
    assert_eq!(
        raw.raw_body.as_deref(),
        Some("<html>Authorization: Bearer [redacted]</html>")
    );
    let before = raw.clone();
    raw.redact_secret("short");
    assert_eq!(raw, before);
}

#[test]
fn text_options_longer_than_8_kib_are_refused_with_their_param() {
    use rimp_client::config;
    let long = "a".repeat(config::MAX_TEXT_OPTION_BYTES + 1);
    let just = "a".repeat(config::MAX_TEXT_OPTION_BYTES);
    let url = String::from("https://") + &"h".repeat(config::MAX_TEXT_OPTION_BYTES);
    let cases: [(&str, Result<(), rimp_client::error::Error<()>>); 5] = [
        ("apiKey", config::api_key(&long)),
        ("baseUrl", config::base_url::<()>(&url).map(|_| ())),
        ("headers", config::header("headers", "x-a", &long)),
        ("headers", config::header("headers", &long, "v")),
        ("path", config::path(&(String::from("/") + &long))),
    ];
    for (param, r) in cases {
        let e = r.expect_err(param);
        assert_eq!(e.param.as_deref(), Some(param));
        assert_eq!(e.code.as_deref(), Some("invalid_option"));
    }
    assert!(config::api_key::<()>(&just).is_ok());
    assert!(config::header::<()>("headers", "x-a", &just).is_ok());
}

#[test]
fn ietf_ratelimit_fields_fill_what_x_ratelimit_lacks() {
    use rimp_client::headers::ResponseHeaders;
    let now = 1_795_564_800_000;
    let h = |pairs: &[(&str, &str)]| {
        let mut h = ResponseHeaders::default();
        for (k, v) in pairs {
            h.set(k, (*v).to_owned());
        }
        h
    };
    let cases: [(
        &[(&str, &str)],
        Option<(Option<u64>, Option<u64>, Option<u64>)>,
    ); 7] = [
        (&[], None),
        (
            &[("ratelimit", "\"default\";r=0;t=30")],
            Some((None, Some(0), Some(now + 30_000))),
        ),
        (
            &[
                ("ratelimit", "\"default\";r=7;t=2"),
                ("ratelimit-policy", "\"default\";q=100;w=60"),
            ],
            Some((Some(100), Some(7), Some(now + 2000))),
        ),
        (
            &[("ratelimit", "limit=50, remaining=0, reset=9")],
            Some((Some(50), Some(0), Some(now + 9000))),
        ),
        (
            // X-RateLimit-* wins where it speaks; the IETF field fills the rest.
            &[
                ("x-ratelimit-remaining", "3"),
                ("ratelimit", "\"default\";r=0;t=5"),
            ],
            Some((None, Some(3), Some(now + 5000))),
        ),
        (&[("ratelimit", "garbage;;=,")], None),
        (&[("ratelimit", "\"default\";r=-1;t=x")], None),
    ];
    for (pairs, want) in cases {
        let got = h(pairs)
            .rate_limit_at(now)
            .map(|rl| (rl.limit, rl.remaining, rl.reset_at_ms));
        assert_eq!(got, want, "{pairs:?}");
    }
}

#[test]
fn base_url_schemes_are_case_insensitive_and_normalised() {
    use rimp_client::config::base_url;
    assert_eq!(
        base_url::<()>("HTTP://LOCALHOST:1/").unwrap(),
        "http://LOCALHOST:1"
    );
    assert_eq!(
        base_url::<()>("Https://api.rimp.io").unwrap(),
        "https://api.rimp.io"
    );
    assert!(base_url::<()>("ftp://x").is_err());
    assert!(base_url::<()>("http:/x").is_err());
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
