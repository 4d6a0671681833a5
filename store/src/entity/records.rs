//! `records`: our copy of one provider object, or of one object created
//! locally and not yet exported.

use sea_orm::entity::prelude::*;

/// A record row. The columns for export (`local_updated_at`,
/// `base_remote_updated_at`, `pending_change`, ...) exist from the start so
/// that adding export does not rebuild the largest table.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "records")]
pub struct Model {
    /// The local id, independent of the provider's.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The connection it belongs to.
    pub connection_id: i64,
    /// The object kind (`invoices`).
    #[sea_orm(column_type = "Text")]
    pub kind: String,
    /// The provider's id; `None` until a local record is exported.
    #[sea_orm(column_type = "Text", nullable)]
    pub external_id: Option<String>,
    /// The normalised JSON, stored as the exact string the connector produced.
    #[sea_orm(column_type = "Text")]
    pub data: String,
    /// The provider's last-modified time.
    pub remote_updated_at: Option<DateTimeUtc>,
    /// Provider time when we last received it.
    pub synced_at: Option<DateTimeUtc>,
    /// When it was last edited locally (our clock).
    pub local_updated_at: Option<DateTimeUtc>,
    /// The `remote_updated_at` a local edit was based on (stale-write check).
    pub base_remote_updated_at: Option<DateTimeUtc>,
    /// When it was last exported.
    pub exported_at: Option<DateTimeUtc>,
    /// `create`, `update` or `delete` while a local change awaits export.
    #[sea_orm(column_type = "Text", nullable)]
    pub pending_change: Option<String>,
    /// Why the last export of it failed.
    #[sea_orm(column_type = "Text", nullable)]
    pub export_error: Option<String>,
    /// The idempotency key of the export in flight.
    #[sea_orm(column_type = "Text", nullable)]
    pub idempotency_key: Option<String>,
    /// When we saw it deleted.
    pub deleted_at: Option<DateTimeUtc>,
    /// How: `status`, `vanish`, `tombstone` or `local`.
    #[sea_orm(column_type = "Text", nullable)]
    pub deletion_source: Option<String>,
    /// The run id of the last pull that saw it; a full pull's end deletes
    /// what it did not stamp.
    pub seen_in_sweep: Option<i64>,
    /// The run that last changed its content or deletion state.
    pub changed_by_run: Option<i64>,
    /// The provider's version of its copy, opaque (Xero: `UpdatedDateUTC`).
    #[sea_orm(column_type = "Text", nullable)]
    pub remote_version: Option<String>,
    /// The provider version a pending local edit was based on.
    #[sea_orm(column_type = "Text", nullable)]
    pub base_version: Option<String>,
    /// The pending edit: the whole object for a create, a JSON merge patch
    /// for an update (accumulated over several edits).
    #[sea_orm(column_type = "Text", nullable)]
    pub pending_patch: Option<String>,
    /// Where the pending edit's export stands: `ready`, `sending`, `refused`, `conflict`.
    #[sea_orm(column_type = "Text", nullable)]
    pub pending_state: Option<String>,
    /// The provider's copy, kept beside a pending edit (the newer one when
    /// the provider changed it meanwhile: a conflict).
    #[sea_orm(column_type = "Text", nullable)]
    pub remote_data: Option<String>,
    /// How many times the pending edit was sent without a known answer.
    pub export_attempt: i64,
    /// Bumped by every write to the local side; edits and exports swap on it.
    pub revision: i64,
    /// When a deletion of it was held for a person to confirm (a run would
    /// have deleted suspiciously many records of its kind).
    pub deletion_held_at: Option<DateTimeUtc>,
    /// How its last change reached it (`full_page`, `modified_since`,
    /// `reconciliation`, `export`, `local`, `resolve`), beside `changed_by_run`.
    #[sea_orm(column_type = "Text", nullable)]
    pub changed_how: Option<String>,
    /// When the row was created (our clock).
    pub created_at: DateTimeUtc,
}

/// A record belongs to its connection.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The owning connection.
    #[sea_orm(
        belongs_to = "super::connections::Entity",
        from = "Column::ConnectionId",
        to = "super::connections::Column::Id"
    )]
    Connection,
}

impl Related<super::connections::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Connection.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
