//! Colour themes: `themes/*.toml`, built into the binary, overridable (or added to) by files in
//! the user themes dir (`~/.config/ssedash/themes/NAME.toml`; a theme is named by its file). A
//! theme file may leave keys out
//! (they come from `dark`); a key it has must be valid, or loading fails naming file, line and key.
//! With `NO_COLOR` set, every colour is dropped and only emphasis (bold, reverse) remains.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;

const BUILT_IN: [(&str, &str); 3] = [
    ("dark", include_str!("../../themes/dark.toml")),
    ("light", include_str!("../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.toml"),
    ),
];

#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    pub name: String,
    pub text: Color,
    pub dim: Color,
    pub background: Color,
    pub accent: Color,
    pub border: Color,
    pub border_focused: Color,
    pub selection: Color,
    pub open: Color,
    pub connecting: Color,
    pub waiting: Color,
    pub closed: Color,
    pub failed: Color,
    pub warning: Color,
    pub event_types: Vec<Color>,
    pub json_key: Color,
    pub json_string: Color,
    pub json_number: Color,
    pub json_literal: Color,
    /// A board cell whose number rose / fell.
    pub up: Color,
    pub down: Color,
    /// `NO_COLOR`: styles keep their modifiers only.
    pub no_color: bool,
}

/// A theme file: every key optional (missing ones come from `dark`), unknown keys are errors.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeFile {
    text: Option<ThemeColor>,
    dim: Option<ThemeColor>,
    background: Option<ThemeColor>,
    accent: Option<ThemeColor>,
    border: Option<ThemeColor>,
    border_focused: Option<ThemeColor>,
    selection: Option<ThemeColor>,
    open: Option<ThemeColor>,
    connecting: Option<ThemeColor>,
    waiting: Option<ThemeColor>,
    closed: Option<ThemeColor>,
    failed: Option<ThemeColor>,
    warning: Option<ThemeColor>,
    event_types: Option<Vec<ThemeColor>>,
    json_key: Option<ThemeColor>,
    json_string: Option<ThemeColor>,
    json_number: Option<ThemeColor>,
    json_literal: Option<ThemeColor>,
    up: Option<ThemeColor>,
    down: Option<ThemeColor>,
}

#[derive(Debug, Clone, Copy)]
struct ThemeColor(Color);

impl<'de> Deserialize<'de> for ThemeColor {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Color::from_str(&s).map(ThemeColor).map_err(|_| {
            serde::de::Error::custom(format!(
                "`{s}` is not a colour; write a name (`red`, `light-blue`, `reset`), \
                 `#rrggbb`, or an index 0-255"
            ))
        })
    }
}

/// A theme that cannot be used, with file, line and key.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ThemeError(pub String);

/// The built-in themes, then the user's (a user theme with a built-in name replaces it).
pub fn load_all(user_dir: Option<&Path>, no_color: bool) -> Result<Vec<Theme>, ThemeError> {
    let base = parse("dark.toml", BUILT_IN[0].1, None, "dark")?;
    let mut themes = Vec::new();
    for (name, text) in BUILT_IN {
        themes.push(parse(
            &format!("themes/{name}.toml"),
            text,
            Some(&base),
            name,
        )?);
    }
    if let Some(dir) = user_dir {
        for path in user_theme_files(dir) {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| ThemeError(format!("{}: cannot read: {e}", path.display())))?;
            let stem = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let theme = parse(&path.display().to_string(), &text, Some(&base), &stem)?;
            match themes.iter_mut().find(|t| t.name == theme.name) {
                Some(slot) => *slot = theme,
                None => themes.push(theme),
            }
        }
    }
    for t in &mut themes {
        t.no_color = no_color;
    }
    Ok(themes)
}

fn user_theme_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    files
}

