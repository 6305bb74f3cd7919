//! Everything the mock remembers, behind one `Mutex<State>` (see `server`).
//!
//! The methods here are synchronous and do no I/O; the current mock time is
//! read once per call from [`Clock`] and passed down.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value, json};

use crate::idempotency;
use crate::jobs::{Modality, Status, Timeline};
use crate::ratelimit::{Decision, SlidingWindow};
use crate::util::{self, Cidr, SplitMix64};
use crate::webhooks::{Delivery, HookFault};

/// Credits every org starts with.
pub const DEFAULT_BALANCE: i64 = 1_000_000;
/// The rate-limit window (unscaled mock ms).
pub const RATE_WINDOW_MS: u64 = 60_000;
/// The spending-anomaly pause (unscaled mock ms): 30 minutes.
pub const ANOMALY_PAUSE_MS: u64 = 1_800_000;
/// The anomaly detector's look-back (unscaled mock ms): one hour.
pub const ANOMALY_WINDOW_MS: u64 = 3_600_000;
/// The request log keeps at most this many entries (oldest dropped first).
pub const MAX_LOG: usize = 100_000;

/// Command-line settings.
#[derive(Debug, Clone)]
pub struct Options {
    /// Interface to bind.
    pub host: String,
    /// Port to bind (0 = any free port).
    pub port: u16,
    /// Multiplies every duration: 0.01 makes them 100× shorter.
    pub time_scale: f64,
    /// Seed of every id and picture.
    pub seed: u64,
    /// Send `Access-Control-Expose-Headers`.
    pub expose_headers: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            host: "127.0.0.1".into(),
            port: 8787,
            time_scale: 1.0,
            seed: 1,
            expose_headers: true,
        }
    }
}

/// The plan of an org, which sets its request limit per window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plan {
    /// 60 rpm.
    Free,
    /// 300 rpm.
    Pro,
    /// 600 rpm.
    Studio,
    /// 1,200 rpm.
    Team,
}

impl Plan {
    /// Requests per minute per key.
    pub fn rpm(self) -> u32 {
        match self {
            Plan::Free => 60,
            Plan::Pro => 300,
            Plan::Studio => 600,
            Plan::Team => 1200,
        }
    }

    /// The name used in config and the ledger.
    pub fn as_str(self) -> &'static str {
        match self {
            Plan::Free => "free",
            Plan::Pro => "pro",
            Plan::Studio => "studio",
            Plan::Team => "team",
        }
    }

    /// Parses a plan name.
    pub fn parse(s: &str) -> Option<Plan> {
        match s.to_ascii_lowercase().as_str() {
            "free" => Some(Plan::Free),
            "pro" => Some(Plan::Pro),
            "studio" => Some(Plan::Studio),
            "team" => Some(Plan::Team),
            _ => None,
        }
    }
}

/// Real time now, epoch ms.
pub fn real_epoch_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

/// The mock clock: `now = real elapsed / time_scale + advanced`, in mock ms.
/// Durations are written in unscaled mock ms (a job queues for 1000), so at
/// scale 0.01 a second of mock time passes in 10 real ms.
#[derive(Debug, Clone)]
pub struct Clock {
    start: Instant,
    start_wall_ms: u64,
    advanced_ms: u64,
    scale: f64,
}

impl Clock {
    /// A clock at mock time 0, running at `1 / scale` of real speed.
    pub fn new(scale: f64) -> Self {
        Clock {
            start: Instant::now(),
            start_wall_ms: real_epoch_ms(),
            advanced_ms: 0,
            scale,
        }
    }

    /// Mock milliseconds since start (or reset).
    pub fn now_ms(&self) -> u64 {
        let real = self.start.elapsed().as_secs_f64() * 1000.0;
        ((real / self.scale) as u64).saturating_add(self.advanced_ms)
    }

    /// Moves mock time forward.
    pub fn advance(&mut self, ms: u64) {
        self.advanced_ms = self.advanced_ms.saturating_add(ms);
    }

    /// Total of all advances.
    pub fn advanced_ms(&self) -> u64 {
        self.advanced_ms
    }

    /// The time scale.
    pub fn scale(&self) -> f64 {
        self.scale
    }

    /// The calendar time (epoch ms) shown in objects for a mock instant:
    /// real start time + mock elapsed time.
    pub fn wall_ms(&self, mock_ms: u64) -> u64 {
        self.start_wall_ms.saturating_add(mock_ms)
    }

    /// Real milliseconds that a mock duration takes.
    pub fn real_ms(&self, mock_ms: u64) -> u64 {
        (mock_ms as f64 * self.scale).ceil() as u64
    }

    /// `Retry-After` for a mock wait: real seconds, rounded up, at least 1
    /// when the wait is positive.
    pub fn retry_after_s(&self, mock_wait_ms: u64) -> u64 {
        if mock_wait_ms == 0 {
            0
        } else {
            util::ceil_div(self.real_ms(mock_wait_ms), 1000).max(1)
        }
    }

