//! What every provider simulator of Tether needs and no provider defines:
//! a listener whose connections a fault can cut, a clock tests can move,
//! PKCE, byte-preserving JSON edits and a seeded generator. Each connector's
//! `sim/` keeps only what is true of its provider.

pub mod clock;
pub mod conn;
pub mod pkce;
pub mod rawjson;
pub mod rng;
