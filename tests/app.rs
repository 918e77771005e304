//! `App::update` with no terminal: what a key press or a feed message does to the dashboard.

use std::time::{Duration, Instant, SystemTime};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ssedash::feed::{Command, ConnState, FeedId, FeedMsg, FeedSpec, StateChange};
use ssedash::sse::Event;
use ssedash::tui::app::{Action, App, Mode, Msg};
use ssedash::tui::theme;

fn spec(name: &str, buffer: usize) -> FeedSpec {
    let mut s = FeedSpec::new(name, format!("http://127.0.0.1:1/{name}").parse().unwrap());
    s.buffer = buffer;
    s
}

fn app(feeds: &[&str]) -> (App, Instant) {
    let now = Instant::now();
    let specs: Vec<_> = feeds.iter().map(|n| spec(n, 100)).collect();
    let themes = theme::load_all(None, false).unwrap();
    let mut app = App::new(&specs, themes, 0, now);
    app.update(Msg::Resize(160, 48), now);
    (app, now)
}

fn event(app: &mut App, feed: usize, kind: &str, data: &str, id: &str, now: Instant) {
    let msg = FeedMsg::Event {
        event: Event::new(kind, data, id),
        at: SystemTime::now(),
    };
    app.update(Msg::Feed(FeedId(feed), msg), now);
}

fn state(
    app: &mut App,
    feed: usize,
    state: ConnState,
    attempt: u32,
    reason: Option<&str>,
    now: Instant,
) {
    let change = StateChange {
        state,
        attempt,
        status: None,
        reason: reason.map(String::from),
        at: SystemTime::now(),
    };
    app.update(Msg::Feed(FeedId(feed), FeedMsg::State(change)), now);
}

fn key(app: &mut App, code: KeyCode, now: Instant) -> Option<Action> {
    app.update(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)), now)
}

fn with(app: &mut App, code: KeyCode, mods: KeyModifiers, now: Instant) -> Option<Action> {
    app.update(Msg::Key(KeyEvent::new(code, mods)), now)
}

fn chars(app: &mut App, s: &str, now: Instant) {
    for c in s.chars() {
        key(app, KeyCode::Char(c), now);
    }
}

fn shown_data(app: &App, pane: usize) -> Vec<String> {
    let p = &app.panes[pane];
    p.shown()
        .map(|s| p.event(s).unwrap().data.to_string())
        .collect()
}

#[test]
fn counters_stay_exact_when_the_buffer_drops_old_events() {
    let (mut app, now) = app(&["a"]);
    app.panes[0].capacity = 3;
    for i in 0..10 {
        let kind = if i % 2 == 0 { "quote" } else { "halt" };
        event(&mut app, 0, kind, &format!("{i}"), &format!("{i}"), now);
    }
    let p = &app.panes[0];
    assert_eq!(p.total, 10);
    assert_eq!(p.events.len(), 3);
    assert_eq!(p.evicted, 7);
    assert_eq!(p.by_type.get("quote").copied(), Some(5));
    assert_eq!(p.by_type.get("halt").copied(), Some(5));
    assert_eq!(&*p.last_event_id, "9");
    assert_eq!(shown_data(&app, 0), ["7", "8", "9"]);
}

#[test]
fn a_feed_inventing_types_fills_other_not_memory() {
    let (mut app, now) = app(&["a"]);
    for i in 0..1000 {
        event(&mut app, 0, &format!("type-{i}"), "x", "", now);
    }
    let p = &app.panes[0];
    assert_eq!(p.by_type.len(), ssedash::tui::pane::MAX_TYPES);
    assert_eq!(p.other_types, 1000 - ssedash::tui::pane::MAX_TYPES as u64);
}

