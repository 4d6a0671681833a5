//! What the kit asks of a tenant id. Providers name tenants differently
//! (Xero: an organisation's UUID; QuickBooks: a company's numeric realm id
//! as a string), so the kit keys per-tenant state by the provider's own
//! type instead of converting it.

use std::fmt::{Debug, Display};
use std::hash::Hash;

/// A tenant id: any cheap-to-clone, hashable, comparable value.
/// `Display` is how it is written where the provider announces it (Intuit's
/// `realmId` redirect parameter). Implemented for every type that
/// qualifies (`Uuid`, `String`, ...).
pub trait TenantId: Clone + Eq + Hash + Debug + Display + Send + Sync + 'static {}

impl<T: Clone + Eq + Hash + Debug + Display + Send + Sync + 'static> TenantId for T {}
