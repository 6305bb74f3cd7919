//! Webhook deliveries: events, signatures, the retry schedule, the delivery
//! log and the outgoing HTTP/1.1 POST.
//!
//! The decisions (what to send, when to retry) are pure and live on
//! [`crate::state::State`]; this module holds the types, the signing, URL
//! parsing and the one async function that talks to the network.

use std::time::Duration;

use bytes::Bytes;
use hmac::{Hmac, Mac};
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use sha2::Sha256;

use crate::jobs::Status;
use crate::state::{ANOMALY_PAUSE_MS, State, real_epoch_ms};
use crate::util;

/// Waits before each retry, in unscaled mock ms: after the 1st failed
/// attempt wait 1 s, then 5 s, 30 s, 2 min, 10 min. So at most 6 attempts.
pub const RETRY_DELAYS_MS: &[u64] = &[1_000, 5_000, 30_000, 120_000, 600_000];
/// Attempts per delivery (the first plus one per retry delay).
pub const MAX_ATTEMPTS: usize = RETRY_DELAYS_MS.len() + 1;
/// Real (unscaled) time an attempt may take: connect, send, and read the
/// whole answer.
pub const ATTEMPT_TIMEOUT_MS: u64 = 10_000;
/// The delivery log keeps at most this many deliveries (oldest dropped).
pub const MAX_DELIVERIES: usize = 10_000;
/// Default age of an `old_timestamp` fault (10 minutes, real seconds).
pub const DEFAULT_OLD_AGE_S: u64 = 600;

/// The events the mock sends. `usage.budget_threshold` is accepted at
/// registration but never fires (the mock has no per-key budgets).
pub const GENERATION_COMPLETED: &str = "generation.completed";
/// A generation ended `failed` (refunded).
pub const GENERATION_FAILED: &str = "generation.failed";
/// Every child of a comparison is terminal.
pub const COMPARISON_COMPLETED: &str = "comparison.completed";
/// An anomaly pause started.
pub const ANOMALY_DETECTED: &str = "usage.anomaly_detected";

/// Lowercase hex HMAC-SHA-256 of `"<t>.<body>"`, keyed with the bytes of the
/// whole secret string (`whsec_…` included).
pub fn sign(secret: &str, t: u64, body: &[u8]) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(m) => m,
        // HMAC takes keys of any length; this branch cannot happen.
        Err(_) => return String::new(),
    };
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether a webhook subscribed to `events` wants `kind`.
pub fn subscribed(events: &[String], kind: &str) -> bool {
    events.iter().any(|e| e == "*" || e == kind)
}

/// A signature fault's effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HookFaultAction {
    /// `v1` is well-formed hex but signed with the wrong key.
    BadSignature,
    /// `t` is this many real seconds in the past (and `v1` matches that `t`).
    OldTimestamp(u64),
}

impl HookFaultAction {
    /// The name used in the delivery log.
    pub fn as_str(self) -> &'static str {
        match self {
            HookFaultAction::BadSignature => "bad_signature",
            HookFaultAction::OldTimestamp(_) => "old_timestamp",
        }
    }
}

/// A scripted fault on outgoing deliveries: the next `remaining` POSTs
/// (attempts) whose event matches get `action`.
#[derive(Debug, Clone)]
pub struct HookFault {
    /// `flt_…`.
    pub id: String,
    /// Event type to match, or `*`.
    pub event: String,
    /// Attempts still to affect.
    pub remaining: u64,
    /// What to do.
    pub action: HookFaultAction,
    /// The action as posted.
    pub action_json: Value,
}

/// One HTTP POST of a delivery.
#[derive(Debug, Clone)]
pub struct Attempt {
    /// 1-based.
    pub n: usize,
    /// Mock time it started.
    pub time_ms: u64,
    /// Real epoch ms it started.
    pub wall_ms: u64,
    /// The `X-Rimp-Signature` sent.
    pub signature: String,
    /// The `t` in it.
    pub timestamp: u64,
    /// The fault that changed the signature.
    pub fault: Option<(String, HookFaultAction)>,
    /// HTTP status received.
    pub status: Option<u16>,
    /// Connection error, timeout, or why the URL could not be used.
    pub error: Option<String>,
    /// Real ms the attempt took (`None` while in flight).
    pub duration_ms: Option<u64>,
}