#[test]
fn text_filter_is_a_smart_case_regex_and_esc_clears_it() {
    let (mut app, now) = app(&["a"]);
    for d in [
        "GET /api 200",
        "POST /api 500",
        "get /health 200",
        "timeout after 30s",
    ] {
        event(&mut app, 0, "log", d, "", now);
    }
    key(&mut app, KeyCode::Char('/'), now);
    chars(&mut app, "get", now);
    assert_eq!(shown_data(&app, 0), ["GET /api 200", "get /health 200"]);
    key(&mut app, KeyCode::Backspace, now);
    key(&mut app, KeyCode::Backspace, now);
    key(&mut app, KeyCode::Backspace, now);
    chars(&mut app, "5\\d\\d|timeout", now);
    assert_eq!(shown_data(&app, 0), ["POST /api 500", "timeout after 30s"]);
    key(&mut app, KeyCode::Enter, now);
    assert_eq!(app.mode, Mode::Normal);
    // New events are filtered as they arrive.
    event(&mut app, 0, "log", "DELETE /x 503", "", now);
    event(&mut app, 0, "log", "GET /y 200", "", now);
    assert_eq!(shown_data(&app, 0).len(), 3);
    key(&mut app, KeyCode::Esc, now);
    assert_eq!(shown_data(&app, 0).len(), 6);
}

#[test]
fn invalid_regex_is_an_error_shown_not_a_crash() {
    let (mut app, now) = app(&["a"]);
    event(&mut app, 0, "log", "cost (total", "", now);
    event(&mut app, 0, "log", "other", "", now);
    key(&mut app, KeyCode::Char('/'), now);
    chars(&mut app, "(total", now);
    let filter = app.panes[0].filter.as_ref().unwrap();
    assert!(filter.error().is_some());
    assert_eq!(
        shown_data(&app, 0),
        ["cost (total"],
        "falls back to plain text"
    );
}

#[test]
fn type_picker_hides_and_shows_types() {
    let (mut app, now) = app(&["a"]);
    for (k, d) in [
        ("quote", "1"),
        ("quote", "2"),
        ("quote", "3"),
        ("halt", "h"),
        ("news", "n"),
    ] {
        event(&mut app, 0, k, d, "", now);
    }
    key(&mut app, KeyCode::Char('t'), now);
    assert!(matches!(app.mode, Mode::Types { cursor: 0, .. }));
    // Most frequent first: quote is at the cursor.
    key(&mut app, KeyCode::Char(' '), now);
    assert_eq!(shown_data(&app, 0), ["h", "n"]);
    key(&mut app, KeyCode::Char('j'), now);
    key(&mut app, KeyCode::Char('o'), now);
    let shown = shown_data(&app, 0);
    assert_eq!(shown.len(), 1, "only one type shown: {shown:?}");
    // "Only" is an allow-list: a type that arrives later stays hidden.
    event(&mut app, 0, "brand-new", "later", "", now);
    assert_eq!(shown_data(&app, 0).len(), 1);
    key(&mut app, KeyCode::Char('a'), now);
    assert_eq!(shown_data(&app, 0).len(), 6);
    key(&mut app, KeyCode::Esc, now);
    assert_eq!(app.mode, Mode::Normal);
}

#[test]
fn pause_freezes_the_view_while_events_keep_counting() {
    let (mut app, now) = app(&["a"]);
    event(&mut app, 0, "m", "1", "", now);
    key(&mut app, KeyCode::Char(' '), now);
    event(&mut app, 0, "m", "2", "", now);
    event(&mut app, 0, "m", "3", "", now);
    let p = &app.panes[0];
    assert_eq!(shown_data(&app, 0), ["1"]);
    assert_eq!(p.waiting_while_paused(), 2);
    assert_eq!(p.total, 3);
    key(&mut app, KeyCode::Char(' '), now);
    assert_eq!(shown_data(&app, 0), ["1", "2", "3"]);
    assert_eq!(app.panes[0].waiting_while_paused(), 0);
}

