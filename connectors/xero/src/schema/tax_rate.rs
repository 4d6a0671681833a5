//! `xero/tax_rates`: the organisation's tax rates.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use tether_core::money;

use super::XeroObject;

/// A Xero tax rate (spec `TaxRate`). Xero quirk: tax rates have no id and no
/// update time; `TaxType` (`OUTPUT2`, `TAX001`, ...) is their key.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct TaxRate {
    /// The key: system types like `OUTPUT2`, or `TAX001`... for user rates.
    pub tax_type: String,
    pub name: Option<String>,
    /// `ACTIVE`, `DELETED`, `ARCHIVED` or `PENDING`.
    pub status: Option<String>,
    pub report_tax_type: Option<String>,
    pub tax_components: Option<Vec<TaxComponent>>,
    /// The rate shown to users, in percent.
    #[serde(default, with = "money::option")]
    pub display_tax_rate: Option<Decimal>,
    /// The rate applied (compound components included), in percent.
    #[serde(default, with = "money::option")]
    pub effective_rate: Option<Decimal>,
    pub can_apply_to_assets: Option<bool>,
    pub can_apply_to_equity: Option<bool>,
    pub can_apply_to_expenses: Option<bool>,
    pub can_apply_to_liabilities: Option<bool>,
    pub can_apply_to_revenue: Option<bool>,
    /// Unknown fields, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One component of a tax rate (spec `TaxComponent`).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct TaxComponent {
    pub name: Option<String>,
    /// In percent.
    #[serde(default, with = "money::option")]
    pub rate: Option<Decimal>,
    pub is_compound: Option<bool>,
    pub is_non_recoverable: Option<bool>,
    /// Unknown fields, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl XeroObject for TaxRate {
    const ID_FIELD: &'static str = "TaxType";

    fn external_id(&self) -> String {
        self.tax_type.clone()
    }

    // Tax rates carry no update time.
    fn updated_at(&self) -> Option<DateTime<Utc>> {
        None
    }

    fn status(&self) -> Option<&str> {
        self.status.as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::test_support::{assert_id_required, dec, fixture, raw, round_trip};

    const LIST: &str = include_str!("testdata/tax_rates_list.json");

    #[test]
    fn parses_the_spec_example() {
        let rates: Vec<TaxRate> = fixture(LIST, "TaxRates");
        let keys: Vec<_> = rates.iter().map(|r| r.external_id()).collect();
        assert_eq!(
            keys,
            ["INPUT2", "OUTPUT2", "GSTONIMPORTS", "NONE", "ZERORATED"]
        );
        let gst = &rates[1];
        assert_eq!(gst.name.as_deref(), Some("15% GST on Income"));
        assert_eq!(gst.status(), Some("ACTIVE"));
        assert_eq!(gst.updated_at(), None);
        assert_eq!(gst.report_tax_type.as_deref(), Some("OUTPUT"));
        assert_eq!(
            (gst.display_tax_rate, gst.effective_rate),
            (Some(dec("15")), Some(dec("15")))
        );
        assert_eq!(
            (gst.can_apply_to_revenue, gst.can_apply_to_expenses),
            (Some(true), Some(false))
        );
        let components = gst.tax_components.as_ref().unwrap();
        assert_eq!(components.len(), 1);
        assert_eq!(components[0].rate, Some(dec("15.0")));
        assert_eq!(components[0].is_compound, Some(false));
        assert_eq!(rates[3].effective_rate, Some(dec("0")));
    }

    #[test]
    fn round_trip_normalises_and_keeps_unknown_fields() {
        let out = round_trip::<TaxRate>(raw(LIST, "TaxRates", 0));
        assert_eq!(out["TaxType"], "INPUT2");
        assert_eq!(out["TaxComponents"][0]["Rate"], 15);
        assert_eq!(out["CanApplyToRevenue"], false);
    }

    #[test]
    fn tax_type_is_required() {
        assert_id_required::<TaxRate>(raw(LIST, "TaxRates", 2));
    }
}
