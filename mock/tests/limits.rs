//! Rate limits, monthly quota, anomaly pause and idempotency, over real HTTP.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use common::Mock;

const VIDEO: &str = r#"{"model":"veo-3-1-fast","prompt":"a red fox","duration_s":5}"#;

fn epoch_s() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[test]
fn rate_limiter_at_its_boundary() {
    let m = Mock::slow();
    let key = "sk_test_free_rl"; // Free plan: 60 rpm
    let t0 = epoch_s();
    for i in 0..60u32 {
        let r = m.get("/v1/models", key);
        assert_eq!(r.status, 200, "request {i}: {}", r.text());
        assert_eq!(r.header("x-ratelimit-limit"), Some("60"));
        assert_eq!(
            r.header("x-ratelimit-remaining").unwrap(),
            (59 - i).to_string()
        );
        let reset: u64 = r.header("x-ratelimit-reset").unwrap().parse().unwrap();
        assert!(
            reset >= t0 + 59 && reset <= epoch_s() + 61,
            "reset {reset} is epoch seconds ~60 s ahead"
        );
    }
    let r = m.get("/v1/models", key);
    let e = r.expect_error(429, "rate_limited");
    assert_eq!(e["type"], "rate_limited");
    assert!(e["message"].as_str().unwrap().contains("60 rpm"));
    assert_eq!(r.header("x-ratelimit-remaining"), Some("0"));
    let retry: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    // Rejected requests are not counted, every response carries the headers,
    // and another key of the same org has its own bucket.
    m.get("/v1/models", key).expect_error(429, "rate_limited");
    assert_eq!(m.get("/v1/models", "sk_test_free_other").status, 200);
    // Slide the window: a client that honours Retry-After gets through, and
    // not (much) earlier.
    m.advance((retry - 3) * 1000);
    m.get("/v1/models", key).expect_error(429, "rate_limited");
    m.advance(3000);
    let r = m.get("/v1/models", key);
    assert_eq!(r.status, 200, "{}", r.text());
    // A plan change takes effect at once.
    m.config(r#"{"org":"free","plan":"studio"}"#);
    assert_eq!(
        m.get("/v1/models", key).header("x-ratelimit-limit"),
        Some("600")
    );
}

#[test]
fn retry_after_is_scaled_and_at_least_one() {
    let m = Mock::fast();
    let key = "sk_test_free_fast";
    let mut limited = None;
    for _ in 0..200 {
        let r = m.get("/v1/models", key);
        if r.status == 429 {
            limited = Some(r);
            break;
        }
    }
    // At scale 0.01 the 60 s window is 0.6 s: we may or may not reach the limit
    // before it slides; if we did, Retry-After is 1.
    if let Some(r) = limited {
        assert_eq!(r.header("retry-after"), Some("1"));
    }
}

#[test]
fn monthly_quota_exceeded() {
    let m = Mock::fast();
    m.config(r#"{"org":"quota","monthly_quota_remaining":100}"#);
    let k = "sk_test_quota";
    assert_eq!(
        m.post(
            "/v1/images",
            k,
            r#"{"model":"flux-pro","prompt":"x"}"#,
            None
        )
        .status,
        200
    );
    let r = m.post("/v1/videos", k, VIDEO, None);
    let e = r.expect_error(429, "quota_exceeded");
    assert_eq!(e["type"], "quota_exceeded");
    assert!(r.header("retry-after").is_none());
    assert!(r.header("x-ratelimit-limit").is_some());
    m.config(r#"{"org":"quota","monthly_quota_remaining":0}"#);
    m.post(
        "/v1/images",
        k,
        r#"{"model":"flux-pro","prompt":"x"}"#,
        None,
    )
    .expect_error(429, "quota_exceeded");
    assert_eq!(m.get("/v1/models", k).status, 200, "reads are not billable");
    m.config(r#"{"org":"quota","monthly_quota_remaining":null}"#);
    assert_eq!(m.post("/v1/videos", k, VIDEO, None).status, 202);
}

#[test]
fn anomaly_pause_answers_429_with_1800_and_resume_time() {
    let m = Mock::slow();
    let k = "sk_test_anom";
    m.config(r#"{"org":"anom","anomaly_pause":true}"#);
    let r = m.post("/v1/videos", k, VIDEO, None);
    let e = r.expect_error(429, "anomaly_paused");
    assert_eq!(e["type"], "rate_limited");
    assert_eq!(r.header("retry-after"), Some("1800"));
    let msg = e["message"].as_str().unwrap();
    let at = msg.split("Resumes at ").nth(1).expect(msg);
    assert_eq!(at.len(), "2026-05-19T16:30:00Z.".len(), "{msg}");
    assert!(at.ends_with("Z."), "{msg}");
    // Other orgs are unaffected; time heals.
    assert_eq!(
        m.post("/v1/videos", "sk_test_other", VIDEO, None).status,
        202
    );
    m.advance(1_800_000);
    assert_eq!(m.post("/v1/videos", k, VIDEO, None).status, 202);
    // Lifted by config, too.
    m.config(r#"{"org":"anom","anomaly_pause":true}"#);
    m.get("/v1/models", k).expect_error(429, "anomaly_paused");
    m.config(r#"{"org":"anom","anomaly_pause":false}"#);
    assert_eq!(m.get("/v1/models", k).status, 200);

    // The detector itself: spending over the hourly limit pauses the org.
    m.config(r#"{"org":"spender","anomaly_hourly_limit":500}"#);
    assert_eq!(
        m.post("/v1/videos", "sk_test_spender", VIDEO, None).status,
        202
    ); // 300
    assert_eq!(
        m.post("/v1/videos", "sk_test_spender", VIDEO, None).status,
        202
    ); // 600 > 500: paused
    m.post("/v1/videos", "sk_test_spender", VIDEO, None)
        .expect_error(429, "anomaly_paused");
}

#[test]
fn anomaly_retry_after_is_scaled() {
    let m = Mock::fast();
    m.config(r#"{"org":"anom","anomaly_pause":true}"#);
    let r = m.get("/v1/models", "sk_test_anom");
    r.expect_error(429, "anomaly_paused");
    assert_eq!(r.header("retry-after"), Some("18"));
}

#[test]
fn idempotent_replay_and_reuse() {
    let m = Mock::slow();
    let k = "sk_test_idem";
    let first = m.post("/v1/videos", k, VIDEO, Some("key-1"));
    assert_eq!(first.status, 202);
    assert!(first.header("idempotent-replayed").is_none());
    // Same body, other key order and spacing: replay.
    let same = r#"{ "duration_s": 5, "prompt": "a red fox", "model": "veo-3-1-fast" }"#;
    let again = m.post("/v1/videos", k, same, Some("key-1"));
    assert_eq!(again.status, 202);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(again.header("x-request-id"), first.header("x-request-id"));
    assert_eq!(again.body, first.body);
    assert!(again.header("x-ratelimit-remaining").is_some());
    // Different body: 409.
    let e = m
        .post(
            "/v1/videos",
            k,
            r#"{"model":"veo-3-1-fast","prompt":"a blue fox"}"#,
            Some("key-1"),
        )
        .expect_error(409, "idempotency_key_reuse");
    assert_eq!(e["type"], "conflict");
    // Same key on another endpoint is a different request too.
    m.post("/v1/music", k, VIDEO, Some("key-1"))
        .expect_error(409, "idempotency_key_reuse");
    // Keys are per API key: another key (even of the same org) starts afresh.
    let other = m.post("/v1/videos", "sk_test_idem_2", VIDEO, Some("key-1"));
    assert!(other.header("idempotent-replayed").is_none());
    assert_ne!(other.json()["id"], first.json()["id"]);
    // Length: 200 ok, 201 refused.
    let k200 = "a".repeat(200);
    assert_eq!(m.post("/v1/videos", k, VIDEO, Some(&k200)).status, 202);
    let e = m
        .post("/v1/videos", k, VIDEO, Some(&"a".repeat(201)))
        .expect_error(400, "idempotency_key_too_long");
    assert_eq!(e["type"], "invalid_request");
    // Ignored on GET (even an over-long one).
    let id = first.json()["id"].as_str().unwrap().to_owned();
    let auth = format!("Bearer {k}");
    for key in ["key-1", &"b".repeat(300)] {
        let g = m.req(
            "GET",
            &format!("/v1/generations/{id}"),
            &[("Authorization", &auth), ("Idempotency-Key", key)],
            None,
        );
        assert_eq!(g.status, 200);
        assert!(g.header("idempotent-replayed").is_none());
    }
    // Errors are not stored: a 402 then a retry after a top-up creates the job.
    m.config(r#"{"org":"idem","balance":0}"#);
    m.post("/v1/videos", k, VIDEO, Some("key-2"))
        .expect_error(402, "insufficient_credits");
    m.config(r#"{"org":"idem","balance":100000}"#);
    let ok = m.post("/v1/videos", k, VIDEO, Some("key-2"));
    assert_eq!(ok.status, 202);
    assert!(ok.header("idempotent-replayed").is_none());
    // 24-hour window: replayed just inside it, forgotten after.
    m.advance(24 * 3600 * 1000 - 60_000);
    assert_eq!(
        m.post("/v1/videos", k, VIDEO, Some("key-1"))
            .header("idempotent-replayed"),
        Some("true")
    );
    m.advance(120_000);
    let fresh = m.post("/v1/videos", k, VIDEO, Some("key-1"));
    assert_eq!(fresh.status, 202);
    assert!(fresh.header("idempotent-replayed").is_none());
    assert_ne!(fresh.json()["id"], first.json()["id"]);
    let l = m.ledger();
    // first, other, k200, key-2, fresh
    assert_eq!(l["generations_created"], 5);
}

#[test]
fn two_in_flight_requests_with_one_key() {
    let m = Mock::fast();
    m.fault(
        r#"{"method":"POST","path":"/v1/videos","count":1,"action":{"type":"delay","ms":1500}}"#,
    );
    let addr = m.addr.clone();
    let base = m.base.clone();
    let slow = std::thread::spawn(move || {
        let _ = base;
        let body = VIDEO.as_bytes();
        let raw = format!(
            "POST /v1/videos HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nAuthorization: Bearer sk_test_race\r\n\
             Content-Type: application/json\r\nIdempotency-Key: race-1\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        let mut bytes = raw.into_bytes();
        bytes.extend_from_slice(body);
        let t = Instant::now();
        (common::raw_exchange(&addr, &bytes).unwrap(), t.elapsed())
    });
    std::thread::sleep(Duration::from_millis(400));
    let e = m
        .post("/v1/videos", "sk_test_race", VIDEO, Some("race-1"))
        .expect_error(409, "idempotency_key_in_use");
    assert_eq!(e["type"], "conflict");
    let (first, took) = slow.join().unwrap();
    assert_eq!(first.status, 202, "{}", first.text());
    assert!(took >= Duration::from_millis(1400), "{took:?}");
    let replay = m.post("/v1/videos", "sk_test_race", VIDEO, Some("race-1"));
    assert_eq!(replay.header("idempotent-replayed"), Some("true"));
    assert_eq!(replay.json()["id"], first.json()["id"]);
    assert_eq!(m.ledger()["generations_created"], 1);
}

#[test]
fn replay_after_a_drop_after_work_returns_the_original_generation() {
    let m = Mock::fast();
    let k = "sk_test_drop";
    m.fault(r#"{"method":"POST","path":"/v1/videos","action":{"type":"drop_after"}}"#);
    assert!(
        m.try_post("/v1/videos", k, VIDEO, Some("drop-1")).is_none(),
        "expected a dropped connection"
    );
    // The work was done: one generation, reserved.
    let l = m.ledger();
    assert_eq!(l["generations_created"], 1);
    assert_eq!(l["credits_reserved"], 300);
    let gen_id = l["generations"][0]["id"].as_str().unwrap().to_owned();
    let log = m.control("GET", "/__mock/requests", None);
    let entry = &log.as_array().unwrap()[0];
    assert_eq!(entry["outcome"], "dropped_after");
    let original_rid = entry["request_id"].as_str().unwrap().to_owned();
    // The retry with the same key gets the original answer, not a second job.
    let r = m.post("/v1/videos", k, VIDEO, Some("drop-1"));
    assert_eq!(r.status, 202);
    assert_eq!(r.header("idempotent-replayed"), Some("true"));
    assert_eq!(r.header("x-request-id"), Some(original_rid.as_str()));
    assert_eq!(r.json()["id"], gen_id.as_str());
    assert_eq!(r.json()["status"], "queued");
    let g = m.wait_gen(&gen_id, k);
    assert_eq!(g["status"], "succeeded");
    let l = m.ledger();
    assert_eq!(l["generations_created"], 1);
    assert_eq!(l["credits_charged"], 300);

    // drop_before: nothing happens, and the retry creates it.
    m.fault(r#"{"method":"POST","path":"/v1/videos","action":{"type":"drop_before"}}"#);
    assert!(m.try_post("/v1/videos", k, VIDEO, Some("drop-2")).is_none());
    assert_eq!(m.ledger()["generations_created"], 1);
    let r = m.post("/v1/videos", k, VIDEO, Some("drop-2"));
    assert_eq!(r.status, 202);
    assert!(r.header("idempotent-replayed").is_none());
    assert_eq!(m.ledger()["generations_created"], 2);
}
