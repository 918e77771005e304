//! The rules of the WHATWG "parsing an event stream" algorithm, in our own words, checked byte by
//! byte against `ssedash::sse`, plus the project's own rules (truncation, bounded memory, what
//! carries over to the next connection) and two properties: chunking never changes the result, and
//! a plain line-by-line model of the spec agrees with the incremental parser.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use bytes::Bytes;
use proptest::prelude::*;
use ssedash::sse::{Event, Item, MAX_ID_BYTES, MAX_TYPE_BYTES, Parser, is_event_stream, parse_all};

/// Large enough that no test below is cut by it unless it means to be.
const BIG: usize = 1 << 20;

fn parse(body: &[u8]) -> Vec<Item> {
    parse_all(body, BIG)
}

fn push_chunks(parser: &mut Parser, chunks: &[&[u8]]) -> Vec<Item> {
    let mut items = Vec::new();
    for chunk in chunks {
        parser.push(chunk, &mut |item| items.push(item));
    }
    items
}

fn parse_chunks(chunks: &[&[u8]]) -> Vec<Item> {
    push_chunks(&mut Parser::new(BIG), chunks)
}

fn event(event_type: &str, data: &str, id: &str) -> Item {
    Item::Event(Event::new(event_type, data, id))
}

fn message(data: &str) -> Item {
    event("message", data, "")
}

fn comment(text: &str) -> Item {
    Item::Comment(text.to_string())
}

fn last_event_id(id: &str) -> Item {
    Item::LastEventId(id.into())
}

