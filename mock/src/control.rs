//! The control API under `/__mock`: faults, reset, request log, ledger,
//! clock and configuration. Never authenticated, rate-limited, logged or
//! faulted.

use hyper::header::{HeaderName, HeaderValue};
use serde_json::{Map, Value, json};

use crate::state::{ANOMALY_PAUSE_MS, Fault, FaultAction, Plan, RespondSpec, State};
use crate::util;
use crate::webhooks::{DEFAULT_OLD_AGE_S, HookFault, HookFaultAction};

/// The largest `delay` a fault may ask for (real ms).
pub const MAX_DELAY_MS: u64 = 600_000;

fn bad(message: impl Into<String>, param: Option<&str>) -> (u16, Value) {
    let mut e = Map::new();
    e.insert("type".into(), json!("invalid_request"));
    e.insert("code".into(), json!("invalid_control_request"));
    e.insert("message".into(), json!(message.into()));
    if let Some(p) = param {
        e.insert("param".into(), json!(p));
    }
    (400, json!({ "error": e }))
}

fn not_found(method: &str, path: &str) -> (u16, Value) {
    (
        404,
        json!({"error": {"type": "not_found", "code": "not_found", "message": format!("No control endpoint {method} {path}; see mock/README.md")}}),
    )
}

fn parse_body(body: &[u8]) -> Result<Map<String, Value>, (u16, Value)> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(bad("Body must be a JSON object", None)),
        Err(e) => Err(bad(format!("Malformed JSON body: {e}"), None)),
    }
}

fn opt_u64(m: &Map<String, Value>, field: &str) -> Result<Option<u64>, (u16, Value)> {
    match m.get(field) {
        None => Ok(None),
        Some(v) => v.as_u64().map(Some).ok_or_else(|| {
            bad(
                format!("`{field}` must be a non-negative integer"),
                Some(field),
            )
        }),
    }
}

/// Handles one control request. Returns the status and JSON body.
pub fn handle(
    st: &mut State,
    method: &str,
    path: &str,
    query: Option<&str>,
    body: &[u8],
) -> (u16, Value) {
    let rest = path.strip_prefix("/__mock").unwrap_or("");
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    let result = match (method, rest) {
        ("GET", "") => Ok(info(st)),
        ("POST", "/faults") => add_fault(st, body),
        ("GET", "/faults") => Ok((200, faults_json(st))),
        ("DELETE", "/faults") => Ok(clear_all(&mut st.faults)),
        ("DELETE", r) if r.starts_with("/faults/") => {
            let id = r.strip_prefix("/faults/").unwrap_or("");
            Ok(delete_one(&mut st.faults, |f| f.id == id)
                .unwrap_or_else(|| not_found(method, path)))
        }
        ("POST", "/reset") => {
            st.reset();
            Ok((200, json!({"ok": true})))
        }
        ("GET", "/requests") => Ok((
            200,
            Value::Array(st.log.iter().map(|e| e.to_json()).collect()),
        )),
        ("DELETE", "/requests") => Ok(clear_all(&mut st.log)),
        ("GET", "/ledger") => {
            let now = st.now();
            st.settle(now);
            Ok((200, st.ledger_json()))
        }
        ("GET", "/clock") => Ok((200, clock_json(st))),
        ("POST", "/clock/advance") => advance(st, body),
        ("GET", "/config") => Ok((200, config_json(st, query_org(query).as_deref()))),
        ("POST", "/config") => config(st, body),
        ("POST", "/keys/revoke") => revoke(st, body),
        ("GET", "/keys") => Ok((200, keys_json(st))),
        ("GET", "/webhooks") => Ok((200, webhooks_json(st))),
        ("GET", "/webhooks/deliveries") => Ok((200, deliveries_json(st, query))),
        ("DELETE", "/webhooks/deliveries") => Ok(clear_all(&mut st.deliveries)),
        ("POST", "/webhooks/faults") => add_hook_fault(st, body),
        ("GET", "/webhooks/faults") => Ok((200, hook_faults_json(st))),
        ("DELETE", "/webhooks/faults") => Ok(clear_all(&mut st.hook_faults)),
        ("DELETE", r) if r.starts_with("/webhooks/faults/") => {
            let id = r.strip_prefix("/webhooks/faults/").unwrap_or("");
            Ok(delete_one(&mut st.hook_faults, |f| f.id == id)
                .unwrap_or_else(|| not_found(method, path)))
        }
        _ => Ok(not_found(method, path)),
    };
    result.unwrap_or_else(|e| e)
}

