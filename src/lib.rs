//! ssedash: a terminal dashboard for live Server-Sent Events feeds.
//!
//! The binary is a thin `main.rs`; everything lives here so that `tests/` drive the real thing.

pub mod alert;
pub mod app_main;
pub mod cli;
pub mod completions;
pub mod config;
pub mod demo;
pub mod expr;
pub mod feed;
pub mod highlight;
pub mod log;
pub mod man;
pub mod record;
pub mod redact;
pub mod sse;
pub mod tail;
pub mod text;
pub mod tui;
pub mod version;
pub mod view;
