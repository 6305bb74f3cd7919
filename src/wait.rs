//! `waitFor`'s decisions: when a job is finished, how long to wait before the next poll, when
//! the wait's deadline ends it, and what counts as progress.
//!
//! The glue (`src/wasm/wait.rs`) polls and sleeps; after each poll it hands the answer to a
//! [`Poller`], which says what to do next. Just before sleeping it asks [`Poller::sleep_ms`]
//! how long, so the wait ends at a wall-clock time rather than a timer's length after a late
//! start. Time is an input (`now_ms`), never read here.

use crate::config;
use crate::error::{Error, ErrorKind};
use crate::fields::Fields;
use crate::headers::RateLimitInfo;
use crate::json::Json;
use crate::transport::MAX_TIMER_MS;

/// Default first interval between polls (`intervalMs`).
pub const DEFAULT_INTERVAL_MS: u64 = 1_000;
/// Default cap of the growing interval (`maxIntervalMs`).
pub const DEFAULT_MAX_INTERVAL_MS: u64 = 10_000;

/// What is being waited for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobKind {
    /// A generation (`GET /v1/generations/{id}`).
    Generation,
    /// A comparison (`GET /v1/comparisons/{id}`).
    Comparison,
}

impl JobKind {
    /// Whether `status` ends the wait. Generations end `succeeded`, `failed` or `canceled`;
    /// comparisons `succeeded`, `partial` or `failed` (as the API documents them). Anything else,
    /// including a status the docs do not list, is still in progress.
    pub fn is_terminal(self, status: &str) -> bool {
        match self {
            JobKind::Generation => matches!(status, "succeeded" | "failed" | "canceled"),
            JobKind::Comparison => matches!(status, "succeeded" | "partial" | "failed"),
        }
    }

    fn noun(self) -> &'static str {
        match self {
            JobKind::Generation => "generation",
            JobKind::Comparison => "comparison",
        }
    }
}

/// `waitFor`'s own options, validated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WaitSettings {
    /// The first interval (`intervalMs`).
    pub interval_ms: u64,
    /// The cap of the growing interval (`maxIntervalMs`, raised to `interval_ms` if lower).
    pub max_interval_ms: u64,
    /// The deadline of the whole wait, from its start (`timeoutMs`); `None`: no deadline.
    pub timeout_ms: Option<u64>,
}

impl Default for WaitSettings {
    fn default() -> Self {
        WaitSettings {
            interval_ms: DEFAULT_INTERVAL_MS,
            max_interval_ms: DEFAULT_MAX_INTERVAL_MS,
            timeout_ms: None,
        }
    }
}

impl WaitSettings {
    /// Validates the JS numbers (`None`: not set).
    ///
    /// # Errors
    /// `invalid_option` naming the option for a value that is not a whole number of
    /// milliseconds from 1 to 2^31−1.
    pub fn from_options<C>(
        interval_ms: Option<f64>,
        max_interval_ms: Option<f64>,
        timeout_ms: Option<f64>,
    ) -> Result<WaitSettings, Error<C>> {
        let ms = |name: &str, v: Option<f64>| v.map(|v| config::millis(name, v, 1)).transpose();
        let interval = ms("intervalMs", interval_ms)?.unwrap_or(DEFAULT_INTERVAL_MS);
        let max = ms("maxIntervalMs", max_interval_ms)?.unwrap_or(DEFAULT_MAX_INTERVAL_MS);
        Ok(WaitSettings {
            interval_ms: interval,
            max_interval_ms: max.max(interval),
            timeout_ms: ms("timeoutMs", timeout_ms)?,
        })
    }
}

/// The interval after `interval_ms`: ×1.5, rounded up, capped at `max_ms`.
pub fn grow(interval_ms: u64, max_ms: u64) -> u64 {
    interval_ms
        .saturating_mul(3)
        .div_ceil(2)
        .min(max_ms)
        .min(MAX_TIMER_MS)
}

/// What to do after a poll.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// The status is terminal: resolve with this answer.
    Done,
    /// Poll again after `delay_ms`.
    Poll {
        /// The wait.
        delay_ms: u64,
        /// The wait is the rate-limit reset, not the interval (`X-RateLimit-Remaining: 0`).
        paced: bool,
    },
    /// The next poll could only start at or after the deadline: wait for the deadline to pass
    /// and reject with a `TimeoutError`.
    Expire,
    /// The answer (a 2xx) carries no `status` string: it is not a job, so polling on would
    /// never end. Reject with [`Poller::no_status_error`].
    NoStatus,
}

