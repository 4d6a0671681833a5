//! `xero/manual_journals`: journals entered by hand.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use tether_core::money;
use uuid::Uuid;

use super::common::LineItemTracking;
use super::{XeroObject, dates::XeroDateTime};

/// A Xero manual journal (spec `ManualJournal`); deletion shows as `Status`
/// `DELETED` (drafts) or `VOIDED` (posted).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ManualJournal {
    #[serde(rename = "ManualJournalID")]
    pub manual_journal_id: Uuid,
    /// The journal's description; required by the spec and by Xero.
    pub narration: String,
    /// `DRAFT`, `POSTED`, `DELETED`, `VOIDED` or `ARCHIVED`.
    pub status: Option<String>,
    pub date: Option<XeroDateTime>,
    pub line_amount_types: Option<String>,
    pub journal_lines: Option<Vec<ManualJournalLine>>,
    pub show_on_cash_basis_reports: Option<bool>,
    pub url: Option<String>,
    pub has_attachments: Option<bool>,
    #[serde(rename = "UpdatedDateUTC")]
    pub updated_date_utc: Option<XeroDateTime>,
    /// Unknown fields, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One debit (positive) or credit (negative) line of a manual journal.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ManualJournalLine {
    #[serde(default, with = "money::option")]
    pub line_amount: Option<Decimal>,
    pub account_code: Option<String>,
    #[serde(rename = "AccountID")]
    pub account_id: Option<Uuid>,
    pub description: Option<String>,
    pub tax_type: Option<String>,
    #[serde(default, with = "money::option")]
    pub tax_amount: Option<Decimal>,
    /// The spec types these as `TrackingCategory`, but Xero sends the four
    /// fields of a line item's tracking.
    pub tracking: Option<Vec<LineItemTracking>>,
    pub is_blank: Option<bool>,
    /// Unknown fields, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl XeroObject for ManualJournal {
    const ID_FIELD: &'static str = "ManualJournalID";

    fn external_id(&self) -> String {
        self.manual_journal_id.hyphenated().to_string()
    }

    fn updated_at(&self) -> Option<DateTime<Utc>> {
        self.updated_date_utc.map(Into::into)
    }

    fn status(&self) -> Option<&str> {
        self.status.as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::test_support::{assert_id_required, dec, fixture, raw, round_trip, utc};

    const ONE: &str = include_str!("testdata/manual_journal.json");
    const PUT: &str = include_str!("testdata/manual_journals_put.json");

    #[test]
    fn parses_the_spec_examples() {
        let [mj]: [ManualJournal; 1] = fixture(ONE, "ManualJournals").try_into().unwrap();
        assert_eq!(mj.external_id(), "99cb8353-ce73-4a5d-8e0d-8b0edf86cfc4");
        assert_eq!(mj.status(), Some("POSTED"));
        assert_eq!(mj.narration, "These aren''t the droids you are looking for");
        assert_eq!(mj.updated_at(), Some(utc("2019-03-12T02:19:48.147Z")));
        assert_eq!(mj.date.unwrap().0, utc("2019-03-12T00:00:00Z"));
        let lines = mj.journal_lines.as_ref().unwrap();
        let amounts: Vec<_> = lines.iter().map(|l| l.line_amount.unwrap()).collect();
        assert_eq!(amounts, [dec("100"), dec("-100")]);
        assert_eq!(lines[1].account_code.as_deref(), Some("200"));
        assert_eq!(mj.extra["Attachments"].as_array().map(Vec::len), Some(2));

        let [draft]: [ManualJournal; 1] = fixture(PUT, "ManualJournals").try_into().unwrap();
        assert_eq!(draft.status(), Some("DRAFT"));
        let lines = draft.journal_lines.as_ref().unwrap();
        assert_eq!(lines[1].line_amount, Some(dec("-100.00")));
        let tracking = &lines[1].tracking.as_ref().unwrap()[0];
        assert_eq!(tracking.name.as_deref(), Some("Simpsons"));
        assert_eq!(tracking.option.as_deref(), Some("Bart"));
        assert_eq!(
            tracking.tracking_option_id.unwrap().to_string(),
            "dc54c220-0140-495a-b925-3246adc0075f"
        );
    }

    #[test]
    fn round_trip_normalises_and_keeps_unknown_fields() {
        let out = round_trip::<ManualJournal>(raw(PUT, "ManualJournals", 0));
        assert_eq!(out["UpdatedDateUTC"], "2019-03-14T20:39:32.920Z");
        assert_eq!(out["Date"], "2019-03-14T00:00:00Z");
        assert_eq!(out["JournalLines"][1]["LineAmount"], -100);
        assert_eq!(out["JournalLines"][1]["Tracking"][0]["Option"], "Bart");
        assert!(out["Warnings"][0]["Message"].is_string());
    }

    #[test]
    fn id_and_narration_are_required() {
        assert_id_required::<ManualJournal>(raw(ONE, "ManualJournals", 0));
        let mut bad = raw(ONE, "ManualJournals", 0);
        bad.as_object_mut().unwrap().remove("Narration");
        let err = serde_json::from_value::<ManualJournal>(bad).unwrap_err();
        assert!(
            err.to_string().contains("missing field `Narration`"),
            "{err}"
        );
    }
}
