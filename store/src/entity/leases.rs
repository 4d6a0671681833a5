//! `leases`: which process holds each (connection, kind) right now.

use sea_orm::entity::prelude::*;

/// A lease row: one holder per (connection, kind), valid until `expires_at_ms`
/// of the database's clock unless renewed.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "leases")]
pub struct Model {
    /// The connection.
    #[sea_orm(primary_key, auto_increment = false)]
    pub connection_id: i64,
    /// The kind.
    #[sea_orm(primary_key, auto_increment = false, column_type = "Text")]
    pub kind: String,
    /// The holder's unique token.
    #[sea_orm(column_type = "Text")]
    pub holder_token: String,
    /// The holder's machine.
    #[sea_orm(column_type = "Text")]
    pub host: String,
    /// The holder's process id.
    pub pid: i64,
    /// When the holder took it (epoch ms, database clock).
    pub acquired_at_ms: i64,
    /// When it was last renewed (epoch ms, database clock).
    pub heartbeat_at_ms: i64,
    /// When it lapses unless renewed (epoch ms, database clock).
    pub expires_at_ms: i64,
}

/// A lease belongs to its connection.
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