    /// Real epoch ms at which a mock wait starting now ends.
    pub fn real_epoch_after(&self, mock_wait_ms: u64) -> u64 {
        real_epoch_ms().saturating_add(self.real_ms(mock_wait_ms))
    }
}

/// An org's wallet and settings.
#[derive(Debug, Clone)]
pub struct Org {
    /// Credits available (reservations already taken out).
    pub balance: i64,
    /// Credits currently held by running jobs.
    pub reserved: i64,
    /// Credits charged so far.
    pub charged: i64,
    /// Credits refunded so far.
    pub refunded: i64,
    /// Plan (sets the per-key rpm).
    pub plan: Plan,
    /// Credits left under the monthly hard cap (`None` = no cap).
    pub quota_remaining: Option<i64>,
    /// Anomaly pause end (mock ms).
    pub paused_until: Option<u64>,
    /// Pause when reservations in the trailing hour exceed this.
    pub anomaly_hourly_limit: Option<i64>,
    /// (time, credits) of reservations in the trailing hour.
    pub spend: VecDeque<(u64, i64)>,
    /// Generations created (incl. comparison children).
    pub generations: u64,
}

impl Org {
    fn new(name: &str) -> Self {
        Org {
            balance: DEFAULT_BALANCE,
            reserved: 0,
            charged: 0,
            refunded: 0,
            plan: if name.starts_with("free") {
                Plan::Free
            } else {
                Plan::Pro
            },
            quota_remaining: None,
            paused_until: None,
            anomaly_hourly_limit: None,
            spend: VecDeque::new(),
            generations: 0,
        }
    }
}

/// An API key, implicit (first seen on a request) or made by `POST /v1/api-keys`.
#[derive(Debug, Clone)]
pub struct KeyRec {
    /// `key_…`.
    pub id: String,
    /// The secret itself.
    pub token: String,
    /// Owning org.
    pub org: String,
    /// Display name.
    pub name: String,
    /// Scopes; empty = full access.
    pub scopes: Vec<String>,
    /// Creation time (mock ms).
    pub created_ms: u64,
    /// Revocation time (mock ms).
    pub revoked_ms: Option<u64>,
    /// CIDR allowlist (empty = any address).
    pub ip_allowlist: Vec<String>,
    /// Whether the key was made by seeing it on a request.
    pub implicit: bool,
}

/// The authenticated caller of a request.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The API key secret.
    pub token: String,
    /// The API key id.
    pub key_id: String,
    /// The org.
    pub org: String,
    /// Scopes (empty = all).
    pub scopes: Vec<String>,
}

impl Caller {
    /// Whether the key may use `scope`.
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.is_empty() || self.scopes.iter().any(|s| s == scope)
    }
}

/// How a job ends when nothing cancels it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// Child `error_code` / generation `error.code`.
    pub code: String,
    /// Human text.
    pub message: String,
}

/// What a generation's outputs look like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutputSpec {
    /// How many files.
    pub count: u32,
    /// Pixel width (images, videos).
    pub width: Option<u32>,
    /// Pixel height (images, videos).
    pub height: Option<u32>,
    /// Seconds (videos, music).
    pub duration_s: Option<i64>,
}

/// A generation (also each comparison child).
#[derive(Debug, Clone)]
pub struct Gen {
    /// `gen_…`.
    pub id: String,
    /// Owning org.
    pub org: String,
    /// Key that created it.
    pub key_id: String,
    /// Kind.
    pub modality: Modality,
    /// Model id as sent.
    pub model: String,
    /// Prompt as sent (empty for upscale).
    pub prompt: String,
    /// The other body fields.
    pub params: Value,
    /// Credits held at creation.
    pub reserved: i64,
    /// Credits charged.
    pub charged: i64,
    /// Credits refunded.
    pub refunded: i64,
    /// Phases.
    pub timeline: Timeline,
    /// Set when the job will fail.
    pub failure: Option<Failure>,
    /// The terminal status once applied.
    pub settled: Option<Status>,
    /// When it reached a terminal status (mock ms).
    pub finished_ms: Option<u64>,
    /// Output shape.
    pub outputs: OutputSpec,
    /// The comparison it belongs to.
    pub parent: Option<String>,
    /// The request that created it.
    pub request_id: String,
    /// The Idempotency-Key of that request.
    pub idempotency_key: Option<String>,
}

impl Gen {
    /// Status at `now_ms`.
    pub fn status(&self, now_ms: u64) -> Status {
        self.settled
            .unwrap_or_else(|| self.timeline.status_at(now_ms, self.failure.is_some()))
    }
}

/// A multi-model comparison.
#[derive(Debug, Clone)]
pub struct Comp {
    /// `cmp_…`.
    pub id: String,
    /// Owning org.
    pub org: String,
    /// Prompt.
    pub prompt: String,
    /// As sent.
    pub params_shared: Value,
    /// Sum of the children's reservations.
    pub reserved: i64,
    /// Creation (mock ms).
    pub created_ms: u64,
    /// Child generation ids, in `models` order.
    pub children: Vec<String>,
}

