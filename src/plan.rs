//! Every decision a call makes before its first attempt: the method and path checks, the
//! idempotency key, the headers and their precedence, the URL, and the retry settings and
//! timeout in force. Also `waitFor`'s: which endpoint a job is polled at, and its deadline.
//!
//! The glue reads the JS options into a [`CallInput`]; [`plan_call`] turns it into the
//! [`CallPlan`] that [`crate::engine::execute`] runs. Nothing here reads a clock or a random
//! source: both are inputs.

use crate::config::{self, ClientConfig};
use crate::engine::CallPlan;
use crate::error::Error;
use crate::idempotency;
use crate::resources::Endpoint;
use crate::transport::RequestSpec;
use crate::url;
use crate::wait::{JobKind, Poller, WaitSettings};

/// One call's own inputs, as the glue read them from JS (already type-checked; `timeout_ms`
/// and `max_retries` already range-checked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallInput<'a, B> {
    /// The HTTP method, any case.
    pub method: &'a str,
    /// The path, starting with `/`, with no query or fragment.
    pub path: &'a str,
    /// Query pairs, already stringified, in order.
    pub query: &'a [(String, String)],
    /// The JSON body.
    pub body: Option<B>,
    /// The caller's `idempotencyKey`.
    pub idempotency_key: Option<&'a str>,
    /// The call's `headers`, already validated.
    pub headers: &'a [(String, String)],
    /// The call's `timeoutMs` (per attempt), overriding the client's.
    pub timeout_ms: Option<u64>,
    /// The call's `maxRetries`, overriding the client's.
    pub max_retries: Option<u32>,
}

impl<'a, B> CallInput<'a, B> {
    /// A call of `method` to `path` with nothing else set.
    pub fn new(method: &'a str, path: &'a str) -> Self {
        CallInput {
            method,
            path,
            query: &[],
            body: None,
            idempotency_key: None,
            headers: &[],
            timeout_ms: None,
            max_retries: None,
        }
    }
}

/// Validates a call and builds its plan; nothing is sent on error.
///
/// Headers, in order: `accept: application/json`; `content-type: application/json` when there
/// is a body; `authorization: Bearer <apiKey>` when the client has a key; then the client's
/// headers, then the call's, each replacing any header of the same name (case-insensitively)
/// set before it, so an explicit `Authorization` wins over the `apiKey`; last the
/// `idempotency-key` (a caller may not set it as a header). `random` is asked for 16 bytes
/// only when a POST needs a fresh key.
///
/// # Errors
/// `invalid_option` naming `method`, `path`, `body` (a body on GET or HEAD) or
/// `idempotencyKey` (see [`idempotency::key_for_call`]).
pub fn plan_call<C, B>(
    config: &ClientConfig,
    input: CallInput<'_, B>,
    random: &mut dyn FnMut() -> [u8; 16],
) -> Result<CallPlan<B>, Error<C>> {
    let method = config::method(input.method)?;
    config::path(input.path)?;
    if input.body.is_some() && matches!(method.as_str(), "GET" | "HEAD") {
        return Err(Error::invalid_option(
            "body",
            "GET and HEAD requests cannot have a body",
        ));
    }
    let key = idempotency::key_for_call(&method, input.idempotency_key, random)?;

    let mut headers: Vec<(String, String)> = vec![("accept".into(), "application/json".into())];
    if input.body.is_some() {
        headers.push(("content-type".into(), "application/json".into()));
    }
    if let Some(api_key) = &config.api_key {
        headers.push(("authorization".into(), String::from("Bearer ") + api_key));
    }
    // The client's headers, then the call's, override anything set above (including the
    // apiKey's Authorization: an explicit header is the caller's deliberate choice).
    for (k, v) in config.headers.iter().chain(input.headers.iter()) {
        headers.retain(|(h, _)| !h.eq_ignore_ascii_case(k));
        headers.push((k.clone(), v.clone()));
    }
    if let Some(k) = &key {
        headers.push(("idempotency-key".into(), k.clone()));
    }

    let mut retry = config.retry;
    if let Some(n) = input.max_retries {
        retry.max_retries = n;
    }
    Ok(CallPlan {
        request: RequestSpec {
            method,
            url: url::build(&config.base_url, input.path, input.query),
            headers,
            body: input.body,
            timeout_ms: input.timeout_ms.unwrap_or(config.timeout_ms),
        },
        retry,
        idempotency_key: key,
        deadline_ms: None,
    })
}

/// The endpoint a job of `kind` is polled at.
pub fn wait_endpoint(kind: JobKind) -> Endpoint {
    match kind {
        JobKind::Generation => Endpoint::GenerationGet,
        JobKind::Comparison => Endpoint::ComparisonGet,
    }
}

/// `waitFor`'s plan for job `id` (already checked), starting at `now_ms`: the endpoint, the
/// path to GET, and the [`Poller`] holding the wait's deadline (`settings.timeout_ms` after
/// `now_ms`).
///
/// Each poll is planned with [`plan_call`] (`GET` of the path, the call's `timeoutMs` left
/// unset: here it is the whole wait's deadline, and each poll keeps the client's per-attempt
/// timeout); its `CallPlan::deadline_ms` is then set to [`Poller::deadline_ms`], so no retry
/// wait inside a poll crosses the deadline. [`plan_poll`] does both.
pub fn plan_wait(
    kind: JobKind,
    id: &str,
    settings: WaitSettings,
    now_ms: u64,
) -> (Endpoint, String, Poller) {
    let endpoint = wait_endpoint(kind);
    let path = endpoint.path(id);
    (endpoint, path, Poller::new(kind, id, settings, now_ms))
}

/// The `CallPlan` of each poll of a wait: a `GET` of `path` with the call's `input` headers,
/// key and `maxRetries`, the client's per-attempt timeout, and the wait's deadline.
///
/// # Errors
/// As [`plan_call`] (e.g. an `idempotencyKey`, which a GET never carries).
pub fn plan_poll<C, B>(
    config: &ClientConfig,
    path: &str,
    poller: &Poller,
    idempotency_key: Option<&str>,
    headers: &[(String, String)],
    max_retries: Option<u32>,
) -> Result<CallPlan<B>, Error<C>> {
    let input: CallInput<'_, B> = CallInput {
        idempotency_key,
        headers,
        max_retries,
        ..CallInput::new("GET", path)
    };
    let mut plan = plan_call(config, input, &mut || [0u8; 16])?;
    plan.deadline_ms = poller.deadline_ms();
    Ok(plan)
}
