//! The seams between the pure request loop and the outside world: the request it sends, the
//! answer it reads, and the `Transport`, `Sleeper` and `Clock` traits the glue implements
//! (with `fetch`, `setTimeout` and `Date.now` in the browser, with fakes in tests).

use std::future::Future;

use crate::headers::ResponseHeaders;

/// One HTTP request, fully built; sent unchanged on every attempt.
///
/// `B` is the body's type: the JSON text natively, and in the browser a handle on the JS
/// string `JSON.stringify` made, so the body never crosses into wasm memory and back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestSpec<B = String> {
    /// Upper-case method.
    pub method: String,
    /// Absolute URL.
    pub url: String,
    /// Headers, in the order they are set.
    pub headers: Vec<(String, String)>,
    /// The JSON body.
    pub body: Option<B>,
    /// Per-attempt timeout.
    pub timeout_ms: u64,
}

/// A response body whose text the core reads only when it needs it (to classify an error, or
/// to read a polled job's status). The glue keeps a successful body as a JS string, so it never
/// crosses into wasm memory and back just to be handed to `JSON.parse`.
pub trait BodyText {
    /// The whole body text.
    fn text(&self) -> &str;
    /// The error envelope the body carries, if any. By default read from [`BodyText::text`];
    /// the glue reads it from the object `JSON.parse` made instead, so only the envelope's
    /// fields cross into wasm memory.
    fn envelope(&self) -> Option<crate::envelope::Envelope> {
        crate::envelope::Envelope::parse(self.text())
    }
}

impl BodyText for String {
    fn text(&self) -> &str {
        self
    }
}

/// An answer, with the headers the client reads and the whole body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseParts<B = String> {
    /// HTTP status.
    pub status: u16,
    /// The headers the client reads.
    pub headers: ResponseHeaders,
    /// The body.
    pub body: B,
}

/// How an attempt failed without an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportFailure {
    /// `fetch` rejected: network down, DNS, CORS refusal, connection dropped.
    Network,
    /// The per-attempt timeout fired first.
    Timeout,
    /// The caller's signal aborted.
    Aborted,
    /// The `fetch` function resolved to something that is not a `Response` (a broken custom
    /// `fetch` or test stub): a bug to report, not a network failure to retry.
    NotAResponse,
}

/// An attempt that got no answer; `cause` is the original JS value (the `fetch` rejection,
/// or the abort reason).
#[derive(Debug, Clone, PartialEq)]
pub struct TransportError<C> {
    /// What happened.
    pub failure: TransportFailure,
    /// A short description (from the JS error's message for network failures).
    pub detail: String,
    /// The original value.
    pub cause: Option<C>,
}

/// Sends one attempt.
pub trait Transport {
    /// The glue's handle on a JS value.
    type Cause;
    /// The request body's type (see [`RequestSpec`]).
    type ReqBody;
    /// The response body's type.
    type Body: BodyText;
    /// Sends `request` once and reads the whole body, within `request.timeout_ms`.
    #[allow(clippy::type_complexity)]
    fn send(
        &self,
        request: &RequestSpec<Self::ReqBody>,
    ) -> impl Future<Output = Result<ResponseParts<Self::Body>, TransportError<Self::Cause>>>;
}

/// The longest delay a timer can hold, 2^31−1 ms (about 24.8 days). Browser timers
/// (`setTimeout`) store the delay as a signed 32-bit number of milliseconds: a longer one
/// overflows and fires at once, as if it were 0. Every delay the core computes (backoff,
/// `Retry-After`, rate-limit resets, `waitFor` intervals) is clamped to this, so a
/// [`Sleeper`] never receives more.
pub const MAX_TIMER_MS: u64 = 2_147_483_647;

/// Waits between attempts.
pub trait Sleeper {
    /// The abort reason's type.
    type Cause;
    /// Waits `ms` milliseconds; `Err(reason)` when the caller aborts during the wait (the
    /// timer is cleared at once).
    fn sleep(&self, ms: u64) -> impl Future<Output = Result<(), Option<Self::Cause>>>;
}

/// The current time and randomness, as inputs.
pub trait Clock {
    /// Milliseconds since the Unix epoch.
    fn now_ms(&self) -> u64;
    /// A uniform sample in [0, 1) for backoff jitter.
    fn jitter_unit(&self) -> f64;
}
