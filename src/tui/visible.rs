//! Which kept events a pane's list shows (those that pass its filters), by `seq`.

use std::collections::VecDeque;

use super::events::reserve_up_to;

/// The `seq`s of the kept events that pass a pane's filters, oldest first. With no filter on,
/// every kept event passes: a range then, not a list (8 bytes an event saved).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Visible {
    /// `first..end`, every kept event.
    All {
        first: u64,
        end: u64,
    },
    List(VecDeque<u64>),
}

impl Default for Visible {
    fn default() -> Self {
        Visible::All { first: 0, end: 0 }
    }
}

impl Visible {
    pub fn len(&self) -> usize {
        match self {
            Visible::All { first, end } => (end - first) as usize,
            Visible::List(list) => list.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The `i`th (from 0, the oldest).
    pub fn get(&self, i: usize) -> Option<u64> {
        match self {
            Visible::All { first, end } => Some(first + i as u64).filter(|s| s < end),
            Visible::List(list) => list.get(i).copied(),
        }
    }

    pub fn front(&self) -> Option<u64> {
        self.get(0)
    }

    pub fn contains(&self, seq: u64) -> bool {
        match self {
            Visible::All { first, end } => (*first..*end).contains(&seq),
            Visible::List(list) => list.binary_search(&seq).is_ok(),
        }
    }

    /// How many come before the first `seq` for which `before` is false (`before` is true
    /// for a first part only, as for [`slice::partition_point`]).
    pub fn partition_point(&self, before: impl Fn(u64) -> bool) -> usize {
        match self {
            Visible::List(list) => list.partition_point(|&s| before(s)),
            Visible::All { first, .. } => {
                let (mut lo, mut hi) = (0, self.len());
                while lo < hi {
                    let mid = lo + (hi - lo) / 2;
                    if before(first + mid as u64) {
                        lo = mid + 1;
                    } else {
                        hi = mid;
                    }
                }
                lo
            }
        }
    }

    /// The first `end` of them.
    pub fn head(&self, end: usize) -> impl DoubleEndedIterator<Item = u64> + ExactSizeIterator {
        let end = end.min(self.len());
        (0..end).map(move |i| self.get(i).expect("i < len"))
    }

    /// Adds the newest kept event, `seq` (with no filter on, it is the range's next).
    pub fn push_back(&mut self, seq: u64, capacity: usize) {
        match self {
            Visible::All { end, .. } => {
                debug_assert_eq!(*end, seq, "every kept event is visible");
                *end = seq + 1;
            }
            Visible::List(list) => {
                reserve_up_to(list, capacity);
                list.push_back(seq);
            }
        }
    }

    pub fn pop_front(&mut self) {
        match self {
            Visible::All { first, end } => *first = (*first + 1).min(*end),
            Visible::List(list) => {
                list.pop_front();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_range_answers_as_the_list_of_the_same_seqs_does() {
        let mut all = Visible::All { first: 7, end: 7 };
        let mut list = Visible::List(VecDeque::new());
        for seq in 7..40 {
            all.push_back(seq, 100);
            list.push_back(seq, 100);
            if seq % 3 == 0 {
                all.pop_front();
                list.pop_front();
            }
            assert_eq!(all.len(), list.len());
            assert_eq!(all.front(), list.front());
            assert!(all.head(usize::MAX).eq(list.head(usize::MAX)));
            assert!(all.head(5).rev().eq(list.head(5).rev()));
            for probe in 0..45 {
                assert_eq!(all.contains(probe), list.contains(probe));
                assert_eq!(all.get(probe as usize), list.get(probe as usize));
                assert_eq!(
                    all.partition_point(|s| s < probe),
                    list.partition_point(|s| s < probe)
                );
            }
        }
    }
}
