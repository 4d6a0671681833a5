//! Every connector Tether ships. A connector registers itself with
//! `inventory` when its crate is linked; this crate names each one once, so
//! the `tether` binary and the test harness link them all by naming only
//! this crate, and adding a provider touches this file and
//! `connectors/all/Cargo.toml`, not the CLI.

use tether_quickbooks as _;
use tether_xero as _;
