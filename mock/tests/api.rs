//! Endpoints, auth, scopes, keys, validation, credits, jobs, comparisons,
//! triggers, usage and webhooks, over real HTTP.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{Mock, path_of, png_size};
use serde_json::Value;

const ALICE: &str = "sk_test_alice";

#[test]
fn prints_url_and_serves_index_and_models() {
    let m = Mock::fast();
    assert!(m.base.starts_with("http://127.0.0.1:"), "{}", m.base);
    let idx = m.req("GET", "/", &[], None);
    assert_eq!(idx.status, 200);
    assert_eq!(idx.json()["name"], "rimp-mock");
    let r = m.get("/v1/models", ALICE);
    assert_eq!(r.status, 200);
    let v = r.json();
    assert_eq!(v["object"], "list");
    let ids: Vec<&str> = v["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_str().unwrap())
        .collect();
    for want in [
        "flux-pro",
        "veo-3-1-fast",
        "suno-v4",
        "meshy-4",
        "real-esrgan",
        "gpt-4o-mini",
        "provider-down",
        "fail-model",
    ] {
        assert!(ids.contains(&want), "{want} missing from {ids:?}");
    }
    assert!(
        v["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|x| x["object"] == "model" && x["modality"].is_string())
    );
    assert!(r.header("x-request-id").unwrap().starts_with("req_"));
    assert_eq!(r.header("x-ratelimit-limit"), Some("300"));
}

#[test]
fn authentication_failures_use_documented_codes() {
    let m = Mock::fast();
    let r = m.req("GET", "/v1/models", &[], None);
    let e = r.expect_error(401, "missing_authorization");
    assert_eq!(e["type"], "authentication");
    assert!(r.header("x-ratelimit-limit").is_some() && r.header("x-ratelimit-reset").is_some());
    for bad in [
        "Basic abc",
        "Bearer",
        "Bearer  ",
        "sk_test_alice",
        "Bearer a b",
    ] {
        m.req("GET", "/v1/models", &[("Authorization", bad)], None)
            .expect_error(401, "invalid_authorization");
    }
    for bad in [
        "Bearer nope",
        "Bearer sk_test_",
        "Bearer sk_prod_x",
        "Bearer sk_test_a%b",
    ] {
        m.req("GET", "/v1/models", &[("Authorization", bad)], None)
            .expect_error(401, "invalid_api_key");
    }
    // Both modes work; scheme is case-insensitive.
    assert_eq!(
        m.req(
            "GET",
            "/v1/models",
            &[("Authorization", "bearer sk_live_x")],
            None
        )
        .status,
        200
    );
}

#[test]
fn scopes_and_org_isolation() {
    let m = Mock::fast();
    let created = m.post(
        "/v1/images",
        "sk_test_carol_1",
        r#"{"model":"flux-pro","prompt":"p"}"#,
        None,
    );
    assert_eq!(created.status, 200, "{}", created.text());
    let id = created.json()["id"].as_str().unwrap().to_owned();
    // Read-only key of the same org: may read, may not create.
    let ro = "sk_test_carol_readonly";
    assert_eq!(m.get(&format!("/v1/generations/{id}"), ro).status, 200);
    let e = m
        .post(
            "/v1/images",
            ro,
            r#"{"model":"flux-pro","prompt":"p"}"#,
            None,
        )
        .expect_error(403, "insufficient_role");
    assert_eq!(e["type"], "authorization");
    m.post(
        "/v1/videos",
        ro,
        r#"{"model":"veo-3-1-fast","prompt":"p"}"#,
        None,
    )
    .expect_error(403, "insufficient_role");
    m.post("/v1/api-keys", ro, r#"{"name":"x"}"#, None)
        .expect_error(403, "insufficient_role");
    // Another org cannot see it: 404, not 403.
    m.get(&format!("/v1/generations/{id}"), "sk_test_dave")
        .expect_error(404, "not_found");
    m.post(
        &format!("/v1/generations/{id}/cancel"),
        "sk_test_dave",
        "",
        None,
    )
    .expect_error(404, "not_found");
    m.get("/v1/generations/gen_missing", "sk_test_carol_1")
        .expect_error(404, "not_found");
}

#[test]
fn api_keys_create_allowlist_and_revoke() {
    let m = Mock::fast();
    let r = m.post(
        "/v1/api-keys",
        "sk_test_erin_admin",
        r#"{"name":"production-2026-q2"}"#,
        None,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let k = r.json();
    assert_eq!(k["object"], "api_key");
    assert_eq!(k["name"], "production-2026-q2");
    assert!(k["id"].as_str().unwrap().starts_with("key_"));
    assert_eq!(k["scopes"], serde_json::json!([]));
    assert_eq!(k["ip_allowlist"], serde_json::json!([]));
    assert!(k["created_at"].is_string());
    let key = k["key"].as_str().unwrap().to_owned();
    assert!(key.starts_with("sk_test_erin_"), "{key}");
    let id = k["id"].as_str().unwrap().to_owned();
    assert_eq!(m.get("/v1/models", &key).status, 200);

    // Scoped key.
    let scoped = m
        .post(
            "/v1/api-keys",
            "sk_test_erin_admin",
            r#"{"name":"s","scopes":["videos:write"]}"#,
            None,
        )
        .json();
    let skey = scoped["key"].as_str().unwrap().to_owned();
    assert_eq!(
        m.post("/v1/videos", &skey, r#"{"model":"m","prompt":"p"}"#, None)
            .status,
        202
    );
    m.post("/v1/images", &skey, r#"{"model":"m","prompt":"p"}"#, None)
        .expect_error(403, "insufficient_role");
    let e = m
        .post(
            "/v1/api-keys",
            "sk_test_erin_admin",
            r#"{"name":"s","scopes":["root"]}"#,
            None,
        )
        .expect_error(400, "invalid_body");
    assert_eq!(e["param"], "scopes.0");

    // Allowlist: invalid CIDR → 400 param ipAllowlist.
    let auth = "Bearer sk_test_erin_admin".to_owned();
    let patch = |body: &str| {
        m.req(
            "PATCH",
            &format!("/v1/api-keys/{id}"),
            &[
                ("Authorization", &auth),
                ("Content-Type", "application/json"),
            ],
            Some(body.as_bytes()),
        )
    };
    let e = patch(r#"{"ipAllowlist": ["203.0.113.0/24", "not-a-cidr"]}"#)
        .expect_error(400, "invalid_body");
    assert_eq!(e["param"], "ipAllowlist");
    let ok = patch(r#"{"ipAllowlist": ["203.0.113.0/24", "2001:db8::/32"]}"#);
    assert_eq!(ok.status, 200, "{}", ok.text());
    assert_eq!(ok.json()["ip_allowlist"][1], "2001:db8::/32");
    let e = m
        .get("/v1/models", &key)
        .expect_error(403, "ip_not_allowed");
    assert_eq!(e["type"], "authorization");
    let via = m.req(
        "GET",
        "/v1/models",
        &[
            ("Authorization", &format!("Bearer {key}")),
            ("X-Forwarded-For", "203.0.113.7"),
        ],
        None,
    );
    assert_eq!(via.status, 200);

    // Another org cannot touch it.
    m.req(
        "DELETE",
        &format!("/v1/api-keys/{id}"),
        &[("Authorization", "Bearer sk_test_frank")],
        None,
    )
    .expect_error(404, "not_found");
    // Revoke: later use is 401 invalid_api_key.
    let del = m.req(
        "DELETE",
        &format!("/v1/api-keys/{id}"),
        &[("Authorization", &auth)],
        None,
    );
    assert_eq!(del.status, 200);
    assert_eq!(del.json()["revoked"], true);
    m.get("/v1/models", &key)
        .expect_error(401, "invalid_api_key");

    // An implicit key can be revoked by its documented id (key_ + FNV-1a-64 hex).
    let imp = "sk_test_erin_tmp";
    assert_eq!(m.get("/v1/models", imp).status, 200);
    let imp_id = format!("key_{:016x}", fnv1a64(imp.as_bytes()));
    assert_eq!(
        m.req(
            "DELETE",
            &format!("/v1/api-keys/{imp_id}"),
            &[("Authorization", &auth)],
            None
        )
        .status,
        200
    );
    m.get("/v1/models", imp)
        .expect_error(401, "invalid_api_key");
    // The control API lists every key with its id.
    let keys = m.control("GET", "/__mock/keys", None);
    let listed = keys
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["key"] == imp)
        .unwrap();
    assert_eq!(listed["id"], imp_id.as_str());
    assert_eq!(listed["revoked"], true);
    // And through the control API.
    m.control(
        "POST",
        "/__mock/keys/revoke",
        Some(r#"{"key":"sk_test_erin_other"}"#),
    );
    m.get("/v1/models", "sk_test_erin_other")
        .expect_error(401, "invalid_api_key");
}

fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01B3);
    }
    h
}

#[test]
fn validation_names_the_field() {
    let m = Mock::fast();
    let k = ALICE;
    let e = m
        .post("/v1/images", k, "", None)
        .expect_error(400, "empty_body");
    assert_eq!(e["type"], "invalid_request");
    m.post("/v1/videos", k, "  \n", None)
        .expect_error(400, "empty_body");
    let e = m
        .post("/v1/images", k, "{not json", None)
        .expect_error(400, "invalid_body");
    assert!(e.get("param").is_none() || e["param"].is_null());
    m.post("/v1/images", k, "[1,2]", None)
        .expect_error(400, "invalid_body");
    let cases: &[(&str, &str, &str)] = &[
        ("/v1/images", r#"{"model":"flux-pro"}"#, "prompt"),
        ("/v1/images", r#"{"prompt":"x"}"#, "model"),
        (
            "/v1/images",
            r#"{"model":"flux-pro","prompt":""}"#,
            "prompt",
        ),
        (
            "/v1/images",
            r#"{"model":"flux-pro","prompt":"x","num_outputs":5}"#,
            "num_outputs",
        ),
        (
            "/v1/images",
            r#"{"model":"flux-pro","prompt":"x","num_outputs":1.5}"#,
            "num_outputs",
        ),
        (
            "/v1/images",
            r#"{"model":"flux-pro","prompt":"x","aspect_ratio":"4:3"}"#,
            "aspect_ratio",
        ),
        (
            "/v1/images",
            r#"{"model":"flux-pro","prompt":"x","seed":"1"}"#,
            "seed",
        ),
        ("/v1/images", r#"{"model":7,"prompt":"x"}"#, "model"),
        (
            "/v1/videos",
            r#"{"model":"v","prompt":"x","duration_s":11}"#,
            "duration_s",
        ),
        (
            "/v1/videos",
            r#"{"model":"v","prompt":"x","resolution":"4k"}"#,
            "resolution",
        ),
        (
            "/v1/videos",
            r#"{"model":"v","prompt":"x","image_url":"not a url"}"#,
            "image_url",
        ),
        (
            "/v1/music",
            r#"{"model":"s","prompt":"x","duration_s":14}"#,
            "duration_s",
        ),
        (
            "/v1/music",
            r#"{"model":"s","prompt":"x","with_vocals":"yes"}"#,
            "with_vocals",
        ),
        (
            "/v1/three-d",
            r#"{"model":"m","prompt":"x","texture_size":512}"#,
            "texture_size",
        ),
        (
            "/v1/three-d",
            r#"{"model":"m","prompt":"x","mesh_complexity":"ultra"}"#,
            "mesh_complexity",
        ),
        ("/v1/upscale", r#"{"model":"r"}"#, "image_url"),
        (
            "/v1/upscale",
            r#"{"model":"r","image_url":"https://x.test/a.png","scale_factor":3}"#,
            "scale_factor",
        ),
        ("/v1/chat", r#"{"model":"c","messages":[]}"#, "messages"),
        (
            "/v1/chat",
            r#"{"model":"c","messages":[{"role":"user"}]}"#,
            "messages.0.content",
        ),
        (
            "/v1/chat",
            r#"{"model":"c","messages":[{"content":"hi"}],"temperature":3}"#,
            "temperature",
        ),
        (
            "/v1/chat",
            r#"{"model":"c","messages":[{"content":"hi"}],"max_tokens":0}"#,
            "max_tokens",
        ),
        (
            "/v1/comparisons",
            r#"{"prompt":"x","models":["a"]}"#,
            "models",
        ),
        (
            "/v1/comparisons",
            r#"{"prompt":"x","models":["a",3]}"#,
            "models.1",
        ),
        (
            "/v1/comparisons",
            r#"{"prompt":"x","models":["a","b"],"params_shared":[]}"#,
            "params_shared",
        ),
        ("/v1/webhooks", r#"{"url":"ftp://x","events":["*"]}"#, "url"),
        (
            "/v1/webhooks",
            r#"{"url":"https://x.test/h","events":["nope"]}"#,
            "events.0",
        ),
        ("/v1/api-keys", r#"{}"#, "name"),
    ];
    for (path, body, param) in cases {
        let r = m.post(path, k, body, None);
        let e = r.expect_error(400, "invalid_body");
        assert_eq!(e["param"], *param, "{path} {body}: {}", r.text());
    }
    let long = "x".repeat(4001);
    let e = m
        .post(
            "/v1/three-d",
            k,
            &format!(r#"{{"model":"m","prompt":"{long}"}}"#),
            None,
        )
        .expect_error(400, "invalid_body");
    assert_eq!(e["param"], "prompt");
    // Lenient where the docs disagree with themselves: enum<string> digits as numbers.
    assert_eq!(
        m.post(
            "/v1/three-d",
            k,
            r#"{"model":"m","prompt":"x","texture_size":4096}"#,
            None
        )
        .status,
        202
    );
    assert_eq!(
        m.post(
            "/v1/upscale",
            k,
            r#"{"model":"r","image_url":"https://x.test/a.png","scale_factor":"4"}"#,
            None
        )
        .status,
        202
    );
    // Nothing was charged by the failures.
    let l = m.ledger();
    assert_eq!(l["generations_created"], 2);
}

#[test]
fn images_are_synchronous_and_serve_real_pngs() {
    let m = Mock::fast();
    let r = m.post(
        "/v1/images",
        ALICE,
        r#"{"model":"flux-pro","prompt":"a lighthouse","num_outputs":2,"aspect_ratio":"16:9","seed":42}"#,
        None,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let g = r.json();
    assert_eq!(g["object"], "generation");
    assert_eq!(g["status"], "succeeded");
    assert_eq!(g["modality"], "image");
    assert_eq!(g["reserved_credits"], 20);
    assert_eq!(g["charged_credits"], 20);
    assert_eq!(g["refunded_credits"], 0);
    assert_eq!(g["cache_hit"], false);
    assert_eq!(g["params"]["seed"], 42);
    let outs = g["outputs"].as_array().unwrap();
    assert_eq!(outs.len(), 2);
    for o in outs {
        assert_eq!(o["mime"], "image/png");
        let url = o["url"].as_str().unwrap();
        let f = m.req("GET", &path_of(url, &m), &[], None);
        assert_eq!(f.status, 200);
        assert_eq!(f.header("content-type"), Some("image/png"));
        assert_eq!(f.header("access-control-allow-origin"), Some("*"));
        assert_eq!(
            f.header("cross-origin-resource-policy"),
            Some("cross-origin")
        );
        let (w, h) = png_size(&f.body);
        assert_eq!(
            (Value::from(w), Value::from(h)),
            (o["width"].clone(), o["height"].clone())
        );
    }
    assert_eq!(m.req("GET", "/files/gen_nope/0.png", &[], None).status, 404);
    let id = g["id"].as_str().unwrap();
    assert_eq!(
        m.req("GET", &format!("/files/{id}/5.png"), &[], None)
            .status,
        404
    );
}

#[test]
fn async_jobs_move_through_the_lifecycle_on_the_mock_clock() {
    let m = Mock::slow();
    let r = m.post(
        "/v1/videos",
        ALICE,
        r#"{"model":"veo-3-1-fast","prompt":"waves","duration_s":10}"#,
        None,
    );
    assert_eq!(r.status, 202, "{}", r.text());
    let g = r.json();
    let id = g["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("gen_"));
    assert_eq!(g["status"], "queued");
    assert_eq!(g["reserved_credits"], 600);
    assert_eq!(g["charged_credits"], 0);
    assert_eq!(g["outputs"], serde_json::json!([]));
    let path = format!("/v1/generations/{id}");
    m.advance(1000);
    assert_eq!(m.get(&path, ALICE).json()["status"], "running");
    m.advance(3000);
    let done = m.get(&path, ALICE).json();
    assert_eq!(done["status"], "succeeded");
    assert_eq!(done["charged_credits"], 600);
    assert_eq!(done["refunded_credits"], 0);
    let out = &done["outputs"][0];
    assert_eq!(out["mime"], "video/mp4");
    assert_eq!(out["duration_s"], "10");
    let f = m.req("GET", &path_of(out["url"].as_str().unwrap(), &m), &[], None);
    assert_eq!(f.header("content-type"), Some("video/mp4"));
    // Terminal: cancel is a 409 conflict.
    let e = m
        .post(&format!("{path}/cancel"), ALICE, "", None)
        .expect_error(409, "not_cancelable");
    assert_eq!(e["type"], "conflict");

    // Cancel while queued and while running: 200, refunded.
    for advance in [0, 1500] {
        let g = m
            .post(
                "/v1/music",
                ALICE,
                r#"{"model":"suno-v4","prompt":"jazz","duration_s":20}"#,
                None,
            )
            .json();
        let id = g["id"].as_str().unwrap().to_owned();
        m.advance(advance);
        let c = m.post(&format!("/v1/generations/{id}/cancel"), ALICE, "", None);
        assert_eq!(c.status, 200, "{}", c.text());
        let c = c.json();
        assert_eq!(c["status"], "canceled");
        assert_eq!(c["reserved_credits"], 40);
        assert_eq!(c["refunded_credits"], 40);
        assert_eq!(c["charged_credits"], 0);
        m.post(&format!("/v1/generations/{id}/cancel"), ALICE, "", None)
            .expect_error(409, "not_cancelable");
        m.advance(10_000);
        assert_eq!(
            m.get(&format!("/v1/generations/{id}"), ALICE).json()["status"],
            "canceled"
        );
    }
    // fail-job fails and refunds.
    let g = m
        .post(
            "/v1/three-d",
            ALICE,
            r#"{"model":"meshy-4","prompt":"a fail-job chair"}"#,
            None,
        )
        .json();
    m.advance(4000);
    let f = m
        .get(
            &format!("/v1/generations/{}", g["id"].as_str().unwrap()),
            ALICE,
        )
        .json();
    assert_eq!(f["status"], "failed");
    assert_eq!(f["refunded_credits"], f["reserved_credits"]);
    assert_eq!(f["charged_credits"], 0);
    assert_eq!(f["error"]["code"], "generation_failed");

    let l = m.ledger();
    let alice = &l["orgs"]["alice"];
    assert_eq!(alice["charged"], 600);
    assert_eq!(alice["reserved"], 0);
    assert_eq!(alice["balance"], 1_000_000 - 600);
    assert_eq!(l["credits_reserved"], 600 + 40 + 40 + 200);
    assert_eq!(l["credits_refunded"], 40 + 40 + 200);
}

#[test]
fn every_async_kind_finishes_with_served_outputs() {
    let m = Mock::fast();
    let jobs = [
        (
            "/v1/music",
            r#"{"model":"suno-v4","prompt":"x"}"#,
            "audio/wav",
        ),
        (
            "/v1/three-d",
            r#"{"model":"meshy-4","prompt":"x","mesh_complexity":"low"}"#,
            "model/obj",
        ),
        (
            "/v1/upscale",
            r#"{"model":"real-esrgan","image_url":"https://x.test/a.png"}"#,
            "image/png",
        ),
    ];
    for (path, body, mime) in jobs {
        let r = m.post(path, ALICE, body, None);
        assert_eq!(r.status, 202, "{path}: {}", r.text());
        let g = m.wait_gen(r.json()["id"].as_str().unwrap(), ALICE);
        assert_eq!(g["status"], "succeeded", "{g}");
        assert_eq!(g["charged_credits"], g["reserved_credits"]);
        let out = &g["outputs"][0];
        assert_eq!(out["mime"], mime);
        let f = m.req("GET", &path_of(out["url"].as_str().unwrap(), &m), &[], None);
        assert_eq!(f.status, 200);
        assert_eq!(f.header("content-type"), Some(mime));
        if mime == "image/png" {
            png_size(&f.body);
        }
    }
}

#[test]
fn chat_is_synchronous_with_its_own_shape() {
    let m = Mock::fast();
    let r = m.post(
        "/v1/chat",
        ALICE,
        r#"{"model":"gpt-4o-mini","messages":[{"content":"hello there"}],"system_prompt":"be brief"}"#,
        None,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let c = r.json();
    assert_eq!(c["object"], "chat.completion");
    assert_eq!(c["status"], "succeeded");
    assert_eq!(c["modality"], "chat");
    assert!(
        c["message"]["content"]
            .as_str()
            .unwrap()
            .contains("hello there")
    );
    assert_eq!(c["charged_credits"], 1);
    assert_eq!(c["refunded_credits"], 0);
    assert!(c.get("outputs").is_none() && c.get("reserved_credits").is_none());
    let f = m
        .post(
            "/v1/chat",
            ALICE,
            r#"{"model":"c","messages":[{"content":"please fail-job"}]}"#,
            None,
        )
        .json();
    assert_eq!(f["status"], "failed");
    assert_eq!(f["refunded_credits"], 1);
    assert!(f["error_message"].is_string());
    assert_eq!(m.ledger()["chat_completions_created"], 2);
}

#[test]
fn comparisons_reach_succeeded_partial_and_failed() {
    let m = Mock::fast();
    let mk = |models: &str| {
        let r = m.post(
            "/v1/comparisons",
            ALICE,
            &format!(
                r#"{{"prompt":"a fox","models":{models},"params_shared":{{"aspect_ratio":"1:1"}}}}"#
            ),
            None,
        );
        assert_eq!(r.status, 202, "{}", r.text());
        let c = r.json();
        assert_eq!(c["object"], "comparison");
        assert_eq!(c["status"], "queued");
        c["id"].as_str().unwrap().to_owned()
    };
    let ok = mk(r#"["flux-pro","sdxl-turbo"]"#);
    let partial = mk(r#"["flux-pro","fail-model","veo-3-1-fast"]"#);
    let failed = mk(r#"["fail-model","fail-model"]"#);
    let c = m.wait_cmp(&ok, ALICE);
    assert_eq!(c["status"], "succeeded");
    assert!(c["finished_at"].is_string());
    assert_eq!(c["reserved_credits"], 20);
    for child in c["generations"].as_array().unwrap() {
        assert_eq!(child["status"], "succeeded");
        assert_eq!(child["charged_credits"], 10);
        assert!(child["error_code"].is_null());
        let url = child["outputs"][0]["url"].as_str().unwrap();
        png_size(&m.req("GET", &path_of(url, &m), &[], None).body);
    }
    let c = m.wait_cmp(&partial, ALICE);
    assert_eq!(c["status"], "partial");
    assert_eq!(c["reserved_credits"], 10 + 10 + 300);
    let kids = c["generations"].as_array().unwrap();
    assert_eq!(kids[1]["model"], "fail-model");
    assert_eq!(kids[1]["status"], "failed");
    assert_eq!(kids[1]["refunded_credits"], 10);
    assert_eq!(kids[1]["error_code"], "generation_failed");
    assert_eq!(kids[2]["status"], "succeeded");
    assert_eq!(kids[2]["outputs"][0]["mime"], "video/mp4");
    // A child is a generation too.
    let child = m
        .get(
            &format!("/v1/generations/{}", kids[0]["id"].as_str().unwrap()),
            ALICE,
        )
        .json();
    assert_eq!(child["comparison_id"], partial);
    assert_eq!(m.wait_cmp(&failed, ALICE)["status"], "failed");
    m.get(&format!("/v1/comparisons/{ok}"), "sk_test_mallory")
        .expect_error(404, "not_found");
    let l = m.ledger();
    assert_eq!(l["comparisons_created"], 3);
    assert_eq!(l["comparison_children_created"], 7);
}

#[test]
fn trigger_words_and_models() {
    let m = Mock::fast();
    let e = m
        .post(
            "/v1/images",
            ALICE,
            r#"{"model":"flux-pro","prompt":"some blocked-content here"}"#,
            None,
        )
        .expect_error(422, "content_policy_blocked");
    assert_eq!(e["type"], "content_policy_blocked");
    m.post(
        "/v1/comparisons",
        ALICE,
        r#"{"prompt":"BLOCKED-CONTENT","models":["a","b"]}"#,
        None,
    )
    .expect_error(422, "content_policy_blocked");
    m.post(
        "/v1/chat",
        ALICE,
        r#"{"model":"c","messages":[{"content":"blocked-content"}]}"#,
        None,
    )
    .expect_error(422, "content_policy_blocked");
    for path in ["/v1/images", "/v1/videos", "/v1/music", "/v1/three-d"] {
        let e = m
            .post(
                path,
                ALICE,
                r#"{"model":"provider-down","prompt":"x"}"#,
                None,
            )
            .expect_error(502, "provider_unavailable");
        assert_eq!(e["type"], "provider_unavailable");
    }
    let l = m.ledger();
    assert_eq!(l["generations_created"], 0);
    assert_eq!(l["credits_reserved"], 0);
}

#[test]
fn insufficient_credits_has_the_documented_message() {
    let m = Mock::fast();
    m.config(r#"{"org":"alice","balance":120}"#);
    let e = m
        .post(
            "/v1/videos",
            ALICE,
            r#"{"model":"veo-3-1-fast","prompt":"x","duration_s":4}"#,
            None,
        )
        .expect_error(402, "insufficient_credits");
    assert_eq!(e["type"], "insufficient_credits");
    assert_eq!(
        e["message"],
        "Wallet balance (120) below requested reservation (240)."
    );
    // A smaller job fits; the balance drops by the reservation.
    assert_eq!(
        m.post(
            "/v1/images",
            ALICE,
            r#"{"model":"flux-pro","prompt":"x"}"#,
            None
        )
        .status,
        200
    );
    assert_eq!(m.ledger()["orgs"]["alice"]["balance"], 110);
}

#[test]
fn usage_validates_and_aggregates() {
    let m = Mock::fast();
    m.post(
        "/v1/images",
        ALICE,
        r#"{"model":"flux-pro","prompt":"x","num_outputs":3}"#,
        None,
    );
    m.post(
        "/v1/images",
        ALICE,
        r#"{"model":"sdxl-turbo","prompt":"x"}"#,
        None,
    );
    let e = m
        .get("/v1/usage?group_by=week", ALICE)
        .expect_error(400, "invalid_body");
    assert_eq!(e["param"], "group_by");
    let e = m
        .get("/v1/usage?start=yesterday", ALICE)
        .expect_error(400, "invalid_body");
    assert_eq!(e["param"], "start");
    let r = m.get(
        "/v1/usage?group_by=model&start=2000-01-01T00%3A00%3A00Z&end=2999-01-01T00:00:00Z",
        ALICE,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let u = r.json();
    assert_eq!(u["total_credits"], 40);
    assert_eq!(u["group_by"], "model");
    let groups: Vec<&str> = u["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["group"].as_str().unwrap())
        .collect();
    assert_eq!(groups, ["flux-pro", "sdxl-turbo"]);
    let none = m
        .get("/v1/usage?start=2000-01-01&end=2000-01-02", ALICE)
        .json();
    assert_eq!(none["total_credits"], 0);
    assert_eq!(
        m.get("/v1/usage?group_by=day", ALICE).json()["data"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn webhooks_and_unknown_routes() {
    let m = Mock::fast();
    let r = m.post(
        "/v1/webhooks",
        ALICE,
        r#"{"url":"https://example.test/hook","events":["*"]}"#,
        None,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let w = r.json();
    assert!(w["id"].as_str().unwrap().starts_with("whk_"));
    assert!(w["secret"].as_str().unwrap().starts_with("whsec_"));
    assert_eq!(w["events"], serde_json::json!(["*"]));
    let list = m.get("/v1/webhooks", ALICE).json();
    assert_eq!(list["data"].as_array().unwrap().len(), 1);
    assert!(list["data"][0].get("secret").is_none());
    m.get("/v1/nothing-here", ALICE)
        .expect_error(404, "not_found");
    m.req("GET", "/elsewhere", &[], None)
        .expect_error(404, "not_found");
    let r = m.get("/v1/images", ALICE);
    r.expect_error(405, "method_not_allowed");
    assert!(r.header("allow").unwrap().contains("POST"));
}

#[test]
fn seeds_make_ids_deterministic() {
    let first_id = |seed: &str| {
        let m = Mock::start(&["--time-scale", "0.01", "--seed", seed]);
        let g = m.post("/v1/videos", ALICE, r#"{"model":"v","prompt":"x"}"#, None);
        (
            g.json()["id"].as_str().unwrap().to_owned(),
            g.header("x-request-id").unwrap().to_owned(),
        )
    };
    assert_eq!(first_id("7"), first_id("7"));
    assert_ne!(first_id("7").0, first_id("8").0);
}
