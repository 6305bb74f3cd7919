//! Native, table-driven tests of the resource endpoint table: each method's HTTP method, path
//! and input, id encoding and refusal, the query names, and what a 2xx answer must be.
#![cfg(not(target_arch = "wasm32"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use rimp_client::error::{Error, ErrorKind};
use rimp_client::resources::{Endpoint, Input, Shape, check_answer, check_id, query_name};

#[test]
fn every_endpoint_has_the_documented_method_path_and_input() {
    use Endpoint as E;
    use Input as I;
    let table = [
        (E::Images, "POST", "/v1/images", I::Body),
        (E::Videos, "POST", "/v1/videos", I::Body),
        (E::Music, "POST", "/v1/music", I::Body),
        (E::ThreeD, "POST", "/v1/three-d", I::Body),
        (E::Upscale, "POST", "/v1/upscale", I::Body),
        (E::Chat, "POST", "/v1/chat", I::Body),
        (E::GenerationGet, "GET", "/v1/generations/cmp_1", I::None),
        (
            E::GenerationCancel,
            "POST",
            "/v1/generations/cmp_1/cancel",
            I::None,
        ),
        (E::ComparisonCreate, "POST", "/v1/comparisons", I::Body),
        (E::ComparisonGet, "GET", "/v1/comparisons/cmp_1", I::None),
        (E::Usage, "GET", "/v1/usage", I::Query),
        (E::Models, "GET", "/v1/models", I::None),
        (E::ApiKeyCreate, "POST", "/v1/api-keys", I::Body),
        (E::ApiKeyUpdate, "PATCH", "/v1/api-keys/cmp_1", I::Body),
        (E::ApiKeyRevoke, "DELETE", "/v1/api-keys/cmp_1", I::None),
        (E::WebhookCreate, "POST", "/v1/webhooks", I::Body),
    ];
    assert_eq!(table.len(), 16, "the API documents 16 endpoints");
    for (i, (ep, method, path, input)) in table.iter().enumerate() {
        assert_eq!(Endpoint::ALL[i], *ep, "ALL is in table order");
        assert_eq!(ep.method(), *method, "{ep:?}");
        assert_eq!(ep.path("cmp_1"), *path, "{ep:?}");
        assert_eq!(ep.input(), *input, "{ep:?}");
        assert_eq!(ep.takes_id(), path.contains("cmp_1"), "{ep:?}");
    }
}

#[test]
fn ids_are_one_encoded_segment() {
    let cases = [
        ("gen_abc123", "/v1/generations/gen_abc123"),
        ("a/b", "/v1/generations/a%2Fb"),
        ("../models", "/v1/generations/..%2Fmodels"),
        ("x?y#z", "/v1/generations/x%3Fy%23z"),
        ("sp ace", "/v1/generations/sp%20ace"),
        ("100%", "/v1/generations/100%25"),
        ("%2e%2e", "/v1/generations/%252e%252e"),
        ("é", "/v1/generations/%C3%A9"),
        ("...", "/v1/generations/..."),
    ];
    for (id, path) in cases {
        assert!(check_id::<()>(Some(id)).is_ok(), "{id}");
        assert_eq!(Endpoint::GenerationGet.path(id), path);
    }
    assert_eq!(
        Endpoint::GenerationCancel.path("a/b"),
        "/v1/generations/a%2Fb/cancel"
    );
    assert_eq!(Endpoint::ApiKeyUpdate.path("key 1"), "/v1/api-keys/key%201");
    // Endpoints without an id ignore it.
    assert_eq!(Endpoint::Models.path("ignored"), "/v1/models");
}

#[test]
fn empty_and_dot_ids_are_refused() {
    // `.` and `..` survive percent-encoding as dot segments (`%2e` too): a URL parser would
    // resolve `/v1/generations/..` to `/v1/`.
    for id in [None, Some(""), Some("."), Some("..")] {
        let e: Error = check_id(id).unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidRequest, "{id:?}");
        assert_eq!(e.code.as_deref(), Some("invalid_option"));
        assert_eq!(e.param.as_deref(), Some("id"));
        assert_eq!(e.status, None);
        assert_eq!(e.attempts, 0);
    }
}