fn query_org(query: Option<&str>) -> Option<String> {
    util::parse_query(query)
        .into_iter()
        .find(|(k, _)| k == "org")
        .map(|(_, v)| v)
}

fn info(st: &State) -> (u16, Value) {
    (
        200,
        json!({
            "name": "rimp-mock",
            "version": env!("CARGO_PKG_VERSION"),
            "time_scale": st.clock.scale(),
            "seed": st.opts.seed,
            "endpoints": [
                "POST /__mock/faults", "GET /__mock/faults", "DELETE /__mock/faults", "DELETE /__mock/faults/{id}",
                "POST /__mock/reset", "GET /__mock/requests", "DELETE /__mock/requests", "GET /__mock/ledger",
                "GET /__mock/clock", "POST /__mock/clock/advance", "GET /__mock/config", "POST /__mock/config",
                "POST /__mock/keys/revoke", "GET /__mock/keys",
                "GET /__mock/webhooks", "GET /__mock/webhooks/deliveries", "DELETE /__mock/webhooks/deliveries",
                "POST /__mock/webhooks/faults", "GET /__mock/webhooks/faults", "DELETE /__mock/webhooks/faults",
                "DELETE /__mock/webhooks/faults/{id}"
            ],
        }),
    )
}

fn faults_json(st: &State) -> Value {
    Value::Array(
        st.faults
            .iter()
            .map(|f| {
                json!({
                    "id": f.id,
                    "method": f.method,
                    "path": f.path,
                    "remaining": f.remaining,
                    "action": f.action_json,
                })
            })
            .collect(),
    )
}

fn add_fault(st: &mut State, body: &[u8]) -> Result<(u16, Value), (u16, Value)> {
    let m = parse_body(body)?;
    let method = match m.get("method") {
        None => "*".to_owned(),
        Some(Value::String(s)) if s == "*" => "*".to_owned(),
        Some(Value::String(s)) if !s.is_empty() && s.bytes().all(|c| c.is_ascii_alphabetic()) => {
            s.to_ascii_uppercase()
        }
        Some(_) => {
            return Err(bad(
                "`method` must be an HTTP method name or \"*\"",
                Some("method"),
            ));
        }
    };
    let path = match m.get("path") {
        Some(Value::String(s)) if s.starts_with('/') => s.clone(),
        _ => {
            return Err(bad(
                "`path` is required and must start with '/'",
                Some("path"),
            ));
        }
    };
    let count = opt_u64(&m, "count")?.unwrap_or(1);
    if count == 0 {
        return Err(bad("`count` must be at least 1", Some("count")));
    }
    let Some(Value::Object(a)) = m.get("action") else {
        return Err(bad(
            "`action` must be an object with a `type`",
            Some("action"),
        ));
    };
    let action = match a.get("type").and_then(Value::as_str) {
        Some("respond") => FaultAction::Respond(parse_respond(a)?),
        Some("delay") => {
            let ms = opt_u64(a, "ms")?
                .ok_or_else(|| bad("`action.ms` is required", Some("action.ms")))?;
            if ms > MAX_DELAY_MS {
                return Err(bad(
                    format!("`action.ms` must be at most {MAX_DELAY_MS}"),
                    Some("action.ms"),
                ));
            }
            FaultAction::Delay(ms)
        }
        Some("drop_before") => FaultAction::DropBefore,
        Some("drop_after") => FaultAction::DropAfter,
        _ => {
            return Err(bad(
                "`action.type` must be one of respond, delay, drop_before, drop_after",
                Some("action.type"),
            ));
        }
    };
    let id = st.new_id("flt_", 16);
    st.faults.push(Fault {
        id: id.clone(),
        method,
        path,
        remaining: count,
        action,
        action_json: Value::Object(a.clone()),
    });
    Ok((200, json!({"id": id})))
}

