//! Client and call options: defaults, validation and merging.
//!
//! The glue reads each JS option into a primitive (`f64`, `String`, `bool`) and hands it here;
//! every check and every default lives in this module, so the README's options table and the
//! code have one source.

use crate::budget::{BudgetSettings, MAX_CAPACITY};
use crate::error::{Error, ErrorKind};
use crate::policy::RetrySettings;
use crate::transport::MAX_TIMER_MS;

/// Default `baseUrl`.
pub const DEFAULT_BASE_URL: &str = "https://api.rimp.io";
/// Default `maxRetries` (4 attempts, as the docs' helper makes).
pub const DEFAULT_MAX_RETRIES: u32 = 3;
/// Default `retryDelayMs`.
pub const DEFAULT_RETRY_DELAY_MS: u64 = 1_000;
/// Default `maxRetryDelayMs`.
pub const DEFAULT_MAX_RETRY_DELAY_MS: u64 = 30_000;
/// Default `maxRetryAfterMs`.
pub const DEFAULT_MAX_RETRY_AFTER_MS: u64 = 60_000;
/// Default `timeoutMs` (per attempt).
pub const DEFAULT_TIMEOUT_MS: u64 = 60_000;
/// The most retries a caller may ask for.
pub const MAX_RETRIES_LIMIT: u32 = 20;

/// Validated client options.
#[derive(Clone, PartialEq, Eq)]
pub struct ClientConfig {
    /// `baseUrl`, without a trailing slash.
    pub base_url: String,
    /// `apiKey`. Never printed: see the `Debug` impl.
    pub api_key: Option<String>,
    /// Retry settings.
    pub retry: RetrySettings,
    /// `timeoutMs`
    pub timeout_ms: u64,
    /// `headers`, validated.
    pub headers: Vec<(String, String)>,
    /// `allowInsecureHttp`: send the `apiKey` to a plain `http://` `baseUrl` that is not the
    /// local machine.
    pub allow_insecure_http: bool,
    /// `retryBudget`: the client-wide retry budget; `None` when disabled.
    pub retry_budget: Option<BudgetSettings>,
    /// `webhookSecret` (`whsec_…`) for `webhooks.unwrap`. Never printed, like the key.
    pub webhook_secret: Option<String>,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            base_url: DEFAULT_BASE_URL.to_owned(),
            api_key: None,
            retry: RetrySettings {
                max_retries: DEFAULT_MAX_RETRIES,
                retry_delay_ms: DEFAULT_RETRY_DELAY_MS,
                max_retry_delay_ms: DEFAULT_MAX_RETRY_DELAY_MS,
                max_retry_after_ms: DEFAULT_MAX_RETRY_AFTER_MS,
            },
            timeout_ms: DEFAULT_TIMEOUT_MS,
            headers: Vec::new(),
            allow_insecure_http: false,
            retry_budget: Some(BudgetSettings::default()),
            webhook_secret: None,
        }
    }
}

impl std::fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientConfig")
            .field("base_url", &self.base_url)
            .field("api_key", &self.api_key.as_ref().map(|_| "[redacted]"))
            .field("retry", &self.retry)
            .field("timeout_ms", &self.timeout_ms)
            .field("headers", &self.headers.len())
            .field("allow_insecure_http", &self.allow_insecure_http)
            .field("retry_budget", &self.retry_budget)
            .field(
                "webhook_secret",
                &self.webhook_secret.as_ref().map(|_| "[redacted]"),
            )
            .finish()
    }
}

/// A whole number in `min..=max`, from a JS number.
///
/// # Errors
/// `invalid_option` naming `param` when `value` is NaN, infinite, fractional or out of range.
pub fn whole_number<C>(param: &str, value: f64, min: u64, max: u64) -> Result<u64, Error<C>> {
    let ok =
        value.is_finite() && value.fract() == 0.0 && value >= min as f64 && value <= max as f64;
    if !ok {
        let mut msg = String::from(param);
        msg.push_str(" must be a whole number from ");
        msg.push_str(&min.to_string());
        msg.push_str(" to ");
        msg.push_str(&max.to_string());
        return Err(Error::invalid_option(param, msg));
    }
    // In range and integral, so the conversion is exact.
    Ok(value as u64)
}

