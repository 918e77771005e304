//! The command-line options of replays and `serve`, and what they mean.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use clap::Args;

use super::{Recording, Replay, ReplayOptions};
use crate::cli::UsageError;

/// How to play a recording: shared by `replay`, `tail --replay` and `serve`.
#[derive(Debug, Clone, Args, Default)]
pub struct PlayArgs {
    /// Timing: 1 is as recorded, 4 four times as fast, 0 as fast as possible (0.01 to 1000).
    #[arg(long, value_name = "X")]
    pub speed: Option<f64>,
    /// Start here: an RFC 3339 time, a local time of the recording's first day (12:03:41),
    /// or a duration into the recording (90s, 5m).
    #[arg(long, value_name = "TIME")]
    pub from: Option<String>,
    /// Start again at the end.
    #[arg(long = "loop")]
    pub looping: bool,
}

/// The factors `--speed` takes besides 0: beyond them a gap would be scaled to nothing or
/// to centuries.
const SPEEDS: std::ops::RangeInclusive<f64> = 0.01..=1000.0;

impl PlayArgs {
    pub fn speed(&self) -> Result<f64, UsageError> {
        match self.speed {
            None => Ok(1.0),
            Some(s) if s == 0.0 || SPEEDS.contains(&s) => Ok(s),
            // Not echoed: `1e308` would come back as 309 digits.
            Some(_) => Err(UsageError(
                "--speed: expected 0 (as fast as possible) or a factor from 0.01 to 1000, \
                 e.g. --speed 4"
                    .into(),
            )),
        }
    }

    /// The replay of `files` these options ask for, read and checked.
    pub fn replay(&self, files: &[PathBuf]) -> Result<Replay, UsageError> {
        let recording = read(files)?;
        let from = match &self.from {
            Some(text) => Some(from_time(text, recording.start()).ok_or_else(|| {
                UsageError(format!(
                    "--from {}: expected an RFC 3339 time (2026-11-24T12:03:41Z), a local time \
                     of the recording's first day (12:03:41) or a duration into it (90s, 5m)",
                    crate::text::escape(text)
                ))
            })?),
            None => None,
        };
        Ok(Replay {
            recording: std::sync::Arc::new(recording),
            opts: ReplayOptions {
                speed: self.speed()?,
                from,
                looping: self.looping,
                catch_up: false,
            },
        })
    }
}

/// Checks that `--record FILE` can be written before anything starts (it is created, as the
/// recording would create it): a wrong path is a usage error, not a failure once feeds run.
pub fn check_record(path: &Path) -> Result<(), UsageError> {
    let opened = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path);
    opened.map(drop).map_err(|e| {
        UsageError(format!(
            "--record {}: cannot write to it: {e}",
            crate::text::escape(&path.display().to_string())
        ))
    })
}

/// Reads the recordings; an unreadable one is a usage error naming file and line.
pub fn read(files: &[PathBuf]) -> Result<Recording, UsageError> {
    let recording = Recording::read(files).map_err(|e| UsageError(e.to_string()))?;
    if recording.feeds.is_empty() {
        return Err(UsageError(format!(
            "{}: no recorded feeds in it",
            files
                .iter()
                .map(|f| f.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    Ok(recording)
}

/// `--from`: an RFC 3339 time, `HH:MM[:SS]` on the first day (local time), or a duration.
fn from_time(text: &str, start: Option<SystemTime>) -> Option<SystemTime> {
    if let Some(at) = super::reader::parse_time(text) {
        return Some(at);
    }
    let start = start.unwrap_or(SystemTime::UNIX_EPOCH);
    if let Ok(d) = humantime::parse_duration(text) {
        return Some(start + d);
    }
    let time: jiff::civil::Time = text.parse().ok()?;
    let tz = jiff::tz::TimeZone::system();
    let first = jiff::Timestamp::try_from(start).ok()?.to_zoned(tz.clone());
    let at = first.date().to_datetime(time).to_zoned(tz).ok()?;
    let ms = at.timestamp().as_millisecond();
    (ms >= 0).then(|| SystemTime::UNIX_EPOCH + Duration::from_millis(ms as u64))
}
