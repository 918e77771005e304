//! `/assistant`: an LLM answering, in OpenAI Chat Completions' streaming format. A POST (or a
//! GET, for curl) gets one answer: `retry:`, a role chunk after a short "thinking" pause, the
//! answer a word or two per chunk 20 to 80 ms apart, a `finish_reason` chunk, a usage chunk
//! with `choices: []` (as with `stream_options.include_usage`), `data: [DONE]`, and the end of
//! the response. A client that reconnects after the `retry:` wait asks again and gets the next
//! answer: each connection is a new message.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use bytes::Bytes;
use serde_json::json;

use super::stream::{Next, Script, millis, seeded};

const SEED: u64 = 0x6173_7374;
/// The wait the client is asked to make before asking again.
const RETRY_MS: u64 = 3000;

const ANSWERS: &[&str] = &[
    "Server-Sent Events keep one HTTP response open and send lines of text down it. Each event \
     ends with a blank line. When the connection drops, the client waits for the retry time and \
     asks again, with the last event id it saw.",
    "A latest-value board keeps one row per key: the newest price of each symbol, how often it \
     changed and how long ago. It answers the question people actually ask of a ticker.",
    "Time to first token is the wait from sending the request to the first word of the answer. \
     After that, the chunks per second tell you how fast the model is writing.",
    "Language models stream their answers as many small events. Shown one event per row, the \
     answer is unreadable; joined into a transcript, it reads like a message.",
];

/// Which answer the next connection gets, across all connections to this server.
static NEXT_ANSWER: AtomicU64 = AtomicU64::new(0);

pub struct Assistant {
    /// Which answer, and the connection's seed.
    number: u64,
    id: String,
    /// The answer in chunks, each with its leading space.
    pieces: Vec<String>,
    step: usize,
}

enum Part {
    Role,
    Piece(usize),
    Finish,
    Usage,
    Done,
}

impl Assistant {
    /// A new answer; the first event id is not used (OpenAI's chunks carry no `id:`).
    pub fn new(_first_id: u64) -> Self {
        let number = NEXT_ANSWER.fetch_add(1, Ordering::Relaxed);
        let answer = ANSWERS[(number % ANSWERS.len() as u64) as usize];
        let mut rng = seeded(SEED, number);
        let words: Vec<&str> = answer.split(' ').collect();
        let mut pieces = Vec::new();
        let mut i = 0;
        while i < words.len() {
            // One or two words per chunk, as tokenizers cut English.
            let take = if rng.bool() { 2 } else { 1 }.min(words.len() - i);
            let mut piece = String::new();
            for (j, word) in words[i..i + take].iter().enumerate() {
                if i + j > 0 {
                    piece.push(' ');
                }
                piece.push_str(word);
            }
            pieces.push(piece);
            i += take;
        }
        Assistant {
            number,
            id: format!("chatcmpl-demo{number:06}"),
            pieces,
            step: 0,
        }
    }

    fn part(&self, step: usize) -> Option<Part> {
        let n = self.pieces.len();
        Some(match step {
            0 => Part::Role,
            s if s <= n => Part::Piece(s - 1),
            s if s == n + 1 => Part::Finish,
            s if s == n + 2 => Part::Usage,
            s if s == n + 3 => Part::Done,
            _ => return None,
        })
    }

    fn chunk(&self, delta: serde_json::Value, finish: Option<&str>) -> serde_json::Value {
        json!({
            "id": self.id,
            "object": "chat.completion.chunk",
            "created": 1_700_000_000 + self.number,
            "model": "demo-assistant",
            "choices": [{"index": 0, "delta": delta, "logprobs": null, "finish_reason": finish}],
            "usage": null,
        })
    }
}

impl Script for Assistant {
    fn next(&mut self) -> Next {
        let mut rng = seeded(SEED ^ self.number, self.step as u64);
        match self.part(self.step) {
            // The model "thinks" before its first token.
            Some(Part::Role) => Next::Block(millis(&mut rng, 250..=700)),
            Some(_) => Next::Block(millis(&mut rng, 20..=80)),
            None => Next::End(Duration::ZERO),
        }
    }

    fn block(&mut self) -> Bytes {
        let step = self.step;
        self.step += 1;
        let data = match self.part(step) {
            Some(Part::Role) => {
                let chunk = self.chunk(json!({"role": "assistant", "content": ""}), None);
                return Bytes::from(format!("retry: {RETRY_MS}\ndata: {chunk}\n\n"));
            }
            Some(Part::Piece(i)) => self.chunk(json!({"content": self.pieces[i]}), None),
            Some(Part::Finish) => self.chunk(json!({}), Some("stop")),
            Some(Part::Usage) => {
                let prompt = 24 + self.number % 7;
                let completion = self.pieces.len() as u64;
                json!({
                    "id": self.id,
                    "object": "chat.completion.chunk",
                    "created": 1_700_000_000 + self.number,
                    "model": "demo-assistant",
                    "choices": [],
                    "usage": {
                        "prompt_tokens": prompt,
                        "completion_tokens": completion,
                        "total_tokens": prompt + completion,
                    },
                })
            }
            Some(Part::Done) => return Bytes::from_static(b"data: [DONE]\n\n"),
            None => return Bytes::new(),
        };
        Bytes::from(format!("data: {data}\n\n"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_is_role_pieces_finish_usage_done_and_its_pieces_make_the_text() {
        let mut a = Assistant::new(1);
        let answer = ANSWERS[(a.number % ANSWERS.len() as u64) as usize];
        let mut blocks = Vec::new();
        while let Next::Block(gap) = a.next() {
            assert!(gap <= Duration::from_millis(700));
            blocks.push(String::from_utf8(a.block().to_vec()).unwrap());
        }
        assert!(blocks[0].starts_with("retry: 3000\ndata: "));
        assert_eq!(blocks.last().unwrap(), "data: [DONE]\n\n");
        let text: String = blocks
            .iter()
            .filter_map(|b| {
                let data = b.lines().find_map(|l| l.strip_prefix("data: "))?;
                let v: serde_json::Value = serde_json::from_str(data).ok()?;
                v["choices"][0]["delta"]["content"]
                    .as_str()
                    .map(str::to_owned)
            })
            .collect();
        assert_eq!(text, answer);
        assert!(blocks[blocks.len() - 2].contains(r#""choices":[]"#));
        assert!(blocks[blocks.len() - 3].contains(r#""finish_reason":"stop""#));
    }
}