impl Attempt {
    fn outcome(&self) -> &'static str {
        match (self.duration_ms, self.status) {
            (None, _) => "in_flight",
            (Some(_), Some(s)) if (200..300).contains(&s) => "succeeded",
            _ => "failed",
        }
    }

    fn to_json(&self) -> Value {
        json!({
            "attempt": self.n,
            "time_ms": self.time_ms,
            "wall_ms": self.wall_ms,
            "signature": self.signature,
            "timestamp": self.timestamp,
            "fault": self.fault.as_ref().map(|f| f.0.clone()),
            "fault_type": self.fault.as_ref().map(|f| f.1.as_str()),
            "status": self.status,
            "error": self.error,
            "duration_ms": self.duration_ms,
            "outcome": self.outcome(),
        })
    }
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Waiting for its next attempt, or an attempt is in flight.
    Pending,
    /// A 2xx was received.
    Succeeded,
    /// Every attempt failed.
    Failed,
}

impl Outcome {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Pending => "pending",
            Outcome::Succeeded => "succeeded",
            Outcome::Failed => "failed",
        }
    }
}

/// One event sent to one webhook, with all its attempts.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// Internal number, unique for the life of the process (survives resets),
    /// so an attempt in flight across a reset cannot touch a new delivery.
    pub seq: u64,
    /// `whd_…` (the `X-Rimp-Delivery` header; the same on every retry).
    pub id: String,
    /// `evt_…`.
    pub event_id: String,
    /// Event type.
    pub kind: String,
    /// `whk_…`.
    pub webhook_id: String,
    /// Org.
    pub org: String,
    /// Target URL (as registered).
    pub url: String,
    /// The secret it is signed with.
    pub secret: String,
    /// The raw event JSON (the same bytes on every attempt).
    pub body: Bytes,
    /// Mock time of the event.
    pub created_ms: u64,
    /// Attempts so far.
    pub attempts: Vec<Attempt>,
    /// Mock time of the next attempt (`None` when in flight or finished).
    pub next_due_ms: Option<u64>,
    /// Where it stands.
    pub outcome: Outcome,
}

impl Delivery {
    /// The JSON form served by `GET /__mock/webhooks/deliveries`.
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "event_id": self.event_id,
            "type": self.kind,
            "webhook_id": self.webhook_id,
            "org": self.org,
            "url": self.url,
            "status": self.outcome.as_str(),
            "attempt_count": self.attempts.len(),
            "attempts": self.attempts.iter().map(Attempt::to_json).collect::<Vec<_>>(),
            "next_attempt_ms": self.next_due_ms,
            "created_ms": self.created_ms,
            "body": String::from_utf8_lossy(&self.body),
        })
    }
}

/// An attempt ready to go out (built under the lock, sent without it).
#[derive(Debug, Clone)]
pub struct Outgoing {
    /// [`Delivery::seq`].
    pub seq: u64,
    /// Target URL.
    pub url: String,
    /// Headers besides Host and Content-Length.
    pub headers: Vec<(&'static str, String)>,
    /// Body.
    pub body: Bytes,
}

/// The parts of an `http://` URL needed to connect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// Host to connect to (IPv6 without brackets).
    pub host: String,
    /// Port.
    pub port: u16,
    /// The `Host` header value.
    pub authority: String,
    /// Path and query (at least `/`).
    pub path: String,
}

