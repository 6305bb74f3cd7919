//! The HTTP glue: hyper 1 on tokio. Reads the request, applies faults, runs
//! the pure state machine under one mutex, and writes headers.

use std::future::Future;
use std::io::{self, Write};
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::Poll;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming as Body;
use hyper::header::{HeaderMap, HeaderName, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use serde_json::{Value, json};
use tokio::net::TcpListener;

use crate::api::{Call, Incoming, Phase1};
use crate::control;
use crate::idempotency::Stored;
use crate::state::{ApiError, FaultAction, LogEntry, Options, RateInfo, RespondSpec, State};
use crate::webhooks;

/// Largest accepted request body.
pub const MAX_BODY: usize = 1024 * 1024;
/// Bodies up to this size are read (and thrown away) before a 413, so the
/// client sees the answer instead of a reset; beyond it the connection closes.
pub const DRAIN_CAP: u64 = 64 * 1024 * 1024;

const EXPOSE: &str = "X-Request-Id, Retry-After, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, Idempotent-Replayed";
const ALLOW_METHODS: &str = "GET, POST, PATCH, DELETE, OPTIONS";
const ALLOW_HEADERS: &str = "Authorization, Content-Type, Idempotency-Key";
/// How often (real ms) the delivery task settles due jobs and sends due
/// webhook attempts.
pub const WEBHOOK_TICK_MS: u64 = 5;

type Resp = Response<Full<Bytes>>;

/// Returned to hyper to close the connection without an answer.
#[derive(Debug)]
pub struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped on purpose")
    }
}

impl std::error::Error for Dropped {}

/// State shared by all connections.
#[derive(Debug)]
pub struct Shared {
    state: Mutex<State>,
    base: String,
}

