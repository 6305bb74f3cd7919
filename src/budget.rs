//! A client-wide retry budget: a token bucket that lets retries through while most calls
//! succeed and cuts them off when most fail, so a client does not multiply the load on a
//! server that is already down.
//!
//! The same scheme as the AWS SDKs' "standard" retry quota and gRPC's retry throttling: the
//! bucket starts full; every retry takes `retry_cost` tokens (`timeout_cost` after a timeout,
//! which costs the server more); every successful answer gives back `success_refund`, up to
//! the capacity. The first attempt of a call is never charged. With the defaults (500 / 5 /
//! 10 / 1), a server that answers only errors gets at most 100 retries in all from one client,
//! then none until successes refill the bucket, while an occasional failure is always retried.

/// The bucket's sizes (`retryBudget` in JS).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BudgetSettings {
    /// Tokens when full, and at the start.
    pub capacity: u32,
    /// Tokens a retry takes after an answer or a network failure.
    pub retry_cost: u32,
    /// Tokens a retry takes after a per-attempt timeout.
    pub timeout_cost: u32,
    /// Tokens a successful (2xx) answer gives back.
    pub success_refund: u32,
}

/// Default `retryBudget.capacity`.
pub const DEFAULT_CAPACITY: u32 = 500;
/// Default `retryBudget.retryCost`.
pub const DEFAULT_RETRY_COST: u32 = 5;
/// Default `retryBudget.timeoutCost`.
pub const DEFAULT_TIMEOUT_COST: u32 = 10;
/// Default `retryBudget.successRefund`.
pub const DEFAULT_SUCCESS_REFUND: u32 = 1;
/// The largest `retryBudget.capacity` accepted.
pub const MAX_CAPACITY: u32 = 1_000_000;

impl Default for BudgetSettings {
    fn default() -> Self {
        BudgetSettings {
            capacity: DEFAULT_CAPACITY,
            retry_cost: DEFAULT_RETRY_COST,
            timeout_cost: DEFAULT_TIMEOUT_COST,
            success_refund: DEFAULT_SUCCESS_REFUND,
        }
    }
}

/// The bucket itself, shared by every call of one client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryBudget {
    settings: BudgetSettings,
    tokens: u32,
}

impl RetryBudget {
    /// A full bucket.
    pub fn new(settings: BudgetSettings) -> Self {
        RetryBudget {
            settings,
            tokens: settings.capacity,
        }
    }

    /// Takes the cost of one retry (`timeout_cost` when the failed attempt timed out, else
    /// `retry_cost`). `false`, and nothing taken, when the bucket holds less than that.
    pub fn try_spend(&mut self, after_timeout: bool) -> bool {
        let cost = if after_timeout {
            self.settings.timeout_cost
        } else {
            self.settings.retry_cost
        };
        match self.tokens.checked_sub(cost) {
            Some(left) => {
                self.tokens = left;
                true
            }
            None => false,
        }
    }

    /// Gives back `success_refund` after a 2xx answer, never above the capacity.
    pub fn on_success(&mut self) {
        self.tokens = self
            .tokens
            .saturating_add(self.settings.success_refund)
            .min(self.settings.capacity);
    }

    /// Tokens in the bucket now.
    pub fn tokens(&self) -> u32 {
        self.tokens
    }

    /// The sizes in force.
    pub fn settings(&self) -> BudgetSettings {
        self.settings
    }
}
