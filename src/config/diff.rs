//! What changed between two versions of the feed list, for live reload: pure, so every case is
//! unit-tested without a file or a terminal.
//!
//! Feeds are matched by name. A feed is the same only when its whole configuration is equal:
//! the resolved [`FeedSpec`] and the canonical text of its `[[feed]]` table plus the top-level
//! keys every feed inherits (see [`feed_tables`]). Comparing the text too means a per-feed key
//! added later (a view, highlights) counts as a change without this module knowing it.

use std::collections::HashMap;

use crate::feed::FeedSpec;

/// One feed of a loaded config, in the form two loads are compared in.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedConfig {
    /// As the feed task gets it (command-line options applied, `${VAR}`s resolved).
    pub spec: FeedSpec,
    /// The feed's `[[feed]]` table and the inherited top-level keys, as canonical TOML.
    pub text: String,
}

impl FeedConfig {
    pub fn name(&self) -> &str {
        &self.spec.name
    }
}

/// What becomes of a feed of the new list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Unchanged: the feed at `old` keeps its connection, events and counters.
    Same { old: usize },
    /// Its configuration changed: the feed at `old` stops and starts again, afresh.
    Changed { old: usize },
    /// A feed of a new name.
    Added,
}

/// From one feed list to the next.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diff {
    /// One entry per feed of the new list, in its order.
    pub feeds: Vec<Change>,
    /// Indices (in the old list) of the feeds that are gone.
    pub removed: Vec<usize>,
}

impl Diff {
    /// Nothing to do: the same feeds, unchanged, in the same order.
    pub fn is_empty(&self) -> bool {
        self.removed.is_empty()
            && self
                .feeds
                .iter()
                .enumerate()
                .all(|(i, c)| *c == Change::Same { old: i })
    }

    pub fn added(&self) -> usize {
        self.count(|c| matches!(c, Change::Added))
    }

    pub fn changed(&self) -> usize {
        self.count(|c| matches!(c, Change::Changed { .. }))
    }

    fn count(&self, f: impl Fn(&Change) -> bool) -> usize {
        self.feeds.iter().filter(|c| f(c)).count()
    }

    /// For each new feed, the old one whose running task it keeps (`None`: a new task).
    pub fn kept(&self) -> impl Iterator<Item = Option<usize>> + '_ {
        self.feeds.iter().map(|c| match c {
            Change::Same { old } => Some(*old),
            Change::Changed { .. } | Change::Added => None,
        })
    }
}

/// Compares two feed lists by name and whole configuration.
pub fn diff<T: PartialEq>(old: &[T], new: &[T], name: impl Fn(&T) -> &str) -> Diff {
    let by_name: HashMap<&str, usize> = old.iter().enumerate().map(|(i, f)| (name(f), i)).collect();
    let mut still_there = vec![false; old.len()];
    let feeds = new
        .iter()
        .map(|feed| match by_name.get(name(feed)) {
            Some(&i) => {
                still_there[i] = true;
                if old[i] == *feed {
                    Change::Same { old: i }
                } else {
                    Change::Changed { old: i }
                }
            }
            None => Change::Added,
        })
        .collect();
    let removed = (0..old.len()).filter(|&i| !still_there[i]).collect();
    Diff { feeds, removed }
}

/// Top-level keys that are not inherited by feeds: changing them restarts no feed.
const NOT_PER_FEED: &[&str] = &["feed", "theme", "mouse", "alert"];

