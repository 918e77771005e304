//! `/hello`: the demo of every SSE tutorial. `Hello World` every 2 s; after 10 s an
//! `event: close` and the end of the response, so a client configured to stop on `close`
//! stops for good (a browser's `EventSource` would reconnect and start over).

use std::time::Duration;

use bytes::Bytes;

use super::stream::{Next, Script, event};

const EVERY: Duration = Duration::from_secs(2);
/// Hellos per connection: at 0, 2, 4, 6 and 8 s; the close follows at 10 s.
const HELLOS: u32 = 5;

pub struct Hello {
    next_id: u64,
    /// Blocks sent on this connection.
    sent: u32,
}

impl Hello {
    pub fn new(first_id: u64) -> Self {
        Hello {
            next_id: first_id,
            sent: 0,
        }
    }
}

impl Script for Hello {
    fn next(&mut self) -> Next {
        match self.sent {
            0 => Next::Block(Duration::ZERO),
            n if n <= HELLOS => Next::Block(EVERY),
            _ => Next::End(Duration::ZERO),
        }
    }

    fn block(&mut self) -> Bytes {
        let id = self.next_id;
        self.next_id += 1;
        self.sent += 1;
        if self.sent <= HELLOS {
            event(id, "message", "Hello World")
        } else {
            event(id, "close", "bye")
        }
    }
}
