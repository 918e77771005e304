//! What a buffered event costs in a pane, in heap bytes, counted by this test binary's own
//! allocator: at most its data + 96 bytes, everything the pane keeps per event included
//! (its text, its slot in the ring, its entry in the filtered list).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::Arc;
use std::time::{Instant, SystemTime};

use ssedash::feed::FeedSpec;
use ssedash::sse::Event;
use ssedash::tui::pane::Pane;

/// Counts the bytes this thread has allocated and not freed (other test threads do not count).
struct Counting;

thread_local! {
    static NET: Cell<isize> = const { Cell::new(0) };
}

fn add(n: isize) {
    // `try_with`: the thread-local may already be gone while a thread exits.
    let _ = NET.try_with(|c| c.set(c.get() + n));
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        add(layout.size() as isize);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        add(-(layout.size() as isize));
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        add(layout.size() as isize);
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        add(new_size as isize - layout.size() as isize);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static COUNTING: Counting = Counting;

fn heap() -> isize {
    NET.with(Cell::get)
}

const BUFFER: usize = 5_000;
const DATA_BYTES: usize = 95;

/// A quote like the benchmark's: 95 bytes of JSON on one line.
fn quote(i: usize) -> String {
    let data = format!(
        r#"{{"symbol":"ACME","price":{}.{:02},"size":{},"ts":"2026-11-30T03:{:02}:{:02}.{:03}Z","x":"#,
        100 + i % 900,
        i % 100,
        i % 1000,
        i / 60_000 % 60,
        i / 1000 % 60,
        i % 1000
    );
    let data = format!("{data}{}}}", "1".repeat(DATA_BYTES - 1 - data.len()));
    assert_eq!(data.len(), DATA_BYTES);
    data
}

fn push(pane: &mut Pane, event_type: &Arc<str>, i: usize, now: Instant) {
    // A fixed-width id, so every event holds the same number of bytes.
    let event = Event::new(event_type.clone(), quote(i), format!("{i:08}"));
    pane.on_event(event, SystemTime::now(), now);
}

#[test]
fn a_buffered_95_byte_event_costs_at_most_its_data_plus_96_heap_bytes_and_a_long_run_stays_flat() {
    measure(None);
}

#[test]
fn with_a_text_filter_on_a_buffered_event_still_costs_at_most_its_data_plus_96_heap_bytes() {
    // The filtered list then holds each event's `seq` (8 bytes more).
    measure(Some("acme"));
}

fn measure(filter: Option<&str>) {
    let now = Instant::now();
    let mut spec = FeedSpec::new("quotes", "http://127.0.0.1:1/q".parse().unwrap());
    spec.buffer = BUFFER;
    let event_type: Arc<str> = Arc::from("quote");
    let mut pane = Pane::new(&spec, now);
    if let Some(pattern) = filter {
        pane.set_filter(pattern);
    }
    // The first event pays for the pane's fixed parts (type table, counters), not per event.
    push(&mut pane, &event_type, 0, now);
    let before = heap();
    for i in 1..BUFFER {
        push(&mut pane, &event_type, i, now);
    }
    let full = heap();
    assert_eq!(pane.events.len(), BUFFER);
    assert_eq!(pane.shown_len(), BUFFER);
    let per_event = (full - before) as f64 / (BUFFER - 1) as f64;
    eprintln!(
        "filter {filter:?}: {per_event:.1} heap bytes per buffered event of {DATA_BYTES} data bytes (+{:.1})",
        per_event - DATA_BYTES as f64
    );
    assert!(
        per_event <= (DATA_BYTES + 96) as f64,
        "{per_event:.1} bytes per event, over {DATA_BYTES} + 96"
    );

    // Ten times the buffer more through the full ring: the oldest go, nothing grows. (The
    // text is kept in 16 KiB chunks, so the heap can differ by one chunk from one moment to
    // the next.)
    for i in BUFFER..2 * BUFFER {
        push(&mut pane, &event_type, i, now);
    }
    let steady = heap();
    for i in 2 * BUFFER..12 * BUFFER {
        push(&mut pane, &event_type, i, now);
    }
    assert_eq!(pane.events.len(), BUFFER);
    assert_eq!(pane.evicted, 11 * BUFFER as u64);
    let after = heap();
    eprintln!("heap at 10,000 events in: {steady} B; at 60,000: {after} B");
    assert!(
        after <= steady + 16 * 1024,
        "the heap grew from {steady} to {after} bytes over a full ring"
    );
}