#[test]
fn scrolling_stops_following_and_g_resumes() {
    let (mut app, now) = app(&["a"]);
    for i in 0..50 {
        event(&mut app, 0, "m", &i.to_string(), "", now);
    }
    assert!(app.panes[0].is_following());
    key(&mut app, KeyCode::Char('k'), now);
    key(&mut app, KeyCode::Char('k'), now);
    assert!(!app.panes[0].is_following());
    assert_eq!(app.panes[0].current_event().unwrap().data, "47");
    event(&mut app, 0, "m", "new", "", now);
    assert_eq!(
        app.panes[0].current_event().unwrap().data,
        "47",
        "selection stays put"
    );
    key(&mut app, KeyCode::Char('g'), now);
    assert_eq!(app.panes[0].current_event().unwrap().data, "0");
    key(&mut app, KeyCode::PageDown, now);
    assert!(
        app.panes[0]
            .current_event()
            .unwrap()
            .data
            .parse::<u32>()
            .unwrap()
            > 10
    );
    key(&mut app, KeyCode::Char('G'), now);
    assert!(app.panes[0].is_following());
    assert_eq!(app.panes[0].current_event().unwrap().data, "new");
}

#[test]
fn focus_moves_with_tab_and_digits() {
    let (mut app, now) = app(&["a", "b", "c"]);
    key(&mut app, KeyCode::Tab, now);
    assert_eq!(app.focus, 1);
    key(&mut app, KeyCode::BackTab, now);
    key(&mut app, KeyCode::BackTab, now);
    assert_eq!(app.focus, 2);
    key(&mut app, KeyCode::Char('1'), now);
    assert_eq!(app.focus, 0);
    key(&mut app, KeyCode::Char('9'), now);
    assert_eq!(app.focus, 0, "no ninth pane");
    // Keys act on the focused pane only.
    event(&mut app, 0, "m", "x", "", now);
    event(&mut app, 1, "m", "y", "", now);
    key(&mut app, KeyCode::Char('2'), now);
    key(&mut app, KeyCode::Char('c'), now);
    assert_eq!(app.panes[1].events.len(), 0);
    assert_eq!(app.panes[0].events.len(), 1);
    assert_eq!(app.panes[1].total, 1, "clearing keeps the counters");
}

#[test]
fn reconnect_and_disconnect_keys_become_feed_commands() {
    let (mut app, now) = app(&["a", "b"]);
    key(&mut app, KeyCode::Tab, now);
    assert_eq!(
        key(&mut app, KeyCode::Char('r'), now),
        Some(Action::Feed(FeedId(1), Command::ReconnectNow))
    );
    assert_eq!(
        key(&mut app, KeyCode::Char('d'), now),
        Some(Action::Feed(FeedId(1), Command::Disconnect))
    );
    state(&mut app, 1, ConnState::Closed, 1, Some("disconnected"), now);
    assert_eq!(
        key(&mut app, KeyCode::Char('d'), now),
        Some(Action::Feed(FeedId(1), Command::Connect))
    );
    assert_eq!(key(&mut app, KeyCode::Char('q'), now), Some(Action::Quit));
    let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
    key(&mut app, KeyCode::Char('/'), now);
    assert_eq!(
        app.update(Msg::Key(ctrl_c), now),
        Some(Action::Quit),
        "even while typing"
    );
}

#[test]
fn countdown_and_reconnects_follow_the_feed_state() {
    let (mut app, now) = app(&["a"]);
    state(&mut app, 0, ConnState::Connecting, 1, None, now);
    state(&mut app, 0, ConnState::Open, 1, None, now);
    let retry_at = now + Duration::from_millis(4200);
    state(
        &mut app,
        0,
        ConnState::Waiting {
            retry_at,
            delay: Duration::from_millis(4200),
        },
        2,
        Some("HTTP 503"),
        now,
    );
    let p = &app.panes[0];
    assert_eq!(p.countdown(now), Some(Duration::from_millis(4200)));
    assert_eq!(
        p.countdown(now + Duration::from_secs(1)),
        Some(Duration::from_millis(3200))
    );
    // While counting down, the screen wakes every tenth of a second to redraw it.
    let wake = app.next_wake(now).unwrap();
    assert!(wake <= now + Duration::from_millis(100), "{:?}", wake - now);
    state(
        &mut app,
        0,
        ConnState::Connecting,
        2,
        None,
        now + Duration::from_millis(4200),
    );
    assert_eq!(app.panes[0].reconnects, 1);
}

