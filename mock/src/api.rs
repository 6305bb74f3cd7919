//! The `/v1` API: routing, the checks every request goes through (auth, rate
//! limit, anomaly pause, scopes, idempotency), and one handler per endpoint.

use std::net::IpAddr;

use serde_json::{Map, Value, json};

use crate::idempotency::{self, Begin, Stored};
use crate::jobs::{
    self, MODEL_FAIL, MODEL_PROVIDER_DOWN, MODELS, Modality, Status, TRIGGER_BLOCKED, TRIGGER_FAIL,
    Timeline,
};
use crate::state::{
    ApiError, Caller, ChatRec, Comp, Failure, Gen, OutputSpec, RateInfo, State, Webhook,
};
use crate::util::{self, Cidr};
use crate::validate::{self as v, BodyError, Invalid};

/// Every scope a key can be given. The first four are documented; the
/// others are the mock's names for endpoints the docs give no scope.
pub const SCOPES: &[&str] = &[
    "images:write",
    "videos:write",
    "generations:read",
    "webhooks:manage",
    "music:write",
    "3d:write",
    "upscale:write",
    "chat:write",
    "usage:read",
    "keys:manage",
];

/// Events `POST /v1/webhooks` accepts (plus `*`).
pub const EVENTS: &[&str] = &[
    "generation.completed",
    "generation.failed",
    "comparison.completed",
    "usage.budget_threshold",
    "usage.anomaly_detected",
];

/// A `/v1` endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// `GET /v1/models`
    Models,
    /// `POST /v1/images`
    Images,
    /// `POST /v1/videos`
    Videos,
    /// `POST /v1/music`
    Music,
    /// `POST /v1/three-d`
    ThreeD,
    /// `POST /v1/upscale`
    Upscale,
    /// `POST /v1/chat`
    Chat,
    /// `POST /v1/comparisons`
    ComparisonCreate,
    /// `GET /v1/comparisons/{id}`
    ComparisonGet(String),
    /// `GET /v1/generations/{id}`
    GenerationGet(String),
    /// `POST /v1/generations/{id}/cancel`
    GenerationCancel(String),
    /// `GET /v1/usage`
    Usage,
    /// `POST /v1/api-keys`
    ApiKeyCreate,
    /// `PATCH /v1/api-keys/{id}`
    ApiKeyUpdate(String),
    /// `DELETE /v1/api-keys/{id}`
    ApiKeyDelete(String),
    /// `POST /v1/webhooks`
    WebhookCreate,
    /// `GET /v1/webhooks` (mock extension)
    WebhookList,
    /// `DELETE /v1/webhooks/{id}` (mock extension)
    WebhookDelete(String),
}

fn not_found(what: &str) -> ApiError {
    ApiError::new(404, "not_found", "not_found", what)
}

/// Maps a method and path to a route: 404 for an unknown path, 405 for a
/// known path with another method.
pub fn resolve(method: &str, path: &str) -> Result<Route, ApiError> {
    let unknown = || not_found(&format!("No such endpoint: {method} {path}"));
    let rest = path.strip_prefix("/v1/").ok_or_else(unknown)?;
    let segs: Vec<&str> = rest.split('/').collect();
    let id = |s: &str| (!s.is_empty()).then(|| s.to_owned());
    let options: Vec<(&str, Route)> = match segs.as_slice() {
        ["models"] => vec![("GET", Route::Models)],
        ["images"] => vec![("POST", Route::Images)],
        ["videos"] => vec![("POST", Route::Videos)],
        ["music"] => vec![("POST", Route::Music)],
        ["three-d"] => vec![("POST", Route::ThreeD)],
        ["upscale"] => vec![("POST", Route::Upscale)],
        ["chat"] => vec![("POST", Route::Chat)],
        ["comparisons"] => vec![("POST", Route::ComparisonCreate)],
        ["comparisons", c] => id(c)
            .map(|c| vec![("GET", Route::ComparisonGet(c))])
            .unwrap_or_default(),
        ["generations", g] => id(g)
            .map(|g| vec![("GET", Route::GenerationGet(g))])
            .unwrap_or_default(),
        ["generations", g, "cancel"] => id(g)
            .map(|g| vec![("POST", Route::GenerationCancel(g))])
            .unwrap_or_default(),
        ["usage"] => vec![("GET", Route::Usage)],
        ["api-keys"] => vec![("POST", Route::ApiKeyCreate)],
        ["api-keys", k] => id(k)
            .map(|k| {
                vec![
                    ("PATCH", Route::ApiKeyUpdate(k.clone())),
                    ("DELETE", Route::ApiKeyDelete(k)),
                ]
            })
            .unwrap_or_default(),
        ["webhooks"] => vec![("POST", Route::WebhookCreate), ("GET", Route::WebhookList)],
        ["webhooks", w] => id(w)
            .map(|w| vec![("DELETE", Route::WebhookDelete(w))])
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    if options.is_empty() {
        return Err(unknown());
    }
    let allow = options
        .iter()
        .map(|(m, _)| *m)
        .collect::<Vec<_>>()
        .join(", ");
    options
        .into_iter()
        .find(|(m, _)| *m == method)
        .map(|(_, r)| r)
        .ok_or_else(|| {
            ApiError::new(
                405,
                "invalid_request",
                "method_not_allowed",
                format!("{method} is not allowed on {path}; use {allow}."),
            )
            .header("Allow", format!("{allow}, OPTIONS"))
        })
}

impl Route {
    /// Whether this is a POST (and so subject to `Idempotency-Key`).
    pub fn is_post(&self) -> bool {
        matches!(
            self,
            Route::Images
                | Route::Videos
                | Route::Music
                | Route::ThreeD
                | Route::Upscale
                | Route::Chat
                | Route::ComparisonCreate
                | Route::GenerationCancel(_)
                | Route::ApiKeyCreate
                | Route::WebhookCreate
        )
    }
}

/// The per-request inputs of a handler.
#[derive(Debug, Clone, Copy)]
pub struct Call<'a> {
    /// Who is calling.
    pub caller: &'a Caller,
    /// Raw body.
    pub body: &'a [u8],
    /// Raw query string.
    pub query: Option<&'a str>,
    /// `http://host:port` for output URLs.
    pub base: &'a str,
    /// This request's id.
    pub request_id: &'a str,
    /// The Idempotency-Key sent, if any.
    pub idem_key: Option<&'a str>,
    /// Mock time the request is handled at.
    pub now: u64,
}