/// A synchronous chat completion, kept for usage and the ledger.
#[derive(Debug, Clone)]
pub struct ChatRec {
    /// Owning org.
    pub org: String,
    /// Key that made it.
    pub key_id: String,
    /// Model.
    pub model: String,
    /// Credits charged.
    pub charged: i64,
    /// Creation (mock ms).
    pub created_ms: u64,
}

/// A webhook endpoint registration (see `webhooks` for deliveries).
#[derive(Debug, Clone)]
pub struct Webhook {
    /// `whk_…`.
    pub id: String,
    /// Owning org.
    pub org: String,
    /// Target URL.
    pub url: String,
    /// Subscribed events.
    pub events: Vec<String>,
    /// `whsec_…`.
    pub secret: String,
    /// Creation (mock ms).
    pub created_ms: u64,
}

/// A scripted fault's action.
#[derive(Debug, Clone)]
pub enum FaultAction {
    /// Answer this instead of doing the work.
    Respond(RespondSpec),
    /// Sleep this many real ms, then handle normally.
    Delay(u64),
    /// Close the connection without an answer, without doing the work.
    DropBefore,
    /// Do the work, then close the connection without an answer.
    DropAfter,
}

/// A canned answer.
#[derive(Debug, Clone)]
pub struct RespondSpec {
    /// HTTP status.
    pub status: u16,
    /// Headers to send (they win over the mock's own).
    pub headers: Vec<(String, String)>,
    /// Body bytes.
    pub body: Vec<u8>,
    /// Content-Type when the headers name none.
    pub content_type: Option<&'static str>,
    /// Leave out `X-Request-Id` (as a proxy's error page would).
    pub bare: bool,
    /// Send the CORS headers (off: a browser sees a network error).
    pub cors: bool,
}

/// A scripted fault.
#[derive(Debug, Clone)]
pub struct Fault {
    /// `flt_…`.
    pub id: String,
    /// Method to match (upper case) or `*`.
    pub method: String,
    /// Exact path, or a prefix ending in `*`.
    pub path: String,
    /// Matching requests still to affect.
    pub remaining: u64,
    /// What to do.
    pub action: FaultAction,
    /// The action as it was posted (for `GET /__mock/faults`).
    pub action_json: Value,
}

impl Fault {
    /// Whether a request matches. Preflights only match faults that name
    /// `OPTIONS` explicitly, so a `*` fault is not eaten by a browser's preflight.
    pub fn matches(&self, method: &str, path: &str) -> bool {
        let method_ok = if method == "OPTIONS" {
            self.method == "OPTIONS"
        } else {
            self.method == "*" || self.method == method
        };
        let path_ok = match self.path.strip_suffix('*') {
            Some(prefix) => path.starts_with(prefix),
            None => self.path == path,
        };
        method_ok && path_ok
    }
}

/// One logged request.
#[derive(Debug, Clone)]
pub struct LogEntry {
    /// Increasing number.
    pub seq: u64,
    /// The `X-Request-Id` sent back.
    pub request_id: String,
    /// Method.
    pub method: String,
    /// Path.
    pub path: String,
    /// Raw query string.
    pub query: Option<String>,
    /// Lower-cased header names → values (repeated headers joined by `, `).
    pub headers: Map<String, Value>,
    /// Body as text (lossy UTF-8), `None` when empty or too large.
    pub body: Option<String>,
    /// Mock time of arrival.
    pub time_ms: u64,
    /// Real epoch ms of arrival.
    pub wall_ms: u64,
    /// A CORS preflight.
    pub preflight: bool,
    /// Status answered (`None` if dropped or not answered yet).
    pub status: Option<u16>,
    /// `pending`, `answered`, `dropped_before`, `dropped_after`.
    pub outcome: &'static str,
    /// The fault that applied.
    pub fault: Option<String>,
    /// Answered from the idempotency store.
    pub replayed: bool,
}

impl LogEntry {
    /// The JSON form served by `GET /__mock/requests`.
    pub fn to_json(&self) -> Value {
        json!({
            "request_id": self.request_id,
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "headers": self.headers,
            "body": self.body,
            "time_ms": self.time_ms,
            "wall_ms": self.wall_ms,
            "preflight": self.preflight,
            "status": self.status,
            "outcome": self.outcome,
            "fault": self.fault,
            "replayed": self.replayed,
        })
    }
}

/// Totals since start (or reset).
#[derive(Debug, Clone, Default)]
pub struct Ledger {
    /// Generations created by images/videos/music/three-d/upscale.
    pub generations_created: u64,
    /// Comparisons created.
    pub comparisons_created: u64,
    /// Children created by comparisons.
    pub comparison_children_created: u64,
    /// Chat completions answered.
    pub chat_completions_created: u64,
    /// Credits reserved.
    pub credits_reserved: i64,
    /// Credits charged.
    pub credits_charged: i64,
    /// Credits refunded.
    pub credits_refunded: i64,
}

