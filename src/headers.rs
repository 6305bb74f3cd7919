//! Parsing of the response headers the client acts on: `Retry-After` and `X-RateLimit-*`.
//!
//! All functions take the current time as an argument and never read a clock.

use crate::transport::MAX_TIMER_MS;

/// The response headers the client reads, as the glue found them (`None` when absent or,
/// cross-origin, not exposed by `Access-Control-Expose-Headers`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResponseHeaders {
    /// `X-Request-Id`
    pub request_id: Option<String>,
    /// `Retry-After`
    pub retry_after: Option<String>,
    /// `X-RateLimit-Limit`
    pub rate_limit_limit: Option<String>,
    /// `X-RateLimit-Remaining`
    pub rate_limit_remaining: Option<String>,
    /// `X-RateLimit-Reset` (epoch seconds)
    pub rate_limit_reset: Option<String>,
    /// `Idempotent-Replayed`
    pub idempotent_replayed: Option<String>,
    /// `RateLimit` (the IETF draft's field: `"default";r=0;t=30`, or the older
    /// `limit=100, remaining=0, reset=30`)
    pub ratelimit: Option<String>,
    /// `RateLimit-Policy` (the IETF draft's field: `"default";q=100;w=60`)
    pub ratelimit_policy: Option<String>,
}

impl ResponseHeaders {
    /// The header names, lower-case, in field order, for the glue to read.
    pub const NAMES: [&'static str; 8] = [
        "x-request-id",
        "retry-after",
        "x-ratelimit-limit",
        "x-ratelimit-remaining",
        "x-ratelimit-reset",
        "idempotent-replayed",
        "ratelimit",
        "ratelimit-policy",
    ];

    /// Stores the value of one of [`ResponseHeaders::NAMES`] (other names are ignored).
    pub fn set(&mut self, name: &str, value: String) {
        let slot = match name {
            "x-request-id" => &mut self.request_id,
            "retry-after" => &mut self.retry_after,
            "x-ratelimit-limit" => &mut self.rate_limit_limit,
            "x-ratelimit-remaining" => &mut self.rate_limit_remaining,
            "x-ratelimit-reset" => &mut self.rate_limit_reset,
            "idempotent-replayed" => &mut self.idempotent_replayed,
            "ratelimit" => &mut self.ratelimit,
            "ratelimit-policy" => &mut self.ratelimit_policy,
            _ => return,
        };
        *slot = Some(value);
    }

    /// `Idempotent-Replayed: true` (case-insensitive, surrounding space ignored). A repeated
    /// header, which `fetch` joins as `true, true`, is read by its first element.
    pub fn replayed(&self) -> bool {
        let is_true = |v: &str| v.trim().eq_ignore_ascii_case("true");
        self.idempotent_replayed
            .as_deref()
            .is_some_and(|v| is_true(v) || first_element(v).is_some_and(is_true))
    }

    /// The request id, trimmed; `None` when absent or blank.
    pub fn request_id(&self) -> Option<String> {
        non_blank(self.request_id.as_deref())
    }

    /// The parsed `X-RateLimit-*` headers; `None` when none of the three is readable.
    pub fn rate_limit(&self) -> Option<RateLimitInfo> {
        let info = RateLimitInfo {
            limit: self
                .rate_limit_limit
                .as_deref()
                .and_then(parse_repeated_uint),
            remaining: self
                .rate_limit_remaining
                .as_deref()
                .and_then(parse_repeated_uint),
            reset_at_ms: self
                .rate_limit_reset
                .as_deref()
                .and_then(parse_repeated_uint)
                .map(|s| s.saturating_mul(1000)),
        };
        (info.limit.is_some() || info.remaining.is_some() || info.reset_at_ms.is_some())
            .then_some(info)
    }

    /// The rate-limit state at `now_ms`: the `X-RateLimit-*` headers, with any field they lack
    /// taken from the IETF `RateLimit` / `RateLimit-Policy` fields (`r` remaining, `t` seconds
    /// to the reset, `q` the quota), when a server sends those.
    pub fn rate_limit_at(&self, now_ms: u64) -> Option<RateLimitInfo> {
        let x = self.rate_limit();
        let field = self.ratelimit.as_deref();
        let policy = self.ratelimit_policy.as_deref();
        let ietf = RateLimitInfo {
            limit: policy
                .and_then(|p| sf_param(p, &["q"]))
                .or_else(|| field.and_then(|f| sf_param(f, &["limit", "l"]))),
            remaining: field.and_then(|f| sf_param(f, &["r", "remaining"])),
            reset_at_ms: field
                .and_then(|f| sf_param(f, &["t", "reset"]))
                .map(|s| now_ms.saturating_add(s.saturating_mul(1000))),
        };
        let merged = RateLimitInfo {
            limit: x.and_then(|i| i.limit).or(ietf.limit),
            remaining: x.and_then(|i| i.remaining).or(ietf.remaining),
            reset_at_ms: x.and_then(|i| i.reset_at_ms).or(ietf.reset_at_ms),
        };
        (merged.limit.is_some() || merged.remaining.is_some() || merged.reset_at_ms.is_some())
            .then_some(merged)
    }
}

