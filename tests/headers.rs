//! Native, table-driven tests of response-header parsing (`headers`): every `Retry-After`
//! form, `X-RateLimit-*` and the IETF `RateLimit` fields, and repeated values.
#![cfg(not(target_arch = "wasm32"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::type_complexity
)]

mod native;

use rimp_client::envelope::classify;
use rimp_client::error::{DelaySource, Error};
use rimp_client::headers::{ResponseHeaders, parse_repeated_uint, parse_retry_after};
use rimp_client::transport::MAX_TIMER_MS;

use native::{NOW, headers};

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