/// Parses an `http://host[:port][/path][?query]` URL. `https://` is refused:
/// the mock speaks plain HTTP only.
pub fn parse_url(url: &str) -> Result<Target, String> {
    if url.starts_with("https://") {
        return Err("https:// URLs are not supported by rimp-mock (plain HTTP only)".into());
    }
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| format!("not an http:// URL: {url}"))?;
    let rest = rest.split('#').next().unwrap_or("");
    let (authority, path) = match rest.find(['/', '?']) {
        Some(i) => (rest.get(..i).unwrap_or(""), rest.get(i..).unwrap_or("/")),
        None => (rest, "/"),
    };
    let path = if path.starts_with('?') {
        format!("/{path}")
    } else {
        path.to_owned()
    };
    let authority = authority.rsplit('@').next().unwrap_or("");
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (h, after) = v6
            .split_once(']')
            .ok_or_else(|| format!("bad host in {url}"))?;
        let port = match after.strip_prefix(':') {
            Some(p) => p.parse().map_err(|_| format!("bad port in {url}"))?,
            None if after.is_empty() => 80,
            None => return Err(format!("bad host in {url}")),
        };
        (h.to_owned(), port)
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (
                h.to_owned(),
                p.parse().map_err(|_| format!("bad port in {url}"))?,
            ),
            None => (authority.to_owned(), 80),
        }
    };
    if host.is_empty() {
        return Err(format!("no host in {url}"));
    }
    Ok(Target {
        host,
        port,
        authority: authority.to_owned(),
        path,
    })
}

/// Sends one POST and returns the status, or why there is none. Bounded by
/// [`ATTEMPT_TIMEOUT_MS`] (real time).
pub async fn send(out: &Outgoing) -> Result<u16, String> {
    let timeout = Duration::from_millis(ATTEMPT_TIMEOUT_MS);
    match tokio::time::timeout(timeout, send_inner(out)).await {
        Ok(r) => r,
        Err(_) => Err(format!("timed out after {ATTEMPT_TIMEOUT_MS} ms")),
    }
}

async fn send_inner(out: &Outgoing) -> Result<u16, String> {
    let target = parse_url(&out.url)?;
    let stream = tokio::net::TcpStream::connect((target.host.as_str(), target.port))
        .await
        .map_err(|e| format!("connect to {}:{} failed: {e}", target.host, target.port))?;
    let _ = stream.set_nodelay(true);
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| format!("handshake failed: {e}"))?;
    let driver = tokio::spawn(async move {
        let _ = conn.await;
    });
    let mut builder = Request::post(target.path.as_str())
        .header("Host", target.authority.as_str())
        .header(
            "User-Agent",
            concat!("rimp-mock/", env!("CARGO_PKG_VERSION")),
        )
        .header("Connection", "close");
    for (n, v) in &out.headers {
        builder = builder.header(*n, v.as_str());
    }
    let req = builder
        .body(Full::new(out.body.clone()))
        .map_err(|e| format!("bad request: {e}"))?;
    let result = match sender.send_request(req).await {
        Ok(resp) => {
            let status = resp.status().as_u16();
            // Read (and drop) the answer so the receiver is not cut off.
            let _ = resp.into_body().collect().await;
            Ok(status)
        }
        Err(e) => Err(format!("request failed: {e}")),
    };
    driver.abort();
    result
}

/// Uses up one count of the first signature fault matching `kind`.
fn take_hook_fault(faults: &mut Vec<HookFault>, kind: &str) -> Option<(String, HookFaultAction)> {
    let i = faults
        .iter()
        .position(|f| f.event == "*" || f.event == kind)?;
    let f = faults.get_mut(i)?;
    f.remaining = f.remaining.saturating_sub(1);
    let out = (f.id.clone(), f.action);
    if f.remaining == 0 {
        faults.remove(i);
    }
    Some(out)
}

impl State {
    /// Queues `kind` for every webhook of `org` subscribed to it. Does
    /// nothing (and draws no ids) when none is.
    pub fn emit(&mut self, org: &str, kind: &str, data: Value) {
        let targets: Vec<(String, String, String)> = self
            .webhooks
            .iter()
            .filter(|w| w.org == org && subscribed(&w.events, kind))
            .map(|w| (w.id.clone(), w.url.clone(), w.secret.clone()))
            .collect();
        if targets.is_empty() {
            return;
        }
        let now = self.now();
        let wall = self.clock.wall_ms(now);
        let event_id = format!("evt_{}", self.rng_hook.hex(24));
        let event = json!({
            "id": event_id,
            "type": kind,
            "created_at": util::iso_ms(wall),
            "created": wall / 1000,
            "data": data,
        });
        let body = Bytes::from(serde_json::to_vec(&event).unwrap_or_default());
        for (webhook_id, url, secret) in targets {
            self.next_delivery_seq += 1;
            let d = Delivery {
                seq: self.next_delivery_seq,
                id: format!("whd_{}", self.rng_hook.hex(24)),
                event_id: event_id.clone(),
                kind: kind.to_owned(),
                webhook_id,
                org: org.to_owned(),
                url,
                secret,
                body: body.clone(),
                created_ms: now,
                attempts: Vec::new(),
                next_due_ms: Some(now),
                outcome: Outcome::Pending,
            };
            if self.deliveries.len() >= MAX_DELIVERIES {
                self.deliveries.pop_front();
            }
            self.deliveries.push_back(d);
        }
    }

