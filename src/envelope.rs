//! Turning a non-2xx answer into an [`Error`]: tolerant envelope parsing and classification.
//!
//! The API documents only `type`/`code`/`message` as expected, any of them may be
//! missing, and proxies answer with HTML, empty bodies or truncated JSON. Whatever arrives,
//! the class comes from the envelope's `type` when it is known, else from the HTTP status.

use crate::error::{DelaySource, Error, ErrorKind};
use crate::fields::Fields;
use crate::headers::{ResponseHeaders, non_blank, parse_retry_after};
use crate::json::Json;

/// How much of a non-envelope body is kept on the error as `rawBody`.
pub const RAW_BODY_LIMIT: usize = 2048;

/// The fields of an error envelope, each optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Envelope {
    /// `error.type`
    pub error_type: Option<String>,
    /// `error.code`
    pub code: Option<String>,
    /// `error.message`
    pub message: Option<String>,
    /// `error.param`
    pub param: Option<String>,
    /// `error.request_id`
    pub request_id: Option<String>,
}

impl Envelope {
    /// Reads an envelope out of a body's text, tolerantly (see [`Envelope::read`]).
    pub fn parse(body: &str) -> Option<Envelope> {
        let json = Json::parse(body)?;
        Envelope::read(&&json)
    }

    /// Reads an envelope out of a parsed body.
    ///
    /// Accepted shapes: `{"error": {type, code, message, param, request_id}}` (the documented
    /// one); `{"error": "text"}`; and a bare object carrying `type`/`code`/`message` at the top
    /// level (RFC 9457 `title`/`detail` count as messages). `None` when the body carries none
    /// of these fields.
    pub fn read<F: Fields>(root: &F) -> Option<Envelope> {
        let env = match root.member("error") {
            Some(inner) if inner.is_object() => Envelope {
                error_type: text(&inner, "type"),
                code: text(&inner, "code"),
                message: text(&inner, "message"),
                param: text(&inner, "param"),
                request_id: text(&inner, "request_id").or_else(|| text(root, "request_id")),
            },
            Some(s) if s.is_string() => Envelope {
                message: non_blank(s.text().as_deref()),
                request_id: text(root, "request_id"),
                ..Envelope::default()
            },
            _ => Envelope {
                error_type: text(root, "type"),
                code: text(root, "code"),
                message: text(root, "message")
                    .or_else(|| text(root, "detail"))
                    .or_else(|| text(root, "title")),
                param: text(root, "param"),
                request_id: text(root, "request_id"),
            },
        };
        (env.error_type.is_some() || env.code.is_some() || env.message.is_some()).then_some(env)
    }
}

fn text<F: Fields>(v: &F, key: &str) -> Option<String> {
    non_blank(v.member(key)?.text().as_deref())
}

/// The class for an envelope `type`, when the type is one the docs define.
pub fn kind_for_type(error_type: &str) -> Option<ErrorKind> {
    Some(match error_type {
        "invalid_request" => ErrorKind::InvalidRequest,
        "authentication" => ErrorKind::Authentication,
        "authorization" => ErrorKind::Authorization,
        "not_found" => ErrorKind::NotFound,
        "conflict" => ErrorKind::Conflict,
        "insufficient_credits" => ErrorKind::InsufficientCredits,
        "rate_limited" => ErrorKind::RateLimit,
        "quota_exceeded" => ErrorKind::QuotaExceeded,
        "content_policy_blocked" => ErrorKind::ContentPolicy,
        "provider_unavailable" => ErrorKind::ProviderUnavailable,
        "internal" => ErrorKind::InternalServer,
        _ => return None,
    })
}

/// The class for an HTTP status alone (and the envelope's `code` for the 429s).
pub fn kind_for_status(status: u16, code: Option<&str>) -> ErrorKind {
    match status {
        400 => ErrorKind::InvalidRequest,
        401 => ErrorKind::Authentication,
        402 => ErrorKind::InsufficientCredits,
        403 => ErrorKind::Authorization,
        404 => ErrorKind::NotFound,
        409 => ErrorKind::Conflict,
        422 => ErrorKind::ContentPolicy,
        429 if code == Some("quota_exceeded") => ErrorKind::QuotaExceeded,
        429 => ErrorKind::RateLimit,
        500 => ErrorKind::InternalServer,
        502..=504 => ErrorKind::ProviderUnavailable,
        501 | 505..=599 => ErrorKind::InternalServer,
        _ => ErrorKind::Api,
    }
}

