//! The mouse: clicks focus and select, the wheel scrolls, a double click opens; in
//! `App::update` with no terminal, then in the real binary in a pty with SGR mouse reports.

mod support;

use std::time::{Duration, Instant, SystemTime};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::Rect;
use ssedash::feed::{FeedId, FeedMsg, FeedSpec};
use ssedash::sse::Event;
use ssedash::tui::app::{App, Mode, Msg, View};
use ssedash::tui::mouse::{DOUBLE_CLICK, WHEEL_ROWS};
use ssedash::tui::theme;
use support::pty::Tui;
use support::*;

fn app(feeds: usize) -> (App, Instant) {
    let now = Instant::now();
    let specs: Vec<_> = (0..feeds)
        .map(|i| {
            let name = format!("feed-{i}");
            FeedSpec::new(&name, format!("http://127.0.0.1:1/{i}").parse().unwrap())
        })
        .collect();
    let mut app = App::new(&specs, theme::load_all(None, false).unwrap(), 0, now);
    app.update(Msg::Resize(160, 48), now);
    (app, now)
}

fn events(app: &mut App, feed: usize, n: usize, now: Instant) {
    for i in 1..=n {
        let msg = FeedMsg::Event {
            event: Event::new(
                "message",
                format!("event {i}").as_str(),
                i.to_string().as_str(),
            ),
            at: SystemTime::now(),
        };
        app.update(Msg::Feed(FeedId(feed), msg), now);
    }
}

fn mouse(app: &mut App, kind: MouseEventKind, column: u16, row: u16, now: Instant) {
    let m = MouseEvent {
        kind,
        column,
        row,
        modifiers: KeyModifiers::NONE,
    };
    app.update(Msg::Mouse(m), now);
}

fn click(app: &mut App, column: u16, row: u16, now: Instant) {
    mouse(
        app,
        MouseEventKind::Down(MouseButton::Left),
        column,
        row,
        now,
    );
}

fn rect_of(app: &App, pane: usize) -> Rect {
    app.layout()
        .slots
        .into_iter()
        .find(|(i, _)| *i == pane)
        .expect("pane on screen")
        .1
}

/// The data of the event the pane has selected (or its newest).
fn current(app: &App, pane: usize) -> String {
    app.panes[pane].current_event().unwrap().data.to_string()
}

#[test]
fn a_click_anywhere_in_a_pane_focuses_it() {
    let (mut app, now) = app(4);
    assert_eq!(app.focus, 0);
    let r = rect_of(&app, 2);
    click(&mut app, r.x + r.width / 2, r.y, now);
    assert_eq!(app.focus, 2, "a click on the title");
    let r = rect_of(&app, 3);
    click(&mut app, r.right() - 1, r.bottom() - 1, now);
    assert_eq!(app.focus, 3, "a click on the corner");
    // The title bar and the footer are no pane.
    click(&mut app, 5, 0, now);
    click(&mut app, 5, 47, now);
    assert_eq!(app.focus, 3);
}

#[test]
fn the_first_click_on_another_pane_only_focuses_it_and_the_list_keeps_following() {
    let (mut app, now) = app(2);
    events(&mut app, 1, 50, now);
    let r = rect_of(&app, 1);
    click(&mut app, r.x + 20, r.y + 6, now);
    assert_eq!(app.focus, 1);
    assert!(
        app.panes[1].is_following(),
        "a focusing click selects nothing"
    );
}

#[test]
fn a_click_on_an_event_row_of_the_focused_pane_selects_that_event() {
    let (mut app, now) = app(1);
    events(&mut app, 0, 100, now);
    let r = rect_of(&app, 0);
    // Border, counters and type counts above the list; the newest page is shown.
    let list_top = r.y + 3;
    let rows = r.height - 4;
    let first_shown = 100 - rows as usize + 1;
    click(&mut app, r.x + 30, list_top + 2, now);
    assert_eq!(current(&app, 0), format!("event {}", first_shown + 2));
    assert!(!app.panes[0].is_following());
}