fn parse_respond(a: &Map<String, Value>) -> Result<RespondSpec, (u16, Value)> {
    let status = opt_u64(a, "status")?.unwrap_or(500);
    if !(200..=599).contains(&status) {
        return Err(bad(
            "`action.status` must be 200-599",
            Some("action.status"),
        ));
    }
    let mut headers = Vec::new();
    match a.get("headers") {
        None | Some(Value::Null) => {}
        Some(Value::Object(h)) => {
            for (name, value) in h {
                let value = match value {
                    Value::String(s) => s.clone(),
                    Value::Number(n) => n.to_string(),
                    Value::Bool(b) => b.to_string(),
                    _ => {
                        return Err(bad(
                            format!("header `{name}` must be a string"),
                            Some("action.headers"),
                        ));
                    }
                };
                if HeaderName::from_bytes(name.as_bytes()).is_err()
                    || HeaderValue::from_str(&value).is_err()
                {
                    return Err(bad(
                        format!("invalid header `{name}`"),
                        Some("action.headers"),
                    ));
                }
                headers.push((name.clone(), value));
            }
        }
        Some(_) => {
            return Err(bad(
                "`action.headers` must be an object",
                Some("action.headers"),
            ));
        }
    }
    let (body, content_type) = match a.get("body") {
        None | Some(Value::Null) => (Vec::new(), None),
        Some(Value::String(s)) => (s.clone().into_bytes(), Some("text/plain; charset=utf-8")),
        Some(v) => (v.to_string().into_bytes(), Some("application/json")),
    };
    let flag = |name: &str, default: bool| a.get(name).and_then(Value::as_bool).unwrap_or(default);
    Ok(RespondSpec {
        status: u16::try_from(status).unwrap_or(500),
        headers,
        body,
        content_type,
        bare: flag("bare", false),
        cors: flag("cors", true),
    })
}

fn clock_json(st: &State) -> Value {
    json!({
        "now_ms": st.now(),
        "advanced_ms": st.clock.advanced_ms(),
        "time_scale": st.clock.scale(),
        "wall_time": util::iso_ms(st.clock.wall_ms(st.now())),
    })
}

fn advance(st: &mut State, body: &[u8]) -> Result<(u16, Value), (u16, Value)> {
    let m = parse_body(body)?;
    let ms = opt_u64(&m, "ms")?.ok_or_else(|| bad("`ms` is required", Some("ms")))?;
    st.clock.advance(ms);
    let now = st.now();
    st.settle(now);
    Ok((200, clock_json(st)))
}

fn config_json(st: &State, org: Option<&str>) -> Value {
    let mut out = json!({
        "expose_headers": st.expose_headers,
        "echo_request_headers": st.echo_request_headers,
        "time_scale": st.clock.scale(),
    });
    if let (Some(name), Value::Object(map)) = (org, &mut out) {
        let o = st.orgs.get(name);
        map.insert(
            "org".into(),
            json!({
                "name": name,
                "balance": o.map_or(crate::state::DEFAULT_BALANCE, |o| o.balance),
                "plan": o.map_or(if name.starts_with("free") { "free" } else { "pro" }, |o| o.plan.as_str()),
                "monthly_quota_remaining": o.and_then(|o| o.quota_remaining),
                "anomaly_paused_until_ms": o.and_then(|o| o.paused_until),
                "anomaly_hourly_limit": o.and_then(|o| o.anomaly_hourly_limit),
            }),
        );
    }
    out
}