impl Shared {
    /// A fresh world answering at `base` (`http://host:port`).
    pub fn new(opts: Options, base: String) -> Self {
        let mut state = State::new(opts);
        state.base = base.clone();
        Shared {
            state: Mutex::new(state),
            base,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Releases an idempotency claim if the request never completes (the
/// connection went away during a delay, say). A no-op after completion.
struct ClaimGuard {
    shared: Arc<Shared>,
    claim: (String, String, u64),
}

impl Drop for ClaimGuard {
    fn drop(&mut self) {
        let (token, key, claim) = &self.claim;
        self.shared.lock().idem.release(token, key, *claim);
    }
}

fn put(h: &mut HeaderMap, name: &str, value: &str) {
    if let (Ok(n), Ok(v)) = (
        HeaderName::from_bytes(name.as_bytes()),
        HeaderValue::from_str(value),
    ) {
        h.insert(n, v);
    }
}

fn response(status: u16, content_type: Option<&str>, body: Vec<u8>) -> Resp {
    let mut r = Response::new(Full::new(Bytes::from(body)));
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if let Some(ct) = content_type {
        put(r.headers_mut(), "Content-Type", ct);
    }
    r
}

fn json_response(status: u16, body: &Value) -> Resp {
    response(
        status,
        Some("application/json"),
        serde_json::to_vec(body).unwrap_or_default(),
    )
}

fn add_cors(h: &mut HeaderMap, expose: bool) {
    put(h, "Access-Control-Allow-Origin", "*");
    if expose {
        put(h, "Access-Control-Expose-Headers", EXPOSE);
    }
    put(h, "Cross-Origin-Resource-Policy", "cross-origin");
}

fn add_rate(h: &mut HeaderMap, rate: &RateInfo) {
    put(h, "X-RateLimit-Limit", &rate.limit.to_string());
    put(h, "X-RateLimit-Remaining", &rate.remaining.to_string());
    put(h, "X-RateLimit-Reset", &rate.reset_epoch_s.to_string());
}

fn error_response(e: &ApiError, request_id: &str, rate: Option<&RateInfo>, expose: bool) -> Resp {
    let mut r = json_response(e.status, &e.body(Some(request_id)));
    let h = r.headers_mut();
    put(h, "X-Request-Id", request_id);
    if let Some(rate) = rate {
        add_rate(h, rate);
    }
    for (n, v) in &e.headers {
        put(h, n, v);
    }
    add_cors(h, expose);
    r
}

fn header_bytes<'a>(h: &'a HeaderMap, name: &str) -> Option<&'a [u8]> {
    h.get(name).map(HeaderValue::as_bytes)
}

fn content_length(h: &HeaderMap) -> Option<u64> {
    h.get("content-length")
        .and_then(|v| v.to_str().ok())
        .and_then(|s| s.trim().parse().ok())
}

/// The caller's address: the first `X-Forwarded-For` entry when it parses
/// (so a test can exercise IP allowlists), else the socket peer.
fn client_ip(h: &HeaderMap, peer: SocketAddr) -> IpAddr {
    h.get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        .and_then(|s| s.split(',').next())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or_else(|| peer.ip())
}

/// `http://<Host>` when the Host header is sane, else the listen address.
fn base_url(h: &HeaderMap, fallback: &str) -> String {
    match h.get("host").and_then(|v| v.to_str().ok()) {
        Some(host)
            if !host.is_empty()
                && host.len() <= 255
                && host.bytes().all(|c| {
                    c.is_ascii_alphanumeric()
                        || matches!(c, b'.' | b'-' | b':' | b'[' | b']' | b'_')
                }) =>
        {
            format!("http://{host}")
        }
        _ => fallback.to_owned(),
    }
}

fn headers_json(h: &HeaderMap) -> serde_json::Map<String, Value> {
    let mut out = serde_json::Map::new();
    for (name, value) in h {
        let v = String::from_utf8_lossy(value.as_bytes()).into_owned();
        match out.get_mut(name.as_str()) {
            Some(Value::String(prev)) => {
                prev.push_str(", ");
                prev.push_str(&v);
            }
            _ => {
                out.insert(name.as_str().to_owned(), Value::String(v));
            }
        }
    }
    out
}

enum BodyRead {
    Complete(Bytes),
    TooLarge,
}

async fn read_body(mut body: Body, declared: Option<u64>) -> Result<BodyRead, Dropped> {
    if declared.is_some_and(|n| n > DRAIN_CAP) {
        return Ok(BodyRead::TooLarge);
    }
    let mut buf: Vec<u8> = Vec::new();
    let mut total: u64 = 0;
    let mut over = declared.is_some_and(|n| n > MAX_BODY as u64);
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|_| Dropped)?;
        if let Ok(data) = frame.into_data() {
            total = total.saturating_add(data.len() as u64);
            if over {
                if total > DRAIN_CAP {
                    break;
                }
                continue;
            }
            if buf.len() + data.len() > MAX_BODY {
                over = true;
                buf = Vec::new();
                continue;
            }
            buf.extend_from_slice(&data);
        }
    }
    Ok(if over {
        BodyRead::TooLarge
    } else {
        BodyRead::Complete(Bytes::from(buf))
    })
}

fn preflight(h: &HeaderMap, request_id: Option<&str>, expose: bool, echo: bool) -> Resp {
    let mut r = response(204, None, Vec::new());
    let out = r.headers_mut();
    add_cors(out, expose);
    put(out, "Access-Control-Allow-Methods", ALLOW_METHODS);
    let mut allow = ALLOW_HEADERS.to_owned();
    if echo
        && let Some(req) = h
            .get("access-control-request-headers")
            .and_then(|v| v.to_str().ok())
    {
        for name in req.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            let known = allow.split(", ").any(|a| a.eq_ignore_ascii_case(name));
            if !known && HeaderName::from_bytes(name.as_bytes()).is_ok() {
                allow.push_str(", ");
                allow.push_str(name);
            }
        }
    }
    put(out, "Access-Control-Allow-Headers", &allow);
    put(out, "Access-Control-Max-Age", "600");
    if h.get("access-control-request-private-network").is_some() {
        put(out, "Access-Control-Allow-Private-Network", "true");
    }
    if let Some(id) = request_id {
        put(out, "X-Request-Id", id);
    }
    r
}

