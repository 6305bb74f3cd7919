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
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use rimp_client::budget::{BudgetSettings, RetryBudget};
use rimp_client::engine::{CallPlan, Coordination, execute};
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
    type ReqBody = String;
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
    let r = block_on(execute(
        p,
        &t,
        sleeps,
        &Fixed,
        Coordination::default(),
        &mut |n| {
            events.push((n.attempt, n.delay_ms, n.source));
        },
    ));
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
fn a_fetch_that_resolves_to_no_response_is_reported_once_not_retried() {
    let p = plan("GET", None, 3);
    let s = Sleeps::default();
    let (r, sent, _) = run(&p, vec![Err(TransportFailure::NotAResponse)], &s);
    let e = r.unwrap_err();
    assert_eq!((e.kind, e.attempts, sent.len()), (ErrorKind::Client, 1, 1));
    assert_eq!(e.code.as_deref(), Some("invalid_fetch_response"));
    assert!(!e.retryable);
    assert!(
        e.message.starts_with("the fetch function resolved to "),
        "{}",
        e.message
    );
    assert!(s.waits.borrow().is_empty());
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

/// A clock the test moves by hand.
struct Manual {
    now: Cell<u64>,
}

impl Manual {
    fn at(now: u64) -> Self {
        Manual {
            now: Cell::new(now),
        }
    }
    fn advance(&self, ms: u64) {
        self.now.set(self.now.get() + ms);
    }
}

impl Clock for Manual {
    fn now_ms(&self) -> u64 {
        self.now.get()
    }
    fn jitter_unit(&self) -> f64 {
        0.0
    }
}

/// Runs `p` against `steps` with a manual clock that jumps `lag` ms forward between each
/// failure and its wait (as a throttled background tab runs the continuation late).
fn run_lagging(p: &CallPlan, steps: Vec<Step>, lag: u64) -> (Vec<u64>, Vec<u64>) {
    let t = Script::new(steps);
    let clock = Manual::at(1_795_564_800_000);
    let s = Sleeps::default();
    let mut notified = Vec::new();
    let _ = block_on(execute(
        p,
        &t,
        &s,
        &clock,
        Coordination::default(),
        &mut |n| {
            notified.push(n.delay_ms);
            clock.advance(lag);
        },
    ));
    (s.waits.into_inner(), notified)
}

#[test]
fn a_wait_is_kept_against_the_wall_clock() {
    // (lag between the failure and the sleep, planned waits, waits slept)
    let table: [(u64, [u64; 2], [u64; 2]); 5] = [
        (0, [1000, 2000], [1000, 2000]),
        (1, [1000, 2000], [999, 1999]),
        (400, [1000, 2000], [600, 1600]),
        (1000, [1000, 2000], [0, 1000]),
        (5000, [1000, 2000], [0, 0]),
    ];
    for (lag, planned, slept) in table {
        let p = plan("GET", None, 3);
        let (waits, notified) = run_lagging(
            &p,
            vec![
                Ok((503, vec![], "")),
                Ok((503, vec![], "")),
                Ok((200, vec![], "{}")),
            ],
            lag,
        );
        assert_eq!(
            notified,
            planned.to_vec(),
            "onRetry sees the planned wait, lag {lag}"
        );
        assert_eq!(waits, slept.to_vec(), "lag {lag}");
    }
}

#[test]
fn a_server_requested_wait_is_also_kept_against_the_wall_clock() {
    let p = plan("GET", None, 3);
    let (waits, _) = run_lagging(
        &p,
        vec![
            Ok((
                429,
                vec![("retry-after", "2")],
                r#"{"error":{"type":"rate_limited","code":"rate_limited","message":"slow"}}"#,
            )),
            Ok((200, vec![], "{}")),
        ],
        1500,
    );
    assert_eq!(waits, vec![500]);
}

/// Runs `p` with a shared budget; returns the result and the attempts made.
fn run_budgeted(
    p: &CallPlan,
    steps: Vec<Step>,
    budget: &RefCell<RetryBudget>,
) -> (
    Result<rimp_client::engine::Success, rimp_client::Error<&'static str>>,
    usize,
) {
    let t = Script::new(steps);
    let s = Sleeps::default();
    let r = block_on(execute(
        p,
        &t,
        &s,
        &Fixed,
        Coordination {
            budget: Some(budget),
            shared: None,
        },
        &mut |_| {},
    ));
    let sent = t.sent.borrow().len();
    (r, sent)
}

fn budget(capacity: u32, retry: u32, timeout: u32, refund: u32) -> RefCell<RetryBudget> {
    RefCell::new(RetryBudget::new(BudgetSettings {
        capacity,
        retry_cost: retry,
        timeout_cost: timeout,
        success_refund: refund,
    }))
}

#[test]
fn the_first_attempt_is_free_and_a_success_refunds() {
    let b = budget(20, 5, 10, 1);
    b.borrow_mut().try_spend(false); // 15 left
    let (r, sent) = run_budgeted(&plan("GET", None, 3), vec![Ok((200, vec![], "{}"))], &b);
    assert_eq!((r.unwrap().attempts, sent), (1, 1));
    assert_eq!(b.borrow().tokens(), 16);
}

#[test]
fn each_retry_spends_its_cost_and_a_timeout_costs_more() {
    let b = budget(100, 5, 10, 1);
    let (r, sent) = run_budgeted(
        &plan("GET", None, 3),
        vec![
            Ok((503, vec![], "")),
            Err(TransportFailure::Timeout),
            Err(TransportFailure::Network),
            Ok((200, vec![], "{}")),
        ],
        &b,
    );
    assert_eq!((r.unwrap().attempts, sent), (4, 4));
    // 100 − 5 (503) − 10 (timeout) − 5 (network) + 1 (success)
    assert_eq!(b.borrow().tokens(), 81);
}

#[test]
fn an_exhausted_budget_returns_the_failure_unretried() {
    let b = budget(12, 5, 10, 1);
    let (r, sent) = run_budgeted(
        &plan("GET", None, 3),
        vec![
            Ok((503, vec![], "")),
            Ok((503, vec![], "")),
            Ok((503, vec![], "upstream down")),
        ],
        &b,
    );
    let e = r.unwrap_err();
    assert_eq!(
        (e.kind, e.attempts, sent),
        (ErrorKind::ProviderUnavailable, 3, 3)
    );
    assert!(e.retry_budget_exhausted);
    assert!(
        e.message
            .ends_with(" (not retried: the retry budget is exhausted)"),
        "{}",
        e.message
    );
    assert_eq!(b.borrow().tokens(), 2);
}

#[test]
fn a_timeout_needs_the_timeout_cost() {
    let b = budget(9, 5, 10, 1);
    let (r, sent) = run_budgeted(
        &plan("GET", None, 3),
        vec![Err(TransportFailure::Timeout)],
        &b,
    );
    let e = r.unwrap_err();
    assert_eq!((e.kind, sent), (ErrorKind::Timeout, 1));
    assert!(e.retry_budget_exhausted);
    assert_eq!(b.borrow().tokens(), 9, "nothing spent when refused");
}

#[test]
fn failures_that_are_not_retried_spend_nothing_and_are_not_marked() {
    let b = budget(10, 5, 10, 1);
    for step in [
        Ok((400, vec![], "")),
        Ok((404, vec![], "")),
        Err(TransportFailure::Aborted),
    ] {
        let (r, sent) = run_budgeted(&plan("GET", None, 3), vec![step], &b);
        let e = r.unwrap_err();
        assert_eq!(sent, 1);
        assert!(!e.retry_budget_exhausted);
        assert!(!e.message.contains("retry budget"));
    }
    // Retries exhausted with tokens left: not the budget's doing.
    let (r, _) = run_budgeted(
        &plan("GET", None, 1),
        vec![Ok((503, vec![], "")), Ok((503, vec![], ""))],
        &b,
    );
    assert!(!r.unwrap_err().retry_budget_exhausted);
    assert_eq!(b.borrow().tokens(), 5);
}

/// One call of a simulation: its outcomes in order, as a script.
fn simulate(calls: Vec<Vec<Step>>, budget: &RefCell<RetryBudget>) -> (usize, usize, usize) {
    let (mut attempts, mut ok, mut exhausted) = (0, 0, 0);
    for steps in calls {
        let t = Script::new(steps);
        let s = Sleeps::default();
        let r = block_on(execute(
            &plan("GET", None, 3),
            &t,
            &s,
            &Fixed,
            Coordination {
                budget: Some(budget),
                shared: None,
            },
            &mut |_| {},
        ));
        attempts += t.sent.borrow().len();
        match r {
            Ok(_) => ok += 1,
            Err(e) if e.retry_budget_exhausted => exhausted += 1,
            Err(_) => {}
        }
    }
    (attempts, ok, exhausted)
}

#[test]
fn a_dead_server_gets_at_most_1_3_attempts_per_call() {
    let b = RefCell::new(RetryBudget::new(BudgetSettings::default()));
    let calls = (0..500).map(|_| vec![Ok((503, vec![], "")); 4]).collect();
    // Each script holds 4 answers; a call that stops early leaves the rest unused.
    let (attempts, ok, exhausted) = simulate(calls, &b);
    assert_eq!(ok, 0);
    let per_call = attempts as f64 / 500.0;
    assert!(per_call <= 1.3, "{per_call} attempts per call");
    assert_eq!(
        attempts, 600,
        "500 first attempts + 100 retries (500 tokens / 5)"
    );
    assert!(exhausted > 450, "{exhausted}");
    assert!(b.borrow().tokens() < 5);
}

#[test]
fn a_ten_percent_blip_is_retried_in_full() {
    let b = RefCell::new(RetryBudget::new(BudgetSettings::default()));
    let calls = (0..500)
        .map(|i| {
            if i % 10 == 3 {
                vec![Ok((503, vec![], "")), Ok((200, vec![], "{}"))]
            } else {
                vec![Ok((200, vec![], "{}"))]
            }
        })
        .collect();
    let (attempts, ok, exhausted) = simulate(calls, &b);
    assert_eq!((ok, exhausted, attempts), (500, 0, 550));
    assert_eq!(b.borrow().tokens(), 500, "successes refill the bucket");
}

#[test]
fn a_timeout_blip_is_retried_in_full_too() {
    let b = RefCell::new(RetryBudget::new(BudgetSettings::default()));
    let calls = (0..500)
        .map(|i| {
            if i < 50 {
                vec![Err(TransportFailure::Timeout), Ok((200, vec![], "{}"))]
            } else {
                vec![Ok((200, vec![], "{}"))]
            }
        })
        .collect();
    let (attempts, ok, exhausted) = simulate(calls, &b);
    assert_eq!((ok, exhausted, attempts), (500, 0, 550));
}

// ---- one rate limit shared by every client of a key ----

use rimp_client::engine::SharedLimit;
use rimp_client::shared_limit::{Hold, channel_name, hold, learned_until};

/// A shared limit as another tab left it, recording what this call publishes.
#[derive(Default)]
struct Board {
    until: Cell<Option<u64>>,
    published: RefCell<Vec<u64>>,
}

impl SharedLimit for Board {
    fn paused_until(&self) -> Option<u64> {
        self.until.get()
    }
    fn publish(&self, until_ms: u64) {
        self.published.borrow_mut().push(until_ms);
        self.until
            .set(Some(self.until.get().map_or(until_ms, |u| u.max(until_ms))));
    }
}

/// A clock that the sleeper moves forward.
struct Moving(Rc<Cell<u64>>);
impl Clock for Moving {
    fn now_ms(&self) -> u64 {
        self.0.get()
    }
    fn jitter_unit(&self) -> f64 {
        0.0
    }
}
struct MovingSleeps(Rc<Cell<u64>>, RefCell<Vec<u64>>);
impl Sleeper for MovingSleeps {
    type Cause = &'static str;
    async fn sleep(&self, ms: u64) -> Result<(), Option<&'static str>> {
        self.1.borrow_mut().push(ms);
        self.0.set(self.0.get() + ms);
        Ok(())
    }
}

