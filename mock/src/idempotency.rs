//! The idempotency store (24 hours, replay with `Idempotent-Replayed: true`), keyed per API key.
//!
//! Pure: the caller passes the mock time. A request that carries a key first
//! calls [`Store::begin`]: a fresh key is *claimed* (in flight) until the
//! caller calls [`Store::complete`] (stores a 2xx answer, forgets anything
//! else) or [`Store::release`] (the work was abandoned).

use std::collections::HashMap;

/// The longest key the API accepts.
pub const MAX_KEY_LEN: usize = 200;

/// How long a stored answer is replayed (24 h, in unscaled mock milliseconds).
pub const WINDOW_MS: u64 = 24 * 60 * 60 * 1000;

/// A stored answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    /// The original HTTP status.
    pub status: u16,
    /// The original body, byte for byte.
    pub body: Vec<u8>,
    /// The original `X-Request-Id`.
    pub request_id: String,
}

#[derive(Debug, Clone)]
enum Entry {
    InFlight {
        claim: u64,
        fingerprint: u64,
    },
    Done {
        fingerprint: u64,
        created_ms: u64,
        stored: Stored,
    },
}

/// What [`Store::begin`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Begin {
    /// Unknown (or expired) key: it is now claimed by the caller.
    Fresh,
    /// Same key, same request, inside the window: replay this.
    Replay(Stored),
    /// Same key, different request: 409 `idempotency_key_reuse`.
    Mismatch,
    /// Same key, another request holding it is still being worked on.
    InFlight,
}

/// All keys of all API keys.
#[derive(Debug, Default)]
pub struct Store {
    map: HashMap<(String, String), Entry>,
}

impl Store {
    fn expire(&mut self, now_ms: u64) {
        self.map.retain(|_, e| match e {
            Entry::InFlight { .. } => true,
            Entry::Done { created_ms, .. } => created_ms.saturating_add(WINDOW_MS) > now_ms,
        });
    }

    /// Looks `key` up for the API key `scope`, claiming it when fresh.
    pub fn begin(
        &mut self,
        scope: &str,
        key: &str,
        fingerprint: u64,
        now_ms: u64,
        claim: u64,
    ) -> Begin {
        self.expire(now_ms);
        let k = (scope.to_owned(), key.to_owned());
        match self.map.get(&k) {
            Some(Entry::InFlight { fingerprint: f, .. }) => {
                if *f == fingerprint {
                    Begin::InFlight
                } else {
                    Begin::Mismatch
                }
            }
            Some(Entry::Done {
                fingerprint: f,
                stored,
                ..
            }) => {
                if *f == fingerprint {
                    Begin::Replay(stored.clone())
                } else {
                    Begin::Mismatch
                }
            }
            None => {
                self.map.insert(k, Entry::InFlight { claim, fingerprint });
                Begin::Fresh
            }
        }
    }

    /// Finishes a claim: a 2xx answer is stored for the window, anything else
    /// frees the key so that a retry runs afresh.
    pub fn complete(&mut self, scope: &str, key: &str, claim: u64, now_ms: u64, stored: Stored) {
        let k = (scope.to_owned(), key.to_owned());
        let fingerprint = match self.map.get(&k) {
            Some(Entry::InFlight {
                claim: c,
                fingerprint,
            }) if *c == claim => *fingerprint,
            _ => return,
        };
        if (200..300).contains(&stored.status) {
            self.map.insert(
                k,
                Entry::Done {
                    fingerprint,
                    created_ms: now_ms,
                    stored,
                },
            );
        } else {
            self.map.remove(&k);
        }
    }

    /// Drops a claim that was never completed (no effect on a stored answer).
    pub fn release(&mut self, scope: &str, key: &str, claim: u64) {
        let k = (scope.to_owned(), key.to_owned());
        if matches!(self.map.get(&k), Some(Entry::InFlight { claim: c, .. }) if *c == claim) {
            self.map.remove(&k);
        }
    }

    /// How many keys are held (in flight or stored).
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether nothing is held.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored(status: u16) -> Stored {
        Stored {
            status,
            body: b"{\"id\":\"gen_1\"}".to_vec(),
            request_id: "req_1".into(),
        }
    }

    #[test]
    fn replay_mismatch_and_expiry() {
        let mut s = Store::default();
        assert_eq!(s.begin("sk_a", "k", 7, 0, 1), Begin::Fresh);
        assert_eq!(s.begin("sk_a", "k", 7, 10, 2), Begin::InFlight);
        assert_eq!(s.begin("sk_a", "k", 8, 10, 2), Begin::Mismatch);
        // Another API key has its own namespace.
        assert_eq!(s.begin("sk_b", "k", 7, 10, 3), Begin::Fresh);
        s.complete("sk_a", "k", 1, 100, stored(202));
        assert_eq!(s.begin("sk_a", "k", 7, 200, 4), Begin::Replay(stored(202)));
        assert_eq!(s.begin("sk_a", "k", 9, 200, 4), Begin::Mismatch);
        // Just inside the window, then just past it.
        assert_eq!(
            s.begin("sk_a", "k", 7, 100 + WINDOW_MS - 1, 5),
            Begin::Replay(stored(202))
        );
        assert_eq!(s.begin("sk_a", "k", 9, 100 + WINDOW_MS, 6), Begin::Fresh);
    }

    #[test]
    fn errors_are_not_stored_and_release_frees() {
        let mut s = Store::default();
        assert_eq!(s.begin("a", "k", 1, 0, 1), Begin::Fresh);
        s.complete("a", "k", 1, 0, stored(502));
        assert_eq!(s.begin("a", "k", 1, 0, 2), Begin::Fresh);
        // A stale claim id cannot complete or release someone else's claim.
        s.complete("a", "k", 1, 0, stored(200));
        s.release("a", "k", 1);
        assert_eq!(s.begin("a", "k", 1, 0, 3), Begin::InFlight);
        s.release("a", "k", 2);
        assert!(s.is_empty());
        assert_eq!(s.begin("a", "k", 1, 0, 4), Begin::Fresh);
        s.complete("a", "k", 4, 0, stored(201));
        s.release("a", "k", 4);
        assert_eq!(s.len(), 1);
    }
}
