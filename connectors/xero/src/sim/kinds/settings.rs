//! Items, accounts and tax rates, and `DELETE` of the kinds the spec lets be
//! deleted.

use rust_decimal::Decimal;
use serde_json::{Map, Value};
use uuid::Uuid;

use super::usage::account_used;
use super::{Ctx, Failure, Target, merged, tracking};
use crate::sim::collections::Kind;
use crate::sim::dates::xero_date;
use crate::sim::model::*;

const READ_ONLY: &[&str] = &[
    "UpdatedDateUTC",
    "StatusAttributeString",
    "ValidationErrors",
    "HasAttachments",
    "Class",
    "ReportingCodeName",
    "SystemAccount",
    "DisplayTaxRate",
    "EffectiveRate",
    "CanApplyToAssets",
    "CanApplyToEquity",
    "CanApplyToExpenses",
    "CanApplyToLiabilities",
    "CanApplyToRevenue",
];

/// The class of an account type (`EXPENSE` for `OVERHEADS`, ...).
pub(crate) fn account_class(ty: &str) -> Option<&'static str> {
    Some(match ty {
        "BANK" | "CURRENT" | "FIXED" | "INVENTORY" | "NONCURRENT" | "PREPAYMENT" => "ASSET",
        "CURRLIAB" | "LIABILITY" | "TERMLIAB" | "PAYGLIABILITY" | "SUPERANNUATIONLIABILITY" => {
            "LIABILITY"
        }
        "EQUITY" => "EQUITY",
        "DEPRECIATN"
        | "DIRECTCOSTS"
        | "EXPENSE"
        | "OVERHEADS"
        | "SUPERANNUATIONEXPENSE"
        | "WAGESEXPENSE" => "EXPENSE",
        "OTHERINCOME" | "REVENUE" | "SALES" => "REVENUE",
        _ => return None,
    })
}

fn check_details(ctx: &Ctx, d: &Option<ItemDetails>, errors: &mut Vec<String>) {
    let Some(d) = d else { return };
    if let Some(code) = d.AccountCode.as_deref().filter(|c| !c.is_empty())
        && ctx.account(code).is_none()
    {
        errors.push(format!(
            "Account code '{code}' is not a valid code for this item."
        ));
    }
    if let Some(t) = d.TaxType.as_deref().filter(|t| !t.is_empty())
        && ctx.tax_rate(t).is_none()
    {
        errors.push(format!(
            "The TaxType code '{t}' does not exist or cannot be used for this item."
        ));
    }
}

fn existing(ctx: &Ctx, kind: Kind, target: Target) -> Option<String> {
    match target {
        Target::Existing(id) => ctx.data.col(kind).get(&id).map(|e| e.raw.to_string()),
        Target::New => None,
    }
}

/// `PUT`/`POST` of one item.
pub(crate) fn write_item(
    ctx: &mut Ctx,
    target: Target,
    incoming: &Map<String, Value>,
) -> Result<(Uuid, String), Failure> {
    let raw = existing(ctx, Kind::Items, target);
    let mut it: Item = merged(raw.as_deref(), incoming, READ_ONLY)?;
    let mut errors = Vec::new();
    let code = it.Code.clone().unwrap_or_default();
    if code.trim().is_empty() {
        errors.push("Item Code must be specified.".to_string());
    } else if code.chars().count() > 30 {
        errors.push("Item Code must not be longer than 30 characters.".to_string());
    } else {
        let me = it.ItemID;
        let clash = ctx.data.col(Kind::Items).iter().any(|(id, e)| {
            Some(id) != me
                && e.number
                    .as_deref()
                    .is_some_and(|n| n.eq_ignore_ascii_case(&code))
        });
        if clash {
            errors.push(format!("Price List Item with Code '{code}' already exists"));
        }
    }
    check_details(ctx, &it.SalesDetails, &mut errors);
    check_details(ctx, &it.PurchaseDetails, &mut errors);
    it.PurchaseDetails.get_or_insert_with(Default::default);
    it.SalesDetails.get_or_insert_with(Default::default);
    it.IsTrackedAsInventory.get_or_insert(false);
    it.IsSold.get_or_insert(true);
    it.IsPurchased.get_or_insert(true);
    if !errors.is_empty() {
        it.ItemID.get_or_insert(Uuid::nil());
        it.StatusAttributeString = Some("ERROR".to_string());
        it.ValidationErrors = Some(ValidationError::list(&errors));
        return Err(Failure::new(&it, errors));
    }
    it.ItemID.get_or_insert_with(Uuid::new_v4);
    it.UpdatedDateUTC = Some(xero_date(ctx.now));
    ctx.store(&it)
}

