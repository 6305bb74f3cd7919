//! Browser timers and abort signals as RAII guards, and the `Sleeper` and `Clock` the request
//! loop runs on.
//!
//! A [`Tripwire`] is a one-shot flag that a timer or an `abort` event sets; futures waiting on
//! it are woken at once. Dropping a guard clears its timer and removes its listener, so a
//! dropped call leaves nothing scheduled.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use js_sys::{Function, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::*;
use web_sys::AbortSignal;

use crate::transport::MAX_TIMER_MS;
use crate::transport::{Clock, Sleeper};

#[wasm_bindgen]
extern "C" {
    // `catch` on both: a page may have replaced the timer functions with ones that throw.
    #[wasm_bindgen(js_name = setTimeout, catch)]
    fn set_timeout(handler: &Function, ms: f64) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = clearTimeout, catch)]
    fn clear_timeout(id: &JsValue) -> Result<(), JsValue>;
}

/// What tripped the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trip {
    /// The timer fired.
    Timer,
    /// The caller's signal aborted.
    Abort,
}

#[derive(Default)]
struct TripState {
    tripped: Option<Trip>,
    waker: Option<Waker>,
}

/// A one-shot flag set by a timer or an abort event.
#[derive(Clone, Default)]
pub struct Tripwire(Rc<RefCell<TripState>>);

impl Tripwire {
    /// Sets the flag (the first trip wins) and wakes the waiting future.
    pub fn trip(&self, why: Trip) {
        let waker = {
            let mut s = self.0.borrow_mut();
            if s.tripped.is_none() {
                s.tripped = Some(why);
            }
            s.waker.take()
        };
        if let Some(w) = waker {
            w.wake();
        }
    }

    /// What tripped it, if anything has.
    pub fn tripped(&self) -> Option<Trip> {
        self.0.borrow().tripped
    }

