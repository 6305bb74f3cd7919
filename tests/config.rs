//! Native, table-driven tests of option checks (`config`): numbers, `baseUrl`, headers, the
//! method and path, text limits, the `apiKey` refusals and the `retryBudget` option.
#![cfg(not(target_arch = "wasm32"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::type_complexity
)]

use rimp_client::budget::BudgetSettings;
use rimp_client::config::{self, ClientConfig, check_client, retry_budget_option};
use rimp_client::error::{Error, ErrorKind};

/// The refusal of a `baseUrl` that is not an absolute `http(s)://` URL.
const BASE_URL_MESSAGE: &str = "baseUrl must be an absolute http:// or https:// URL with no query or fragment, e.g. \"https://api.rimp.io\"";

/// Asserts that `r` is refused as an `InvalidRequestError` with code `invalid_option` naming
/// `param`, before any request (no status), and returns the error for checks on its message.
#[track_caller]
fn assert_invalid_option<T: std::fmt::Debug>(r: Result<T, Error>, param: &str) -> Error {
    let e = r.unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidRequest, "{param}: {}", e.message);
    assert_eq!(e.code.as_deref(), Some("invalid_option"), "{param}");
    assert_eq!(e.param.as_deref(), Some(param));
    assert_eq!(e.status, None, "{param}");
    e
}

#[test]
fn option_validation() {
    assert_eq!(config::whole_number::<()>("x", 3.0, 0, 10).unwrap(), 3);
    for bad in [f64::NAN, f64::INFINITY, -1.0, 1.5, 11.0] {
        let e = assert_invalid_option(config::whole_number("maxRetries", bad, 0, 10), "maxRetries");
        assert_eq!(e.message, "maxRetries must be a whole number from 0 to 10");
    }
    for bad in [0.0, 2_147_483_648.0] {
        let e = assert_invalid_option(config::millis("timeoutMs", bad, 1), "timeoutMs");
        assert_eq!(
            e.message,
            "timeoutMs must be a whole number from 1 to 2147483647"
        );
    }
    assert_eq!(
        config::base_url::<()>("http://127.0.0.1:8787/").unwrap(),
        "http://127.0.0.1:8787"
    );
    for bad in [
        "api.rimp.io",
        "ftp://x",
        "https://",
        "https://h/?a=1",
        "https://h#f",
        "https://a b",
    ] {
        let e = assert_invalid_option(config::base_url(bad), "baseUrl");
        assert_eq!(e.message, BASE_URL_MESSAGE, "{bad}");
    }
    assert!(config::header::<()>("headers", "X-Trace", "abc").is_ok());
    let refusals = [
        (
            ("Bad Name", "v"),
            "headers has a header name that is not a valid HTTP token",
        ),
        (
            ("X-A", "v\r\nInjected: 1"),
            "headers has a header value with control characters or characters above U+00FF",
        ),
        (
            ("idempotency-key", "v"),
            "set Idempotency-Key with the idempotencyKey option, not in headers",
        ),
    ];
    for ((name, value), message) in refusals {
        let e = assert_invalid_option(config::header("headers", name, value), "headers");
        assert_eq!(e.message, message, "{name:?}: {value:?}");
    }
    assert!(config::api_key::<()>("sk_test_1").is_ok());
    let e = assert_invalid_option(config::api_key("sk_test_ secret"), "apiKey");
    assert!(!e.message.contains("secret"));
    assert_eq!(config::method::<()>("post").unwrap(), "POST");
    let e = assert_invalid_option(config::method("TRACE"), "method");
    assert_eq!(
        e.message,
        "method must be one of GET, POST, PUT, PATCH, DELETE, HEAD"
    );
    assert!(config::path::<()>("/v1/models").is_ok());
    for bad in ["v1/models", "//evil.example/x", "/v1?x=1", "/v1 x"] {
        let e = assert_invalid_option(config::path(bad), "path");
        assert!(
            e.message.starts_with("path must start with \"/\""),
            "{bad}: {}",
            e.message
        );
    }
    let dbg = format!(
        "{:?}",
        config::ClientConfig {
            api_key: Some("sk_test_secret".into()),
            ..Default::default()
        }
    );
    assert!(!dbg.contains("sk_test_secret"), "{dbg}");
}

