//! Name-list entities: the chart of accounts, customers, vendors, items.

use std::collections::HashMap;

use rust_decimal::Decimal;
use serde_json::{Value, json};

use super::words::{self, CITY, FAMILY, GIVEN, GRADE, PLACE, SERVICE, TRADE};
use super::{Made, Names, history, made, rng};
use crate::sim::entity::Entity;
use crate::sim::{money, store};

/// A standard small-business chart, the accounts every role needs first:
/// name, `AccountType`, `AccountSubType`, `Classification`.
const CHART: &[(&str, &str, &str, &str)] = &[
    ("Checking", "Bank", "Checking", "Asset"),
    (
        "Accounts Receivable (A/R)",
        "Accounts Receivable",
        "AccountsReceivable",
        "Asset",
    ),
    (
        "Accounts Payable (A/P)",
        "Accounts Payable",
        "AccountsPayable",
        "Liability",
    ),
    ("Services", "Income", "ServiceFeeIncome", "Revenue"),
    (
        "Advertising",
        "Expense",
        "AdvertisingPromotional",
        "Expense",
    ),
    (
        "Undeposited Funds",
        "Other Current Asset",
        "UndepositedFunds",
        "Asset",
    ),
    (
        "Opening Balance Equity",
        "Equity",
        "OpeningBalanceEquity",
        "Equity",
    ),
    (
        "Sales of Product Income",
        "Income",
        "SalesOfProductIncome",
        "Revenue",
    ),
    (
        "Cost of Goods Sold",
        "Cost of Goods Sold",
        "SuppliesMaterialsCogs",
        "Expense",
    ),
    ("Savings", "Bank", "Savings", "Asset"),
    (
        "Rent or Lease",
        "Expense",
        "RentOrLeaseOfBuildings",
        "Expense",
    ),
    ("Utilities", "Expense", "Utilities", "Expense"),
    (
        "Office Expenses",
        "Expense",
        "OfficeGeneralAdministrativeExpenses",
        "Expense",
    ),
    ("Insurance", "Expense", "Insurance", "Expense"),
    ("Design income", "Income", "ServiceFeeIncome", "Revenue"),
    (
        "Inventory Asset",
        "Other Current Asset",
        "Inventory",
        "Asset",
    ),
];

/// The fewest accounts that give every role one (bank to undeposited funds).
pub(crate) const MIN_ACCOUNTS: usize = 6;

/// Where a company's names start in each word pool, so companies of
/// different seeds have different customers, vendors and items.
fn names_start(seed: u64) -> usize {
    rng(seed, Entity::Customer, 3, 0).below(1 << 20) as usize
}

fn usd() -> Value {
    json!({"value": "USD", "name": "United States Dollar"})
}

/// `n` accounts (at least [`MIN_ACCOUNTS`]): the chart, then extra expense
/// accounts, a tenth of those inactive.
pub(crate) fn accounts(seed: u64, n: usize, end_ms: i64) -> Vec<Made> {
    (0..n.max(MIN_ACCOUNTS))
        .map(|i| {
            let mut r = rng(seed, Entity::Account, 0, i);
            let (created_ms, updated_ms, sync) = history(&mut r, end_ms);
            let (name, kind, sub, class, active) = match CHART.get(i) {
                Some(&(n, k, s, c)) => (n.to_string(), k, s, c, true),
                None => {
                    let name = format!(
                        "{} expenses",
                        words::pair(PLACE, TRADE, i, names_start(seed))
                    );
                    (
                        name,
                        "Expense",
                        "OtherMiscellaneousServiceCost",
                        "Expense",
                        !r.percent(10),
                    )
                }
            };
            let obj = json!({
                "Name": name, "FullyQualifiedName": name, "AccountType": kind,
                "AccountSubType": sub, "Classification": class, "SubAccount": false,
                "CurrentBalance": 0, "CurrentBalanceWithSubAccounts": 0,
                "Active": active, "CurrencyRef": usd(),
            });
            made(obj, (created_ms, updated_ms, sync))
        })
        .collect()
}

/// `n` customers (people) or vendors (businesses); the first is always
/// active, about a tenth of the rest inactive.
pub(crate) fn people(seed: u64, e: Entity, n: usize, end_ms: i64) -> Vec<Made> {
    (0..n)
        .map(|i| {
            let mut r = rng(seed, e, 0, i);
            let (created_ms, updated_ms, sync) = history(&mut r, end_ms);
            let (given, family) = (*r.pick(GIVEN), *r.pick(FAMILY));
            let display = match e {
                Entity::Customer => words::pair(GIVEN, FAMILY, i, names_start(seed)),
                _ => words::pair(PLACE, TRADE, i, names_start(seed)),
            };
            let &(city, state, zip) = r.pick(CITY);
            let email = format!("{}@example.com", display.to_lowercase().replace(' ', "."));
            let mut obj = json!({
                "DisplayName": display, "PrintOnCheckName": display,
                "CompanyName": if e == Entity::Vendor || r.percent(40) { Value::from(format!("{family} {}", r.pick(TRADE))) } else { Value::Null },
                "PrimaryEmailAddr": {"Address": email},
                "PrimaryPhone": {"FreeFormNumber": format!("({}) 555-{:04}", r.range(200, 989), r.below(10_000))},
                "BillAddr": {"Id": (i + 1).to_string(), "Line1": format!("{} {} St.", r.range(1, 9999), r.pick(PLACE)),
                    "City": city, "CountrySubDivisionCode": state, "PostalCode": zip, "Country": "USA"},
                "Balance": 0, "Active": i == 0 || !r.percent(10), "CurrencyRef": usd(),
            });
            if e == Entity::Customer {
                obj["GivenName"] = json!(given);
                obj["FamilyName"] = json!(family);
                obj["FullyQualifiedName"] = json!(display);
                obj["Taxable"] = json!(false);
                obj["Job"] = json!(false);
            }
            if obj["CompanyName"].is_null()
                && let Some(m) = obj.as_object_mut()
            {
                m.remove("CompanyName");
            }
            made(obj, (created_ms, updated_ms, sync))
        })
        .collect()
}