    fn has_subscriber(&self, org: &str, kind: &str) -> bool {
        self.webhooks
            .iter()
            .any(|w| w.org == org && subscribed(&w.events, kind))
    }

    /// Called when generation `id` reaches a terminal status: a
    /// `generation.completed` / `generation.failed` event for a standalone
    /// generation, a `comparison.completed` when it was the last child of a
    /// comparison to end. Canceled generations send nothing.
    pub fn emit_job_end(&mut self, id: &str) {
        if self.webhooks.is_empty() {
            return;
        }
        let Some(g) = self.gens.get(id) else {
            return;
        };
        let now = self.now();
        let org = g.org.clone();
        match &g.parent {
            None => {
                let kind = match g.settled {
                    Some(Status::Succeeded) => GENERATION_COMPLETED,
                    Some(Status::Failed) => GENERATION_FAILED,
                    _ => return,
                };
                if !self.has_subscriber(&org, kind) {
                    return;
                }
                let mut data = self.gen_json(g, &self.base, now);
                if let Value::Object(m) = &mut data {
                    m.insert("generation_id".into(), json!(g.id));
                }
                self.emit(&org, kind, data);
            }
            Some(cmp_id) => {
                let Some(c) = self.comps.get(cmp_id) else {
                    return;
                };
                let all_done = c
                    .children
                    .iter()
                    .all(|ch| self.gens.get(ch).is_some_and(|g| g.settled.is_some()));
                if !all_done || !self.has_subscriber(&org, COMPARISON_COMPLETED) {
                    return;
                }
                let mut data = self.comp_json(c, &self.base, now);
                if let Value::Object(m) = &mut data {
                    m.insert("comparison_id".into(), json!(c.id));
                }
                self.emit(&org, COMPARISON_COMPLETED, data);
            }
        }
    }

    /// Called when an anomaly pause of `org` starts. `detail` is merged into
    /// the event's `data` (`reason` and the detector's numbers).
    pub fn emit_anomaly(&mut self, org: &str, detail: Value) {
        if !self.has_subscriber(org, ANOMALY_DETECTED) {
            return;
        }
        let now = self.now();
        let until = self
            .orgs
            .get(org)
            .and_then(|o| o.paused_until)
            .unwrap_or(now);
        let wait = until.saturating_sub(now);
        let mut data = json!({
            "object": "usage.anomaly",
            "organization": org,
            "status": "paused",
            "paused_at": util::iso_ms(self.clock.wall_ms(now)),
            "paused_until": util::iso_ms(self.clock.wall_ms(until)),
            "resumes_at": util::iso_s(self.clock.real_epoch_after(wait).saturating_add(999)),
            "retry_after_s": self.clock.retry_after_s(wait),
            "pause_ms": ANOMALY_PAUSE_MS,
        });
        if let (Value::Object(m), Value::Object(extra)) = (&mut data, detail) {
            m.extend(extra);
        }
        self.emit(org, ANOMALY_DETECTED, data);
    }

