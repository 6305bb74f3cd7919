//! The request loop: send → classify → decide → wait → send again.
//!
//! Pure and generic over [`Transport`], [`Sleeper`] and [`Clock`], so the very loop that runs
//! in the browser is tested natively against scripted fakes.

use std::cell::RefCell;

use crate::budget::RetryBudget;
use crate::envelope::classify_read;
use crate::error::{DelaySource, Error, ErrorKind};
use crate::policy::{Decision, RequestTraits, RetrySettings, decide};
use crate::shared_limit::{Hold, held_error, hold, learned_until};
use crate::transport::{
    BodyText, Clock, RequestSpec, ResponseParts, Sleeper, Transport, TransportError,
    TransportFailure,
};

/// Everything one call needs, resolved before its first attempt. `B` is the request body's
/// type (see [`RequestSpec`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallPlan<B = String> {
    /// The request, sent unchanged on every attempt.
    pub request: RequestSpec<B>,
    /// Retry settings for this call.
    pub retry: RetrySettings,
    /// The key in `request.headers`, if any (reported on the result and on errors).
    pub idempotency_key: Option<String>,
    /// An absolute time no retry wait may reach (used by `waitFor`).
    pub deadline_ms: Option<u64>,
}

/// What one client shares with the others (another tab, a worker) about a key's rate limit:
/// the glue carries it between clients; the loop decides (`crate::shared_limit`).
pub trait SharedLimit {
    /// Until when (epoch ms) any client of the key learned it is limited, if it did.
    fn paused_until(&self) -> Option<u64>;
    /// Tells every client of the key that it is limited until `until_ms`.
    fn publish(&self, until_ms: u64);
}

/// What a call shares with the other calls and clients: the retry budget of its base URL, and
/// the rate limit of its key.
#[derive(Clone, Copy, Default)]
pub struct Coordination<'a> {
    /// The retry budget (`None`: `retryBudget: false`).
    pub budget: Option<&'a RefCell<RetryBudget>>,
    /// The shared rate limit (`None`: `shareRateLimit: false`).
    pub shared: Option<&'a dyn SharedLimit>,
}

/// A 2xx answer and how it was reached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Success<B = String> {
    /// The answer.
    pub response: ResponseParts<B>,
    /// Attempts made, 1-based.
    pub attempts: u32,
    /// The key sent, if any.
    pub idempotency_key: Option<String>,
}

/// What `onRetry` is told before each wait.
#[derive(Debug)]
pub struct RetryNotice<'a, C> {
    /// The attempt that failed, 1-based.
    pub attempt: u32,
    /// The wait before the next attempt.
    pub delay_ms: u64,
    /// Where the wait came from.
    pub source: DelaySource,
    /// The failure.
    pub error: &'a Error<C>,
}

/// The error for an attempt that got no answer.
pub fn transport_error<C>(e: TransportError<C>, timeout_ms: u64) -> Error<C> {
    let mut err = match e.failure {
        TransportFailure::Network => {
            let mut msg = String::from("network error");
            if !e.detail.is_empty() {
                msg.push_str(" (");
                msg.push_str(&e.detail);
                msg.push(')');
            }
            msg.push_str(
                ": the network is down, the server is unreachable, or a CORS policy blocked the request",
            );
            Error::new(ErrorKind::Connection, msg)
        }
        TransportFailure::Timeout => Error::new(
            ErrorKind::Timeout,
            String::from("the attempt timed out after ")
                + &timeout_ms.to_string()
                + " ms with no complete answer",
        ),
        TransportFailure::Aborted => Error::new(ErrorKind::Abort, "the call was aborted"),
        TransportFailure::NotAResponse => {
            let mut err = Error::new(
                ErrorKind::Client,
                String::from("the fetch function resolved to ")
                    + &e.detail
                    + ", not a Response: a custom fetch must resolve to a Response (or an object with status, headers.get() and text())",
            );
            err.code = Some("invalid_fetch_response".into());
            err
        }
    };
    err.retryable = matches!(
        e.failure,
        TransportFailure::Network | TransportFailure::Timeout
    );
    err.cause = e.cause;
    err
}

/// The error for a caller abort during a wait.
pub fn aborted<C>(reason: Option<C>) -> Error<C> {
    let mut e = Error::new(ErrorKind::Abort, "the call was aborted");
    e.cause = reason;
    e
}

/// What the message of an error that the retry budget stopped ends with.
pub const BUDGET_EXHAUSTED_SUFFIX: &str = " (not retried: the retry budget is exhausted)";