#[test]
fn a_double_click_on_an_event_opens_that_event_in_the_detail_view() {
    let (mut app, now) = app(2);
    events(&mut app, 1, 100, now);
    let r = rect_of(&app, 1);
    let rows = r.height - 4;
    let (x, y) = (r.x + 30, r.y + 3 + 5);
    // Pane 1 is not focused: the first click focuses it, the second opens the event.
    click(&mut app, x, y, now);
    click(&mut app, x, y, now + Duration::from_millis(150));
    let Mode::Detail(view) = &app.mode else {
        panic!("the detail view opens: {:?}", app.mode);
    };
    let expected = 100 - rows as u64 + 5; // seqs count from 0
    assert_eq!(view.seq, expected);
    assert_eq!(current(&app, 1), format!("event {}", expected + 1));
}

#[test]
fn a_double_click_on_the_focused_pane_opens_the_row_clicked_first_though_the_list_moved() {
    let (mut app, now) = app(1);
    events(&mut app, 0, 100, now);
    let r = rect_of(&app, 0);
    let rows = r.height - 4;
    let (x, y) = (r.x + 30, r.y + 3 + 4);
    // The first click selects, which shows the "scrolled" line and moves the list down.
    click(&mut app, x, y, now);
    let first = current(&app, 0);
    click(&mut app, x, y, now + Duration::from_millis(100));
    let Mode::Detail(view) = &app.mode else {
        panic!("the detail view opens: {:?}", app.mode);
    };
    assert_eq!(view.seq, 100 - rows as u64 + 4);
    assert_eq!(first, format!("event {}", view.seq + 1));
}

#[test]
fn two_clicks_further_apart_than_a_double_click_open_nothing() {
    let (mut app, now) = app(1);
    events(&mut app, 0, 100, now);
    let r = rect_of(&app, 0);
    click(&mut app, r.x + 30, r.y + 5, now);
    click(
        &mut app,
        r.x + 30,
        r.y + 5,
        now + DOUBLE_CLICK + Duration::from_millis(1),
    );
    assert_eq!(app.mode, Mode::Normal);
    // Nor two quick clicks on different rows.
    click(&mut app, r.x + 30, r.y + 8, now + Duration::from_secs(5));
    click(
        &mut app,
        r.x + 30,
        r.y + 12,
        now + Duration::from_millis(5100),
    );
    assert_eq!(app.mode, Mode::Normal);
}

#[test]
fn the_wheel_scrolls_the_list_under_the_pointer_and_back_down_to_following() {
    let (mut app, now) = app(2);
    events(&mut app, 1, 100, now);
    let r = rect_of(&app, 1);
    let (x, y) = (r.x + 10, r.y + 8);
    mouse(&mut app, MouseEventKind::ScrollUp, x, y, now);
    mouse(&mut app, MouseEventKind::ScrollUp, x, y, now);
    assert_eq!(app.focus, 0, "the wheel does not move the focus");
    let up = 2 * WHEEL_ROWS;
    assert_eq!(current(&app, 1), format!("event {}", 100 - up));
    mouse(&mut app, MouseEventKind::ScrollDown, x, y, now);
    assert_eq!(current(&app, 1), format!("event {}", 100 - WHEEL_ROWS));
    mouse(&mut app, MouseEventKind::ScrollDown, x, y, now);
    assert!(
        app.panes[1].is_following(),
        "down to the newest follows again"
    );
    // Pane 0 was never scrolled.
    assert!(app.panes[0].is_following());
}

#[test]
fn the_wheel_scrolls_the_detail_view_and_the_help() {
    let (mut app, now) = app(1);
    let long: String = (0..200).map(|i| format!("line {i}\n")).collect();
    let msg = FeedMsg::Event {
        event: Event::new("message", long.as_str(), "1"),
        at: SystemTime::now(),
    };
    app.update(Msg::Feed(FeedId(0), msg), now);
    app.update(
        Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
        now,
    );
    mouse(&mut app, MouseEventKind::ScrollDown, 10, 10, now);
    let Mode::Detail(view) = &app.mode else {
        panic!("detail: {:?}", app.mode);
    };
    assert_eq!(view.scroll, WHEEL_ROWS);

    app.update(Msg::Resize(80, 14), now);
    app.mode = Mode::Help { scroll: 0 };
    mouse(&mut app, MouseEventKind::ScrollDown, 10, 10, now);
    assert_eq!(app.mode, Mode::Help { scroll: WHEEL_ROWS });
}