#[test]
fn group_by_goes_on_the_wire_as_group_by() {
    for (name, wire) in [
        ("groupBy", "group_by"),
        ("group_by", "group_by"),
        ("start", "start"),
        ("end", "end"),
        ("other", "other"),
    ] {
        assert_eq!(query_name(name), wire);
    }
}

#[test]
fn the_surface_table_names_every_endpoint_once_and_places_arguments() {
    use rimp_client::resources::{Endpoint, Method, SURFACE, arg_slots, surface_names};
    for ep in Endpoint::ALL {
        let n = SURFACE
            .iter()
            .filter(|(_, _, m)| *m == Method::Send(ep))
            .count();
        assert_eq!(n, 1, "{ep:?} appears once");
    }
    let names = surface_names();
    assert_eq!(names.split(',').count(), SURFACE.len());
    assert!(names.starts_with("images.generate,videos.create,"));
    let slots = |ns: &str, m: &str| {
        let (_, _, method) = SURFACE
            .iter()
            .find(|(n, x, _)| *n == ns && *x == m)
            .unwrap();
        arg_slots(*method)
    };
    assert_eq!(slots("images", "generate"), (None, Some(0), 1));
    assert_eq!(slots("generations", "get"), (Some(0), None, 1));
    assert_eq!(slots("generations", "cancel"), (Some(0), None, 1));
    assert_eq!(slots("generations", "waitFor"), (Some(0), None, 1));
    assert_eq!(slots("usage", "get"), (None, Some(0), 1));
    assert_eq!(slots("models", "list"), (None, None, 0));
    assert_eq!(slots("apiKeys", "update"), (Some(0), Some(1), 2));
    assert_eq!(slots("apiKeys", "revoke"), (Some(0), None, 1));
    assert_eq!(slots("webhooks", "unwrap"), (Some(0), Some(1), 2));
}

#[test]
fn the_surface_order_is_the_one_js_indexes() {
    // js/runtime.js pairs each name with its position and calls `RimpCore.call(index, …)`;
    // this pins the exact order, so a change to the endpoint table that moves an entry is a
    // deliberate one.
    assert_eq!(
        rimp_client::resources::surface_names(),
        "images.generate,videos.create,music.create,threeD.create,upscale.create,chat.create,\
         generations.get,generations.cancel,generations.waitFor,comparisons.create,\
         comparisons.get,comparisons.waitFor,usage.get,models.list,apiKeys.create,\
         apiKeys.update,apiKeys.revoke,webhooks.create,webhooks.unwrap"
    );
}

#[test]
fn a_2xx_answer_must_be_a_json_object_except_an_empty_cancel_or_revoke() {
    for ep in Endpoint::ALL {
        let empty_ok = matches!(ep, Endpoint::GenerationCancel | Endpoint::ApiKeyRevoke);
        for (shape, ok) in [
            (Shape::Object, true),
            (Shape::Empty, empty_ok),
            (Shape::Other, false),
        ] {
            let raw = "<html>bad gateway</html>";
            let got: Result<(), Error> = check_answer(ep, shape, 203, raw, Some("req_1".into()));
            match (got, ok) {
                (Ok(()), true) => {}
                (Err(e), false) => {
                    assert_eq!(e.kind, ErrorKind::Api, "{ep:?} {shape:?}");
                    assert_eq!(e.code.as_deref(), Some("invalid_response"));
                    assert_eq!(e.status, Some(203));
                    assert_eq!(e.raw_body.as_deref(), Some(raw));
                    assert_eq!(e.request_id.as_deref(), Some("req_1"));
                    assert!(!e.retryable, "the request may have been carried out");
                    assert!(e.message.contains(ep.method()), "{}", e.message);
                    assert!(
                        e.message.contains(if shape == Shape::Empty {
                            "was empty"
                        } else {
                            "is not a JSON object"
                        }),
                        "{}",
                        e.message
                    );
                }
                (got, ok) => panic!("{ep:?} {shape:?}: {got:?}, expected ok = {ok}"),
            }
        }
    }
    // The path template names the id, never a value; rawBody is cut at 2048 bytes.
    let long = "x".repeat(5000);
    let e: Error =
        check_answer(Endpoint::GenerationGet, Shape::Other, 200, &long, None).unwrap_err();
    assert!(
        e.message.contains("GET /v1/generations/{id}"),
        "{}",
        e.message
    );
    assert_eq!(e.raw_body.map(|r| r.len()), Some(2048));
}