fn fault_response(spec: &RespondSpec, request_id: &str, expose: bool) -> Resp {
    let mut r = response(spec.status, spec.content_type, spec.body.clone());
    let h = r.headers_mut();
    if spec.cors {
        add_cors(h, expose);
    }
    if !spec.bare {
        put(h, "X-Request-Id", request_id);
    }
    for (n, v) in &spec.headers {
        put(h, n, v);
    }
    r
}

/// Answers one request.
pub async fn handle(
    shared: Arc<Shared>,
    req: Request<Body>,
    peer: SocketAddr,
) -> Result<Resp, Dropped> {
    let (parts, body) = req.into_parts();
    let method = parts.method.as_str().to_owned();
    let path = parts.uri.path().to_owned();
    let query = parts.uri.query().map(str::to_owned);
    let headers = parts.headers;
    let body = read_body(body, content_length(&headers)).await?;

    if path == "/__mock" || path.starts_with("/__mock/") {
        let expose = shared.lock().expose_headers;
        if method == "OPTIONS" {
            return Ok(preflight(&headers, None, expose, true));
        }
        let (status, value) = match &body {
            BodyRead::Complete(b) => {
                control::handle(&mut shared.lock(), &method, &path, query.as_deref(), b)
            }
            BodyRead::TooLarge => (
                413,
                json!({"error": {"type": "invalid_request", "code": "body_too_large", "message": "Body too large"}}),
            ),
        };
        let mut r = json_response(status, &value);
        add_cors(r.headers_mut(), expose);
        return Ok(r);
    }

    let is_options = method == "OPTIONS";
    let (request_id, seq, fault, expose, echo) = {
        let mut st = shared.lock();
        let request_id = st.request_id();
        let fault = st.take_fault(&method, &path);
        let now = st.now();
        let wall_ms = st.clock.wall_ms(now);
        let entry = LogEntry {
            seq: 0,
            request_id: request_id.clone(),
            method: method.clone(),
            path: path.clone(),
            query: query.clone(),
            headers: headers_json(&headers),
            body: match &body {
                BodyRead::Complete(b) if !b.is_empty() => {
                    Some(String::from_utf8_lossy(b).into_owned())
                }
                _ => None,
            },
            time_ms: now,
            wall_ms,
            preflight: is_options,
            status: None,
            outcome: "pending",
            fault: fault.as_ref().map(|f| f.0.clone()),
            replayed: false,
        };
        let seq = st.log_push(entry);
        (
            request_id,
            seq,
            fault,
            st.expose_headers,
            st.echo_request_headers,
        )
    };

    let mut delay_ms = 0;
    let mut drop_after = false;
    match fault.map(|f| f.1) {
        Some(FaultAction::Respond(spec)) => {
            shared
                .lock()
                .log_finish(seq, Some(spec.status), "answered", false);
            return Ok(fault_response(&spec, &request_id, expose));
        }
        Some(FaultAction::DropBefore) => {
            shared.lock().log_finish(seq, None, "dropped_before", false);
            return Err(Dropped);
        }
        Some(FaultAction::Delay(ms)) => delay_ms = ms,
        Some(FaultAction::DropAfter) => drop_after = true,
        None => {}
    }

    let (resp, replayed) = if is_options {
        sleep(delay_ms).await;
        (preflight(&headers, Some(&request_id), expose, echo), false)
    } else if path == "/v1" || path.starts_with("/v1/") {
        match body {
            BodyRead::Complete(b) => {
                let ctx = V1 {
                    method: &method,
                    path: &path,
                    query: query.as_deref(),
                    headers: &headers,
                    body: &b,
                    peer,
                    request_id: &request_id,
                    delay_ms,
                    expose,
                };
                v1(&shared, ctx).await
            }
            BodyRead::TooLarge => {
                sleep(delay_ms).await;
                let rate = shared.lock().anonymous_rate();
                (too_large(&request_id, Some(&rate), expose), false)
            }
        }
    } else {
        sleep(delay_ms).await;
        let r = if matches!(body, BodyRead::TooLarge) {
            too_large(&request_id, None, expose)
        } else {
            other(&shared, &method, &path, &headers, &request_id, expose)
        };
        (r, false)
    };

    let status = resp.status().as_u16();
    if drop_after {
        shared
            .lock()
            .log_finish(seq, None, "dropped_after", replayed);
        return Err(Dropped);
    }
    shared
        .lock()
        .log_finish(seq, Some(status), "answered", replayed);
    Ok(resp)
}