#[test]
fn a_click_on_an_overview_row_selects_that_feed_and_a_double_click_opens_its_pane() {
    let (mut app, now) = app(30);
    assert_eq!(app.view, View::Overview, "30 feeds start in the overview");
    // Title bar, the table's border, its header: the first row is on screen row 3.
    let row = |k: u16| 3 + k;
    let feed_at = |app: &App, k: usize| app.overview.rows[k];
    click(&mut app, 20, row(4), now);
    assert_eq!(app.overview.cursor, Some(4));
    assert_eq!(app.focus, feed_at(&app, 4));
    assert_eq!(app.view, View::Overview);
    // The header and the border select nothing.
    click(&mut app, 20, 2, now + Duration::from_secs(1));
    click(&mut app, 0, row(6), now + Duration::from_secs(2));
    assert_eq!(app.overview.cursor, Some(4));
    let chosen = feed_at(&app, 7);
    click(&mut app, 20, row(7), now + Duration::from_secs(3));
    click(&mut app, 20, row(7), now + Duration::from_millis(3200));
    assert_eq!(app.view, View::Panes, "a double click opens the feed");
    assert_eq!(app.focus, chosen);
    assert!(app.zoomed);
}

#[test]
fn the_wheel_moves_the_overview_selection() {
    let (mut app, now) = app(30);
    click(&mut app, 20, 3, now);
    mouse(&mut app, MouseEventKind::ScrollDown, 20, 10, now);
    assert_eq!(app.overview.cursor, Some(WHEEL_ROWS));
    mouse(&mut app, MouseEventKind::ScrollUp, 20, 10, now);
    assert_eq!(app.overview.cursor, Some(0));
}

const WAIT: Duration = Duration::from_secs(20);

/// SGR mouse reports as a terminal sends them (1-based cells; `M` press, `m` release).
fn sgr(button: u8, column: u16, row: u16) -> String {
    format!(
        "\x1b[<{button};{};{}M\x1b[<{button};{};{}m",
        column + 1,
        row + 1,
        column + 1,
        row + 1
    )
}

fn wheel_up(column: u16, row: u16) -> String {
    format!("\x1b[<64;{};{}M", column + 1, row + 1)
}

/// Whether pane `n` has the focused (thick) border: its title follows a thick corner.
fn is_focused(screen: &str, n: usize) -> bool {
    let (thick, round) = (format!("┏ {n} "), format!("╭ {n} "));
    assert!(
        screen.contains(&thick) || screen.contains(&round),
        "pane {n} on screen:\n{screen}"
    );
    screen.contains(&thick)
}

fn ticks(name: &str, n: usize) -> Vec<Step> {
    let mut steps = vec![sse_head()];
    for i in 1..=n {
        steps.push(write(format!("data: {name} number {i}\n\n")));
    }
    steps.push(Step::Hold);
    steps
}

