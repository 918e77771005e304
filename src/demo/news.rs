//! `/news`: a headline every 2 to 5 s, in order from `assets/news.json` (made-up outlets and
//! stories), cycling. The list is compiled in so the demo works after `cargo install`.

use std::sync::LazyLock;
use std::time::Duration;

use bytes::Bytes;
use serde::{Deserialize, Serialize};

use super::stream::{Next, Script, event, json, millis, seeded};

const SEED_PACE: u64 = 0x6E65_7773;

#[derive(Debug, Deserialize, Serialize)]
struct Headline {
    title: String,
    source: String,
    section: String,
}

/// The embedded list; the tests check that it parses and is long enough to feel like news.
static HEADLINES: LazyLock<Vec<Headline>> = LazyLock::new(|| {
    serde_json::from_str(include_str!("../../assets/news.json")).unwrap_or_default()
});

pub struct News {
    next_id: u64,
    first: bool,
}

impl News {
    pub fn new(first_id: u64) -> Self {
        News {
            next_id: first_id,
            first: true,
        }
    }
}

impl Script for News {
    fn next(&mut self) -> Next {
        if HEADLINES.is_empty() {
            return Next::End(Duration::ZERO);
        }
        if self.first {
            return Next::Block(Duration::ZERO);
        }
        Next::Block(millis(&mut seeded(SEED_PACE, self.next_id), 2000..=5000))
    }

    fn block(&mut self) -> Bytes {
        let id = self.next_id;
        self.next_id += 1;
        self.first = false;
        // Id 1 is the first headline; `wait` made sure the list is not empty.
        let n = HEADLINES.len().max(1) as u64;
        let Some(h) = HEADLINES.get(((id - 1) % n) as usize) else {
            return Bytes::new();
        };
        event(id, "headline", &json(h))
    }
}
