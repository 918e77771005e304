//! `ssedash --demo` in a pseudo-terminal shows its views: the ticker board has one row per
//! demo symbol with its latest price, the assistant's transcript reads in whole sentences, and
//! the deploy log is highlighted (checked on the terminal's own cell colours).

mod support;

use std::time::Duration;

use support::pty::Tui;

const WAIT: Duration = Duration::from_secs(30);
const SYMBOLS: [&str; 6] = ["ACME", "ORBT", "KLVX", "PLMT", "VRDA", "NMBS"];

/// The price shown on the board row of `symbol` (its first number after the key).
fn board_price(screen: &str, symbol: &str) -> Option<f64> {
    let row = screen.lines().find(|l| l.contains(&format!("{symbol} ")))?;
    let after = &row[row.find(symbol)? + symbol.len()..];
    let word = after.split_whitespace().next()?;
    word.trim_end_matches(['▲', '▼']).parse().ok()
}

/// The `"price": N` of the event shown in full.
fn detail_price(screen: &str) -> Option<f64> {
    let at = screen.find("\"price\": ")? + "\"price\": ".len();
    let num: String = screen[at..]
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.' || *c == '-')
        .collect();
    num.parse().ok()
}

#[test]
fn the_demo_shows_a_board_a_transcript_in_sentences_and_highlights() {
    let mut tui = Tui::start(&["--demo"], 48, 200);
    // The board: every symbol once, each with a price.
    let screen = tui.wait_for("a board row for each symbol", WAIT, |s| {
        SYMBOLS.iter().all(|sym| board_price(s, sym).is_some())
    });
    for sym in SYMBOLS {
        assert_eq!(
            screen.matches(&format!("{sym} ")).count(),
            1,
            "one row for {sym}:\n{screen}"
        );
    }
    assert!(screen.contains("price"), "{screen}");

    // Its price is the latest: the board's ACME row against ACME's latest event in full
    // (`g` selects the first row, ACME, `Enter` opens its latest event). A quote may land in
    // between; then the next try agrees.
    let mut agreed = false;
    for _ in 0..5 {
        tui.keys("g");
        let before = tui.wait_for("ACME selected", WAIT, |s| board_price(s, "ACME").is_some());
        let shown = board_price(&before, "ACME").unwrap();
        tui.keys("\r");
        let detail = tui.wait_for("ACME's latest event", WAIT, |s| detail_price(s).is_some());
        let latest = detail_price(&detail).unwrap();
        tui.keys("\x1b");
        tui.wait_for("the board again", WAIT, |s| !s.contains("\"price\": "));
        if (shown - latest).abs() < 1e-9 {
            agreed = true;
            break;
        }
    }
    assert!(
        agreed,
        "the board's ACME price never matched its latest event"
    );

    // The transcript: the first answer's words run on along a row, not one chunk per row.
    let screen = tui.wait_for("a sentence in the transcript", WAIT, |s| {
        s.contains("Server-Sent Events keep one HTTP")
    });
    assert!(screen.contains("first token"), "{screen}");

    // Highlights: a log level in the deploys pane is drawn in its colour: WARN in the dark
    // theme's `waiting`, DEBUG in its `dim`, an ERROR line in the demo rule's red.
    let (word, colour) = wait_for_level(&tui);
    let want = match word {
        "WARN" => vt100::Color::Rgb(0xe0, 0xaf, 0x68),
        "DEBUG" => vt100::Color::Rgb(0x73, 0x7a, 0xa2),
        _ => vt100::Color::Idx(1),
    };
    assert_eq!(colour, want, "{word} in {colour:?}:\n{}", tui.contents());
    tui.keys("q");
    assert_eq!(tui.wait_exit(WAIT), 0);
}

/// The first of ERROR, WARN or DEBUG on screen, and its colour.
fn wait_for_level(tui: &Tui) -> (&'static str, vt100::Color) {
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        for word in ["ERROR", "WARN", "DEBUG"] {
            if tui.contents().contains(word) {
                return (word, tui.cell_fg_of(word));
            }
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no log level on screen:\n{}",
            tui.contents()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}