    /// Polls for a trip, registering the waker otherwise.
    pub fn poll_trip(&self, cx: &mut Context<'_>) -> Poll<Trip> {
        let mut s = self.0.borrow_mut();
        match s.tripped {
            Some(t) => Poll::Ready(t),
            None => {
                s.waker = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

/// A `setTimeout` that trips a wire; cleared on drop.
///
/// This is gloo-timers' `Timeout`, written here because gloo-timers 0.3 breaks the boundary
/// rule: it turns a throwing `setTimeout` into a JS exception thrown from wasm
/// (`unwrap_throw`), and imports `clearTimeout` without `catch`. A page that wraps the timer
/// functions would then take the instance down; here both are `catch`.
#[must_use = "the timer is cleared when this guard is dropped"]
pub struct TimerGuard {
    id: JsValue,
    _callback: Closure<dyn FnMut()>,
}

impl TimerGuard {
    /// Starts a timer of `ms` (clamped to the browser maximum) that runs `on_fire`. If the
    /// environment's `setTimeout` throws, the timer never fires (the guard holds no id).
    pub fn start(ms: u64, on_fire: impl FnMut() + 'static) -> TimerGuard {
        let callback = Closure::<dyn FnMut()>::new(on_fire);
        // Integers up to 2^31−1 are exact in f64.
        let id = set_timeout(
            callback.as_ref().unchecked_ref(),
            ms.min(MAX_TIMER_MS) as f64,
        )
        .unwrap_or(JsValue::UNDEFINED);
        TimerGuard {
            id,
            _callback: callback,
        }
    }
}

impl Drop for TimerGuard {
    fn drop(&mut self) {
        if !self.id.is_undefined() {
            let _ = clear_timeout(&self.id);
        }
    }
}

/// An `abort` listener on the caller's signal; removed on drop.
#[must_use = "the listener is removed when this guard is dropped"]
pub struct AbortListener {
    signal: AbortSignal,
    callback: Closure<dyn FnMut()>,
}

impl AbortListener {
    /// Runs `on_abort` when `signal` aborts.
    pub fn new(signal: &AbortSignal, on_abort: impl FnMut() + 'static) -> AbortListener {
        let callback = Closure::<dyn FnMut()>::new(on_abort);
        // A signal that is not an EventTarget (a foreign object) cannot be listened to; the
        // loop still checks `aborted` before each attempt and wait.
        let _ = signal.add_event_listener_with_callback("abort", callback.as_ref().unchecked_ref());
        AbortListener {
            signal: signal.clone(),
            callback,
        }
    }
}

impl Drop for AbortListener {
    fn drop(&mut self) {
        let _ = self
            .signal
            .remove_event_listener_with_callback("abort", self.callback.as_ref().unchecked_ref());
    }
}

/// Watches the caller's signal (if any) for the lifetime of one attempt or wait.
pub fn watch_signal(signal: Option<&AbortSignal>, wire: &Tripwire) -> Option<AbortListener> {
    let signal = signal?;
    if is_aborted(signal) {
        wire.trip(Trip::Abort);
        return None;
    }
    let w = wire.clone();
    Some(AbortListener::new(signal, move || w.trip(Trip::Abort)))
}

/// The caller's abort reason, when the signal has aborted.
pub fn abort_reason(signal: Option<&AbortSignal>) -> Option<JsValue> {
    let s = signal.filter(|s| is_aborted(s))?;
    Some(Reflect::get(s, &JsValue::from_str("reason")).unwrap_or(JsValue::UNDEFINED))
}

/// `signal.aborted`, read so that a throwing getter (a signal-like object from elsewhere)
/// counts as not aborted rather than throwing through the wasm.
fn is_aborted(signal: &AbortSignal) -> bool {
    Reflect::get(signal, &JsValue::from_str("aborted"))
        .ok()
        .and_then(|v| v.as_bool())
        .unwrap_or(false)
}

struct WireFuture<'a>(&'a Tripwire);

impl Future for WireFuture<'_> {
    type Output = Trip;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Trip> {
        self.0.poll_trip(cx)
    }
}

/// Waits for `wire` to trip.
pub async fn tripped(wire: &Tripwire) -> Trip {
    WireFuture(wire).await
}

/// The wait between attempts: `setTimeout`, cut short by the caller's signal.
pub struct BrowserSleeper {
    /// The caller's signal.
    pub signal: Option<AbortSignal>,
}

impl Sleeper for BrowserSleeper {
    type Cause = JsValue;
    /// Sleeps until `ms` from now by the wall clock: a timer that fires early (Node's may, by a
    /// millisecond) is re-armed for the rest; one that fires late (a throttled background tab)
    /// ends the wait at once. A `setTimeout` that cannot be armed ends the wait at once too.
    async fn sleep(&self, ms: u64) -> Result<(), Option<JsValue>> {
        let until = BrowserClock.now_ms().saturating_add(ms);
        loop {
            let wire = Tripwire::default();
            let _listener = watch_signal(self.signal.as_ref(), &wire);
            if wire.tripped() == Some(Trip::Abort) {
                return Err(abort_reason(self.signal.as_ref()));
            }
            let left = until.saturating_sub(BrowserClock.now_ms());
            if left == 0 {
                return Ok(());
            }
            let w = wire.clone();
            let timer = TimerGuard::start(left, move || w.trip(Trip::Timer));
            if timer.id.is_undefined() {
                return Ok(());
            }
            if tripped(&wire).await == Trip::Abort {
                return Err(abort_reason(self.signal.as_ref()));
            }
        }
    }
}

/// `Date.now()` and `Math.random()`.
pub struct BrowserClock;

impl Clock for BrowserClock {
    fn now_ms(&self) -> u64 {
        let now = js_sys::Date::now();
        if now.is_finite() && now > 0.0 {
            now as u64
        } else {
            0
        }
    }

    fn jitter_unit(&self) -> f64 {
        js_sys::Math::random()
    }
}

/// Runs `fut` unless `wire` trips first. On a trip `fut` is dropped at once, which clears its
/// timers and aborts its `fetch` (their guards' `Drop`).
pub async fn unless_tripped<F: Future>(wire: &Tripwire, fut: F) -> Result<F::Output, Trip> {
    let mut fut = std::pin::pin!(fut);
    std::future::poll_fn(|cx| {
        if let Poll::Ready(t) = wire.poll_trip(cx) {
            return Poll::Ready(Err(t));
        }
        fut.as_mut().poll(cx).map(Ok)
    })
    .await
}
