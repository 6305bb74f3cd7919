//! Native, table-driven tests of call planning: method and path checks, bodies, idempotency
//! keys, header precedence, URL and per-call overrides; and `waitFor`'s job → endpoint map and
//! deadline.
#![cfg(not(target_arch = "wasm32"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::type_complexity,
    clippy::result_large_err
)]

use rimp_client::config::ClientConfig;
use rimp_client::engine::CallPlan;
use rimp_client::error::{Error, ErrorKind};
use rimp_client::plan::{CallInput, plan_call, plan_poll, plan_wait, wait_endpoint};
use rimp_client::resources::Endpoint;
use rimp_client::wait::{JobKind, WaitSettings};

const NOW: u64 = 1_795_564_800_000;

fn config() -> ClientConfig {
    ClientConfig {
        base_url: "https://api.example".into(),
        api_key: Some("sk_test_key".into()),
        ..ClientConfig::default()
    }
}

fn zeros() -> [u8; 16] {
    [0; 16]
}

fn plan(config: &ClientConfig, input: CallInput<'_, String>) -> Result<CallPlan, Error> {
    plan_call(config, input, &mut zeros)
}

fn names(p: &CallPlan) -> Vec<&str> {
    p.request.headers.iter().map(|(k, _)| k.as_str()).collect()
}

fn header<'a>(p: &'a CallPlan, name: &str) -> Option<&'a str> {
    p.request
        .headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

#[test]
fn refused_inputs_name_their_option() {
    // (method, path, body, key, param)
    let table: [(&str, &str, Option<&str>, Option<&str>, &str); 11] = [
        ("FETCH", "/v1/models", None, None, "method"),
        ("", "/v1/models", None, None, "method"),
        ("GET", "v1/models", None, None, "path"),
        ("GET", "//evil.example/x", None, None, "path"),
        ("GET", "/v1/models?limit=1", None, None, "path"),
        ("GET", "/v1/mo dels", None, None, "path"),
        ("GET", "/v1/models", Some("{}"), None, "body"),
        ("head", "/v1/models", Some("{}"), None, "body"),
        ("GET", "/v1/models", None, Some("k"), "idempotencyKey"),
        ("POST", "/v1/videos", Some("{}"), Some(""), "idempotencyKey"),
        (
            "POST",
            "/v1/videos",
            Some("{}"),
            Some("a\nb"),
            "idempotencyKey",
        ),
    ];
    for (method, path, body, key, param) in table {
        let input = CallInput {
            body: body.map(str::to_owned),
            idempotency_key: key,
            ..CallInput::new(method, path)
        };
        let e = plan(&config(), input).unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidRequest, "{method} {path}");
        assert_eq!(e.param.as_deref(), Some(param), "{method} {path}");
        assert_eq!(e.attempts, 0);
    }
    let long = "k".repeat(201);
    let input = CallInput {
        idempotency_key: Some(&long),
        ..CallInput::new("POST", "/v1/videos")
    };
    let e = plan(&config(), input).unwrap_err();
    assert_eq!(e.code.as_deref(), Some("idempotency_key_too_long"));
}

#[test]
fn methods_keys_and_bodies() {
    // (method, body, caller key, key sent, content-type set)
    let uuid = "00000000-0000-4000-8000-000000000000";
    let table: [(&str, bool, Option<&str>, Option<&str>, bool); 9] = [
        ("get", false, None, None, false),
        ("HEAD", false, None, None, false),
        ("post", true, None, Some(uuid), true),
        ("POST", false, None, Some(uuid), false),
        ("POST", true, Some("mine-1"), Some("mine-1"), true),
        ("PUT", true, None, None, true),
        ("PATCH", true, Some("p"), Some("p"), true),
        ("DELETE", false, None, None, false),
        ("delete", false, Some("d"), Some("d"), false),
    ];
    for (method, body, caller, sent, content_type) in table {
        let input = CallInput {
            body: body.then(|| "{\"a\":1}".to_owned()),
            idempotency_key: caller,
            ..CallInput::new(method, "/v1/x")
        };
        let p = plan(&config(), input).unwrap();
        assert_eq!(p.request.method, method.to_ascii_uppercase());
        assert_eq!(p.idempotency_key.as_deref(), sent, "{method}");
        assert_eq!(header(&p, "idempotency-key"), sent, "{method}");
        assert_eq!(
            header(&p, "content-type").is_some(),
            content_type,
            "{method}"
        );
        assert_eq!(p.request.body.is_some(), body);
        assert_eq!(p.deadline_ms, None);
    }
}