/// An API error before it is rendered into the envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status.
    pub status: u16,
    /// Envelope `type`.
    pub kind: &'static str,
    /// Envelope `code`.
    pub code: &'static str,
    /// Envelope `message`.
    pub message: String,
    /// Envelope `param`.
    pub param: Option<String>,
    /// Extra headers (`Retry-After`, `Allow`, …).
    pub headers: Vec<(String, String)>,
}

impl ApiError {
    /// A new error.
    pub fn new(
        status: u16,
        kind: &'static str,
        code: &'static str,
        message: impl Into<String>,
    ) -> Self {
        ApiError {
            status,
            kind,
            code,
            message: message.into(),
            param: None,
            headers: Vec::new(),
        }
    }

    /// With `param`.
    pub fn param(mut self, param: Option<String>) -> Self {
        self.param = param;
        self
    }

    /// With an extra header.
    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_owned(), value.into()));
        self
    }

    /// The envelope body.
    pub fn body(&self, request_id: Option<&str>) -> Value {
        let mut e = Map::new();
        e.insert("type".into(), json!(self.kind));
        e.insert("code".into(), json!(self.code));
        e.insert("message".into(), json!(self.message));
        if let Some(p) = &self.param {
            e.insert("param".into(), json!(p));
        }
        if let Some(r) = request_id {
            e.insert("request_id".into(), json!(r));
        }
        json!({ "error": e })
    }
}

/// Rate-limit headers for one response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateInfo {
    /// `X-RateLimit-Limit`.
    pub limit: u32,
    /// `X-RateLimit-Remaining`.
    pub remaining: u32,
    /// `X-RateLimit-Reset` (epoch seconds).
    pub reset_epoch_s: u64,
}

/// The whole simulated world.
#[derive(Debug)]
pub struct State {
    /// Command-line settings.
    pub opts: Options,
    /// Mock clock.
    pub clock: Clock,
    /// Send `Access-Control-Expose-Headers`.
    pub expose_headers: bool,
    /// Echo `Access-Control-Request-Headers` in preflight answers.
    pub echo_request_headers: bool,
    rng_req: SplitMix64,
    rng_id: SplitMix64,
    /// Keys by secret.
    pub keys: HashMap<String, KeyRec>,
    /// Key secret by id.
    pub key_ids: HashMap<String, String>,
    /// Orgs by name.
    pub orgs: HashMap<String, Org>,
    /// Generations by id.
    pub gens: HashMap<String, Gen>,
    /// Generation ids in creation order.
    pub gen_order: Vec<String>,
    pending: Vec<String>,
    /// Comparisons by id.
    pub comps: HashMap<String, Comp>,
    /// Chat completions.
    pub chats: Vec<ChatRec>,
    /// Webhook registrations.
    pub webhooks: Vec<Webhook>,
    /// Idempotency store.
    pub idem: idempotency::Store,
    /// Rate-limit windows by key secret.
    pub buckets: HashMap<String, SlidingWindow>,
    /// Pending faults, in the order added.
    pub faults: Vec<Fault>,
    /// Request log.
    pub log: VecDeque<LogEntry>,
    /// Totals.
    pub ledger: Ledger,
    /// Webhook deliveries, oldest first.
    pub deliveries: VecDeque<Delivery>,
    /// Pending webhook signature faults, in the order added.
    pub hook_faults: Vec<HookFault>,
    /// Ids of events and deliveries (a stream of their own, so that the
    /// background delivery task never shifts the ids requests get).
    pub(crate) rng_hook: SplitMix64,
    /// Next [`Delivery::seq`] (kept across resets).
    pub(crate) next_delivery_seq: u64,
    /// `http://host:port` the mock listens on (kept across resets); output
    /// URLs inside webhook events use it.
    pub base: String,
    next_seq: u64,
    next_claim: u64,
}

impl State {
    /// A fresh world.
    pub fn new(opts: Options) -> Self {
        let seed = opts.seed;
        State {
            clock: Clock::new(opts.time_scale),
            expose_headers: opts.expose_headers,
            echo_request_headers: true,
            rng_req: SplitMix64::new(seed ^ 0x5245_5155_4553_5453),
            rng_id: SplitMix64::new(seed),
            keys: HashMap::new(),
            key_ids: HashMap::new(),
            orgs: HashMap::new(),
            gens: HashMap::new(),
            gen_order: Vec::new(),
            pending: Vec::new(),
            comps: HashMap::new(),
            chats: Vec::new(),
            webhooks: Vec::new(),
            idem: idempotency::Store::default(),
            buckets: HashMap::new(),
            faults: Vec::new(),
            log: VecDeque::new(),
            ledger: Ledger::default(),
            deliveries: VecDeque::new(),
            hook_faults: Vec::new(),
            rng_hook: SplitMix64::new(seed ^ 0x5745_4248_4f4f_4b53),
            next_delivery_seq: 0,
            base: format!("http://{}:{}", opts.host, opts.port),
            next_seq: 0,
            next_claim: 0,
            opts,
        }
    }