/// Runs one call to completion.
///
/// Before each retry the call takes its cost from `coord.budget` (the shared
/// [`RetryBudget`] of its base URL; `None`: unlimited), the timeout cost when the attempt timed
/// out; a 2xx answer refunds it. The first attempt is never charged. When the budget refuses,
/// the failure is returned at once with `retry_budget_exhausted` set.
///
/// Before each attempt the call checks `coord.shared`, the rate limit its key's other clients
/// learned: it holds the attempt until the limit ends (told to `on_retry` with
/// [`DelaySource::SharedRateLimit`]), or fails at once with nothing sent when that is longer
/// than `maxRetryAfterMs` or the deadline. Every answer that says the key is limited until a
/// time is published there (see [`crate::shared_limit::learned_until`]).
///
/// A retry's wait is kept against the wall clock: it ends `delay_ms` after the failure was
/// observed, so time lost before the timer started (a throttled background tab running the
/// continuation late, a slow `onRetry`) is not waited a second time.
///
/// # Errors
/// The last attempt's error once no retry is allowed, or an `Abort` error as soon as the
/// caller aborts. Every error carries `attempts` and the idempotency key.
pub async fn execute<C, B, T, S, K>(
    plan: &CallPlan<B>,
    transport: &T,
    sleeper: &S,
    clock: &K,
    coord: Coordination<'_>,
    on_retry: &mut dyn FnMut(RetryNotice<'_, C>),
) -> Result<Success<T::Body>, Error<C>>
where
    T: Transport<Cause = C, ReqBody = B>,
    S: Sleeper<Cause = C>,
    K: Clock,
{
    let traits = RequestTraits::new(&plan.request.method, plan.idempotency_key.is_some());
    let budget = coord.budget;
    let mut attempt: u32 = 0;
    loop {
        if let Some(shared) = coord.shared {
            // A limit another client of the key learned holds this attempt (checked again
            // after the wait: the limit may have been extended meanwhile).
            match hold(
                shared.paused_until(),
                clock.now_ms(),
                plan.retry.max_retry_after_ms,
                plan.deadline_ms,
            ) {
                Hold::Go => {}
                Hold::FailFast(wait_ms) => {
                    let mut e = held_error(wait_ms, true);
                    e.attempts = attempt;
                    e.idempotency_key.clone_from(&plan.idempotency_key);
                    return Err(e);
                }
                Hold::Wait(wait_ms) => {
                    let mut e = held_error(wait_ms, false);
                    e.attempts = attempt;
                    e.idempotency_key.clone_from(&plan.idempotency_key);
                    on_retry(RetryNotice {
                        attempt,
                        delay_ms: wait_ms,
                        source: DelaySource::SharedRateLimit,
                        error: &e,
                    });
                    if let Err(reason) = sleeper.sleep(wait_ms).await {
                        let mut a = aborted(reason);
                        a.attempts = attempt;
                        a.idempotency_key.clone_from(&plan.idempotency_key);
                        return Err(a);
                    }
                    continue;
                }
            }
        }
        attempt = attempt.saturating_add(1);
        let outcome = transport.send(&plan.request).await;
        let observed_ms = clock.now_ms();
        let mut timed_out = false;
        let mut error = match outcome {
            Ok(response) if (200..300).contains(&response.status) => {
                if let Some(b) = budget {
                    b.borrow_mut().on_success();
                }
                if let Some(shared) = coord.shared {
                    if let Some(until) = learned_until::<C>(None, &response.headers, observed_ms) {
                        shared.publish(until);
                    }
                }
                return Ok(Success {
                    response,
                    attempts: attempt,
                    idempotency_key: plan.idempotency_key.clone(),
                });
            }
            Ok(response) => {
                let envelope = response.body.envelope();
                // The text is only read (for `rawBody`) when there is no envelope.
                let text = if envelope.is_none() {
                    response.body.text()
                } else {
                    ""
                };
                let e = classify_read(
                    response.status,
                    &response.headers,
                    envelope,
                    text,
                    observed_ms,
                );
                if let Some(shared) = coord.shared {
                    if let Some(until) = learned_until(Some(&e), &response.headers, observed_ms) {
                        shared.publish(until);
                    }
                }
                e
            }
            Err(e) => {
                timed_out = e.failure == TransportFailure::Timeout;
                transport_error(e, plan.request.timeout_ms)
            }
        };
        error.attempts = attempt;
        error.idempotency_key.clone_from(&plan.idempotency_key);
        if error.kind == ErrorKind::Abort {
            return Err(error);
        }

        let decision = decide(
            &error,
            attempt - 1,
            traits,
            &plan.retry,
            observed_ms,
            plan.deadline_ms,
            clock.jitter_unit(),
        );
        let Decision::Retry { delay_ms, source } = decision else {
            return Err(error);
        };
        if let Some(b) = budget {
            if !b.borrow_mut().try_spend(timed_out) {
                error.retry_budget_exhausted = true;
                error.message.push_str(BUDGET_EXHAUSTED_SUFFIX);
                return Err(error);
            }
        }
        on_retry(RetryNotice {
            attempt,
            delay_ms,
            source,
            error: &error,
        });
        let target_ms = observed_ms.saturating_add(delay_ms);
        let remaining_ms = target_ms.saturating_sub(clock.now_ms());
        if let Err(reason) = sleeper.sleep(remaining_ms).await {
            let mut e = aborted(reason);
            e.attempts = attempt;
            e.idempotency_key.clone_from(&plan.idempotency_key);
            return Err(e);
        }
    }
}
