//! The retry decision: given a failed attempt, retry after how long, or stop.

use crate::backoff::backoff_ms;
use crate::error::{DelaySource, Error, ErrorKind};

/// The retry settings in force for one call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetrySettings {
    /// Retries after the first attempt (`maxRetries`).
    pub max_retries: u32,
    /// First backoff step (`retryDelayMs`).
    pub retry_delay_ms: u64,
    /// Backoff cap (`maxRetryDelayMs`).
    pub max_retry_delay_ms: u64,
    /// Longest server-requested wait that is slept (`maxRetryAfterMs`).
    pub max_retry_after_ms: u64,
}

/// What a call knows about its own request when deciding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestTraits {
    /// GET, HEAD, OPTIONS, PUT or DELETE: sending it twice has the effect of sending it once.
    pub idempotent_method: bool,
    /// The request carries an `Idempotency-Key`, so the server deduplicates it.
    pub has_idempotency_key: bool,
}

impl RequestTraits {
    /// Traits for `method` (upper-case) with or without a key.
    pub fn new(method: &str, has_idempotency_key: bool) -> Self {
        RequestTraits {
            idempotent_method: matches!(method, "GET" | "HEAD" | "OPTIONS" | "PUT" | "DELETE"),
            has_idempotency_key,
        }
    }

    /// Whether an attempt whose outcome is unknown (no answer) may be sent again.
    pub fn replay_safe(self) -> bool {
        self.idempotent_method || self.has_idempotency_key
    }
}

/// Why a failed attempt is not retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopReason {
    /// The failure is not retried automatically (a 4xx other than 429, an `anomaly_paused`
    /// 429, an abort).
    NotRetryable,
    /// The request may have been processed and cannot be replayed safely.
    NotReplaySafe,
    /// `maxRetries` retries were already made.
    RetriesExhausted,
    /// The server asked for a wait longer than `maxRetryAfterMs`: fail fast.
    WaitTooLong,
    /// The wait would end after the call's deadline.
    PastDeadline,
}

/// The outcome of [`decide`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Wait `delay_ms`, then send again.
    Retry {
        /// The wait.
        delay_ms: u64,
        /// Where the wait came from.
        source: DelaySource,
    },
    /// Report the error.
    Stop(StopReason),
}

/// Decides what follows failed attempt `attempt` (0-based).
///
/// `deadline_ms` is an absolute time (same clock as `now_ms`) that a retry's wait must end
/// before; `jitter_unit` is a uniform sample in [0, 1).
pub fn decide<C>(
    error: &Error<C>,
    attempt: u32,
    traits: RequestTraits,
    settings: &RetrySettings,
    now_ms: u64,
    deadline_ms: Option<u64>,
    jitter_unit: f64,
) -> Decision {
    let backoff = || Decision::Retry {
        delay_ms: backoff_ms(
            attempt,
            settings.retry_delay_ms,
            settings.max_retry_delay_ms,
            jitter_unit,
        ),
        source: DelaySource::Backoff,
    };
    let proposal = match error.kind {
        ErrorKind::Connection | ErrorKind::Timeout => {
            if !traits.replay_safe() {
                return Decision::Stop(StopReason::NotReplaySafe);
            }
            backoff()
        }
        _ if matches!(error.status, Some(500 | 502 | 503 | 504)) => backoff(),
        ErrorKind::RateLimit
            if error.status == Some(429) && error.code.as_deref() != Some("anomaly_paused") =>
        {
            match (error.retry_after_ms, error.retry_after_source) {
                (Some(ms), _) if ms > settings.max_retry_after_ms => {
                    return Decision::Stop(StopReason::WaitTooLong);
                }
                (Some(ms), Some(source)) => Decision::Retry {
                    delay_ms: ms,
                    source,
                },
                // A hint hidden by CORS or unparseable: degrade to backoff.
                _ => backoff(),
            }
        }
        _ => return Decision::Stop(StopReason::NotRetryable),
    };
    if attempt >= settings.max_retries {
        return Decision::Stop(StopReason::RetriesExhausted);
    }
    if let (Decision::Retry { delay_ms, .. }, Some(deadline)) = (proposal, deadline_ms) {
        if now_ms.saturating_add(delay_ms) >= deadline {
            return Decision::Stop(StopReason::PastDeadline);
        }
    }
    proposal
}
