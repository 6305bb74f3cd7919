//! The request loop: send → classify → decide → wait → send again.
//!
//! Pure and generic over [`Transport`], [`Sleeper`] and [`Clock`], so the very loop that runs
//! in the browser is tested natively against scripted fakes.

use crate::envelope::classify;
use crate::error::{DelaySource, Error, ErrorKind};
use crate::policy::{Decision, RequestTraits, RetrySettings, decide};
use crate::transport::{
    BodyText, Clock, RequestSpec, ResponseParts, Sleeper, Transport, TransportError,
    TransportFailure,
};

/// Everything one call needs, resolved before its first attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallPlan {
    /// The request, sent unchanged on every attempt.
    pub request: RequestSpec,
    /// Retry settings for this call.
    pub retry: RetrySettings,
    /// The key in `request.headers`, if any (reported on the result and on errors).
    pub idempotency_key: Option<String>,
    /// An absolute time no retry wait may reach (used by `waitFor`).
    pub deadline_ms: Option<u64>,
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

/// Runs one call to completion.
///
/// # Errors
/// The last attempt's error once no retry is allowed, or an `Abort` error as soon as the
/// caller aborts. Every error carries `attempts` and the idempotency key.
pub async fn execute<C, T, S, K>(
    plan: &CallPlan,
    transport: &T,
    sleeper: &S,
    clock: &K,
    on_retry: &mut dyn FnMut(RetryNotice<'_, C>),
) -> Result<Success<T::Body>, Error<C>>
where
    T: Transport<Cause = C>,
    S: Sleeper<Cause = C>,
    K: Clock,
{
    let traits = RequestTraits::new(&plan.request.method, plan.idempotency_key.is_some());
    let mut attempt: u32 = 0;
    loop {
        attempt = attempt.saturating_add(1);
        let mut error = match transport.send(&plan.request).await {
            Ok(response) if (200..300).contains(&response.status) => {
                return Ok(Success {
                    response,
                    attempts: attempt,
                    idempotency_key: plan.idempotency_key.clone(),
                });
            }
            Ok(response) => classify(
                response.status,
                &response.headers,
                response.body.text(),
                clock.now_ms(),
            ),
            Err(e) => transport_error(e, plan.request.timeout_ms),
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
            clock.now_ms(),
            plan.deadline_ms,
            clock.jitter_unit(),
        );
        let Decision::Retry { delay_ms, source } = decision else {
            return Err(error);
        };
        on_retry(RetryNotice {
            attempt,
            delay_ms,
            source,
            error: &error,
        });
        if let Err(reason) = sleeper.sleep(delay_ms).await {
            let mut e = aborted(reason);
            e.attempts = attempt;
            e.idempotency_key.clone_from(&plan.idempotency_key);
            return Err(e);
        }
    }
}
