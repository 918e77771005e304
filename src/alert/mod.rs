//! Alerts: "when X happens on a feed, do Y". The pure machine ([`engine`]) decides when an
//! alert fires or resolves; the edges that own the terminal or processes act on it
//! ([`command`] for shell commands; the dashboard and `tail` for the rest).

pub mod command;
pub mod demo;
pub mod engine;
pub mod spec;
pub mod tail;
mod track;
pub mod until;

pub use engine::{Cause, Edge, Engine, MAX_FIRINGS_PER_MINUTE, Output, Transition};
pub use spec::{Actions, AlertSpec, Condition, RATE_WINDOW, StateName};
pub use until::Until;
