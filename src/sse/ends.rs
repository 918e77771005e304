//! Where the lines of a read end: every CR and LF, found 64 bytes at a time.
//!
//! A flood's lines are short (an id, a type, a line of JSON), so looking for each line's end on
//! its own (`memchr2`, or a word at a time) pays a start-up cost per line that is larger than
//! the search. Here each 64-byte block of the read is compared once and its line ends kept as
//! the bits of a word; the next end is then a `trailing_zeros`, and a block holding four lines
//! is read once, not four times.

/// The line ends of one read, found block by block as the parser asks for them.
pub(super) struct LineEnds<'a> {
    bytes: &'a [u8],
    /// Where the block in `ends` starts (a multiple of 64).
    base: usize,
    /// Bit `i` is set when `bytes[base + i]` is a CR or a LF.
    ends: u64,
}

const BLOCK: usize = 64;

impl<'a> LineEnds<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        LineEnds {
            bytes,
            base: 0,
            ends: block_ends(bytes, 0),
        }
    }

    /// The first CR or LF at or after `at`. Calls come with `at` never going back.
    #[inline]
    pub fn find(&mut self, at: usize) -> Option<usize> {
        debug_assert!(at >= self.base, "line ends are asked for in order");
        let mut base = at - at % BLOCK;
        if base != self.base {
            self.base = base;
            self.ends = block_ends(self.bytes, base);
        }
        // Ends before `at` belong to lines already taken.
        let mut ends = self.ends & (!0u64 << (at - base));
        while ends == 0 {
            base += BLOCK;
            if base >= self.bytes.len() {
                return None;
            }
            self.base = base;
            self.ends = block_ends(self.bytes, base);
            ends = self.ends;
        }
        Some(base + ends.trailing_zeros() as usize)
    }
}

/// The CR and LF bits of the block of `bytes` that starts at `base` (a short last block has
/// bits only for the bytes it has).
#[inline]
fn block_ends(bytes: &[u8], base: usize) -> u64 {
    match bytes.get(base..base + BLOCK) {
        Some(block) => full_block_ends(block.try_into().expect("64 bytes")),
        None => bytes
            .get(base..)
            .unwrap_or_default()
            .iter()
            .enumerate()
            .fold(0, |ends, (i, &b)| ends | (u64::from(is_end(b)) << i)),
    }
}

fn is_end(b: u8) -> bool {
    b == b'\n' || b == b'\r'
}

/// Sixteen bytes compared at once, four times (SSE2 is part of every x86-64 CPU).
#[cfg(target_arch = "x86_64")]
#[inline]
fn full_block_ends(block: &[u8; BLOCK]) -> u64 {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
    };
    let mut ends = 0u64;
    for (k, sixteen) in block.chunks_exact(16).enumerate() {
        // SAFETY: SSE2 is part of the x86-64 baseline, so these instructions always exist;
        // `sixteen` is 16 readable bytes, and the load has no alignment requirement.
        let hits = unsafe {
            let v = _mm_loadu_si128(sixteen.as_ptr().cast::<__m128i>());
            _mm_movemask_epi8(_mm_or_si128(
                _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\n' as i8)),
                _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\r' as i8)),
            ))
        };
        // One bit per byte, in the low 16 bits.
        ends |= u64::from(hits as u16) << (16 * k);
    }
    ends
}

#[cfg(not(target_arch = "x86_64"))]
#[inline]
fn full_block_ends(block: &[u8; BLOCK]) -> u64 {
    block
        .iter()
        .enumerate()
        .fold(0, |ends, (i, &b)| ends | (u64::from(is_end(b)) << i))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// Every end from `at` on, the way the parser asks: from each end found, on from the next byte.
    fn all_ends(bytes: &[u8], mut at: usize) -> Vec<usize> {
        let mut ends = LineEnds::new(bytes);
        let mut found = Vec::new();
        while let Some(pos) = ends.find(at) {
            found.push(pos);
            at = pos + 1;
        }
        found
    }

    fn naive(bytes: &[u8], at: usize) -> Vec<usize> {
        (at..bytes.len()).filter(|&i| is_end(bytes[i])).collect()
    }

    #[test]
    fn finds_an_end_at_every_position_of_a_block_and_past_it() {
        for len in [1, 15, 16, 17, 63, 64, 65, 127, 128, 129, 200] {
            for pos in 0..len {
                for end in [b'\n', b'\r'] {
                    let mut bytes = vec![b'a'; len];
                    bytes[pos] = end;
                    assert_eq!(all_ends(&bytes, 0), vec![pos], "len {len}, end at {pos}");
                }
            }
        }
    }

    #[test]
    fn bytes_that_only_look_like_ends_are_not_ends() {
        // Every byte but CR and LF, including the ones a bit away (0x0b, 0x0c, 0x8a, 0x8d).
        let bytes: Vec<u8> = (0..=255u8)
            .filter(|&b| !is_end(b))
            .cycle()
            .take(512)
            .collect();
        assert_eq!(all_ends(&bytes, 0), Vec::<usize>::new());
    }

    proptest! {
        #[test]
        fn finds_every_cr_and_lf_in_order_from_any_start(
            bytes in prop::collection::vec(
                prop_oneof![6 => Just(b'x'), 1 => Just(b'\n'), 1 => Just(b'\r'), 1 => any::<u8>()],
                0..300,
            ),
            start in 0usize..300,
        ) {
            let at = start.min(bytes.len());
            prop_assert_eq!(all_ends(&bytes, at), naive(&bytes, at));
        }
    }
}
