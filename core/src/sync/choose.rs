//! Which listing a resync reads for a kind: the changes since the cursor
//! where that is cheaper and enough, the full listing where it is not.

use crate::store::{Pull, SyncState};
use crate::sync::SyncOptions;
use crate::{DeletionStrategy, ObjectKind, Paging};

/// The pull that brings `kind` up to date:
/// - a kind never synced completely, or `--full`: the full listing;
/// - held deletions to confirm: the full listing (it confirms them again);
/// - a kind listed in one call, or one that cannot be asked for changes:
///   the full listing (one call that also shows deletions);
/// - a paged kind whose deletions vanish: the full listing (only a full id
///   listing shows them);
/// - otherwise the changes since the cursor (deletions show as a status,
///   or never happen).
pub(super) fn pull(kind: &dyn ObjectKind, state: &SyncState, options: &SyncOptions) -> Pull {
    let caps = kind.capabilities();
    let never_complete = state.cursor.is_none() || state.last_full_sync_at.is_none();
    if never_complete || options.full || options.confirm_deletes {
        return Pull::Full;
    }
    if caps.paging == Paging::Unpaged || !caps.modified_since {
        return Pull::Full;
    }
    if caps.deletion == DeletionStrategy::Vanish {
        return Pull::Full;
    }
    Pull::Changes
}