    /// Back to the start (keys, wallets, jobs, store, log, faults, windows,
    /// config, clock, id sequence). Claim numbers keep increasing so that a
    /// request still in flight across a reset cannot touch the new store.
    pub fn reset(&mut self) {
        let next_claim = self.next_claim;
        let next_seq = self.next_seq;
        let next_delivery_seq = self.next_delivery_seq;
        let base = std::mem::take(&mut self.base);
        *self = State::new(self.opts.clone());
        self.next_claim = next_claim;
        self.next_seq = next_seq;
        self.next_delivery_seq = next_delivery_seq;
        self.base = base;
    }

    /// Mock time now.
    pub fn now(&self) -> u64 {
        self.clock.now_ms()
    }

    /// A new `req_…` id.
    pub fn request_id(&mut self) -> String {
        format!("req_{}", self.rng_req.hex(24))
    }

    /// A new id with `prefix` and `n` hex characters.
    pub fn new_id(&mut self, prefix: &str, n: usize) -> String {
        format!("{prefix}{}", self.rng_id.hex(n))
    }

    /// A new random alphanumeric string.
    pub fn new_secret(&mut self, n: usize) -> String {
        self.rng_id.alnum(n)
    }

    /// A new claim number for the idempotency store.
    pub fn new_claim(&mut self) -> u64 {
        self.next_claim += 1;
        self.next_claim
    }

    /// The org, created with defaults on first use.
    pub fn org_mut(&mut self, name: &str) -> &mut Org {
        self.orgs
            .entry(name.to_owned())
            .or_insert_with(|| Org::new(name))
    }

    // ---- request log -------------------------------------------------------

    /// Appends a log entry and returns its sequence number.
    pub fn log_push(&mut self, mut entry: LogEntry) -> u64 {
        self.next_seq += 1;
        entry.seq = self.next_seq;
        if self.log.len() >= MAX_LOG {
            self.log.pop_front();
        }
        self.log.push_back(entry);
        self.next_seq
    }

    /// Updates a log entry after the answer (no-op if it was cleared).
    pub fn log_finish(
        &mut self,
        seq: u64,
        status: Option<u16>,
        outcome: &'static str,
        replayed: bool,
    ) {
        if let Some(e) = self.log.iter_mut().rev().find(|e| e.seq == seq) {
            e.status = status;
            e.outcome = outcome;
            e.replayed = replayed;
        }
    }

    /// Uses up one count of the first fault matching the request.
    pub fn take_fault(&mut self, method: &str, path: &str) -> Option<(String, FaultAction)> {
        let i = self.faults.iter().position(|f| f.matches(method, path))?;
        let f = self.faults.get_mut(i)?;
        f.remaining = f.remaining.saturating_sub(1);
        let out = (f.id.clone(), f.action.clone());
        if f.remaining == 0 {
            self.faults.remove(i);
        }
        Some(out)
    }

    // ---- auth ----------------------------------------------------------------

    /// Checks the `Authorization` header (and the key's IP allowlist).
    pub fn authenticate(&mut self, header: Option<&[u8]>, ip: IpAddr) -> Result<Caller, ApiError> {
        let Some(raw) = header else {
            return Err(ApiError::new(
                401,
                "authentication",
                "missing_authorization",
                "Missing Authorization header. Send `Authorization: Bearer <api key>`.",
            )
            .header("WWW-Authenticate", "Bearer"));
        };
        let bad_header = || {
            ApiError::new(
                401,
                "authentication",
                "invalid_authorization",
                "Authorization header must be of the form `Bearer <token>`.",
            )
            .header("WWW-Authenticate", "Bearer")
        };
        let text = std::str::from_utf8(raw).map_err(|_| bad_header())?.trim();
        let (scheme, token) = text.split_once(' ').ok_or_else(bad_header)?;
        let token = token.trim_start();
        if !scheme.eq_ignore_ascii_case("bearer")
            || token.is_empty()
            || token.contains(char::is_whitespace)
        {
            return Err(bad_header());
        }
        let invalid_key = || {
            ApiError::new(
                401,
                "authentication",
                "invalid_api_key",
                "Invalid API key: unknown or revoked.",
            )
            .header("WWW-Authenticate", "Bearer")
        };
        let now = self.now();
        if let Some(rec) = self.keys.get(token) {
            if rec.revoked_ms.is_some() {
                return Err(invalid_key());
            }
        } else {
            let rest = token
                .strip_prefix("sk_test_")
                .or_else(|| token.strip_prefix("sk_live_"))
                .ok_or_else(invalid_key)?;
            let org = rest.split('_').next().unwrap_or("");
            let charset_ok = rest
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-');
            if org.is_empty() || !charset_ok || token.len() > 200 {
                return Err(invalid_key());
            }
            let id = format!("key_{:016x}", util::fnv1a64(token.as_bytes()));
            let scopes = if token.contains("_readonly") {
                vec!["generations:read".to_owned()]
            } else {
                Vec::new()
            };
            let rec = KeyRec {
                id: id.clone(),
                token: token.to_owned(),
                org: org.to_owned(),
                name: "implicit".into(),
                scopes,
                created_ms: now,
                revoked_ms: None,
                ip_allowlist: Vec::new(),
                implicit: true,
            };
            self.key_ids.insert(id, token.to_owned());
            self.keys.insert(token.to_owned(), rec);
            self.org_mut(org);
        }
        let rec = self.keys.get(token).ok_or_else(invalid_key)?;
        if !rec.ip_allowlist.is_empty()
            && !rec
                .ip_allowlist
                .iter()
                .filter_map(|c| Cidr::parse(c))
                .any(|c| c.contains(ip))
        {
            return Err(ApiError::new(
                403,
                "authorization",
                "ip_not_allowed",
                format!("Requests from {ip} are not allowed for this API key."),
            ));
        }
        Ok(Caller {
            token: rec.token.clone(),
            key_id: rec.id.clone(),
            org: rec.org.clone(),
            scopes: rec.scopes.clone(),
        })
    }