/// Parses one theme file; `file` names it in errors.
pub fn parse(
    file: &str,
    text: &str,
    base: Option<&Theme>,
    default_name: &str,
) -> Result<Theme, ThemeError> {
    let f: ThemeFile = toml::from_str(text).map_err(|e| {
        let (line, col, key) = match e.span() {
            Some(span) => position(text, span.start),
            None => (0, 0, None),
        };
        let key = key.map(|k| format!(" key `{k}`:")).unwrap_or_default();
        ThemeError(format!("{file}:{line}:{col}:{key} {}", e.message().trim()))
    })?;
    let pick = |v: Option<ThemeColor>, fallback: Option<Color>| {
        v.map(|c| c.0).or(fallback).unwrap_or(Color::Reset)
    };
    let b = base;
    Ok(Theme {
        name: default_name.to_string(),
        text: pick(f.text, b.map(|b| b.text)),
        dim: pick(f.dim, b.map(|b| b.dim)),
        background: pick(f.background, b.map(|b| b.background)),
        accent: pick(f.accent, b.map(|b| b.accent)),
        border: pick(f.border, b.map(|b| b.border)),
        border_focused: pick(f.border_focused, b.map(|b| b.border_focused)),
        selection: pick(f.selection, b.map(|b| b.selection)),
        open: pick(f.open, b.map(|b| b.open)),
        connecting: pick(f.connecting, b.map(|b| b.connecting)),
        waiting: pick(f.waiting, b.map(|b| b.waiting)),
        closed: pick(f.closed, b.map(|b| b.closed)),
        failed: pick(f.failed, b.map(|b| b.failed)),
        warning: pick(f.warning, b.map(|b| b.warning)),
        event_types: match f.event_types {
            Some(v) if !v.is_empty() => v.into_iter().map(|c| c.0).collect(),
            _ => b
                .map(|b| b.event_types.clone())
                .unwrap_or_else(|| vec![Color::Reset]),
        },
        json_key: pick(f.json_key, b.map(|b| b.json_key)),
        json_string: pick(f.json_string, b.map(|b| b.json_string)),
        json_number: pick(f.json_number, b.map(|b| b.json_number)),
        json_literal: pick(f.json_literal, b.map(|b| b.json_literal)),
        up: pick(f.up, b.map(|b| b.up)),
        down: pick(f.down, b.map(|b| b.down)),
        no_color: false,
    })
}

/// Line and column (from 1) of a byte offset, and the key on that line, if any.
fn position(text: &str, offset: usize) -> (usize, usize, Option<String>) {
    let (line, col) = crate::text::line_col(text, offset);
    let line_text = text.lines().nth(line - 1).unwrap_or("");
    let key = line_text
        .split_once('=')
        .map(|(k, _)| k.trim().trim_matches('"').to_string())
        .filter(|k| !k.is_empty() && !k.starts_with('#'));
    (line, col, key)
}

/// Picks a theme by name, or explains which exist.
pub fn find(themes: &[Theme], name: &str) -> Result<usize, ThemeError> {
    themes.iter().position(|t| t.name == name).ok_or_else(|| {
        let names: Vec<&str> = themes.iter().map(|t| t.name.as_str()).collect();
        ThemeError(format!(
            "theme `{name}` does not exist (there are: {})",
            names.join(", ")
        ))
    })
}

impl Theme {
    fn fg(&self, c: Color) -> Style {
        if self.no_color {
            Style::default()
        } else {
            Style::default().fg(c)
        }
    }

    /// The base style of the whole screen.
    pub fn base(&self) -> Style {
        if self.no_color {
            Style::default()
        } else {
            Style::default().fg(self.text).bg(self.background)
        }
    }

    pub fn text(&self) -> Style {
        self.fg(self.text)
    }

    pub fn dim(&self) -> Style {
        if self.no_color {
            Style::default().add_modifier(Modifier::DIM)
        } else {
            self.fg(self.dim)
        }
    }

    pub fn accent(&self) -> Style {
        self.fg(self.accent).add_modifier(Modifier::BOLD)
    }