const T0: u64 = 1_795_564_800_000;

fn run_shared(
    p: &CallPlan,
    steps: Vec<Step>,
    board: &Board,
) -> (
    Result<rimp_client::engine::Success, rimp_client::Error<&'static str>>,
    usize,
    Vec<u64>,
    Vec<(u32, u64, DelaySource)>,
) {
    let now = Rc::new(Cell::new(T0));
    let t = Script::new(steps);
    let s = MovingSleeps(Rc::clone(&now), RefCell::new(Vec::new()));
    let mut events = Vec::new();
    let r = block_on(execute(
        p,
        &t,
        &s,
        &Moving(Rc::clone(&now)),
        Coordination {
            budget: None,
            shared: Some(board),
        },
        &mut |n| events.push((n.attempt, n.delay_ms, n.source)),
    ));
    let sent = t.sent.borrow().len();
    (r, sent, s.1.into_inner(), events)
}

#[test]
fn a_limit_learned_by_another_client_holds_the_first_attempt_until_it_ends() {
    let board = Board::default();
    board.until.set(Some(T0 + 3000));
    let (r, sent, waits, events) =
        run_shared(&plan("GET", None, 3), vec![Ok((200, vec![], "{}"))], &board);
    assert!(r.is_ok());
    assert_eq!(sent, 1);
    assert_eq!(
        waits,
        vec![3000],
        "held for the rest of the limit, then sent"
    );
    assert_eq!(events, vec![(0, 3000, DelaySource::SharedRateLimit)]);
}