/// The first parameter named one of `names` with a whole-number value, in a structured-field
/// item or list (`"default";r=0;t=30`) or an older dictionary (`limit=100, remaining=0`).
fn sf_param(value: &str, names: &[&str]) -> Option<u64> {
    value.split([';', ',']).find_map(|part| {
        let (k, v) = part.trim().split_once('=')?;
        if names.contains(&k.trim()) {
            parse_uint(v.trim())
        } else {
            None
        }
    })
}

pub(crate) fn non_blank(v: Option<&str>) -> Option<String> {
    let v = v?.trim();
    (!v.is_empty()).then(|| v.to_owned())
}

/// The `X-RateLimit-*` state of a response (`RateLimitInfo` in JS).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimitInfo {
    /// Requests allowed per window.
    pub limit: Option<u64>,
    /// Requests left in the current window.
    pub remaining: Option<u64>,
    /// When the window resets, epoch milliseconds (the header is epoch **seconds**).
    pub reset_at_ms: Option<u64>,
}

impl RateLimitInfo {
    /// Milliseconds from `now_ms` until the reset, when it is in the future.
    pub fn until_reset_ms(&self, now_ms: u64) -> Option<u64> {
        let reset = self.reset_at_ms?;
        (reset > now_ms).then(|| (reset - now_ms).min(MAX_TIMER_MS))
    }
}

/// The text before the first comma, when `value` holds one.
///
/// `fetch`'s `Headers.get` joins the values of a repeated header with `", "`, so a server (or
/// a proxy) that sends `Retry-After` twice is read as `1, 1`. When a whole value does not
/// parse, its parsers fall back to this first element.
pub fn first_element(value: &str) -> Option<&str> {
    value.split_once(',').map(|(first, _)| first)
}

/// The text before the second comma, when `value` holds two: the first element of a repeated
/// HTTP-date, which itself contains a comma (`Sun, 06 Nov 1994 08:49:37 GMT, Sun, …`).
pub fn first_two_elements(value: &str) -> Option<&str> {
    let (first, rest) = value.split_once(',')?;
    let (second, _) = rest.split_once(',')?;
    value.get(..first.len() + 1 + second.len())
}

/// [`parse_uint`] of the whole value, else of its [`first_element`] (`100, 100` is 100).
pub fn parse_repeated_uint(value: &str) -> Option<u64> {
    parse_uint(value).or_else(|| first_element(value).and_then(parse_uint))
}

/// A non-negative decimal integer (surrounding white space allowed); saturates at `u64::MAX`.
pub fn parse_uint(s: &str) -> Option<u64> {
    let s = s.trim();
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(s.bytes().fold(0u64, |acc, b| {
        acc.saturating_mul(10).saturating_add(u64::from(b - b'0'))
    }))
}

/// Parses a `Retry-After` value into a wait in milliseconds from `now_ms`.
///
/// Accepts delta-seconds (RFC 9110 §10.2.3; a decimal fraction such as `0.5` is also taken,
/// as some servers send one) and the three HTTP-date forms (IMF-fixdate, RFC 850, asctime).
/// A date in the past is a wait of 0. The result is clamped to [`MAX_TIMER_MS`]. Garbage
/// (negative numbers, unknown formats, impossible dates) is `None`, so the caller falls back
/// to its own backoff rather than giving up.
///
/// A repeated header (`1, 1` as `fetch` joins it) that does not parse whole is read by its
/// first element, or for a date by its first two comma-joined pieces.
pub fn parse_retry_after(value: &str, now_ms: u64) -> Option<u64> {
    parse_one_retry_after(value, now_ms)
        .or_else(|| first_element(value).and_then(|v| parse_one_retry_after(v, now_ms)))
        .or_else(|| first_two_elements(value).and_then(|v| parse_one_retry_after(v, now_ms)))
}

fn parse_one_retry_after(value: &str, now_ms: u64) -> Option<u64> {
    let v = value.trim();
    if v.is_empty() {
        return None;
    }
    if v.bytes().next().is_some_and(|b| b.is_ascii_digit()) {
        return parse_delta_seconds(v);
    }
    let at = parse_http_date(v, now_ms)?;
    Some(at.saturating_sub(now_ms).min(MAX_TIMER_MS))
}

