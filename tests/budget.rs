//! Native tests of the client-wide retry budget (`budget`): spending, refunds and the cap.
#![cfg(not(target_arch = "wasm32"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::type_complexity
)]

use rimp_client::budget::{BudgetSettings, RetryBudget};

#[test]
fn the_budget_bucket() {
    let mut b = RetryBudget::new(BudgetSettings {
        capacity: 12,
        retry_cost: 5,
        timeout_cost: 10,
        success_refund: 2,
    });
    assert_eq!(b.tokens(), 12, "starts full");
    b.on_success();
    assert_eq!(b.tokens(), 12, "capped at the capacity");
    // (after_timeout, allowed, tokens after)
    let table = [
        (false, true, 7),
        (true, false, 7),
        (false, true, 2),
        (false, false, 2),
    ];
    for (after_timeout, allowed, left) in table {
        assert_eq!(b.try_spend(after_timeout), allowed);
        assert_eq!(b.tokens(), left);
    }
    b.on_success();
    assert_eq!(b.tokens(), 4);
    for _ in 0..10 {
        b.on_success();
    }
    assert_eq!(b.tokens(), 12);
    assert!(b.try_spend(true));
    assert_eq!(b.tokens(), 2);
    // Zero costs never run out.
    let mut free = RetryBudget::new(BudgetSettings {
        capacity: 1,
        retry_cost: 0,
        timeout_cost: 0,
        success_refund: 0,
    });
    assert!((0..1000).all(|i| free.try_spend(i % 2 == 0)));
    assert_eq!(free.tokens(), 1);
}
