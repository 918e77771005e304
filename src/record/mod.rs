//! Recordings: what feeds said, kept as NDJSON (the lines of `tail`, plus `meta` and `retry`
//! lines; see `docs/recording.md`), and what can be done with one: replay it into the
//! dashboard or `tail` ([`replay`]), or serve it as a mock SSE server ([`serve`]).
//!
//! A recording is written by a thread of its own ([`Recorder`]); the dashboard and `tail`
//! only hand it whole lines, so a crash leaves whole lines behind and the UI never waits on
//! the disk.

pub mod args;
pub mod cli;
pub(crate) mod line;
pub mod reader;
pub mod recorder;
pub mod replay;
pub mod serve;

pub use reader::{Item, Recording, What};
pub use recorder::Recorder;
pub use replay::{Replay, ReplayOptions};