fn parse_delta_seconds(v: &str) -> Option<u64> {
    let (whole, frac) = match v.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (v, None),
    };
    let secs = parse_uint(whole)?;
    let mut ms = secs.saturating_mul(1000);
    if let Some(f) = frac {
        if f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        // Milliseconds from the first three fraction digits, rounded up so a positive wait
        // never becomes 0.
        let mut frac_ms = 0u64;
        let mut scale = 100u64;
        let mut rest = false;
        for (i, b) in f.bytes().enumerate() {
            let d = u64::from(b - b'0');
            if i < 3 {
                frac_ms += d * scale;
                scale /= 10;
            } else if d != 0 {
                rest = true;
            }
        }
        ms = ms.saturating_add(frac_ms + u64::from(rest));
    }
    Some(ms.min(MAX_TIMER_MS))
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];
const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const LONG_DAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

fn month_number(s: &str) -> Option<u32> {
    MONTHS
        .iter()
        .position(|m| m.eq_ignore_ascii_case(s))
        .and_then(|i| u32::try_from(i + 1).ok())
}

/// Parses an HTTP-date (RFC 9110 §5.6.7) into epoch milliseconds.
pub fn parse_http_date(v: &str, now_ms: u64) -> Option<u64> {
    let (day_name, rest) = v.split_once([',', ' '])?;
    let short = DAYS.iter().any(|d| d.eq_ignore_ascii_case(day_name));
    let long = LONG_DAYS.iter().any(|d| d.eq_ignore_ascii_case(day_name));
    let tokens: Vec<&str> = rest.split_whitespace().collect();
    let (year, month, day, time) = match (v.as_bytes().get(day_name.len()), tokens.as_slice()) {
        // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
        (Some(b','), [d, m, y, t, "GMT"]) if short && y.len() == 4 => {
            (parse_uint(y)?, month_number(m)?, parse_uint(d)?, *t)
        }
        // RFC 850: Sunday, 06-Nov-94 08:49:37 GMT
        (Some(b','), [dmy, t, "GMT"]) if long => {
            let mut parts = dmy.split('-');
            let (d, m, y) = (parts.next()?, parts.next()?, parts.next()?);
            if parts.next().is_some() || y.len() != 2 {
                return None;
            }
            (
                two_digit_year(parse_uint(y)?, now_ms),
                month_number(m)?,
                parse_uint(d)?,
                *t,
            )
        }
        // asctime: Sun Nov  6 08:49:37 1994
        (Some(b' '), [m, d, t, y]) if short && y.len() == 4 => {
            (parse_uint(y)?, month_number(m)?, parse_uint(d)?, *t)
        }
        _ => return None,
    };
    let mut hms = time.split(':');
    let (h, mi, s) = (
        parse_uint(hms.next()?)?,
        parse_uint(hms.next()?)?,
        parse_uint(hms.next()?)?,
    );
    if hms.next().is_some() || h > 23 || mi > 59 || s > 60 || day == 0 {
        return None;
    }
    if !(1970..=9999).contains(&year) || day > u64::from(days_in_month(year, month)) {
        return None;
    }
    let days = days_from_civil(year, month, day);
    let secs = days * 86_400 + h * 3_600 + mi * 60 + s;
    Some(secs * 1000)
}

/// RFC 9110: a two-digit year that would be more than 50 years in the future is in the past
/// century.
fn two_digit_year(yy: u64, now_ms: u64) -> u64 {
    let this_year = year_of(now_ms);
    let candidate = (this_year / 100) * 100 + yy;
    if candidate > this_year + 50 {
        candidate.saturating_sub(100)
    } else {
        candidate
    }
}

fn is_leap(y: u64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: u64, m: u32) -> u32 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 for a date at or after it (Howard Hinnant's algorithm).
fn days_from_civil(y: u64, m: u32, d: u64) -> u64 {
    let m = u64::from(m);
    let y = if m <= 2 { y - 1 } else { y };
    let era = y / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    (era * 146_097 + doe).saturating_sub(719_468)
}

fn year_of(now_ms: u64) -> u64 {
    // Inverse of days_from_civil, year only.
    let z = now_ms / 86_400_000 + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    yoe + era * 400 + u64::from(m <= 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(year_of(0), 1970);
        assert_eq!(year_of(1_795_000_000_000), 2026);
        assert_eq!(year_of(951_782_400_000), 2000); // 2000-02-29
    }
}
