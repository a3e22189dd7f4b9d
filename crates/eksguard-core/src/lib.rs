//! eksguard-core: the pure heart of eksguard.
//!
//! Sources (files here; the live Kubernetes and AWS readers live in other crates) build one
//! [`inventory::Inventory`]; [`rules`] are pure functions of it; [`engine::run`] turns their
//! findings into a [`engine::Report`], which [`report`] renders. Nothing here does network I/O,
//! spawns threads or prints.

#![forbid(unsafe_code)]

pub mod config;
pub mod detect;
pub mod engine;
pub mod finding;
pub mod framework;
pub mod identity;
pub mod inventory;
pub mod netpol;
pub mod pss;
pub mod rbac;
pub mod report;
pub mod rule;
pub mod rules;
pub mod safe_error;
pub mod select;
pub mod suppress;

pub use engine::Report;
pub use finding::{Domain, Finding, Severity};
pub use inventory::Inventory;
pub use rule::Rule;
pub use select::Selection;

/// The crate version, reported as the tool version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