/// What phase 1 decided.
#[derive(Debug)]
pub enum Phase1 {
    /// Answer now with this error (after any fault delay).
    Error(ApiError, RateInfo),
    /// Answer with a stored response.
    Replay(Stored, RateInfo),
    /// Run the handler.
    Go(Box<Ready>),
}

/// A request that passed the checks.
#[derive(Debug)]
pub struct Ready {
    /// Who is calling.
    pub caller: Caller,
    /// Where to.
    pub route: Route,
    /// Headers to send.
    pub rate: RateInfo,
    /// The idempotency claim held: (API key secret, Idempotency-Key, claim).
    pub claim: Option<(String, String, u64)>,
    /// The Idempotency-Key (also when not claimed, i.e. never).
    pub idem_key: Option<String>,
}

/// The inputs of phase 1.
#[derive(Debug, Clone, Copy)]
pub struct Incoming<'a> {
    /// Method.
    pub method: &'a str,
    /// Path.
    pub path: &'a str,
    /// `Authorization` value.
    pub authorization: Option<&'a [u8]>,
    /// `Idempotency-Key` value.
    pub idempotency_key: Option<&'a [u8]>,
    /// Body.
    pub body: &'a [u8],
    /// Caller address.
    pub ip: IpAddr,
}

fn fingerprint(method: &str, path: &str, body: &[u8]) -> u64 {
    let canonical = match serde_json::from_slice::<Value>(body) {
        Ok(v) => v.to_string().into_bytes(),
        Err(_) => body.to_vec(),
    };
    let mut text = format!("{method} {path}\n").into_bytes();
    text.extend_from_slice(&canonical);
    util::fnv1a64(&text)
}

fn contains_ci(haystack: &str, needle: &str) -> bool {
    haystack.to_ascii_lowercase().contains(needle)
}

fn invalid(i: Invalid) -> ApiError {
    ApiError::new(400, "invalid_request", "invalid_body", i.message).param(i.param)
}

fn body_object(body: &[u8]) -> Result<Map<String, Value>, ApiError> {
    v::object(body).map_err(|e| match e {
        BodyError::Empty => ApiError::new(
            400,
            "invalid_request",
            "empty_body",
            "This endpoint needs a JSON body (send Content-Type: application/json).",
        ),
        BodyError::Invalid(i) => invalid(i),
    })
}

fn policy_check(texts: &[&str]) -> Result<(), ApiError> {
    if texts.iter().any(|t| contains_ci(t, TRIGGER_BLOCKED)) {
        return Err(ApiError::new(
            422,
            "content_policy_blocked",
            "content_policy_blocked",
            "The prompt was blocked by content moderation.",
        )
        .param(Some("prompt".into())));
    }
    Ok(())
}

fn provider_check(model: &str) -> Result<(), ApiError> {
    if model == MODEL_PROVIDER_DOWN {
        return Err(ApiError::new(
            502,
            "provider_unavailable",
            "provider_unavailable",
            format!(
                "The upstream provider for model '{model}' is unavailable. Retry with backoff or pick another model."
            ),
        ));
    }
    Ok(())
}

fn failure_for(prompt: &str, model: &str) -> Option<Failure> {
    if contains_ci(prompt, TRIGGER_FAIL) {
        Some(Failure {
            code: "generation_failed".into(),
            message: "The model failed to produce an output (prompt contains 'fail-job').".into(),
        })
    } else if model == MODEL_FAIL {
        Some(Failure {
            code: "generation_failed".into(),
            message: "The model failed to produce an output (model 'fail-model').".into(),
        })
    } else if model == MODEL_PROVIDER_DOWN {
        Some(Failure {
            code: "provider_unavailable".into(),
            message: "The upstream provider is unavailable.".into(),
        })
    } else {
        None
    }
}

fn params_of(m: &Map<String, Value>) -> Value {
    let mut p = m.clone();
    p.remove("model");
    p.remove("prompt");
    Value::Object(p)
}

fn image_dims(aspect: &str) -> (u32, u32) {
    match aspect {
        "3:2" => (384, 256),
        "2:3" => (256, 384),
        "16:9" => (448, 252),
        "9:16" => (252, 448),
        _ => (256, 256),
    }
}

fn video_dims(aspect: &str, resolution: &str) -> (u32, u32) {
    let short = if resolution == "1080p" { 1080 } else { 720 };
    let long = short * 16 / 9;
    match aspect {
        "9:16" => (short, long),
        "1:1" => (short, short),
        _ => (long, short),
    }
}

/// File extension and MIME type of a modality's outputs.
pub fn output_kind(m: Modality) -> (&'static str, &'static str) {
    match m {
        Modality::Image | Modality::Upscale => ("png", "image/png"),
        Modality::Video => ("mp4", "video/mp4"),
        Modality::Music => ("wav", "audio/wav"),
        Modality::ThreeD => ("obj", "model/obj"),
        Modality::Chat => ("txt", "text/plain"),
    }
}