/// A millisecond duration option (`0..=2^31−1`, or `1..` when `min` is 1).
///
/// # Errors
/// As [`whole_number`].
pub fn millis<C>(param: &str, value: f64, min: u64) -> Result<u64, Error<C>> {
    whole_number(param, value, min, MAX_TIMER_MS)
}

/// `maxRetries`.
///
/// # Errors
/// As [`whole_number`].
pub fn max_retries<C>(value: f64) -> Result<u32, Error<C>> {
    let n = whole_number("maxRetries", value, 0, u64::from(MAX_RETRIES_LIMIT))?;
    Ok(u32::try_from(n).unwrap_or(MAX_RETRIES_LIMIT))
}

/// Checks and normalises `baseUrl`: `http://` or `https://`, a host, no query or fragment;
/// a trailing slash is removed.
///
/// # Errors
/// `invalid_option` naming `baseUrl`.
pub fn base_url<C>(value: &str) -> Result<String, Error<C>> {
    within_limit("baseUrl", value)?;
    let v = value.trim();
    // The scheme is case-insensitive (`HTTP://LOCALHOST:1` is a fine URL).
    let scheme_len = if v
        .get(..8)
        .is_some_and(|p| p.eq_ignore_ascii_case("https://"))
    {
        8
    } else if v
        .get(..7)
        .is_some_and(|p| p.eq_ignore_ascii_case("http://"))
    {
        7
    } else {
        0
    };
    let rest = (scheme_len > 0).then(|| v.get(scheme_len..)).flatten();
    let valid = rest.filter(|r| {
        let host = r.split('/').next().unwrap_or_default();
        !host.is_empty() && !r.contains(['?', '#']) && !r.chars().any(char::is_whitespace)
    });
    let Some(rest) = valid else {
        return Err(Error::invalid_option(
            "baseUrl",
            "baseUrl must be an absolute http:// or https:// URL with no query or fragment, e.g. \"https://api.rimp.io\"",
        ));
    };
    let scheme = if scheme_len == 8 {
        "https://"
    } else {
        "http://"
    };
    Ok(String::from(scheme) + rest.trim_end_matches('/'))
}

/// The longest text option accepted (`apiKey`, `baseUrl`, a header name or value, a path, a
/// query value), in bytes. A client keeps its options in wasm memory, which never shrinks, so a
/// megabyte pasted by mistake would stay there; no real key, URL or header comes near this.
pub const MAX_TEXT_OPTION_BYTES: usize = 8192;

/// Refuses a text option longer than [`MAX_TEXT_OPTION_BYTES`].
///
/// # Errors
/// `invalid_option` naming `param`.
pub fn within_limit<C>(param: &str, value: &str) -> Result<(), Error<C>> {
    if value.len() > MAX_TEXT_OPTION_BYTES {
        return Err(Error::invalid_option(
            param,
            String::from(param) + " is too long (at most 8192 bytes)",
        ));
    }
    Ok(())
}

/// Header names the client sets itself and a caller may not.
const RESERVED_HEADERS: [&str; 1] = ["idempotency-key"];

/// Checks one custom header (`headers` on the client or a call).
///
/// # Errors
/// `invalid_option` naming `param` for a name that is not an HTTP token, a value with
/// control characters, or `Idempotency-Key` (use the `idempotencyKey` option).
pub fn header<C>(param: &str, name: &str, value: &str) -> Result<(), Error<C>> {
    within_limit(param, name)?;
    within_limit(param, value)?;
    let token = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
    if !token {
        return Err(Error::invalid_option(
            param,
            String::from(param) + " has a header name that is not a valid HTTP token",
        ));
    }
    // `fetch` takes header values as ByteStrings: a character above U+00FF (a pasted curly
    // quote, say) makes it throw a TypeError that would look like a network failure.
    if value
        .chars()
        .any(|c| (c.is_control() && c != '\t') || u32::from(c) > 0xFF)
    {
        return Err(Error::invalid_option(
            param,
            String::from(param)
                + " has a header value with control characters or characters above U+00FF",
        ));
    }
    if RESERVED_HEADERS
        .iter()
        .any(|r| r.eq_ignore_ascii_case(name))
    {
        return Err(Error::invalid_option(
            param,
            "set Idempotency-Key with the idempotencyKey option, not in headers",
        ));
    }
    Ok(())
}