fn with_key(base: &str, allow_insecure_http: bool) -> ClientConfig {
    ClientConfig {
        base_url: base.to_owned(),
        api_key: Some("sk_test_0123456789".to_owned()),
        allow_insecure_http,
        ..ClientConfig::default()
    }
}

#[test]
fn an_api_key_in_a_browser_window_is_refused_unless_allowed() {
    let c = with_key("https://api.rimp.io", false);
    let e = check_client::<()>(&c, true, false).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Client);
    assert_eq!(e.code.as_deref(), Some("browser_api_key"));
    assert!(
        e.message
            .starts_with("refusing to use an apiKey in a browser page")
    );
    assert!(e.message.contains("dangerouslyAllowBrowser: true"));
    assert!(!e.message.contains("sk_test"));
    assert!(check_client::<()>(&c, true, true).is_ok());
    assert!(check_client::<()>(&c, false, false).is_ok());
    let no_key = ClientConfig::default();
    assert!(check_client::<()>(&no_key, true, false).is_ok());
}

#[test]
fn an_api_key_over_plain_http_is_refused_unless_loopback_or_allowed() {
    // (baseUrl, refused without allowInsecureHttp)
    let table = [
        ("https://api.rimp.io", false),
        ("https://10.0.0.1:8443", false),
        ("http://api.rimp.io", true),
        ("http://10.0.0.1:8080", true),
        ("http://192.168.1.5", true),
        ("http://localhost", false),
        ("http://localhost:4010", false),
        ("http://LOCALHOST:4010/v", false),
        ("http://api.localhost:3000", false),
        ("http://localhost.evil.com", true),
        ("http://evil-localhost", true),
        ("http://.localhost", true),
        ("http://127.0.0.1:4010", false),
        ("http://127.1.2.3", false),
        ("http://127.0.0.256", true),
        ("http://127.0.0.1.evil.com", true),
        ("http://128.0.0.1", true),
        ("http://[::1]:4010", false),
        ("http://[::2]:4010", true),
        ("http://user@localhost:1", false),
        ("http://localhost@evil.com", true),
        ("http://127.0.0.1@evil.com", true),
    ];
    for (base, refused) in table {
        let e = check_client::<()>(&with_key(base, false), false, false);
        assert_eq!(e.is_err(), refused, "{base}");
        if let Err(e) = e {
            assert_eq!(e.kind, ErrorKind::InvalidRequest, "{base}");
            assert_eq!(e.code.as_deref(), Some("insecure_base_url"));
            assert_eq!(e.param.as_deref(), Some("baseUrl"));
            assert!(e.message.contains("clear text"), "{}", e.message);
            assert!(
                e.message.contains("https://") && e.message.contains("allowInsecureHttp: true")
            );
        }
        assert!(
            check_client::<()>(&with_key(base, true), false, false).is_ok(),
            "{base}"
        );
        let keyless = ClientConfig {
            base_url: base.to_owned(),
            ..ClientConfig::default()
        };
        assert!(check_client::<()>(&keyless, false, false).is_ok(), "{base}");
    }
    // The browser rule is reported first.
    let e = check_client::<()>(&with_key("http://api.rimp.io", false), true, false).unwrap_err();
    assert_eq!(e.code.as_deref(), Some("browser_api_key"));
}

#[test]
fn new_config_fields_default() {
    let c = ClientConfig::default();
    assert!(!c.allow_insecure_http);
    assert_eq!(c.retry_budget, Some(BudgetSettings::default()));
    assert_eq!(
        BudgetSettings::default(),
        BudgetSettings {
            capacity: 500,
            retry_cost: 5,
            timeout_cost: 10,
            success_refund: 1
        }
    );
    let dbg = format!("{:?}", with_key("https://h", false));
    assert!(!dbg.contains("sk_test"), "{dbg}");
}

