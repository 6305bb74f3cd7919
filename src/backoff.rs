//! The client's exponential backoff with jitter, as a pure function of its inputs.

use crate::transport::MAX_TIMER_MS;

/// The wait after failed attempt `attempt` (0-based), in milliseconds:
/// `min(cap_ms, base_ms · 2^attempt + U[0, base_ms/2))`, the errors page's formula scaled by
/// `base_ms` (1 s, 2 s, 4 s … plus up to half a step of jitter).
///
/// `jitter_unit` is a uniform sample in [0, 1) supplied by the caller; values outside that
/// range (or NaN) are clamped into it. The arithmetic saturates and the result never exceeds
/// [`MAX_TIMER_MS`].
pub fn backoff_ms(attempt: u32, base_ms: u64, cap_ms: u64, jitter_unit: f64) -> u64 {
    let exp = if attempt >= 63 {
        u64::MAX
    } else {
        base_ms.saturating_mul(1u64 << attempt)
    };
    let half = base_ms / 2;
    let unit = if jitter_unit.is_nan() {
        0.0
    } else {
        jitter_unit.clamp(0.0, 1.0)
    };
    // `as` from a finite non-negative f64 truncates toward zero, which keeps the jitter in
    // [0, half) for unit < 1; `min` handles unit == 1.
    let jitter = ((unit * half as f64) as u64).min(half.saturating_sub(1));
    exp.saturating_add(jitter).min(cap_ms).min(MAX_TIMER_MS)
}
