//! `PartMap`: a map keyed by topic-partition, for a broker's per-partition state (its logs and
//! replicas), looked up several times per fetch on the replication hot path.
//!
//! Entries are grouped by topic (topics in name order, `TopicName`'s order) and, inside a
//! topic, kept sorted by partition — so iteration visits keys in exactly `TopicPartition`'s
//! order, the order the `BTreeMap` it replaces used: nothing the simulation does depends on the
//! choice. A lookup finds the topic (interned names compare by pointer) and then the partition
//! through a per-topic index from partition number to position (rebuilt when a partition is
//! added or removed, which is rare), so a broker holding a sparse subset of a topic's partitions
//! finds each one without searching. Partition numbers outside the index's range (negative or
//! beyond `INDEX_LIMIT`, which no created topic has) fall back to a binary search.

use std::ops::Index;

use super::types::{TopicName, TopicPartition};

/// A map from `TopicPartition` to `V`, iterated in `TopicPartition` order.
#[derive(Clone)]
pub struct PartMap<V> {
    /// Topics in name order, each with its entries (never empty).
    topics: Vec<(TopicName, Parts<V>)>,
}

impl<V> Default for PartMap<V> {
    fn default() -> Self {
        PartMap::new()
    }
}

impl<V: std::fmt::Debug> std::fmt::Debug for PartMap<V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

/// Partition numbers from 0 below this are indexed; others are searched.
const INDEX_LIMIT: i32 = 1 << 16;
/// No entry for this partition number.
const ABSENT: u32 = u32::MAX;

/// One topic's entries, sorted by partition, with the index from partition number to position.
#[derive(Clone)]
struct Parts<V> {
    entries: Vec<(TopicPartition, V)>,
    /// `index[p]` is the position of partition `p`, or `ABSENT`; covers `0..=` the largest
    /// indexed partition number.
    index: Vec<u32>,
    /// Every entry's partition number is in `0..INDEX_LIMIT` (so a miss in the index is final).
    all_indexed: bool,
}

impl<V> Parts<V> {
    fn new() -> Self {
        Parts { entries: Vec::new(), index: Vec::new(), all_indexed: true }
    }

    /// Where partition `p` is (`Ok`) or would go (`Err`).
    #[inline(always)]
    fn find(&self, p: i32) -> Result<usize, usize> {
        if p >= 0 {
            if let Some(&i) = self.index.get(p as usize) {
                if i != ABSENT {
                    return Ok(i as usize);
                }
            }
            if self.all_indexed && p < INDEX_LIMIT {
                return Err(self.insertion_point(p));
            }
        }
        self.search(p)
    }

    #[cold]
    #[inline(never)]
    fn search(&self, p: i32) -> Result<usize, usize> {
        self.entries.binary_search_by(|(tp, _)| tp.partition.cmp(&p))
    }

    /// Where an absent partition `p` would go (only on inserts: not on the lookup path).
    #[cold]
    #[inline(never)]
    fn insertion_point(&self, p: i32) -> usize {
        self.entries.partition_point(|(tp, _)| tp.partition < p)
    }

    fn reindex(&mut self) {
        let indexed = |p: i32| (0..INDEX_LIMIT).contains(&p);
        let top = self.entries.iter().map(|(tp, _)| tp.partition).filter(|p| indexed(*p)).max();
        self.index.clear();
        if let Some(top) = top {
            self.index.resize(top as usize + 1, ABSENT);
        }
        self.all_indexed = true;
        for (i, (tp, _)) in self.entries.iter().enumerate() {
            if indexed(tp.partition) {
                self.index[tp.partition as usize] = i as u32;
            } else {
                self.all_indexed = false;
            }
        }
    }
}

impl<V> PartMap<V> {
    pub const fn new() -> Self {
        PartMap { topics: Vec::new() }
    }

    #[inline(always)]
    fn find_topic(&self, topic: &TopicName) -> Result<usize, usize> {
        // Usually one or two topics, and an interned name matches by pointer at once.
        if self.topics.len() <= 8 {
            if let Some(i) = self.topics.iter().position(|(t, _)| t.same(topic)) {
                return Ok(i);
            }
        }
        self.search_topic(topic)
    }

    #[cold]
    #[inline(never)]
    fn search_topic(&self, topic: &TopicName) -> Result<usize, usize> {
        self.topics.binary_search_by(|(t, _)| t.cmp(topic))
    }

    #[inline(always)]
    fn find(&self, tp: &TopicPartition) -> Option<(usize, usize)> {
        let t = self.find_topic(&tp.topic).ok()?;
        let p = self.topics[t].1.find(tp.partition).ok()?;
        Some((t, p))
    }

    #[inline]
    pub fn get(&self, tp: &TopicPartition) -> Option<&V> {
        let (t, p) = self.find(tp)?;
        Some(&self.topics[t].1.entries[p].1)
    }

    #[inline]
    pub fn get_mut(&mut self, tp: &TopicPartition) -> Option<&mut V> {
        let (t, p) = self.find(tp)?;
        Some(&mut self.topics[t].1.entries[p].1)
    }

    #[inline]
    pub fn contains_key(&self, tp: &TopicPartition) -> bool {
        self.find(tp).is_some()
    }

