//! Tax rates and the chart of accounts (a New Zealand demo company's).

use rust_decimal::Decimal;

use super::rng::{SimRng, stream};
use super::{AccountInfo, DAY_MS, END_MS, SPAN_MS, entries};
use crate::sim::dates::xero_date;
use crate::sim::kinds::account_class;
use crate::sim::model::*;
use crate::sim::store::Entries;

/// (TaxType, Name, rate, ReportTaxType, Status, applies to revenue, applies to expenses)
const TAX_RATES: &[(&str, &str, &str, &str, &str, bool, bool)] = &[
    (
        "INPUT2",
        "15% GST on Expenses",
        "15",
        "INPUT",
        "ACTIVE",
        false,
        true,
    ),
    (
        "OUTPUT2",
        "15% GST on Income",
        "15",
        "OUTPUT",
        "ACTIVE",
        true,
        false,
    ),
    ("NONE", "No GST", "0", "NONE", "ACTIVE", true, true),
    (
        "ZERORATED",
        "Zero Rated",
        "0",
        "OUTPUT",
        "ACTIVE",
        true,
        false,
    ),
    (
        "GSTONIMPORTS",
        "GST on Imports",
        "0",
        "GSTONIMPORTS",
        "ACTIVE",
        false,
        false,
    ),
    (
        "TAX001",
        "9% Reduced Rate",
        "9",
        "OUTPUT",
        "ACTIVE",
        true,
        true,
    ),
    (
        "TAX002",
        "12.5% GST (old rate)",
        "12.5",
        "INPUT",
        "ARCHIVED",
        false,
        true,
    ),
    (
        "TAX003",
        "Withholding 10%",
        "10",
        "INPUT",
        "DELETED",
        false,
        true,
    ),
];

/// How many generated tax rates are custom (`TAXnnn`).
pub(crate) fn custom_tax_count(n: usize) -> usize {
    TAX_RATES
        .iter()
        .take(n)
        .filter(|t| t.0.starts_with("TAX"))
        .count()
        + n.saturating_sub(TAX_RATES.len())
}

fn dec(s: &str) -> Decimal {
    s.parse().unwrap_or(Decimal::ZERO)
}

/// Tax rates, and the active ones with their rates.
pub(crate) fn tax_rates(_seed: u64, n: usize) -> (Entries, Vec<(String, Decimal)>) {
    let mut list = Vec::with_capacity(n);
    for i in 0..n {
        let (ty, name, rate, report, status, revenue, expenses) = match TAX_RATES.get(i) {
            Some(t) => (
                t.0.to_string(),
                t.1.to_string(),
                dec(t.2),
                t.3,
                t.4,
                t.5,
                t.6,
            ),
            None => {
                let k = i - TAX_RATES.len() + 4;
                (
                    format!("TAX{k:03}"),
                    format!("Custom Rate {k}"),
                    Decimal::from(k as u64 % 20),
                    "OUTPUT",
                    "ACTIVE",
                    true,
                    true,
                )
            }
        };
        list.push(TaxRate {
            Name: Some(name.clone()),
            TaxType: Some(ty),
            ReportTaxType: Some(report.into()),
            CanApplyToAssets: Some(expenses),
            CanApplyToEquity: Some(expenses),
            CanApplyToExpenses: Some(expenses),
            CanApplyToLiabilities: Some(true),
            CanApplyToRevenue: Some(revenue),
            DisplayTaxRate: Some(Qty::new(rate)),
            EffectiveRate: Some(Qty::new(rate)),
            Status: Some(status.into()),
            TaxComponents: Some(vec![TaxComponent {
                Name: Some("GST".into()),
                Rate: Some(Qty::new(rate)),
                IsCompound: Some(false),
                IsNonRecoverable: Some(false),
            }]),
            ..Default::default()
        });
    }
    let active = list
        .iter()
        .filter(|t| t.Status.as_deref() == Some("ACTIVE"))
        .filter_map(|t| Some((t.TaxType.clone()?, t.EffectiveRate?.0)))
        .collect();
    (entries(&list), active)
}