fn events(items: &[Item]) -> Vec<&Event> {
    items
        .iter()
        .filter_map(|item| match item {
            Item::Event(event) => Some(event),
            _ => None,
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Line ends

#[test]
fn lf_ends_a_line() {
    assert_eq!(parse(b"data: a\n\n"), [message("a")]);
}

#[test]
fn crlf_ends_a_line() {
    assert_eq!(parse(b"data: a\r\n\r\n"), [message("a")]);
}

#[test]
fn a_lone_cr_ends_a_line() {
    assert_eq!(parse(b"data: a\r\r"), [message("a")]);
}

#[test]
fn the_three_line_ends_mix_in_one_event() {
    assert_eq!(
        parse(b"data: a\rdata: b\ndata: c\r\ndata: d\r\n\r"),
        [message("a\nb\nc\nd")]
    );
}

#[test]
fn lf_then_cr_is_two_line_ends_not_one() {
    // Only CR followed by LF is a pair; LF CR ends a line and then an empty line.
    assert_eq!(
        parse(b"data: a\n\rdata: b\n\n"),
        [message("a"), message("b")]
    );
}

#[test]
fn crlf_split_across_two_pushes_counts_once() {
    let items = parse_chunks(&[b"data: a\r", b"\ndata: b\r\n\r\n"]);
    assert_eq!(items, [message("a\nb")]);
}

#[test]
fn crlf_blank_line_split_across_two_pushes_dispatches_once() {
    let items = parse_chunks(&[b"data: a\r\n\r", b"\ndata: b\r\n\r\n"]);
    assert_eq!(items, [message("a"), message("b")]);
}

#[test]
fn a_lone_cr_at_the_end_of_a_push_then_another_byte_is_a_line_end() {
    let items = parse_chunks(&[b"data: a\r", b"data: b\r\r"]);
    assert_eq!(items, [message("a\nb")]);
    let items = parse_chunks(&[b"data: a\r", b"\r", b"data: b\r", b"\r"]);
    assert_eq!(items, [message("a"), message("b")]);
}

#[test]
fn an_empty_push_between_cr_and_lf_changes_nothing() {
    // A read may return no bytes; the LF that follows still belongs to the CR before it.
    let items = parse_chunks(&[b"data: a\r", b"", b"\ndata: b\n\n"]);
    assert_eq!(items, [message("a\nb")]);
}

#[test]
fn every_byte_in_its_own_push_gives_the_same_items() {
    let body =
        b"\xEF\xBB\xBFretry: 10\r\n: hi\rid: 1\r\nevent: x\ndata: a\r\ndata: \xC3\xA9\r\r\n\n";
    let one_by_one: Vec<&[u8]> = body.chunks(1).collect();
    assert_eq!(parse_chunks(&one_by_one), parse(body));
    assert_eq!(
        parse(body),
        [
            Item::Retry(10),
            comment("hi"),
            last_event_id("1"),
            event("x", "a\n\u{e9}", "1"),
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// Byte order mark

#[test]
fn a_leading_bom_is_stripped() {
    assert_eq!(parse(b"\xEF\xBB\xBFdata: a\n\n"), [message("a")]);
}

#[test]
fn a_leading_bom_split_over_three_pushes_is_stripped() {
    let items = parse_chunks(&[b"\xEF", b"\xBB", b"\xBF", b"data: a\n\n"]);
    assert_eq!(items, [message("a")]);
}

#[test]
fn an_incomplete_bom_is_not_a_bom_and_its_bytes_stay_in_the_line() {
    // EF BB then `data` is an invalid sequence glued to the field name: an unknown field.
    assert_eq!(parse_chunks(&[b"\xEF\xBB", b"data: a\n\n"]), []);
    assert_eq!(parse(b"\xEF\xBBdata: a\n\ndata: b\n\n"), [message("b")]);
}

#[test]
fn a_second_bom_is_not_stripped_and_makes_an_unknown_field() {
    assert_eq!(
        parse(b"\xEF\xBB\xBF\xEF\xBB\xBFdata: a\n\ndata: b\n\n"),
        [message("b")]
    );
}

#[test]
fn a_bom_later_in_the_stream_is_not_stripped() {
    assert_eq!(
        parse(b"data: a\n\n\xEF\xBB\xBFdata: b\n\ndata: c\n\n"),
        [message("a"), message("c")]
    );
}

#[test]
fn a_bom_is_stripped_again_at_the_start_of_the_next_connection() {
    let mut parser = Parser::new(BIG);
    let mut items = push_chunks(&mut parser, &[b"\xEF\xBB\xBFdata: a\n\n"]);
    parser.end_of_stream();
    items.extend(push_chunks(&mut parser, &[b"\xEF", b"\xBB\xBFdata: b\n\n"]));
    assert_eq!(items, [message("a"), message("b")]);
}

// ---------------------------------------------------------------------------------------------
// Comments

#[test]
fn a_comment_loses_its_colon_and_one_leading_space() {
    assert_eq!(
        parse(b": hello\n:x\n:  two\n:\n"),
        [comment("hello"), comment("x"), comment(" two"), comment("")]
    );
}

#[test]
fn a_comment_only_stream_dispatches_no_event() {
    assert_eq!(
        parse(b": keep-alive\n\n: keep-alive\r\n\r\n"),
        [comment("keep-alive"), comment("keep-alive")]
    );
}

#[test]
fn a_comment_inside_an_event_does_not_interrupt_it() {
    assert_eq!(
        parse(b"data: a\n: tick\ndata: b\n\n"),
        [comment("tick"), message("a\nb")]
    );
}

// ---------------------------------------------------------------------------------------------
// Fields

#[test]
fn exactly_one_space_after_the_colon_is_stripped() {
    assert_eq!(parse(b"data:a\n\n"), [message("a")]);
    assert_eq!(parse(b"data: a\n\n"), [message("a")]);
    assert_eq!(parse(b"data:  a\n\n"), [message(" a")]);
    assert_eq!(parse(b"data: a \n\n"), [message("a ")]);
    assert_eq!(parse(b"data:\ta\n\n"), [message("\ta")]);
}

#[test]
fn only_the_first_colon_separates_name_and_value() {
    assert_eq!(parse(b"data: a: b:c\n\n"), [message("a: b:c")]);
}

#[test]
fn a_line_without_colon_is_a_field_with_an_empty_value() {
    // `data` alone appends an empty line, so the event fires with empty data.
    assert_eq!(parse(b"data\n\n"), [message("")]);
    assert_eq!(parse(b"data\ndata\n\n"), [message("\n")]);
    assert_eq!(parse(b"data: a\ndata\n\n"), [message("a\n")]);
    // `event` alone is an empty type: the default.
    assert_eq!(parse(b"event: x\nevent\ndata: a\n\n"), [message("a")]);
}

#[test]
fn unknown_fields_are_ignored() {
    assert_eq!(
        parse(b"foo: bar\ndata: a\nDATA: b\nData: c\ndata : d\n data: e\ndat: f\n\n"),
        [message("a")]
    );
    assert_eq!(parse(b"foo: bar\n\nbaz\n\n"), []);
}

#[test]
fn data_lines_join_with_lf_and_the_last_lf_is_removed() {
    assert_eq!(
        parse(b"data: a\ndata: b\ndata:\ndata: c\n\n"),
        [message("a\nb\n\nc")]
    );
    assert_eq!(parse(b"data: a\ndata:\n\n"), [message("a\n")]);
}

#[test]
fn the_event_type_applies_to_one_event_and_then_resets() {
    assert_eq!(
        parse(b"event: quote\ndata: 1\n\ndata: 2\n\n"),
        [event("quote", "1", ""), message("2")]
    );
    assert_eq!(
        parse(b"event: a\nevent: b\ndata: x\n\n"),
        [event("b", "x", "")]
    );
}

#[test]
fn a_block_without_data_dispatches_nothing_and_resets_the_type() {
    assert_eq!(parse(b"event: quote\n\ndata: 2\n\n"), [message("2")]);
    assert_eq!(parse(b"event: quote\n\n"), []);
    assert_eq!(parse(b"\n\n\n"), []);
}

#[test]
fn the_type_of_an_event_with_empty_data_still_applies() {
    assert_eq!(parse(b"event: ping\ndata\n\n"), [event("ping", "", "")]);
}

// ---------------------------------------------------------------------------------------------
// Last event ID

#[test]
fn an_id_persists_across_later_events() {
    assert_eq!(
        parse(b"id: 1\ndata: a\n\ndata: b\n\n"),
        [
            last_event_id("1"),
            event("message", "a", "1"),
            event("message", "b", "1")
        ]
    );
}

#[test]
fn an_id_takes_effect_at_dispatch_wherever_it_is_in_the_block() {
    assert_eq!(
        parse(b"data: a\nid: 5\n\n"),
        [last_event_id("5"), event("message", "a", "5")]
    );
}

#[test]
fn an_empty_id_resets_the_last_event_id() {
    assert_eq!(
        parse(b"id: 1\ndata: a\n\nid:\ndata: b\n\nid: 2\n\nid\ndata: c\n\n"),
        [
            last_event_id("1"),
            event("message", "a", "1"),
            last_event_id(""),
            message("b"),
            last_event_id("2"),
            last_event_id(""),
            message("c"),
        ]
    );
}

#[test]
fn an_id_containing_nul_is_ignored() {
    let mut parser = Parser::new(BIG);
    let items = push_chunks(&mut parser, &[b"id: 1\ndata: a\n\nid: 2\0x\ndata: b\n\n"]);
    assert_eq!(
        items,
        [
            last_event_id("1"),
            event("message", "a", "1"),
            event("message", "b", "1"),
        ]
    );
    assert_eq!(&**parser.last_event_id(), "1");
    // NUL anywhere in the value, even alone.
    assert_eq!(parse(b"id: \0\ndata: a\n\n"), [message("a")]);
}

#[test]
fn an_id_only_block_reports_the_new_last_event_id() {
    let mut parser = Parser::new(BIG);
    let items = push_chunks(&mut parser, &[b"id: 7\n\n"]);
    assert_eq!(items, [last_event_id("7")]);
    assert_eq!(&**parser.last_event_id(), "7");
    // The same id again is no change.
    assert_eq!(parse(b"id: 7\n\nid: 7\n\n"), [last_event_id("7")]);
}

#[test]
fn an_id_without_a_blank_line_is_not_yet_the_last_event_id() {
    let mut parser = Parser::new(BIG);
    assert_eq!(push_chunks(&mut parser, &[b"id: 9\n"]), []);
    assert_eq!(&**parser.last_event_id(), "");
}

#[test]
fn a_non_ascii_id_is_kept() {
    assert_eq!(
        parse("id: caf\u{e9} \u{1F600}\ndata: a\n\n".as_bytes()),
        [
            last_event_id("caf\u{e9} \u{1F600}"),
            event("message", "a", "caf\u{e9} \u{1F600}")
        ]
    );
}

#[test]
fn with_last_event_id_starts_from_a_known_id() {
    let mut parser = Parser::new(BIG).with_last_event_id("41");
    assert_eq!(&**parser.last_event_id(), "41");
    let items = push_chunks(&mut parser, &[b"data: a\n\nid: 42\ndata: b\n\n"]);
    assert_eq!(
        items,
        [
            event("message", "a", "41"),
            last_event_id("42"),
            event("message", "b", "42"),
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// Retry

#[test]
fn retry_with_ascii_digits_sets_the_reconnection_time() {
    assert_eq!(
        parse(b"retry: 1500\nretry:0\nretry: 007\n"),
        [Item::Retry(1500), Item::Retry(0), Item::Retry(7)]
    );
}

#[test]
fn retry_takes_effect_without_a_blank_line_or_an_event() {
    // Servers often open with a retry-only block; it applies even if the stream ends right after.
    assert_eq!(parse(b"retry: 10000\n\n"), [Item::Retry(10000)]);
    assert_eq!(parse(b"retry: 10\ndata: unfinished\n"), [Item::Retry(10)]);
}

#[test]
fn retry_with_anything_but_ascii_digits_is_ignored() {
    for value in [
        &b"retry: +5\n"[..],
        b"retry: 5s\n",
        b"retry: 1 \n",
        b"retry:  5\n",
        b"retry: \n",
        b"retry:\n",
        b"retry\n",
        b"retry: -1\n",
        b"retry: 1.5\n",
        b"retry: 1_000\n",
        b"retry: \xD9\xA1\n",     // ARABIC-INDIC DIGIT ONE
        b"retry: \xEF\xBC\x91\n", // FULLWIDTH DIGIT ONE
    ] {
        assert_eq!(parse(value), [], "{:?}", String::from_utf8_lossy(value));
    }
}

#[test]
fn a_twenty_digit_retry_saturates() {
    assert_eq!(
        parse(b"retry: 18446744073709551615\n"),
        [Item::Retry(u64::MAX)]
    );
    assert_eq!(
        parse(b"retry: 18446744073709551616\n"),
        [Item::Retry(u64::MAX)]
    );
    assert_eq!(
        parse(b"retry: 99999999999999999999\n"),
        [Item::Retry(u64::MAX)]
    );
    let long = format!("retry: {}\n", "9".repeat(10_000));
    assert_eq!(parse(long.as_bytes()), [Item::Retry(u64::MAX)]);
}

// ---------------------------------------------------------------------------------------------
// UTF-8

#[test]
fn invalid_utf8_becomes_replacement_characters_and_parsing_goes_on() {
    assert_eq!(
        parse(b"data: a\xFFb\n\ndata: next\n\n"),
        [message("a\u{FFFD}b"), message("next")]
    );
}

#[test]
fn each_maximal_invalid_subpart_becomes_one_replacement_character() {
    let cases: [(&[u8], &str); 7] = [
        (b"\xE2\x82A", "\u{FFFD}A"),       // truncated 3-byte sequence
        (b"\xF0\x9F\x98x", "\u{FFFD}x"),   // truncated 4-byte sequence
        (b"\xC0\x80", "\u{FFFD}\u{FFFD}"), // overlong: never a valid lead
        (b"\xED\xA0\x80", "\u{FFFD}\u{FFFD}\u{FFFD}"), // a surrogate
        (b"\x80\x80", "\u{FFFD}\u{FFFD}"), // lone continuation bytes
        (b"\xF4\x90\x80\x80", "\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}"), // above U+10FFFF
        (b"\xE2\x82", "\u{FFFD}"),         // truncated at the line end
    ];
    for (bytes, want) in cases {
        let mut body = b"data: ".to_vec();
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\n\n");
        assert_eq!(parse(&body), [message(want)], "{bytes:x?}");
    }
}

#[test]
fn invalid_utf8_in_comments_types_and_ids_is_replaced_too() {
    assert_eq!(
        parse(b": \xFF\nevent: q\xFF\nid: \xFE1\ndata: x\n\n"),
        [
            comment("\u{FFFD}"),
            last_event_id("\u{FFFD}1"),
            event("q\u{FFFD}", "x", "\u{FFFD}1"),
        ]
    );
}

#[test]
fn a_character_split_across_pushes_is_intact() {
    let body = "data: \u{e9}\u{20AC}\u{1F600}\n\n".as_bytes();
    let smile = body.len() - 6; // F0 9F 98 80 start
    let items = parse_chunks(&[
        &body[..7],
        &body[7..9],
        &body[9..smile + 1],
        &body[smile + 1..smile + 3],
        &body[smile + 3..],
    ]);
    assert_eq!(items, [message("\u{e9}\u{20AC}\u{1F600}")]);
    let one_by_one: Vec<&[u8]> = body.chunks(1).collect();
    assert_eq!(
        parse_chunks(&one_by_one),
        [message("\u{e9}\u{20AC}\u{1F600}")]
    );
}

// ---------------------------------------------------------------------------------------------
// End of stream and the next connection

#[test]
fn an_event_without_its_blank_line_is_discarded_at_end_of_stream() {
    let mut parser = Parser::new(BIG);
    let mut items = push_chunks(
        &mut parser,
        &[b"id: 1\ndata: a\n\nid: 2\nevent: x\ndata: b\n"],
    );
    parser.end_of_stream();
    // The pending `id: 2` never became the last event ID; the committed one carries over.
    assert_eq!(&**parser.last_event_id(), "1");
    items.extend(push_chunks(&mut parser, &[b"data: c\n\n"]));
    assert_eq!(
        items,
        [
            last_event_id("1"),
            event("message", "a", "1"),
            event("message", "c", "1"),
        ]
    );
}

#[test]
fn an_unfinished_line_does_not_run_into_the_next_connection() {
    let mut parser = Parser::new(BIG);
    let mut items = push_chunks(&mut parser, &[b"data: a\n\nda"]);
    parser.end_of_stream();
    items.extend(push_chunks(&mut parser, &[b"ta: b\n\ndata: c\n\n"]));
    // `ta: b` is an unknown field of its own in the new connection.
    assert_eq!(items, [message("a"), message("c")]);
}

#[test]
fn an_id_reset_is_committed_and_carries_over() {
    let mut parser = Parser::new(BIG).with_last_event_id("5");
    push_chunks(&mut parser, &[b"id:\n\n"]);
    parser.end_of_stream();
    assert_eq!(&**parser.last_event_id(), "");
}

// ---------------------------------------------------------------------------------------------
// Size limit

fn only_event(items: &[Item]) -> &Event {
    match events(items).as_slice() {
        [event] => event,
        other => panic!("expected one event, got {other:?}"),
    }
}

#[test]
fn an_event_over_the_limit_is_cut_and_flagged_and_the_next_is_normal() {
    let max = 16;
    let long = "x".repeat(40);
    let body = format!("data: {long}\n\ndata: ok\n\n");
    for items in [
        parse_all(body.as_bytes(), max),
        push_chunks(
            &mut Parser::new(max),
            &body.as_bytes().chunks(3).collect::<Vec<_>>(),
        ),
    ] {
        let evs = events(&items);
        assert_eq!(evs.len(), 2, "{items:?}");
        assert!(evs[0].truncated);
        assert!(evs[0].data.len() <= max, "{} bytes", evs[0].data.len());
        assert!(long.starts_with(evs[0].data.as_str()));
        assert!(!evs[0].data.is_empty());
        assert_eq!(evs[1].data, "ok");
        assert!(!evs[1].truncated);
    }
}

#[test]
fn many_data_lines_over_the_limit_are_cut() {
    let max = 16;
    let body = "data: abcde\n".repeat(10) + "\n";
    let items = parse_all(body.as_bytes(), max);
    let event = only_event(&items);
    assert!(event.truncated);
    assert!(event.data.len() <= max, "{:?}", event.data);
    assert!("abcde\n".repeat(10).starts_with(event.data.as_str()));
}

#[test]
fn an_event_of_exactly_the_limit_is_whole() {
    let max = 16;
    let items = parse_all(b"data: 0123456789abcdef\n\n", max);
    assert_eq!(items, [message("0123456789abcdef")]);
    let items = parse_all(b"data: 0123456\ndata: 89abcdef\n\n", max);
    assert_eq!(items, [message("0123456\n89abcdef")]);
}

#[test]
fn a_cut_never_splits_a_character() {
    let items = parse_all("data: \u{e9}\u{e9}\u{e9}\n\n".as_bytes(), 5);
    let event = only_event(&items);
    assert!(event.truncated);
    assert!(event.data.len() <= 5);
    assert!("\u{e9}\u{e9}\u{e9}".starts_with(event.data.as_str()));
}

#[test]
fn the_limit_cuts_the_same_whatever_the_chunking() {
    // Lines other than `data` (comments, ids, types) longer than the limit: one push and
    // byte-by-byte pushes must agree.
    let max = 8;
    let long = "y".repeat(200);
    let body = format!(": {long}\nid: {long}\nevent: {long}\ndata: z\n\n");
    let one_by_one: Vec<&[u8]> = body.as_bytes().chunks(1).collect();
    assert_eq!(
        push_chunks(&mut Parser::new(max), &one_by_one),
        parse_all(body.as_bytes(), max)
    );
}

#[test]
fn the_type_and_id_limits_are_the_documented_ones() {
    assert_eq!(MAX_TYPE_BYTES, 256);
    assert_eq!(MAX_ID_BYTES, 1024);
}

#[test]
fn a_type_over_256_bytes_is_cut_there_and_flagged() {
    let long = "t".repeat(300);
    let items = parse(format!("event: {long}\ndata: x\n\ndata: y\n\n").as_bytes());
    let evs = events(&items);
    assert_eq!(&*evs[0].event_type, &long[..MAX_TYPE_BYTES]);
    assert!(evs[0].type_truncated);
    assert!(
        !evs[0].truncated && !evs[0].id_truncated,
        "only the type was cut"
    );
    assert_eq!(&*evs[1].event_type, "message");
    assert!(!evs[1].type_truncated, "the next event's type is whole");
}

#[test]
fn a_type_of_exactly_256_bytes_is_whole() {
    let exact = "t".repeat(MAX_TYPE_BYTES);
    let items = parse(format!("event: {exact}\ndata: x\n\n").as_bytes());
    let ev = only_event(&items);
    assert_eq!(&*ev.event_type, exact);
    assert!(!ev.type_truncated);
}

#[test]
fn an_id_over_1_kib_is_cut_there_flagged_and_kept_as_the_last_event_id() {
    let long = "i".repeat(5000);
    let items =
        parse(format!("id: {long}\ndata: a\n\ndata: b\n\nid: short\ndata: c\n\n").as_bytes());
    let evs = events(&items);
    assert_eq!(&*evs[0].id, &long[..MAX_ID_BYTES]);
    assert!(evs[0].id_truncated);
    assert!(
        !evs[0].type_truncated && !evs[0].truncated,
        "only the id was cut"
    );
    // The cut id persists, and so does its flag, until another id replaces it.
    assert_eq!(&*evs[1].id, &long[..MAX_ID_BYTES]);
    assert!(evs[1].id_truncated);
    assert_eq!(&*evs[2].id, "short");
    assert!(!evs[2].id_truncated);
    assert!(items.contains(&last_event_id(&long[..MAX_ID_BYTES])));
}

#[test]
fn a_cut_type_or_id_never_splits_a_character() {
    // 'é' is two bytes: 255 bytes of 'a' then 'é' cannot be cut at 256.
    let ty = format!("{}\u{e9}", "a".repeat(MAX_TYPE_BYTES - 1));
    let id = format!("{}\u{20ac}", "b".repeat(MAX_ID_BYTES - 1));
    let items = parse(format!("event: {ty}\nid: {id}\ndata: x\n\n").as_bytes());
    let ev = only_event(&items);
    assert_eq!(&*ev.event_type, "a".repeat(MAX_TYPE_BYTES - 1));
    assert_eq!(&*ev.id, "b".repeat(MAX_ID_BYTES - 1));
    assert!(ev.type_truncated && ev.id_truncated);
}

#[test]
fn a_known_id_over_1_kib_is_cut_and_flagged_too() {
    let long = "k".repeat(2000);
    let mut parser = Parser::new(BIG).with_last_event_id(&long);
    assert_eq!(parser.last_event_id().len(), MAX_ID_BYTES);
    let items = push_chunks(&mut parser, &[b"data: x\n\n"]);
    assert!(only_event(&items).id_truncated);
}

#[test]
fn an_events_text_len_counts_its_data_type_and_id() {
    let items = parse(b"event: tick\nid: 42\ndata: hello\n\n");
    assert_eq!(
        only_event(&items).text_len(),
        "hello".len() + "tick".len() + "42".len()
    );
}

// ---------------------------------------------------------------------------------------------
// One-line form (`text::one_line`): it looks at no more than it shows

#[test]
fn one_line_of_a_long_line_is_its_own_head_whatever_lies_past_the_cut() {
    use ssedash::text::one_line;
    // Valid JSON that ends in a newline far past the cut: the line shows the data's own first
    // characters (spaces and all), not a compacted copy made by parsing the whole event.
    let data = format!("{{\"a\": \"{}\"}}\n", "x".repeat(1_000));
    let line = one_line(&data, 20).expect("too long to use as it is");
    assert_eq!(line, format!("{}…", &data[..19]));
    // A control character far past the cut changes nothing either.
    let data = format!("{}\x1b[2J", "y".repeat(100_000));
    assert_eq!(one_line(&data, 20).unwrap(), format!("{}…", "y".repeat(19)));
    // One within what shows is escaped.
    assert_eq!(one_line("ab\x1bcd", 20).unwrap(), "ab\\x1bcd");
}

#[test]
fn one_line_leaves_a_short_safe_line_alone_and_compacts_short_pretty_json() {
    use ssedash::text::one_line;
    assert_eq!(one_line("hello", 20), None);
    assert_eq!(one_line("12345678901234567890", 20), None);
    assert_eq!(
        one_line("123456789012345678901", 20).unwrap(),
        "1234567890123456789…"
    );
    assert_eq!(one_line("{\n  \"a\": 1\n}", 20).unwrap(), "{\"a\":1}");
}

// A counting allocator, per thread, so that the test of an endless line can see the parser's heap.
struct Counting;

thread_local! {
    static LIVE: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

fn count(delta: isize) {
    let _ = LIVE.try_with(|live| {
        let now = live.get() + delta;
        live.set(now);
        let _ = PEAK.try_with(|peak| peak.set(peak.get().max(now)));
    });
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(layout.size() as isize);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        count(-(layout.size() as isize));
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count(new_size as isize - layout.size() as isize);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

#[test]
fn an_endless_line_keeps_the_parser_memory_bounded() {
    let max = 4096;
    let chunk = vec![b'x'; 64 * 1024];
    let mut parser = Parser::new(max);
    let mut items = Vec::with_capacity(16);
    parser.push(b"data: ", &mut |item| items.push(item));

    let start = LIVE.with(Cell::get);
    PEAK.with(|peak| peak.set(start));
    for _ in 0..(16 * 1024 * 1024 / chunk.len()) {
        parser.push(&chunk, &mut |item| items.push(item));
    }
    let grown = PEAK.with(Cell::get) - start;
    // 16 MiB went in; what the parser holds must stay near the limit, whatever the input.
    assert!(
        grown <= 4 * (max as isize + 64),
        "the parser grew by {grown} bytes for a {max}-byte limit"
    );
    assert!(items.is_empty());

    parser.push(b"\n\ndata: after\n\n", &mut |item| items.push(item));
    let evs = events(&items);
    assert_eq!(evs.len(), 2, "{items:?}");
    assert!(evs[0].truncated);
    assert!(evs[0].data.len() <= max);
    assert!(evs[0].data.bytes().all(|b| b == b'x'));
    assert_eq!(evs[1].data, "after");
    assert!(!evs[1].truncated);
}

// ---------------------------------------------------------------------------------------------
// Content-Type

#[test]
fn event_stream_content_types_are_recognised() {
    for yes in [
        "text/event-stream",
        "text/event-stream; charset=utf-8",
        "text/event-stream;charset=UTF-8",
        "TEXT/Event-Stream",
        "  text/event-stream",
        "text/event-stream ; charset=utf-8",
    ] {
        assert!(is_event_stream(yes), "{yes:?}");
    }
    for no in [
        "text/plain",
        "text/event-streamx",
        "text/event-stream foobar",
        "text/event",
        "event-stream",
        "",
        ";text/event-stream",
    ] {
        assert!(!is_event_stream(no), "{no:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// Properties

/// A value: printable ASCII, colons, spaces, multi-byte characters, invalid bytes and NUL.
fn value() -> impl Strategy<Value = Vec<u8>> {
    let fragment = prop_oneof![
        4 => "[a-z0-9 ]{1,6}".prop_map(String::into_bytes),
        1 => Just(b":".to_vec()),
        1 => Just(b" ".to_vec()),
        1 => Just("\u{e9}".as_bytes().to_vec()),
        1 => Just("\u{20AC}".as_bytes().to_vec()),
        1 => Just("\u{1F600}".as_bytes().to_vec()),
        1 => Just(b"\xFF".to_vec()),
        1 => Just(b"\xE2\x82".to_vec()),
        1 => Just(b"\xF0\x9F\x98".to_vec()),
        1 => Just(b"\xED\xA0\x80".to_vec()),
        1 => Just(b"\x80".to_vec()),
        1 => Just(b"\0".to_vec()),
        1 => "[0-9]{1,25}".prop_map(String::into_bytes),
        1 => "[a-z]{60,140}".prop_map(String::into_bytes),
    ];
    prop::collection::vec(fragment, 0..5).prop_map(|parts| parts.concat())
}

fn line_end() -> impl Strategy<Value = &'static [u8]> {
    prop_oneof![Just(&b"\n"[..]), Just(&b"\r\n"[..]), Just(&b"\r"[..])]
}

/// One piece of an SSE-ish body.
fn piece() -> impl Strategy<Value = Vec<u8>> {
    let name = prop_oneof![
        4 => Just("data"),
        2 => Just("event"),
        2 => Just("id"),
        2 => Just("retry"),
        1 => Just("foo"),
        1 => Just("dat"),
        1 => Just("Data"),
        1 => Just(""),
    ];
    let separator = prop_oneof![Just(""), Just(":"), Just(": "), Just(":  ")];
    let field = (name, separator, value(), line_end()).prop_map(|(name, sep, value, end)| {
        let mut line = format!("{name}{sep}").into_bytes();
        if !sep.is_empty() {
            line.extend_from_slice(&value);
        }
        line.extend_from_slice(end);
        line
    });
    let comment = (value(), line_end()).prop_map(|(value, end)| [&b":"[..], &value, end].concat());
    prop_oneof![
        6 => field,
        1 => comment,
        3 => line_end().prop_map(<[u8]>::to_vec),
        1 => Just(b"\xEF\xBB\xBF".to_vec()),
        1 => value(), // part of a line, continued by the next piece
    ]
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    (
        prop::bool::weighted(0.2),
        prop::collection::vec(piece(), 0..40),
    )
        .prop_map(|(bom, pieces)| {
            let mut body = if bom {
                b"\xEF\xBB\xBF".to_vec()
            } else {
                Vec::new()
            };
            body.extend(pieces.concat());
            body
        })
}

#[test]
fn a_one_line_event_from_a_shared_read_is_a_slice_of_that_read_not_a_copy() {
    let read = Bytes::from_static(b"id: 7\nevent: quote\ndata: {\"p\":1}\n\ndata: a\ndata: b\n\n");
    let mut parser = Parser::new(BIG);
    let mut items = Vec::new();
    parser.push_shared(&read, &mut |item| items.push(item));
    let evs = events(&items);
    assert_eq!(evs.len(), 2);
    assert_eq!(evs[0].data, r#"{"p":1}"#);
    let range = read.as_ptr_range();
    assert!(
        range.contains(&evs[0].data.as_ptr()),
        "the data points into the read"
    );
    assert_eq!(
        evs[1].data, "a\nb",
        "two lines are joined in a buffer of their own"
    );
    assert!(!range.contains(&evs[1].data.as_ptr()));
}

/// Splits `body` at the given points (any positions, sorted, without repeats).
fn split_at_points<'a>(body: &'a [u8], points: &[prop::sample::Index]) -> Vec<&'a [u8]> {
    let mut cuts: Vec<usize> = points.iter().map(|p| p.index(body.len() + 1)).collect();
    cuts.sort_unstable();
    cuts.dedup();
    let mut chunks = Vec::new();
    let mut start = 0;
    for cut in cuts {
        if cut > start {
            chunks.push(&body[start..cut]);
            start = cut;
        }
    }
    chunks.push(&body[start..]);
    chunks.retain(|c| !c.is_empty());
    chunks
}

fn parse_chunks_with(max: usize, chunks: &[&[u8]]) -> Vec<Item> {
    push_chunks(&mut Parser::new(max), chunks)
}

/// The spec as a plain loop over the whole body: strip one BOM, split lines on bytes (CRLF, LF,
/// CR), decode each line with replacement, interpret fields, dispatch on empty lines; the last,
/// unterminated line and an undispatched block are dropped. Types and ids are cut at their
/// limits (the project's rule, not the spec's).
fn model(body: &[u8]) -> Vec<Item> {
    fn cut(s: &str, max: usize) -> (String, bool) {
        let mut end = s.len().min(max);
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        (s[..end].to_string(), end < s.len())
    }
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let mut lines = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < body.len() {
        match body[i] {
            b'\n' => {
                lines.push(&body[start..i]);
                i += 1;
                start = i;
            }
            b'\r' => {
                lines.push(&body[start..i]);
                i += if body.get(i + 1) == Some(&b'\n') {
                    2
                } else {
                    1
                };
                start = i;
            }
            _ => i += 1,
        }
    }

    let mut items = Vec::new();
    let (mut data, mut event_type) = (String::new(), String::new());
    let (mut id_buffer, mut last_id) = (String::new(), String::new());
    let (mut type_cut, mut id_cut) = (false, false);
    for line in lines {
        let line = String::from_utf8_lossy(line);
        if line.is_empty() {
            if id_buffer != last_id {
                last_id = id_buffer.clone();
                items.push(last_event_id(&last_id));
            }
            if data.is_empty() {
                event_type.clear();
                type_cut = false;
                continue;
            }
            data.pop();
            let kind = if event_type.is_empty() {
                "message"
            } else {
                &event_type
            };
            let mut ev = event(kind, &data, &last_id);
            if let Item::Event(e) = &mut ev {
                e.type_truncated = type_cut;
                // The id (and whether it was cut) is committed at every dispatch.
                e.id_truncated = id_cut;
            }
            items.push(ev);
            data.clear();
            event_type.clear();
            type_cut = false;
            continue;
        }
        if let Some(text) = line.strip_prefix(':') {
            items.push(comment(text.strip_prefix(' ').unwrap_or(text)));
            continue;
        }
        let (field, value) = match line.split_once(':') {
            Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
            None => (&*line, ""),
        };
        match field {
            "data" => {
                data.push_str(value);
                data.push('\n');
            }
            "event" => (event_type, type_cut) = cut(value, MAX_TYPE_BYTES),
            "id" if !value.contains('\0') => (id_buffer, id_cut) = cut(value, MAX_ID_BYTES),
            "retry" if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) => {
                let ms = value.parse::<u64>().unwrap_or(u64::MAX);
                items.push(Item::Retry(ms));
            }
            _ => {}
        }
    }
    items
}

proptest! {
    // No regression files: a failure prints its minimal input, which belongs in a unit test above.
    #![proptest_config(ProptestConfig {
        cases: 512,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn any_chunking_gives_the_same_items_as_one_push(
        body in body(),
        points in prop::collection::vec(any::<prop::sample::Index>(), 0..24),
    ) {
        let whole = parse_all(&body, BIG);
        let chunks = split_at_points(&body, &points);
        prop_assert_eq!(&parse_chunks_with(BIG, &chunks), &whole);
        let bytes: Vec<&[u8]> = body.chunks(1).collect();
        prop_assert_eq!(&parse_chunks_with(BIG, &bytes), &whole);
    }

    #[test]
    fn a_tiny_limit_caps_every_event(
        body in body(),
        points in prop::collection::vec(any::<prop::sample::Index>(), 0..24),
        max in 1usize..12,
    ) {
        let chunks = split_at_points(&body, &points);
        for items in [parse_all(&body, max), parse_chunks_with(max, &chunks)] {
            for event in events(&items) {
                prop_assert!(event.data.len() <= max, "{} > {max}: {:?}", event.data.len(), event);
            }
        }
    }

    #[test]
    fn any_chunking_gives_the_same_items_under_a_tiny_limit(
        body in body(),
        points in prop::collection::vec(any::<prop::sample::Index>(), 0..24),
        max in 1usize..12,
    ) {
        let chunks = split_at_points(&body, &points);
        prop_assert_eq!(parse_chunks_with(max, &chunks), parse_all(&body, max));
    }

    #[test]
    fn shared_reads_give_the_same_items_as_copied_ones_under_any_chunking(
        body in body(),
        points in prop::collection::vec(any::<prop::sample::Index>(), 0..24),
        max in prop::sample::select(vec![1usize, 5, 12, BIG]),
    ) {
        let chunks = split_at_points(&body, &points);
        let mut parser = Parser::new(max);
        let mut shared = Vec::new();
        for chunk in &chunks {
            let read = Bytes::copy_from_slice(chunk);
            parser.push_shared(&read, &mut |item| shared.push(item));
        }
        prop_assert_eq!(shared, parse_chunks_with(max, &chunks));
    }

    #[test]
    fn a_plain_model_of_the_spec_agrees_with_the_parser(body in body()) {
        prop_assert_eq!(parse_all(&body, BIG), model(&body));
    }

    #[test]
    fn the_model_agrees_under_any_chunking_too(
        body in body(),
        points in prop::collection::vec(any::<prop::sample::Index>(), 0..24),
    ) {
        let chunks = split_at_points(&body, &points);
        prop_assert_eq!(parse_chunks_with(BIG, &chunks), model(&body));
    }
}