#[test]
fn an_idle_dashboard_with_nothing_time_based_does_not_wake() {
    let (mut app, now) = app(&["a"]);
    state(&mut app, 0, ConnState::Closed, 1, Some("HTTP 204"), now);
    assert_eq!(app.next_wake(now), None);
    state(&mut app, 0, ConnState::Open, 1, None, now);
    // An open feed shows its uptime in seconds: one wake a second.
    let wake = app.next_wake(now + Duration::from_millis(300)).unwrap();
    assert_eq!(wake, now + Duration::from_secs(1));
}

#[test]
fn enter_inspects_the_selected_event_and_n_p_step() {
    let (mut app, now) = app(&["a"]);
    for d in ["{\"a\":1}", "two", "three"] {
        event(&mut app, 0, "m", d, "", now);
    }
    key(&mut app, KeyCode::Char('k'), now);
    key(&mut app, KeyCode::Enter, now);
    let Mode::Detail(ref view) = app.mode else {
        panic!("detail view expected, got {:?}", app.mode);
    };
    assert_eq!(app.panes[0].event(view.seq).unwrap().data, "two");
    key(&mut app, KeyCode::Char('p'), now);
    let Mode::Detail(ref view) = app.mode else {
        panic!("still the detail view, got {:?}", app.mode);
    };
    assert_eq!(app.panes[0].event(view.seq).unwrap().data, "{\"a\":1}");
    // Scrolling stays within the content.
    for _ in 0..100 {
        key(&mut app, KeyCode::Char('j'), now);
    }
    let Mode::Detail(ref view) = app.mode else {
        panic!()
    };
    // The content fits on the screen, so nothing scrolls it off.
    assert_eq!(view.scroll, 0);
    key(&mut app, KeyCode::Esc, now);
    assert_eq!(app.mode, Mode::Normal);
}

#[test]
fn theme_key_cycles_and_says_which() {
    let (mut app, now) = app(&["a"]);
    key(&mut app, KeyCode::Char('T'), now);
    assert_eq!(app.theme().name, "light");
    assert_eq!(app.notice.as_ref().unwrap().0, "theme: light");
    key(&mut app, KeyCode::Char('T'), now);
    key(&mut app, KeyCode::Char('T'), now);
    assert_eq!(app.theme().name, "dark");
}

#[test]
fn zoom_and_help_toggle() {
    let (mut app, now) = app(&["a", "b", "c", "d"]);
    assert_eq!(app.layout().slots.len(), 4);
    key(&mut app, KeyCode::Char('z'), now);
    assert_eq!(app.layout().slots.len(), 1);
    key(&mut app, KeyCode::Char('?'), now);
    assert_eq!(app.mode, Mode::Help { scroll: 0 });
    key(&mut app, KeyCode::Esc, now);
    assert_eq!(app.mode, Mode::Normal);
}

#[test]
fn big_events_are_bounded_by_bytes_too() {
    let (mut app, now) = app(&["a"]);
    app.panes[0].capacity = 1000;
    app.panes[0].capacity_bytes = 10_000;
    let big = "x".repeat(3000);
    for i in 0..10 {
        event(&mut app, 0, "blob", &big, &i.to_string(), now);
    }
    let p = &app.panes[0];
    assert_eq!(
        p.events.len(),
        3,
        "only what fits in the byte budget is kept"
    );
    // What each event holds counts: its data and its one-digit id (the type `blob` is shared
    // by the pane's type table, not held per event).
    assert_eq!(p.kept_bytes, 3 * (3000 + 1));
    assert_eq!(p.evicted, 7);
    assert_eq!(p.total, 10);
}