#[test]
fn a_shared_limit_longer_than_max_retry_after_fails_fast_with_nothing_sent() {
    let board = Board::default();
    board.until.set(Some(T0 + 120_000));
    let (r, sent, waits, _) = run_shared(&plan("POST", Some("k1"), 3), vec![], &board);
    let e = r.unwrap_err();
    assert_eq!((sent, waits.len()), (0, 0));
    assert_eq!(e.kind, ErrorKind::RateLimit);
    assert_eq!(e.attempts, 0);
    assert_eq!(e.status, Some(429));
    assert_eq!(e.code.as_deref(), Some("rate_limited"));
    assert_eq!(e.retry_after_ms, Some(120_000));
    assert_eq!(e.idempotency_key.as_deref(), Some("k1"));
}

#[test]
fn a_429_with_retry_after_is_published_and_the_own_retry_waits_it_once() {
    let board = Board::default();
    let (r, sent, waits, events) = run_shared(
        &plan("GET", None, 3),
        vec![
            Ok((
                429,
                vec![("retry-after", "3")],
                r#"{"error":{"type":"rate_limited","code":"rate_limited"}}"#,
            )),
            Ok((200, vec![], "{}")),
        ],
        &board,
    );
    assert!(r.is_ok());
    assert_eq!(sent, 2);
    assert_eq!(*board.published.borrow(), vec![T0 + 3000]);
    assert_eq!(
        waits,
        vec![3000],
        "the retry's own wait ends the limit: no second hold"
    );
    assert_eq!(events, vec![(1, 3000, DelaySource::RetryAfter)]);
}

