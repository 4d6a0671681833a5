//! `runs`: the history of sync, resync, reconcile and export executions.

use sea_orm::entity::prelude::*;

/// A run row: what ran, how it ended, and its counts.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "runs")]
pub struct Model {
    /// Row id; records point at it through `changed_by_run` and `seen_in_sweep`.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The connection it ran for.
    pub connection_id: i64,
    /// The kind it ran for.
    #[sea_orm(column_type = "Text")]
    pub kind: String,
    /// `sync`, `resync`, `reconcile` or `export`.
    #[sea_orm(column_type = "Text")]
    pub run_type: String,
    /// `running`, `succeeded`, `failed` or `interrupted`.
    #[sea_orm(column_type = "Text")]
    pub status: String,
    /// Our clock at start.
    pub started_at: DateTimeUtc,
    /// Our clock at the end.
    pub finished_at: Option<DateTimeUtc>,
    /// Pages fetched.
    pub pages: i64,
    /// Objects received.
    pub fetched: i64,
    /// Objects stored.
    pub stored: i64,
    /// Objects quarantined.
    pub quarantined: i64,
    /// Records newly marked deleted.
    pub deleted: i64,
    /// HTTP requests sent.
    pub api_calls: i64,
    /// The error that stopped it.
    #[sea_orm(column_type = "Text", nullable)]
    pub error: Option<String>,
    /// The process that ran it (`host (pid N)`).
    #[sea_orm(column_type = "Text", nullable)]
    pub worker: Option<String>,
    /// Export: records written.
    pub written: i64,
    /// Export: records refused.
    pub refused: i64,
    /// Export: records in conflict.
    pub conflicts: i64,
    /// Export: records sent without an answer.
    pub uncertain: i64,
    /// Deletions held for a person to confirm.
    pub held: i64,
}

/// A run belongs to its connection.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The connection it ran for.
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
