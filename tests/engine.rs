//! Native tests of the request loop against a scripted transport, a recording sleeper and a
//! fixed clock: the same loop the browser runs.
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

use rimp_client::engine::{CallPlan, execute};
use rimp_client::error::{DelaySource, ErrorKind};
use rimp_client::headers::ResponseHeaders;
use rimp_client::policy::RetrySettings;
use rimp_client::transport::{
    Clock, RequestSpec, ResponseParts, Sleeper, Transport, TransportError, TransportFailure,
};

/// Polls a future whose fakes are always ready.
fn block_on<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

type Step = Result<(u16, Vec<(&'static str, &'static str)>, &'static str), TransportFailure>;

struct Script {
    steps: RefCell<VecDeque<Step>>,
    sent: RefCell<Vec<RequestSpec>>,
}

impl Script {
    fn new(steps: Vec<Step>) -> Self {
        Script {
            steps: RefCell::new(steps.into()),
            sent: RefCell::new(Vec::new()),
        }
    }
}

impl Transport for Script {
    type Cause = &'static str;
    type Body = String;
    async fn send(
        &self,
        request: &RequestSpec,
    ) -> Result<ResponseParts, TransportError<&'static str>> {
        self.sent.borrow_mut().push(request.clone());
        let step = self
            .steps
            .borrow_mut()
            .pop_front()
            .expect("a request beyond the script");
        match step {
            Ok((status, hs, body)) => {
                let mut headers = ResponseHeaders::default();
                for (k, v) in hs {
                    headers.set(k, v.to_owned());
                }
                Ok(ResponseParts {
                    status,
                    headers,
                    body: body.to_owned(),
                })
            }
            Err(failure) => Err(TransportError {
                failure,
                detail: "Failed to fetch".into(),
                cause: Some("js-cause"),
            }),
        }
    }
}

#[derive(Default)]
struct Sleeps {
    waits: RefCell<Vec<u64>>,
    abort_on: Cell<Option<usize>>,
}

impl Sleeper for Sleeps {
    type Cause = &'static str;
    async fn sleep(&self, ms: u64) -> Result<(), Option<&'static str>> {
        let mut w = self.waits.borrow_mut();
        w.push(ms);
        if self.abort_on.get() == Some(w.len()) {
            Err(Some("reason"))
        } else {
            Ok(())
        }
    }
}

struct Fixed;
impl Clock for Fixed {
    fn now_ms(&self) -> u64 {
        1_795_564_800_000
    }
    fn jitter_unit(&self) -> f64 {
        0.0
    }
}

fn plan(method: &str, key: Option<&str>, max_retries: u32) -> CallPlan {
    let mut headers = vec![("accept".to_owned(), "application/json".to_owned())];
    if let Some(k) = key {
        headers.push(("idempotency-key".to_owned(), k.to_owned()));
    }
    CallPlan {
        request: RequestSpec {
            method: method.into(),
            url: "http://mock/v1/videos".into(),
            headers,
            body: (method == "POST").then(|| "{}".to_owned()),
            timeout_ms: 5000,
        },
        retry: RetrySettings {
            max_retries,
            retry_delay_ms: 1000,
            max_retry_delay_ms: 30_000,
            max_retry_after_ms: 60_000,
        },
        idempotency_key: key.map(str::to_owned),
        deadline_ms: None,
    }
}

fn run(
    p: &CallPlan,
    steps: Vec<Step>,
    sleeps: &Sleeps,
) -> (
    Result<rimp_client::engine::Success, rimp_client::Error<&'static str>>,
    Vec<RequestSpec>,
    Vec<(u32, u64, DelaySource)>,
) {
    let t = Script::new(steps);
    let mut events = Vec::new();
    let r = block_on(execute(p, &t, sleeps, &Fixed, &mut |n| {
        events.push((n.attempt, n.delay_ms, n.source));
    }));
    assert!(t.steps.borrow().is_empty(), "script not used up");
    (r, t.sent.into_inner(), events)
}

#[test]
fn two_502s_then_success_sends_the_same_request_three_times() {
    let p = plan("POST", Some("key-1"), 3);
    let s = Sleeps::default();
    let (r, sent, events) = run(
        &p,
        vec![
            Ok((502, vec![], "")),
            Ok((502, vec![], "<html>")),
            Ok((202, vec![("x-request-id", "req_3")], "{}")),
        ],
        &s,
    );
    let ok = r.unwrap();
    assert_eq!(ok.attempts, 3);
    assert_eq!(ok.idempotency_key.as_deref(), Some("key-1"));
    assert_eq!(ok.response.headers.request_id(), Some("req_3".into()));
    assert_eq!(sent.len(), 3);
    assert!(sent.iter().all(|r| *r == p.request), "identical attempts");
    assert_eq!(*s.waits.borrow(), vec![1000, 2000]);
    assert_eq!(
        events,
        vec![
            (1, 1000, DelaySource::Backoff),
            (2, 2000, DelaySource::Backoff)
        ]
    );
}