fn config(st: &mut State, body: &[u8]) -> Result<(u16, Value), (u16, Value)> {
    let m = parse_body(body)?;
    let flag = |name: &str| -> Result<Option<bool>, (u16, Value)> {
        match m.get(name) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(bad(format!("`{name}` must be a boolean"), Some(name))),
        }
    };
    let expose = flag("expose_headers")?;
    let echo = flag("echo_request_headers")?;
    let pause = flag("anomaly_pause")?;
    let org = match m.get("org") {
        None => None,
        Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
        Some(_) => return Err(bad("`org` must be a non-empty string", Some("org"))),
    };
    let int_or_null = |name: &str| -> Result<Option<Option<i64>>, (u16, Value)> {
        match m.get(name) {
            None => Ok(None),
            Some(Value::Null) => Ok(Some(None)),
            Some(v) => v
                .as_i64()
                .map(|n| Some(Some(n)))
                .ok_or_else(|| bad(format!("`{name}` must be an integer or null"), Some(name))),
        }
    };
    let balance = match m.get("balance") {
        None => None,
        Some(v) => Some(
            v.as_i64()
                .ok_or_else(|| bad("`balance` must be an integer", Some("balance")))?,
        ),
    };
    let quota = int_or_null("monthly_quota_remaining")?;
    let hourly = int_or_null("anomaly_hourly_limit")?;
    let plan = match m.get("plan") {
        None => None,
        Some(Value::String(s)) => Some(
            Plan::parse(s)
                .ok_or_else(|| bad("`plan` must be free, pro, studio or team", Some("plan")))?,
        ),
        Some(_) => return Err(bad("`plan` must be a string", Some("plan"))),
    };
    let org_fields = balance.is_some()
        || quota.is_some()
        || hourly.is_some()
        || plan.is_some()
        || pause.is_some();
    if org_fields && org.is_none() {
        return Err(bad(
            "`org` is required with balance, monthly_quota_remaining, anomaly_pause, anomaly_hourly_limit or plan",
            Some("org"),
        ));
    }
    if let Some(e) = expose {
        st.expose_headers = e;
    }
    if let Some(e) = echo {
        st.echo_request_headers = e;
    }
    if let Some(name) = &org {
        let now = st.now();
        let o = st.org_mut(name);
        if let Some(b) = balance {
            o.balance = b;
        }
        if let Some(q) = quota {
            o.quota_remaining = q;
        }
        if let Some(h) = hourly {
            o.anomaly_hourly_limit = h;
            o.spend.clear();
        }
        if let Some(p) = plan {
            o.plan = p;
        }
        let mut pause_started = false;
        if let Some(p) = pause {
            pause_started = p && o.paused_until.is_none_or(|t| t <= now);
            o.paused_until = p.then(|| now.saturating_add(ANOMALY_PAUSE_MS));
        }
        if pause_started {
            st.emit_anomaly(name, json!({"reason": "manual"}));
        }
    }
    Ok((200, config_json(st, org.as_deref())))
}

fn keys_json(st: &State) -> Value {
    let mut keys: Vec<&crate::state::KeyRec> = st.keys.values().collect();
    keys.sort_by_key(|k| (k.created_ms, k.id.clone()));
    Value::Array(
        keys.into_iter()
            .map(|k| {
                json!({
                    "id": k.id,
                    "key": k.token,
                    "org": k.org,
                    "name": k.name,
                    "scopes": k.scopes,
                    "ip_allowlist": k.ip_allowlist,
                    "implicit": k.implicit,
                    "revoked": k.revoked_ms.is_some(),
                })
            })
            .collect(),
    )
}

fn revoke(st: &mut State, body: &[u8]) -> Result<(u16, Value), (u16, Value)> {
    let m = parse_body(body)?;
    let Some(token) = m.get("key").and_then(Value::as_str) else {
        return Err(bad("`key` (the API key secret) is required", Some("key")));
    };
    // Make sure the key exists (implicit keys are created on first sight).
    let header = format!("Bearer {token}");
    let ip = std::net::IpAddr::from([127, 0, 0, 1]);
    if let Err(e) = st.authenticate(Some(header.as_bytes()), ip)
        && e.code != "ip_not_allowed"
    {
        return Err(bad(
            format!("Not a usable API key: {}", e.message),
            Some("key"),
        ));
    }
    let now = st.now();
    let Some(rec) = st.keys.get_mut(token) else {
        return Err(bad("Unknown key", Some("key")));
    };
    rec.revoked_ms = Some(now);
    Ok((200, json!({"id": rec.id, "revoked": true})))
}

