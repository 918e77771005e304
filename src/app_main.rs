//! What the binary does: parse the command line, run the chosen command, map the result to an
//! exit code (0 ok, 1 a feed failed, 2 usage or config error, 130 Ctrl-C).

use std::io::Write;

use clap::Parser;

use crate::cli::{Cli, Command, FeedArgs, FeedSource, TailArgs, UsageError};
use crate::tui::theme::{self, Theme};
use crate::{config, demo, tail, text};

pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return command_line_error(e),
    };
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
        Some(Command::Tail(args)) => runtime.block_on(run_tail(*args)),
        Some(Command::Check { config }) => check(config.as_deref()),
        Some(Command::Demo { addr }) => runtime.block_on(run_demo(addr)),
        Some(Command::Init) => init(),
        None => runtime.block_on(run_dashboard(cli.feeds, cli.theme)),
    };
    // Feed tasks may still be blocked on the network; do not wait for them.
    runtime.shutdown_background();
    // Every message may quote a config file or the command line: escaped here, at the edge,
    // so that no path can put a raw control sequence on the terminal.
    match result {
        Ok(code) => code,
        Err(e) => {
            if e.downcast_ref::<UsageError>().is_some() {
                eprintln!("ssedash: {}", text::escape_keep_newlines(&e.to_string()));
                2
            } else {
                eprintln!("ssedash: {}", text::escape_keep_newlines(&format!("{e:#}")));
                1
            }
        }
    }
}

/// clap's own errors quote the command line (`invalid value '...'`): escaped like every other
/// message. Help and version texts hold nothing of the user's and keep clap's styling.
fn command_line_error(e: clap::Error) -> i32 {
    use clap::error::ErrorKind;
    match e.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => e.exit(),
        _ => {
            eprint!("{}", text::escape_keep_newlines(&e.render().to_string()));
            e.exit_code()
        }
    }
}

async fn run_dashboard(args: FeedArgs, theme: Option<String>) -> anyhow::Result<i32> {
    use std::io::IsTerminal;
    let (source, config) = args.source()?;
    let feeds = match source {
        FeedSource::Specs(specs) => specs,
        FeedSource::Demo => {
            let base = demo::start().await?;
            args.feeds_select_demo(&base)?
        }
        FeedSource::Nothing => return Err(no_feeds_dashboard().into()),
    };
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let themes_dir = config::user_config_dir().map(|d| d.join("themes"));
    let themes =
        theme::load_all(themes_dir.as_deref(), no_color).map_err(|e| UsageError(e.to_string()))?;
    let wanted = theme
        .or_else(|| config.as_ref().and_then(|c| c.theme.clone()))
        .unwrap_or_else(|| "dark".into());
    let theme = theme::find(&themes, &wanted).map_err(|e| UsageError(e.to_string()))?;
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        return Err(UsageError(
            "the dashboard needs a terminal; for pipes and scripts use `ssedash tail`".into(),
        )
        .into());
    }
    Ok(crate::tui::run(feeds, themes, theme).await?)
}

fn no_feeds_dashboard() -> UsageError {
    UsageError(
        "no feeds to show. To start:\n  \
         ssedash --demo                     the built-in demo feeds\n  \
         ssedash https://host/stream        any SSE URL\n  \
         ssedash init                       write a starter feeds.toml to edit"
            .into(),
    )
}

async fn run_tail(args: TailArgs) -> anyhow::Result<i32> {
    let (count, timeout) = args.limits()?;
    let (source, config) = args.feeds.source()?;
    let feeds = match source {
        FeedSource::Specs(specs) => specs,
        FeedSource::Demo => {
            let base = demo::start().await?;
            args.feeds.feeds_select_demo(&base)?
        }
        FeedSource::Nothing => return Err(no_feeds().into()),
    };
    let opts = tail::Options {
        count,
        timeout,
        comments: args.comments,
        ..tail::Options::for_stdout(args.format.map(Into::into), || {
            tail_theme(config.as_ref().and_then(|c| c.theme.as_deref()))
        })
    };
    let outcome = tail::run(
        feeds,
        opts,
        std::io::stdout(),
        std::io::stderr(),
        tail::stdout_hangup(),
    )
    .await?;
    Ok(outcome.exit_code())
}

/// The colours of `tail --format text`: the config's theme, as the dashboard would show it,
/// so a type has the same colour in both. A theme that cannot be loaded falls back to `dark`
/// (the dashboard reports it; a script's output should not fail over colours).
fn tail_theme(wanted: Option<&str>) -> Theme {
    let themes_dir = config::user_config_dir().map(|d| d.join("themes"));
    let themes = theme::load_all(themes_dir.as_deref(), false)
        .or_else(|_| theme::load_all(None, false))
        .unwrap_or_default();
    let pick = |name: &str| theme::find(&themes, name).ok().map(|i| themes[i].clone());
    pick(wanted.unwrap_or("dark"))
        .or_else(|| pick("dark"))
        .expect("the built-in dark theme loads")
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
    let missing = config::missing_env(&config);
    let mut out = std::io::stdout().lock();
    write!(out, "{}", config::describe(&config))?;
    if !missing.is_empty() {
        return Err(UsageError(missing.join("\n")).into());
    }
    writeln!(out, "{}: OK", path.display())?;
    Ok(0)
}

fn init() -> anyhow::Result<i32> {
    let dir = config::user_config_dir()
        .ok_or_else(|| UsageError("init: no home directory found to put the config in".into()))?;
    let path = config::write_starter(&dir).map_err(UsageError::from)?;
    println!("wrote {}", path.display());
    println!("edit it, then run `ssedash` (or `ssedash demo` in another terminal to try it as is)");
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
