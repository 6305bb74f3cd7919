//! The client's one error type: a kind, the server's envelope fields and the call's metadata.
//!
//! Every failure the client reports is an [`Error`]; the wasm glue turns it into the matching
//! JS class in exactly one place (`src/wasm/errors.rs`). The kinds map one-to-one onto the JS
//! error classes.

use crate::headers::RateLimitInfo;

/// Which JS error class a failure becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// `RimpError`: a misuse the client refuses outright (e.g. an API key in a browser page).
    Client,
    /// `APIError`: a non-2xx answer of no better-known type or status.
    Api,
    /// `InvalidRequestError`: type `invalid_request` / 400, and options refused before sending.
    InvalidRequest,
    /// `AuthenticationError`: type `authentication` / 401.
    Authentication,
    /// `AuthorizationError`: type `authorization` / 403.
    Authorization,
    /// `NotFoundError`: type `not_found` / 404.
    NotFound,
    /// `ConflictError`: type `conflict` / 409.
    Conflict,
    /// `InsufficientCreditsError`: type `insufficient_credits` / 402.
    InsufficientCredits,
    /// `RateLimitError`: type `rate_limited` (codes `rate_limited`, `anomaly_paused`).
    RateLimit,
    /// `QuotaExceededError`: type `quota_exceeded`.
    QuotaExceeded,
    /// `ContentPolicyError`: type `content_policy_blocked` / 422.
    ContentPolicy,
    /// `ProviderUnavailableError`: type `provider_unavailable` / 502, and 503/504 without an envelope.
    ProviderUnavailable,
    /// `InternalServerError`: type `internal` / 500, and other 5xx without an envelope.
    InternalServer,
    /// `ConnectionError`: `fetch` rejected (network, DNS, CORS).
    Connection,
    /// `TimeoutError`: the per-attempt timeout fired, or a wait's deadline passed.
    Timeout,
    /// `AbortError`: the caller's signal aborted.
    Abort,
    /// `WebhookVerificationError`: `webhooks.unwrap` refused a delivery (see `crate::webhook`).
    WebhookVerification,
}

impl ErrorKind {
    /// The JS class name, which is also the error's `name`.
    pub fn class_name(self) -> &'static str {
        match self {
            ErrorKind::Client => "RimpError",
            ErrorKind::Api => "APIError",
            ErrorKind::InvalidRequest => "InvalidRequestError",
            ErrorKind::Authentication => "AuthenticationError",
            ErrorKind::Authorization => "AuthorizationError",
            ErrorKind::NotFound => "NotFoundError",
            ErrorKind::Conflict => "ConflictError",
            ErrorKind::InsufficientCredits => "InsufficientCreditsError",
            ErrorKind::RateLimit => "RateLimitError",
            ErrorKind::QuotaExceeded => "QuotaExceededError",
            ErrorKind::ContentPolicy => "ContentPolicyError",
            ErrorKind::ProviderUnavailable => "ProviderUnavailableError",
            ErrorKind::InternalServer => "InternalServerError",
            ErrorKind::Connection => "ConnectionError",
            ErrorKind::Timeout => "TimeoutError",
            ErrorKind::Abort => "AbortError",
            ErrorKind::WebhookVerification => "WebhookVerificationError",
        }
    }

    /// Whether this kind is an `APIError` (the server answered, or an option was refused as
    /// an invalid request).
    pub fn is_api(self) -> bool {
        !matches!(
            self,
            ErrorKind::Client
                | ErrorKind::Connection
                | ErrorKind::Timeout
                | ErrorKind::Abort
                | ErrorKind::WebhookVerification
        )
    }
}

/// Where the wait before a retry came from (`RetryEvent.delaySource`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DelaySource {
    /// The client's exponential backoff.
    Backoff,
    /// The server's `Retry-After` header.
    RetryAfter,
    /// The server's `X-RateLimit-Reset` header (epoch seconds) minus now.
    RateLimitReset,
    /// Another client of the same key (another tab, a worker) learned that the key is
    /// rate-limited until a time, and this call holds its attempt until then.
    SharedRateLimit,
}

impl DelaySource {
    /// The JS string for `RetryEvent.delaySource`.
    pub fn as_str(self) -> &'static str {
        match self {
            DelaySource::Backoff => "backoff",
            DelaySource::RetryAfter => "retry-after",
            DelaySource::RateLimitReset => "rate-limit-reset",
            DelaySource::SharedRateLimit => "shared-rate-limit",
        }
    }
}