/// The docs' "Retry?" column: could a later identical call succeed?
///
/// `conflict` is "conditional": only an idempotency key still in flight clears by itself.
/// `insufficient_credits` and `quota_exceeded` succeed "after top-up", so they count.
pub fn later_call_may_succeed(kind: ErrorKind, status: Option<u16>, code: Option<&str>) -> bool {
    match kind {
        ErrorKind::RateLimit
        | ErrorKind::QuotaExceeded
        | ErrorKind::InsufficientCredits
        | ErrorKind::ProviderUnavailable
        | ErrorKind::InternalServer
        | ErrorKind::Connection
        | ErrorKind::Timeout => true,
        ErrorKind::Conflict => code == Some("idempotency_key_in_use"),
        ErrorKind::Api => matches!(status, Some(408 | 425 | 429 | 500..=599)),
        _ => false,
    }
}

/// Classifies a non-2xx answer. `now_ms` resolves `Retry-After` dates and
/// `X-RateLimit-Reset`.
pub fn classify<C>(status: u16, headers: &ResponseHeaders, body: &str, now_ms: u64) -> Error<C> {
    classify_read(status, headers, Envelope::parse(body), body, now_ms)
}

/// As [`classify`], with the body's envelope already read (by whoever parsed the body) and
/// its text, which is only looked at when there is no envelope (for `rawBody`).
pub fn classify_read<C>(
    status: u16,
    headers: &ResponseHeaders,
    envelope: Option<Envelope>,
    body: &str,
    now_ms: u64,
) -> Error<C> {
    let env = envelope.clone().unwrap_or_default();
    let kind = env
        .error_type
        .as_deref()
        .and_then(kind_for_type)
        .unwrap_or_else(|| kind_for_status(status, env.code.as_deref()));

    let request_id = headers.request_id().or_else(|| env.request_id.clone());
    let rate_limit = headers.rate_limit_at(now_ms);

    // The server-requested wait: Retry-After, else (on a 429) X-RateLimit-Reset − now. Not for
    // a monthly quota: the rate-limit window's reset says nothing about when the month ends.
    let mut retry_after = headers
        .retry_after
        .as_deref()
        .and_then(|v| parse_retry_after(v, now_ms))
        .map(|ms| (ms, DelaySource::RetryAfter));
    if retry_after.is_none() && status == 429 && kind != ErrorKind::QuotaExceeded {
        retry_after = rate_limit
            .and_then(|rl| rl.until_reset_ms(now_ms))
            .map(|ms| (ms, DelaySource::RateLimitReset));
    }

    // `message` is the server's own text when it sent one; otherwise a
    // description of what did arrive.
    let message = match env.message {
        Some(ref m) => m.clone(),
        None => {
            let mut m = String::from("HTTP ");
            m.push_str(&status.to_string());
            m.push_str(if envelope.is_none() && !body.trim().is_empty() {
                " with a body that is not a Rimp error envelope"
            } else {
                " with no error details"
            });
            if let Some(id) = &request_id {
                m.push_str(" (request ");
                m.push_str(id);
                m.push(')');
            }
            m
        }
    };

    let mut e = Error::new(kind, message);
    e.status = Some(status);
    e.retryable = later_call_may_succeed(kind, Some(status), env.code.as_deref());
    e.error_type = env.error_type;
    e.code = env.code;
    e.param = env.param;
    e.retry_after_ms = retry_after.map(|(ms, _)| ms);
    e.retry_after_source = retry_after.map(|(_, src)| src);
    e.rate_limit = rate_limit;
    e.request_id = request_id;
    if envelope.is_none() && !body.is_empty() {
        e.raw_body = Some(truncate(body, RAW_BODY_LIMIT).to_owned());
    }
    e
}

/// The longest prefix of `s` of at most `max` bytes that ends on a char boundary.
pub fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s.get(..end).unwrap_or_default()
}