#[test]
fn the_type_picker_keeps_its_order_while_counts_change() {
    let (mut app, now) = app(&["a"]);
    event(&mut app, 0, "b", "1", "", now);
    event(&mut app, 0, "b", "2", "", now);
    event(&mut app, 0, "a", "3", "", now);
    key(&mut app, KeyCode::Char('t'), now);
    // `a` overtakes `b` while the picker is open; the row under the cursor is still `b`.
    for i in 0..5 {
        event(&mut app, 0, "a", &i.to_string(), "", now);
    }
    key(&mut app, KeyCode::Char(' '), now);
    assert!(!app.panes[0].types_shown.shows("b"));
    assert!(app.panes[0].types_shown.shows("a"));
}

#[test]
fn ctrl_d_ctrl_z_and_ctrl_r_fire_no_binding() {
    let (mut app, now) = app(&["a", "b"]);
    let ctrl = KeyModifiers::CONTROL;
    assert_eq!(with(&mut app, KeyCode::Char('d'), ctrl, now), None);
    assert_eq!(with(&mut app, KeyCode::Char('r'), ctrl, now), None);
    assert_eq!(with(&mut app, KeyCode::Char('z'), ctrl, now), None);
    assert_eq!(
        with(&mut app, KeyCode::Char('q'), KeyModifiers::ALT, now),
        None
    );
    assert_eq!(with(&mut app, KeyCode::Tab, ctrl, now), None);
    assert!(!app.zoomed);
    assert_eq!(app.focus, 0);
    assert_eq!(app.mode, Mode::Normal);
    // The same keys bare do what they say.
    assert_eq!(
        key(&mut app, KeyCode::Char('d'), now),
        Some(Action::Feed(FeedId(0), Command::Disconnect))
    );
    key(&mut app, KeyCode::Char('z'), now);
    assert!(app.zoomed);
    // Ctrl-C quits in every mode.
    key(&mut app, KeyCode::Char('/'), now);
    assert_eq!(
        with(&mut app, KeyCode::Char('c'), ctrl, now),
        Some(Action::Quit)
    );
}

#[test]
fn shift_as_upper_case_symbols_and_back_tab_imply_is_allowed() {
    let (mut app, now) = app(&["a", "b"]);
    let shift = KeyModifiers::SHIFT;
    with(&mut app, KeyCode::Char('T'), shift, now);
    assert_eq!(app.theme().name, "light");
    with(&mut app, KeyCode::BackTab, shift, now);
    assert_eq!(app.focus, 1);
    with(&mut app, KeyCode::Char('?'), shift, now);
    assert_eq!(app.mode, Mode::Help { scroll: 0 });
    // Shift with a key that has no upper case fires nothing.
    key(&mut app, KeyCode::Esc, now);
    with(&mut app, KeyCode::Enter, shift, now);
    assert_eq!(app.mode, Mode::Normal);
}

fn filter_text(app: &App) -> String {
    match &app.mode {
        Mode::Filter { input, .. } => input.text().to_string(),
        other => panic!("filter prompt expected, got {other:?}"),
    }
}

#[test]
fn the_filter_prompt_edits_at_the_cursor_and_ctrl_keys_type_nothing() {
    let (mut app, now) = app(&["a"]);
    let ctrl = KeyModifiers::CONTROL;
    key(&mut app, KeyCode::Char('/'), now);
    chars(&mut app, "eror 503", now);
    for _ in 0..6 {
        key(&mut app, KeyCode::Left, now);
    }
    chars(&mut app, "r", now);
    assert_eq!(filter_text(&app), "error 503");
    with(&mut app, KeyCode::Char('e'), ctrl, now);
    with(&mut app, KeyCode::Char('w'), ctrl, now);
    assert_eq!(filter_text(&app), "error ");
    with(&mut app, KeyCode::Char('a'), ctrl, now);
    key(&mut app, KeyCode::Delete, now);
    assert_eq!(filter_text(&app), "rror ");
    with(&mut app, KeyCode::Char('k'), ctrl, now);
    assert_eq!(filter_text(&app), "");
    chars(&mut app, "one two", now);
    with(&mut app, KeyCode::Char('b'), KeyModifiers::ALT, now);
    with(&mut app, KeyCode::Char('u'), ctrl, now);
    assert_eq!(filter_text(&app), "two");
    // The pane filters by what the prompt holds, not by the keys typed.
    assert_eq!(app.panes[0].filter.as_ref().unwrap().pattern, "two");
    key(&mut app, KeyCode::End, now);
    key(&mut app, KeyCode::Backspace, now);
    key(&mut app, KeyCode::Home, now);
    chars(&mut app, "x", now);
    assert_eq!(filter_text(&app), "xtw");
}

