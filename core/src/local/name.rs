//! What a person types to name a record: our local id, or the provider's
//! id. Some providers' ids are UUIDs, others digits like our local ids,
//! so bare digits are looked up both ways and a clash is refused rather
//! than guessed.

use crate::pending::RecordKey;
use crate::store::{ConnectionId, Store};
use crate::{Error, Result};

/// Marks our local id (`local:812`), the form references use too.
const LOCAL: &str = "local:";

/// Marks the provider's id (`remote:40`) where it is made of digits.
const REMOTE: &str = "remote:";

/// The record of `kind` that `typed` names: `local:N` is our record N,
/// `remote:ID` the provider's ID; anything else is the provider's id, except
/// bare digits, which name whichever of our record and the provider's
/// exists, and are refused when both do and differ.
pub async fn record_key(
    store: &dyn Store,
    connection: ConnectionId,
    kind: &str,
    typed: &str,
) -> Result<RecordKey> {
    if let Some(local) = typed.strip_prefix(LOCAL) {
        return local.parse().map(RecordKey::Local).map_err(|_| {
            Error::invalid(format!(
                "`{typed}`: expected `{LOCAL}` followed by a local id (digits)"
            ))
        });
    }
    if let Some(remote) = typed.strip_prefix(REMOTE) {
        return Ok(RecordKey::External(remote.to_owned()));
    }
    let Ok(local) = typed.parse::<i64>() else {
        return Ok(RecordKey::External(typed.to_owned()));
    };
    let external = RecordKey::External(typed.to_owned());
    let theirs = store.record(connection, kind, &external).await?;
    let ours = store
        .record(connection, kind, &RecordKey::Local(local))
        .await?;
    match (theirs, ours) {
        (Some(a), Some(b)) if a.id != b.id => Err(Error::invalid(format!(
            "{kind} `{typed}` is ambiguous: the provider's {typed} is our record {}, and our \
             record {typed} is another; write `{LOCAL}{typed}` or `{REMOTE}{typed}`",
            a.id
        ))),
        (Some(_), _) => Ok(external),
        (None, _) => Ok(RecordKey::Local(local)),
    }
}
