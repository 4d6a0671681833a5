//! Which listing a resync reads for a kind: the provider's change feed, the
//! changes since the cursor, or the full listing, whichever is cheapest and
//! still enough to see every change and deletion.

use std::time::Duration;

use crate::feed::ChangeFeed;
use crate::store::{Pull, SyncState};
use crate::sync::SyncOptions;
use crate::{DeletionStrategy, ObjectKind, Paging, Timestamp};

/// Kept clear of the end of a feed's window, for the clocks' disagreement
/// and the time the call takes.
const FEED_WINDOW_MARGIN: Duration = Duration::from_secs(3600);

/// The pull that brings `kind` up to date without a change feed:
/// - a kind never synced completely, or `--full`: the full listing;
/// - held deletions to confirm: the full listing (it confirms them again);
/// - a pull of changes left unfinished: that pull, to its end;
/// - a kind listed in one call, or one that cannot be asked for changes:
///   the full listing (one call that also shows deletions);
/// - a paged kind whose deletions vanish, or show only in a change feed:
///   the full listing (only a full id listing shows them);
/// - otherwise the changes since the cursor (deletions show as a status,
///   or never happen).
pub(super) fn pull(kind: &dyn ObjectKind, state: &SyncState, options: &SyncOptions) -> Pull {
    let caps = kind.capabilities();
    if needs_full(state, options) {
        return Pull::Full;
    }
    if state.changes.is_some() {
        return Pull::Changes;
    }
    if caps.paging == Paging::Unpaged || !caps.modified_since {
        return Pull::Full;
    }
    if matches!(
        caps.deletion,
        DeletionStrategy::Vanish | DeletionStrategy::Tombstone
    ) {
        return Pull::Full;
    }
    Pull::Changes
}

/// Whether `feed` can bring `kind` up to date in its one call: it covers the
/// kind, the kind has been synced completely and needs no full pull, no
/// pull of its changes is half done, and its cursor is well inside the
/// feed's window (older changes and tombstones are no longer in the feed).
pub(super) fn feed_answers(
    feed: &dyn ChangeFeed,
    kind: &dyn ObjectKind,
    state: &SyncState,
    options: &SyncOptions,
    now: Timestamp,
) -> bool {
    let Some(cursor) = state.cursor else {
        return false;
    };
    let reach = feed.window().saturating_sub(FEED_WINDOW_MARGIN);
    let within = chrono::Duration::from_std(reach).is_ok_and(|reach| cursor > now - reach);
    feed.covers(kind.name()) && !needs_full(state, options) && state.changes.is_none() && within
}

/// A full listing is needed: the kind was never synced completely, a
/// reconciliation was asked for, or held deletions are to be confirmed.
fn needs_full(state: &SyncState, options: &SyncOptions) -> bool {
    state.cursor.is_none()
        || state.last_full_sync_at.is_none()
        || options.full
        || options.confirm_deletes
}
