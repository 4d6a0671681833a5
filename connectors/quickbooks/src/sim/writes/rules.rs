//! What each entity requires of a write and what QuickBooks computes: the
//! required fields (2020), unique names (6240), valid references (2500),
//! line totals, `TotalAmt`, `Balance`, `RemainingCredit`, `UnappliedAmt`,
//! a journal entry's balance (6000 when debits and credits differ).

use rust_decimal::Decimal;
use serde_json::{Value, json};

use super::refs::{check, require};
use crate::sim::entity::Entity;
use crate::sim::fault::Fault;
use crate::sim::store::Books;
use crate::sim::{money, time, totals};

fn text<'a>(obj: &'a Value, field: &str) -> Option<&'a str> {
    obj[field].as_str().map(str::trim).filter(|s| !s.is_empty())
}

/// 6240 when another object of `among` (other than `own` of `e`) has `name`
/// in `field` (case ignored), inactive ones included.
fn unique(
    books: &Books,
    among: &[Entity],
    field: &str,
    name: &str,
    e: Entity,
    own: Option<u64>,
) -> Result<(), Fault> {
    for &other in among {
        for (id, row) in books.table(other).rows.iter() {
            let same = other == e && Some(id) == own;
            if !same
                && row.obj[field]
                    .as_str()
                    .is_some_and(|n| n.eq_ignore_ascii_case(name))
            {
                return Err(Fault::duplicate_name(id));
            }
        }
    }
    Ok(())
}

fn default(obj: &mut Value, field: &str, value: Value) {
    if obj.get(field).is_none_or(Value::is_null) {
        obj[field] = value;
    }
}

fn lines_with(obj: &Value, detail: &str) -> usize {
    obj["Line"].as_array().map_or(0, |ls| {
        ls.iter().filter(|l| l["DetailType"] == detail).count()
    })
}

/// The longest strings Intuit's entity reference allows (2050 beyond).
const MAX_LENGTHS: &[(Entity, &str, usize)] = &[
    (Entity::Account, "Name", 100),
    (Entity::Customer, "DisplayName", 500),
    (Entity::Vendor, "DisplayName", 500),
    (Entity::Item, "Name", 100),
    (Entity::Invoice, "DocNumber", 21),
    (Entity::CreditMemo, "DocNumber", 21),
    (Entity::Bill, "DocNumber", 21),
    (Entity::Invoice, "PrivateNote", 4000),
    (Entity::Bill, "PrivateNote", 4000),
];

fn lengths(e: Entity, obj: &Value) -> Result<(), Fault> {
    for &(_, field, max) in MAX_LENGTHS.iter().filter(|(of, ..)| *of == e) {
        if obj[field].as_str().is_some_and(|s| s.chars().count() > max) {
            return Err(Fault::string_length(field, max));
        }
    }
    Ok(())
}

