//! `generations.waitFor` and `comparisons.waitFor`: the polling loop on browser timers. Every
//! decision (terminal status, interval, pacing, deadline, progress) is `crate::wait`'s.

use js_sys::Function;
use wasm_bindgen::prelude::*;

use super::options::{self, Opts};
use super::resources::{read_id, result_js, with_response};
use super::timer::{self, BrowserClock, BrowserSleeper, TimerGuard, Trip, Tripwire};
use super::{E, Inner, Prepared};
use crate::engine;
use crate::plan::{plan_poll, plan_wait};
use crate::transport::MAX_TIMER_MS;
use crate::transport::{BodyText, Clock, Sleeper};
use crate::wait::{JobKind, Next, Poller, WaitSettings, observe_fields};

impl Inner {
    pub(super) async fn wait_for(
        &self,
        kind: JobKind,
        id: JsValue,
        options: JsValue,
    ) -> Result<JsValue, E> {
        let (prepared, mut poller, on_progress, with_response) =
            self.prepare_wait(kind, &id, options)?;
        // The deadline ends the wait wherever it is: in a poll (the fetch is aborted), in a
        // retry wait inside one, or between polls.
        let deadline = Tripwire::default();
        let _timer = poller.deadline_ms().map(|at| {
            let w = deadline.clone();
            let left = at.saturating_sub(BrowserClock.now_ms());
            TimerGuard::start(left, move || w.trip(Trip::Timer))
        });
        let polling = self.poll_until_done(&prepared, &mut poller, on_progress, with_response);
        let outcome = timer::unless_tripped(&deadline, polling).await;
        outcome.unwrap_or_else(|_| Err(poller.timeout_error()))
    }

    /// Checks the id and the options and builds the poll (nothing is sent if any is wrong).
    fn prepare_wait(
        &self,
        kind: JobKind,
        id: &JsValue,
        options: JsValue,
    ) -> Result<(Prepared, Poller, Option<Function>, bool), E> {
        let id = read_id(id)?;
        let o = Opts::new(options, "options")?;
        let call = options::call_options(&o, crate::config::WAIT_OPTIONS)?;
        // Here `timeoutMs` is the whole wait's deadline; each poll keeps the client's
        // per-attempt timeout (`plan_poll`).
        let settings = WaitSettings::from_options(
            o.number("intervalMs")?,
            o.number("maxIntervalMs")?,
            o.number("timeoutMs")?,
        )?;
        let with_response = with_response(&o)?;
        let on_progress = o.function("onProgress")?;
        let (_, path, poller) = plan_wait(kind, &id, settings, BrowserClock.now_ms());
        let prepared = Prepared {
            plan: plan_poll(
                &self.config,
                &path,
                &poller,
                call.idempotency_key.as_deref(),
                &call.headers,
                call.max_retries,
            )?,
            signal: call.signal,
            fetch: self.fetch_fn()?,
        };
        Ok((prepared, poller, on_progress, with_response))
    }

    async fn poll_until_done(
        &self,
        prepared: &Prepared,
        poller: &mut Poller,
        on_progress: Option<Function>,
        with_response: bool,
    ) -> Result<JsValue, E> {
        let sleeper = BrowserSleeper {
            signal: prepared.signal.clone(),
        };
        loop {
            let ok = self.run(prepared).await?;
            let current = ok.response.body.parse();
            let (status, signature) =
                observe_fields(poller.kind(), &super::fields::JsFields(current.clone()));
            let step = poller.after_observation(
                status,
                signature,
                ok.response.headers.rate_limit_at(BrowserClock.now_ms()),
                BrowserClock.now_ms(),
            );
            if step.next == Next::NoStatus {
                let mut e = poller.no_status_error(
                    ok.response.status,
                    ok.response.body.text(),
                    ok.response.headers.request_id(),
                );
                e.idempotency_key.clone_from(&ok.idempotency_key);
                return Err(e);
            }
            if step.progressed {
                if let Some(f) = &on_progress {
                    // A throwing (or rejecting) callback must not break the wait.
                    let _ = super::call_user(f, &current);
                }
            }
            if step.next == Next::Done {
                return Ok(result_js(&ok, current, with_response));
            }
            // Until the next poll, kept against the wall clock. When no poll fits before the
            // deadline, the deadline's own timer ends the wait: this sleep must not race it
            // (waking at the same instant would send one more poll), so it is open-ended. Both
            // end at once on abort.
            let sleep_ms = match step.next {
                Next::Poll { .. } => poller.sleep_ms(BrowserClock.now_ms()),
                Next::Expire | Next::Done | Next::NoStatus => MAX_TIMER_MS,
            };
            let polls = poller.polls();
            sleeper.sleep(sleep_ms).await.map_err(|reason| {
                let mut e = engine::aborted(reason);
                e.attempts = polls;
                e
            })?;
        }
    }
}
