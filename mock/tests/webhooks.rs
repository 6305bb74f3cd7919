//! Webhook deliveries over real HTTP: a small receiver listens on
//! 127.0.0.1:0, the mock POSTs signed events to it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use common::Mock;
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

const K: &str = "sk_test_hooks";
const IMAGE: &str = r#"{"model":"flux-pro","prompt":"a lighthouse"}"#;
const IMAGE_FAIL: &str = r#"{"model":"flux-pro","prompt":"fail-job please"}"#;

/// One POST the receiver got.
#[derive(Debug, Clone)]
struct Got {
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    /// Real epoch seconds when it arrived.
    at_s: u64,
    /// Real time when it arrived.
    at: Instant,
}

impl Got {
    fn header(&self, name: &str) -> &str {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("no {name} header in {:?}", self.headers))
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }

    /// `(t, v1)` from `X-Rimp-Signature`.
    fn signature(&self) -> (u64, String) {
        let h = self.header("x-rimp-signature");
        let mut t = None;
        let mut v1 = None;
        for part in h.split(',') {
            let (k, v) = part.split_once('=').unwrap();
            match k {
                "t" => t = Some(v.parse().unwrap()),
                "v1" => v1 = Some(v.to_owned()),
                other => panic!("unexpected part {other} in {h}"),
            }
        }
        (t.unwrap(), v1.unwrap())
    }

    /// Whether the signature verifies with `secret` (computed here, with the
    /// `hmac` crate directly, not with the mock's code).
    fn verifies(&self, secret: &str) -> bool {
        let (t, v1) = self.signature();
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(format!("{t}.").as_bytes());
        mac.update(&self.body);
        let want: String = mac
            .finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        want == v1
    }
}

#[derive(Default)]
struct Inner {
    got: Vec<Got>,
    /// Statuses to answer, in order; 200 when empty.
    script: VecDeque<u16>,
    /// Real ms to wait before answering.
    delay_ms: u64,
}

/// A tiny HTTP/1.1 server that records every request.
#[derive(Clone)]
struct Receiver {
    inner: Arc<(Mutex<Inner>, Condvar)>,
    url: String,
}

fn now_s() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

impl Receiver {
    fn start() -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/hooks/rimp", listener.local_addr().unwrap());
        let inner: Arc<(Mutex<Inner>, Condvar)> = Arc::default();
        let shared = Arc::clone(&inner);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let shared = Arc::clone(&shared);
                std::thread::spawn(move || serve_one(stream, &shared));
            }
        });
        Receiver { inner, url }
    }

    fn script(&self, statuses: &[u16]) {
        self.inner.0.lock().unwrap().script.extend(statuses);
    }

    fn set_delay(&self, ms: u64) {
        self.inner.0.lock().unwrap().delay_ms = ms;
    }

    fn all(&self) -> Vec<Got> {
        self.inner.0.lock().unwrap().got.clone()
    }

    /// Waits until at least `n` requests have arrived; returns them all.
    fn wait_for(&self, n: usize) -> Vec<Got> {
        let (lock, cv) = &*self.inner;
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut g = lock.lock().unwrap();
        while g.got.len() < n {
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "waited for {n} deliveries, got {}",
                g.got.len()
            );
            g = cv.wait_timeout(g, left).unwrap().0;
        }
        g.got.clone()
    }

    /// `wait_for(n)`, then makes sure nothing more arrives for a while.
    fn exactly(&self, n: usize) -> Vec<Got> {
        self.wait_for(n);
        std::thread::sleep(Duration::from_millis(300));
        let all = self.all();
        assert_eq!(all.len(), n, "{:#?}", kinds(&all));
        all
    }
}

fn kinds(got: &[Got]) -> Vec<String> {
    let mut k: Vec<String> = got
        .iter()
        .map(|g| g.header("x-rimp-event").to_owned())
        .collect();
    k.sort();
    k
}