/// Validates `obj` (the object to store, without `Id`/`SyncToken`) and
/// fills what QuickBooks computes. `own` is its `Id` on update; `paid` what
/// payments have already taken off its balance.
pub(crate) fn prepare(
    books: &Books,
    e: Entity,
    obj: &mut Value,
    own: Option<u64>,
    paid: Decimal,
    now_ms: i64,
) -> Result<(), Fault> {
    if !obj.is_object() {
        return Err(Fault::invalid_property(format!(
            "{} must be an object",
            e.name()
        )));
    }
    lengths(e, obj)?;
    match e {
        Entity::Account => {
            let name = text(obj, "Name")
                .ok_or_else(|| Fault::required("Name"))?
                .to_string();
            if text(obj, "AccountType").is_none() {
                return Err(Fault::required("AccountType"));
            }
            unique(books, &[Entity::Account], "Name", &name, e, own)?;
            obj["FullyQualifiedName"] = json!(name);
            default(obj, "Active", json!(true));
            default(obj, "CurrentBalance", json!(0));
        }
        Entity::Customer | Entity::Vendor => {
            let name = text(obj, "DisplayName")
                .ok_or_else(|| Fault::required("DisplayName"))?
                .to_string();
            unique(
                books,
                &[Entity::Customer, Entity::Vendor],
                "DisplayName",
                &name,
                e,
                own,
            )?;
            if e == Entity::Customer {
                obj["FullyQualifiedName"] = json!(name);
            }
            default(obj, "Active", json!(true));
            default(obj, "Balance", json!(0));
        }
        Entity::Item => {
            let name = text(obj, "Name")
                .ok_or_else(|| Fault::required("Name"))?
                .to_string();
            unique(books, &[Entity::Item], "Name", &name, e, own)?;
            default(obj, "Type", json!("Service"));
            let needs_income = matches!(obj["Type"].as_str(), Some("Service" | "NonInventory"));
            match needs_income {
                true => drop(require(books, obj, "IncomeAccountRef", Entity::Account)?),
                false => drop(check(books, obj, "IncomeAccountRef", Entity::Account)?),
            }
            check(books, obj, "ExpenseAccountRef", Entity::Account)?;
            obj["FullyQualifiedName"] = json!(name);
            default(obj, "Active", json!(true));
        }
        Entity::Invoice | Entity::CreditMemo => {
            require(books, obj, "CustomerRef", Entity::Customer)?;
            if lines_with(obj, "SalesItemLineDetail") == 0 {
                return Err(Fault::required("Line"));
            }
            for i in 0..obj["Line"].as_array().map_or(0, Vec::len) {
                let line = &mut obj["Line"][i];
                if let Some(item) = check(books, line, "SalesItemLineDetail.ItemRef", Entity::Item)?
                {
                    let price = books
                        .get(Entity::Item, item)
                        .map(|o| o["UnitPrice"].clone())
                        .unwrap_or(json!(0));
                    default(&mut line["SalesItemLineDetail"], "UnitPrice", price);
                }
            }
            dates(obj, now_ms, e == Entity::Invoice);
            let total = totals::total_lines(obj, "SalesItemLineDetail", true);
            match e {
                Entity::Invoice => obj["Balance"] = money::json(total - paid),
                _ => obj["RemainingCredit"] = money::json(total),
            }
        }
        Entity::Bill => {
            require(books, obj, "VendorRef", Entity::Vendor)?;
            if lines_with(obj, "AccountBasedExpenseLineDetail") == 0 {
                return Err(Fault::required("Line"));
            }
            for i in 0..obj["Line"].as_array().map_or(0, Vec::len) {
                let path = "AccountBasedExpenseLineDetail.AccountRef";
                if obj["Line"][i]["DetailType"] == "AccountBasedExpenseLineDetail" {
                    require(books, &mut obj["Line"][i], path, Entity::Account)?;
                }
            }
            check(books, obj, "APAccountRef", Entity::Account)?;
            dates(obj, now_ms, true);
            let total = totals::total_lines(obj, "AccountBasedExpenseLineDetail", false);
            obj["Balance"] = money::json(total - paid);
        }
        Entity::Payment | Entity::BillPayment => payment(books, e, obj, now_ms)?,
        Entity::JournalEntry => {
            if obj["Line"].as_array().is_none_or(Vec::is_empty) {
                return Err(Fault::required("Line"));
            }
            for i in 0..obj["Line"].as_array().map_or(0, Vec::len) {
                require(
                    books,
                    &mut obj["Line"][i],
                    "JournalEntryLineDetail.AccountRef",
                    Entity::Account,
                )?;
            }
            let (debits, credits) = totals::journal_sides(obj);
            if debits != credits {
                return Err(Fault::business(format!(
                    "Transaction must be balanced: debits {debits}, credits {credits}"
                )));
            }
            dates(obj, now_ms, false);
            totals::total_lines(obj, "JournalEntryLineDetail", false);
            obj["TotalAmt"] = money::json(debits);
        }
    }
    Ok(())
}

/// `TxnDate` today unless given; `DueDate` 30 days on when `due`.
fn dates(obj: &mut Value, now_ms: i64, due: bool) {
    default(obj, "TxnDate", json!(time::date(now_ms)));
    if due {
        let txn = obj["TxnDate"]
            .as_str()
            .and_then(time::parse_instant)
            .unwrap_or(now_ms);
        default(obj, "DueDate", json!(time::date(txn + 30 * time::DAY_MS)));
    }
}

/// A payment's own fields; what it applies is checked by `links`.
fn payment(books: &Books, e: Entity, obj: &mut Value, now_ms: i64) -> Result<(), Fault> {
    let (party, party_ref) = match e {
        Entity::Payment => (Entity::Customer, "CustomerRef"),
        _ => (Entity::Vendor, "VendorRef"),
    };
    require(books, obj, party_ref, party)?;
    let total = money::read(&obj["TotalAmt"]).ok_or_else(|| Fault::required("TotalAmt"))?;
    if e == Entity::BillPayment {
        match obj["PayType"].as_str() {
            Some("Check") => drop(require(
                books,
                obj,
                "CheckPayment.BankAccountRef",
                Entity::Account,
            )?),
            Some("CreditCard") => drop(require(
                books,
                obj,
                "CreditCardPayment.CCAccountRef",
                Entity::Account,
            )?),
            _ => return Err(Fault::required("PayType")),
        }
    } else {
        check(books, obj, "DepositToAccountRef", Entity::Account)?;
    }
    let mut applied = Decimal::ZERO;
    for line in obj["Line"].as_array_mut().into_iter().flatten() {
        let amount = money::read(&line["Amount"]).ok_or_else(|| Fault::required("Line.Amount"))?;
        line["Amount"] = money::json(amount);
        applied += amount;
    }
    if applied > total {
        return Err(Fault::business(format!(
            "The amount applied ({applied}) is more than the payment ({total})"
        )));
    }
    obj["TotalAmt"] = money::json(total);
    if e == Entity::Payment {
        obj["UnappliedAmt"] = money::json(total - applied);
    }
    dates(obj, now_ms, false);
    Ok(())
}
