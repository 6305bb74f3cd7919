//! Property tests of the core's invariants (proptest): retry waits never above their caps, what
//! is never retried and what is, header parsing bounds and repeated values, classification of
//! arbitrary bytes, the retry budget's bounds, and redaction.
//!
//! Each property runs `PROPTEST_CASES` cases (256 by default, so `cargo test` stays fast); a
//! long run sets it higher, e.g. `PROPTEST_CASES=100000 cargo test --release -p rimp-client
//! --test props` for over a million cases in all.
#![cfg(not(target_arch = "wasm32"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::type_complexity
)]

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use proptest::prelude::*;
use proptest::test_runner::Config as ProptestConfig;

use rimp_client::budget::{BudgetSettings, RetryBudget};
use rimp_client::engine::{CallPlan, Coordination, execute};
use rimp_client::envelope::{Envelope, classify, kind_for_status};
use rimp_client::error::{DelaySource, Error, ErrorKind};
use rimp_client::headers::{ResponseHeaders, parse_retry_after};
use rimp_client::policy::{Decision, RequestTraits, RetrySettings, StopReason, decide};
use rimp_client::redact::redact;
use rimp_client::transport::MAX_TIMER_MS;
use rimp_client::transport::{
    Clock, RequestSpec, ResponseParts, Sleeper, Transport, TransportError, TransportFailure,
};

/// 2026-11-25T00:00:00Z
const NOW: u64 = 1_795_564_800_000;

