//! Line items: defaults from items and accounts, tax per line, and the
//! document totals (SubTotal, TotalTax, Total), all in decimal arithmetic.

use rust_decimal::Decimal;
use uuid::Uuid;

use super::Ctx;
use crate::sim::collections::Kind;
use crate::sim::model::{Item, LineItem, Money, Qty, TrackingCategory, TrackingRef};

/// Which side of the ledger a document is on (picks default tax types and
/// the item details used).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Side {
    Sales,
    Purchases,
}

/// The three totals of a document.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Totals {
    pub sub_total: Decimal,
    pub total_tax: Decimal,
    pub total: Decimal,
}

/// `Exclusive`, `Inclusive` or `NoTax`, normalised; `None` when invalid.
pub(crate) fn line_amount_types(s: Option<&str>) -> Option<&'static str> {
    match s {
        None => Some("Exclusive"),
        Some(v) if v.eq_ignore_ascii_case("Exclusive") => Some("Exclusive"),
        Some(v) if v.eq_ignore_ascii_case("Inclusive") => Some("Inclusive"),
        Some(v) if v.eq_ignore_ascii_case("NoTax") => Some("NoTax"),
        Some(_) => None,
    }
}

/// Tax of one line amount at `rate` percent.
pub(crate) fn line_tax(amount: Decimal, rate: Decimal, lat: &str) -> Decimal {
    let hundred = Decimal::ONE_HUNDRED;
    let tax = match lat {
        "Exclusive" => amount * rate / hundred,
        "Inclusive" if rate + hundred != Decimal::ZERO => amount * rate / (hundred + rate),
        _ => Decimal::ZERO,
    };
    Money::new(tax).0
}

/// Totals of lines whose `LineAmount` and `TaxAmount` are set.
pub(crate) fn totals<'a>(lines: impl Iterator<Item = &'a LineItem>, lat: &str) -> Totals {
    let (mut amount, mut tax) = (Decimal::ZERO, Decimal::ZERO);
    for l in lines {
        amount += l.LineAmount.map_or(Decimal::ZERO, |m| m.0);
        tax += l.TaxAmount.map_or(Decimal::ZERO, |m| m.0);
    }
    let sub_total = if lat == "Inclusive" {
        amount - tax
    } else {
        amount
    };
    Totals {
        sub_total,
        total_tax: tax,
        total: sub_total + tax,
    }
}

/// Resolves a line's tracking against the organisation's categories.
pub(crate) fn resolve_tracking(
    cats: &[TrackingCategory],
    tracking: &mut [TrackingRef],
    errors: &mut Vec<String>,
) {
    for t in tracking.iter_mut() {
        let cat = cats.iter().find(|c| {
            (t.TrackingCategoryID.is_some() && c.TrackingCategoryID == t.TrackingCategoryID)
                || (t.TrackingCategoryID.is_none() && c.Name.is_some() && c.Name == t.Name)
        });
        let Some(cat) = cat.filter(|c| c.Status.as_deref() == Some("ACTIVE")) else {
            errors.push(format!(
                "Tracking category '{}' does not exist or is not active.",
                t.Name
                    .clone()
                    .or(t.TrackingCategoryID.map(|i| i.to_string()))
                    .unwrap_or_default()
            ));
            continue;
        };
        let options = cat.Options.as_deref().unwrap_or_default();
        let opt = options.iter().find(|o| {
            (t.TrackingOptionID.is_some() && o.TrackingOptionID == t.TrackingOptionID)
                || (t.TrackingOptionID.is_none() && o.Name.is_some() && o.Name == t.Option)
        });
        match opt.filter(|o| o.Status.as_deref() == Some("ACTIVE")) {
            Some(o) => {
                *t = TrackingRef {
                    TrackingCategoryID: cat.TrackingCategoryID,
                    TrackingOptionID: o.TrackingOptionID,
                    Name: cat.Name.clone(),
                    Option: o.Name.clone(),
                };
            }
            None => errors.push(format!(
                "Tracking option '{}' does not exist in tracking category '{}'.",
                t.Option.clone().unwrap_or_default(),
                cat.Name.clone().unwrap_or_default()
            )),
        }
    }
}

