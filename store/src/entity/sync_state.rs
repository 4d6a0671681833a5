//! `sync_state`: per (connection, kind), the cursor and the checkpoint of a
//! full pull in progress.

use sea_orm::entity::prelude::*;

/// A sync-state row. A checkpoint exists exactly when `checkpoint_sweep` is set.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sync_state")]
pub struct Model {
    /// The connection.
    #[sea_orm(primary_key, auto_increment = false)]
    pub connection_id: i64,
    /// The kind.
    #[sea_orm(primary_key, auto_increment = false, column_type = "Text")]
    pub kind: String,
    /// Provider time up to which every change is held (resync starts here).
    pub cursor: Option<DateTimeUtc>,
    /// The run that started the full pull in progress.
    pub checkpoint_sweep: Option<i64>,
    /// The next page token of that pull (`None` once the listing is done).
    #[sea_orm(column_type = "Text", nullable)]
    pub checkpoint_next: Option<String>,
    /// The cursor the kind gets when that pull completes.
    pub checkpoint_pending_cursor: Option<DateTimeUtc>,
    /// Pages committed so far in that pull.
    pub checkpoint_pages: i64,
    /// When the last full pull completed (provider time).
    pub last_full_sync_at: Option<DateTimeUtc>,
    /// The run that started the pull of changes in progress.
    pub changes_sweep: Option<i64>,
    /// The next page token of that pull.
    #[sea_orm(column_type = "Text", nullable)]
    pub changes_next: Option<String>,
    /// The cursor the kind gets when that pull completes.
    pub changes_pending_cursor: Option<DateTimeUtc>,
    /// Pages committed so far in that pull.
    pub changes_pages: i64,
    /// When the row last changed (our clock).
    pub updated_at: DateTimeUtc,
}

/// A sync state belongs to its connection.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The connection.
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