/// The output size and credits of a job from its (validated) parameters.
fn sizing(modality: Modality, m: &Map<String, Value>) -> (OutputSpec, i64) {
    let int = |f: &str| m.get(f).and_then(Value::as_i64);
    let text = |f: &str| match m.get(f) {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    let none = OutputSpec {
        count: 1,
        width: None,
        height: None,
        duration_s: None,
    };
    match modality {
        Modality::Image => {
            let n = int("num_outputs").unwrap_or(1).clamp(1, 4);
            let (w, h) = image_dims(&text("aspect_ratio").unwrap_or_default());
            (
                OutputSpec {
                    count: u32::try_from(n).unwrap_or(1),
                    width: Some(w),
                    height: Some(h),
                    duration_s: None,
                },
                jobs::credits(modality, n),
            )
        }
        Modality::Video => {
            let d = int("duration_s").unwrap_or(5).clamp(2, 10);
            let (w, h) = video_dims(
                &text("aspect_ratio").unwrap_or_default(),
                &text("resolution").unwrap_or_default(),
            );
            (
                OutputSpec {
                    width: Some(w),
                    height: Some(h),
                    duration_s: Some(d),
                    ..none
                },
                jobs::credits(modality, d),
            )
        }
        Modality::Music => {
            let d = int("duration_s").unwrap_or(30).clamp(15, 180);
            (
                OutputSpec {
                    duration_s: Some(d),
                    ..none
                },
                jobs::credits(modality, d),
            )
        }
        Modality::ThreeD => {
            let level = match text("mesh_complexity").as_deref() {
                Some("low") => 1,
                Some("high") => 3,
                _ => 2,
            };
            (none, jobs::credits(modality, level))
        }
        Modality::Upscale => {
            let four = text("scale_factor").as_deref() == Some("4");
            let side = if four { 512 } else { 384 };
            (
                OutputSpec {
                    width: Some(side),
                    height: Some(side),
                    ..none
                },
                jobs::credits(modality, if four { 4 } else { 2 }),
            )
        }
        Modality::Chat => (OutputSpec { count: 0, ..none }, jobs::credits(modality, 1)),
    }
}

impl State {
    /// Auth, rate limit, anomaly pause, routing, scopes and idempotency:
    /// everything decided before any work (and before a fault's delay).
    pub fn phase1(&mut self, req: Incoming<'_>) -> Phase1 {
        let anon = self.anonymous_rate();
        let caller = match self.authenticate(req.authorization, req.ip) {
            Ok(c) => c,
            Err(e) => return Phase1::Error(e, anon),
        };
        let (rate, limited) = self.rate_check(&caller);
        if let Some(e) = limited {
            return Phase1::Error(e, rate);
        }
        if let Some(e) = self.anomaly_check(&caller) {
            return Phase1::Error(e, rate);
        }
        let route = match resolve(req.method, req.path) {
            Ok(r) => r,
            Err(e) => return Phase1::Error(e, rate),
        };
        for scope in self.required_scopes(&route, &caller, req.body) {
            if !caller.has_scope(scope) {
                return Phase1::Error(
                    ApiError::new(
                        403,
                        "authorization",
                        "insufficient_role",
                        format!(
                            "This API key lacks the scope `{scope}` needed for {} {}.",
                            req.method, req.path
                        ),
                    ),
                    rate,
                );
            }
        }
        let mut claim = None;
        let mut idem_key = None;
        if route.is_post()
            && let Some(raw) = req.idempotency_key
        {
            let key = String::from_utf8_lossy(raw).trim().to_owned();
            if key.chars().count() > idempotency::MAX_KEY_LEN {
                return Phase1::Error(
                    ApiError::new(
                        400,
                        "invalid_request",
                        "idempotency_key_too_long",
                        format!(
                            "Idempotency-Key must be at most {} characters (got {}).",
                            idempotency::MAX_KEY_LEN,
                            key.chars().count()
                        ),
                    ),
                    rate,
                );
            }
            if !key.is_empty() {
                let fp = fingerprint(req.method, req.path, req.body);
                let now = self.now();
                let c = self.new_claim();
                match self.idem.begin(&caller.token, &key, fp, now, c) {
                    Begin::Fresh => claim = Some((caller.token.clone(), key.clone(), c)),
                    Begin::Replay(stored) => return Phase1::Replay(stored, rate),
                    Begin::Mismatch => {
                        return Phase1::Error(
                            ApiError::new(
                                409,
                                "conflict",
                                "idempotency_key_reuse",
                                "This Idempotency-Key was already used with a different request body in the last 24 hours.",
                            ),
                            rate,
                        );
                    }
                    Begin::InFlight => {
                        return Phase1::Error(
                            ApiError::new(
                                409,
                                "conflict",
                                "idempotency_key_in_use",
                                "A request with this Idempotency-Key is still being processed. Retry after it completes.",
                            ),
                            rate,
                        );
                    }
                }
                idem_key = Some(key);
            }
        }
        Phase1::Go(Box::new(Ready {
            caller,
            route,
            rate,
            claim,
            idem_key,
        }))
    }

    /// The scopes a restricted key needs for a route.
    pub fn required_scopes(
        &self,
        route: &Route,
        caller: &Caller,
        body: &[u8],
    ) -> Vec<&'static str> {
        match route {
            Route::Models => vec![],
            Route::Images => vec![Modality::Image.write_scope()],
            Route::Videos => vec![Modality::Video.write_scope()],
            Route::Music => vec![Modality::Music.write_scope()],
            Route::ThreeD => vec![Modality::ThreeD.write_scope()],
            Route::Upscale => vec![Modality::Upscale.write_scope()],
            Route::Chat => vec![Modality::Chat.write_scope()],
            Route::ComparisonCreate => {
                let models: Vec<String> = serde_json::from_slice::<Value>(body)
                    .ok()
                    .and_then(|b| b.get("models").cloned())
                    .and_then(|m| m.as_array().cloned())
                    .map(|a| {
                        a.iter()
                            .filter_map(|x| x.as_str().map(str::to_owned))
                            .collect()
                    })
                    .unwrap_or_default();
                let mut scopes: Vec<&'static str> = models
                    .iter()
                    .map(|m| {
                        jobs::model_modality(m)
                            .unwrap_or(Modality::Image)
                            .write_scope()
                    })
                    .collect();
                scopes.sort_unstable();
                scopes.dedup();
                if scopes.is_empty() {
                    scopes.push(Modality::Image.write_scope());
                }
                scopes
            }
            Route::ComparisonGet(_) | Route::GenerationGet(_) => vec!["generations:read"],
            Route::GenerationCancel(id) => match self.gens.get(id) {
                Some(g) if g.org == caller.org => vec![g.modality.write_scope()],
                _ => vec![],
            },
            Route::Usage => vec!["usage:read"],
            Route::ApiKeyCreate | Route::ApiKeyUpdate(_) | Route::ApiKeyDelete(_) => {
                vec!["keys:manage"]
            }
            Route::WebhookCreate | Route::WebhookList | Route::WebhookDelete(_) => {
                vec!["webhooks:manage"]
            }
        }
    }

    /// Runs the handler of a route.
    pub fn dispatch(&mut self, route: &Route, call: &Call<'_>) -> Result<(u16, Value), ApiError> {
        self.settle(call.now);
        match route {
            Route::Models => Ok((200, models_json())),
            Route::Images => self.create_images(call),
            Route::Videos => self.create_async(call, Modality::Video),
            Route::Music => self.create_async(call, Modality::Music),
            Route::ThreeD => self.create_async(call, Modality::ThreeD),
            Route::Upscale => self.create_async(call, Modality::Upscale),
            Route::Chat => self.create_chat(call),
            Route::ComparisonCreate => self.create_comparison(call),
            Route::ComparisonGet(id) => {
                let c = self
                    .comps
                    .get(id)
                    .filter(|c| c.org == call.caller.org)
                    .ok_or_else(|| {
                        not_found(&format!("No such comparison: {id}")).param(Some("id".into()))
                    })?;
                Ok((200, self.comp_json(c, call.base, call.now)))
            }
            Route::GenerationGet(id) => {
                let g = self.visible_gen(id, &call.caller.org)?;
                Ok((200, self.gen_json(g, call.base, call.now)))
            }
            Route::GenerationCancel(id) => self.cancel(id, call),
            Route::Usage => self.usage(call),
            Route::ApiKeyCreate => self.create_key(call),
            Route::ApiKeyUpdate(id) => self.update_key(id, call),
            Route::ApiKeyDelete(id) => self.delete_key(id, call),
            Route::WebhookCreate => self.create_webhook(call),
            Route::WebhookList => {
                let data: Vec<Value> = self
                    .webhooks
                    .iter()
                    .filter(|w| w.org == call.caller.org)
                    .map(|w| self.webhook_json(w, false))
                    .collect();
                Ok((200, json!({"object": "list", "data": data})))
            }
            Route::WebhookDelete(id) => {
                let before = self.webhooks.len();
                self.webhooks
                    .retain(|w| !(w.id == *id && w.org == call.caller.org));
                if self.webhooks.len() == before {
                    return Err(
                        not_found(&format!("No such webhook: {id}")).param(Some("id".into()))
                    );
                }
                Ok((200, json!({"id": id, "object": "webhook", "deleted": true})))
            }
        }
    }

    fn visible_gen(&self, id: &str, org: &str) -> Result<&Gen, ApiError> {
        self.gens
            .get(id)
            .filter(|g| g.org == org)
            .ok_or_else(|| not_found(&format!("No such generation: {id}")).param(Some("id".into())))
    }

    /// A Generation object.
    pub fn gen_json(&self, g: &Gen, base: &str, now: u64) -> Value {
        let status = g.status(now);
        let outputs: Vec<Value> = if status == Status::Succeeded {
            (0..g.outputs.count)
                .map(|n| output_json(g, n, base))
                .collect()
        } else {
            Vec::new()
        };
        let error = match (&g.failure, status) {
            (Some(f), Status::Failed) => json!({"code": f.code, "message": f.message}),
            _ => Value::Null,
        };
        json!({
            "id": g.id,
            "object": "generation",
            "status": status.as_str(),
            "modality": g.modality.as_str(),
            "model": g.model,
            "prompt": g.prompt,
            "params": g.params,
            "reserved_credits": g.reserved,
            "charged_credits": g.charged,
            "refunded_credits": g.refunded,
            "cache_hit": false,
            "outputs": outputs,
            "created_at": util::iso_ms(self.clock.wall_ms(g.timeline.created_ms)),
            "finished_at": g.finished_ms.map(|t| util::iso_ms(self.clock.wall_ms(t))),
            "comparison_id": g.parent,
            "error": error,
        })
    }

    /// A Comparison object.
    pub fn comp_json(&self, c: &Comp, base: &str, now: u64) -> Value {
        let children: Vec<&Gen> = c
            .children
            .iter()
            .filter_map(|id| self.gens.get(id))
            .collect();
        let statuses: Vec<Status> = children.iter().map(|g| g.status(now)).collect();
        let all_terminal = statuses.iter().all(|s| s.is_terminal());
        let succeeded = statuses.iter().filter(|s| **s == Status::Succeeded).count();
        let status = if all_terminal {
            if succeeded == statuses.len() {
                "succeeded"
            } else if succeeded == 0 {
                "failed"
            } else {
                "partial"
            }
        } else if statuses.iter().all(|s| *s == Status::Queued) {
            "queued"
        } else {
            "running"
        };
        let finished = if all_terminal {
            children.iter().filter_map(|g| g.finished_ms).max()
        } else {
            None
        };
        let generations: Vec<Value> = children
            .iter()
            .map(|g| {
                let s = g.status(now);
                let outputs: Vec<Value> = if s == Status::Succeeded {
                    (0..g.outputs.count)
                        .map(|n| output_json(g, n, base))
                        .collect()
                } else {
                    Vec::new()
                };
                let error_code = match s {
                    Status::Failed => g.failure.as_ref().map(|f| f.code.clone()),
                    Status::Canceled => Some("canceled".to_owned()),
                    _ => None,
                };
                json!({
                    "id": g.id,
                    "model": g.model,
                    "modality": g.modality.as_str(),
                    "status": s.as_str(),
                    "reserved_credits": g.reserved,
                    "charged_credits": g.charged,
                    "refunded_credits": g.refunded,
                    "error_code": error_code,
                    "outputs": outputs,
                })
            })
            .collect();
        json!({
            "id": c.id,
            "object": "comparison",
            "status": status,
            "prompt": c.prompt,
            "params_shared": c.params_shared,
            "reserved_credits": c.reserved,
            "created_at": util::iso_ms(self.clock.wall_ms(c.created_ms)),
            "finished_at": finished.map(|t| util::iso_ms(self.clock.wall_ms(t))),
            "generations": generations,
        })
    }

    fn new_gen(
        &mut self,
        call: &Call<'_>,
        modality: Modality,
        model: &str,
        prompt: &str,
        params: Value,
        timeline: Timeline,
    ) -> Gen {
        Gen {
            id: self.new_id("gen_", 24),
            org: call.caller.org.clone(),
            key_id: call.caller.key_id.clone(),
            modality,
            model: model.to_owned(),
            prompt: prompt.to_owned(),
            params,
            reserved: 0,
            charged: 0,
            refunded: 0,
            timeline,
            failure: failure_for(prompt, model),
            settled: None,
            finished_ms: None,
            outputs: OutputSpec {
                count: 0,
                width: None,
                height: None,
                duration_s: None,
            },
            parent: None,
            request_id: call.request_id.to_owned(),
            idempotency_key: call.idem_key.map(str::to_owned),
        }
    }

    fn create_images(&mut self, call: &Call<'_>) -> Result<(u16, Value), ApiError> {
        let m = body_object(call.body)?;
        let model = v::req_str(&m, "model", None).map_err(invalid)?;
        let prompt = v::req_str(&m, "prompt", None).map_err(invalid)?;
        v::opt_enum(
            &m,
            "aspect_ratio",
            &["1:1", "3:2", "2:3", "16:9", "9:16"],
            false,
        )
        .map_err(invalid)?;
        v::opt_int(&m, "num_outputs", 1, 4).map_err(invalid)?;
        let negative = v::opt_str(&m, "negative_prompt", None).map_err(invalid)?;
        v::opt_seed(&m, "seed").map_err(invalid)?;
        policy_check(&[&prompt, negative.as_deref().unwrap_or("")])?;
        provider_check(&model)?;
        let (spec, credits) = sizing(Modality::Image, &m);
        self.reserve(&call.caller.org, credits)?;
        let mut g = self.new_gen(
            call,
            Modality::Image,
            &model,
            &prompt,
            params_of(&m),
            Timeline::instant(call.now),
        );
        g.reserved = credits;
        g.outputs = spec;
        let id = g.id.clone();
        self.insert_gen(g);
        self.ledger.generations_created += 1;
        self.settle(call.now);
        let g = self.visible_gen(&id, &call.caller.org)?;
        Ok((200, self.gen_json(g, call.base, call.now)))
    }

    fn create_async(
        &mut self,
        call: &Call<'_>,
        modality: Modality,
    ) -> Result<(u16, Value), ApiError> {
        let m = body_object(call.body)?;
        let model = v::req_str(&m, "model", None).map_err(invalid)?;
        let prompt = match modality {
            Modality::Upscale => v::opt_str(&m, "prompt", Some(4000))
                .map_err(invalid)?
                .unwrap_or_default(),
            Modality::ThreeD => v::req_str(&m, "prompt", Some(4000)).map_err(invalid)?,
            _ => v::req_str(&m, "prompt", None).map_err(invalid)?,
        };
        match modality {
            Modality::Video => {
                v::opt_int(&m, "duration_s", 2, 10).map_err(invalid)?;
                v::opt_enum(&m, "aspect_ratio", &["16:9", "9:16", "1:1"], false)
                    .map_err(invalid)?;
                v::opt_enum(&m, "resolution", &["720p", "1080p"], false).map_err(invalid)?;
                v::opt_uri(&m, "image_url").map_err(invalid)?;
                v::opt_seed(&m, "seed").map_err(invalid)?;
            }
            Modality::Music => {
                v::opt_int(&m, "duration_s", 15, 180).map_err(invalid)?;
                v::opt_bool(&m, "with_vocals").map_err(invalid)?;
            }
            Modality::ThreeD => {
                v::opt_uri(&m, "image_url").map_err(invalid)?;
                v::opt_enum(&m, "texture_size", &["1024", "2048", "4096"], true)
                    .map_err(invalid)?;
                v::opt_enum(&m, "mesh_complexity", &["low", "medium", "high"], false)
                    .map_err(invalid)?;
                v::opt_bool(&m, "rigged").map_err(invalid)?;
                v::opt_seed(&m, "seed").map_err(invalid)?;
            }
            Modality::Upscale => {
                if v::opt_uri(&m, "image_url").map_err(invalid)?.is_none() {
                    return Err(invalid(Invalid::field("image_url", "Required")));
                }
                v::opt_enum(&m, "scale_factor", &["2", "4"], true).map_err(invalid)?;
                v::opt_bool(&m, "face_enhance").map_err(invalid)?;
            }
            Modality::Image | Modality::Chat => {}
        }
        policy_check(&[&prompt])?;
        provider_check(&model)?;
        let (spec, credits) = sizing(modality, &m);
        self.reserve(&call.caller.org, credits)?;
        let mut g = self.new_gen(
            call,
            modality,
            &model,
            &prompt,
            params_of(&m),
            Timeline::standard(call.now),
        );
        g.reserved = credits;
        g.outputs = spec;
        let body = self.gen_json(&g, call.base, call.now);
        self.insert_gen(g);
        self.ledger.generations_created += 1;
        Ok((202, body))
    }

    fn create_chat(&mut self, call: &Call<'_>) -> Result<(u16, Value), ApiError> {
        let m = body_object(call.body)?;
        let model = v::req_str(&m, "model", None).map_err(invalid)?;
        let messages = v::req_array(&m, "messages", 1, 50).map_err(invalid)?;
        let mut contents = Vec::new();
        for (i, msg) in messages.iter().enumerate() {
            let Value::Object(obj) = msg else {
                return Err(invalid(Invalid::field(
                    &format!("messages.{i}"),
                    format!("Expected object, received {}", v::type_name(msg)),
                )));
            };
            let content = v::req_str(obj, "content", None)
                .or_else(|e| match obj.get("content") {
                    Some(Value::String(s)) if s.is_empty() => Ok(String::new()),
                    _ => Err(e),
                })
                .map_err(|e| {
                    invalid(Invalid::field(&format!("messages.{i}.content"), e.message))
                })?;
            v::opt_str(obj, "role", None)
                .map_err(|e| invalid(Invalid::field(&format!("messages.{i}.role"), e.message)))?;
            contents.push(content);
        }
        let max_tokens = v::opt_int(&m, "max_tokens", 1, 8000).map_err(invalid)?;
        v::opt_number(&m, "temperature", 0.0, 2.0).map_err(invalid)?;
        let system = v::opt_str(&m, "system_prompt", Some(8000)).map_err(invalid)?;
        let mut texts: Vec<&str> = contents.iter().map(String::as_str).collect();
        texts.push(system.as_deref().unwrap_or(""));
        policy_check(&texts)?;
        provider_check(&model)?;
        let credits = jobs::credits(Modality::Chat, 1);
        self.reserve(&call.caller.org, credits)?;
        let all = texts.join("\n");
        let failure = failure_for(&all, &model);
        let last = contents.last().cloned().unwrap_or_default();
        let snippet: String = last.chars().take(160).collect();
        let mut reply = format!(
            "This is a simulated reply from {model} (rimp-mock). You said: \"{snippet}\". \
             Nothing was sent to a real model."
        );
        if let Some(max) = max_tokens {
            let words: Vec<&str> = reply
                .split(' ')
                .take(usize::try_from(max).unwrap_or(1))
                .collect();
            reply = words.join(" ");
        }
        let (status, charged, refunded) = if failure.is_some() {
            ("failed", 0, credits)
        } else {
            ("succeeded", credits, 0)
        };
        let org = self.org_mut(&call.caller.org);
        org.reserved -= credits;
        if failure.is_some() {
            org.balance = org.balance.saturating_add(credits);
            org.refunded += credits;
            if let Some(q) = org.quota_remaining.as_mut() {
                *q = q.saturating_add(credits);
            }
            self.ledger.credits_refunded += credits;
        } else {
            org.charged += credits;
            self.ledger.credits_charged += credits;
        }
        self.ledger.chat_completions_created += 1;
        self.chats.push(ChatRec {
            org: call.caller.org.clone(),
            key_id: call.caller.key_id.clone(),
            model: model.clone(),
            charged,
            created_ms: call.now,
        });
        let id = self.new_id("chat_", 24);
        Ok((
            200,
            json!({
                "id": id,
                "object": "chat.completion",
                "status": status,
                "modality": "chat",
                "model": model,
                "message": if failure.is_some() { Value::Null } else { json!({"role": "assistant", "content": reply}) },
                "charged_credits": charged,
                "refunded_credits": refunded,
                "error_message": failure.map(|f| f.message),
                "created_at": util::iso_ms(self.clock.wall_ms(call.now)),
            }),
        ))
    }

    fn create_comparison(&mut self, call: &Call<'_>) -> Result<(u16, Value), ApiError> {
        let m = body_object(call.body)?;
        let prompt = v::req_str(&m, "prompt", Some(4000)).map_err(invalid)?;
        let models_raw = v::req_array(&m, "models", 2, 12).map_err(invalid)?;
        let mut models = Vec::new();
        for (i, x) in models_raw.iter().enumerate() {
            match x {
                Value::String(s) if !s.is_empty() => models.push(s.clone()),
                Value::String(_) => {
                    return Err(invalid(Invalid::field(
                        &format!("models.{i}"),
                        "String must contain at least 1 character(s)",
                    )));
                }
                other => {
                    return Err(invalid(Invalid::field(
                        &format!("models.{i}"),
                        format!("Expected string, received {}", v::type_name(other)),
                    )));
                }
            }
        }
        let shared = v::opt_object(&m, "params_shared")
            .map_err(invalid)?
            .cloned()
            .unwrap_or_default();
        policy_check(&[&prompt])?;
        let plan: Vec<(String, Modality, OutputSpec, i64)> = models
            .iter()
            .map(|model| {
                let modality = jobs::model_modality(model).unwrap_or(Modality::Image);
                let (spec, credits) = sizing(modality, &shared);
                (model.clone(), modality, spec, credits)
            })
            .collect();
        let total: i64 = plan.iter().map(|p| p.3).sum();
        self.reserve(&call.caller.org, total)?;
        let cmp_id = self.new_id("cmp_", 24);
        let mut children = Vec::new();
        for (model, modality, spec, credits) in plan {
            let mut g = self.new_gen(
                call,
                modality,
                &model,
                &prompt,
                Value::Object(shared.clone()),
                Timeline::standard(call.now),
            );
            g.reserved = credits;
            g.outputs = spec;
            g.parent = Some(cmp_id.clone());
            children.push(g.id.clone());
            self.insert_gen(g);
            self.ledger.comparison_children_created += 1;
        }
        let comp = Comp {
            id: cmp_id,
            org: call.caller.org.clone(),
            prompt,
            params_shared: Value::Object(shared),
            reserved: total,
            created_ms: call.now,
            children,
        };
        let body = self.comp_json(&comp, call.base, call.now);
        self.comps.insert(comp.id.clone(), comp);
        self.ledger.comparisons_created += 1;
        Ok((202, body))
    }

    fn cancel(&mut self, id: &str, call: &Call<'_>) -> Result<(u16, Value), ApiError> {
        let status = self.visible_gen(id, &call.caller.org)?.status(call.now);
        if status.is_terminal() {
            return Err(ApiError::new(
                409,
                "conflict",
                "not_cancelable",
                format!(
                    "Generation {id} is already {} and cannot be canceled.",
                    status.as_str()
                ),
            )
            .param(Some("id".into())));
        }
        self.finish(id, Status::Canceled, Some(call.now));
        let g = self.visible_gen(id, &call.caller.org)?;
        Ok((200, self.gen_json(g, call.base, call.now)))
    }

    fn usage(&mut self, call: &Call<'_>) -> Result<(u16, Value), ApiError> {
        let mut start = None;
        let mut end = None;
        let mut group_by = None;
        for (k, val) in util::parse_query(call.query) {
            match k.as_str() {
                "start" | "end" => {
                    let t = util::parse_datetime(&val).ok_or_else(|| {
                        invalid(Invalid::field(
                            &k,
                            "Invalid datetime (expected ISO 8601, e.g. 2026-05-01T00:00:00Z)",
                        ))
                    })?;
                    if k == "start" {
                        start = Some((val, t));
                    } else {
                        end = Some((val, t));
                    }
                }
                "group_by" => {
                    if !["day", "model", "api_key"].contains(&val.as_str()) {
                        return Err(invalid(Invalid::field(
                            "group_by",
                            format!(
                                "Invalid enum value. Expected 'day' | 'model' | 'api_key', received '{val}'"
                            ),
                        )));
                    }
                    group_by = Some(val);
                }
                _ => {}
            }
        }
        if let (Some((_, s)), Some((_, e))) = (&start, &end)
            && s > e
        {
            return Err(invalid(Invalid::field(
                "end",
                "end must not be before start",
            )));
        }
        let in_range = |wall: u64| {
            let t = i64::try_from(wall).unwrap_or(i64::MAX);
            start.as_ref().is_none_or(|(_, s)| t >= *s) && end.as_ref().is_none_or(|(_, e)| t < *e)
        };
        // (day, model, key id, charged, refunded)
        let mut rows: Vec<(u64, String, String, i64, i64)> = Vec::new();
        for g in self.gens.values().filter(|g| g.org == call.caller.org) {
            rows.push((
                self.clock.wall_ms(g.timeline.created_ms),
                g.model.clone(),
                g.key_id.clone(),
                g.charged,
                g.refunded,
            ));
        }
        for c in self.chats.iter().filter(|c| c.org == call.caller.org) {
            rows.push((
                self.clock.wall_ms(c.created_ms),
                c.model.clone(),
                c.key_id.clone(),
                c.charged,
                0,
            ));
        }
        rows.retain(|r| in_range(r.0));
        let mut groups: std::collections::BTreeMap<String, (i64, i64, u64)> = Default::default();
        for (wall, model, key, charged, refunded) in &rows {
            let k = match group_by.as_deref() {
                Some("day") => util::iso_day(*wall),
                Some("model") => model.clone(),
                Some("api_key") => key.clone(),
                _ => "total".to_owned(),
            };
            let e = groups.entry(k).or_default();
            e.0 += charged;
            e.1 += refunded;
            e.2 += 1;
        }
        let data: Vec<Value> = groups
            .into_iter()
            .map(|(k, (c, r, n))| json!({"group": k, "credits": c, "refunded_credits": r, "generations": n}))
            .collect();
        Ok((
            200,
            json!({
                "object": "usage",
                "start": start.map(|s| s.0),
                "end": end.map(|e| e.0),
                "group_by": group_by,
                "total_credits": rows.iter().map(|r| r.3).sum::<i64>(),
                "total_refunded_credits": rows.iter().map(|r| r.4).sum::<i64>(),
                "total_generations": rows.len(),
                "data": data,
            }),
        ))
    }

    fn key_json(&self, id: &str) -> Value {
        let Some(rec) = self.key_ids.get(id).and_then(|t| self.keys.get(t)) else {
            return Value::Null;
        };
        json!({
            "id": rec.id,
            "object": "api_key",
            "name": rec.name,
            "scopes": rec.scopes,
            "created_at": util::iso_ms(self.clock.wall_ms(rec.created_ms)),
            "ip_allowlist": rec.ip_allowlist,
            "revoked": rec.revoked_ms.is_some(),
            "revoked_at": rec.revoked_ms.map(|t| util::iso_ms(self.clock.wall_ms(t))),
        })
    }

    fn create_key(&mut self, call: &Call<'_>) -> Result<(u16, Value), ApiError> {
        let m = body_object(call.body)?;
        let name = v::req_str(&m, "name", Some(200)).map_err(invalid)?;
        let mut scopes = Vec::new();
        if let Some(raw) = m.get("scopes") {
            let Value::Array(items) = raw else {
                return Err(invalid(Invalid::field(
                    "scopes",
                    format!("Expected array, received {}", v::type_name(raw)),
                )));
            };
            for (i, s) in items.iter().enumerate() {
                match s.as_str() {
                    Some(s) if SCOPES.contains(&s) => {
                        if !scopes.iter().any(|x| x == s) {
                            scopes.push(s.to_owned());
                        }
                    }
                    _ => {
                        return Err(invalid(Invalid::field(
                            &format!("scopes.{i}"),
                            format!("Unknown scope. Expected one of {}", SCOPES.join(", ")),
                        )));
                    }
                }
            }
        }
        let prefix = if call.caller.token.starts_with("sk_live_") {
            "sk_live_"
        } else {
            "sk_test_"
        };
        let secret = self.new_secret(24);
        let token = format!("{prefix}{}_{secret}", call.caller.org);
        let id = self.new_id("key_", 24);
        let rec = crate::state::KeyRec {
            id: id.clone(),
            token: token.clone(),
            org: call.caller.org.clone(),
            name,
            scopes,
            created_ms: call.now,
            revoked_ms: None,
            ip_allowlist: Vec::new(),
            implicit: false,
        };
        self.keys.insert(token.clone(), rec);
        self.key_ids.insert(id.clone(), token.clone());
        let mut body = self.key_json(&id);
        if let Value::Object(o) = &mut body {
            o.insert("key".into(), json!(token));
        }
        Ok((200, body))
    }

    fn own_key(&self, id: &str, org: &str) -> Result<String, ApiError> {
        self.key_ids
            .get(id)
            .filter(|t| self.keys.get(*t).is_some_and(|k| k.org == org))
            .cloned()
            .ok_or_else(|| not_found(&format!("No such API key: {id}")).param(Some("id".into())))
    }

    fn update_key(&mut self, id: &str, call: &Call<'_>) -> Result<(u16, Value), ApiError> {
        let token = self.own_key(id, &call.caller.org)?;
        let m = body_object(call.body)?;
        let name = v::opt_str(&m, "name", Some(200)).map_err(invalid)?;
        let mut allow = None;
        if let Some(raw) = m.get("ipAllowlist") {
            let Value::Array(items) = raw else {
                return Err(invalid(Invalid::field(
                    "ipAllowlist",
                    format!("Expected array, received {}", v::type_name(raw)),
                )));
            };
            let mut list = Vec::new();
            for (i, item) in items.iter().enumerate() {
                match item.as_str() {
                    Some(s) if Cidr::parse(s).is_some() => list.push(s.to_owned()),
                    _ => {
                        return Err(invalid(Invalid::field(
                            "ipAllowlist",
                            format!("ipAllowlist[{i}] is not a valid IPv4 or IPv6 CIDR block"),
                        )));
                    }
                }
            }
            allow = Some(list);
        }
        if let Some(rec) = self.keys.get_mut(&token) {
            if let Some(n) = name {
                rec.name = n;
            }
            if let Some(a) = allow {
                rec.ip_allowlist = a;
            }
        }
        Ok((200, self.key_json(id)))
    }

    fn delete_key(&mut self, id: &str, call: &Call<'_>) -> Result<(u16, Value), ApiError> {
        let token = self.own_key(id, &call.caller.org)?;
        if let Some(rec) = self.keys.get_mut(&token)
            && rec.revoked_ms.is_none()
        {
            rec.revoked_ms = Some(call.now);
        }
        Ok((200, self.key_json(id)))
    }

    fn webhook_json(&self, w: &Webhook, with_secret: bool) -> Value {
        let mut o = json!({
            "id": w.id,
            "object": "webhook",
            "url": w.url,
            "events": w.events,
            "created_at": util::iso_ms(self.clock.wall_ms(w.created_ms)),
        });
        if with_secret && let Value::Object(map) = &mut o {
            map.insert("secret".into(), json!(w.secret));
        }
        o
    }

    fn create_webhook(&mut self, call: &Call<'_>) -> Result<(u16, Value), ApiError> {
        let m = body_object(call.body)?;
        let url = v::req_str(&m, "url", Some(2048)).map_err(invalid)?;
        if !v::is_http_url(&url) {
            return Err(invalid(Invalid::field(
                "url",
                "Invalid url (expected http:// or https://)",
            )));
        }
        let items = v::req_array(&m, "events", 1, 32).map_err(invalid)?;
        let mut events = Vec::new();
        for (i, e) in items.iter().enumerate() {
            match e.as_str() {
                Some(s) if s == "*" || EVENTS.contains(&s) => events.push(s.to_owned()),
                _ => {
                    return Err(invalid(Invalid::field(
                        &format!("events.{i}"),
                        format!(
                            "Unknown event. Expected '*' or one of {}",
                            EVENTS.join(", ")
                        ),
                    )));
                }
            }
        }
        let w = Webhook {
            id: self.new_id("whk_", 24),
            org: call.caller.org.clone(),
            url,
            events,
            secret: format!("whsec_{}", self.new_secret(32)),
            created_ms: call.now,
        };
        let body = self.webhook_json(&w, true);
        self.webhooks.push(w);
        Ok((200, body))
    }

    /// The bytes of an output file: `name` is `<n>.<ext>` of generation `gen_id`.
    pub fn output_file(&self, gen_id: &str, name: &str) -> Option<(&'static str, Vec<u8>)> {
        let g = self.gens.get(gen_id)?;
        if g.settled != Some(Status::Succeeded) {
            return None;
        }
        let (n, ext) = name.split_once('.')?;
        let n: u32 = n.parse().ok()?;
        let (want_ext, mime) = output_kind(g.modality);
        if n >= g.outputs.count || ext != want_ext {
            return None;
        }
        let seed = util::fnv1a64(gen_id.as_bytes()) ^ u64::from(n).wrapping_mul(0x9E37_79B9);
        let bytes = match g.modality {
            Modality::Image | Modality::Upscale => crate::media::picture_png(
                g.outputs.width.unwrap_or(256),
                g.outputs.height.unwrap_or(256),
                seed,
            ),
            Modality::Music => crate::media::tone_wav(seed, 2),
            Modality::ThreeD => crate::media::cube_obj(gen_id),
            Modality::Video => crate::media::video_placeholder(gen_id),
            Modality::Chat => return None,
        };
        Some((mime, bytes))
    }
}

