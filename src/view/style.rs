//! `style = "red bold"`, `"#ff8800 on black underlined"`: highlight styles in config.

use std::str::FromStr;

use ratatui::style::{Color, Modifier, Style};

const MODIFIERS: &[(&str, Modifier)] = &[
    ("bold", Modifier::BOLD),
    ("dim", Modifier::DIM),
    ("italic", Modifier::ITALIC),
    ("underlined", Modifier::UNDERLINED),
    ("underline", Modifier::UNDERLINED),
    ("reversed", Modifier::REVERSED),
    ("crossed-out", Modifier::CROSSED_OUT),
];

/// Words separated by spaces: a colour (the foreground), `on` and a colour (the background),
/// and modifiers (`bold`, `dim`, `italic`, `underlined`, `reversed`, `crossed-out`). Colours are
/// what themes accept (ratatui's names, `#rrggbb`, an index 0-255).
pub fn parse_style(s: &str) -> Result<Style, String> {
    let mut style = Style::default();
    let mut words = s.split_whitespace();
    let mut any = false;
    while let Some(word) = words.next() {
        any = true;
        let lower = word.to_ascii_lowercase();
        if let Some((_, m)) = MODIFIERS.iter().find(|(name, _)| *name == lower) {
            style = style.add_modifier(*m);
        } else if lower == "on" {
            let Some(bg) = words.next() else {
                return Err("`on` needs a colour after it, e.g. \"white on red\"".into());
            };
            style = style.bg(color(bg)?);
        } else {
            style = style.fg(color(word)?);
        }
    }
    if !any {
        return Err("empty style; write e.g. \"red bold\"".into());
    }
    Ok(style)
}

fn color(word: &str) -> Result<Color, String> {
    Color::from_str(word).map_err(|_| {
        format!(
            "`{}` is neither a colour nor a modifier; write a colour name (`red`, `light-blue`), \
             `#rrggbb` or an index 0-255, and modifiers from bold, dim, italic, underlined, \
             reversed, crossed-out",
            crate::text::escape(word)
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn red_bold_is_a_red_foreground_in_bold() {
        assert_eq!(
            parse_style("red bold").unwrap(),
            Style::default().fg(Color::Red).add_modifier(Modifier::BOLD)
        );
    }

    #[test]
    fn on_sets_the_background() {
        assert_eq!(
            parse_style("#ffffff on red").unwrap(),
            Style::default()
                .fg(Color::Rgb(255, 255, 255))
                .bg(Color::Red)
        );
    }

    #[test]
    fn unknown_word_is_named_in_the_error() {
        let err = parse_style("red blinky").unwrap_err();
        assert!(err.contains("`blinky`"), "{err}");
        assert!(parse_style("  ").is_err());
        assert!(parse_style("white on").is_err());
    }
}
