//! The LLM presets against streams in each provider's wire format (`tests/fixtures/llm/`):
//! what each event derives, the assembled text, usage and finish, and `tail --preset ...
//! --format text` printing the answer from a loopback server.

mod support;

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use ssedash::sse::{Event, Item, parse_all};
use ssedash::view::message::MessageStats;
use ssedash::view::{Derived, FeedExprs, Usage, ViewKind, preset};
use support::*;

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/llm")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn events(name: &str) -> Vec<Event> {
    parse_all(&fixture(name), 1 << 20)
        .into_iter()
        .filter_map(|item| match item {
            Item::Event(e) => Some(e),
            _ => None,
        })
        .collect()
}

/// A stream read through a preset, as a transcript would take it.
struct Read {
    derived: Vec<Derived>,
    text: String,
    thinking: String,
    stats: MessageStats,
    /// The index of the first event `stop_when` is true for.
    stop_at: Option<usize>,
}

fn read(preset_name: &str, fixture_name: &str) -> Read {
    let exprs: FeedExprs = preset(preset_name).unwrap();
    assert_eq!(exprs.view.kind, ViewKind::Transcript);
    let t0 = SystemTime::UNIX_EPOCH;
    let mut read = Read {
        derived: Vec::new(),
        text: String::new(),
        thinking: String::new(),
        stats: MessageStats::new(t0),
        stop_at: None,
    };
    for (i, event) in events(fixture_name).iter().enumerate() {
        let d = exprs.derive(event);
        read.stats
            .add(&d, t0 + Duration::from_millis(10 * (i as u64 + 1)));
        if let Some(text) = &d.text {
            if d.thinking {
                read.thinking.push_str(text);
            } else {
                read.text.push_str(text);
            }
        }
        if d.stop && read.stop_at.is_none() {
            read.stop_at = Some(i);
        }
        read.derived.push(d);
    }
    read
}

fn usage(prompt: u64, completion: u64) -> Usage {
    Usage {
        prompt_tokens: Some(prompt),
        completion_tokens: Some(completion),
    }
}

#[track_caller]
fn assert_no_runtime_errors(read: &Read) {
    for (i, d) in read.derived.iter().enumerate() {
        assert!(d.errors.is_empty(), "event {i}: {:?}", d.errors);
    }
}

#[test]
fn openai_chat_assembles_text_usage_and_finish_and_stops_at_done() {
    let read = read("openai-chat", "openai-chat.sse");
    assert_no_runtime_errors(&read);
    assert_eq!(
        read.text,
        "The sky looks blue because air scatters short wavelengths of sunlight more than long ones."
    );
    assert_eq!(read.stats.usage, usage(14, 16));
    assert_eq!(read.stats.finish.as_deref(), Some("stop"));
    assert_eq!(read.stats.chunks, 16);
    // [DONE] is the last event, and the only one that stops.
    assert_eq!(read.stop_at, Some(read.derived.len() - 1));
    let types: Vec<_> = read
        .derived
        .iter()
        .map(|d| d.event_type.as_deref().unwrap())
        .collect();
    assert_eq!(types[..2], ["delta", "delta"]);
    assert_eq!(types[types.len() - 3..], ["finish", "usage", "done"]);
}

#[test]
fn openai_chat_error_object_is_an_error_event_with_its_message() {
    let read = read("openai-chat", "openai-chat-error.sse");
    let last = read.derived.last().unwrap();
    assert!(last.is_error);
    assert_eq!(last.event_type.as_deref(), Some("error"));
    assert_eq!(
        read.stats.error.as_deref(),
        Some("The server had an error while processing your request. Sorry about that!")
    );
    assert_eq!(read.text, "Partial");
}

#[test]
fn openai_responses_reads_output_text_deltas_and_the_completed_usage() {
    let read = read("openai-responses", "openai-responses.sse");
    assert_no_runtime_errors(&read);
    assert_eq!(read.text, "Hi there! How can I help you today?");
    assert_eq!(read.stats.usage, usage(37, 11));
    assert_eq!(read.stats.finish.as_deref(), Some("completed"));
    assert_eq!(read.stop_at, Some(read.derived.len() - 1));
    assert!(read.derived.iter().all(|d| !d.is_error));
}