fn serve_one(stream: TcpStream, shared: &(Mutex<Inner>, Condvar)) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let path = line.split(' ').nth(1).unwrap_or("").to_owned();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        reader.read_line(&mut h).unwrap();
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        let (n, v) = h.split_once(':').unwrap();
        headers.push((n.trim().to_ascii_lowercase(), v.trim().to_owned()));
    }
    let len: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .map(|(_, v)| v.parse().unwrap())
        .unwrap_or(0);
    let mut body = vec![0u8; len];
    reader.read_exact(&mut body).unwrap();
    let (status, delay) = {
        let (lock, cv) = shared;
        let mut g = lock.lock().unwrap();
        g.got.push(Got {
            path,
            headers,
            body,
            at_s: now_s(),
            at: Instant::now(),
        });
        cv.notify_all();
        let status = g.script.pop_front().unwrap_or(200);
        (status, g.delay_ms)
    };
    std::thread::sleep(Duration::from_millis(delay));
    let mut stream = stream;
    let _ = write!(
        stream,
        "HTTP/1.1 {status} X\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
    );
    let _ = stream.flush();
}

/// Registers a webhook for `key`; returns `(id, secret)`.
fn register(m: &Mock, key: &str, url: &str, events: &[&str]) -> (String, String) {
    let body = serde_json::json!({"url": url, "events": events}).to_string();
    let r = m.post("/v1/webhooks", key, &body, None);
    assert_eq!(r.status, 200, "{}", r.text());
    let v = r.json();
    let secret = v["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"));
    (v["id"].as_str().unwrap().to_owned(), secret)
}

fn deliveries(m: &Mock, query: &str) -> Vec<Value> {
    m.control("GET", &format!("/__mock/webhooks/deliveries{query}"), None)
        .as_array()
        .unwrap()
        .clone()
}

/// Waits until every delivery in the log has finished.
fn settled_deliveries(m: &Mock) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let all = deliveries(m, "");
        if all.iter().all(|d| d["status"] != "pending") {
            return all;
        }
        assert!(Instant::now() < deadline, "deliveries stuck: {all:#?}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn image_generation_delivers_a_signed_event() {
    let m = Mock::fast();
    let rx = Receiver::start();
    let (hook_id, secret) = register(&m, K, &rx.url, &["generation.completed"]);
    let g = m.post("/v1/images", K, IMAGE, None).json();
    let gen_id = g["id"].as_str().unwrap();
    let got = rx.exactly(1);
    let d = &got[0];
    assert_eq!(d.path, "/hooks/rimp");
    assert_eq!(d.header("content-type"), "application/json");
    assert_eq!(d.header("x-rimp-event"), "generation.completed");
    let delivery_id = d.header("x-rimp-delivery").to_owned();
    assert!(delivery_id.starts_with("whd_"), "{delivery_id}");
    // The signature: t=<unix seconds>,v1=<64 lowercase hex>, HMAC-SHA-256
    // keyed with the whole whsec_ string over "<t>.<raw body>".
    let (t, v1) = d.signature();
    assert!(t.abs_diff(d.at_s) <= 2, "t={t} arrived at {}", d.at_s);
    assert_eq!(v1.len(), 64);
    assert!(
        v1.bytes()
            .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
    );
    assert!(d.verifies(&secret));
    assert!(!d.verifies("whsec_someone_else"));
    // The event.
    let ev = d.json();
    assert!(ev["id"].as_str().unwrap().starts_with("evt_"));
    assert_eq!(ev["type"], "generation.completed");
    assert!(ev["created"].is_u64());
    assert!(ev["created_at"].as_str().unwrap().ends_with('Z'));
    let data = &ev["data"];
    assert_eq!(data["generation_id"], gen_id);
    assert_eq!(data["id"], gen_id);
    assert_eq!(data["object"], "generation");
    assert_eq!(data["modality"], "image");
    assert_eq!(data["status"], "succeeded");
    assert_eq!(data["charged_credits"], 10);
    let url = data["outputs"][0]["url"].as_str().unwrap();
    assert!(url.starts_with(&m.base), "{url}");
    // The log.
    let log = settled_deliveries(&m);
    assert_eq!(log.len(), 1);
    let l = &log[0];
    assert_eq!(l["id"], delivery_id.as_str());
    assert_eq!(l["event_id"], ev["id"]);
    assert_eq!(l["type"], "generation.completed");
    assert_eq!(l["webhook_id"], hook_id.as_str());
    assert_eq!(l["url"], rx.url.as_str());
    assert_eq!(l["org"], "hooks");
    assert_eq!(l["status"], "succeeded");
    assert_eq!(l["attempt_count"], 1);
    assert_eq!(l["next_attempt_ms"], Value::Null);
    assert_eq!(
        l["body"],
        String::from_utf8(d.body.clone()).unwrap().as_str()
    );
    let a = &l["attempts"][0];
    assert_eq!(a["attempt"], 1);
    assert_eq!(a["status"], 200);
    assert_eq!(a["error"], Value::Null);
    assert_eq!(a["outcome"], "succeeded");
    assert_eq!(a["signature"], d.header("x-rimp-signature"));
    assert_eq!(a["timestamp"], t);
    assert_eq!(a["fault"], Value::Null);
    assert!(a["time_ms"].is_u64() && a["wall_ms"].is_u64() && a["duration_ms"].is_u64());
    // The secret is also visible to tests through the control API.
    let hooks = m.control("GET", "/__mock/webhooks", None);
    assert_eq!(hooks[0]["secret"], secret.as_str());
}

