//! `quarantine`: provider objects that could not be read, kept whole with
//! the reason so one bad object never aborts a run.

use sea_orm::entity::prelude::*;

/// A quarantined payload.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "quarantine")]
pub struct Model {
    /// Row id.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The connection.
    pub connection_id: i64,
    /// The kind it belongs to.
    #[sea_orm(column_type = "Text")]
    pub kind: String,
    /// Its id, when readable.
    #[sea_orm(column_type = "Text", nullable)]
    pub external_id: Option<String>,
    /// The run that met it.
    pub run_id: i64,
    /// The error, naming kind, id and field.
    #[sea_orm(column_type = "Text")]
    pub error: String,
    /// The provider's JSON as received.
    #[sea_orm(column_type = "Text")]
    pub payload: String,
    /// When (our clock).
    pub created_at: DateTimeUtc,
}

/// A quarantined payload belongs to a connection and to the run that met it.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The connection.
    #[sea_orm(
        belongs_to = "super::connections::Entity",
        from = "Column::ConnectionId",
        to = "super::connections::Column::Id"
    )]
    Connection,
    /// The run.
    #[sea_orm(
        belongs_to = "super::runs::Entity",
        from = "Column::RunId",
        to = "super::runs::Column::Id"
    )]
    Run,
}

impl Related<super::connections::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Connection.def()
    }
}

impl Related<super::runs::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Run.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