/// The outcome of one poll.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    /// Call `onProgress`: the first poll, or the status changed (for a comparison, its own
    /// status or any child's).
    pub progressed: bool,
    /// What follows.
    pub next: Next,
}

/// The longest status text quoted in a timeout message.
const STATUS_QUOTE_MAX: usize = 64;

/// The state of one `waitFor` call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Poller {
    kind: JobKind,
    id: String,
    interval_ms: u64,
    max_interval_ms: u64,
    timeout_ms: Option<u64>,
    deadline_ms: Option<u64>,
    polls: u32,
    status: Option<String>,
    signature: Option<String>,
    wake_at_ms: Option<u64>,
}

impl Poller {
    /// A wait for job `id`, starting at `now_ms`.
    pub fn new(kind: JobKind, id: &str, settings: WaitSettings, now_ms: u64) -> Poller {
        Poller {
            kind,
            id: id.to_owned(),
            interval_ms: settings.interval_ms,
            max_interval_ms: settings.max_interval_ms,
            timeout_ms: settings.timeout_ms,
            deadline_ms: settings.timeout_ms.map(|t| now_ms.saturating_add(t)),
            polls: 0,
            status: None,
            signature: None,
            wake_at_ms: None,
        }
    }

    /// When the wait ends (epoch ms), if it has a deadline. Also the polls' `CallPlan`
    /// deadline, so no retry wait inside a poll crosses it.
    pub fn deadline_ms(&self) -> Option<u64> {
        self.deadline_ms
    }

    /// The `status` of the last answer.
    pub fn status(&self) -> Option<&str> {
        self.status.as_deref()
    }

    /// What is being waited for.
    pub fn kind(&self) -> JobKind {
        self.kind
    }

    /// Polls answered so far.
    pub fn polls(&self) -> u32 {
        self.polls
    }

    /// When the pending wait ends (epoch ms): the next poll's time after [`Next::Poll`], the
    /// deadline after [`Next::Expire`]; `None` before the first poll and after `Done` or
    /// `NoStatus`.
    pub fn wake_at_ms(&self) -> Option<u64> {
        self.wake_at_ms
    }

    /// How long to sleep, from `now_ms`, until the pending wait ends: called just before the
    /// timer starts. The wait is kept against the wall clock: time lost between the poll's
    /// answer and the timer (a throttled background tab running the continuation late, a slow
    /// `onProgress`) is not waited a second time; 0 when the time has already passed or no
    /// wait is pending.
    pub fn sleep_ms(&self, now_ms: u64) -> u64 {
        self.wake_at_ms
            .map_or(0, |at| at.saturating_sub(now_ms).min(MAX_TIMER_MS))
    }

    /// Reads a poll's answer (`body`, its `X-RateLimit-*` headers) at `now_ms` and decides.
    ///
    /// The next poll waits the current interval (then ×1.5 up to the cap), except when the
    /// answer says `X-RateLimit-Remaining: 0`: then it waits until `X-RateLimit-Reset` if that
    /// is later, so the poll does not earn a 429. A wait that would end at or after the
    /// deadline is [`Next::Expire`].
    pub fn after_poll(
        &mut self,
        body: &str,
        rate_limit: Option<RateLimitInfo>,
        now_ms: u64,
    ) -> Step {
        let (status, signature) = observe(self.kind, body);
        self.after_observation(status, signature, rate_limit, now_ms)
    }