    // ---- rate limits, anomaly, quota ---------------------------------------

    /// The headers for a request that has no key bucket (e.g. a 401).
    pub fn anonymous_rate(&self) -> RateInfo {
        let limit = Plan::Pro.rpm();
        RateInfo {
            limit,
            remaining: limit,
            reset_epoch_s: util::ceil_div(self.clock.real_epoch_after(RATE_WINDOW_MS), 1000),
        }
    }

    /// Counts a request against the caller's key bucket.
    pub fn rate_check(&mut self, caller: &Caller) -> (RateInfo, Option<ApiError>) {
        let now = self.now();
        let limit = self.org_mut(&caller.org).plan.rpm();
        let decision =
            self.buckets
                .entry(caller.token.clone())
                .or_default()
                .check(now, RATE_WINDOW_MS, limit);
        match decision {
            Decision::Allowed {
                limit,
                remaining,
                reset_at_ms,
            } => (
                RateInfo {
                    limit,
                    remaining,
                    reset_epoch_s: util::ceil_div(
                        self.clock.real_epoch_after(reset_at_ms.saturating_sub(now)),
                        1000,
                    ),
                },
                None,
            ),
            Decision::Limited {
                limit,
                retry_after_ms,
                reset_at_ms,
            } => {
                let info = RateInfo {
                    limit,
                    remaining: 0,
                    reset_epoch_s: util::ceil_div(
                        self.clock.real_epoch_after(reset_at_ms.saturating_sub(now)),
                        1000,
                    ),
                };
                let err = ApiError::new(
                    429,
                    "rate_limited",
                    "rate_limited",
                    format!("Rate limit exceeded for this API key ({limit} rpm)."),
                )
                .header(
                    "Retry-After",
                    self.clock.retry_after_s(retry_after_ms).to_string(),
                );
                (info, Some(err))
            }
        }
    }

    /// 429 `anomaly_paused` while the caller's org is paused.
    pub fn anomaly_check(&mut self, caller: &Caller) -> Option<ApiError> {
        let now = self.now();
        let until = self.orgs.get(&caller.org)?.paused_until?;
        if until <= now {
            return None;
        }
        let wait = until - now;
        let resume = util::iso_s(self.clock.real_epoch_after(wait).saturating_add(999));
        Some(
            ApiError::new(
                429,
                "rate_limited",
                "anomaly_paused",
                format!(
                    "Organization '{}' is paused by the spending-anomaly detector. Resumes at {resume}.",
                    caller.org
                ),
            )
            .header("Retry-After", self.clock.retry_after_s(wait).to_string()),
        )
    }

    /// Takes `credits` out of the org's wallet for a new job, or says why not.
    pub fn reserve(&mut self, org: &str, credits: i64) -> Result<(), ApiError> {
        let now = self.now();
        let o = self.org_mut(org);
        if let Some(q) = o.quota_remaining
            && q < credits
        {
            return Err(ApiError::new(
                429,
                "quota_exceeded",
                "quota_exceeded",
                format!(
                    "Monthly spending cap reached for organization '{org}' ({q} credits left under the cap, {credits} requested). Raise the cap or wait for the next billing period."
                ),
            ));
        }
        if o.balance < credits {
            return Err(ApiError::new(
                402,
                "insufficient_credits",
                "insufficient_credits",
                format!(
                    "Wallet balance ({}) below requested reservation ({credits}).",
                    o.balance
                ),
            ));
        }
        o.balance = o.balance.saturating_sub(credits);
        o.reserved += credits;
        if let Some(q) = o.quota_remaining.as_mut() {
            *q = q.saturating_sub(credits);
        }
        if let Some(limit) = o.anomaly_hourly_limit {
            o.spend.push_back((now, credits));
            while o
                .spend
                .front()
                .is_some_and(|(t, _)| t.saturating_add(ANOMALY_WINDOW_MS) <= now)
            {
                o.spend.pop_front();
            }
            let hour: i64 = o.spend.iter().map(|(_, c)| c).sum();
            if hour > limit {
                o.paused_until = Some(now.saturating_add(ANOMALY_PAUSE_MS));
                o.spend.clear();
                let detail =
                    json!({"reason": "hourly_limit", "hourly_limit": limit, "hourly_spend": hour});
                self.ledger.credits_reserved += credits;
                self.emit_anomaly(org, detail);
                return Ok(());
            }
        }
        self.ledger.credits_reserved += credits;
        Ok(())
    }