#[test]
fn answers_that_announce_an_empty_window_are_published() {
    // X-RateLimit-Remaining: 0 with a reset 30 s ahead (epoch seconds), on a success.
    let reset = ((T0 / 1000) + 30).to_string();
    let board = Board::default();
    let reset: &'static str = Box::leak(reset.into_boxed_str());
    let (r, ..) = run_shared(
        &plan("GET", None, 0),
        vec![Ok((
            200,
            vec![("x-ratelimit-remaining", "0"), ("x-ratelimit-reset", reset)],
            "{}",
        ))],
        &board,
    );
    assert!(r.is_ok());
    assert_eq!(*board.published.borrow(), vec![T0 + 30_000]);

    // The IETF field: `RateLimit: "default";r=0;t=12`.
    let board = Board::default();
    let _ = run_shared(
        &plan("GET", None, 0),
        vec![Ok((200, vec![("ratelimit", "\"default\";r=0;t=12")], "{}"))],
        &board,
    );
    assert_eq!(*board.published.borrow(), vec![T0 + 12_000]);

    // Remaining above 0, an anomaly pause, a quota: nothing is shared.
    for (status, hs, body) in [
        (200, vec![("ratelimit", "\"default\";r=5;t=12")], "{}"),
        (
            429,
            vec![("retry-after", "1800")],
            r#"{"error":{"type":"rate_limited","code":"anomaly_paused"}}"#,
        ),
        (
            429,
            vec![],
            r#"{"error":{"type":"quota_exceeded","code":"quota_exceeded"}}"#,
        ),
    ] {
        let board = Board::default();
        let _ = run_shared(&plan("GET", None, 0), vec![Ok((status, hs, body))], &board);
        assert!(board.published.borrow().is_empty(), "{status} {body}");
    }
}

