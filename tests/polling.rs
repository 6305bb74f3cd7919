//! Native, table-driven tests of `waitFor`'s decisions: terminal statuses, the growing interval,
//! pacing on `X-RateLimit-Remaining: 0`, the deadline, progress and the timeout error.
#![cfg(not(target_arch = "wasm32"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use rimp_client::RateLimitInfo;
use rimp_client::error::{Error, ErrorKind};
use rimp_client::wait::{
    DEFAULT_INTERVAL_MS, DEFAULT_MAX_INTERVAL_MS, JobKind, Next, Poller, WaitSettings, grow,
    observe,
};

/// 2026-11-25T00:00:00Z
const NOW: u64 = 1_795_564_800_000;

fn gen_body(status: &str) -> String {
    format!(r#"{{"id":"gen_1","object":"generation","status":"{status}","outputs":[]}}"#)
}

fn settings(interval: u64, max: u64, timeout: Option<u64>) -> WaitSettings {
    WaitSettings {
        interval_ms: interval,
        max_interval_ms: max,
        timeout_ms: timeout,
    }
}

fn no_limit() -> Option<RateLimitInfo> {
    None
}

#[test]
fn terminal_statuses_per_kind() {
    let table = [
        ("queued", false, false),
        ("running", false, false),
        ("succeeded", true, true),
        ("failed", true, true),
        ("canceled", true, false),
        ("partial", false, true),
        ("processing", false, false),
        ("SUCCEEDED", false, false),
        ("", false, false),
    ];
    for (status, generation, comparison) in table {
        assert_eq!(
            JobKind::Generation.is_terminal(status),
            generation,
            "{status}"
        );
        assert_eq!(
            JobKind::Comparison.is_terminal(status),
            comparison,
            "{status}"
        );
    }
}

#[test]
fn the_interval_grows_by_half_up_to_the_cap() {
    assert_eq!(
        (DEFAULT_INTERVAL_MS, DEFAULT_MAX_INTERVAL_MS),
        (1_000, 10_000)
    );
    let mut i = DEFAULT_INTERVAL_MS;
    let mut seen = vec![i];
    for _ in 0..8 {
        i = grow(i, DEFAULT_MAX_INTERVAL_MS);
        seen.push(i);
    }
    assert_eq!(
        seen,
        [
            1_000, 1_500, 2_250, 3_375, 5_063, 7_595, 10_000, 10_000, 10_000
        ]
    );
    // Rounded up, so a 1 ms interval still grows.
    assert_eq!(grow(1, 100), 2);
    assert_eq!(grow(2, 100), 3);
    assert_eq!(grow(u64::MAX, u64::MAX), 2_147_483_647, "timer-safe");
}

#[test]
fn polls_wait_the_growing_interval_until_terminal() {
    let mut p = Poller::new(JobKind::Generation, "gen_1", settings(100, 300, None), NOW);
    assert_eq!(p.deadline_ms(), None);
    let mut delays = Vec::new();
    for status in ["queued", "queued", "running", "running", "running"] {
        match p.after_poll(&gen_body(status), no_limit(), NOW).next {
            Next::Poll {
                delay_ms,
                paced: false,
            } => delays.push(delay_ms),
            other => panic!("{status}: {other:?}"),
        }
    }
    assert_eq!(delays, [100, 150, 225, 300, 300]);
    assert_eq!(
        p.after_poll(&gen_body("succeeded"), no_limit(), NOW).next,
        Next::Done
    );
    assert_eq!(p.polls(), 6);
    assert_eq!(p.status(), Some("succeeded"));
}

#[test]
fn progress_is_the_first_poll_and_each_change() {
    let mut p = Poller::new(JobKind::Generation, "gen_1", WaitSettings::default(), NOW);
    let seq = [
        ("queued", true),
        ("queued", false),
        ("running", true),
        ("running", false),
        ("mystery", true),
        ("running", true),
        ("failed", true),
    ];
    for (status, progressed) in seq {
        let step = p.after_poll(&gen_body(status), no_limit(), NOW);
        assert_eq!(step.progressed, progressed, "{status}");
    }
    // An answer with no status (HTML from a proxy, a non-object, a numeric status) is not a
    // job: the wait ends with an error instead of polling forever.
    for body in ["<html>", "{}", "null", r#"{"status":3}"#, "[]"] {
        let mut p = Poller::new(JobKind::Generation, "gen_1", WaitSettings::default(), NOW);
        p.after_poll(&gen_body("running"), no_limit(), NOW);
        let s = p.after_poll(body, no_limit(), NOW);
        assert_eq!(s.next, Next::NoStatus, "{body}");
        assert!(!s.progressed);
        let e: Error = p.no_status_error(200, body, Some("req_9".into()));
        assert_eq!(
            (e.kind, e.status, e.attempts),
            (ErrorKind::Api, Some(200), 2)
        );
        assert_eq!(e.code.as_deref(), Some("invalid_response"));
        assert_eq!(e.raw_body.as_deref(), Some(body));
        assert_eq!(e.request_id.as_deref(), Some("req_9"));
        assert!(
            e.message.contains("gen_1 has no \"status\""),
            "{}",
            e.message
        );
    }
}

#[test]
fn a_comparison_progresses_when_a_child_does() {
    let body = |parent: &str, a: &str, b: &str| {
        format!(
            r#"{{"id":"cmp_1","status":"{parent}","generations":[{{"id":"g1","status":"{a}"}},{{"id":"g2","status":"{b}"}}]}}"#
        )
    };
    let mut p = Poller::new(JobKind::Comparison, "cmp_1", WaitSettings::default(), NOW);
    let seq = [
        (body("queued", "queued", "queued"), true, false),
        (body("running", "running", "queued"), true, false),
        (body("running", "running", "running"), true, false),
        (body("running", "running", "running"), false, false),
        (body("running", "succeeded", "running"), true, false),
        (body("partial", "succeeded", "failed"), true, true),
    ];
    for (b, progressed, done) in seq {
        let step = p.after_poll(&b, no_limit(), NOW);
        assert_eq!(step.progressed, progressed, "{b}");
        assert_eq!(step.next == Next::Done, done, "{b}");
    }
    assert_eq!(
        observe(JobKind::Comparison, &body("running", "a", "b")),
        (Some("running".to_owned()), "running|a|b".to_owned())
    );
    // A generation's signature is its status alone.
    assert_eq!(
        observe(JobKind::Generation, &body("running", "a", "b")).1,
        "running"
    );
}

#[test]
fn remaining_zero_paces_the_next_poll_to_the_reset() {
    let rl = |remaining: Option<u64>, reset_s: Option<u64>| {
        Some(RateLimitInfo {
            limit: Some(60),
            remaining,
            reset_at_ms: reset_s.map(|s| s * 1000),
        })
    };
    let now_s = NOW / 1000;
    // (rate limit, expected next wait, paced)
    let table = [
        // Remaining 0 and a reset 7 s away: wait for the reset, not the 1 s interval.
        (rl(Some(0), Some(now_s + 7)), 7_000, true),
        // Remaining above 0: the interval.
        (rl(Some(1), Some(now_s + 7)), 1_000, false),
        // Remaining 0 but the reset is sooner than the interval: the interval.
        (rl(Some(0), Some(now_s)), 1_000, false),
        // Remaining 0, reset unreadable (hidden by CORS): the interval.
        (rl(Some(0), None), 1_000, false),
        // Remaining unreadable: the interval.
        (rl(None, Some(now_s + 7)), 1_000, false),
        (None, 1_000, false),
    ];
    for (limit, delay, paced) in table {
        let mut p = Poller::new(JobKind::Generation, "gen_1", WaitSettings::default(), NOW);
        let step = p.after_poll(&gen_body("running"), limit, NOW);
        assert_eq!(
            step.next,
            Next::Poll {
                delay_ms: delay,
                paced
            },
            "{limit:?}"
        );
    }
    // Pacing does not stop the interval from growing.
    let mut p = Poller::new(JobKind::Generation, "gen_1", WaitSettings::default(), NOW);
    p.after_poll(&gen_body("running"), rl(Some(0), Some(now_s + 7)), NOW);
    assert_eq!(
        p.after_poll(&gen_body("running"), no_limit(), NOW + 7_000)
            .next,
        Next::Poll {
            delay_ms: 1_500,
            paced: false
        }
    );
}

#[test]
fn no_poll_starts_at_or_past_the_deadline() {
    // Deadline NOW + 1000; interval 400 → polls at +0, +400, +1000 would be at the deadline.
    let mut p = Poller::new(
        JobKind::Generation,
        "gen_1",
        settings(400, 10_000, Some(1_000)),
        NOW,
    );
    assert_eq!(p.deadline_ms(), Some(NOW + 1_000));
    assert_eq!(
        p.after_poll(&gen_body("queued"), no_limit(), NOW).next,
        Next::Poll {
            delay_ms: 400,
            paced: false
        }
    );
    assert_eq!(
        p.after_poll(&gen_body("running"), no_limit(), NOW + 400)
            .next,
        Next::Expire,
        "400 + 600 reaches the deadline"
    );
    // A paced wait past the deadline expires too.
    let mut p = Poller::new(
        JobKind::Generation,
        "gen_1",
        settings(10, 10_000, Some(5_000)),
        NOW,
    );
    let far = Some(RateLimitInfo {
        limit: Some(60),
        remaining: Some(0),
        reset_at_ms: Some(NOW + 30_000),
    });
    assert_eq!(
        p.after_poll(&gen_body("running"), far, NOW).next,
        Next::Expire
    );
    // A terminal answer is Done even at the deadline.
    assert_eq!(
        p.after_poll(&gen_body("failed"), no_limit(), NOW + 9_999)
            .next,
        Next::Done
    );
}

#[test]
fn the_timeout_error_names_the_job_and_its_last_status() {
    let mut p = Poller::new(
        JobKind::Generation,
        "gen_9",
        settings(10, 10, Some(2_500)),
        NOW,
    );
    let e: Error = p.timeout_error();
    assert_eq!(e.kind, ErrorKind::Timeout);
    assert!(e.retryable, "the job goes on: a later wait may succeed");
    assert_eq!(
        e.message,
        "waitFor: the wait for generation gen_9 passed its deadline (timeoutMs 2500 ms) before any poll answered"
    );
    p.after_poll(&gen_body("running"), no_limit(), NOW);
    let e: Error = p.timeout_error();
    assert!(
        e.message.ends_with("with status \"running\""),
        "{}",
        e.message
    );
    // A hostile status is quoted bounded.
    let long = "x".repeat(10_000);
    p.after_poll(&gen_body(&long), no_limit(), NOW);
    let e: Error = p.timeout_error();
    assert!(e.message.len() < 200, "{}", e.message.len());
    let c = Poller::new(JobKind::Comparison, "cmp_2", settings(10, 10, Some(1)), NOW);
    let e = c.timeout_error::<()>();
    assert!(
        e.message.contains(
            "comparison cmp_2 passed its deadline (timeoutMs 1 ms) before any poll answered"
        ),
        "{}",
        e.message
    );
    assert_eq!(e.attempts, 0);
}

#[test]
fn wait_options_are_validated() {
    let ok: WaitSettings = WaitSettings::from_options::<()>(None, None, None).unwrap();
    assert_eq!(ok, WaitSettings::default());
    assert_eq!(
        WaitSettings::from_options::<()>(Some(50.0), Some(500.0), Some(2000.0)).unwrap(),
        settings(50, 500, Some(2_000))
    );
    // A first interval above the cap raises the cap: the polls keep that interval.
    assert_eq!(
        WaitSettings::from_options::<()>(Some(20_000.0), None, None).unwrap(),
        settings(20_000, 20_000, None)
    );
    for (interval, max, timeout, param) in [
        (Some(0.0), None, None, "intervalMs"),
        (Some(1.5), None, None, "intervalMs"),
        (Some(f64::NAN), None, None, "intervalMs"),
        (None, Some(-1.0), None, "maxIntervalMs"),
        (None, None, Some(0.0), "timeoutMs"),
        (None, None, Some(f64::INFINITY), "timeoutMs"),
        (None, None, Some(3e9), "timeoutMs"),
    ] {
        let e = WaitSettings::from_options::<()>(interval, max, timeout).unwrap_err();
        assert_eq!(e.param.as_deref(), Some(param));
        assert_eq!(e.code.as_deref(), Some("invalid_option"));
    }
}

#[test]
fn the_next_poll_is_kept_against_the_wall_clock() {
    // (ms lost between the answer and the timer, sleep asked for)
    let table = [(0, 1000), (1, 999), (250, 750), (1000, 0), (60_000, 0)];
    for (lag, sleep) in table {
        let mut p = Poller::new(
            JobKind::Generation,
            "gen_1",
            settings(1000, 10_000, None),
            NOW,
        );
        assert_eq!(p.wake_at_ms(), None);
        assert_eq!(p.sleep_ms(NOW), 0, "nothing pending before the first poll");
        let step = p.after_poll(&gen_body("running"), no_limit(), NOW + 40);
        assert_eq!(
            step.next,
            Next::Poll {
                delay_ms: 1000,
                paced: false
            }
        );
        assert_eq!(p.wake_at_ms(), Some(NOW + 40 + 1000));
        assert_eq!(p.sleep_ms(NOW + 40 + lag), sleep, "lag {lag}");
    }
}

#[test]
fn a_paced_poll_and_the_deadline_are_kept_against_the_wall_clock_too() {
    let mut p = Poller::new(
        JobKind::Generation,
        "gen_1",
        settings(1000, 10_000, Some(30_000)),
        NOW,
    );
    let rl = Some(RateLimitInfo {
        limit: Some(10),
        remaining: Some(0),
        reset_at_ms: Some(NOW + 5_000),
    });
    let step = p.after_poll(&gen_body("running"), rl, NOW);
    assert_eq!(
        step.next,
        Next::Poll {
            delay_ms: 5_000,
            paced: true
        }
    );
    assert_eq!(p.sleep_ms(NOW + 3_000), 2_000);
    // Next poll answers at NOW+29_500: no poll fits, so the wait is for the deadline.
    let step = p.after_poll(&gen_body("running"), no_limit(), NOW + 29_500);
    assert_eq!(step.next, Next::Expire);
    assert_eq!(p.wake_at_ms(), Some(NOW + 30_000));
    assert_eq!(p.sleep_ms(NOW + 29_900), 100);
    assert_eq!(p.sleep_ms(NOW + 31_000), 0);
    // A terminal answer leaves nothing pending.
    let step = p.after_poll(&gen_body("succeeded"), no_limit(), NOW + 29_600);
    assert_eq!(step.next, Next::Done);
    assert_eq!((p.wake_at_ms(), p.sleep_ms(NOW)), (None, 0));
}