/// (Code, Name, Type, TaxType, SystemAccount, Status)
const CHART: &[(&str, &str, &str, &str, &str, &str)] = &[
    ("090", "Business Bank Account", "BANK", "NONE", "", "ACTIVE"),
    ("200", "Sales", "REVENUE", "OUTPUT2", "", "ACTIVE"),
    ("400", "Advertising", "OVERHEADS", "INPUT2", "", "ACTIVE"),
    (
        "429",
        "General Expenses",
        "OVERHEADS",
        "INPUT2",
        "",
        "ACTIVE",
    ),
    (
        "310",
        "Cost of Goods Sold",
        "DIRECTCOSTS",
        "INPUT2",
        "",
        "ACTIVE",
    ),
    (
        "610",
        "Accounts Receivable",
        "CURRENT",
        "NONE",
        "DEBTORS",
        "ACTIVE",
    ),
    ("630", "Inventory", "INVENTORY", "NONE", "", "ACTIVE"),
    (
        "800",
        "Accounts Payable",
        "CURRLIAB",
        "NONE",
        "CREDITORS",
        "ACTIVE",
    ),
    ("820", "GST", "CURRLIAB", "NONE", "GST", "ACTIVE"),
    (
        "960",
        "Retained Earnings",
        "EQUITY",
        "NONE",
        "RETAINEDEARNINGS",
        "ACTIVE",
    ),
    (
        "091",
        "Business Savings Account",
        "BANK",
        "NONE",
        "",
        "ACTIVE",
    ),
    ("260", "Other Revenue", "REVENUE", "OUTPUT2", "", "ACTIVE"),
    ("270", "Interest Income", "REVENUE", "NONE", "", "ACTIVE"),
    ("404", "Bank Fees", "OVERHEADS", "NONE", "", "ACTIVE"),
    ("408", "Cleaning", "OVERHEADS", "INPUT2", "", "ACTIVE"),
    (
        "412",
        "Consulting & Accounting",
        "EXPENSE",
        "INPUT2",
        "",
        "ACTIVE",
    ),
    ("416", "Depreciation", "DEPRECIATN", "NONE", "", "ACTIVE"),
    ("420", "Entertainment", "OVERHEADS", "INPUT2", "", "ACTIVE"),
    (
        "425",
        "Freight & Courier",
        "OVERHEADS",
        "INPUT2",
        "",
        "ACTIVE",
    ),
    ("433", "Insurance", "OVERHEADS", "INPUT2", "", "ACTIVE"),
    (
        "455",
        "Old Office Lease",
        "OVERHEADS",
        "INPUT2",
        "",
        "ARCHIVED",
    ),
    ("437", "Interest Expense", "OVERHEADS", "NONE", "", "ACTIVE"),
    ("441", "Legal expenses", "OVERHEADS", "INPUT2", "", "ACTIVE"),
    (
        "445",
        "Light, Power, Heating",
        "OVERHEADS",
        "INPUT2",
        "",
        "ACTIVE",
    ),
    (
        "449",
        "Motor Vehicle Expenses",
        "OVERHEADS",
        "INPUT2",
        "",
        "ACTIVE",
    ),
    (
        "453",
        "Office Expenses",
        "OVERHEADS",
        "INPUT2",
        "",
        "ACTIVE",
    ),
    (
        "461",
        "Printing & Stationery",
        "OVERHEADS",
        "INPUT2",
        "",
        "ACTIVE",
    ),
    ("469", "Rent", "OVERHEADS", "INPUT2", "", "ACTIVE"),
    (
        "473",
        "Repairs and Maintenance",
        "OVERHEADS",
        "INPUT2",
        "",
        "ACTIVE",
    ),
    (
        "489",
        "Telephone & Internet",
        "OVERHEADS",
        "INPUT2",
        "",
        "ACTIVE",
    ),
    (
        "477",
        "Wages and Salaries",
        "OVERHEADS",
        "NONE",
        "",
        "ACTIVE",
    ),
    ("485", "Subscriptions", "OVERHEADS", "INPUT2", "", "ACTIVE"),
    ("710", "Office Equipment", "FIXED", "INPUT2", "", "ACTIVE"),
    (
        "970",
        "Owner A Funds Introduced",
        "EQUITY",
        "NONE",
        "",
        "ACTIVE",
    ),
];