    /// Settles jobs that are due and takes every delivery attempt that is
    /// due now, marking each as in flight. Called by the delivery task.
    pub fn webhook_due(&mut self) -> Vec<Outgoing> {
        let waiting = self
            .deliveries
            .iter()
            .any(|d| d.outcome == Outcome::Pending);
        if self.webhooks.is_empty() && !waiting {
            return Vec::new();
        }
        let now = self.now();
        self.settle(now);
        let wall_ms = real_epoch_ms();
        let real_s = wall_ms / 1000;
        let mut out = Vec::new();
        for d in self.deliveries.iter_mut() {
            if d.outcome != Outcome::Pending || d.next_due_ms.is_none_or(|t| t > now) {
                continue;
            }
            let fault = take_hook_fault(&mut self.hook_faults, &d.kind);
            let (t, key) = match fault.as_ref().map(|f| f.1) {
                Some(HookFaultAction::OldTimestamp(age)) => {
                    (real_s.saturating_sub(age), d.secret.clone())
                }
                Some(HookFaultAction::BadSignature) => (real_s, format!("{}_wrong", d.secret)),
                None => (real_s, d.secret.clone()),
            };
            let signature = format!("t={t},v1={}", sign(&key, t, &d.body));
            d.attempts.push(Attempt {
                n: d.attempts.len() + 1,
                time_ms: now,
                wall_ms,
                signature: signature.clone(),
                timestamp: t,
                fault,
                status: None,
                error: None,
                duration_ms: None,
            });
            d.next_due_ms = None;
            out.push(Outgoing {
                seq: d.seq,
                url: d.url.clone(),
                headers: vec![
                    ("Content-Type", "application/json".to_owned()),
                    ("X-Rimp-Signature", signature),
                    ("X-Rimp-Event", d.kind.clone()),
                    ("X-Rimp-Delivery", d.id.clone()),
                ],
                body: d.body.clone(),
            });
        }
        out
    }

    /// Records how an attempt went and schedules the retry, if any.
    pub fn webhook_result(&mut self, seq: u64, result: Result<u16, String>, duration_ms: u64) {
        let now = self.now();
        let Some(d) = self.deliveries.iter_mut().find(|d| d.seq == seq) else {
            return;
        };
        let Some(a) = d.attempts.last_mut() else {
            return;
        };
        a.duration_ms = Some(duration_ms);
        let ok = matches!(result, Ok(s) if (200..300).contains(&s));
        match result {
            Ok(s) => a.status = Some(s),
            Err(e) => a.error = Some(e),
        }
        if ok {
            d.outcome = Outcome::Succeeded;
            d.next_due_ms = None;
        } else if let Some(wait) = RETRY_DELAYS_MS.get(d.attempts.len().saturating_sub(1)) {
            d.next_due_ms = Some(now.saturating_add(*wait));
        } else {
            d.outcome = Outcome::Failed;
            d.next_due_ms = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_matches_a_known_hmac() {
        // `sign` is the HMAC of "<t>.<body>" keyed with the whole secret.
        let mut mac = Hmac::<Sha256>::new_from_slice(b"whsec_abc").unwrap();
        mac.update(b"1715900400.{\"a\":1}");
        let want: String = mac
            .finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(sign("whsec_abc", 1_715_900_400, b"{\"a\":1}"), want);
        assert_eq!(want.len(), 64);
        // And the HMAC itself is the standard one (RFC 4231, test case 2).
        let mut mac = Hmac::<Sha256>::new_from_slice(b"Jefe").unwrap();
        mac.update(b"what do ya want for nothing?");
        let hex: String = mac
            .finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(
            hex,
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn urls() {
        let t = parse_url("http://127.0.0.1:9000/hooks/rimp?x=1").unwrap();
        assert_eq!(
            (
                t.host.as_str(),
                t.port,
                t.authority.as_str(),
                t.path.as_str()
            ),
            ("127.0.0.1", 9000, "127.0.0.1:9000", "/hooks/rimp?x=1")
        );
        let t = parse_url("http://localhost").unwrap();
        assert_eq!(
            (t.host.as_str(), t.port, t.path.as_str()),
            ("localhost", 80, "/")
        );
        let t = parse_url("http://[::1]:8080?a").unwrap();
        assert_eq!(
            (t.host.as_str(), t.port, t.path.as_str()),
            ("::1", 8080, "/?a")
        );
        assert!(parse_url("https://example.com/").is_err());
        assert!(parse_url("http://:80/").is_err());
        assert!(parse_url("http://h:x/").is_err());
    }

    #[test]
    fn subscriptions_and_schedule() {
        let ev = vec!["generation.failed".to_owned()];
        assert!(subscribed(&ev, GENERATION_FAILED));
        assert!(!subscribed(&ev, GENERATION_COMPLETED));
        assert!(subscribed(&["*".to_owned()], ANOMALY_DETECTED));
        assert_eq!(MAX_ATTEMPTS, 6);
    }
}
