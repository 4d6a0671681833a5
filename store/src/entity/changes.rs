//! `changes`: the durable log of every accepted local change and every
//! export outcome, in one sequence per store.

use sea_orm::entity::prelude::*;

/// A change-log row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "changes")]
pub struct Model {
    /// Its place in the sequence.
    #[sea_orm(primary_key)]
    pub seq: i64,
    /// The connection.
    pub connection_id: i64,
    /// The kind.
    #[sea_orm(column_type = "Text")]
    pub kind: String,
    /// The record changed.
    pub record_id: i64,
    /// When (our clock).
    pub at: DateTimeUtc,
    /// Who: `local`, `export`, `resolve`.
    #[sea_orm(column_type = "Text")]
    pub source: String,
    /// What: `create`, `update`, `delete`, `sending`, `exported`, …
    #[sea_orm(column_type = "Text")]
    pub op: String,
    /// The run that made it (export).
    pub run_id: Option<i64>,
    /// The input, or the provider's words, as JSON.
    #[sea_orm(column_type = "Text", nullable)]
    pub detail: Option<String>,
}

/// A change belongs to its connection and record.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The connection.
    #[sea_orm(
        belongs_to = "super::connections::Entity",
        from = "Column::ConnectionId",
        to = "super::connections::Column::Id"
    )]
    Connection,
    /// The record.
    #[sea_orm(
        belongs_to = "super::records::Entity",
        from = "Column::RecordId",
        to = "super::records::Column::Id"
    )]
    Record,
}

impl Related<super::connections::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Connection.def()
    }
}

impl Related<super::records::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Record.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
