//! # rimp-client
//!
//! The browser/JS client for the Rimp generative-media API, compiled to WebAssembly.
//!
//! The crate is split in two:
//! - a **pure core** that makes every decision — envelope parsing and error classification
//!   ([`envelope`]), `Retry-After` and `X-RateLimit-*` parsing ([`headers`]), backoff
//!   ([`backoff`]), the retry decision ([`policy`]), idempotency keys ([`idempotency`]),
//!   option validation ([`config`]), every call's request and retry settings ([`plan`]), the
//!   client-wide retry budget ([`budget`]), secret redaction ([`redact`]) and the request loop
//!   itself ([`engine`]), generic over the
//!   [`transport`] traits; the endpoint table of the resource methods ([`resources`]) and
//!   `waitFor`'s polling decisions ([`wait`]); webhook signature checks ([`webhook`]). It has
//!   no JS imports and is tested with plain `cargo test`.
//! - `wasm`, compiled only for `wasm32`, the thin glue that implements those traits with
//!   `fetch`, `setTimeout` and `Date.now`, and exports `RimpClient` to JS.

// `Error` carries every field of the JS error (≈250 bytes). It is built at most once per failed
// call and moved straight out to JS, so boxing it would add an allocation and code for nothing.
#![allow(clippy::result_large_err)]

pub mod backoff;
pub mod budget;
pub mod config;
pub mod engine;
pub mod envelope;
pub mod error;
pub mod fields;
pub mod headers;
pub mod idempotency;
pub mod json;
pub mod plan;
pub mod policy;
pub mod redact;
pub mod resources;
pub mod shared_limit;
pub mod transport;
pub mod url;
pub mod wait;
pub mod webhook;

#[cfg(target_arch = "wasm32")]
#[doc(hidden)]
pub mod wasm;

pub use error::{DelaySource, Error, ErrorKind};
pub use headers::RateLimitInfo;