#[test]
fn retry_budget_option_validation() {
    let ok = |c, r, t, s| retry_budget_option::<()>(c, r, t, s).unwrap();
    assert_eq!(ok(None, None, None, None), BudgetSettings::default());
    assert_eq!(
        ok(Some(100.0), Some(0.0), Some(100.0), Some(2.0)),
        BudgetSettings {
            capacity: 100,
            retry_cost: 0,
            timeout_cost: 100,
            success_refund: 2
        }
    );
    // Defaults above a smaller capacity are lowered to it.
    assert_eq!(
        ok(Some(3.0), None, None, None),
        BudgetSettings {
            capacity: 3,
            retry_cost: 3,
            timeout_cost: 3,
            success_refund: 1
        }
    );
    assert_eq!(ok(Some(1_000_000.0), None, None, None).capacity, 1_000_000);
    let table: [([Option<f64>; 4], &str); 10] = [
        ([Some(0.0), None, None, None], "retryBudget.capacity"),
        (
            [Some(1_000_001.0), None, None, None],
            "retryBudget.capacity",
        ),
        ([Some(1.5), None, None, None], "retryBudget.capacity"),
        ([Some(f64::NAN), None, None, None], "retryBudget.capacity"),
        (
            [Some(f64::INFINITY), None, None, None],
            "retryBudget.capacity",
        ),
        ([None, Some(-1.0), None, None], "retryBudget.retryCost"),
        ([None, Some(501.0), None, None], "retryBudget.retryCost"),
        (
            [Some(10.0), None, Some(11.0), None],
            "retryBudget.timeoutCost",
        ),
        ([None, None, Some(0.25), None], "retryBudget.timeoutCost"),
        ([None, None, None, Some(501.0)], "retryBudget.successRefund"),
    ];
    for ([c, r, t, s], param) in table {
        let e = retry_budget_option::<()>(c, r, t, s).unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidRequest);
        assert_eq!(e.code.as_deref(), Some("invalid_option"));
        assert_eq!(e.param.as_deref(), Some(param), "{c:?} {r:?} {t:?} {s:?}");
        assert!(e.message.starts_with(param), "{}", e.message);
    }
}

#[test]
fn text_options_longer_than_8_kib_are_refused_with_their_param() {
    use rimp_client::config;
    let long = "a".repeat(config::MAX_TEXT_OPTION_BYTES + 1);
    let just = "a".repeat(config::MAX_TEXT_OPTION_BYTES);
    let url = String::from("https://") + &"h".repeat(config::MAX_TEXT_OPTION_BYTES);
    let cases: [(&str, Result<(), rimp_client::error::Error<()>>); 5] = [
        ("apiKey", config::api_key(&long)),
        ("baseUrl", config::base_url::<()>(&url).map(|_| ())),
        ("headers", config::header("headers", "x-a", &long)),
        ("headers", config::header("headers", &long, "v")),
        ("path", config::path(&(String::from("/") + &long))),
    ];
    for (param, r) in cases {
        let e = assert_invalid_option(r, param);
        assert_eq!(
            e.message,
            format!("{param} is too long (at most 8192 bytes)")
        );
    }
    assert!(config::api_key::<()>(&just).is_ok());
    assert!(config::header::<()>("headers", "x-a", &just).is_ok());
}

#[test]
fn base_url_schemes_are_case_insensitive_and_normalised() {
    use rimp_client::config::base_url;
    assert_eq!(
        base_url::<()>("HTTP://LOCALHOST:1/").unwrap(),
        "http://LOCALHOST:1"
    );
    assert_eq!(
        base_url::<()>("Https://api.rimp.io").unwrap(),
        "https://api.rimp.io"
    );
    for bad in ["ftp://x", "http:/x"] {
        let e = assert_invalid_option(base_url(bad), "baseUrl");
        assert_eq!(e.message, BASE_URL_MESSAGE, "{bad}");
    }
}

