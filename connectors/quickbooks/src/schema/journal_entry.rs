//! `quickbooks/journal_entries`: debits and credits between accounts, a
//! transaction (deleted outright).

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use tether_core::money;

use super::common::{Line, MetaData, Ref};
use super::qb_object;

/// A QuickBooks `JournalEntry`: its `JournalEntryLineDetail` lines' debits
/// equal its credits.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct JournalEntry {
    pub id: String,
    pub sync_token: Option<String>,
    pub meta_data: Option<MetaData>,
    pub txn_date: Option<NaiveDate>,
    pub adjustment: Option<bool>,
    pub doc_number: Option<String>,
    pub line: Option<Vec<Line>>,
    #[serde(default, with = "money::option")]
    pub total_amt: Option<Decimal>,
    pub currency_ref: Option<Ref>,
    pub private_note: Option<String>,
    /// Unknown fields, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

qb_object!(JournalEntry);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::test_support::{dec, error_at};
    use serde_json::json;

    fn example() -> Value {
        json!({
            "Id": "227", "SyncToken": "0", "TxnDate": "2026-11-15", "Adjustment": false,
            "Line": [
                {"Id": "0", "Amount": 100.0, "DetailType": "JournalEntryLineDetail",
                 "JournalEntryLineDetail": {"PostingType": "Debit", "AccountRef": {"value": "39"}}},
                {"Id": "1", "Amount": 100.0, "DetailType": "JournalEntryLineDetail",
                 "JournalEntryLineDetail": {"PostingType": "Credit", "AccountRef": {"value": "44"}}}
            ],
            "MetaData": {"CreateTime": "2026-11-15T10:00:00-08:00", "LastUpdatedTime": "2026-11-15T10:00:00-08:00"}
        })
    }

    #[test]
    fn reads_a_journal_entry() {
        let je: JournalEntry = serde_json::from_value(example()).unwrap();
        let lines = je.line.unwrap();
        let credit = lines[1].journal_entry_line_detail.as_ref().unwrap();
        assert_eq!(credit.posting_type.as_deref(), Some("Credit"));
        assert_eq!(lines[1].amount, Some(dec("100")));
    }

    #[test]
    fn a_reference_without_its_id_is_named() {
        let mut bad = example();
        bad["Line"][1]["JournalEntryLineDetail"]["AccountRef"] = json!({"name": "Cash"});
        let (path, message) = error_at::<JournalEntry>(bad);
        assert_eq!(path, "Line[1].JournalEntryLineDetail.AccountRef");
        assert!(message.contains("missing field `value`"), "{message}");
    }
}