#[test]
fn a_fresh_key_comes_from_the_random_source_only_when_needed() {
    let mut asked = 0;
    let p: CallPlan = plan_call::<(), _>(&config(), CallInput::new("POST", "/v1/x"), &mut || {
        asked += 1;
        [0xff; 16]
    })
    .unwrap();
    assert_eq!(asked, 1);
    assert_eq!(
        p.idempotency_key.as_deref(),
        Some("ffffffff-ffff-4fff-bfff-ffffffffffff")
    );
    let mut asked = 0;
    let _: CallPlan = plan_call::<(), _>(&config(), CallInput::new("GET", "/v1/x"), &mut || {
        asked += 1;
        [0; 16]
    })
    .unwrap();
    assert_eq!(asked, 0);
}

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter()
        .map(|(k, val)| ((*k).to_owned(), (*val).to_owned()))
        .collect()
}

#[test]
fn header_precedence() {
    struct Case {
        api_key: Option<&'static str>,
        client: &'static [(&'static str, &'static str)],
        call: &'static [(&'static str, &'static str)],
        want: &'static [(&'static str, &'static str)],
    }
    let table = [
        Case {
            api_key: Some("sk_1"),
            client: &[],
            call: &[],
            want: &[
                ("accept", "application/json"),
                ("content-type", "application/json"),
                ("authorization", "Bearer sk_1"),
                ("idempotency-key", "k"),
            ],
        },
        Case {
            api_key: None,
            client: &[("X-Team", "a")],
            call: &[],
            want: &[
                ("accept", "application/json"),
                ("content-type", "application/json"),
                ("X-Team", "a"),
                ("idempotency-key", "k"),
            ],
        },
        // The call's header replaces the client's of the same name, whatever the case.
        Case {
            api_key: None,
            client: &[("X-Team", "a"), ("X-Other", "o")],
            call: &[("x-team", "b")],
            want: &[
                ("accept", "application/json"),
                ("content-type", "application/json"),
                ("X-Other", "o"),
                ("x-team", "b"),
                ("idempotency-key", "k"),
            ],
        },
        // An explicit Authorization wins over the apiKey, from the client or the call.
        Case {
            api_key: Some("sk_1"),
            client: &[("Authorization", "Basic abc")],
            call: &[],
            want: &[
                ("accept", "application/json"),
                ("content-type", "application/json"),
                ("Authorization", "Basic abc"),
                ("idempotency-key", "k"),
            ],
        },
        Case {
            api_key: Some("sk_1"),
            client: &[("Authorization", "Basic abc")],
            call: &[("AUTHORIZATION", "Bearer other")],
            want: &[
                ("accept", "application/json"),
                ("content-type", "application/json"),
                ("AUTHORIZATION", "Bearer other"),
                ("idempotency-key", "k"),
            ],
        },
        // Accept and Content-Type can be overridden too.
        Case {
            api_key: None,
            client: &[],
            call: &[
                ("Accept", "text/plain"),
                ("Content-Type", "application/merge-patch+json"),
            ],
            want: &[
                ("Accept", "text/plain"),
                ("Content-Type", "application/merge-patch+json"),
                ("idempotency-key", "k"),
            ],
        },
    ];
    for (i, case) in table.iter().enumerate() {
        let config = ClientConfig {
            api_key: case.api_key.map(str::to_owned),
            headers: pairs(case.client),
            ..config()
        };
        let call = pairs(case.call);
        let input = CallInput {
            body: Some("{}".to_owned()),
            idempotency_key: Some("k"),
            headers: &call,
            ..CallInput::new("POST", "/v1/x")
        };
        let p = plan(&config, input).unwrap();
        assert_eq!(p.request.headers, pairs(case.want), "case {i}");
        assert_eq!(names(&p).last(), Some(&"idempotency-key"), "case {i}");
    }
}

