//! Native tests of the `Idempotency-Key` rules (`idempotency`): UUID v4 keys, which methods
//! send one, and the checks on a caller's key.
#![cfg(not(target_arch = "wasm32"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::type_complexity
)]

use rimp_client::error::{Error, ErrorKind};
use rimp_client::idempotency::{key_for_call, uuid_v4, validate_key};

#[test]
fn idempotency_rules() {
    let k = uuid_v4([0xff; 16]);
    assert_eq!(k, "ffffffff-ffff-4fff-bfff-ffffffffffff");
    assert_eq!(uuid_v4([0; 16]), "00000000-0000-4000-8000-000000000000");
    let post: Result<Option<String>, Error> = key_for_call("POST", None, || [7; 16]);
    assert_eq!(post.unwrap(), Some(uuid_v4([7; 16])));
    let get: Result<Option<String>, Error> = key_for_call("GET", None, || unreachable!());
    assert_eq!(get.unwrap(), None);
    let patch: Result<Option<String>, Error> = key_for_call("PATCH", None, || unreachable!());
    assert_eq!(patch.unwrap(), None);
    let own: Result<Option<String>, Error> =
        key_for_call("POST", Some("order-42"), || unreachable!());
    assert_eq!(own.unwrap().as_deref(), Some("order-42"));
    let on_get: Error = key_for_call("GET", Some("k"), || [0; 16]).unwrap_err();
    assert_eq!(
        (
            on_get.kind,
            on_get.code.as_deref(),
            on_get.param.as_deref(),
            on_get.message.as_str()
        ),
        (
            ErrorKind::InvalidRequest,
            Some("invalid_option"),
            Some("idempotencyKey"),
            "idempotencyKey is only sent with POST, PUT, PATCH and DELETE; GET and HEAD never carry one"
        )
    );
    assert!(validate_key::<()>(&"a".repeat(200)).is_ok());
    let long: Error = validate_key(&"a".repeat(201)).unwrap_err();
    assert_eq!(
        (
            long.kind,
            long.code.as_deref(),
            long.param.as_deref(),
            long.status
        ),
        (
            ErrorKind::InvalidRequest,
            Some("idempotency_key_too_long"),
            Some("idempotencyKey"),
            None
        )
    );
    for bad in ["", "a\nb", "ключ", "tab\there"] {
        let e: Error = validate_key(bad).unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidRequest, "{bad:?}");
        assert_eq!(e.code.as_deref(), Some("invalid_option"), "{bad:?}");
        assert_eq!(e.param.as_deref(), Some("idempotencyKey"), "{bad:?}");
        assert_eq!(
            e.message,
            "idempotencyKey must be 1 to 200 printable ASCII characters"
        );
    }
}