/// Checks an `apiKey`: non-empty, visible ASCII only (no spaces, control characters, or
/// pasted typographic quotes, which `fetch` would refuse as a header value).
///
/// # Errors
/// `invalid_option` naming `apiKey` (the message never repeats the key).
pub fn api_key<C>(value: &str) -> Result<(), Error<C>> {
    within_limit("apiKey", value)?;
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Error::invalid_option(
            "apiKey",
            "apiKey must be a non-empty key of visible ASCII characters, such as sk_test_…",
        ));
    }
    Ok(())
}

/// Checks a webhook secret (`webhookSecret`, or `secret` of `webhooks.unwrap`, named by
/// `param`): non-empty, at most 8 KiB, no control characters.
///
/// # Errors
/// `invalid_option` naming `param` (the message never repeats the secret).
pub fn webhook_secret<C>(param: &str, value: &str) -> Result<(), Error<C>> {
    within_limit(param, value)?;
    if value.is_empty() || value.chars().any(char::is_control) {
        return Err(Error::invalid_option(
            param,
            String::from(param)
                + " must be a non-empty secret without control characters: the whsec_… value POST /v1/webhooks returned",
        ));
    }
    Ok(())
}

/// Upper-cases and checks an HTTP method.
///
/// # Errors
/// `invalid_option` naming `method` for anything but GET, POST, PUT, PATCH, DELETE, HEAD.
pub fn method<C>(value: &str) -> Result<String, Error<C>> {
    let m = value.to_ascii_uppercase();
    if matches!(
        m.as_str(),
        "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD"
    ) {
        Ok(m)
    } else {
        Err(Error::invalid_option(
            "method",
            "method must be one of GET, POST, PUT, PATCH, DELETE, HEAD",
        ))
    }
}

/// Checks a request path: it must start with `/` and hold no scheme, query or fragment
/// (pass query parameters in `query`).
///
/// # Errors
/// `invalid_option` naming `path`.
pub fn path<C>(value: &str) -> Result<(), Error<C>> {
    within_limit("path", value)?;
    let ok = value.starts_with('/')
        && !value.starts_with("//")
        && !value.contains(['?', '#'])
        && !value.chars().any(|c| c.is_whitespace() || c.is_control());
    if ok {
        Ok(())
    } else {
        Err(Error::invalid_option(
            "path",
            "path must start with \"/\" (e.g. \"/v1/models\") and hold no spaces, \"?\" or \"#\"; pass query parameters in options.query",
        ))
    }
}

/// The message of the `browser_api_key` refusal.
/// The options `new RimpClient(options)` takes.
pub const CLIENT_OPTIONS: &[&str] = &[
    "apiKey",
    "baseUrl",
    "maxRetries",
    "retryDelayMs",
    "maxRetryDelayMs",
    "maxRetryAfterMs",
    "timeoutMs",
    "fetch",
    "fetchOptions",
    "allowInsecureHttp",
    "retryBudget",
    "shareRateLimit",
    "logger",
    "logLevel",
    "headers",
    "dangerouslyAllowBrowser",
    "onRetry",
    "webhookSecret",
];

// The per-method lists below repeat the five call options on purpose: checking a list of
// groups (`CallOptions` + each method's own) was measured at +163 bytes of wasm gzip, for
// ten repeated names.

/// The options of `client.request()`.
pub const REQUEST_OPTIONS: &[&str] = &[
    "idempotencyKey",
    "signal",
    "timeoutMs",
    "maxRetries",
    "headers",
    "body",
    "query",
];

