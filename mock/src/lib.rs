//! `rimp-mock`: a local, stateful simulation of the Rimp generative-media API
//! with scriptable faults, for tests, demos and benchmarks.
//!
//! Layout: pure modules ([`util`], [`ratelimit`], [`idempotency`], [`jobs`],
//! [`validate`], [`media`]) hold the decisions and are unit-tested with an
//! injected clock; [`state`], [`api`] and [`control`] hold the simulated world
//! behind one mutex; [`server`] is the hyper/tokio glue; [`cli`] parses flags.
//! See `mock/README.md` for the command line and the control interface.

pub mod api;
pub mod cli;
pub mod control;
pub mod idempotency;
pub mod jobs;
pub mod media;
pub mod ratelimit;
pub mod server;
pub mod state;
pub mod util;
pub mod validate;
pub mod webhooks;
