//! Payments of generated forms: each payment pays a different open form
//! (a stride through them, so any count spreads over all), after the form
//! was made, in full or in part; the form's `Balance` drops and it shows a
//! later change, as QuickBooks updates a paid invoice or bill.

use rust_decimal::Decimal;
use serde_json::Value;

use super::{Made, rng};
use crate::sim::entity::Entity;
use crate::sim::{money, time};
use tether_sim_kit::par::par_map;

/// One payment being drawn: which, of what, how much, when.
pub(crate) struct Draw<'a> {
    /// The payment's index.
    pub index: usize,
    /// The form it pays.
    pub form: &'a Made,
    /// That form's `Id`.
    pub form_id: String,
    pub amount: Decimal,
    pub created_ms: i64,
}

/// A stride through `n` slots that visits each once (coprime to `n`).
fn stride(n: usize) -> usize {
    let gcd = |mut a: usize, mut b: usize| {
        while b != 0 {
            (a, b) = (b, a % b);
        }
        a
    };
    let mut s = n / 2 + 1;
    while gcd(s, n) != 1 {
        s += 1;
    }
    s
}

/// Up to `n` payments of entity `e` over the forms not voided; `full`
/// percent pay the whole balance. `body` makes each payment's object.
pub(crate) fn pay_forms(
    seed: u64,
    e: Entity,
    n: usize,
    end_ms: i64,
    forms: &mut [Made],
    full: u64,
    body: impl Fn(&Draw) -> Value + Sync,
) -> Vec<Made> {
    let open: Vec<usize> = (0..forms.len())
        .filter(|&i| forms[i].obj["PrivateNote"] != "Voided")
        .collect();
    let n = n.min(open.len());
    let step = stride(open.len().max(1));
    let targets: Vec<usize> = (0..n).map(|j| open[(j * step) % open.len()]).collect();
    let made = {
        let forms = &*forms;
        par_map(n, |j| {
            let form = &forms[targets[j]];
            let mut r = rng(seed, e, 0, j);
            let balance = money::read(&form.obj["Balance"]).unwrap_or_default();
            let amount = match r.percent(full) {
                true => balance,
                false => (balance * Decimal::new(r.range(10, 90), 2)).round_dp(2),
            };
            let created_ms =
                time::whole_seconds(form.created_ms + r.range(0, end_ms - form.created_ms));
            let draw = Draw {
                index: j,
                form,
                form_id: (targets[j] + 1).to_string(),
                amount,
                created_ms,
            };
            Made {
                obj: body(&draw),
                created_ms,
                updated_ms: created_ms,
                sync: 0,
            }
        })
    };
    for (j, p) in made.iter().enumerate() {
        let form = &mut forms[targets[j]];
        let balance = money::read(&form.obj["Balance"]).unwrap_or_default();
        let amount = money::read(&p.obj["TotalAmt"]).unwrap_or_default();
        form.obj["Balance"] = money::json(balance - amount);
        form.updated_ms = form.updated_ms.max(p.created_ms);
        form.sync += 1;
    }
    made
}