/// `PUT /Accounts` and `POST /Accounts/{id}`.
pub(crate) fn write_account(
    ctx: &mut Ctx,
    target: Target,
    incoming: &Map<String, Value>,
) -> Result<(Uuid, String), Failure> {
    let raw = existing(ctx, Kind::Accounts, target);
    let old: Option<Account> = raw.as_deref().and_then(|r| serde_json::from_str(r).ok());
    let mut a: Account = merged(raw.as_deref(), incoming, READ_ONLY)?;
    let mut errors = Vec::new();
    let me = a.AccountID;
    let clash = |field: &str, value: &str| {
        ctx.data.col(Kind::Accounts).iter().any(|(id, e)| {
            Some(id) != me
                && serde_json::from_str::<Account>(&e.raw).is_ok_and(|o| match field {
                    "Code" => o.Code.as_deref() == Some(value),
                    _ => o
                        .Name
                        .as_deref()
                        .is_some_and(|n| n.eq_ignore_ascii_case(value)),
                })
        })
    };
    match a.Code.as_deref().filter(|c| !c.trim().is_empty()) {
        None => errors.push("Please enter a Code.".to_string()),
        Some(c) if clash("Code", c) => errors.push("Please enter a unique Code.".to_string()),
        Some(_) => {}
    }
    match a.Name.as_deref().filter(|c| !c.trim().is_empty()) {
        None => errors.push("Please enter a Name.".to_string()),
        Some(n) if clash("Name", n) => errors.push("Please enter a unique Name.".to_string()),
        Some(_) => {}
    }
    let ty = a.Type.clone().unwrap_or_default();
    match account_class(&ty) {
        Some(class) => a.Class = Some(class.to_string()),
        None => errors.push(format!("'{ty}' is not a valid account Type.")),
    }
    if ty == "BANK" && a.BankAccountNumber.as_deref().is_none_or(str::is_empty) {
        errors.push("Please enter a Bank Account Number.".to_string());
    }
    if old
        .as_ref()
        .is_some_and(|o| o.Type != a.Type && o.SystemAccount.is_some())
    {
        errors.push("The Type of a system account cannot be changed.".to_string());
    }
    let status = a.Status.clone().unwrap_or_else(|| "ACTIVE".into());
    if !matches!(status.as_str(), "ACTIVE" | "ARCHIVED") {
        errors.push(format!("An account cannot be given the status {status}."));
    } else if status == "ARCHIVED" && a.SystemAccount.is_some() {
        errors.push("System accounts cannot be archived.".to_string());
    }
    a.Status = Some(status);
    if let Some(t) = a.TaxType.as_deref() {
        if ctx.tax_rate(t).is_none() {
            errors.push(format!(
                "The TaxType code '{t}' does not exist or cannot be used for this account."
            ));
        }
    } else {
        a.TaxType = Some(
            if a.Class.as_deref() == Some("REVENUE") {
                "OUTPUT2"
            } else {
                "INPUT2"
            }
            .into(),
        );
    }
    a.EnablePaymentsToAccount.get_or_insert(false);
    a.ShowInExpenseClaims.get_or_insert(false);
    a.HasAttachments.get_or_insert(false);
    if a.ReportingCode.is_none() {
        let (code, name) = match a.Class.as_deref() {
            Some("ASSET") => ("ASS", "Assets"),
            Some("LIABILITY") => ("LIA", "Liabilities"),
            Some("EQUITY") => ("EQU", "Equity"),
            Some("REVENUE") => ("REV", "Revenue"),
            _ => ("EXP", "Expense"),
        };
        a.ReportingCode = Some(code.into());
        a.ReportingCodeName = Some(name.into());
    }
    if !errors.is_empty() {
        a.AccountID.get_or_insert(Uuid::nil());
        a.ValidationErrors = Some(ValidationError::list(&errors));
        return Err(Failure::new(&a, errors));
    }
    a.AccountID.get_or_insert_with(Uuid::new_v4);
    a.UpdatedDateUTC = Some(xero_date(ctx.now));
    ctx.store(&a)
}

