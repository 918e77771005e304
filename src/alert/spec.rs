//! What an alert is: read from `[[alert]]` tables (or built in for the demo), compiled once.

use std::time::Duration;

use regex::Regex;

/// One `[[alert]]`.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertSpec {
    /// Shown in the alert log and given to commands as `SSEDASH_ALERT`.
    pub name: String,
    /// The feeds it watches, by name; `None`: every feed.
    pub feeds: Option<Vec<String>>,
    pub condition: Condition,
    /// At most one firing per feed in this window (zero: no limit but the edge).
    pub cooldown: Duration,
    pub actions: Actions,
}

impl AlertSpec {
    /// What `ssedash check` says of it, escaped: what it watches, when it fires, what it does.
    pub fn describe(&self) -> String {
        use crate::text::escape;
        let feeds = match &self.feeds {
            Some(feeds) => feeds.join(", "),
            None => "every feed".into(),
        };
        let a = &self.actions;
        let mut does: Vec<String> = [(a.flash, "flash"), (a.bell, "bell"), (a.notify, "notify")]
            .into_iter()
            .filter(|(on, _)| *on)
            .map(|(_, name)| name.to_string())
            .collect();
        if let Some(command) = &a.command {
            does.push(format!("command {command}"));
        }
        if does.is_empty() {
            does.push("log only".into());
        }
        let cooldown = if self.cooldown.is_zero() {
            "none".to_string()
        } else {
            crate::text::duration(self.cooldown)
        };
        format!(
            "alert {}\n  watches       {}\n  fires on      {}\n  cooldown      {}\n  \
             does          {}\n",
            escape(&self.name),
            escape(&feeds),
            escape(&self.condition.describe()),
            cooldown,
            escape(&does.join(", ")),
        )
    }
}

/// When an alert's condition holds.
#[derive(Debug, Clone)]
pub enum Condition {
    /// A jq expression on the event's data (the raw string when it is not JSON), true when
    /// its first output is truthy. A runtime error counts as false.
    When(crate::expr::Expr),
    /// A regex (smart case) on the event's data or type.
    Match(Regex),
    /// No event (comments do not count) for this long.
    SilentFor(Duration),
    /// The feed has been in this state for at least `held` (zero: at once).
    State { state: StateName, held: Duration },
    /// More than `per_sec` events per second over the last [`RATE_WINDOW`], for `held`.
    RateAbove { per_sec: f64, held: Duration },
    /// Fewer than `per_sec` events per second over the last [`RATE_WINDOW`], for `held`.
    RateBelow { per_sec: f64, held: Duration },
}

/// The window a rate is measured over.
pub const RATE_WINDOW: Duration = Duration::from_secs(10);

impl PartialEq for Condition {
    fn eq(&self, other: &Self) -> bool {
        use Condition::*;
        match (self, other) {
            (When(a), When(b)) => a.source() == b.source(),
            (Match(a), Match(b)) => a.as_str() == b.as_str(),
            (SilentFor(a), SilentFor(b)) => a == b,
            (State { state: a, held: x }, State { state: b, held: y }) => a == b && x == y,
            (
                RateAbove {
                    per_sec: a,
                    held: x,
                },
                RateAbove {
                    per_sec: b,
                    held: y,
                },
            )
            | (
                RateBelow {
                    per_sec: a,
                    held: x,
                },
                RateBelow {
                    per_sec: b,
                    held: y,
                },
            ) => a == b && x == y,
            _ => false,
        }
    }
}

impl Condition {
    /// The regex of `match`, with smart case (case-insensitive unless it has upper case), as
    /// the pane filter does.
    pub fn matching(pattern: &str) -> Result<Condition, regex::Error> {
        let smart_case = !pattern.chars().any(char::is_uppercase);
        regex::RegexBuilder::new(pattern)
            .case_insensitive(smart_case)
            .size_limit(1 << 20)
            .build()
            .map(Condition::Match)
    }

    /// Judged on events as they arrive (`when`, `match`), rather than on the clock.
    pub fn is_per_event(&self) -> bool {
        matches!(self, Condition::Match(_) | Condition::When(_))
    }

    /// What the condition says, for the alert log and `check`.
    pub fn describe(&self) -> String {
        let held = |d: &Duration| {
            if d.is_zero() {
                String::new()
            } else {
                format!(" for {}", crate::text::duration(*d))
            }
        };
        match self {
            Condition::When(expr) => format!("when {}", expr.source()),
            Condition::Match(re) => format!("match {:?}", re.as_str()),
            Condition::SilentFor(d) => format!("silent for {}", crate::text::duration(*d)),
            Condition::State { state, held: d } => format!("state {}{}", state.name(), held(d)),
            Condition::RateAbove { per_sec, held: d } => {
                format!("rate above {per_sec}/s{}", held(d))
            }
            Condition::RateBelow { per_sec, held: d } => {
                format!("rate below {per_sec}/s{}", held(d))
            }
        }
    }
}

/// A connection state an alert can wait for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateName {
    Connecting,
    Open,
    Waiting,
    Closed,
    Failed,
}

impl StateName {
    pub const ALL: [StateName; 5] = [
        StateName::Connecting,
        StateName::Open,
        StateName::Waiting,
        StateName::Closed,
        StateName::Failed,
    ];

    pub fn name(self) -> &'static str {
        match self {
            StateName::Connecting => "connecting",
            StateName::Open => "open",
            StateName::Waiting => "waiting",
            StateName::Closed => "closed",
            StateName::Failed => "failed",
        }
    }

    pub fn of(state: &crate::feed::ConnState) -> StateName {
        use crate::feed::ConnState;
        match state {
            ConnState::Connecting => StateName::Connecting,
            ConnState::Open => StateName::Open,
            ConnState::Waiting { .. } => StateName::Waiting,
            ConnState::Closed => StateName::Closed,
            ConnState::Failed => StateName::Failed,
        }
    }
}

/// What a firing does.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Actions {
    /// Mark the pane and the title bar (dashboard).
    pub flash: bool,
    /// Ring the terminal bell (dashboard).
    pub bell: bool,
    /// A desktop notification (dashboard).
    pub notify: bool,
    /// `sh -c` this, with the event on stdin and `SSEDASH_*` in the environment.
    pub command: Option<String>,
}