    /// Where `tp` is, inserting `make()` first if it is absent.
    fn slot(&mut self, tp: &TopicPartition, make: impl FnOnce() -> V) -> (usize, usize) {
        let t = match self.find_topic(&tp.topic) {
            Ok(t) => t,
            Err(t) => {
                self.topics.insert(t, (tp.topic.clone(), Parts::new()));
                t
            }
        };
        let parts = &mut self.topics[t].1;
        let p = match parts.find(tp.partition) {
            Ok(p) => p,
            Err(p) => {
                parts.entries.insert(p, (tp.clone(), make()));
                parts.reindex();
                p
            }
        };
        (t, p)
    }

    /// Inserts or replaces; the previous value, if any (`BTreeMap::insert`).
    pub fn insert(&mut self, tp: TopicPartition, value: V) -> Option<V> {
        let mut value = Some(value);
        let (t, p) = self.slot(&tp, || value.take().expect("inserted once"));
        value.map(|v| std::mem::replace(&mut self.topics[t].1.entries[p].1, v))
    }

    /// The value for `tp`, inserted as `V::default()` first if absent
    /// (`BTreeMap::entry(tp).or_default()`).
    pub fn get_or_default(&mut self, tp: &TopicPartition) -> &mut V
    where
        V: Default,
    {
        let (t, p) = self.slot(tp, V::default);
        &mut self.topics[t].1.entries[p].1
    }

    pub fn remove(&mut self, tp: &TopicPartition) -> Option<V> {
        let (t, p) = self.find(tp)?;
        let parts = &mut self.topics[t].1;
        let (_, v) = parts.entries.remove(p);
        if parts.entries.is_empty() {
            self.topics.remove(t);
        } else {
            parts.reindex();
        }
        Some(v)
    }

    pub fn len(&self) -> usize {
        self.topics.iter().map(|(_, p)| p.entries.len()).sum()
    }
    pub fn is_empty(&self) -> bool {
        self.topics.is_empty()
    }

    /// Entries in `TopicPartition` order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&TopicPartition, &V)> + Clone {
        self.topics.iter().flat_map(|(_, e)| e.entries.iter().map(|(k, v)| (k, v)))
    }
    pub fn iter_mut(&mut self) -> impl DoubleEndedIterator<Item = (&TopicPartition, &mut V)> {
        self.topics.iter_mut().flat_map(|(_, e)| e.entries.iter_mut().map(|(k, v)| (&*k, v)))
    }
    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &TopicPartition> + Clone {
        self.iter().map(|(k, _)| k)
    }
    pub fn values(&self) -> impl DoubleEndedIterator<Item = &V> + Clone {
        self.iter().map(|(_, v)| v)
    }
    pub fn values_mut(&mut self) -> impl DoubleEndedIterator<Item = &mut V> {
        self.iter_mut().map(|(_, v)| v)
    }
}

impl<V> Index<&TopicPartition> for PartMap<V> {
    type Output = V;
    /// Panics if absent, like `BTreeMap`'s index (tests only).
    fn index(&self, tp: &TopicPartition) -> &V {
        self.get(tp).expect("no entry for this topic-partition")
    }
}

#[cfg(test)]
mod tests {
    use super::PartMap;
    use crate::kafka::types::TopicPartition;
    use crate::sim::rng::Rng;
    use std::collections::BTreeMap;

    #[test]
    fn partmap_behaves_like_a_btreemap_keyed_by_topic_partition() {
        let topics = ["b", "a", "c-1", "", "zz"];
        let mut rng = Rng::new(11);
        let mut a: PartMap<u64> = PartMap::new();
        let mut b: BTreeMap<TopicPartition, u64> = BTreeMap::new();
        for step in 0..30_000u64 {
            let topic = topics[rng.below(topics.len() as u64) as usize];
            // Mostly dense small partition numbers, sometimes gaps, negatives and huge ones.
            let partition = match rng.below(10) {
                0 => -(rng.below(3) as i32) - 1,
                1 => i32::MAX - rng.below(2) as i32,
                _ => rng.below(12) as i32,
            };
            let k = TopicPartition::new(topic, partition);
            match rng.below(5) {
                0 | 1 => assert_eq!(a.insert(k.clone(), step), b.insert(k.clone(), step)),
                2 => assert_eq!(a.remove(&k), b.remove(&k)),
                3 => {
                    *a.get_or_default(&k) += 1;
                    *b.entry(k.clone()).or_default() += 1;
                }
                _ => {
                    if let (Some(x), Some(y)) = (a.get_mut(&k), b.get_mut(&k)) {
                        *x ^= step;
                        *y ^= step;
                    }
                }
            }
            assert_eq!(a.get(&k), b.get(&k));
            assert_eq!(a.contains_key(&k), b.contains_key(&k));
            assert_eq!(a.len(), b.len());
            if step % 1000 == 0 {
                assert!(a.iter().eq(b.iter()), "same entries in the same order");
            }
        }
        assert!(a.iter().eq(b.iter()), "same entries in the same order");
        assert!(a.iter().rev().eq(b.iter().rev()), "and backwards");
    }
}