/// `PUT /TaxRates` (create) and `POST /TaxRates` (update by TaxType or Name).
pub(crate) fn write_tax_rate(
    ctx: &mut Ctx,
    target: Target,
    incoming: &Map<String, Value>,
) -> Result<(Uuid, String), Failure> {
    let raw = existing(ctx, Kind::TaxRates, target);
    let is_new = raw.is_none();
    let mut t: TaxRate = merged(raw.as_deref(), incoming, READ_ONLY)?;
    let mut errors = Vec::new();
    let name = t.Name.clone().unwrap_or_default();
    if name.trim().is_empty() {
        errors.push("Please enter a Name.".to_string());
    } else if is_new
        && ctx.data.col(Kind::TaxRates).iter().any(|(_, e)| {
            serde_json::from_str::<TaxRate>(&e.raw)
                .is_ok_and(|o| o.Name.as_deref() == Some(name.as_str()))
        })
    {
        errors.push("Please enter a unique Name.".to_string());
    }
    let comps = t.TaxComponents.clone().unwrap_or_default();
    if comps.is_empty() {
        errors.push("At least one TaxComponent must be specified.".to_string());
    }
    let rate: Decimal = comps
        .iter()
        .map(|c| c.Rate.map_or(Decimal::ZERO, |r| r.0))
        .sum();
    let status = t.Status.clone().unwrap_or_else(|| "ACTIVE".into());
    let system = t
        .TaxType
        .as_deref()
        .is_some_and(|ty| !ty.starts_with("TAX"));
    if !matches!(status.as_str(), "ACTIVE" | "DELETED" | "ARCHIVED") {
        errors.push(format!("A tax rate cannot be given the status {status}."));
    } else if status != "ACTIVE" && system && !is_new {
        errors.push("System tax rates cannot be deleted or archived.".to_string());
    }
    t.Status = Some(status);
    t.DisplayTaxRate = Some(Qty::new(rate));
    t.EffectiveRate = Some(Qty::new(rate));
    t.ReportTaxType.get_or_insert_with(|| "OUTPUT".into());
    for f in [
        &mut t.CanApplyToAssets,
        &mut t.CanApplyToEquity,
        &mut t.CanApplyToExpenses,
        &mut t.CanApplyToLiabilities,
        &mut t.CanApplyToRevenue,
    ] {
        f.get_or_insert(true);
    }
    if !errors.is_empty() {
        t.ValidationErrors = Some(ValidationError::list(&errors));
        return Err(Failure::new(&t, errors));
    }
    if is_new {
        ctx.data.counters.next_tax += 1;
        t.TaxType = Some(format!("TAX{:03}", ctx.data.counters.next_tax));
    }
    ctx.store(&t)
}

/// `DELETE` of an item (no body, 204), account or tracking category (the
/// object with Status DELETED); all are removed for good.
pub(crate) fn delete(ctx: &mut Ctx, kind: Kind, id: Uuid) -> Result<Option<String>, Failure> {
    match kind {
        Kind::Items => {
            ctx.remove(kind, id);
            Ok(None)
        }
        Kind::Accounts => delete_account(ctx, id),
        Kind::TrackingCategories => tracking::delete_category(ctx, id),
        _ => Ok(None),
    }
}

/// `DELETE /Accounts/{id}`: "Non-system accounts and accounts not used on
/// transactions can be deleted ... If an account is not able to be deleted
/// you can update the status to ARCHIVED" (developer.xero.com/documentation/
/// api/accounts). The answer is the account with Status DELETED and a new
/// UpdatedDateUTC (the spec's example); afterwards it is gone.
fn delete_account(ctx: &mut Ctx, id: Uuid) -> Result<Option<String>, Failure> {
    let Some(mut a) = ctx.get::<Account>(Kind::Accounts, &id) else {
        return Ok(None);
    };
    let refuse = if a.SystemAccount.as_deref().is_some_and(|s| !s.is_empty()) {
        Some("System accounts cannot be deleted.")
    } else if account_used(ctx.data, id, a.Code.as_deref()) {
        Some(
            "This account has been used on transactions and cannot be deleted; archive it instead.",
        )
    } else {
        None
    };
    if let Some(m) = refuse {
        let msg = vec![m.to_string()];
        a.ValidationErrors = Some(ValidationError::list(&msg));
        return Err(Failure::new(&a, msg));
    }
    ctx.remove(Kind::Accounts, id);
    a.Status = Some("DELETED".into());
    a.UpdatedDateUTC = Some(xero_date(ctx.now));
    Ok(serde_json::to_string(&a).ok())
}

#[cfg(test)]
mod tests {
    use super::account_class;

    #[test]
    fn classes() {
        assert_eq!(account_class("BANK"), Some("ASSET"));
        assert_eq!(account_class("OVERHEADS"), Some("EXPENSE"));
        assert_eq!(account_class("SALES"), Some("REVENUE"));
        assert_eq!(account_class("NOPE"), None);
    }
}