/// The active objects of a list with their `Id`s.
fn active_ones(made: &[Made]) -> impl Iterator<Item = (u64, &Value)> {
    made.iter()
        .zip(1u64..)
        .filter(|(m, _)| m.obj["Active"] == true)
        .map(|(m, id)| (id, &m.obj))
}

fn text(obj: &Value, field: &str) -> String {
    obj[field].as_str().unwrap_or_default().to_string()
}

/// The active objects' `Id`s and `field`s.
fn active(made: &[Made], field: &str) -> Vec<(u64, String)> {
    active_ones(made)
        .map(|(id, o)| (id, text(o, field)))
        .collect()
}

/// The accounts each role uses, and the active customers and vendors.
pub(crate) fn roles(accounts: &[Made], customers: &[Made], vendors: &[Made]) -> Names {
    let of_type = |t: &str| -> Vec<(u64, String)> {
        active(accounts, "Name")
            .into_iter()
            .filter(|(id, _)| accounts[*id as usize - 1].obj["AccountType"] == t)
            .collect()
    };
    let first = |t: &str| of_type(t).into_iter().next().unwrap_or((1, String::new()));
    let undeposited = active(accounts, "Name")
        .into_iter()
        .find(|(_, n)| n == "Undeposited Funds")
        .unwrap_or((1, String::new()));
    Names {
        customers: active(customers, "DisplayName"),
        vendors: active(vendors, "DisplayName"),
        items: Vec::new(),
        bank: first("Bank"),
        payable: first("Accounts Payable"),
        undeposited,
        expenses: of_type("Expense"),
        incomes: of_type("Income"),
    }
}

/// `n` items, seven in ten services, the rest non-inventory (which also
/// carry an expense account); one in twenty inactive.
pub(crate) fn items(seed: u64, n: usize, end_ms: i64, names: &Names) -> Vec<Made> {
    (0..n)
        .map(|i| {
            let mut r = rng(seed, Entity::Item, 0, i);
            let (created_ms, updated_ms, sync) = history(&mut r, end_ms);
            let name = words::pair(GRADE, SERVICE, i, names_start(seed));
            let (income_id, income) = r.pick(&names.incomes).clone();
            let price = money::cents(r.range(10, 500) * 100 + r.pick(&[0, 0, 50, 95]));
            let mut obj = json!({
                "Name": name, "FullyQualifiedName": name, "Description": format!("{name} work"),
                "Type": "Service", "UnitPrice": money::json(price), "Taxable": false,
                "IncomeAccountRef": store::reference(income_id, &income),
                "TrackQtyOnHand": false, "Active": i == 0 || !r.percent(5),
            });
            if r.percent(30) {
                let (exp_id, exp) = r.pick(&names.expenses).clone();
                obj["Type"] = json!("NonInventory");
                obj["ExpenseAccountRef"] = store::reference(exp_id, &exp);
            }
            made(obj, (created_ms, updated_ms, sync))
        })
        .collect()
}

/// `names` with the active items added.
pub(crate) fn with_items(mut names: Names, items: &[Made]) -> Names {
    let cents = |o: &Value| {
        let price = money::read(&o["UnitPrice"]).unwrap_or_default();
        (price * Decimal::ONE_HUNDRED).try_into().unwrap_or(0i64)
    };
    names.items = active_ones(items)
        .map(|(id, o)| (id, text(o, "Name"), cents(o)))
        .collect();
    names
}

/// Sets each person's `Balance` to what their open forms still owe.
pub(crate) fn owed(people: &mut [Made], forms: &[Made], ref_field: &str) {
    let mut owed: HashMap<u64, Decimal> = HashMap::new();
    for f in forms {
        if let (Some(id), Some(b)) = (
            store::ref_id(&f.obj[ref_field]),
            money::read(&f.obj["Balance"]),
        ) {
            *owed.entry(id).or_default() += b;
        }
    }
    for (i, p) in people.iter_mut().enumerate() {
        if let Some(b) = owed.get(&(i as u64 + 1)) {
            p.obj["Balance"] = money::json(*b);
        }
    }
}
