//! The QuickBooks simulator as a `tether sandbox quickbooks`.