    pub fn border(&self, focused: bool) -> Style {
        if focused {
            self.fg(self.border_focused).add_modifier(Modifier::BOLD)
        } else {
            self.fg(self.border)
        }
    }

    /// The highlighted row: a background colour, or reverse video without colour.
    pub fn selected(&self) -> Style {
        if self.no_color {
            Style::default().add_modifier(Modifier::REVERSED)
        } else {
            Style::default().bg(self.selection)
        }
    }

    pub fn color(&self, c: Color) -> Style {
        self.fg(c)
    }

    pub fn warning(&self) -> Style {
        self.fg(self.warning).add_modifier(Modifier::BOLD)
    }

    pub fn error(&self) -> Style {
        self.fg(self.failed).add_modifier(Modifier::BOLD)
    }

    /// A board cell that rose (`▲`) / fell (`▼`). The glyph says which without colour.
    pub fn up(&self) -> Style {
        self.fg(self.up)
    }

    pub fn down(&self) -> Style {
        self.fg(self.down)
    }

    /// A board cell that changed in the last second. The high-contrast theme (and `NO_COLOR`)
    /// flashes with reverse video, so the flash is not told by colour alone.
    pub fn flash(&self) -> Style {
        if self.no_color || self.name == "high-contrast" {
            Style::default().add_modifier(Modifier::REVERSED | Modifier::BOLD)
        } else {
            Style::default()
                .bg(self.selection)
                .add_modifier(Modifier::BOLD)
        }
    }

    /// A stable colour per event type, so `quote` is always the same colour.
    pub fn event_type(&self, name: &str) -> Style {
        self.fg(self.event_type_color(name))
    }

    /// The colour of an event type, in the dashboard and in `tail --format text` alike.
    pub fn event_type_color(&self, name: &str) -> Color {
        let hash = name.bytes().fold(2166136261u32, |h, b| {
            (h ^ u32::from(b)).wrapping_mul(16777619)
        });
        self.event_types[hash as usize % self.event_types.len()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_themes_load() {
        let themes = load_all(None, false).unwrap();
        let names: Vec<_> = themes.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["dark", "light", "high-contrast"]);
        assert_ne!(themes[0].text, themes[1].text);
    }

    #[test]
    fn broken_theme_names_file_line_and_key() {
        let err = parse(
            "my.toml",
            "text = \"red\"\naccent = \"#12345\"\n",
            None,
            "x",
        )
        .unwrap_err();
        assert!(err.0.starts_with("my.toml:2:"), "{err}");
        assert!(err.0.contains("`accent`"), "{err}");
        assert!(err.0.contains("#rrggbb"), "{err}");
        let err = parse("my.toml", "\nacent = \"red\"\n", None, "x").unwrap_err();
        assert!(
            err.0.contains("my.toml:2:") && err.0.contains("acent"),
            "{err}"
        );
    }

    #[test]
    fn user_theme_overrides_and_adds() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("dark.toml"), "accent = \"red\"\n").unwrap();
        std::fs::write(dir.path().join("mine.toml"), "text = \"#010203\"\n").unwrap();
        let themes = load_all(Some(dir.path()), false).unwrap();
        let dark = &themes[find(&themes, "dark").unwrap()];
        assert_eq!(dark.accent, Color::Red);
        let mine = &themes[find(&themes, "mine").unwrap()];
        assert_eq!(mine.text, Color::Rgb(1, 2, 3));
        assert!(
            find(&themes, "nope")
                .unwrap_err()
                .0
                .contains("dark, light, high-contrast")
        );
    }

    #[test]
    fn no_color_keeps_emphasis_only() {
        let themes = load_all(None, true).unwrap();
        let t = &themes[0];
        assert_eq!(t.text(), Style::default());
        assert!(t.selected().add_modifier.contains(Modifier::REVERSED));
        assert_eq!(t.event_type("quote").fg, None);
    }
}