#[test]
fn events_are_filtered_by_subscription_and_org() {
    let m = Mock::fast();
    let failed_only = Receiver::start();
    let everything = Receiver::start();
    let other_org = Receiver::start();
    let (_, s_failed) = register(&m, K, &failed_only.url, &["generation.failed"]);
    let (_, s_all) = register(&m, "sk_test_hooks_2", &everything.url, &["*"]);
    register(&m, "sk_test_otherorg", &other_org.url, &["*"]);

    // A succeeded image, a failed image, a video, a canceled video, a
    // comparison, and an anomaly pause.
    m.post("/v1/images", K, IMAGE, None);
    let failed = m.post("/v1/images", K, IMAGE_FAIL, None).json();
    assert_eq!(failed["status"], "failed");
    let video = m
        .post(
            "/v1/videos",
            K,
            r#"{"model":"veo-3-1-fast","prompt":"waves"}"#,
            None,
        )
        .json();
    let canceled = m
        .post(
            "/v1/videos",
            K,
            r#"{"model":"veo-3-1-fast","prompt":"x"}"#,
            None,
        )
        .json();
    let r = m.post(
        &format!(
            "/v1/generations/{}/cancel",
            canceled["id"].as_str().unwrap()
        ),
        K,
        "",
        None,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let cmp = m
        .post(
            "/v1/comparisons",
            K,
            r#"{"prompt":"p","models":["flux-pro","fail-model"]}"#,
            None,
        )
        .json();
    m.wait_gen(video["id"].as_str().unwrap(), K);
    m.wait_cmp(cmp["id"].as_str().unwrap(), K);
    m.config(r#"{"org":"hooks","anomaly_pause":true}"#);
    // Pausing an org that is already paused is not a new pause.
    m.config(r#"{"org":"hooks","anomaly_pause":true}"#);

    let got = everything.exactly(5);
    assert_eq!(
        kinds(&got),
        [
            "comparison.completed",
            "generation.completed",
            "generation.completed",
            "generation.failed",
            "usage.anomaly_detected"
        ]
    );
    assert!(got.iter().all(|g| g.verifies(&s_all)));
    let by_kind = |k: &str| -> Vec<Value> {
        got.iter()
            .filter(|g| g.header("x-rimp-event") == k)
            .map(Got::json)
            .collect()
    };
    let cmp_ev = &by_kind("comparison.completed")[0];
    assert_eq!(cmp_ev["data"]["comparison_id"], cmp["id"]);
    assert_eq!(cmp_ev["data"]["object"], "comparison");
    assert_eq!(cmp_ev["data"]["status"], "partial");
    assert_eq!(cmp_ev["data"]["generations"].as_array().unwrap().len(), 2);
    let failed_ev = &by_kind("generation.failed")[0];
    assert_eq!(failed_ev["data"]["generation_id"], failed["id"]);
    assert_eq!(failed_ev["data"]["error"]["code"], "generation_failed");
    assert_eq!(failed_ev["data"]["refunded_credits"], 10);
    let completed: Vec<Value> = by_kind("generation.completed")
        .iter()
        .map(|e| e["data"]["modality"].clone())
        .collect();
    assert!(completed.contains(&Value::from("video")));
    assert!(completed.contains(&Value::from("image")));
    let anomaly = &by_kind("usage.anomaly_detected")[0]["data"];
    assert_eq!(anomaly["organization"], "hooks");
    assert_eq!(anomaly["reason"], "manual");
    assert_eq!(anomaly["retry_after_s"], 18);
    assert!(anomaly["resumes_at"].as_str().unwrap().ends_with('Z'));

    let got = failed_only.exactly(1);
    assert_eq!(got[0].header("x-rimp-event"), "generation.failed");
    assert!(got[0].verifies(&s_failed));
    assert!(other_org.all().is_empty());

    // The log can be filtered.
    settled_deliveries(&m);
    assert_eq!(deliveries(&m, "?type=generation.failed").len(), 2);
    assert_eq!(deliveries(&m, "?org=otherorg").len(), 0);
    assert_eq!(deliveries(&m, "?status=succeeded").len(), 6);
}

#[test]
fn the_anomaly_detector_sends_an_event() {
    let m = Mock::fast();
    let rx = Receiver::start();
    register(&m, K, &rx.url, &["usage.anomaly_detected"]);
    m.config(r#"{"org":"hooks","anomaly_hourly_limit":15}"#);
    m.post("/v1/images", K, IMAGE, None);
    assert!(rx.all().is_empty());
    assert_eq!(m.post("/v1/images", K, IMAGE, None).status, 200);
    let got = rx.exactly(1);
    let data = &got[0].json()["data"];
    assert_eq!(data["reason"], "hourly_limit");
    assert_eq!(data["hourly_limit"], 15);
    assert_eq!(data["hourly_spend"], 20);
}

#[test]
fn a_500_is_retried_with_the_same_delivery_id_and_body() {
    let m = Mock::start(&["--time-scale", "0.05"]);
    let rx = Receiver::start();
    rx.script(&[500, 503]);
    let (_, secret) = register(&m, K, &rx.url, &["*"]);
    m.post("/v1/images", K, IMAGE, None);
    let got = rx.exactly(3);
    let ids: Vec<&str> = got.iter().map(|g| g.header("x-rimp-delivery")).collect();
    assert!(ids.iter().all(|id| *id == ids[0]), "{ids:?}");
    assert!(
        got.iter()
            .all(|g| g.body == got[0].body && g.verifies(&secret))
    );
    // Waits: 1 s then 5 s of mock time, i.e. 50 ms then 250 ms at scale 0.05.
    let gap1 = got[1].at - got[0].at;
    let gap2 = got[2].at - got[1].at;
    assert!(gap1 >= Duration::from_millis(45), "{gap1:?}");
    assert!(gap2 >= Duration::from_millis(240), "{gap2:?}");
    let log = settled_deliveries(&m);
    assert_eq!(log.len(), 1);
    let l = &log[0];
    assert_eq!(l["status"], "succeeded");
    assert_eq!(l["attempt_count"], 3);
    let statuses: Vec<Value> = l["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["status"].clone())
        .collect();
    assert_eq!(statuses, [500, 503, 200]);
    assert_eq!(l["attempts"][0]["outcome"], "failed");
    for (i, a) in l["attempts"].as_array().unwrap().iter().enumerate() {
        assert_eq!(a["attempt"], i + 1);
        assert_eq!(a["signature"], got[i].header("x-rimp-signature"));
    }
}

#[test]
fn clock_advance_releases_a_waiting_retry() {
    let m = Mock::slow();
    let rx = Receiver::start();
    rx.script(&[500]);
    register(&m, K, &rx.url, &["generation.completed"]);
    m.post("/v1/images", K, IMAGE, None);
    rx.wait_for(1);
    // The retry waits 1 s of mock time; skip it.
    let d = &settled_or_pending(&m)[0];
    assert_eq!(d["status"], "pending");
    assert!(d["next_attempt_ms"].is_u64());
    m.advance(1000);
    rx.wait_for(2);
    assert_eq!(settled_deliveries(&m)[0]["status"], "succeeded");
}

fn settled_or_pending(m: &Mock) -> Vec<Value> {
    // Wait until the first attempt has been recorded.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let all = deliveries(m, "");
        if all.iter().all(|d| {
            d["attempts"]
                .as_array()
                .unwrap()
                .iter()
                .all(|a| a["outcome"] != "in_flight")
        }) {
            return all;
        }
        assert!(Instant::now() < deadline);
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn connection_failures_give_up_after_six_attempts() {
    let m = Mock::start(&["--time-scale", "0.001"]);
    // A port with nobody listening.
    let dead = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/gone", l.local_addr().unwrap())
    };
    register(&m, K, &dead, &["*"]);
    m.post("/v1/images", K, IMAGE, None);
    let log = settled_deliveries(&m);
    let l = &log[0];
    assert_eq!(l["status"], "failed");
    assert_eq!(l["attempt_count"], 6);
    for a in l["attempts"].as_array().unwrap() {
        assert_eq!(a["status"], Value::Null);
        assert!(a["error"].as_str().unwrap().contains("connect"), "{a}");
        assert_eq!(a["outcome"], "failed");
    }
    assert_eq!(l["next_attempt_ms"], Value::Null);
}

#[test]
fn bad_signature_and_old_timestamp_faults() {
    let m = Mock::fast();
    let rx = Receiver::start();
    let (_, secret) = register(&m, K, &rx.url, &["*"]);
    // The receiver rejects the faulty attempts; the retries are clean.
    rx.script(&[400, 400]);
    let f1 = m.control(
        "POST",
        "/__mock/webhooks/faults",
        Some(r#"{"action":{"type":"bad_signature"}}"#),
    )["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(f1.starts_with("flt_"));
    m.control(
        "POST",
        "/__mock/webhooks/faults",
        Some(r#"{"event":"generation.completed","count":1,"action":{"type":"old_timestamp"}}"#),
    );
    let listed = m.control("GET", "/__mock/webhooks/faults", None);
    assert_eq!(listed.as_array().unwrap().len(), 2);
    assert_eq!(listed[0]["event"], "*");
    assert_eq!(listed[0]["remaining"], 1);
    assert_eq!(listed[1]["action"]["type"], "old_timestamp");

    m.post("/v1/images", K, IMAGE, None);
    let got = rx.exactly(3);
    // 1st attempt: well-formed but wrong v1.
    let (t0, v0) = got[0].signature();
    assert_eq!(v0.len(), 64);
    assert!(t0.abs_diff(got[0].at_s) <= 2);
    assert!(!got[0].verifies(&secret));
    // 2nd: t is 10 minutes old, and v1 matches that t.
    let (t1, _) = got[1].signature();
    let age = got[1].at_s - t1;
    assert!((598..=602).contains(&age), "age {age}");
    assert!(got[1].verifies(&secret));
    // 3rd: clean.
    let (t2, _) = got[2].signature();
    assert!(t2.abs_diff(got[2].at_s) <= 2);
    assert!(got[2].verifies(&secret));
    assert!(
        m.control("GET", "/__mock/webhooks/faults", None)
            .as_array()
            .unwrap()
            .is_empty()
    );
    let l = &settled_deliveries(&m)[0];
    assert_eq!(l["attempts"][0]["fault"], f1.as_str());
    assert_eq!(l["attempts"][0]["fault_type"], "bad_signature");
    assert_eq!(l["attempts"][1]["fault_type"], "old_timestamp");
    assert_eq!(l["attempts"][2]["fault_type"], Value::Null);
    assert_eq!(l["attempts"][2]["status"], 200);

    // A custom age, and counts.
    m.control(
        "POST",
        "/__mock/webhooks/faults",
        Some(r#"{"count":2,"action":{"type":"old_timestamp","age_s":3600}}"#),
    );
    m.post("/v1/images", K, IMAGE, None);
    m.post("/v1/images", K, IMAGE, None);
    m.post("/v1/images", K, IMAGE, None);
    let got = rx.exactly(6);
    let old: Vec<bool> = got[3..]
        .iter()
        .map(|g| g.at_s - g.signature().0 >= 3590)
        .collect();
    assert_eq!(old.iter().filter(|o| **o).count(), 2, "{old:?}");
    assert!(got[3..].iter().all(|g| g.verifies(&secret)));
}

#[test]
fn control_routes_validate_clear_and_reset() {
    let m = Mock::fast();
    for bad in [
        r#"{"action":{"type":"nope"}}"#,
        r#"{"action":{}}"#,
        r#"{}"#,
        r#"{"event":"nope","action":{"type":"bad_signature"}}"#,
        r#"{"count":0,"action":{"type":"bad_signature"}}"#,
        r#"{"action":{"type":"old_timestamp","age_s":-1}}"#,
        r#"[]"#,
    ] {
        let r = m.req("POST", "/__mock/webhooks/faults", &[], Some(bad.as_bytes()));
        assert_eq!(r.status, 400, "{bad}: {}", r.text());
        assert_eq!(r.json()["error"]["code"], "invalid_control_request");
    }
    let id = m.control(
        "POST",
        "/__mock/webhooks/faults",
        Some(r#"{"action":{"type":"bad_signature"}}"#),
    )["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        m.control("DELETE", &format!("/__mock/webhooks/faults/{id}"), None)["deleted"],
        1
    );
    assert_eq!(
        m.req(
            "DELETE",
            &format!("/__mock/webhooks/faults/{id}"),
            &[],
            None
        )
        .status,
        404
    );
    m.control(
        "POST",
        "/__mock/webhooks/faults",
        Some(r#"{"count":3,"action":{"type":"bad_signature"}}"#),
    );
    assert_eq!(
        m.control("DELETE", "/__mock/webhooks/faults", None)["deleted"],
        1
    );

    let rx = Receiver::start();
    register(&m, K, &rx.url, &["*"]);
    m.post("/v1/images", K, IMAGE, None);
    rx.wait_for(1);
    settled_deliveries(&m);
    assert_eq!(
        m.control("DELETE", "/__mock/webhooks/deliveries", None)["deleted"],
        1
    );
    assert!(deliveries(&m, "").is_empty());
    // Webhook deliveries never show up in the request log (they are outgoing).
    let log = m.control("GET", "/__mock/requests", None);
    assert!(
        log.as_array()
            .unwrap()
            .iter()
            .all(|e| e["path"] != "/hooks/rimp")
    );
    // Reset forgets the webhooks: nothing more is delivered.
    m.control("POST", "/__mock/reset", None);
    assert!(
        m.control("GET", "/__mock/webhooks", None)
            .as_array()
            .unwrap()
            .is_empty()
    );
    m.post("/v1/images", K, IMAGE, None);
    rx.exactly(1);
    assert!(deliveries(&m, "").is_empty());
    let index = m.control("GET", "/__mock", None);
    assert!(
        index["endpoints"]
            .as_array()
            .unwrap()
            .contains(&Value::from("GET /__mock/webhooks/deliveries"))
    );
}

#[test]
fn a_slow_receiver_does_not_hold_up_the_api() {
    let m = Mock::fast();
    let rx = Receiver::start();
    rx.set_delay(1500);
    register(&m, K, &rx.url, &["*"]);
    m.post("/v1/images", K, IMAGE, None);
    rx.wait_for(1);
    let start = Instant::now();
    for _ in 0..5 {
        assert_eq!(m.get("/v1/models", K).status, 200);
    }
    assert_eq!(m.post("/v1/images", K, IMAGE, None).status, 200);
    assert!(
        start.elapsed() < Duration::from_millis(1000),
        "{:?}",
        start.elapsed()
    );
    let d = &deliveries(&m, "")[0];
    assert_eq!(d["attempts"][0]["outcome"], "in_flight");
    rx.wait_for(2);
    let log = settled_deliveries(&m);
    assert!(log.iter().all(|d| d["status"] == "succeeded"));
}

#[test]
fn no_webhooks_means_no_deliveries_and_unchanged_ids() {
    // Ids stay a function of the seed and the request sequence, even with a
    // webhook registered (event and delivery ids have their own stream).
    let ids = |hook: bool| -> Vec<String> {
        let m = Mock::fast();
        let rx = Receiver::start();
        if hook {
            register(&m, K, &rx.url, &["*"]);
        } else {
            m.post(
                "/v1/webhooks",
                K,
                r#"{"url":"http://127.0.0.1:9/x","events":["usage.budget_threshold"]}"#,
                None,
            );
        }
        let mut out = Vec::new();
        for _ in 0..3 {
            out.push(
                m.post("/v1/images", K, IMAGE, None).json()["id"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            );
            std::thread::sleep(Duration::from_millis(30));
        }
        if hook {
            rx.wait_for(3);
        } else {
            std::thread::sleep(Duration::from_millis(100));
            assert!(deliveries(&m, "").is_empty());
        }
        out
    };
    assert_eq!(ids(true), ids(false));
}
