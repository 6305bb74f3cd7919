//! One rate limit shared by every client of a key: what a client learns from an answer ("this
//! key is limited until T"), whether a new attempt must wait for a limit another client learned,
//! and the name under which clients of the same base URL and key meet.
//!
//! A key's limit belongs to the key, not to one tab: when any client of it is told to slow
//! down, the others (other tabs, workers) hold their attempts until then instead of each
//! earning its own 429. The glue carries the time between clients (a `BroadcastChannel`, plus
//! storage for clients created later); every decision is here.

use crate::error::{Error, ErrorKind};
use crate::headers::ResponseHeaders;

/// The name clients of `base_url` and `api_key` share: a hash of both, never the key. Clients
/// of another base URL or key get another name, so they never hold each other.
pub fn channel_name(base_url: &str, api_key: Option<&str>) -> String {
    // FNV-1a, 64-bit: not a secret-keeping hash, but the name is only visible to code of the
    // same origin, which could read the key itself; it only has to keep keys apart.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let bytes = base_url
        .bytes()
        .chain(std::iter::once(b'\n'))
        .chain(api_key.unwrap_or_default().bytes());
    for b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    let mut name = String::from("rimp-client:rate-limit:");
    for shift in (0..16).rev() {
        let nibble = (h >> (shift * 4)) & 0xf;
        name.push(char::from(
            b"0123456789abcdef"
                .get(nibble as usize)
                .copied()
                .unwrap_or(b'0'),
        ));
    }
    name
}

/// When an answer says the key is limited until a time (epoch ms), observed at `now_ms`:
/// a `429` `rate_limited` with a server-requested wait (`Retry-After`, else `X-RateLimit-Reset`),
/// or any answer with `X-RateLimit-Remaining: 0` (or the IETF `RateLimit` field's `r=0`) and a
/// reset still ahead. An anomaly pause or a monthly quota is the account's state, not a
/// window, and is not shared.
pub fn learned_until<C>(
    error: Option<&Error<C>>,
    headers: &ResponseHeaders,
    now_ms: u64,
) -> Option<u64> {
    let from_429 = error.and_then(|e| {
        let limited = e.kind == ErrorKind::RateLimit
            && e.status == Some(429)
            && e.code.as_deref() != Some("anomaly_paused");
        if limited {
            e.retry_after_ms.map(|ms| now_ms.saturating_add(ms))
        } else {
            None
        }
    });
    let from_window = headers
        .rate_limit_at(now_ms)
        .filter(|rl| rl.remaining == Some(0))
        .and_then(|rl| rl.reset_at_ms)
        .filter(|reset| *reset > now_ms);
    match (from_429, from_window) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

/// What an attempt does about a limit learned by any client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hold {
    /// No limit in force: send.
    Go,
    /// Wait this long, then check again.
    Wait(u64),
    /// The limit lasts longer than the call may wait (`maxRetryAfterMs`, or past its
    /// deadline): fail at once, sending nothing, with this wait in `retryAfterMs`.
    FailFast(u64),
}

/// Whether an attempt at `now_ms` may go, given the key is limited until `paused_until`.
pub fn hold(
    paused_until: Option<u64>,
    now_ms: u64,
    max_retry_after_ms: u64,
    deadline_ms: Option<u64>,
) -> Hold {
    let Some(until) = paused_until.filter(|u| *u > now_ms) else {
        return Hold::Go;
    };
    let wait = until - now_ms;
    if wait > max_retry_after_ms || deadline_ms.is_some_and(|d| until > d) {
        Hold::FailFast(wait)
    } else {
        Hold::Wait(wait)
    }
}

/// The error of a held attempt: a `RateLimitError` (status 429, code `rate_limited`) that says
/// nothing was sent. It is what `onRetry` reports before the wait, and what the call fails
/// with when the wait is too long.
pub fn held_error<C>(wait_ms: u64, too_long: bool) -> Error<C> {
    let mut msg = String::from(
        "this API key is rate-limited (another client of the same key, e.g. another tab, was told so) for another ",
    );
    msg.push_str(&wait_ms.to_string());
    msg.push_str(" ms; ");
    msg.push_str(if too_long {
        "that is longer than maxRetryAfterMs (or the call's deadline), so the call fails at once with nothing sent"
    } else {
        "the attempt waits until then instead of earning its own 429"
    });
    let mut e = Error::new(ErrorKind::RateLimit, msg);
    e.status = Some(429);
    e.error_type = Some("rate_limited".into());
    e.code = Some("rate_limited".into());
    e.retry_after_ms = Some(wait_ms);
    e.retryable = true;
    e
}