async fn sleep(ms: u64) {
    if ms > 0 {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
}

fn too_large(request_id: &str, rate: Option<&RateInfo>, expose: bool) -> Resp {
    let e = ApiError::new(
        413,
        "invalid_request",
        "body_too_large",
        format!("Request body exceeds the {MAX_BODY}-byte limit."),
    );
    let mut r = error_response(&e, request_id, rate, expose);
    put(r.headers_mut(), "Connection", "close");
    r
}

/// Everything that is neither `/v1` nor `/__mock`: output files, an index,
/// and 404s.
fn other(
    shared: &Shared,
    method: &str,
    path: &str,
    headers: &HeaderMap,
    request_id: &str,
    expose: bool,
) -> Resp {
    if let Some(rest) = path.strip_prefix("/files/")
        && (method == "GET" || method == "HEAD")
    {
        let found = rest
            .split_once('/')
            .and_then(|(gen_id, name)| shared.lock().output_file(gen_id, name));
        if let Some((mime, bytes)) = found {
            let mut r = response(200, Some(mime), bytes);
            let h = r.headers_mut();
            put(h, "Cache-Control", "public, max-age=86400");
            put(h, "X-Request-Id", request_id);
            add_cors(h, expose);
            return r;
        }
    }
    if path == "/" && method == "GET" {
        let base = base_url(headers, &shared.base);
        let mut r = json_response(
            200,
            &json!({
                "name": "rimp-mock",
                "version": env!("CARGO_PKG_VERSION"),
                "api": format!("{base}/v1"),
                "control": format!("{base}/__mock"),
                "docs": "mock/README.md",
            }),
        );
        put(r.headers_mut(), "X-Request-Id", request_id);
        add_cors(r.headers_mut(), expose);
        return r;
    }
    let e = ApiError::new(
        404,
        "not_found",
        "not_found",
        format!("No such resource: {method} {path}"),
    );
    error_response(&e, request_id, None, expose)
}

struct V1<'a> {
    method: &'a str,
    path: &'a str,
    query: Option<&'a str>,
    headers: &'a HeaderMap,
    body: &'a Bytes,
    peer: SocketAddr,
    request_id: &'a str,
    delay_ms: u64,
    expose: bool,
}

async fn v1(shared: &Arc<Shared>, c: V1<'_>) -> (Resp, bool) {
    let phase = {
        let mut st = shared.lock();
        let now = st.now();
        st.settle(now);
        st.phase1(Incoming {
            method: c.method,
            path: c.path,
            authorization: header_bytes(c.headers, "authorization"),
            idempotency_key: header_bytes(c.headers, "idempotency-key"),
            body: c.body,
            ip: client_ip(c.headers, c.peer),
        })
    };
    let _guard = match &phase {
        Phase1::Go(ready) => ready.claim.clone().map(|claim| ClaimGuard {
            shared: Arc::clone(shared),
            claim,
        }),
        _ => None,
    };
    sleep(c.delay_ms).await;
    match phase {
        Phase1::Error(e, rate) => (
            error_response(&e, c.request_id, Some(&rate), c.expose),
            false,
        ),
        Phase1::Replay(stored, rate) => (replay(&stored, &rate, c.expose), true),
        Phase1::Go(ready) => {
            let base = base_url(c.headers, &shared.base);
            let (status, bytes, extra) = {
                let mut st = shared.lock();
                let now = st.now();
                let call = Call {
                    caller: &ready.caller,
                    body: c.body,
                    query: c.query,
                    base: &base,
                    request_id: c.request_id,
                    idem_key: ready.idem_key.as_deref(),
                    now,
                };
                let (status, bytes, extra) = match st.dispatch(&ready.route, &call) {
                    Ok((s, v)) => (s, serde_json::to_vec(&v).unwrap_or_default(), Vec::new()),
                    Err(e) => (
                        e.status,
                        serde_json::to_vec(&e.body(Some(c.request_id))).unwrap_or_default(),
                        e.headers,
                    ),
                };
                if let Some((token, key, claim)) = &ready.claim {
                    let stored = Stored {
                        status,
                        body: bytes.clone(),
                        request_id: c.request_id.to_owned(),
                    };
                    st.idem.complete(token, key, *claim, now, stored);
                }
                (status, bytes, extra)
            };
            let mut r = response(status, Some("application/json"), bytes);
            let h = r.headers_mut();
            put(h, "X-Request-Id", c.request_id);
            add_rate(h, &ready.rate);
            for (n, v) in &extra {
                put(h, n, v);
            }
            add_cors(h, c.expose);
            (r, false)
        }
    }
}

