//! The `/__mock` control interface (faults, reset, request log, ledger,
//! clock, config), CORS, and robustness against hostile input.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::time::{Duration, Instant};

use common::{Mock, raw_exchange};

const K: &str = "sk_test_ctl";
const VIDEO: &str = r#"{"model":"veo-3-1-fast","prompt":"x"}"#;

#[test]
fn respond_faults_are_consumed_in_order_and_by_count() {
    let m = Mock::fast();
    let html = "<html><body>502 Bad Gateway</body></html>";
    let f1 = m.fault(&format!(
        r#"{{"method":"GET","path":"/v1/generations/*","count":2,"action":{{"type":"respond","status":502,"headers":{{"Retry-After":"2","Content-Type":"text/html"}},"body":"{html}"}}}}"#
    ));
    assert!(f1.starts_with("flt_"));
    m.fault(r#"{"method":"*","path":"/v1/generations/*","action":{"type":"respond","status":503,"body":{"error":"busy"}}}"#);
    let pending = m.control("GET", "/__mock/faults", None);
    assert_eq!(pending.as_array().unwrap().len(), 2);
    assert_eq!(pending[0]["remaining"], 2);
    for _ in 0..2 {
        let r = m.get("/v1/generations/gen_x", K);
        assert_eq!(r.status, 502);
        assert_eq!(r.text(), html);
        assert_eq!(r.header("content-type"), Some("text/html"));
        assert_eq!(r.header("retry-after"), Some("2"));
        assert!(r.header("x-request-id").is_some());
        assert_eq!(r.header("access-control-allow-origin"), Some("*"));
    }
    let r = m.get("/v1/generations/gen_x", K);
    assert_eq!(r.status, 503);
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(r.json()["error"], "busy");
    // All used up: normal handling (404 for the unknown id).
    m.get("/v1/generations/gen_x", K)
        .expect_error(404, "not_found");
    // Exact paths do not match other paths; methods must match.
    m.fault(r#"{"method":"POST","path":"/v1/videos","action":{"type":"respond","status":500,"body":"truncated {\"err"}}"#);
    assert_eq!(
        m.post("/v1/images", K, r#"{"model":"m","prompt":"p"}"#, None)
            .status,
        200
    );
    assert_eq!(m.get("/v1/videos", K).status, 405);
    let r = m.post("/v1/videos", K, VIDEO, None);
    assert_eq!(r.status, 500);
    assert_eq!(r.text(), "truncated {\"err");
    assert_eq!(r.header("content-type"), Some("text/plain; charset=utf-8"));
    // Respond faults do no work.
    assert_eq!(m.ledger()["generations_created"], 1);
    // Bare (no X-Request-Id) and no CORS, as a proxy error page would be.
    m.fault(r#"{"path":"/v1/models","action":{"type":"respond","status":504,"bare":true,"cors":false}}"#);
    let r = m.get("/v1/models", K);
    assert_eq!(r.status, 504);
    assert!(r.header("x-request-id").is_none());
    assert!(r.header("access-control-allow-origin").is_none());
    assert!(r.body.is_empty());
    // Listing and clearing.
    m.fault(r#"{"path":"/v1/models","count":5,"action":{"type":"drop_before"}}"#);
    assert_eq!(m.control("DELETE", "/__mock/faults", None)["deleted"], 1);
    assert_eq!(m.get("/v1/models", K).status, 200);
    let id = m.fault(r#"{"path":"/v1/models","action":{"type":"drop_before"}}"#);
    m.control("DELETE", &format!("/__mock/faults/{id}"), None);
    assert_eq!(m.get("/v1/models", K).status, 200);
}

#[test]
fn fault_definitions_are_validated() {
    let m = Mock::fast();
    for bad in [
        "",
        "[]",
        r#"{"method":"GET"}"#,
        r#"{"path":"v1/x","action":{"type":"drop_before"}}"#,
        r#"{"path":"/x","action":{"type":"explode"}}"#,
        r#"{"path":"/x","count":0,"action":{"type":"drop_before"}}"#,
        r#"{"path":"/x","action":{"type":"respond","status":99}}"#,
        r#"{"path":"/x","action":{"type":"respond","status":200,"headers":{"Bad Header":"x"}}}"#,
        r#"{"path":"/x","action":{"type":"respond","status":200,"headers":{"X":"a\nb"}}}"#,
        r#"{"path":"/x","action":{"type":"delay"}}"#,
        r#"{"path":"/x","action":{"type":"delay","ms":-1}}"#,
        r#"{"path":"/x","method":"G E T","action":{"type":"drop_before"}}"#,
    ] {
        let r = m.req("POST", "/__mock/faults", &[], Some(bad.as_bytes()));
        assert_eq!(r.status, 400, "{bad} -> {}", r.text());
        assert!(r.json()["error"]["message"].is_string());
    }
    assert_eq!(m.req("GET", "/__mock/nope", &[], None).status, 404);
}

#[test]
fn delay_and_drop_faults() {
    let m = Mock::fast();
    m.fault(r#"{"method":"GET","path":"/v1/models","action":{"type":"delay","ms":700}}"#);
    let t = Instant::now();
    assert_eq!(m.get("/v1/models", K).status, 200);
    assert!(
        t.elapsed() >= Duration::from_millis(700),
        "{:?}",
        t.elapsed()
    );
    let t = Instant::now();
    assert_eq!(m.get("/v1/models", K).status, 200);
    assert!(t.elapsed() < Duration::from_millis(700));
    // drop_before on a GET, and a preflight is not eaten by a "*" fault.
    m.fault(r#"{"method":"*","path":"/v1/models","action":{"type":"drop_before"}}"#);
    let pre = m.req(
        "OPTIONS",
        "/v1/models",
        &[
            ("Origin", "http://a.test"),
            ("Access-Control-Request-Method", "GET"),
        ],
        None,
    );
    assert_eq!(pre.status, 204);
    assert!(
        m.try_req(
            "GET",
            "/v1/models",
            &[("Authorization", "Bearer sk_test_ctl")],
            None
        )
        .is_none()
    );
    assert_eq!(m.get("/v1/models", K).status, 200);
    let log = m.control("GET", "/__mock/requests", None);
    let outcomes: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(
        outcomes,
        [
            "answered",
            "answered",
            "answered",
            "dropped_before",
            "answered"
        ]
    );
    assert!(log[0]["fault"].as_str().unwrap().starts_with("flt_"));
}

#[test]
fn request_log_reset_and_clock() {
    let m = Mock::slow();
    let r = m.req(
        "POST",
        "/v1/videos?x=1",
        &[
            ("Authorization", "Bearer sk_test_log"),
            ("X-Custom", "Yes"),
            ("Idempotency-Key", "log-1"),
        ],
        Some(VIDEO.as_bytes()),
    );
    assert_eq!(r.status, 202);
    m.req(
        "OPTIONS",
        "/v1/videos",
        &[
            ("Origin", "http://a.test"),
            ("Access-Control-Request-Method", "POST"),
        ],
        None,
    );
    let log = m.control("GET", "/__mock/requests", None);
    let e = &log[0];
    assert_eq!(e["method"], "POST");
    assert_eq!(e["path"], "/v1/videos");
    assert_eq!(e["query"], "x=1");
    assert_eq!(e["headers"]["x-custom"], "Yes");
    assert_eq!(e["headers"]["idempotency-key"], "log-1");
    assert_eq!(e["body"], VIDEO);
    assert_eq!(e["status"], 202);
    assert_eq!(e["preflight"], false);
    assert!(e["time_ms"].is_u64() && e["wall_ms"].is_u64());
    assert_eq!(e["request_id"], r.header("x-request-id").unwrap());
    assert_eq!(log[1]["preflight"], true);
    assert!(log[1]["body"].is_null());
    assert_eq!(
        log.as_array().unwrap().len(),
        2,
        "control calls are not logged"
    );
    m.control("DELETE", "/__mock/requests", None);
    assert_eq!(
        m.control("GET", "/__mock/requests", None)
            .as_array()
            .unwrap()
            .len(),
        0
    );

    // Clock.
    let c0 = m.control("GET", "/__mock/clock", None)["now_ms"]
        .as_u64()
        .unwrap();
    let c1 = m.control("POST", "/__mock/clock/advance", Some(r#"{"ms":5000}"#));
    assert!(c1["now_ms"].as_u64().unwrap() >= c0 + 5000);
    assert_eq!(c1["advanced_ms"], 5000);
    assert_eq!(
        m.req("POST", "/__mock/clock/advance", &[], Some(b"{\"ms\":-5}"))
            .status,
        400
    );

    // Reset clears keys, wallets, jobs, store, faults, config.
    m.config(r#"{"org":"log","balance":5,"plan":"team"}"#);
    m.control(
        "POST",
        "/__mock/keys/revoke",
        Some(r#"{"key":"sk_test_log"}"#),
    );
    m.fault(r#"{"path":"/v1/models","action":{"type":"drop_before"}}"#);
    m.config(r#"{"expose_headers":false}"#);
    m.control("POST", "/__mock/reset", None);
    let l = m.ledger();
    assert_eq!(l["generations_created"], 0);
    assert_eq!(l["credits_reserved"], 0);
    assert_eq!(l["orgs"].as_object().unwrap().len(), 0);
    assert_eq!(
        m.control("GET", "/__mock/faults", None)
            .as_array()
            .unwrap()
            .len(),
        0
    );
    assert_eq!(m.control("GET", "/__mock/clock", None)["advanced_ms"], 0);
    let r = m.get("/v1/models", "sk_test_log");
    assert_eq!(r.status, 200, "revocation was reset");
    assert_eq!(r.header("x-ratelimit-limit"), Some("300"));
    assert!(r.header("access-control-expose-headers").is_some());
    // Idempotency store was reset: the same key creates a new job.
    let again = m.post("/v1/videos", "sk_test_log", VIDEO, Some("log-1"));
    assert!(again.header("idempotent-replayed").is_none());
    let cfg = m.control("GET", "/__mock/config?org=log", None);
    assert_eq!(cfg["org"]["balance"], 1_000_000 - 300);
    assert_eq!(cfg["org"]["plan"], "pro");
}

#[test]
fn config_is_validated() {
    let m = Mock::fast();
    for bad in [
        r#"{"balance":5}"#,
        r#"{"org":"a","plan":"gold"}"#,
        r#"{"org":"a","balance":"5"}"#,
        r#"{"expose_headers":"no"}"#,
        r#"{"org":""}"#,
        "nope",
    ] {
        assert_eq!(
            m.req("POST", "/__mock/config", &[], Some(bad.as_bytes()))
                .status,
            400,
            "{bad}"
        );
    }
    // Extreme values do not overflow anything.
    m.config(r#"{"org":"big","balance":9223372036854775807,"monthly_quota_remaining":9223372036854775807}"#);
    let g = m.post("/v1/videos", "sk_test_big", VIDEO, None).json();
    let id = g["id"].as_str().unwrap();
    assert_eq!(
        m.post(
            &format!("/v1/generations/{id}/cancel"),
            "sk_test_big",
            "",
            None
        )
        .status,
        200
    );
    m.config(r#"{"org":"big","balance":-9223372036854775808}"#);
    m.post("/v1/videos", "sk_test_big", VIDEO, None)
        .expect_error(402, "insufficient_credits");
    m.control(
        "POST",
        "/__mock/clock/advance",
        Some(r#"{"ms":18446744073709551615}"#),
    );
    assert_eq!(
        m.get(&format!("/v1/generations/{id}"), "sk_test_big")
            .status,
        200
    );
    assert_eq!(m.get("/v1/models", "sk_test_big").status, 200);
}

#[test]
fn cors_preflight_and_exposed_headers() {
    let m = Mock::fast();
    let pre = m.req(
        "OPTIONS",
        "/v1/videos",
        &[
            ("Origin", "http://localhost:5173"),
            ("Access-Control-Request-Method", "POST"),
            (
                "Access-Control-Request-Headers",
                "authorization, content-type, idempotency-key",
            ),
        ],
        None,
    );
    assert_eq!(pre.status, 204);
    assert_eq!(pre.header("access-control-allow-origin"), Some("*"));
    let methods = pre.header("access-control-allow-methods").unwrap();
    for want in ["GET", "POST", "PATCH", "DELETE", "OPTIONS"] {
        assert!(methods.contains(want), "{methods}");
    }
    let allowed = pre
        .header("access-control-allow-headers")
        .unwrap()
        .to_ascii_lowercase();
    for want in ["authorization", "content-type", "idempotency-key"] {
        assert!(allowed.contains(want), "{allowed}");
    }
    assert!(pre.header("access-control-max-age").is_some());
    // Preflights need no key and are not rate-limited or authenticated.
    assert!(pre.header("x-ratelimit-limit").is_none());

    let expose_ok = |r: &common::Resp| {
        let exp = r
            .header("access-control-expose-headers")
            .unwrap_or("")
            .to_ascii_lowercase();
        [
            "x-request-id",
            "retry-after",
            "x-ratelimit-limit",
            "x-ratelimit-remaining",
            "x-ratelimit-reset",
            "idempotent-replayed",
        ]
        .iter()
        .all(|h| exp.contains(h))
    };
    let ok = m.get("/v1/models", K);
    assert!(expose_ok(&ok));
    assert_eq!(ok.header("access-control-allow-origin"), Some("*"));
    assert_eq!(
        ok.header("cross-origin-resource-policy"),
        Some("cross-origin")
    );
    let err = m.req("GET", "/v1/models", &[], None);
    assert!(expose_ok(&err) && err.header("access-control-allow-origin") == Some("*"));
    // Control endpoints are CORS-enabled too.
    let c = m.req(
        "GET",
        "/__mock/ledger",
        &[("Origin", "http://a.test")],
        None,
    );
    assert_eq!(c.header("access-control-allow-origin"), Some("*"));
    assert_eq!(m.req("OPTIONS", "/__mock/faults", &[], None).status, 204);
    // Switch the exposure off at run time, and back on.
    m.config(r#"{"expose_headers":false}"#);
    let hidden = m.get("/v1/models", K);
    assert!(hidden.header("access-control-expose-headers").is_none());
    assert_eq!(hidden.header("access-control-allow-origin"), Some("*"));
    m.config(r#"{"expose_headers":true}"#);
    assert!(expose_ok(&m.get("/v1/models", K)));
    // And from the command line.
    let quiet = Mock::start(&["--time-scale", "0.01", "--no-expose-headers"]);
    let r = quiet.get("/v1/models", K);
    assert_eq!(r.status, 200);
    assert!(r.header("access-control-expose-headers").is_none());
    assert!(r.header("x-request-id").is_some());
}

#[test]
fn hostile_input_never_crashes_the_server() {
    let mut m = Mock::fast();
    // Huge body with a Content-Length: a clear 413.
    let big = vec![b'a'; 2 * 1024 * 1024];
    let r = m.req(
        "POST",
        "/v1/images",
        &[
            ("Authorization", "Bearer sk_test_h"),
            ("Content-Type", "application/json"),
        ],
        Some(&big),
    );
    let e = r.expect_error(413, "body_too_large");
    assert_eq!(e["type"], "invalid_request");
    // Chunked, no length.
    let mut raw = format!(
        "POST /v1/images HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nAuthorization: Bearer sk_test_h\r\nTransfer-Encoding: chunked\r\n\r\n",
        m.addr
    )
    .into_bytes();
    for _ in 0..20 {
        raw.extend_from_slice(format!("{:x}\r\n", 100_000).as_bytes());
        raw.extend_from_slice(&[b'b'; 100_000]);
        raw.extend_from_slice(b"\r\n");
    }
    raw.extend_from_slice(b"0\r\n\r\n");
    raw_exchange(&m.addr, &raw)
        .unwrap()
        .expect_error(413, "body_too_large");
    // An absurd Content-Length is refused without reading.
    let raw = format!(
        "POST /v1/images HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Length: 99999999999\r\n\r\nabc",
        m.addr
    );
    if let Some(r) = raw_exchange(&m.addr, raw.as_bytes()) {
        assert!(r.status == 413 || r.status == 400, "{}", r.status);
    }
    // Bad JSON in many shapes.
    for body in [
        &b"{"[..],
        b"null",
        b"\"str\"",
        b"{\"model\":\"m\",\"prompt\":\"p\",}",
        b"\xff\xfe\x00",
        b"{\"model\":\"m\",\"prompt\":\"\\ud800\"}",
        b"{\"model\":\"m\",\"prompt\":\"p\",\"num_outputs\":1e400}",
        b"{\"model\":\"m\",\"prompt\":\"p\",\"seed\":123456789012345678901234567890}",
    ] {
        let r = m.req(
            "POST",
            "/v1/images",
            &[("Authorization", "Bearer sk_test_h")],
            Some(body),
        );
        assert_eq!(
            r.status,
            400,
            "{:?} -> {}",
            String::from_utf8_lossy(body),
            r.text()
        );
    }
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    m.req(
        "POST",
        "/v1/images",
        &[("Authorization", "Bearer sk_test_h")],
        Some(deep.as_bytes()),
    )
    .expect_error(400, "invalid_body");
    let deep_obj = format!("{}1{}", "{\"a\":".repeat(5000), "}".repeat(5000));
    m.req(
        "POST",
        "/v1/chat",
        &[("Authorization", "Bearer sk_test_h")],
        Some(deep_obj.as_bytes()),
    )
    .expect_error(400, "invalid_body");
    // Odd headers.
    let odd: &[&[u8]] = &[
        b"Authorization: Bearer \xc3\x28\r\n",
        b"Authorization: \x01\x02\r\n",
        b"Idempotency-Key: \xff\xfe\r\nAuthorization: Bearer sk_test_h\r\n",
        b"Authorization: Bearer sk_test_h\r\nAuthorization: Bearer sk_test_other\r\n",
        b"X-Forwarded-For: not-an-ip\r\nAuthorization: Bearer sk_test_h\r\n",
        b"Host: \r\nAuthorization: Bearer sk_test_h\r\n",
        b"Content-Length: abc\r\n",
        b"Content-Length: 5\r\nContent-Length: 6\r\n",
        b"Transfer-Encoding: gzip, chunked\r\n",
        b"Bad Header Line\r\n",
        b": empty-name\r\n",
    ];
    for h in odd {
        let mut raw = format!(
            "POST /v1/images HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n",
            m.addr
        )
        .into_bytes();
        raw.extend_from_slice(h);
        raw.extend_from_slice(b"Content-Length: 2\r\n\r\n{}");
        if let Some(r) = raw_exchange(&m.addr, &raw) {
            assert!((200..600).contains(&r.status));
        }
    }
    let long_header = format!(
        "GET /v1/models HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Long: {}\r\n\r\n",
        "a".repeat(1 << 20)
    );
    if let Some(r) = raw_exchange(&m.addr, long_header.as_bytes()) {
        assert!(r.status >= 400);
    }
    let many: String = (0..500).map(|i| format!("X-H{i}: v\r\n")).collect();
    let raw = format!("GET /v1/models HTTP/1.1\r\nHost: x\r\nConnection: close\r\n{many}\r\n");
    if let Some(r) = raw_exchange(&m.addr, raw.as_bytes()) {
        assert!(r.status >= 400);
    }
    for garbage in [
        &b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"[..],
        b"GET\r\n\r\n",
        b"GET /v1/models HTTP/9.9\r\n\r\n",
        b"BREW /v1/models HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        b"GET /v1/%zz/%00/../.. HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        b"GET http://evil/v1/models HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer sk_test_h\r\n\r\n",
        b"\r\n\r\n\r\n",
    ] {
        // Some of these leave hyper waiting for a request line: don't wait long.
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(&m.addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
        let _ = s.write_all(garbage);
        let mut sink = Vec::new();
        let _ = s.read_to_end(&mut sink);
    }
    // Half-sent request, then hang up.
    {
        use std::io::Write;
        let mut s = std::net::TcpStream::connect(&m.addr).unwrap();
        s.write_all(b"POST /v1/images HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{\"mod")
            .unwrap();
    }
    // Query oddities on usage.
    for q in [
        "?start=%ff%fe",
        "?group_by=",
        "?start=2026-02-30",
        "?end=2026-01-01T00:00:00+25:00",
        "?&&=&",
    ] {
        let r = m.get(&format!("/v1/usage{q}"), "sk_test_h");
        assert!(r.status == 200 || r.status == 400, "{q}: {}", r.status);
    }
    // Still alive and well.
    std::thread::sleep(Duration::from_millis(100));
    assert!(m.alive());
    assert_eq!(m.get("/v1/models", "sk_test_h").status, 200);
    assert_eq!(
        m.post(
            "/v1/images",
            "sk_test_h",
            r#"{"model":"m","prompt":"ok"}"#,
            None
        )
        .status,
        200
    );
}

#[test]
fn exits_cleanly_on_sigterm_and_sigint() {
    for sig in ["TERM", "INT"] {
        let mut m = Mock::fast();
        assert_eq!(m.get("/v1/models", K).status, 200);
        let pid = m.child.id().to_string();
        let ok = std::process::Command::new("kill")
            .args([&format!("-{sig}"), &pid])
            .status()
            .unwrap();
        assert!(ok.success());
        let deadline = Instant::now() + Duration::from_secs(10);
        let status = loop {
            if let Some(s) = m.child.try_wait().unwrap() {
                break s;
            }
            assert!(Instant::now() < deadline, "did not exit on SIG{sig}");
            std::thread::sleep(Duration::from_millis(20));
        };
        assert!(status.success(), "SIG{sig}: {status:?}");
    }
}
