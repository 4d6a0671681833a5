//! Connectors register themselves with `inventory`, so the binary learns them
//! by linking their crates.

use crate::Connector;

/// A connector's entry in the registry: `inventory::submit!` one per crate.
pub struct ConnectorRegistration(pub &'static dyn Connector);

inventory::collect!(ConnectorRegistration);

/// Every linked connector, ordered by id.
pub fn connectors() -> Vec<&'static dyn Connector> {
    let mut all: Vec<_> = inventory::iter::<ConnectorRegistration>
        .into_iter()
        .map(|r| r.0)
        .collect();
    all.sort_by_key(|c| c.id());
    all
}

/// The connector with this id, if linked.
pub fn connector(id: &str) -> Option<&'static dyn Connector> {
    connectors().into_iter().find(|c| c.id() == id)
}