/// The options of a resource method (`images.generate`, `generations.get`, …). A GET's
/// `idempotencyKey` is known here and refused with its own message.
pub const RESOURCE_OPTIONS: &[&str] = &[
    "idempotencyKey",
    "signal",
    "timeoutMs",
    "maxRetries",
    "headers",
    "withResponse",
];

/// The options of `waitFor` (`idempotencyKey` is known here and refused with its own message).
pub const WAIT_OPTIONS: &[&str] = &[
    "idempotencyKey",
    "signal",
    "timeoutMs",
    "maxRetries",
    "headers",
    "withResponse",
    "intervalMs",
    "maxIntervalMs",
    "onProgress",
];

/// The options of `webhooks.unwrap`.
pub const UNWRAP_OPTIONS: &[&str] = &["secret", "toleranceSec"];

/// The fields of the `retryBudget` option.
pub const RETRY_BUDGET_OPTIONS: &[&str] =
    &["capacity", "retryCost", "timeoutCost", "successRefund"];

/// Refuses an option name that is not in `known`: a misspelt option (`baseURL`, `timeout`,
/// `retries`) would otherwise be ignored without a word, and the call would run with the
/// default (a test key sent to the production URL). `within` names the options object in the
/// message (`"options"`, `"retryBudget"`).
///
/// # Errors
/// `InvalidRequestError` code `invalid_option`, `param` the unknown name, with the known name
/// it most likely meant when there is one (same letters ignoring case, `_` and `-`, or with
/// `Ms` added).
pub fn known_options<C>(within: &str, known: &[&str], names: &[String]) -> Result<(), Error<C>> {
    let Some(unknown) = names.iter().find(|n| !known.contains(&n.as_str())) else {
        return Ok(());
    };
    let folded = fold(unknown);
    let meant = known.iter().find(|k| {
        let k = fold(k);
        k == folded || (k.len() == folded.len() + 2 && k.starts_with(&folded) && k.ends_with("ms"))
    });
    let mut msg = String::from("unknown option \"");
    msg.push_str(crate::envelope::truncate(unknown, 100));
    msg.push_str("\" in ");
    msg.push_str(within);
    match meant {
        Some(m) => {
            msg.push_str(": did you mean \"");
            msg.push_str(m);
            msg.push_str("\"?");
        }
        None => {
            msg.push_str("; the known ones are ");
            for (i, k) in known.iter().enumerate() {
                if i > 0 {
                    msg.push_str(", ");
                }
                msg.push_str(k);
            }
        }
    }
    // The param names the unknown option; an empty name ("") names the object itself.
    let mut param = String::from(within);
    if !unknown.is_empty() {
        param.clear();
        if within != "options" {
            param.push_str(within);
            param.push('.');
        }
        param.push_str(crate::envelope::truncate(unknown, 100));
    }
    Err(Error::invalid_option(&param, msg))
}

