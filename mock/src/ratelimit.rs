//! A per-key sliding-window request counter (the API's per-plan request limits).
//!
//! Pure: the caller passes the current mock time in milliseconds.

use std::collections::VecDeque;

/// What a check decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// The request is counted.
    Allowed {
        /// Requests per window for this key.
        limit: u32,
        /// Requests left in the window after this one.
        remaining: u32,
        /// Mock time at which the oldest counted request leaves the window.
        reset_at_ms: u64,
    },
    /// The window is full; the request is not counted.
    Limited {
        /// Requests per window for this key.
        limit: u32,
        /// How long until a slot frees up.
        retry_after_ms: u64,
        /// Mock time at which the oldest counted request leaves the window.
        reset_at_ms: u64,
    },
}

/// The timestamps of the requests counted in the current window.
#[derive(Debug, Default, Clone)]
pub struct SlidingWindow {
    hits: VecDeque<u64>,
}

impl SlidingWindow {
    fn prune(&mut self, now_ms: u64, window_ms: u64) {
        while let Some(&t) = self.hits.front() {
            if t.saturating_add(window_ms) <= now_ms {
                self.hits.pop_front();
            } else {
                break;
            }
        }
    }

    /// Counts a request at `now_ms` if the window has room.
    pub fn check(&mut self, now_ms: u64, window_ms: u64, limit: u32) -> Decision {
        self.prune(now_ms, window_ms);
        let used = u32::try_from(self.hits.len()).unwrap_or(u32::MAX);
        if used < limit {
            self.hits.push_back(now_ms);
            let oldest = self.hits.front().copied().unwrap_or(now_ms);
            Decision::Allowed {
                limit,
                remaining: limit - used - 1,
                reset_at_ms: oldest.saturating_add(window_ms),
            }
        } else {
            let oldest = self.hits.front().copied().unwrap_or(now_ms);
            let reset_at_ms = oldest.saturating_add(window_ms);
            Decision::Limited {
                limit,
                retry_after_ms: reset_at_ms.saturating_sub(now_ms),
                reset_at_ms,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allows_exactly_limit_then_limits() {
        let mut w = SlidingWindow::default();
        for i in 0..3u32 {
            match w.check(1000 + u64::from(i), 60_000, 3) {
                Decision::Allowed {
                    remaining,
                    reset_at_ms,
                    ..
                } => {
                    assert_eq!(remaining, 2 - i);
                    assert_eq!(reset_at_ms, 61_000);
                }
                d => panic!("unexpected {d:?}"),
            }
        }
        assert_eq!(
            w.check(2000, 60_000, 3),
            Decision::Limited {
                limit: 3,
                retry_after_ms: 59_000,
                reset_at_ms: 61_000
            }
        );
        // A limited request is not counted: the window still frees at 61 000.
        assert!(matches!(
            w.check(60_999, 60_000, 3),
            Decision::Limited {
                retry_after_ms: 1,
                ..
            }
        ));
        // At 61 000 the first hit slides out; one slot frees.
        assert!(matches!(
            w.check(61_000, 60_000, 3),
            Decision::Allowed {
                remaining: 0,
                reset_at_ms: 61_001,
                ..
            }
        ));
        assert!(matches!(
            w.check(61_000, 60_000, 3),
            Decision::Limited { .. }
        ));
    }

    #[test]
    fn zero_limit_always_limits() {
        let mut w = SlidingWindow::default();
        assert!(matches!(
            w.check(5, 10, 0),
            Decision::Limited {
                retry_after_ms: 10,
                ..
            }
        ));
    }
}