fn webhooks_json(st: &State) -> Value {
    Value::Array(
        st.webhooks
            .iter()
            .map(|w| {
                json!({
                    "id": w.id,
                    "org": w.org,
                    "url": w.url,
                    "events": w.events,
                    "secret": w.secret,
                    "created_ms": w.created_ms,
                })
            })
            .collect(),
    )
}

fn deliveries_json(st: &State, query: Option<&str>) -> Value {
    let filters = util::parse_query(query);
    let wanted = |field: &str, value: &str| {
        filters
            .iter()
            .filter(|(k, _)| k == field)
            .all(|(_, v)| v == value)
    };
    Value::Array(
        st.deliveries
            .iter()
            .filter(|d| {
                wanted("type", &d.kind)
                    && wanted("webhook_id", &d.webhook_id)
                    && wanted("event_id", &d.event_id)
                    && wanted("status", d.outcome.as_str())
                    && wanted("org", &d.org)
            })
            .map(|d| d.to_json())
            .collect(),
    )
}

fn hook_faults_json(st: &State) -> Value {
    Value::Array(
        st.hook_faults
            .iter()
            .map(|f| {
                json!({
                    "id": f.id,
                    "event": f.event,
                    "remaining": f.remaining,
                    "action": f.action_json,
                })
            })
            .collect(),
    )
}

fn add_hook_fault(st: &mut State, body: &[u8]) -> Result<(u16, Value), (u16, Value)> {
    let m = parse_body(body)?;
    let event = match m.get("event") {
        None => "*".to_owned(),
        Some(Value::String(s)) if s == "*" || crate::api::EVENTS.contains(&s.as_str()) => s.clone(),
        Some(_) => {
            return Err(bad(
                format!(
                    "`event` must be \"*\" or one of {}",
                    crate::api::EVENTS.join(", ")
                ),
                Some("event"),
            ));
        }
    };
    let count = opt_u64(&m, "count")?.unwrap_or(1);
    if count == 0 {
        return Err(bad("`count` must be at least 1", Some("count")));
    }
    let Some(Value::Object(a)) = m.get("action") else {
        return Err(bad(
            "`action` must be an object with a `type`",
            Some("action"),
        ));
    };
    let action = match a.get("type").and_then(Value::as_str) {
        Some("bad_signature") => HookFaultAction::BadSignature,
        Some("old_timestamp") => {
            let age = opt_u64(a, "age_s")?.unwrap_or(DEFAULT_OLD_AGE_S);
            if age == 0 {
                return Err(bad(
                    "`action.age_s` must be at least 1",
                    Some("action.age_s"),
                ));
            }
            HookFaultAction::OldTimestamp(age)
        }
        _ => {
            return Err(bad(
                "`action.type` must be bad_signature or old_timestamp",
                Some("action.type"),
            ));
        }
    };
    let id = st.new_id("flt_", 16);
    st.hook_faults.push(HookFault {
        id: id.clone(),
        event,
        remaining: count,
        action,
        action_json: Value::Object(a.clone()),
    });
    Ok((200, json!({"id": id})))
}

/// `DELETE` of a whole list (a `Vec` or a `VecDeque`): empties it and says how many went.
fn clear_all<L: Default + IntoIterator>(list: &mut L) -> (u16, Value) {
    let n = std::mem::take(list).into_iter().count();
    (200, json!({"deleted": n}))
}

/// `DELETE` of one entry: removes the entries `is_it` picks; `None` when there was none.
fn delete_one<T>(list: &mut Vec<T>, is_it: impl Fn(&T) -> bool) -> Option<(u16, Value)> {
    let n = list.len();
    list.retain(|x| !is_it(x));
    (list.len() != n).then(|| (200, json!({"deleted": n - list.len()})))
}
