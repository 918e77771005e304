//! `/ticker`: quotes for six made-up companies, several a second, with an occasional trading
//! halt and its resume.
//!
//! Everything about event `id` is a function of `id` alone (see [`super::stream::seeded`]),
//! so a client that resumes with `Last-Event-ID` sees exactly what it would have seen without
//! the break. That rules out a walk that adds up steps (resuming at id 10^9 would replay 10^9
//! steps); prices come from layered smooth noise over the id instead, which looks the same
//! on a chart.

use std::time::Duration;

use bytes::Bytes;
use serde::Serialize;

use super::stream::{Next, Script, event, json, millis, seeded};

/// Symbol and previous close.
const SYMBOLS: [(&str, f64); 6] = [
    ("ACME", 123.45),
    ("ORBT", 42.10),
    ("KLVX", 87.30),
    ("PLMT", 18.75),
    ("VRDA", 64.20),
    ("NMBS", 231.00),
];

/// Every block of this many ids has one halt and its resume: about every 45 s at the
/// average interval of 275 ms.
const HALT_BLOCK: u64 = 160;

/// Seeds, one per kind of random choice, so that they do not move together.
const SEED_PACE: u64 = 0x7061_6365;
const SEED_TICK: u64 = 0x7469_636B;
const SEED_VOLUME: u64 = 0x766F_6C75;
const SEED_HALT: u64 = 0x6861_6C74;
const SEED_WALK: u64 = 0x7761_6C6B;

/// Periods of the noise layers, in ids. Each layer's amplitude grows with the square root of
/// its period, as a random walk's spread does with time.
const LAYERS: [u64; 6] = [8, 32, 128, 512, 2048, 8192];
/// Log-price spread of the biggest layer: swings of several per cent over an hour.
const VOLATILITY: f64 = 0.035;

pub struct Ticker {
    next_id: u64,
    first: bool,
}

impl Ticker {
    pub fn new(first_id: u64) -> Self {
        Ticker {
            next_id: first_id,
            first: true,
        }
    }
}

impl Script for Ticker {
    fn next(&mut self) -> Next {
        if self.first {
            // Something on screen at once, rather than after the first interval.
            return Next::Block(Duration::ZERO);
        }
        Next::Block(millis(&mut seeded(SEED_PACE, self.next_id), 150..=400))
    }

    fn block(&mut self) -> Bytes {
        let id = self.next_id;
        self.next_id += 1;
        self.first = false;
        let (kind, data) = match tick(id) {
            Tick::Quote(symbol) => ("quote", json(&quote(symbol, id))),
            Tick::Halt(symbol) => (
                "halt",
                json(&Halt {
                    symbol: SYMBOLS[symbol].0,
                    reason: "volatility",
                }),
            ),
            Tick::Resume(symbol) => (
                "resume",
                json(&Resume {
                    symbol: SYMBOLS[symbol].0,
                }),
            ),
        };
        event(id, kind, &data)
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Tick {
    Quote(usize),
    Halt(usize),
    Resume(usize),
}

/// What event `id` is: a halted symbol gets no quotes between its halt and its resume.
fn tick(id: u64) -> Tick {
    let offset = id % HALT_BLOCK;
    let mut block = seeded(SEED_HALT, id / HALT_BLOCK);
    let halted = block.usize(..SYMBOLS.len());
    let halt = block.u64(40..=110);
    let resume = halt + block.u64(12..=30);
    let mut rng = seeded(SEED_TICK, id);
    if offset == halt {
        Tick::Halt(halted)
    } else if offset == resume {
        Tick::Resume(halted)
    } else if offset > halt && offset < resume {
        let other = rng.usize(..SYMBOLS.len() - 1);
        Tick::Quote(if other >= halted { other + 1 } else { other })
    } else {
        Tick::Quote(rng.usize(..SYMBOLS.len()))
    }
}

#[derive(Serialize)]
struct Quote {
    symbol: &'static str,
    price: f64,
    /// Since the previous close, as quote screens show it.
    change: f64,
    volume: u32,
}

#[derive(Serialize)]
struct Halt {
    symbol: &'static str,
    reason: &'static str,
}

#[derive(Serialize)]
struct Resume {
    symbol: &'static str,
}

fn quote(symbol: usize, id: u64) -> Quote {
    let (name, close) = SYMBOLS[symbol];
    let price = round2(price(symbol, id));
    Quote {
        symbol: name,
        price,
        change: round2(price - close),
        volume: seeded(SEED_VOLUME, id).u32(1..=60) * 100,
    }
}

fn price(symbol: usize, id: u64) -> f64 {
    let seed = SEED_WALK ^ ((symbol as u64) << 32);
    let biggest = LAYERS[LAYERS.len() - 1] as f64;
    let walk: f64 = LAYERS
        .iter()
        .map(|&period| {
            let amplitude = (period as f64 / biggest).sqrt();
            amplitude * noise(seed ^ period, id as f64 / period as f64)
        })
        .sum();
    // A little tick-to-tick jitter on top of the smooth layers.
    let jitter = (seeded(seed, id).f64() - 0.5) * 0.001;
    SYMBOLS[symbol].1 * (VOLATILITY * walk + jitter).exp()
}

/// Value noise: random values in [-1, 1] at whole `x`, smoothly interpolated between.
fn noise(seed: u64, x: f64) -> f64 {
    let knot = x.floor();
    let k = knot as u64;
    let t = x - knot;
    let a = seeded(seed, k).f64() * 2.0 - 1.0;
    let b = seeded(seed, k.wrapping_add(1)).f64() * 2.0 - 1.0;
    let s = t * t * (3.0 - 2.0 * t);
    a + (b - a) * s
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}