#[test]
fn hold_decisions() {
    let cases = [
        (None, 60_000, None, Hold::Go),
        (Some(T0), 60_000, None, Hold::Go),
        (Some(T0 - 5), 60_000, None, Hold::Go),
        (Some(T0 + 1), 60_000, None, Hold::Wait(1)),
        (Some(T0 + 60_000), 60_000, None, Hold::Wait(60_000)),
        (Some(T0 + 60_001), 60_000, None, Hold::FailFast(60_001)),
        (
            Some(T0 + 5000),
            60_000,
            Some(T0 + 4000),
            Hold::FailFast(5000),
        ),
        (Some(T0 + 5000), 60_000, Some(T0 + 5000), Hold::Wait(5000)),
    ];
    for (until, max, deadline, want) in cases {
        assert_eq!(
            hold(until, T0, max, deadline),
            want,
            "{until:?} {max} {deadline:?}"
        );
    }
}

#[test]
fn channel_names_keep_keys_and_base_urls_apart_and_never_hold_the_key() {
    let a = channel_name("https://api.rimp.io", Some("sk_test_aaaaaaaa"));
    assert_eq!(
        a,
        channel_name("https://api.rimp.io", Some("sk_test_aaaaaaaa"))
    );
    assert_ne!(
        a,
        channel_name("https://api.rimp.io", Some("sk_test_bbbbbbbb"))
    );
    assert_ne!(
        a,
        channel_name("https://other.example", Some("sk_test_aaaaaaaa"))
    );
    assert_ne!(a, channel_name("https://api.rimp.io", None));
    assert!(!a.contains("sk_test"));
    assert!(
        a.starts_with("rimp-client:rate-limit:") && a.len() == "rimp-client:rate-limit:".len() + 16
    );
}

#[test]
fn learned_until_takes_the_later_of_a_429_wait_and_an_empty_window() {
    let mut h = ResponseHeaders::default();
    h.set("x-ratelimit-remaining", "0".to_owned());
    h.set("x-ratelimit-reset", ((T0 / 1000) + 10).to_string());
    let mut e = rimp_client::Error::<()>::new(ErrorKind::RateLimit, "slow");
    e.status = Some(429);
    e.code = Some("rate_limited".into());
    e.retry_after_ms = Some(3000);
    assert_eq!(learned_until(Some(&e), &h, T0), Some(T0 + 10_000));
    assert_eq!(
        learned_until::<()>(None, &ResponseHeaders::default(), T0),
        None
    );
}
