//! Native tests of URL building (`url`).
#![cfg(not(target_arch = "wasm32"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::type_complexity
)]

use rimp_client::url;

#[test]
fn url_building() {
    assert_eq!(url::percent_encode("gen/../x"), "gen%2F..%2Fx");
}