/// Each `[[feed]]` table of a config text by name, as canonical TOML (keys sorted, comments
/// and layout gone), followed by the top-level keys feeds inherit. Any other top-level key,
/// including one added later, counts as inherited, so a change to it restarts the feeds
/// rather than being missed. Text that does not parse gives nothing (the loader reports it).
pub fn feed_tables(text: &str) -> HashMap<String, String> {
    let Ok(doc) = text.parse::<toml::Table>() else {
        return HashMap::new();
    };
    let shared: toml::Table = doc
        .iter()
        .filter(|(k, _)| !NOT_PER_FEED.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let shared = toml::to_string(&shared).unwrap_or_default();
    let Some(toml::Value::Array(feeds)) = doc.get("feed") else {
        return HashMap::new();
    };
    feeds
        .iter()
        .filter_map(|feed| {
            let table = feed.as_table()?;
            let name = table.get("name")?.as_str()?.to_string();
            let own = toml::to_string(table).unwrap_or_default();
            Some((name, format!("{own}\n# inherited\n{shared}")))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feeds(list: &[(&'static str, u32)]) -> Vec<(&'static str, u32)> {
        list.to_vec()
    }

    fn run(old: &[(&'static str, u32)], new: &[(&'static str, u32)]) -> Diff {
        diff(&feeds(old), &feeds(new), |f| f.0)
    }

    #[test]
    fn the_same_list_is_an_empty_diff() {
        let d = run(&[("a", 1), ("b", 2)], &[("a", 1), ("b", 2)]);
        assert_eq!(
            d.feeds,
            vec![Change::Same { old: 0 }, Change::Same { old: 1 }]
        );
        assert!(d.removed.is_empty());
        assert!(d.is_empty());
    }

    #[test]
    fn a_feed_whose_config_differs_is_changed_and_keeps_its_old_index() {
        let d = run(&[("a", 1), ("b", 2)], &[("a", 1), ("b", 3)]);
        assert_eq!(
            d.feeds,
            vec![Change::Same { old: 0 }, Change::Changed { old: 1 }]
        );
        assert_eq!(d.changed(), 1);
        assert!(!d.is_empty());
    }

    #[test]
    fn a_new_name_is_added_and_a_missing_one_removed() {
        let d = run(&[("a", 1), ("b", 2)], &[("a", 1), ("c", 2)]);
        assert_eq!(d.feeds, vec![Change::Same { old: 0 }, Change::Added]);
        assert_eq!(d.removed, vec![1]);
        assert_eq!(d.added(), 1);
        assert_eq!(d.kept().collect::<Vec<_>>(), vec![Some(0), None]);
    }

    #[test]
    fn a_renamed_feed_is_one_removed_and_one_added_even_with_the_same_settings() {
        let d = run(&[("a", 1)], &[("a2", 1)]);
        assert_eq!(d.feeds, vec![Change::Added]);
        assert_eq!(d.removed, vec![0]);
    }

    #[test]
    fn moving_feeds_around_keeps_them_all_but_is_not_empty() {
        let d = run(
            &[("a", 1), ("b", 2), ("c", 3)],
            &[("c", 3), ("a", 1), ("b", 2)],
        );
        assert_eq!(
            d.feeds,
            vec![
                Change::Same { old: 2 },
                Change::Same { old: 0 },
                Change::Same { old: 1 }
            ]
        );
        assert!(d.removed.is_empty());
        assert!(!d.is_empty(), "the panes must be reordered");
    }

    #[test]
    fn everything_removed_and_everything_added() {
        let d = run(&[("a", 1), ("b", 2)], &[]);
        assert!(d.feeds.is_empty());
        assert_eq!(d.removed, vec![0, 1]);
        let d = run(&[], &[("a", 1)]);
        assert_eq!(d.feeds, vec![Change::Added]);
    }

    const BASE: &str = r#"
read_timeout = "30s"
theme = "dark"
[[feed]]
name = "a"
url = "http://127.0.0.1:1/a"
[[feed]]
name = "b"
url = "http://127.0.0.1:1/b"
"#;

    #[test]
    fn feed_tables_ignore_comments_layout_and_key_order() {
        let other = r#"
# a comment
theme = "dark"
read_timeout   =   "30s"
[[feed]]
url = "http://127.0.0.1:1/a"   # moved above the name
name = "a"
[[feed]]
name = "b"
url = "http://127.0.0.1:1/b"
"#;
        assert_eq!(feed_tables(BASE), feed_tables(other));
    }

    #[test]
    fn a_per_feed_key_unknown_to_this_module_changes_that_feed_only() {
        let with_view = BASE.replace(
            "url = \"http://127.0.0.1:1/b\"",
            "url = \"http://127.0.0.1:1/b\"\n[feed.view]\nkind = \"board\"",
        );
        let (before, after) = (feed_tables(BASE), feed_tables(&with_view));
        assert_eq!(before["a"], after["a"]);
        assert_ne!(before["b"], after["b"]);
    }

    #[test]
    fn an_inherited_top_level_key_changes_every_feed_but_theme_and_alerts_do_not() {
        let base = feed_tables(BASE);
        let timeout = feed_tables(&BASE.replace("\"30s\"", "\"10s\""));
        assert_ne!(base["a"], timeout["a"]);
        assert_ne!(base["b"], timeout["b"]);
        let theme = format!(
            "mouse = false\n{}\n[[alert]]\nname = \"x\"\nmatch = \"E\"\n",
            BASE.replace("\"dark\"", "\"light\"")
        );
        assert_eq!(base, feed_tables(&theme));
    }

    #[test]
    fn text_that_does_not_parse_has_no_tables() {
        assert!(feed_tables("[[feed]\nname =").is_empty());
    }
}
