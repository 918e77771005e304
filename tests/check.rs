//! `ssedash check` and `ssedash init` as a user runs them: in a folder of their own, with a
//! home of their own, and files that are wrong in the ways users get them wrong.

mod support;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use support::{Run, bin};

const LIMIT: Duration = Duration::from_secs(30);

/// A user's world: a current folder and a home (whose config dir is `home/ssedash` on Linux,
/// through `XDG_CONFIG_HOME`).
struct User {
    cwd: tempfile::TempDir,
    home: tempfile::TempDir,
}

impl User {
    fn new() -> User {
        User {
            cwd: tempfile::tempdir().unwrap(),
            home: tempfile::tempdir().unwrap(),
        }
    }

    fn cwd(&self) -> &Path {
        self.cwd.path()
    }

    fn config_dir(&self) -> PathBuf {
        self.home.path().join("ssedash")
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.cwd().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }

    /// Runs `ssedash ARGS` in the user's folder, with the user's home and no config from the
    /// environment, killing it after `LIMIT`.
    async fn run(&self, args: &[&str]) -> Run {
        let home = self.home.path();
        let mut cmd = tokio::process::Command::new(bin());
        cmd.args(args)
            .env_remove("SSEDASH_CONFIG")
            .env("HOME", home)
            .env("XDG_CONFIG_HOME", home)
            .env("NO_COLOR", "1")
            .current_dir(self.cwd())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        let child = cmd.spawn().expect("ssedash runs");
        let out = tokio::time::timeout(LIMIT, child.wait_with_output())
            .await
            .unwrap_or_else(|_| panic!("ssedash {args:?} still running after {LIMIT:?}"))
            .unwrap();
        Run {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

const FEED: &str = "[[feed]]\nname = \"a\"\nurl = \"http://127.0.0.1:1/\"\n";

#[tokio::test]
async fn check_rejects_a_theme_that_does_not_exist_at_its_file_and_line() {
    let user = User::new();
    user.write("feeds.toml", &format!("# themes\ntheme = \"neon\"\n{FEED}"));
    let run = user.run(&["check", "--config", "feeds.toml"]).await;
    assert_eq!(run.code, Some(2), "{}", run.stdout);
    assert!(!run.stdout.contains("OK"), "{}", run.stdout);
    assert!(
        run.stderr
            .contains("feeds.toml:2:9: theme `neon` does not exist"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("dark, light, high-contrast"),
        "{}",
        run.stderr
    );
    // The dashboard refuses it with the same words, before it needs a terminal.
    let run = user.run(&["--config", "feeds.toml"]).await;
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr
            .contains("feeds.toml:2:9: theme `neon` does not exist"),
        "{}",
        run.stderr
    );
}

#[tokio::test]
async fn check_accepts_a_user_theme_and_reports_a_broken_one() {
    let user = User::new();
    user.write("feeds.toml", &format!("theme = \"neon\"\n{FEED}"));
    let themes = user.config_dir().join("themes");
    std::fs::create_dir_all(&themes).unwrap();
    std::fs::write(themes.join("neon.toml"), "accent = \"magenta\"\n").unwrap();
    let run = user.run(&["check", "--config", "feeds.toml"]).await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(run.stdout.contains("feeds.toml: OK"), "{}", run.stdout);
    // A broken theme file stops the dashboard, so check says so, naming its line.
    std::fs::write(themes.join("neon.toml"), "\naccent = \"#12345\"\n").unwrap();
    let run = user.run(&["check", "--config", "feeds.toml"]).await;
    assert_eq!(run.code, Some(2), "{}", run.stdout);
    assert!(
        run.stderr.contains("neon.toml:2:") && run.stderr.contains("accent"),
        "{}",
        run.stderr
    );
}

#[tokio::test]
async fn check_lists_every_problem_in_the_file_each_at_its_line() {
    let user = User::new();
    user.write(
        "feeds.toml",
        "[[feed]]\nname = \"a\"\nurl = \"http://h/\"\nbufer = 1\n\
         [[feed]]\nname = \"b\"\nurl = \"http://h/\"\nread_timeout = 3\n",
    );
    let run = user.run(&["check", "--config", "feeds.toml"]).await;
    assert_eq!(run.code, Some(2));
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{}", run.stderr);
    assert!(lines[0].starts_with("ssedash: feeds.toml:4:1: feed \"a\": unknown key `bufer`"));
    assert!(lines[1].starts_with("feeds.toml:8:16: feed \"b\": `read_timeout` needs a unit"));
}

#[tokio::test]
async fn hostile_text_in_config_and_path_reaches_the_terminal_escaped() {
    let user = User::new();
    let hostile = "n\\u001b]0;PWN\\u0007\\u202e\\u001b[2J";
    let escaped = "n\\x1b]0;PWN\\x07\\u{202e}\\x1b[2J";
    for field in [
        format!("name = \"{hostile}\"\nurl = \"http://h/\""),
        format!("name = \"a\"\nurl = \"http://h/\"\nevents = [\"{hostile}\"]"),
        format!("name = \"a\"\nurl = \"http://h/\"\nstop_on = [\"{hostile}\"]"),
        format!("name = \"a\"\nurl = \"http://h/\"\nlast_event_id = \"{hostile}\""),
        format!("name = \"a\"\nurl = \"http://h/\"\nmethod = \"{hostile}\""),
        format!("name = \"a\"\nurl = \"{hostile}\""),
        format!("name = \"a\"\nurl = \"http://h/\"\n\"{hostile}\" = 1"),
    ] {
        user.write("feeds.toml", &format!("[[feed]]\n{field}\n"));
        let run = user.run(&["check", "--config", "feeds.toml"]).await;
        assert_eq!(run.code, Some(2), "{field}");
        let all = format!("{}{}", run.stdout, run.stderr);
        assert!(
            !all.contains(['\u{1b}', '\u{7}', '\u{202e}']),
            "raw control for {field}:\n{all:?}"
        );
        assert!(all.contains(escaped), "{field}:\n{all}");
    }
    // The config path comes from the command line: it is escaped too.
    let path = "x\u{1b}]0;PWN\u{7}.toml";
    let run = user.run(&["check", "--config", path]).await;
    assert_eq!(run.code, Some(2));
    assert!(!run.stderr.contains('\u{1b}'), "{:?}", run.stderr);
    assert!(
        run.stderr.contains("x\\x1b]0;PWN\\x07.toml"),
        "{}",
        run.stderr
    );
}

#[tokio::test]
async fn check_prints_the_waits_that_will_really_be_used() {
    let user = User::new();
    user.write(
        "feeds.toml",
        &format!("[reconnect]\ninitial = \"0s\"\n{FEED}"),
    );
    let run = user.run(&["check", "--config", "feeds.toml"]).await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(
        run.stdout.contains(
            "waits 500 ms after a clean end (initial 0 ms raised to the floor); \
             failures back off ×2 from 100 ms up to 1 min, jitter 30 %"
        ),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("read timeout  1 min"), "{}", run.stdout);
    user.write(
        "feeds.toml",
        &format!("[reconnect]\ninitial = \"10s\"\nmax = \"1s\"\n{FEED}"),
    );
    let run = user.run(&["check", "--config", "feeds.toml"]).await;
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr
            .contains("feeds.toml:2:11: `reconnect.initial` = \"10s\" is longer than"),
        "{}",
        run.stderr
    );
}

#[tokio::test]
async fn a_missing_config_suggests_the_init_that_writes_it_and_that_init_works() {
    let user = User::new();
    let run = user.run(&["check", "--config", "conf/work.toml"]).await;
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr
            .contains("(`ssedash init conf/work.toml` writes a starter config there)"),
        "{}",
        run.stderr
    );
    let init = user.run(&["init", "conf/work.toml"]).await;
    assert_eq!(init.code, Some(0), "{}", init.stderr);
    let written = user.cwd().join("conf/work.toml");
    assert!(written.is_file());
    let absolute = std::fs::canonicalize(&written).unwrap();
    assert!(
        init.stdout
            .contains(&format!("wrote {}", absolute.display())),
        "{}",
        init.stdout
    );
    // Not a place ssedash looks by itself, so it says how to use it.
    assert!(init.stdout.contains("ssedash --config "), "{}", init.stdout);
    let run = user.run(&["check", "--config", "conf/work.toml"]).await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
}

#[tokio::test]
async fn init_without_a_path_writes_feeds_toml_here_then_in_the_user_dir_then_refuses() {
    let user = User::new();
    let here = user.cwd().join("feeds.toml");
    let there = user.config_dir().join("feeds.toml");

    let first = user.run(&["init"]).await;
    assert_eq!(first.code, Some(0), "{}", first.stderr);
    assert!(here.is_file() && !there.exists());
    let shown = std::fs::canonicalize(&here).unwrap();
    assert!(
        first.stdout.contains(&format!("wrote {}", shown.display())),
        "{}",
        first.stdout
    );
    // ./feeds.toml is where ssedash looks first: no flag needed.
    assert!(first.stdout.contains("run `ssedash`"), "{}", first.stdout);
    std::fs::write(&here, "# mine\n").unwrap();

    let second = user.run(&["init"]).await;
    assert_eq!(second.code, Some(0), "{}", second.stderr);
    assert!(there.is_file());
    assert!(
        second
            .stdout
            .contains(&format!("wrote {}", there.display())),
        "{}",
        second.stdout
    );
    std::fs::write(&there, "# mine too\n").unwrap();

    let third = user.run(&["init"]).await;
    assert_eq!(third.code, Some(2));
    assert!(third.stderr.contains("already exist"), "{}", third.stderr);
    assert_eq!(std::fs::read_to_string(&here).unwrap(), "# mine\n");
    assert_eq!(std::fs::read_to_string(&there).unwrap(), "# mine too\n");
}

#[tokio::test]
async fn init_never_overwrites_the_path_it_is_given() {
    let user = User::new();
    let path = user.write("mine.toml", "# mine\n");
    let run = user.run(&["init", "mine.toml"]).await;
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr
            .contains("mine.toml already exists; not overwriting it"),
        "{}",
        run.stderr
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "# mine\n");
    // A folder gets a feeds.toml in it.
    std::fs::create_dir(user.cwd().join("dir")).unwrap();
    let run = user.run(&["init", "dir"]).await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(user.cwd().join("dir/feeds.toml").is_file());
}
