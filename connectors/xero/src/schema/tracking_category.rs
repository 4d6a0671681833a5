//! `xero/tracking_categories`: tracking categories and their options.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::XeroObject;

/// A Xero tracking category (spec `TrackingCategory`) with its options.
/// It carries no update time; deletion shows as `Status` `DELETED`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct TrackingCategory {
    #[serde(rename = "TrackingCategoryID")]
    pub tracking_category_id: Uuid,
    pub name: Option<String>,
    /// `ACTIVE`, `ARCHIVED` or `DELETED`.
    pub status: Option<String>,
    pub options: Option<Vec<TrackingOption>>,
    /// Unknown fields, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One option of a tracking category (spec `TrackingOption`).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct TrackingOption {
    #[serde(rename = "TrackingOptionID")]
    pub tracking_option_id: Option<Uuid>,
    pub name: Option<String>,
    /// `ACTIVE`, `ARCHIVED` or `DELETED`.
    pub status: Option<String>,
    /// Unknown fields, kept as sent (`IsActive`, `IsArchived`, ...).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl XeroObject for TrackingCategory {
    const ID_FIELD: &'static str = "TrackingCategoryID";

    fn external_id(&self) -> String {
        self.tracking_category_id.hyphenated().to_string()
    }

    // Tracking categories carry no update time.
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
    use crate::schema::test_support::{assert_id_required, fixture, raw, round_trip};

    const LIST: &str = include_str!("testdata/tracking_categories_list.json");

    /// A category with the option of the spec's `PUT .../Options` example.
    const WITH_OPTION: &str = r#"{"Name": "Region", "Status": "ACTIVE",
        "TrackingCategoryID": "22F10184-0DEB-44AE-A312-B1F6EA70E51F",
        "Options": [{"TrackingOptionID": "34669548-b989-487a-979f-0787d04568a2",
            "Name": "Bar40423", "Status": "ACTIVE", "HasValidationErrors": false,
            "IsDeleted": false, "IsArchived": false, "IsActive": true}]}"#;

    #[test]
    fn parses_the_spec_examples() {
        let list: Vec<TrackingCategory> = fixture(LIST, "TrackingCategories");
        assert_eq!(list.len(), 2);
        assert_eq!(
            list[0].external_id(),
            "22f10184-0deb-44ae-a312-b1f6ea70e51f"
        );
        assert_eq!(list[1].name.as_deref(), Some("HelloWorld"));
        assert_eq!(list[1].status(), Some("ACTIVE"));
        assert_eq!(list[1].updated_at(), None);
        assert_eq!(list[1].options.as_ref().map(Vec::len), Some(0));

        let cat: TrackingCategory = serde_json::from_str(WITH_OPTION).unwrap();
        // Upper-case ids are accepted; the external id is always lower case.
        assert_eq!(cat.external_id(), "22f10184-0deb-44ae-a312-b1f6ea70e51f");
        let option = &cat.options.as_ref().unwrap()[0];
        assert_eq!(option.name.as_deref(), Some("Bar40423"));
        assert_eq!(
            option.tracking_option_id.unwrap().to_string(),
            "34669548-b989-487a-979f-0787d04568a2"
        );
        assert_eq!(option.extra["IsActive"], true);
    }

    #[test]
    fn round_trip_normalises_and_keeps_unknown_fields() {
        let out = round_trip::<TrackingCategory>(serde_json::from_str(WITH_OPTION).unwrap());
        assert_eq!(
            out["TrackingCategoryID"],
            "22f10184-0deb-44ae-a312-b1f6ea70e51f"
        );
        assert_eq!(out["Options"][0]["IsArchived"], false);
        assert_eq!(out["Options"][0]["Status"], "ACTIVE");
    }

    #[test]
    fn id_is_required() {
        assert_id_required::<TrackingCategory>(raw(LIST, "TrackingCategories", 0));
    }
}