#[test]
fn url_timeout_and_retries() {
    let query = pairs(&[("group_by", "day"), ("a b", "c&d")]);
    let input: CallInput<'_, String> = CallInput {
        query: &query,
        ..CallInput::new("GET", "/v1/usage")
    };
    let c = config();
    let p = plan(&c, input).unwrap();
    assert_eq!(
        p.request.url,
        "https://api.example/v1/usage?group_by=day&a%20b=c%26d"
    );
    assert_eq!(p.request.timeout_ms, c.timeout_ms);
    assert_eq!(p.retry, c.retry);

    let input: CallInput<'_, String> = CallInput {
        timeout_ms: Some(1234),
        max_retries: Some(0),
        ..CallInput::new("GET", "/v1/models")
    };
    let p = plan(&c, input).unwrap();
    assert_eq!(p.request.url, "https://api.example/v1/models");
    assert_eq!(p.request.timeout_ms, 1234);
    assert_eq!(p.retry.max_retries, 0);
    assert_eq!(p.retry.retry_delay_ms, c.retry.retry_delay_ms);
}

#[test]
fn the_body_type_is_the_callers() {
    /// Stands for a JS value the core never looks into.
    #[derive(Debug, Clone, PartialEq)]
    struct Opaque(u32);
    let input = CallInput {
        body: Some(Opaque(7)),
        ..CallInput::new("POST", "/v1/x")
    };
    let p: CallPlan<Opaque> = plan_call::<(), _>(&config(), input, &mut zeros).unwrap();
    assert_eq!(p.request.body, Some(Opaque(7)));
    assert_eq!(
        header_of(&p.request.headers, "content-type"),
        Some("application/json")
    );
}

fn header_of<'a>(h: &'a [(String, String)], name: &str) -> Option<&'a str> {
    h.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

#[test]
fn wait_plans_map_each_job_to_its_endpoint_and_deadline() {
    // (kind, id, endpoint, path)
    let table = [
        (
            JobKind::Generation,
            "gen_1",
            Endpoint::GenerationGet,
            "/v1/generations/gen_1",
        ),
        (
            JobKind::Comparison,
            "cmp_1",
            Endpoint::ComparisonGet,
            "/v1/comparisons/cmp_1",
        ),
        (
            JobKind::Generation,
            "a/b c",
            Endpoint::GenerationGet,
            "/v1/generations/a%2Fb%20c",
        ),
    ];
    for (kind, id, endpoint, path) in table {
        assert_eq!(wait_endpoint(kind), endpoint);
        for (timeout, deadline) in [(None, None), (Some(30_000), Some(NOW + 30_000))] {
            let settings = WaitSettings {
                timeout_ms: timeout,
                ..WaitSettings::default()
            };
            let (ep, p, poller) = plan_wait(kind, id, settings, NOW);
            assert_eq!((ep, p.as_str()), (endpoint, path));
            assert_eq!(poller.kind(), kind);
            assert_eq!(poller.deadline_ms(), deadline);
            assert_eq!(endpoint.method(), "GET");

            let headers = pairs(&[("X-Trace", "t")]);
            let poll: CallPlan =
                plan_poll::<(), _>(&config(), &p, &poller, None, &headers, Some(1)).unwrap();
            assert_eq!(poll.request.method, "GET");
            assert_eq!(poll.request.url, String::from("https://api.example") + path);
            assert_eq!(poll.request.body, None);
            assert_eq!(poll.idempotency_key, None);
            assert_eq!(
                poll.deadline_ms, deadline,
                "the deadline bounds retry waits"
            );
            assert_eq!(poll.retry.max_retries, 1);
            assert_eq!(
                poll.request.timeout_ms,
                config().timeout_ms,
                "each poll keeps the client's per-attempt timeout"
            );
            assert_eq!(header_of(&poll.request.headers, "X-Trace"), Some("t"));
        }
    }
    let (_, p, poller) = plan_wait(JobKind::Generation, "gen_1", WaitSettings::default(), NOW);
    let e = plan_poll::<(), String>(&config(), &p, &poller, Some("k"), &[], None).unwrap_err();
    assert_eq!(e.param.as_deref(), Some("idempotencyKey"));
}