/// A failure, with everything the JS error will carry.
///
/// `C` is the glue's handle on the original JS value (`cause`): the `fetch` rejection or the
/// abort reason. The pure core never looks inside it.
#[derive(Debug, Clone, PartialEq)]
pub struct Error<C = ()> {
    /// The class.
    pub kind: ErrorKind,
    /// A readable message; never contains the API key or any header value.
    pub message: String,
    /// HTTP status, for errors the server answered.
    pub status: Option<u16>,
    /// The envelope's `type`.
    pub error_type: Option<String>,
    /// The envelope's `code`, or the client's own code for refused input.
    pub code: Option<String>,
    /// The envelope's `param`, or the refused option's name.
    pub param: Option<String>,
    /// The wait the server asked for (from `Retry-After`, else `X-RateLimit-Reset` on a 429).
    pub retry_after_ms: Option<u64>,
    /// Where `retry_after_ms` came from.
    pub retry_after_source: Option<DelaySource>,
    /// The `X-RateLimit-*` headers of the answer.
    pub rate_limit: Option<RateLimitInfo>,
    /// The body text (bounded) when it was not a JSON error envelope.
    pub raw_body: Option<String>,
    /// `X-Request-Id`, else the envelope's `request_id`.
    pub request_id: Option<String>,
    /// The `Idempotency-Key` the call sent on every attempt.
    pub idempotency_key: Option<String>,
    /// How many attempts were made (0 when refused before sending).
    pub attempts: u32,
    /// Could a later identical call succeed (the errors page's "Retry?" column)?
    pub retryable: bool,
    /// The failure would have been retried, but the client's retry budget was exhausted (so
    /// many recent calls failed that retrying would only add load to a failing server).
    pub retry_budget_exhausted: bool,
    /// The original JS value behind a connection failure or an abort.
    pub cause: Option<C>,
}

impl<C> Error<C> {
    /// A bare error of `kind` with `message`; every other field empty.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
            status: None,
            error_type: None,
            code: None,
            param: None,
            retry_after_ms: None,
            retry_after_source: None,
            rate_limit: None,
            raw_body: None,
            request_id: None,
            idempotency_key: None,
            attempts: 0,
            retryable: false,
            retry_budget_exhausted: false,
            cause: None,
        }
    }

    /// An option or argument the client refuses before sending anything
    /// (`InvalidRequestError`, status null, type `invalid_request`).
    pub fn invalid_input(code: &str, param: &str, message: impl Into<String>) -> Self {
        let mut e = Error::new(ErrorKind::InvalidRequest, message);
        e.error_type = Some("invalid_request".into());
        e.code = Some(code.into());
        e.param = Some(param.into());
        e
    }

    /// An invalid option (`code` "invalid_option").
    pub fn invalid_option(param: &str, message: impl Into<String>) -> Self {
        Error::invalid_input("invalid_option", param, message)
    }

    /// The same error with another cause type (used when the cause is absent).
    pub fn with_cause_type<D>(self) -> Error<D> {
        Error {
            kind: self.kind,
            message: self.message,
            status: self.status,
            error_type: self.error_type,
            code: self.code,
            param: self.param,
            retry_after_ms: self.retry_after_ms,
            retry_after_source: self.retry_after_source,
            rate_limit: self.rate_limit,
            raw_body: self.raw_body,
            request_id: self.request_id,
            idempotency_key: self.idempotency_key,
            attempts: self.attempts,
            retryable: self.retryable,
            retry_budget_exhausted: self.retry_budget_exhausted,
            cause: None,
        }
    }

    /// Replaces every occurrence of `secret` (the API key) in `message`, `raw_body`, `code`
    /// and `param` with `[redacted]`. Secrets shorter than 8 characters are left alone (see
    /// [`crate::redact::redact`]).
    pub fn redact_secret(&mut self, secret: &str) {
        use crate::redact::redact;
        if let Some(m) = redact(&self.message, secret) {
            self.message = m;
        }
        for field in [&mut self.raw_body, &mut self.code, &mut self.param] {
            if let Some(r) = field.as_deref().and_then(|v| redact(v, secret)) {
                *field = Some(r);
            }
        }
    }
}