/// `PROPTEST_CASES` from the environment, else 256.
fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(256);
    ProptestConfig {
        cases,
        // Failures print their minimal input; no regression files are written into the repo.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

// ---------------------------------------------------------------------------------------------
// Strategies

fn settings() -> impl Strategy<Value = RetrySettings> {
    (
        0u32..=20,
        0u64..=100_000,
        0u64..=MAX_TIMER_MS,
        0u64..=MAX_TIMER_MS,
    )
        .prop_map(
            |(max_retries, retry_delay_ms, max_retry_delay_ms, max_retry_after_ms)| RetrySettings {
                max_retries,
                retry_delay_ms,
                max_retry_delay_ms,
                max_retry_after_ms,
            },
        )
}

fn status() -> impl Strategy<Value = u16> {
    prop_oneof![
        Just(429u16),
        prop::sample::select(vec![
            400u16, 401, 402, 403, 404, 409, 422, 500, 502, 503, 504
        ]),
        100u16..=999,
    ]
}

const TYPES: [&str; 14] = [
    "invalid_request",
    "authentication",
    "authorization",
    "not_found",
    "conflict",
    "insufficient_credits",
    "rate_limited",
    "quota_exceeded",
    "content_policy_blocked",
    "provider_unavailable",
    "internal",
    "weird",
    "",
    "anomaly_paused",
];

/// Bodies: envelopes with any documented (or odd) type and code, or arbitrary text.
fn body() -> impl Strategy<Value = String> {
    prop_oneof![
        (
            prop::sample::select(TYPES.to_vec()),
            prop::sample::select(TYPES.to_vec())
        )
            .prop_map(|(t, c)| format!(
                r#"{{"error":{{"type":"{t}","code":"{c}","message":"m"}}}}"#
            )),
        ".{0,40}",
        Just(String::new()),
    ]
}

/// `Retry-After` values: whole and fractional seconds, repeated values, dates, junk.
fn retry_after() -> impl Strategy<Value = Option<String>> {
    prop::option::of(prop_oneof![
        (0u64..200_000).prop_map(|n| n.to_string()),
        "[0-9]{1,25}(\\.[0-9]{0,6})?",
        (0u64..5000, 0u64..5000).prop_map(|(a, b)| format!("{a}, {b}")),
        (NOW / 1000 - 100_000..NOW / 1000 + 10_000_000).prop_map(|s| imf_fixdate(s * 1000)),
        ".{0,30}",
    ])
}

fn error(status: u16, body: &str, retry_after: Option<&str>, reset: Option<u64>) -> Error {
    let mut h = ResponseHeaders::default();
    if let Some(v) = retry_after {
        h.set("retry-after", v.to_owned());
    }
    if let Some(r) = reset {
        h.set("x-ratelimit-remaining", "0".into());
        h.set("x-ratelimit-reset", r.to_string());
    }
    classify(status, &h, body, NOW)
}

/// Epoch ms as an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`).
fn imf_fixdate(ms: u64) -> String {
    let secs = ms / 1000;
    let days = secs / 86_400;
    let rem = secs % 86_400;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + u64::from(m <= 2);
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    format!(
        "{}, {:02} {} {} {:02}:{:02}:{:02} GMT",
        DAYS[(days % 7) as usize],
        d,
        MONTHS[(m - 1) as usize],
        y,
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

// ---------------------------------------------------------------------------------------------
// Engine fakes

fn block_on<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

#[derive(Debug, Clone)]
enum Step {
    Answer(u16, Option<String>, String),
    Fail(TransportFailure),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => (status(), retry_after(), body()).prop_map(|(s, r, b)| Step::Answer(s, r, b)),
        1 => Just(Step::Answer(200, None, "{}".into())),
        1 => prop::sample::select(vec![TransportFailure::Network, TransportFailure::Timeout])
            .prop_map(Step::Fail),
    ]
}

struct Script {
    steps: RefCell<VecDeque<Step>>,
    sent: Cell<usize>,
}

impl Transport for Script {
    type Cause = ();
    type ReqBody = String;
    type Body = String;
    async fn send(&self, _: &RequestSpec) -> Result<ResponseParts, TransportError<()>> {
        self.sent.set(self.sent.get() + 1);
        let step =
            self.steps
                .borrow_mut()
                .pop_front()
                .unwrap_or(Step::Answer(200, None, "{}".into()));
        match step {
            Step::Answer(status, retry_after, body) => {
                let mut headers = ResponseHeaders::default();
                if let Some(v) = retry_after {
                    headers.set("retry-after", v);
                }
                Ok(ResponseParts {
                    status,
                    headers,
                    body,
                })
            }
            Step::Fail(failure) => Err(TransportError {
                failure,
                detail: String::new(),
                cause: None,
            }),
        }
    }
}

#[derive(Default)]
struct Sleeps(RefCell<Vec<u64>>);

impl Sleeper for Sleeps {
    type Cause = ();
    async fn sleep(&self, ms: u64) -> Result<(), Option<()>> {
        self.0.borrow_mut().push(ms);
        Ok(())
    }
}

struct Jitter(f64);
impl Clock for Jitter {
    fn now_ms(&self) -> u64 {
        NOW
    }
    fn jitter_unit(&self) -> f64 {
        self.0
    }
}

fn call_plan(method: &str, key: bool, retry: RetrySettings) -> CallPlan {
    CallPlan {
        request: RequestSpec {
            method: method.into(),
            url: "http://mock/v1/x".into(),
            headers: Vec::new(),
            body: None,
            timeout_ms: 1000,
        },
        retry,
        idempotency_key: key.then(|| "k".to_owned()),
        deadline_ms: None,
    }
}

proptest! {
    #![proptest_config(config())]

    /// No retry wait is above its cap: a backoff is at most `maxRetryDelayMs`, a server-asked
    /// wait at most `maxRetryAfterMs`; a server wait above that is never slept (fail fast).
    #[test]
    fn retry_waits_never_exceed_their_caps(
        status in status(),
        body in body(),
        ra in retry_after(),
        reset in prop::option::of(NOW / 1000..NOW / 1000 + 100_000),
        attempt in 0u32..64,
        s in settings(),
        jitter in any::<f64>(),
        method in prop::sample::select(vec!["GET", "POST", "PUT", "DELETE", "PATCH"]),
        key in any::<bool>(),
    ) {
        let e = error(status, &body, ra.as_deref(), reset);
        let d = decide(&e, attempt, RequestTraits::new(method, key), &s, NOW, None, jitter);
        match d {
            Decision::Retry { delay_ms, source: DelaySource::Backoff } => {
                prop_assert!(delay_ms <= s.max_retry_delay_ms);
                prop_assert!(delay_ms <= MAX_TIMER_MS);
            }
            Decision::Retry { delay_ms, .. } => {
                prop_assert!(delay_ms <= s.max_retry_after_ms);
                prop_assert_eq!(Some(delay_ms), e.retry_after_ms);
            }
            Decision::Stop(_) => {}
        }
        if e.retry_after_ms.is_some_and(|w| w > s.max_retry_after_ms)
            && matches!(d, Decision::Retry { .. })
        {
            // Only a 5xx, which backs off rather than obeying the header, may go on.
            let backoff = matches!(d, Decision::Retry { source: DelaySource::Backoff, .. });
            prop_assert!(backoff, "{:?}", d);
            prop_assert!(e.status != Some(429));
        }
        if status == 429
            && e.kind == ErrorKind::RateLimit
            && e.code.as_deref() != Some("anomaly_paused")
            && e.retry_after_ms.is_some_and(|w| w > s.max_retry_after_ms)
        {
            prop_assert_eq!(d, Decision::Stop(StopReason::WaitTooLong));
        }
    }

    /// The same through the request loop: every sleep is within the larger cap, and the
    /// attempts never pass `maxRetries + 1`.
    #[test]
    fn the_loop_never_sleeps_past_a_cap(
        steps in prop::collection::vec(step(), 0..8),
        s in settings(),
        jitter in 0.0f64..1.0,
        method in prop::sample::select(vec!["GET", "POST"]),
        key in any::<bool>(),
    ) {
        let t = Script { steps: RefCell::new(steps.into()), sent: Cell::new(0) };
        let sleeps = Sleeps::default();
        let p = call_plan(method, key, s);
        let _ = block_on(execute(&p, &t, &sleeps, &Jitter(jitter), Coordination::default(), &mut |_| {}));
        let cap = s.max_retry_delay_ms.max(s.max_retry_after_ms);
        for w in sleeps.0.borrow().iter() {
            prop_assert!(*w <= cap && *w <= MAX_TIMER_MS, "slept {} > {}", w, cap);
        }
        prop_assert!(t.sent.get() <= s.max_retries as usize + 1);
        prop_assert_eq!(sleeps.0.borrow().len() + 1, t.sent.get());
    }

    /// A 4xx other than 429 is never retried, whatever its envelope says.
    #[test]
    fn a_4xx_other_than_429_is_never_retried(
        status in (400u16..500).prop_filter("not 429", |s| *s != 429),
        body in body(),
        ra in retry_after(),
        attempt in 0u32..20,
        s in settings(),
        method in prop::sample::select(vec!["GET", "POST", "PUT", "DELETE", "PATCH"]),
        key in any::<bool>(),
    ) {
        let e = error(status, &body, ra.as_deref(), None);
        let d = decide(&e, attempt, RequestTraits::new(method, key), &s, NOW, None, 0.5);
        prop_assert!(matches!(d, Decision::Stop(_)), "{:?} for {} {:?}", d, status, e.kind);
    }

    /// A POST without an idempotency key is never sent again after an attempt with no answer;
    /// a GET is, while retries remain.
    #[test]
    fn unanswered_attempts_replay_only_when_safe(
        failure in prop::sample::select(vec![TransportFailure::Network, TransportFailure::Timeout]),
        s in settings(),
        attempt in 0u32..25,
        jitter in any::<f64>(),
    ) {
        let e: Error = rimp_client::engine::transport_error(
            TransportError { failure, detail: String::new(), cause: None },
            1000,
        );
        let post = decide(&e, attempt, RequestTraits::new("POST", false), &s, NOW, None, jitter);
        prop_assert_eq!(post, Decision::Stop(StopReason::NotReplaySafe));
        let get = decide(&e, attempt, RequestTraits::new("GET", false), &s, NOW, None, jitter);
        if attempt < s.max_retries {
            prop_assert!(
                matches!(get, Decision::Retry { source: DelaySource::Backoff, .. }),
                "{:?}",
                get
            );
        } else {
            prop_assert_eq!(get, Decision::Stop(StopReason::RetriesExhausted));
        }
        let keyed = decide(&e, attempt, RequestTraits::new("POST", true), &s, NOW, None, jitter);
        prop_assert_eq!(matches!(keyed, Decision::Retry { .. }), attempt < s.max_retries);
    }

    /// The loop agrees: an unkeyed POST that gets no answer is sent exactly once.
    #[test]
    fn the_loop_never_replays_an_unkeyed_post(
        failure in prop::sample::select(vec![TransportFailure::Network, TransportFailure::Timeout]),
        before in prop::collection::vec(
            (prop::sample::select(vec![500u16, 502, 503, 504]), Just(None), body())
                .prop_map(|(s, r, b)| Step::Answer(s, r, b)),
            0..3,
        ),
        s in settings(),
    ) {
        let n = before.len();
        let mut steps: VecDeque<Step> = before.into();
        steps.push_back(Step::Fail(failure));
        let t = Script { steps: RefCell::new(steps), sent: Cell::new(0) };
        let sleeps = Sleeps::default();
        let r = block_on(execute(&call_plan("POST", false, s), &t, &sleeps, &Jitter(0.0), Coordination::default(), &mut |_| {}));
        let e = r.unwrap_err();
        prop_assert!(t.sent.get() <= n + 1);
        if t.sent.get() == n + 1 {
            prop_assert!(matches!(e.kind, ErrorKind::Connection | ErrorKind::Timeout));
        }
    }

    /// `Retry-After` parsing never panics and never returns more than 2^31−1 ms.
    #[test]
    fn retry_after_is_bounded(v in prop_oneof![
        ".*",
        "[0-9 ,.:a-zA-Z-]{0,64}",
        "[0-9]{1,40}(\\.[0-9]{0,40})?",
    ], now in any::<u64>()) {
        if let Some(ms) = parse_retry_after(&v, now) {
            prop_assert!(ms <= MAX_TIMER_MS);
        }
    }

    /// Classification never panics on any bytes, and without an envelope the class follows the
    /// status.
    #[test]
    fn classification_of_any_bytes(
        status in any::<u16>(),
        bytes in prop::collection::vec(any::<u8>(), 0..300),
        ra in retry_after(),
    ) {
        let body = String::from_utf8_lossy(&bytes);
        let e = error(status, &body, ra.as_deref(), None);
        prop_assert_eq!(e.status, Some(status));
        if Envelope::parse(&body).is_none() {
            prop_assert_eq!(e.kind, kind_for_status(status, None));
            prop_assert!(e.error_type.is_none() && e.code.is_none());
        }
        prop_assert!(e.raw_body.as_ref().is_none_or(|r| r.len() <= 2048));
    }

    /// The budget's tokens stay within 0..=capacity whatever happens, and a refused spend
    /// takes nothing.
    #[test]
    fn budget_tokens_stay_in_bounds(
        capacity in 1u32..=1_000_000,
        costs in (0u32..=1_000_000, 0u32..=1_000_000, 0u32..=1_000_000),
        ops in prop::collection::vec(0u8..3, 0..400),
    ) {
        let settings = BudgetSettings {
            capacity,
            retry_cost: costs.0.min(capacity),
            timeout_cost: costs.1.min(capacity),
            success_refund: costs.2.min(capacity),
        };
        let mut b = RetryBudget::new(settings);
        prop_assert_eq!(b.tokens(), capacity);
        for op in ops {
            let before = b.tokens();
            match op {
                0 | 1 => {
                    let timeout = op == 1;
                    let cost = if timeout { settings.timeout_cost } else { settings.retry_cost };
                    let spent = b.try_spend(timeout);
                    prop_assert_eq!(spent, before >= cost);
                    prop_assert_eq!(b.tokens(), if spent { before - cost } else { before });
                }
                _ => {
                    b.on_success();
                    prop_assert_eq!(b.tokens(), (before + settings.success_refund).min(capacity));
                }
            }
            prop_assert!(b.tokens() <= capacity);
        }
    }

    /// A repeated header (as `fetch` joins it) reads as its first value.
    #[test]
    fn repeated_header_values_read_the_first(
        a in 0u64..100_000,
        b in 0u64..100_000,
        sep in prop::sample::select(vec![",", ", ", " , ", ",  "]),
        replayed in prop::sample::select(vec!["true", "TRUE", "false", "yes", ""]),
        again in prop::sample::select(vec!["true", "false"]),
        date_s in NOW / 1000..NOW / 1000 + 1_000_000,
        date2_s in NOW / 1000..NOW / 1000 + 1_000_000,
    ) {
        let joined = format!("{a}{sep}{b}");
        prop_assert_eq!(parse_retry_after(&joined, NOW), parse_retry_after(&a.to_string(), NOW));
        prop_assert_eq!(parse_retry_after(&joined, NOW), Some(a * 1000));
        let date = imf_fixdate(date_s * 1000);
        let dates = format!("{date}{sep}{}", imf_fixdate(date2_s * 1000));
        prop_assert_eq!(parse_retry_after(&dates, NOW), Some(date_s * 1000 - NOW));
        let mut h = ResponseHeaders::default();
        h.set("x-ratelimit-limit", joined.clone());
        h.set("x-ratelimit-remaining", format!("{b}{sep}{a}"));
        h.set("x-ratelimit-reset", format!("{date_s}{sep}{date2_s}"));
        h.set("idempotent-replayed", format!("{replayed}{sep}{again}"));
        let rl = h.rate_limit().unwrap();
        prop_assert_eq!(rl.limit, Some(a));
        prop_assert_eq!(rl.remaining, Some(b));
        prop_assert_eq!(rl.reset_at_ms, Some(date_s * 1000));
        prop_assert_eq!(h.replayed(), replayed.eq_ignore_ascii_case("true"));
    }

    /// `redact` leaves no occurrence of the secret, and answers `None` exactly when there is
    /// nothing to hide (or the secret is too short to search for).
    #[test]
    fn redact_leaves_no_secret(
        secret in "[ab\\[\\]redact]{0,12}",
        parts in prop::collection::vec("[ab\\[\\]redactx]{0,10}", 0..6),
    ) {
        let text = parts.join(&secret);
        let got = redact(&text, &secret);
        if secret.chars().count() < 8 || !text.contains(&secret) {
            prop_assert!(got.is_none());
        } else {
            let r = got.unwrap();
            prop_assert!(!r.contains(&secret), "{:?} in {:?}", secret, r);
        }
    }

    /// The same on any text and a realistic key.
    #[test]
    fn redact_any_text(
        key in "sk_(live|test)_[A-Za-z0-9]{8,40}",
        text in prop::collection::vec(".{0,20}", 0..5),
        mut e in (status(), body()).prop_map(|(s, b)| error(s, &b, None, None)),
    ) {
        let t = text.join(&key);
        if let Some(r) = redact(&t, &key) {
            prop_assert!(!r.contains(&key));
        }
        e.message = t.clone();
        e.raw_body = Some(t.clone());
        e.code = Some(key.clone());
        e.param = Some(format!("{key}{key}"));
        e.redact_secret(&key);
        for field in [Some(&e.message), e.raw_body.as_ref(), e.code.as_ref(), e.param.as_ref()] {
            prop_assert!(!field.unwrap().contains(&key));
        }
    }
}
