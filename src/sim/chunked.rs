//! A vector whose clones share their full chunks: a growing, append-mostly log (a Kafka
//! partition's records on a broker) is copied by a time-travel checkpoint
//! (`crate::timetravel`) as one pointer per chunk of [`CHUNK`] elements plus a short tail,
//! not element by element. A shared chunk is never written: truncating into one copies its
//! kept prefix into the tail.
//!
//! Nothing ZooKeeper or Kafka defines is modelled here (the upstream log is a file of segments;
//! the sandbox keeps it in memory).

use std::ops::{Index, Range};
use std::rc::Rc;

/// Elements per shared chunk.
pub const CHUNK: usize = 256;

/// A vector of `T` in shared chunks of [`CHUNK`] elements and an owned tail.
#[derive(Clone, Debug)]
pub struct ChunkedVec<T> {
    full: Vec<Rc<[T]>>,
    tail: Vec<T>,
}

impl<T> Default for ChunkedVec<T> {
    fn default() -> Self {
        ChunkedVec { full: Vec::new(), tail: Vec::new() }
    }
}

impl<T: Clone> ChunkedVec<T> {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn len(&self) -> usize {
        self.full.len() * CHUNK + self.tail.len()
    }
    pub fn is_empty(&self) -> bool {
        self.full.is_empty() && self.tail.is_empty()
    }
    pub fn get(&self, i: usize) -> Option<&T> {
        let c = i / CHUNK;
        match self.full.get(c) {
            Some(chunk) => chunk.get(i % CHUNK),
            None => self.tail.get(i - self.full.len() * CHUNK),
        }
    }
    pub fn last(&self) -> Option<&T> {
        self.tail.last().or_else(|| self.full.last().and_then(|c| c.last()))
    }
    pub fn push(&mut self, v: T) {
        self.tail.push(v);
        if self.tail.len() == CHUNK {
            let chunk: Rc<[T]> = Rc::from(std::mem::take(&mut self.tail));
            self.full.push(chunk);
        }
    }
    pub fn extend(&mut self, items: impl IntoIterator<Item = T>) {
        for v in items {
            self.push(v);
        }
    }
    /// Keep the first `n` elements.
    pub fn truncate(&mut self, n: usize) {
        if n >= self.len() {
            return;
        }
        let c = n / CHUNK;
        if c < self.full.len() {
            let kept: Vec<T> = self.full[c][..n % CHUNK].to_vec();
            self.full.truncate(c);
            self.tail = kept;
        } else {
            self.tail.truncate(n - c * CHUNK);
        }
    }
    /// Elements `r.start..r.end` (clamped to the length), in order.
    pub fn range(&self, r: Range<usize>) -> impl Iterator<Item = &T> + '_ {
        let end = r.end.min(self.len());
        let start = r.start.min(end);
        (start..end).map_while(move |i| self.get(i))
    }
    pub fn iter(&self) -> impl Iterator<Item = &T> + '_ {
        self.full.iter().flat_map(|c| c.iter()).chain(self.tail.iter())
    }
    /// The index of the last element matching `pred`, searching from the end.
    pub fn rposition(&self, mut pred: impl FnMut(&T) -> bool) -> Option<usize> {
        if let Some(i) = self.tail.iter().rposition(&mut pred) {
            return Some(self.full.len() * CHUNK + i);
        }
        for (c, chunk) in self.full.iter().enumerate().rev() {
            if let Some(i) = chunk.iter().rposition(&mut pred) {
                return Some(c * CHUNK + i);
            }
        }
        None
    }
}

impl<T: Clone> Index<usize> for ChunkedVec<T> {
    type Output = T;
    fn index(&self, i: usize) -> &T {
        match self.get(i) {
            Some(v) => v,
            None => panic!("ChunkedVec index {i} out of range (length {})", self.len()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::rng::Rng;

    /// Every operation agrees with a plain `Vec`, and clones taken along the way keep their
    /// contents whatever the original does afterwards.
    #[test]
    fn a_chunked_vec_behaves_as_a_vec_and_its_clones_are_unaffected_by_later_changes() {
        let mut rng = Rng::new(3);
        let mut c: ChunkedVec<u64> = ChunkedVec::new();
        let mut v: Vec<u64> = Vec::new();
        let mut clones: Vec<(ChunkedVec<u64>, Vec<u64>)> = Vec::new();
        for step in 0..20_000u64 {
            match rng.below(20) {
                0 => {
                    let n = rng.below(v.len() as u64 + 1) as usize;
                    c.truncate(n);
                    v.truncate(n);
                }
                1 => {
                    let items: Vec<u64> = (0..rng.below(600)).map(|i| step * 1000 + i).collect();
                    c.extend(items.clone());
                    v.extend(items);
                }
                2 if step % 7 == 0 => clones.push((c.clone(), v.clone())),
                _ => {
                    c.push(step);
                    v.push(step);
                }
            }
            assert_eq!(c.len(), v.len());
            assert_eq!(c.last(), v.last());
            if !v.is_empty() {
                let i = rng.below(v.len() as u64) as usize;
                assert_eq!(c[i], v[i]);
                let j = rng.below(v.len() as u64 + 10) as usize;
                assert_eq!(c.range(i..j).copied().collect::<Vec<_>>(), v[i..j.min(v.len()).max(i)].to_vec());
                let k = rng.below(20_000);
                assert_eq!(c.rposition(|x| *x < k), v.iter().rposition(|x| *x < k));
            }
        }
        assert_eq!(c.iter().copied().collect::<Vec<_>>(), v);
        for (cc, vv) in clones {
            assert_eq!(cc.iter().copied().collect::<Vec<_>>(), vv);
        }
    }
}