    // ---- jobs ----------------------------------------------------------------

    /// Stores a new generation (credits already reserved).
    pub fn insert_gen(&mut self, g: Gen) {
        let id = g.id.clone();
        self.org_mut(&g.org).generations += 1;
        self.pending.push(id.clone());
        self.gen_order.push(id.clone());
        self.gens.insert(id, g);
    }

    /// Applies every status change due at `now`: charges on success, refunds
    /// on failure.
    pub fn settle(&mut self, now: u64) {
        let pending = std::mem::take(&mut self.pending);
        for id in pending {
            let status = match self.gens.get(&id) {
                Some(g) => g.status(now),
                None => continue,
            };
            if status.is_terminal() {
                self.finish(&id, status, None);
            } else {
                self.pending.push(id);
            }
        }
    }

    /// Moves a generation to a terminal status and settles its credits.
    /// `at` = when (default: the end of its running phase).
    pub fn finish(&mut self, id: &str, status: Status, at: Option<u64>) {
        let Some(g) = self.gens.get_mut(id) else {
            return;
        };
        if g.settled.is_some() {
            return;
        }
        g.settled = Some(status);
        g.finished_ms = Some(at.unwrap_or_else(|| g.timeline.finish_ms()));
        let credits = g.reserved;
        let success = status == Status::Succeeded;
        if success {
            g.charged = credits;
        } else {
            g.refunded = credits;
        }
        let org_name = g.org.clone();
        self.pending.retain(|p| p != id);
        let o = self.org_mut(&org_name);
        o.reserved -= credits;
        if success {
            o.charged += credits;
        } else {
            o.balance = o.balance.saturating_add(credits);
            o.refunded += credits;
            if let Some(q) = o.quota_remaining.as_mut() {
                *q = q.saturating_add(credits);
            }
        }
        if success {
            self.ledger.credits_charged += credits;
        } else {
            self.ledger.credits_refunded += credits;
        }
        self.emit_job_end(id);
    }

