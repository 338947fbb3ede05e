//! The terminal language: one parser (`parse`) producing `ast::Line`s and one executor (`exec`)
//! running them against the simulated cluster; used by the native runner, lesson scripts and the
//! browser terminal alike.
pub mod ast;
pub mod exec;
pub mod help;
pub mod parse;
pub mod script;

pub use exec::{Output, Terminal};