fn output_json(g: &Gen, n: u32, base: &str) -> Value {
    let (ext, mime) = output_kind(g.modality);
    let suffix = g.id.strip_prefix("gen_").unwrap_or(&g.id);
    json!({
        "id": format!("out_{suffix}_{n}"),
        "mime": mime,
        "width": g.outputs.width,
        "height": g.outputs.height,
        "duration_s": g.outputs.duration_s.map(|d| d.to_string()),
        "url": format!("{base}/files/{}/{n}.{ext}", g.id),
    })
}

/// `GET /v1/models`.
pub fn models_json() -> Value {
    let data: Vec<Value> = MODELS
        .iter()
        .map(|m| {
            json!({
                "id": m.id,
                "object": "model",
                "modality": m.modality.as_str(),
                "description": m.description,
                "trigger": m.id == MODEL_FAIL || m.id == MODEL_PROVIDER_DOWN,
            })
        })
        .collect();
    json!({"object": "list", "data": data})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routing() {
        assert_eq!(resolve("GET", "/v1/models").unwrap(), Route::Models);
        assert_eq!(
            resolve("POST", "/v1/generations/gen_1/cancel").unwrap(),
            Route::GenerationCancel("gen_1".into())
        );
        assert_eq!(
            resolve("DELETE", "/v1/api-keys/key_1").unwrap(),
            Route::ApiKeyDelete("key_1".into())
        );
        assert_eq!(resolve("GET", "/v1/nope").unwrap_err().status, 404);
        assert_eq!(resolve("GET", "/v1/generations/").unwrap_err().status, 404);
        assert_eq!(resolve("GET", "/v2/models").unwrap_err().status, 404);
        let e = resolve("GET", "/v1/images").unwrap_err();
        assert_eq!((e.status, e.code), (405, "method_not_allowed"));
        assert!(Route::Images.is_post() && !Route::Models.is_post());
    }

    #[test]
    fn fingerprints_ignore_key_order_and_whitespace() {
        let a = fingerprint("POST", "/v1/videos", br#"{"model":"m","prompt":"p"}"#);
        let b = fingerprint(
            "POST",
            "/v1/videos",
            b"{ \"prompt\": \"p\", \"model\": \"m\" }",
        );
        assert_eq!(a, b);
        assert_ne!(
            a,
            fingerprint("POST", "/v1/music", br#"{"model":"m","prompt":"p"}"#)
        );
        assert_ne!(
            a,
            fingerprint("POST", "/v1/videos", br#"{"model":"m","prompt":"q"}"#)
        );
    }

    #[test]
    fn sizes_and_prices() {
        let m = |v: Value| v.as_object().cloned().unwrap();
        assert_eq!(
            sizing(Modality::Video, &m(json!({"duration_s": 10}))).1,
            600
        );
        assert_eq!(sizing(Modality::Image, &m(json!({"num_outputs": 3}))).1, 30);
        assert_eq!(
            sizing(Modality::Image, &m(json!({"aspect_ratio": "16:9"})))
                .0
                .width,
            Some(448)
        );
        assert_eq!(
            sizing(Modality::Upscale, &m(json!({"scale_factor": 4}))).1,
            40
        );
        assert_eq!(
            sizing(Modality::ThreeD, &m(json!({"mesh_complexity": "high"}))).1,
            300
        );
        assert_eq!(sizing(Modality::Music, &m(json!({}))).1, 60);
    }
}