#[tokio::test(flavor = "multi_thread")]
async fn in_a_real_terminal_a_click_focuses_and_the_wheel_scrolls() {
    let left = TestServer::always(ticks("left", 3)).await;
    let right = TestServer::always(ticks("right", 60)).await;
    let (l, r) = (left.url("/left"), right.url("/right"));
    tokio::task::spawn_blocking(move || {
        // Two panes side by side on 120×30: the left one from column 0, the right from 60.
        let mut tui = Tui::start(&[&l, &r], 30, 120);
        let screen = tui.wait_text("right number 60", WAIT);
        tui.wait_text("left number 3", WAIT);
        assert!(
            is_focused(&screen, 1) && !is_focused(&screen, 2),
            "{screen}"
        );
        assert!(!screen.contains("right number 1 "), "{screen}");

        tui.keys(&sgr(0, 90, 10));
        let screen = tui.wait_for("the right pane focused", WAIT, |s| is_focused(s, 2));
        assert!(!is_focused(&screen, 1), "{screen}");
        assert!(
            !screen.contains("scrolled"),
            "a focusing click selects nothing"
        );

        // Twenty notches up (three rows each): the right pane shows its oldest events.
        for _ in 0..20 {
            tui.keys(&wheel_up(90, 15));
        }
        let screen = tui.wait_for("the oldest events", WAIT, |s| s.contains("right number 1 "));
        assert!(screen.contains("scrolled (G follows)"), "{screen}");
        assert!(!screen.contains("right number 60"), "{screen}");

        // Mouse reporting was asked for (clicks and wheel, SGR), and is given back on quit.
        tui.keys("q");
        assert_eq!(tui.wait_exit(WAIT), 0);
        let raw = String::from_utf8_lossy(&tui.raw()).into_owned();
        assert!(raw.contains("\x1b[?1000h\x1b[?1006h"), "mouse reporting on");
        let end = &raw[raw.rfind("\x1b[?1000h").unwrap()..];
        assert!(
            end.contains("\x1b[?1000l"),
            "mouse reporting off at the end"
        );
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn no_mouse_and_mouse_false_leave_the_mouse_to_the_terminal() {
    let server = TestServer::always(ticks("one", 3)).await;
    let (a, b) = (server.url("/a"), server.url("/b"));
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("feeds.toml");
    std::fs::write(
        &config,
        format!("mouse = false\n[[feed]]\nname = \"a\"\nurl = \"{a}\"\n[[feed]]\nname = \"b\"\nurl = \"{b}\"\n"),
    )
    .unwrap();
    let config = config.to_str().unwrap().to_string();
    tokio::task::spawn_blocking(move || {
        for args in [
            vec!["--no-mouse", a.as_str(), b.as_str()],
            vec!["--config", config.as_str()],
        ] {
            let mut tui = Tui::start(&args, 30, 120);
            tui.wait_text("one number 3", WAIT);
            // A click the terminal would not even send: it does nothing.
            tui.keys(&sgr(0, 90, 10));
            tui.keys("?");
            tui.wait_text("╔ Keys", WAIT);
            tui.keys("\x1b");
            let screen = tui.wait_for("the help closed", WAIT, |s| !s.contains("╔ Keys"));
            assert!(is_focused(&screen, 1), "{args:?}: {screen}");
            tui.keys("q");
            assert_eq!(tui.wait_exit(WAIT), 0);
            let raw = String::from_utf8_lossy(&tui.raw()).into_owned();
            assert!(
                !raw.contains("\x1b[?1000h"),
                "{args:?}: no mouse reporting asked"
            );
        }
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn kill_gives_the_mouse_back_to_the_terminal_too() {
    let server = TestServer::always(ticks("one", 3)).await;
    let url = server.url("/one");
    tokio::task::spawn_blocking(move || {
        let mut tui = Tui::start(&[&url], 20, 100);
        tui.wait_text("one number 3", WAIT);
        let sent = std::process::Command::new("kill")
            .args(["-TERM", &tui.pid().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
        assert_eq!(tui.wait_exit(WAIT), 143);
        let raw = String::from_utf8_lossy(&tui.raw()).into_owned();
        let on = raw.rfind("\x1b[?1000h").expect("mouse reporting was on");
        assert!(raw[on..].contains("\x1b[?1000l"), "and is off at the end");
    })
    .await
    .unwrap();
}

#[test]
fn mouse_in_the_config_is_a_top_level_boolean_that_check_shows() {
    use ssedash::config::{describe, parse};
    let feed = "[[feed]]\nname = \"a\"\nurl = \"http://127.0.0.1:1/a\"\n";
    let path = std::path::Path::new("feeds.toml");
    let off = parse(&format!("mouse = false\n{feed}"), path).unwrap();
    assert_eq!(off.mouse, Some(false));
    assert!(describe(&off).contains("mouse off"), "{}", describe(&off));
    assert_eq!(parse(feed, path).unwrap().mouse, None);
    let wrong = parse(&format!("mouse = \"no\"\n{feed}"), path).unwrap_err();
    let wrong = wrong.to_string();
    assert!(
        wrong.starts_with("feeds.toml:1:") && wrong.contains("true or false"),
        "{wrong}"
    );
    let in_feed = parse(&format!("{feed}mouse = false\n"), path).unwrap_err();
    assert!(
        in_feed.to_string().starts_with("feeds.toml:4:"),
        "{in_feed}"
    );
}

#[path = "support/screen.rs"]
mod screen;

/// A ticker shown as a board keyed by symbol, with a price column.
fn board_spec() -> FeedSpec {
    use ssedash::expr::Expr;
    use ssedash::view::{Align, BoardSort, Column, FeedExprs, ViewKind, ViewSpec};
    let jq = |src: &str| Expr::compile(src).unwrap();
    let mut s = FeedSpec::new("ticker", "http://127.0.0.1:7878/ticker".parse().unwrap());
    s.exprs = std::sync::Arc::new(FeedExprs {
        view: ViewSpec {
            kind: ViewKind::Board,
            key: Some(jq(".symbol")),
            columns: vec![Column {
                title: "price".into(),
                expr: jq(".price"),
                align: Align::Right,
            }],
            sort: BoardSort::Key,
            ..ViewSpec::default()
        },
        ..FeedExprs::default()
    });
    s
}

/// Where the screen shows `needle`: (column, row).
fn cell_of(screen: &str, needle: &str) -> (u16, u16) {
    let lines: Vec<&str> = screen.lines().collect();
    let row = lines
        .iter()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle:?} not on screen:\n{screen}"));
    let col = lines[row][..lines[row].find(needle).unwrap()]
        .chars()
        .count();
    // The TestBackend's text quotes each line: one column more.
    (col as u16 - 1, row as u16)
}

#[test]
fn a_click_on_a_board_row_selects_it_and_a_double_click_opens_its_latest_event() {
    let mut s = screen::Screen::with_specs(&[board_spec()], 100, 20);
    s.open(0, 0);
    for (i, (sym, price)) in [("ACME", 118.5), ("GLOBX", 42.25), ("NMBS", 240.0)]
        .into_iter()
        .enumerate()
    {
        let data = format!(r#"{{"symbol":"{sym}","price":{price}}}"#);
        s.event(0, "quote", &data, &i.to_string(), 100 * i as u64);
    }
    let selected = |s: &screen::Screen| {
        let board = s.app.panes[0].board.as_ref().unwrap();
        board.current().map(|r| r.key.clone())
    };
    // Where the drawn screen shows GLOBX's row is where a click selects it.
    let (x, y) = cell_of(&screen::text(&s.draw(1000)), "GLOBX");
    let now = s.at(1000);
    click(&mut s.app, x, y, now);
    assert_eq!(selected(&s).as_deref(), Some("GLOBX"));
    let (x, y) = cell_of(&screen::text(&s.draw(2000)), "NMBS");
    let at = s.at(2000);
    click(&mut s.app, x + 5, y, at);
    assert_eq!(selected(&s).as_deref(), Some("NMBS"));
    let at = s.at(2100);
    click(&mut s.app, x + 5, y, at);
    let Mode::Detail(view) = &s.app.mode else {
        panic!("the detail view opens: {:?}", s.app.mode);
    };
    assert_eq!(view.seq, 2, "NMBS's latest event");
    // The header selects nothing.
    s.key(KeyCode::Esc, 3000);
    let (x, y) = cell_of(&screen::text(&s.draw(3000)), "price");
    let at = s.at(3000);
    click(&mut s.app, x, y, at);
    assert_eq!(selected(&s).as_deref(), Some("NMBS"));
}

#[test]
fn a_click_selects_the_event_drawn_on_the_row_clicked() {
    let mut s = screen::Screen::new(&["feed"], 100, 20);
    s.open(0, 0);
    for i in 1..=40 {
        s.event(0, "message", &format!("event number {i} here"), "", 10 * i);
    }
    let (x, y) = cell_of(&screen::text(&s.draw(1000)), "event number 30 here");
    let at = s.at(1000);
    click(&mut s.app, x, y, at);
    assert_eq!(current(&s.app, 0), "event number 30 here");
    // The list moved to centre the selection; a click still hits what is drawn there.
    let (x, y) = cell_of(&screen::text(&s.draw(5000)), "event number 26 here");
    let at = s.at(5000);
    click(&mut s.app, x, y, at);
    assert_eq!(current(&s.app, 0), "event number 26 here");
}
