//! The query language: parsing it and running it over a company's books.

mod eval;
mod parse;

pub(crate) use eval::{Answer, run};
pub(crate) use parse::parse;