#[test]
fn unknown_option_names_are_refused_with_the_name_they_likely_meant() {
    let names = |n: &[&str]| n.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    let ok: Result<(), Error> = config::known_options(
        "options",
        config::CLIENT_OPTIONS,
        &names(&["apiKey", "baseUrl", "fetch"]),
    );
    assert!(ok.is_ok());
    let none: Result<(), Error> = config::known_options("options", config::REQUEST_OPTIONS, &[]);
    assert!(none.is_ok());
    // (within, known, given, param, the name suggested or None)
    let table: [(&str, &[&str], &str, &str, Option<&str>); 12] = [
        (
            "options",
            config::CLIENT_OPTIONS,
            "baseURL",
            "baseURL",
            Some("baseUrl"),
        ),
        (
            "options",
            config::CLIENT_OPTIONS,
            "timeout",
            "timeout",
            Some("timeoutMs"),
        ),
        (
            "options",
            config::CLIENT_OPTIONS,
            "api_key",
            "api_key",
            Some("apiKey"),
        ),
        (
            "options",
            config::CLIENT_OPTIONS,
            "max-retries",
            "max-retries",
            Some("maxRetries"),
        ),
        (
            "options",
            config::CLIENT_OPTIONS,
            "retries",
            "retries",
            None,
        ),
        (
            "options",
            config::REQUEST_OPTIONS,
            "idempotency_key",
            "idempotency_key",
            Some("idempotencyKey"),
        ),
        (
            "options",
            config::RESOURCE_OPTIONS,
            "apiKey",
            "apiKey",
            None,
        ),
        ("options", config::RESOURCE_OPTIONS, "body", "body", None),
        (
            "options",
            config::REQUEST_OPTIONS,
            "withResponse",
            "withResponse",
            None,
        ),
        (
            "options",
            config::WAIT_OPTIONS,
            "interval",
            "interval",
            Some("intervalMs"),
        ),
        (
            "options",
            config::UNWRAP_OPTIONS,
            "tolerance",
            "tolerance",
            None,
        ),
        (
            "retryBudget",
            config::RETRY_BUDGET_OPTIONS,
            "capcity",
            "retryBudget.capcity",
            None,
        ),
    ];
    for (within, known, given, param, meant) in table {
        let e: Error =
            config::known_options(within, known, &names(&[known[0], given])).unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidRequest, "{given}");
        assert_eq!(e.code.as_deref(), Some("invalid_option"), "{given}");
        assert_eq!(e.param.as_deref(), Some(param), "{given}");
        assert!(
            e.message
                .starts_with(&format!("unknown option \"{given}\" in {within}")),
            "{}",
            e.message
        );
        match meant {
            Some(m) => assert!(
                e.message.ends_with(&format!("did you mean \"{m}\"?")),
                "{}",
                e.message
            ),
            None => {
                assert!(e.message.contains("the known ones are"), "{}", e.message);
                for k in known {
                    assert!(e.message.contains(k), "{} lacks {k}", e.message);
                }
            }
        }
    }
    // An empty name: the param names the object, never "".
    let e: Error =
        config::known_options("retryBudget", config::RETRY_BUDGET_OPTIONS, &names(&[""]))
            .unwrap_err();
    assert_eq!(e.param.as_deref(), Some("retryBudget"));
    assert!(
        e.message.starts_with("unknown option \"\" in retryBudget"),
        "{}",
        e.message
    );
    // A huge name is cut in the message and the param.
    let huge = "x".repeat(10_000);
    let e: Error = config::known_options("options", config::REQUEST_OPTIONS, &[huge]).unwrap_err();
    assert_eq!(e.param.map(|p| p.len()), Some(100));
    assert!(e.message.len() < 1000);
}