/// Fills every line (ids, defaults, amounts, tax) and returns the totals.
/// `need_account`: approved documents and bank transactions need an account
/// code on every line.
pub(crate) fn complete(
    ctx: &Ctx,
    lines: &mut [LineItem],
    lat: &str,
    side: Side,
    need_account: bool,
    errors: &mut Vec<String>,
) -> Totals {
    let cats = ctx.tracking();
    for l in lines.iter_mut() {
        // Lines already stored keep their item even if it was deleted since.
        let new_line = l.LineItemID.is_none();
        if new_line {
            l.LineItemID = Some(Uuid::new_v4());
        }
        if let Some(code) = l.ItemCode.clone() {
            match ctx.by_number::<Item>(Kind::Items, &code) {
                Some((_, item)) => {
                    let details = match side {
                        Side::Sales => item.SalesDetails.unwrap_or_default(),
                        Side::Purchases => item.PurchaseDetails.unwrap_or_default(),
                    };
                    let desc = match side {
                        Side::Sales => item.Description,
                        Side::Purchases => item.PurchaseDescription.or(item.Description),
                    };
                    l.Description = l.Description.take().or(desc);
                    l.UnitAmount = l.UnitAmount.or(details.UnitPrice);
                    l.AccountCode = l.AccountCode.take().or(details.AccountCode);
                    l.TaxType = l.TaxType.take().or(details.TaxType);
                }
                None if new_line => errors.push(format!("Item code '{code}' is not valid")),
                None => {}
            }
        }
        if l.UnitAmount.is_some() && l.Quantity.is_none() {
            l.Quantity = Some(Qty::new(Decimal::ONE));
        }
        if let (Some(q), Some(u)) = (l.Quantity, l.UnitAmount) {
            let discount = l.DiscountRate.map_or(Decimal::ZERO, |d| d.0);
            let factor = (Decimal::ONE_HUNDRED - discount) / Decimal::ONE_HUNDRED;
            l.LineAmount = Some(Money::new(q.0 * u.0 * factor));
        }
        let amount = l.LineAmount.map_or(Decimal::ZERO, |m| m.0);
        l.LineAmount = Some(Money::new(amount));
        let account = match l.AccountCode.as_deref().filter(|c| !c.is_empty()) {
            Some(code) => match ctx.account(code) {
                Some(a) => Some(a),
                None => {
                    errors.push(format!(
                        "Account code '{code}' is not a valid code for this document."
                    ));
                    None
                }
            },
            None => {
                if need_account {
                    errors.push("Account code must be specified on every line item.".to_string());
                }
                None
            }
        };
        if let Some(a) = &account {
            l.AccountID = a.AccountID;
        }
        if lat == "NoTax" {
            l.TaxType = Some("NONE".to_string());
        }
        let default_tax = || {
            account
                .as_ref()
                .and_then(|a| a.TaxType.clone())
                .unwrap_or_else(|| {
                    match side {
                        Side::Sales => "OUTPUT2",
                        Side::Purchases => "INPUT2",
                    }
                    .to_string()
                })
        };
        let tax_type = l
            .TaxType
            .clone()
            .filter(|t| !t.is_empty())
            .unwrap_or_else(default_tax);
        let rate = match ctx.tax_rate(&tax_type) {
            Some(t) => t.EffectiveRate.map_or(Decimal::ZERO, |r| r.0),
            None => {
                errors.push(format!(
                    "The TaxType code '{tax_type}' does not exist or cannot be used for this type of transaction."
                ));
                Decimal::ZERO
            }
        };
        l.TaxType = Some(tax_type);
        l.TaxAmount = Some(Money::new(line_tax(amount, rate, lat)));
        if l.Tracking.is_none() {
            l.Tracking = Some(Vec::new());
        }
        if let Some(t) = l.Tracking.as_mut() {
            resolve_tracking(&cats, t, errors);
        }
        l.ValidationErrors = None;
    }
    totals(lines.iter(), lat)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn line(amount: &str, tax: &str) -> LineItem {
        LineItem {
            LineAmount: Some(Money::new(d(amount))),
            TaxAmount: Some(Money::new(d(tax))),
            ..Default::default()
        }
    }

    #[test]
    fn tax_per_line_amount_type() {
        assert_eq!(line_tax(d("40"), d("15"), "Exclusive"), d("6.00"));
        // The spec's example: 20.00 inclusive of 9.5% tax has 1.74 tax.
        assert_eq!(line_tax(d("20"), d("9.5"), "Inclusive"), d("1.74"));
        assert_eq!(line_tax(d("20"), d("15"), "NoTax"), d("0"));
        assert_eq!(line_tax(d("0.10"), d("15"), "Exclusive"), d("0.02"));
    }

    #[test]
    fn totals_exclusive_and_inclusive() {
        let ls = [line("40.00", "6.00"), line("10.00", "1.50")];
        let t = totals(ls.iter(), "Exclusive");
        assert_eq!(
            (t.sub_total, t.total_tax, t.total),
            (d("50"), d("7.5"), d("57.5"))
        );
        let ls = [line("20.00", "1.74")];
        let t = totals(ls.iter(), "Inclusive");
        assert_eq!(
            (t.sub_total, t.total_tax, t.total),
            (d("18.26"), d("1.74"), d("20.00"))
        );
    }

    #[test]
    fn line_amount_type_names() {
        assert_eq!(line_amount_types(None), Some("Exclusive"));
        assert_eq!(line_amount_types(Some("notax")), Some("NoTax"));
        assert_eq!(line_amount_types(Some("Gross")), None);
    }
}
