//! What the binary does: parse the command line, run the chosen command, map the result to an
//! exit code (0 ok, 1 a feed failed, 2 usage or config error, 130 Ctrl-C).

use std::io::Write;

use clap::Parser;

use crate::cli::{Cli, Command, FeedSource, TailArgs, UsageError};
use crate::{config, demo, tail};

pub fn main() -> i32 {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("ssedash: cannot start the async runtime: {e}");
            return 1;
        }
    };
    let result = match cli.command {
        Some(Command::Tail(args)) => runtime.block_on(run_tail(args)),
        Some(Command::Check { config }) => check(config.as_deref()),
        Some(Command::Demo { addr }) => runtime.block_on(run_demo(addr)),
        Some(Command::Init) => Err(UsageError("init: not available yet".into()).into()),
        None => Err(UsageError(
            "the dashboard is not available yet; try `ssedash tail --demo`".into(),
        )
        .into()),
    };
    // Feed tasks may still be blocked on the network; do not wait for them.
    runtime.shutdown_background();
    match result {
        Ok(code) => code,
        Err(e) => {
            if e.downcast_ref::<UsageError>().is_some() {
                eprintln!("ssedash: {e}");
                2
            } else {
                eprintln!("ssedash: {e:#}");
                1
            }
        }
    }
}

async fn run_tail(args: TailArgs) -> anyhow::Result<i32> {
    let (format, color) = tail::Options::resolve_format(args.format);
    let timeout = args
        .timeout
        .map(|t| crate::cli::seconds(t, "--timeout"))
        .transpose()?;
    let (source, _config) = args.feeds.source()?;
    let feeds = match source {
        FeedSource::Specs(specs) => specs,
        FeedSource::Demo => {
            let base = demo::start().await?;
            let feeds = args.feeds.select(demo::feeds(&base))?;
            feeds
                .into_iter()
                .map(|f| args.feeds.apply(f, false))
                .collect::<Result<_, _>>()?
        }
        FeedSource::Nothing => return Err(no_feeds().into()),
    };
    let opts = tail::Options {
        format,
        count: args.count,
        timeout,
        comments: args.comments,
        color,
    };
    let outcome = tail::run(feeds, opts, std::io::stdout()).await?;
    Ok(outcome.exit_code())
}

fn no_feeds() -> UsageError {
    UsageError(
        "no feeds: give a URL (ssedash tail https://host/stream), try the demo (--demo), \
         or write a feeds.toml (ssedash init)"
            .into(),
    )
}

fn check(path: Option<&std::path::Path>) -> anyhow::Result<i32> {
    let Some(path) = config::find(path) else {
        return Err(UsageError(
            "no config file found: pass --config FILE, set SSEDASH_CONFIG, or run `ssedash init`"
                .into(),
        )
        .into());
    };
    let config = config::load(&path).map_err(UsageError::from)?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}: {} feed(s)", path.display(), config.feeds.len())?;
    for feed in &config.feeds {
        writeln!(out, "  {}  {} {}", feed.name, feed.method, feed.url)?;
    }
    Ok(0)
}

async fn run_demo(addr: std::net::SocketAddr) -> anyhow::Result<i32> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| UsageError(format!("demo: cannot listen on {addr}: {e}")))?;
    eprintln!("ssedash demo server on http://{addr}/ (Ctrl-C to stop)");
    tokio::select! {
        r = demo::serve(listener) => r?,
        _ = tokio::signal::ctrl_c() => {}
    }
    Ok(0)
}