    /// As [`Poller::after_poll`], for an answer already read: its `status` and its progress
    /// signature (see [`observe`]). The glue reads both from the object `JSON.parse` made, so
    /// the decision follows exactly what the caller will see.
    pub fn after_observation(
        &mut self,
        status: Option<String>,
        signature: String,
        rate_limit: Option<RateLimitInfo>,
        now_ms: u64,
    ) -> Step {
        self.polls = self.polls.saturating_add(1);
        self.wake_at_ms = None;
        if status.is_none() {
            self.status = None;
            return Step {
                progressed: false,
                next: Next::NoStatus,
            };
        }
        let progressed = self.polls == 1 || self.signature.as_deref() != Some(signature.as_str());
        self.signature = Some(signature);
        self.status = status;
        if self
            .status
            .as_deref()
            .is_some_and(|s| self.kind.is_terminal(s))
        {
            return Step {
                progressed,
                next: Next::Done,
            };
        }
        let interval = self.interval_ms;
        self.interval_ms = grow(interval, self.max_interval_ms);
        let reset_wait = rate_limit
            .filter(|rl| rl.remaining == Some(0))
            .and_then(|rl| rl.until_reset_ms(now_ms))
            .filter(|w| *w > interval);
        let (delay_ms, paced) = match reset_wait {
            Some(w) => (w, true),
            None => (interval, false),
        };
        let next = match self.deadline_ms {
            Some(d) if now_ms.saturating_add(delay_ms) >= d => {
                self.wake_at_ms = Some(d);
                Next::Expire
            }
            _ => {
                self.wake_at_ms = Some(now_ms.saturating_add(delay_ms));
                Next::Poll { delay_ms, paced }
            }
        };
        Step { progressed, next }
    }

    /// The `APIError` for a 2xx answer with no `status` (an HTML page from a proxy, say):
    /// `http_status`, the body's first 2 KiB as `rawBody`, and the request id.
    pub fn no_status_error<C>(
        &self,
        http_status: u16,
        body: &str,
        request_id: Option<String>,
    ) -> Error<C> {
        let mut msg = String::from("waitFor: the answer for ");
        msg.push_str(self.kind.noun());
        msg.push(' ');
        msg.push_str(&self.id);
        msg.push_str(" has no \"status\": it is not a ");
        msg.push_str(self.kind.noun());
        msg.push_str(" object");
        let mut e = Error::new(ErrorKind::Api, msg);
        // The code of every 2xx answer that is not what the API documents (see
        // `crate::resources::check_answer`).
        e.code = Some("invalid_response".into());
        e.status = Some(http_status);
        e.raw_body =
            Some(crate::envelope::truncate(body, crate::envelope::RAW_BODY_LIMIT).to_owned());
        e.request_id = request_id;
        e.attempts = self.polls;
        e
    }

    /// The `TimeoutError` for a wait whose deadline passed, with the last status.
    pub fn timeout_error<C>(&self) -> Error<C> {
        let mut msg = String::from("waitFor: the wait for ");
        msg.push_str(self.kind.noun());
        msg.push(' ');
        msg.push_str(&self.id);
        msg.push_str(" passed its deadline (timeoutMs ");
        msg.push_str(&self.timeout_ms.unwrap_or_default().to_string());
        msg.push_str(" ms) ");
        match (&self.status, self.polls) {
            (_, 0) => msg.push_str("before any poll answered"),
            (Some(s), _) => {
                msg.push_str("with status \"");
                msg.extend(s.chars().take(STATUS_QUOTE_MAX));
                msg.push('"');
            }
            (None, _) => msg.push_str("with no status in the last answer"),
        }
        let mut e = Error::new(ErrorKind::Timeout, msg);
        // The job goes on: a later wait can still see it finish.
        e.retryable = true;
        e.attempts = self.polls;
        e
    }
}

/// The `status` of an answer, and its progress signature: the status, and for a comparison
/// each child's status too (a child finishing is progress even while the comparison runs).
pub fn observe(kind: JobKind, body: &str) -> (Option<String>, String) {
    match Json::parse(body) {
        Some(json) => observe_fields(kind, &&json),
        None => (None, String::new()),
    }
}

/// As [`observe`], for an answer already parsed (the glue passes the object `JSON.parse`
/// made, the very one the caller receives).
pub fn observe_fields<F: Fields>(kind: JobKind, root: &F) -> (Option<String>, String) {
    let status_of = |v: &F| {
        v.member("status")
            .filter(F::is_string)
            .and_then(|s| s.text())
    };
    let status = status_of(root);
    let mut signature = status.clone().unwrap_or_default();
    if kind == JobKind::Comparison {
        if let Some(children) = root.member("generations").and_then(|g| g.elements()) {
            for child in &children {
                signature.push('|');
                signature.push_str(&status_of(child).unwrap_or_default());
            }
        }
    }
    (status, signature)
}