#[test]
fn up_and_down_in_the_filter_prompt_recall_this_sessions_filters() {
    let (mut app, now) = app(&["a"]);
    for f in ["first", "second"] {
        key(&mut app, KeyCode::Char('/'), now);
        with(&mut app, KeyCode::Char('u'), KeyModifiers::CONTROL, now);
        chars(&mut app, f, now);
        key(&mut app, KeyCode::Enter, now);
    }
    key(&mut app, KeyCode::Char('/'), now);
    with(&mut app, KeyCode::Char('u'), KeyModifiers::CONTROL, now);
    chars(&mut app, "draft", now);
    key(&mut app, KeyCode::Up, now);
    assert_eq!(filter_text(&app), "second");
    assert_eq!(app.panes[0].filter.as_ref().unwrap().pattern, "second");
    key(&mut app, KeyCode::Up, now);
    key(&mut app, KeyCode::Up, now);
    assert_eq!(filter_text(&app), "first");
    key(&mut app, KeyCode::Down, now);
    assert_eq!(filter_text(&app), "second");
    key(&mut app, KeyCode::Down, now);
    assert_eq!(filter_text(&app), "draft");
}

#[test]
fn g_in_the_detail_view_stops_at_the_last_full_page() {
    let (mut app, now) = app(&["a"]);
    app.update(Msg::Resize(60, 20), now);
    let data: Vec<String> = (0..100).map(|i| format!("line {i}")).collect();
    event(&mut app, 0, "m", &data.join("\n"), "", now);
    key(&mut app, KeyCode::Enter, now);
    key(&mut app, KeyCode::Char('G'), now);
    let Mode::Detail(ref view) = app.mode else {
        panic!("detail view expected, got {:?}", app.mode);
    };
    let page = app.detail_rows();
    assert_eq!(page, 16);
    assert_eq!(
        view.scroll + page,
        view.rows.len(),
        "the last row is at the bottom"
    );
    let end = view.scroll;
    key(&mut app, KeyCode::Char('j'), now);
    let Mode::Detail(ref after) = app.mode else {
        panic!()
    };
    assert_eq!(after.scroll, end, "j past the end does not scroll on");
}

#[test]
fn the_detail_view_wraps_long_data_at_the_screen_width_and_again_on_resize() {
    let (mut app, now) = app(&["a"]);
    app.update(Msg::Resize(62, 20), now);
    event(&mut app, 0, "m", &"x".repeat(2000), "", now);
    key(&mut app, KeyCode::Enter, now);
    let rows = |app: &App| match &app.mode {
        Mode::Detail(view) => view
            .rows
            .iter()
            .map(|r| r.iter().map(|(_, s)| s.as_str()).collect::<String>())
            .collect::<Vec<_>>(),
        other => panic!("detail view expected, got {other:?}"),
    };
    let raw: Vec<String> = rows(&app)
        .into_iter()
        .skip_while(|r| !r.contains("raw data"))
        .skip(1)
        .collect();
    assert_eq!(raw[0], "x".repeat(60));
    assert_eq!(raw[1], format!("↪{}", "x".repeat(59)));
    // 2000 = 60 + 32 × 59 + 52: no row is longer than the screen, none cut at 512.
    assert_eq!(raw.len(), 34);
    assert!(raw.iter().all(|r| r.chars().count() <= 60));
    app.update(Msg::Resize(102, 20), now);
    let raw: Vec<String> = rows(&app)
        .into_iter()
        .skip_while(|r| !r.contains("raw data"))
        .skip(1)
        .collect();
    assert_eq!(raw[0], "x".repeat(100));
}

