//! The commands of recordings: `ssedash replay`, `ssedash serve`, and what `tail --replay`
//! checks.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use super::Replay;
use super::args::PlayArgs;
use super::serve::ServeOptions;
use crate::cli::{TailArgs, UsageError, ViewArgs};
use crate::feed::FeedSpec;

/// `ssedash replay FILE...`: the dashboard on the recorded feeds.
pub async fn replay(
    files: Vec<PathBuf>,
    play: PlayArgs,
    theme: Option<String>,
    config: Option<PathBuf>,
    views: ViewArgs,
) -> anyhow::Result<i32> {
    let replay = play.replay(&files)?;
    let feeds = replay_feeds(&replay, config.as_deref(), &views)?;
    let extras = crate::tui::Extras {
        replay: Some(replay),
        replay_from_stdin: files.iter().any(|f| f.as_os_str() == "-"),
        ..Default::default()
    };
    crate::app_main::dashboard_with(feeds, theme, extras).await
}

/// The recorded feeds with views: each takes the expressions of the config's feed of its name
/// (`--config`; the others stay lists), then the view options over them, as live feeds do.
pub fn replay_feeds(
    replay: &Replay,
    config: Option<&Path>,
    views: &ViewArgs,
) -> Result<Vec<FeedSpec>, UsageError> {
    let mut feeds = replay.specs();
    if let Some(path) = config {
        let config = crate::config::load(path)?;
        let mut matched = false;
        for feed in &mut feeds {
            if let Some(own) = config.feeds.iter().find(|f| f.name == feed.name) {
                feed.exprs = own.exprs.clone();
                matched = true;
            }
        }
        if !matched {
            let names = |names: Vec<&str>| crate::text::escape(&names.join(", ")).into_owned();
            return Err(UsageError(format!(
                "--config {}: none of its feeds ({}) is in the recording ({})",
                crate::config::shown_path(path),
                names(config.feeds.iter().map(|f| f.name.as_str()).collect()),
                names(feeds.iter().map(|f| f.name.as_str()).collect()),
            )));
        }
    }
    for feed in &mut feeds {
        views.apply(feed)?;
    }
    Ok(feeds)
}

/// `ssedash serve FILE`: the recording as SSE streams until Ctrl-C.
pub async fn serve(files: Vec<PathBuf>, addr: SocketAddr, play: PlayArgs) -> anyhow::Result<i32> {
    if play.from.is_some() {
        return Err(UsageError(
            "serve: --from is for replays; a client picks its start with Last-Event-ID".into(),
        )
        .into());
    }
    let recording = super::args::read(&files)?;
    let opts = ServeOptions {
        speed: play.speed()?,
        looping: play.looping,
    };
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| UsageError(format!("serve: cannot listen on {addr}: {e}")))?;
    let addr = listener.local_addr()?;
    eprintln!(
        "ssedash serve: {} feed(s) on http://{addr}/ (Ctrl-C to stop)",
        recording.feeds.len()
    );
    for feed in &recording.feeds {
        eprintln!(
            "  http://{addr}/feeds/{}",
            crate::text::escape(&super::serve::url_path(&feed.name))
        );
    }
    tokio::select! {
        r = super::serve::serve(listener, &recording, opts) => r?,
        _ = tokio::signal::ctrl_c() => {}
    }
    Ok(0)
}

/// The replay `tail` was asked for, if any; the options that only make sense with one are
/// an error without it, as are feeds given beside it.
pub fn tail_replay(args: &TailArgs) -> Result<Option<Replay>, UsageError> {
    if args.replay.is_empty() {
        let play = &args.play;
        if play.speed.is_some() || play.from.is_some() || play.looping {
            return Err(UsageError(
                "--speed, --from and --loop go with --replay FILE".into(),
            ));
        }
        return Ok(None);
    }
    let feeds = &args.feeds;
    if !feeds.urls.is_empty() || feeds.demo || !feeds.feed.is_empty() {
        return Err(UsageError(
            "--replay plays the recorded feeds: give no URL, --demo or --feed with it \
             (--config gives them its feeds' views)"
                .into(),
        ));
    }
    args.play.replay(&args.replay).map(Some)
}