/// The accounts lines can use, by purpose.
pub(crate) struct AccountSets {
    pub sales: Vec<AccountInfo>,
    pub expenses: Vec<AccountInfo>,
    pub banks: Vec<AccountInfo>,
}

fn reporting(class: &str) -> (&'static str, &'static str) {
    match class {
        "ASSET" => ("ASS", "Assets"),
        "LIABILITY" => ("LIA", "Liabilities"),
        "EQUITY" => ("EQU", "Equity"),
        "REVENUE" => ("REV", "Revenue"),
        _ => ("EXP", "Expense"),
    }
}

/// The chart of accounts.
pub(crate) fn accounts(seed: u64, n: usize) -> (Entries, AccountSets) {
    let mut list = Vec::with_capacity(n);
    let mut sets = AccountSets {
        sales: Vec::new(),
        expenses: Vec::new(),
        banks: Vec::new(),
    };
    for i in 0..n {
        let mut r = SimRng::new(seed, stream::ACCOUNT, i as u64);
        let (code, name, ty, tax, system, status) = match CHART.get(i) {
            Some(c) => (c.0.to_string(), c.1.to_string(), c.2, c.3, c.4, c.5),
            None => {
                let k = 500 + i - CHART.len();
                (
                    format!("{k}"),
                    format!("Expense Account {k}"),
                    "OVERHEADS",
                    "INPUT2",
                    "",
                    "ACTIVE",
                )
            }
        };
        let class = account_class(ty).unwrap_or("EXPENSE");
        let (rc, rcn) = reporting(class);
        let id = r.uuid();
        let bank = ty == "BANK";
        let updated = END_MS - SPAN_MS - 30 * DAY_MS + r.range(0, SPAN_MS);
        list.push(Account {
            AccountID: Some(id),
            Code: Some(code.clone()),
            Name: Some(name.clone()),
            Status: Some(status.into()),
            Type: Some(ty.into()),
            TaxType: Some(tax.into()),
            Class: Some(class.into()),
            SystemAccount: (!system.is_empty()).then(|| system.into()),
            EnablePaymentsToAccount: Some(false),
            ShowInExpenseClaims: Some(class == "EXPENSE"),
            BankAccountNumber: bank
                .then(|| format!("02-0{:03}-0{:06}-00", r.below(1000), r.below(1_000_000))),
            BankAccountType: bank.then(|| "BANK".into()),
            CurrencyCode: bank.then(|| "NZD".into()),
            ReportingCode: Some(rc.into()),
            ReportingCodeName: Some(rcn.into()),
            HasAttachments: Some(false),
            UpdatedDateUTC: Some(xero_date(updated)),
            AddToWatchlist: Some(false),
            ..Default::default()
        });
        if status != "ACTIVE" || !system.is_empty() {
            continue;
        }
        let info = AccountInfo {
            id,
            code,
            name,
            tax_type: tax.into(),
        };
        match (ty, class) {
            ("BANK", _) => sets.banks.push(info),
            (_, "REVENUE") if tax != "NONE" => sets.sales.push(info),
            ("OVERHEADS" | "EXPENSE" | "DIRECTCOSTS", _) => sets.expenses.push(info),
            _ => {}
        }
    }
    (entries(&list), sets)
}
