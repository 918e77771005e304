//! What the binary does: parse the command line, run the chosen command, map the result to an
//! exit code (0 ok, 1 a feed failed, 2 usage or config error, 130 Ctrl-C).

use std::io::Write;
use std::path::{Path, PathBuf};

mod reload;

use crate::cli::{Cli, Command, FeedArgs, FeedSource, TailArgs, UsageError};
use crate::config::Config;
use crate::tui::theme::{self, Theme};
use crate::{config, demo, tail, text};

pub fn main() -> i32 {
    use clap::{CommandFactory, FromArgMatches};
    let parsed = Cli::command()
        .try_get_matches()
        .and_then(|m| Ok((Cli::from_arg_matches(&m)?, m)));
    let (cli, matches) = match parsed {
        Ok(parsed) => parsed,
        Err(e) => return command_line_error(e),
    };
    // Only commands that log open the log: a stale $SSEDASH_LOG must not break the others.
    let logs = !matches!(
        cli.command,
        Some(
            Command::Init { .. }
                | Command::Completions { .. }
                | Command::Man
                | Command::Schema
                | Command::FeedNames { .. }
        )
    );
    let named_by = match matches.value_source("log_file") {
        Some(clap::parser::ValueSource::EnvVariable) => "$SSEDASH_LOG",
        _ => "--log-file",
    };
    // Held until the end of main: dropping it flushes the log's last lines.
    let log_file = cli.log_file.as_deref().filter(|_| logs);
    let _log = match crate::log::init(log_file, named_by) {
        Ok(guard) => guard,
        Err(e) => {
            eprintln!("ssedash: {}", text::escape(&e));
            return 2;
        }
    };
    // The dashboard's feeds share one thread, which it keeps asleep between reads while they
    // trickle (`tui::pace::hold_network_wakeups`); a flood's parsing needs one core, and the
    // drawing on the main thread is the dashboard's limit long before that.
    let workers = if cli.command.is_none() {
        1
    } else {
        worker_threads()
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
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
        Some(Command::Init { path }) => init(path.as_deref()),
        Some(Command::Completions { shell }) => {
            print_with(|out| crate::completions::write(shell, out))
        }
        Some(Command::Man) => print_with(crate::man::render),
        Some(Command::Schema) => print_with(|out| out.write_all(config::SCHEMA.as_bytes())),
        Some(Command::FeedNames { config }) => {
            print_with(|out| crate::completions::write_feed_names(config.as_deref(), out))
        }
        Some(Command::Replay {
            files,
            play,
            theme,
            config,
            views,
        }) => runtime.block_on(crate::record::cli::replay(
            files, play, theme, config, views,
        )),
        Some(Command::Serve { files, addr, play }) => {
            runtime.block_on(crate::record::cli::serve(files, addr, play))
        }
        None => runtime.block_on(run_dashboard(
            cli.feeds,
            cli.theme,
            cli.no_mouse,
            cli.record,
        )),
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

async fn run_dashboard(
    args: FeedArgs,
    theme: Option<String>,
    no_mouse: bool,
    record: Option<PathBuf>,
) -> anyhow::Result<i32> {
    use std::io::IsTerminal;
    let (source, config) = args.source()?;
    let mut feeds = match source {
        FeedSource::Specs(specs) => specs,
        FeedSource::Demo => {
            let base = demo::start().await?;
            args.feeds_select_demo(&base)?
        }
        FeedSource::Nothing => return Err(no_feeds_dashboard().into()),
    };
    if let Some(path) = &record {
        crate::record::args::check_record(path)?;
    }
    let theme_flag = theme.is_some();
    let (themes, theme) = pick_theme(theme.as_deref(), config.as_ref())?;
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        return Err(UsageError(
            "the dashboard needs a terminal; for pipes and scripts use `ssedash tail`".into(),
        )
        .into());
    }
    let alerts = match &config {
        Some(config) => config.alerts.clone(),
        None if args.demo => crate::alert::demo::alerts(),
        None => Vec::new(),
    };
    let mouse = !no_mouse && config.as_ref().and_then(|c| c.mouse) != Some(false);
    let reload = match &config {
        // Feeds from a config file follow its saves; ad-hoc URLs and the demo have none.
        Some(config) if args.urls.is_empty() && !args.demo => {
            let path = config.path.clone();
            let load = reload::config_loader(args, path.clone(), theme_flag);
            // The feeds as the reloads will see them: what runs is what later saves are
            // compared with.
            let first = load().map_err(UsageError)?;
            feeds = first.feeds.iter().map(|f| f.spec.clone()).collect();
            Some(crate::tui::reload::Source { path, load, first })
        }
        _ => None,
    };
    let options = crate::tui::Options {
        mouse,
        config: reload,
    };
    let extras = crate::tui::Extras {
        record,
        ..Default::default()
    };
    Ok(crate::tui::run_with(feeds, themes, theme, alerts, options, extras).await?)
}

/// Prints a generated text (completions, man page, schema) to stdout; `| head` is no error.
fn print_with(write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> anyhow::Result<i32> {
    let mut out = std::io::stdout().lock();
    match write(&mut out).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(0),
        printed => Ok(printed.map(|()| 0)?),
    }
}

/// The dashboard on `feeds` with `extras` (a replay, a recording): for `ssedash replay`.
pub(crate) async fn dashboard_with(
    feeds: Vec<crate::feed::FeedSpec>,
    theme: Option<String>,
    extras: crate::tui::Extras,
) -> anyhow::Result<i32> {
    use std::io::IsTerminal;
    let (themes, theme) = pick_theme(theme.as_deref(), None)?;
    // A recording read from stdin leaves the keys to the terminal itself (/dev/tty).
    let stdin_read = extras.replay_from_stdin;
    if !std::io::stdout().is_terminal() || !(stdin_read || std::io::stdin().is_terminal()) {
        return Err(UsageError(
            "the dashboard needs a terminal; to replay into a pipe use `ssedash tail --replay`"
                .into(),
        )
        .into());
    }
    let options = crate::tui::Options {
        mouse: true,
        config: None,
    };
    Ok(crate::tui::run_with(feeds, themes, theme, Vec::new(), options, extras).await?)
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
    let replay = crate::record::cli::tail_replay(&args)?;
    let (source, config) = match &replay {
        Some(r) => {
            let feeds = args.feeds.config.as_deref();
            let feeds = crate::record::cli::replay_feeds(r, feeds, &args.feeds.views)?;
            (FeedSource::Specs(feeds), None)
        }
        None => args.feeds.source()?,
    };
    let feeds = match source {
        FeedSource::Specs(specs) => specs,
        FeedSource::Demo => {
            let base = demo::start().await?;
            args.feeds.feeds_select_demo(&base)?
        }
        FeedSource::Nothing => return Err(no_feeds().into()),
    };
    let until = args
        .until
        .as_deref()
        .map(crate::alert::Until::parse)
        .transpose()
        .map_err(UsageError)?;
    let alerts = match &config {
        Some(config) => config.alerts.clone(),
        None if args.feeds.demo => crate::alert::demo::alerts(),
        None => Vec::new(),
    };
    let opts = tail::Options {
        count,
        timeout,
        comments: args.comments,
        alerts,
        until: until.clone(),
        ..tail::Options::for_stdout(args.format.map(Into::into), || {
            tail_theme(config.as_ref().and_then(|c| c.theme.as_deref()))
        })
    };
    if let Some(path) = &args.record {
        crate::record::args::check_record(path)?;
    }
    let sources = tail::Sources {
        replay,
        record: args.record.clone(),
    };
    let outcome = tail::run_with(
        feeds,
        opts,
        sources,
        std::io::stdout(),
        std::io::stderr(),
        tail::stdout_hangup(),
    )
    .await?;
    if let (tail::Outcome::UntilMissed { timed_out }, Some(until)) = (outcome, &until) {
        let why = match timeout {
            Some(t) if timed_out => format!("within {} s", t.as_secs_f64()),
            _ => "before the feeds ended".into(),
        };
        eprintln!(
            "ssedash: --until {}: no event matched {why}",
            text::escape(&until.source())
        );
    }
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

fn check(path: Option<&Path>) -> anyhow::Result<i32> {
    let Some(path) = config::find(path) else {
        return Err(UsageError(
            "no config file found: pass --config FILE, set SSEDASH_CONFIG, or run `ssedash init`"
                .into(),
        )
        .into());
    };
    let config = config::load(&path).map_err(UsageError::from)?;
    let mut problems = config::missing_env(&config);
    // A proxy from the environment that the feed would fail with.
    let proxy_env = crate::feed::proxy::ProxyEnv::from_env();
    for feed in &config.feeds {
        if let crate::feed::proxy::Route::Unusable { why, .. } =
            crate::feed::proxy::route(&feed.proxy, &proxy_env, &feed.url)
        {
            problems.push(format!(
                "{}: feed \"{}\": {}",
                config::shown_path(&config.path),
                text::escape(&feed.name),
                text::escape(&why)
            ));
        }
    }
    // The dashboard would refuse a theme that does not exist, or a broken user theme file.
    if let Err(e) = pick_theme(None, Some(&config)) {
        problems.push(e.0);
    }
    let mut out = std::io::stdout().lock();
    let printed = write!(out, "{}", config::describe(&config));
    if !problems.is_empty() {
        return Err(UsageError(problems.join("\n")).into());
    }
    let printed = printed.and_then(|()| writeln!(out, "{}: OK", config::shown_path(&path)));
    match printed {
        // `ssedash check | head` read what it wanted.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(0),
        printed => Ok(printed.map(|()| 0)?),
    }
}

/// The themes (built in, then the user's) and the one to draw with: `--theme`, else the
/// config's `theme`, else `dark`. A name that does not exist is an error saying where it was
/// given: the flag, or the config's `file:line:col`.
fn pick_theme(
    flag: Option<&str>,
    config: Option<&Config>,
) -> Result<(Vec<theme::Theme>, usize), UsageError> {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let themes_dir = config::user_config_dir().map(|d| d.join("themes"));
    let themes = theme::load_all(themes_dir.as_deref(), no_color)
        .map_err(|e| UsageError(text::escape_keep_newlines(&e.to_string()).into_owned()))?;
    let from_config = config.and_then(|c| Some((c.theme.as_deref()?, c.theme_location())));
    let (wanted, given_at) = match (flag, from_config) {
        (Some(name), _) => (name, "--theme".to_string()),
        (None, Some((name, at))) => (name, at.unwrap_or_else(|| "theme".into())),
        (None, None) => ("dark", "theme".into()),
    };
    let index = theme::find(&themes, wanted).map_err(|e| {
        let dir = themes_dir.map_or_else(String::new, |dir| {
            format!(
                ", or add {}.toml to {}",
                text::escape(wanted),
                config::shown_path(&dir)
            )
        });
        UsageError(format!(
            "{given_at}: {}; write one of them{dir}",
            text::escape(&e.to_string())
        ))
    })?;
    Ok((themes, index))
}

/// `ssedash init [PATH]`: PATH (a folder gets a feeds.toml in it), else `./feeds.toml` when
/// there is none, else the user config dir. Never overwrites.
fn init(path: Option<&Path>) -> anyhow::Result<i32> {
    let target = match path {
        // `init ./y/` names a folder, made if missing.
        Some(path)
            if path.is_dir()
                || path
                    .as_os_str()
                    .to_string_lossy()
                    .ends_with(['/', std::path::MAIN_SEPARATOR]) =>
        {
            path.join("feeds.toml")
        }
        Some(path) => path.to_path_buf(),
        None if !Path::new("feeds.toml").exists() => PathBuf::from("feeds.toml"),
        None => {
            let user = config::user_config_dir().map(|dir| dir.join("feeds.toml"));
            match user {
                Some(user) if !user.exists() => user,
                user => {
                    let exist = match user {
                        Some(u) => {
                            format!("./feeds.toml and {} already exist", config::shown_path(&u))
                        }
                        None => "./feeds.toml already exists".into(),
                    };
                    return Err(UsageError(format!(
                        "init: {exist}; not overwriting (edit it, or give another path: \
                         ssedash init PATH)"
                    ))
                    .into());
                }
            }
        }
    };
    config::write_starter_to(&target).map_err(UsageError::from)?;
    let written = std::path::absolute(&target).unwrap_or(target);
    println!("wrote {}", config::shown_path(&written));
    // A file where ssedash looks by itself needs no flag; any other needs --config.
    let found = config::find(None).and_then(|p| std::path::absolute(p).ok());
    if found.as_deref() == Some(written.as_path()) {
        println!(
            "edit it, then run `ssedash` (or `ssedash demo` in another terminal to try it as is)"
        );
    } else {
        println!(
            "edit it, then run `ssedash --config {}` (`ssedash demo` in another terminal \
             serves the feed it names)",
            config::shell_word(&written)
        );
    }
    Ok(0)
}

async fn run_demo(addr: std::net::SocketAddr) -> anyhow::Result<i32> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| UsageError(format!("demo: cannot listen on {addr}: {e}")))?;
    // `--addr 127.0.0.1:0` picks a free port: say which.
    let addr = listener.local_addr()?;
    eprintln!("ssedash demo server on http://{addr}/ (Ctrl-C to stop)");
    tokio::select! {
        r = demo::serve(listener) => r?,
        _ = tokio::signal::ctrl_c() => {}
    }
    Ok(0)
}

/// Threads for the feeds' tasks: one core fewer than the machine has (at least one), since the
/// main thread, which draws the dashboard or formats `tail`'s output, needs a core of its own.
/// With a worker per core, a flood's reading and parsing took turns with the main thread on
/// the same cores: on 2 cores `tail` ran three busy threads, and the dashboard could wait for
/// a core tens of milliseconds after being woken.
fn worker_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().saturating_sub(1).max(1))
}
