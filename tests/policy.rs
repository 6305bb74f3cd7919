//! Native, table-driven tests of the retry decision (`policy`) and the backoff it computes
//! (`backoff`): every row of the retry table, attempts, the deadline and jitter.
#![cfg(not(target_arch = "wasm32"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::type_complexity
)]

mod native;

use rimp_client::backoff::backoff_ms;
use rimp_client::envelope::classify;
use rimp_client::error::{DelaySource, Error, ErrorKind};
use rimp_client::headers::ResponseHeaders;
use rimp_client::policy::{Decision, RequestTraits, RetrySettings, StopReason, decide};
use rimp_client::transport::MAX_TIMER_MS;

use native::{NOW, env};

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