#[test]
fn the_help_scrolls_on_a_small_screen_to_its_last_line() {
    let (mut app, now) = app(&["a"]);
    app.update(Msg::Resize(44, 11), now);
    key(&mut app, KeyCode::Char('?'), now);
    for _ in 0..100 {
        key(&mut app, KeyCode::Char('j'), now);
    }
    let Mode::Help { scroll } = app.mode else {
        panic!("help expected, got {:?}", app.mode);
    };
    assert_eq!(scroll, ssedash::tui::help::max_scroll(44, 11));
    assert_eq!(
        scroll + ssedash::tui::help::rows_shown(44, 11),
        ssedash::tui::help::lines(44)
    );
    key(&mut app, KeyCode::Char('k'), now);
    assert_eq!(app.mode, Mode::Help { scroll: scroll - 1 });
    key(&mut app, KeyCode::Char('q'), now);
    assert_eq!(app.mode, Mode::Normal);
}

#[test]
fn brackets_turn_pages_and_f_focuses_the_next_failed_or_waiting_feed() {
    let names: Vec<String> = (0..20).map(|i| format!("f{i}")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let (mut app, now) = app(&refs);
    app.update(Msg::Resize(100, 30), now);
    // 20 feeds do not fit one page: the dashboard starts in the overview; `o` shows panes.
    key(&mut app, KeyCode::Char('o'), now);
    let per_page = app.layout().slots.len();
    assert!(per_page < 20);
    key(&mut app, KeyCode::Char(']'), now);
    assert_eq!(app.focus, per_page);
    assert_eq!(app.layout().page, 1);
    key(&mut app, KeyCode::Char('['), now);
    assert_eq!(app.focus, 0);
    key(&mut app, KeyCode::Char('['), now);
    assert_eq!(
        app.layout().page,
        app.layout().pages - 1,
        "round to the last page"
    );

    key(&mut app, KeyCode::Char('1'), now);
    key(&mut app, KeyCode::Char('f'), now);
    assert_eq!(app.focus, 0, "nothing in trouble: focus stays");
    assert!(app.notice.is_some());
    state(
        &mut app,
        17,
        ConnState::Failed,
        1,
        Some("HTTP 404 Not Found"),
        now,
    );
    let retry_at = now + Duration::from_secs(5);
    state(
        &mut app,
        3,
        ConnState::Waiting {
            retry_at,
            delay: Duration::from_secs(5),
        },
        2,
        Some("connection refused"),
        now,
    );
    key(&mut app, KeyCode::Char('f'), now);
    assert_eq!(app.focus, 3);
    key(&mut app, KeyCode::Char('f'), now);
    assert_eq!(app.focus, 17);
    key(&mut app, KeyCode::Char('f'), now);
    assert_eq!(app.focus, 3, "round again");
}

#[test]
fn the_text_filter_searches_the_id_too() {
    let (mut app, now) = app(&["a"]);
    event(&mut app, 0, "m", "payload", "order-17", now);
    event(&mut app, 0, "m", "payload", "order-18", now);
    key(&mut app, KeyCode::Char('/'), now);
    chars(&mut app, "order-18", now);
    assert_eq!(app.panes[0].shown_len(), 1);
    let p = &app.panes[0];
    let seq = p.shown().next().unwrap();
    assert_eq!(p.event(seq).unwrap().id, "order-18");
}

#[test]
fn a_huge_type_and_id_get_short_list_labels() {
    let (mut app, now) = app(&["a"]);
    let kind = format!("{}\x1b", "t".repeat(100_000));
    let id = "i\n".repeat(100_000);
    event(&mut app, 0, &kind, "data", &id, now);
    let p = &app.panes[0];
    let e = p.event(p.shown().next().unwrap()).unwrap();
    assert_eq!(e.type_label(), format!("{}…", "t".repeat(19)));
    assert_eq!(e.id_label(), r"i\ni\ni\ni\ni\n…");
    assert_eq!(e.type_label().chars().count(), 20);
    assert_eq!(e.id_label().chars().count(), 16);
}