#[test]
fn anthropic_reads_text_deltas_flags_thinking_and_takes_input_and_output_tokens() {
    let read = read("anthropic", "anthropic.sse");
    assert_no_runtime_errors(&read);
    assert_eq!(read.text, "27 * 453 = **12,231**.");
    assert_eq!(
        read.thinking,
        "The user asks for 27 * 453.\n27 * 453 = 12231."
    );
    // input from message_start, output from message_delta (not message_start's 1 added).
    assert_eq!(read.stats.usage, usage(25, 58));
    assert_eq!(read.stats.finish.as_deref(), Some("end_turn"));
    assert_eq!(read.stop_at, Some(read.derived.len() - 1));
    // Anthropic names its events: type_from leaves them as they are.
    assert!(read.derived.iter().all(|d| d.event_type.is_none()));
}

#[test]
fn anthropic_output_tokens_are_a_running_total_not_summed() {
    let exprs = preset("anthropic").unwrap();
    let mut stats = MessageStats::new(SystemTime::UNIX_EPOCH);
    for total in [10, 25, 40] {
        let data = format!(
            r#"{{"type":"message_delta","delta":{{"stop_reason":null,"stop_sequence":null}},"usage":{{"output_tokens":{total}}}}}"#
        );
        stats.add(
            &exprs.derive(&Event::new("message_delta", data, "")),
            SystemTime::UNIX_EPOCH,
        );
    }
    assert_eq!(stats.usage.completion_tokens, Some(40));
}

#[test]
fn anthropic_error_event_is_an_error_with_its_message() {
    let read = read("anthropic", "anthropic-error.sse");
    assert_no_runtime_errors(&read);
    assert!(read.derived.last().unwrap().is_error);
    assert_eq!(read.stats.error.as_deref(), Some("Overloaded"));
    assert_eq!(read.text, "Let me");
}

#[test]
fn gemini_joins_parts_keeps_thoughts_apart_and_reads_usage_metadata() {
    let read = read("gemini", "gemini.sse");
    assert_no_runtime_errors(&read);
    assert_eq!(
        read.text,
        "Old pond, still and deep,\na frog leaps in,\nwater's sound."
    );
    assert_eq!(
        read.thinking,
        "**Weighing the options**\n\nThe user wants a haiku."
    );
    assert_eq!(read.stats.usage, usage(9, 17));
    assert_eq!(read.stats.finish.as_deref(), Some("STOP"));
    // The stream simply ends.
    assert_eq!(read.stop_at, None);
}

// ---- the real binary against a loopback server ------------------------------------------

const REQUEST: &str =
    r#"{"model":"m","stream":true,"messages":[{"role":"user","content":"Why is the sky blue?"}]}"#;

/// Serves `fixture` to every POST; `hold` keeps the connection open after it (the client must
/// stop by itself at the end marker).
async fn llm_server(fixture_name: &str, hold: bool) -> TestServer {
    let mut steps = vec![sse_head(), write(fixture(fixture_name))];
    if hold {
        steps.push(Step::Hold);
    }
    TestServer::always(steps).await
}

async fn tail_preset(preset_name: &str, url: &str) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let body = dir.path().join("req.json");
    std::fs::write(&body, REQUEST).unwrap();
    let data = format!("@{}", body.display());
    ssedash(
        &[
            "tail",
            "--preset",
            preset_name,
            "-d",
            &data,
            url,
            "--format",
            "text",
        ],
        Duration::from_secs(30),
    )
    .await
}

#[tokio::test]
async fn tail_preset_openai_chat_with_a_body_prints_the_assembled_answer() {
    let server = llm_server("openai-chat.sse", true).await;
    let run = tail_preset("openai-chat", &server.url("/v1/chat/completions")).await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "The sky looks blue because air scatters short wavelengths of sunlight more than long ones.\n"
    );
    let summary = run
        .stderr
        .lines()
        .find(|l| l.contains("chunks"))
        .expect(&run.stderr);
    assert!(summary.contains("16 chunks"), "{summary}");
    assert!(summary.contains("tokens 14 in, 16 out"), "{summary}");
    assert!(summary.contains("finish stop"), "{summary}");
    let requests = server.requests();
    assert_eq!(requests.len(), 1, "a POST is not re-sent");
    assert_eq!(requests[0].method, "POST");
    assert_eq!(requests[0].body, REQUEST.as_bytes());
    assert_eq!(
        requests[0].header_str("content-type").as_deref(),
        Some("application/json")
    );
}