fn replay(stored: &Stored, rate: &RateInfo, expose: bool) -> Resp {
    let mut r = response(stored.status, Some("application/json"), stored.body.clone());
    let h = r.headers_mut();
    put(h, "X-Request-Id", &stored.request_id);
    put(h, "Idempotent-Replayed", "true");
    add_rate(h, rate);
    add_cors(h, expose);
    r
}

fn display_addr(addr: SocketAddr) -> String {
    match addr.ip() {
        IpAddr::V6(ip) => format!("[{ip}]:{}", addr.port()),
        IpAddr::V4(ip) => format!("{ip}:{}", addr.port()),
    }
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(x) => x,
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(20)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let shared = Arc::clone(&shared);
        tokio::spawn(async move {
            let service = service_fn(move |req| handle(Arc::clone(&shared), req, peer));
            let mut builder = http1::Builder::new();
            builder.timer(TokioTimer::new());
            let _ = builder
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

/// Settles jobs as they end and sends webhook attempts as they fall due.
/// Each attempt runs in its own task; the state lock is held only to pick
/// attempts and to record their results, never across network I/O.
async fn webhook_worker(shared: Arc<Shared>) {
    let mut tick = tokio::time::interval(Duration::from_millis(WEBHOOK_TICK_MS));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let due = shared.lock().webhook_due();
        for out in due {
            let shared = Arc::clone(&shared);
            tokio::spawn(async move {
                let start = std::time::Instant::now();
                let result = webhooks::send(&out).await;
                let ms = u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX);
                shared.lock().webhook_result(out.seq, result, ms);
            });
        }
    }
}

/// Resolves on the first SIGINT or SIGTERM (the handlers are installed when
/// this is called, not when it is first polled).
fn shutdown_signal() -> io::Result<impl Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut int = signal(SignalKind::interrupt())?;
    let mut term = signal(SignalKind::terminate())?;
    Ok(std::future::poll_fn(move |cx| {
        if int.poll_recv(cx).is_ready() || term.poll_recv(cx).is_ready() {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }))
}

/// Binds, prints `rimp-mock listening on http://HOST:PORT`, and serves until
/// SIGINT or SIGTERM.
pub async fn serve(opts: Options) -> io::Result<()> {
    let listener = TcpListener::bind((opts.host.as_str(), opts.port)).await?;
    let addr = listener.local_addr()?;
    let base = format!("http://{}", display_addr(addr));
    let signals = shutdown_signal()?;
    {
        let mut out = io::stdout().lock();
        let _ = writeln!(out, "rimp-mock listening on {base}");
        let _ = out.flush();
    }
    let shared = Arc::new(Shared::new(opts, base));
    tokio::spawn(webhook_worker(Arc::clone(&shared)));
    tokio::spawn(accept_loop(listener, shared));
    signals.await;
    Ok(())
}

/// Runs [`serve`] on a single-threaded tokio runtime.
pub fn run(opts: Options) -> io::Result<()> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let result = rt.block_on(serve(opts));
    rt.shutdown_timeout(Duration::from_millis(200));
    result
}
