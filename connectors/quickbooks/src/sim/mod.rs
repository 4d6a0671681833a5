//! A local QuickBooks Online that follows Intuit's documented API.
