//! Tracking categories and items.

use rust_decimal::Decimal;

use super::rng::{SimRng, stream};
use super::words::*;
use super::{END_MS, GenCtx, ItemInfo, SPAN_MS, TrackingInfo, entries};
use crate::sim::dates::xero_date;
use crate::sim::model::*;
use crate::sim::store::Entries;

/// Tracking categories: Region and Department active, further ones archived.
pub(crate) fn tracking(seed: u64, n: usize) -> (Entries, Vec<TrackingInfo>) {
    let defs: [(&str, &[&str]); 2] = [
        (
            "Region",
            &["North", "South", "Eastside", "West Coast", "Central"],
        ),
        (
            "Department",
            &["Sales", "Operations", "Marketing", "Support"],
        ),
    ];
    let mut list = Vec::with_capacity(n);
    let mut info = Vec::new();
    for i in 0..n {
        let mut r = SimRng::new(seed, stream::TRACKING, i as u64);
        let (name, opts, status) = match defs.get(i) {
            Some((n, o)) => (
                n.to_string(),
                o.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
                "ACTIVE",
            ),
            None => (
                format!("Project Group {}", i - 1),
                vec!["Phase 1".into(), "Phase 2".into()],
                "ARCHIVED",
            ),
        };
        let id = r.uuid();
        let options: Vec<TrackingOption> = opts
            .iter()
            .enumerate()
            .map(|(k, o)| TrackingOption {
                TrackingOptionID: Some(r.uuid()),
                Name: Some(o.clone()),
                // The last Region option is archived: hidden unless includeArchived.
                Status: Some(
                    if i == 0 && k == opts.len() - 1 {
                        "ARCHIVED"
                    } else {
                        "ACTIVE"
                    }
                    .into(),
                ),
            })
            .collect();
        if status == "ACTIVE" {
            info.push(TrackingInfo {
                id,
                name: name.clone(),
                options: options
                    .iter()
                    .filter(|o| o.Status.as_deref() == Some("ACTIVE"))
                    .filter_map(|o| Some((o.TrackingOptionID?, o.Name.clone()?)))
                    .collect(),
            });
        }
        list.push(TrackingCategory {
            Name: Some(name),
            Status: Some(status.into()),
            TrackingCategoryID: Some(id),
            Options: Some(options),
            ValidationErrors: None,
        });
    }
    (entries(&list), info)
}

/// Items sold and bought.
pub(crate) fn items(g: &GenCtx) -> (Entries, Vec<ItemInfo>) {
    let n = g.sizes.items;
    let has = |code: &str| {
        g.sales_accounts
            .iter()
            .chain(&g.expense_accounts)
            .any(|a| a.code == code)
    };
    let sales_code = if has("200") { Some("200") } else { None };
    let cogs = if has("310") { Some("310") } else { None };
    let rate = |t: &str| {
        g.tax_rates
            .iter()
            .any(|(x, _)| x == t)
            .then(|| t.to_string())
    };
    let mut list = Vec::with_capacity(n);
    let mut info = Vec::with_capacity(n);
    for i in 0..n {
        let mut r = SimRng::new(g.seed, stream::ITEM, i as u64);
        let code = format!("{}-{:03}", r.pick(ITEM_PREFIX), i + 1);
        let name = format!("{} {}", r.pick(PRODUCT_ADJ), r.pick(PRODUCT_NOUN));
        let price = Decimal::new(r.range(500, 250_000), 2);
        let cost = (price * Decimal::new(r.range(40, 80), 2)).round_dp(2);
        let description = format!("{name} ({code})");
        let updated = END_MS - r.range(0, SPAN_MS);
        list.push(Item {
            ItemID: Some(r.uuid()),
            Code: Some(code.clone()),
            Description: Some(description.clone()),
            PurchaseDescription: r.percent(50).then(|| format!("Purchase of {name}")),
            UpdatedDateUTC: Some(xero_date(updated)),
            PurchaseDetails: Some(ItemDetails {
                UnitPrice: Some(Money::new(cost)),
                AccountCode: cogs.map(Into::into),
                COGSAccountCode: None,
                TaxType: rate("INPUT2"),
            }),
            SalesDetails: Some(ItemDetails {
                UnitPrice: Some(Money::new(price)),
                AccountCode: sales_code.map(Into::into),
                COGSAccountCode: None,
                TaxType: rate("OUTPUT2"),
            }),
            Name: Some(name),
            IsTrackedAsInventory: Some(false),
            IsSold: Some(true),
            IsPurchased: Some(r.percent(70)),
            ..Default::default()
        });
        info.push(ItemInfo {
            code,
            description,
            price,
        });
    }
    (entries(&list), info)
}