#[test]
fn retries_exhausted_reports_the_last_error_with_attempts_and_key() {
    let p = plan("POST", Some("key-2"), 3);
    let s = Sleeps::default();
    let (r, sent, _) = run(&p, vec![Ok((500, vec![], "")); 4], &s);
    let e = r.unwrap_err();
    assert_eq!(
        (e.kind, e.attempts, sent.len()),
        (ErrorKind::InternalServer, 4, 4)
    );
    assert_eq!(e.idempotency_key.as_deref(), Some("key-2"));
    assert_eq!(*s.waits.borrow(), vec![1000, 2000, 4000]);
}

#[test]
fn network_failure_on_unkeyed_post_is_not_replayed() {
    let p = plan("POST", None, 3);
    let s = Sleeps::default();
    let (r, sent, _) = run(&p, vec![Err(TransportFailure::Network)], &s);
    let e = r.unwrap_err();
    assert_eq!(
        (e.kind, e.attempts, sent.len()),
        (ErrorKind::Connection, 1, 1)
    );
    assert_eq!(e.cause, Some("js-cause"));
    assert!(e.retryable);
    assert!(e.message.contains("Failed to fetch"));
}

#[test]
fn network_failure_and_timeout_on_get_are_retried() {
    let p = plan("GET", None, 3);
    let s = Sleeps::default();
    let (r, sent, _) = run(
        &p,
        vec![
            Err(TransportFailure::Network),
            Err(TransportFailure::Timeout),
            Ok((200, vec![], "{}")),
        ],
        &s,
    );
    assert_eq!(r.unwrap().attempts, 3);
    assert_eq!(sent.len(), 3);
}

#[test]
fn timeout_as_last_failure_is_a_timeout_error() {
    let p = plan("GET", None, 1);
    let s = Sleeps::default();
    let (r, _, _) = run(
        &p,
        vec![
            Err(TransportFailure::Timeout),
            Err(TransportFailure::Timeout),
        ],
        &s,
    );
    let e = r.unwrap_err();
    assert_eq!((e.kind, e.attempts), (ErrorKind::Timeout, 2));
    assert!(e.message.contains("5000 ms"));
}

#[test]
fn rate_limited_waits_for_retry_after_then_fails_fast_when_too_long() {
    let p = plan("GET", None, 3);
    let s = Sleeps::default();
    let (r, _, events) = run(
        &p,
        vec![
            Ok((
                429,
                vec![("retry-after", "2")],
                r#"{"error":{"type":"rate_limited","code":"rate_limited","message":"slow"}}"#,
            )),
            Ok((
                429,
                vec![("retry-after", "3600")],
                r#"{"error":{"type":"rate_limited","code":"rate_limited","message":"slow"}}"#,
            )),
        ],
        &s,
    );
    let e = r.unwrap_err();
    assert_eq!(
        (e.kind, e.attempts, e.retry_after_ms),
        (ErrorKind::RateLimit, 2, Some(3_600_000))
    );
    assert_eq!(events, vec![(1, 2000, DelaySource::RetryAfter)]);
}

#[test]
fn abort_during_a_wait_stops_at_once() {
    let p = plan("GET", None, 3);
    let s = Sleeps::default();
    s.abort_on.set(Some(1));
    let (r, sent, _) = run(&p, vec![Ok((503, vec![], ""))], &s);
    let e = r.unwrap_err();
    assert_eq!((e.kind, e.attempts, sent.len()), (ErrorKind::Abort, 1, 1));
    assert_eq!(e.cause, Some("reason"));
    assert!(!e.retryable);
}

#[test]
fn abort_in_flight_is_not_retried() {
    let p = plan("GET", None, 3);
    let s = Sleeps::default();
    let (r, _, _) = run(&p, vec![Err(TransportFailure::Aborted)], &s);
    assert_eq!(r.unwrap_err().kind, ErrorKind::Abort);
    assert!(s.waits.borrow().is_empty());
}

#[test]
fn non_retryable_statuses_stop_after_one_attempt() {
    for status in [400, 401, 402, 403, 404, 409, 422, 418] {
        let p = plan("POST", Some("k"), 3);
        let s = Sleeps::default();
        let (r, sent, _) = run(&p, vec![Ok((status, vec![], ""))], &s);
        assert_eq!((r.unwrap_err().attempts, sent.len()), (1, 1), "{status}");
    }
}