    /// The ledger as served by `GET /__mock/ledger`.
    pub fn ledger_json(&self) -> Value {
        let mut orgs = Map::new();
        let mut names: Vec<&String> = self.orgs.keys().collect();
        names.sort();
        for name in names {
            if let Some(o) = self.orgs.get(name) {
                orgs.insert(
                    name.clone(),
                    json!({
                        "balance": o.balance,
                        "reserved": o.reserved,
                        "charged": o.charged,
                        "refunded": o.refunded,
                        "plan": o.plan.as_str(),
                        "rpm": o.plan.rpm(),
                        "monthly_quota_remaining": o.quota_remaining,
                        "anomaly_paused_until_ms": o.paused_until,
                        "anomaly_hourly_limit": o.anomaly_hourly_limit,
                        "generations": o.generations,
                    }),
                );
            }
        }
        let now = self.now();
        let generations: Vec<Value> = self
            .gen_order
            .iter()
            .filter_map(|id| self.gens.get(id))
            .map(|g| {
                json!({
                    "id": g.id,
                    "org": g.org,
                    "key_id": g.key_id,
                    "modality": g.modality.as_str(),
                    "model": g.model,
                    "status": g.status(now).as_str(),
                    "reserved_credits": g.reserved,
                    "charged_credits": g.charged,
                    "refunded_credits": g.refunded,
                    "comparison_id": g.parent,
                    "request_id": g.request_id,
                    "idempotency_key": g.idempotency_key,
                })
            })
            .collect();
        let l = &self.ledger;
        json!({
            "generations_created": l.generations_created,
            "comparisons_created": l.comparisons_created,
            "comparison_children_created": l.comparison_children_created,
            "chat_completions_created": l.chat_completions_created,
            "credits_reserved": l.credits_reserved,
            "credits_charged": l.credits_charged,
            "credits_refunded": l.credits_refunded,
            "credits_held": l.credits_reserved - l.credits_charged - l.credits_refunded,
            "orgs": orgs,
            "generations": generations,
            "webhooks_registered": self.webhooks.len(),
            "idempotency_keys_held": self.idem.len(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state() -> State {
        State::new(Options::default())
    }

    fn auth(st: &mut State, h: &str) -> Result<Caller, ApiError> {
        st.authenticate(Some(h.as_bytes()), "127.0.0.1".parse().unwrap())
    }

    #[test]
    fn auth_codes() {
        let mut st = state();
        let ip = "127.0.0.1".parse().unwrap();
        assert_eq!(
            st.authenticate(None, ip).unwrap_err().code,
            "missing_authorization"
        );
        for h in [
            "",
            "Bearer",
            "Bearer ",
            "Basic abc",
            "sk_test_x",
            "Bearer a b",
        ] {
            assert_eq!(
                auth(&mut st, h).unwrap_err().code,
                "invalid_authorization",
                "{h:?}"
            );
        }
        assert_eq!(
            st.authenticate(Some(b"Bearer \xff"), ip).unwrap_err().code,
            "invalid_authorization"
        );
        for h in [
            "Bearer nope",
            "Bearer sk_test_",
            "Bearer sk_test__x",
            "Bearer sk_prod_a",
            "Bearer sk_test_a!b",
        ] {
            assert_eq!(
                auth(&mut st, h).unwrap_err().code,
                "invalid_api_key",
                "{h:?}"
            );
        }
        let a1 = auth(&mut st, "Bearer sk_test_alice_1").unwrap();
        let a2 = auth(&mut st, "bearer  sk_live_alice_2").unwrap();
        assert_eq!((a1.org.as_str(), a2.org.as_str()), ("alice", "alice"));
        assert_ne!(a1.key_id, a2.key_id);
        assert!(a1.has_scope("videos:write"));
        let ro = auth(&mut st, "Bearer sk_test_bob_readonly").unwrap();
        assert!(ro.has_scope("generations:read") && !ro.has_scope("images:write"));
        assert_eq!(st.orgs.get("alice").unwrap().plan, Plan::Pro);
        auth(&mut st, "Bearer sk_test_free").unwrap();
        assert_eq!(st.orgs.get("free").unwrap().plan, Plan::Free);
        st.keys.get_mut("sk_test_alice_1").unwrap().revoked_ms = Some(0);
        assert_eq!(
            auth(&mut st, "Bearer sk_test_alice_1").unwrap_err().code,
            "invalid_api_key"
        );
        st.keys.get_mut("sk_live_alice_2").unwrap().ip_allowlist = vec!["203.0.113.0/24".into()];
        assert_eq!(
            auth(&mut st, "Bearer sk_live_alice_2").unwrap_err().code,
            "ip_not_allowed"
        );
        st.keys.get_mut("sk_live_alice_2").unwrap().ip_allowlist = vec!["127.0.0.0/8".into()];
        assert!(auth(&mut st, "Bearer sk_live_alice_2").is_ok());
    }

    #[test]
    fn credits_reserve_charge_refund() {
        let mut st = state();
        st.org_mut("o").balance = 100;
        assert_eq!(
            st.reserve("o", 120).unwrap_err().message,
            "Wallet balance (100) below requested reservation (120)."
        );
        st.reserve("o", 60).unwrap();
        assert_eq!(st.orgs.get("o").unwrap().balance, 40);
        st.org_mut("o").quota_remaining = Some(10);
        assert_eq!(st.reserve("o", 20).unwrap_err().code, "quota_exceeded");
        st.org_mut("o").quota_remaining = None;
        st.org_mut("o").anomaly_hourly_limit = Some(20);
        st.reserve("o", 10).unwrap();
        assert!(st.orgs.get("o").unwrap().paused_until.is_none());
        st.reserve("o", 20).unwrap();
        assert!(st.orgs.get("o").unwrap().paused_until.is_some());
        assert_eq!(st.ledger.credits_reserved, 90);
        assert_eq!(st.orgs.get("o").unwrap().balance, 10);
    }

    #[test]
    fn clock_scaling() {
        let mut c = Clock::new(0.01);
        assert_eq!(c.retry_after_s(0), 0);
        assert_eq!(c.retry_after_s(1), 1);
        assert_eq!(c.retry_after_s(1_800_000), 18);
        assert_eq!(Clock::new(1.0).retry_after_s(1_800_000), 1800);
        assert_eq!(Clock::new(1.0).retry_after_s(1_000_001), 1001);
        let before = c.now_ms();
        c.advance(5000);
        assert!(c.now_ms() >= before + 5000);
        assert_eq!(c.advanced_ms(), 5000);
    }

    #[test]
    fn faults_match_and_count_down() {
        let mut st = state();
        st.faults.push(Fault {
            id: "flt_1".into(),
            method: "*".into(),
            path: "/v1/generations/*".into(),
            remaining: 2,
            action: FaultAction::DropBefore,
            action_json: Value::Null,
        });
        assert!(st.take_fault("OPTIONS", "/v1/generations/x").is_none());
        assert!(st.take_fault("GET", "/v1/images").is_none());
        assert!(st.take_fault("GET", "/v1/generations/x").is_some());
        assert!(st.take_fault("POST", "/v1/generations/x/cancel").is_some());
        assert!(st.take_fault("GET", "/v1/generations/x").is_none());
        assert!(st.faults.is_empty());
    }
}