/// `s` in lower case without `_` and `-`, for matching a misspelt option name.
fn fold(s: &str) -> String {
    s.chars()
        .filter(|c| *c != '_' && *c != '-')
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

pub const BROWSER_API_KEY_MESSAGE: &str = "refusing to use an apiKey in a browser page, where anyone can read it: point baseUrl at your own backend that adds the key (see the README's \"Using a proxy\"), or pass dangerouslyAllowBrowser: true if you accept the risk (e.g. a test key on localhost)";

/// The message of the `insecure_base_url` refusal.
pub const INSECURE_BASE_URL_MESSAGE: &str = "refusing to send the apiKey to a plain http:// baseUrl that is not this machine: the key would travel in clear text, readable by anyone on the network path; use an https:// baseUrl, or pass allowInsecureHttp: true if the network is trusted";

/// The rules a client's options must meet together, checked once at construction.
///
/// - An `apiKey` in a browser window (`browser_window`: a `document` exists) is refused
///   unless `dangerously_allow_browser`: anyone who opens the page can read it.
/// - An `apiKey` with a plain `http://` `baseUrl` whose host is not the local machine
///   (`localhost`, a name ending in `.localhost`, `127.0.0.0/8`, `[::1]`) is refused unless
///   `config.allow_insecure_http`: the key would cross the network in clear text.
///
/// # Errors
/// `RimpError` (`ErrorKind::Client`) with code `browser_api_key`; `InvalidRequestError` with
/// code `insecure_base_url` and param `baseUrl`.
pub fn check_client<C>(
    config: &ClientConfig,
    browser_window: bool,
    dangerously_allow_browser: bool,
) -> Result<(), Error<C>> {
    if config.api_key.is_none() {
        return Ok(());
    }
    if browser_window && !dangerously_allow_browser {
        let mut e = Error::new(ErrorKind::Client, BROWSER_API_KEY_MESSAGE);
        e.code = Some("browser_api_key".into());
        return Err(e);
    }
    if !config.allow_insecure_http && is_insecure_remote(&config.base_url) {
        let mut e = Error::invalid_option("baseUrl", INSECURE_BASE_URL_MESSAGE);
        e.code = Some("insecure_base_url".into());
        return Err(e);
    }
    Ok(())
}

/// Whether `base_url` is `http://` to a host other than the local machine.
fn is_insecure_remote(base_url: &str) -> bool {
    let url = base_url.trim();
    let Some(rest) = url
        .get(..7)
        .filter(|scheme| scheme.eq_ignore_ascii_case("http://"))
        .and_then(|_| url.get(7..))
    else {
        return false;
    };
    let authority = rest.split('/').next().unwrap_or_default();
    // Drop any `user:password@`.
    let host_port = authority.rsplit('@').next().unwrap_or_default();
    !is_loopback_host(host_port)
}

/// `localhost`, `*.localhost`, a `127.x.y.z` dotted quad or `[::1]`, with or without a port.
pub fn is_loopback_host(host_port: &str) -> bool {
    if let Some(bracketed) = host_port.strip_prefix('[') {
        let host = bracketed.split(']').next().unwrap_or_default();
        return host == "::1";
    }
    let host = host_port.split(':').next().unwrap_or_default();
    let host = host.strip_suffix('.').unwrap_or(host).to_ascii_lowercase();
    if host == "localhost" || (host.ends_with(".localhost") && host.len() > ".localhost".len()) {
        return true;
    }
    let parts: Vec<&str> = host.split('.').collect();
    parts.len() == 4
        && parts.first() == Some(&"127")
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.len() <= 3
                && p.bytes().all(|b| b.is_ascii_digit())
                && p.parse::<u8>().is_ok()
        })
}

/// Validates `retryBudget`'s numbers (`None`: not set, the default is kept).
///
/// # Errors
/// `invalid_option` naming `retryBudget.capacity` (a whole number from 1 to 1,000,000) or
/// `retryBudget.retryCost` / `.timeoutCost` / `.successRefund` (whole numbers from 0 to the
/// capacity). A cost left unset keeps its default, lowered to the capacity if that is smaller.
pub fn retry_budget_option<C>(
    capacity: Option<f64>,
    retry_cost: Option<f64>,
    timeout_cost: Option<f64>,
    success_refund: Option<f64>,
) -> Result<BudgetSettings, Error<C>> {
    let d = BudgetSettings::default();
    let capacity = match capacity {
        Some(v) => whole_number("retryBudget.capacity", v, 1, u64::from(MAX_CAPACITY))?,
        None => u64::from(d.capacity),
    };
    let to_u32 = |n: u64| u32::try_from(n).unwrap_or(MAX_CAPACITY);
    let cost = |param: &str, v: Option<f64>, default: u32| -> Result<u32, Error<C>> {
        match v {
            Some(v) => whole_number(param, v, 0, capacity).map(to_u32),
            // A default above a smaller capacity is lowered to it.
            None => Ok(default.min(to_u32(capacity))),
        }
    };
    Ok(BudgetSettings {
        capacity: to_u32(capacity),
        retry_cost: cost("retryBudget.retryCost", retry_cost, d.retry_cost)?,
        timeout_cost: cost("retryBudget.timeoutCost", timeout_cost, d.timeout_cost)?,
        success_refund: cost(
            "retryBudget.successRefund",
            success_refund,
            d.success_refund,
        )?,
    })
}