#[tokio::test]
async fn tail_preset_prints_each_providers_answer_without_the_thinking() {
    for (name, fixture_name, hold, answer, usage) in [
        (
            "openai-responses",
            "openai-responses.sse",
            true,
            "Hi there! How can I help you today?",
            "tokens 37 in, 11 out",
        ),
        (
            "anthropic",
            "anthropic.sse",
            true,
            "27 * 453 = **12,231**.",
            "tokens 25 in, 58 out",
        ),
        (
            "gemini",
            "gemini.sse",
            false,
            "Old pond, still and deep,\na frog leaps in,\nwater's sound.",
            "tokens 9 in, 17 out",
        ),
    ] {
        let server = llm_server(fixture_name, hold).await;
        let run = tail_preset(name, &server.url("/stream")).await;
        assert_eq!(run.code, Some(0), "{name}: {}", run.stderr);
        assert_eq!(run.stdout, format!("{answer}\n"), "{name}");
        assert!(run.stderr.contains(usage), "{name}: {}", run.stderr);
    }
}

#[tokio::test]
async fn tail_preset_shows_an_error_event_inline_and_in_the_summary() {
    // The server ends the stream after the error; a POST feed does not reconnect.
    let server = llm_server("anthropic-error.sse", false).await;
    let run = tail_preset("anthropic", &server.url("/v1/messages")).await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(run.stdout, "Let me\n[error: Overloaded]\n");
    assert!(run.stderr.contains("error: Overloaded"), "{}", run.stderr);
}

// ---- the demo's assistant ---------------------------------------------------------------

/// The demo feed `assistant` through the feed engine: each connection is one whole answer in
/// OpenAI's format (text, usage, finish), and the feed asks again after it.
#[tokio::test]
async fn demo_assistant_streams_a_new_openai_chat_answer_on_each_connection() {
    use ssedash::feed::{self, ConnState, FeedMsg, Inbox, Overflow, QueueOptions};
    let base = ssedash::demo::start().await.expect("demo server starts");
    let mut spec = ssedash::cli::demo_feeds(&base)
        .into_iter()
        .find(|f| f.name == "assistant")
        .expect("a demo assistant");
    spec.url.set_query(Some("speed=20"));
    assert_eq!(spec.method, "POST");
    assert_eq!(spec.exprs.preset.as_deref(), Some("openai-chat"));
    let exprs = spec.exprs.clone();
    let mut inbox = Inbox::new();
    let tx = inbox.add_feed(QueueOptions::new(10_000, 64 << 20, Overflow::Wait));
    let _handle = feed::spawn(std::sync::Arc::new(spec), tx);
    let mut messages: Vec<MessageStats> = Vec::new();
    let mut texts: Vec<String> = Vec::new();
    let collect = async {
        let mut batch = Vec::new();
        // Two whole answers: the second connection's ending closes the second message.
        let mut ended = 0;
        while ended < 2 {
            inbox.recv(&mut batch, 1000).await;
            for (_, msg) in batch.drain(..) {
                match msg {
                    FeedMsg::State(change) if change.state == ConnState::Connecting => {
                        messages.push(MessageStats::new(change.at));
                        texts.push(String::new());
                    }
                    FeedMsg::State(change) if matches!(change.state, ConnState::Waiting { .. }) => {
                        ended += 1;
                    }
                    FeedMsg::Event { event, at } => {
                        let d = exprs.derive(&event);
                        assert!(d.errors.is_empty(), "{:?}", d.errors);
                        texts
                            .last_mut()
                            .unwrap()
                            .push_str(d.text.as_deref().unwrap_or(""));
                        messages.last_mut().unwrap().add(&d, at);
                    }
                    _ => {}
                }
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(30), collect)
        .await
        .expect("two answers within 30 s");
    for (text, m) in texts.iter().zip(&messages).take(2) {
        assert!(
            text.len() > 80 && text.ends_with('.'),
            "whole answer: {text:?}"
        );
        assert_eq!(m.finish.as_deref(), Some("stop"));
        assert!(m.usage.prompt_tokens.is_some() && m.usage.completion_tokens == Some(m.chunks));
    }
    assert_ne!(texts[0], texts[1], "each connection is a new answer");
}
