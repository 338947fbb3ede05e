//! `PartMap`: a map keyed by topic-partition, for a broker's per-partition state (its logs and
//! replicas), looked up several times per fetch on the replication hot path.
//!
//! Entries are grouped by topic (topics in name order, `TopicName`'s order) and, inside a
//! topic, kept sorted by partition — so iteration visits keys in exactly `TopicPartition`'s
//! order, the order the `BTreeMap` it replaces used: nothing the simulation does depends on the
//! choice. A lookup finds the topic (interned names compare by pointer) and then, since a
//! topic's partitions are numbered densely from 0, usually finds partition `p` at position `p`
//! without searching; otherwise it binary-searches the partition numbers.

use std::ops::Index;

use super::types::{TopicName, TopicPartition};

/// A map from `TopicPartition` to `V`, iterated in `TopicPartition` order.
#[derive(Clone)]
pub struct PartMap<V> {
    /// Topics in name order, each with its entries sorted by partition (never empty).
    topics: Vec<(TopicName, Vec<(TopicPartition, V)>)>,
    len: usize,
}

impl<V> Default for PartMap<V> {
    fn default() -> Self {
        PartMap { topics: Vec::new(), len: 0 }
    }
}

impl<V: std::fmt::Debug> std::fmt::Debug for PartMap<V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

/// Where `p` is in a topic's sorted entries (`Ok`) or would go (`Err`).
#[inline]
fn find_part<V>(entries: &[(TopicPartition, V)], p: i32) -> Result<usize, usize> {
    if p >= 0 {
        if let Some((tp, _)) = entries.get(p as usize) {
            if tp.partition == p {
                return Ok(p as usize);
            }
        }
    }
    search_part(entries, p)
}

#[cold]
#[inline(never)]
fn search_part<V>(entries: &[(TopicPartition, V)], p: i32) -> Result<usize, usize> {
    entries.binary_search_by(|(tp, _)| tp.partition.cmp(&p))
}

impl<V> PartMap<V> {
    pub const fn new() -> Self {
        PartMap { topics: Vec::new(), len: 0 }
    }

    #[inline(always)]
    fn find_topic(&self, topic: &TopicName) -> Result<usize, usize> {
        // Usually one or two topics, and an interned name matches by pointer at once.
        match self.topics.iter().position(|(t, _)| t.same(topic)) {
            Some(i) => Ok(i),
            None => self.search_topic(topic),
        }
    }

    #[cold]
    #[inline(never)]
    fn search_topic(&self, topic: &TopicName) -> Result<usize, usize> {
        self.topics.binary_search_by(|(t, _)| t.cmp(topic))
    }

    #[inline(always)]
    fn find(&self, tp: &TopicPartition) -> Option<(usize, usize)> {
        let t = self.find_topic(&tp.topic).ok()?;
        let p = find_part(&self.topics[t].1, tp.partition).ok()?;
        Some((t, p))
    }

    #[inline]
    pub fn get(&self, tp: &TopicPartition) -> Option<&V> {
        let (t, p) = self.find(tp)?;
        Some(&self.topics[t].1[p].1)
    }

    #[inline]
    pub fn get_mut(&mut self, tp: &TopicPartition) -> Option<&mut V> {
        let (t, p) = self.find(tp)?;
        Some(&mut self.topics[t].1[p].1)
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
                self.topics.insert(t, (tp.topic.clone(), Vec::new()));
                t
            }
        };
        let entries = &mut self.topics[t].1;
        let p = match find_part(entries, tp.partition) {
            Ok(p) => p,
            Err(p) => {
                entries.insert(p, (tp.clone(), make()));
                self.len += 1;
                p
            }
        };
        (t, p)
    }

    /// Inserts or replaces; the previous value, if any (`BTreeMap::insert`).
    pub fn insert(&mut self, tp: TopicPartition, value: V) -> Option<V> {
        let mut value = Some(value);
        let (t, p) = self.slot(&tp, || value.take().expect("inserted once"));
        value.map(|v| std::mem::replace(&mut self.topics[t].1[p].1, v))
    }

    /// The value for `tp`, inserted as `V::default()` first if absent
    /// (`BTreeMap::entry(tp).or_default()`).
    pub fn get_or_default(&mut self, tp: &TopicPartition) -> &mut V
    where
        V: Default,
    {
        let (t, p) = self.slot(tp, V::default);
        &mut self.topics[t].1[p].1
    }

    pub fn remove(&mut self, tp: &TopicPartition) -> Option<V> {
        let (t, p) = self.find(tp)?;
        let entries = &mut self.topics[t].1;
        let (_, v) = entries.remove(p);
        if entries.is_empty() {
            self.topics.remove(t);
        }
        self.len -= 1;
        Some(v)
    }

    pub fn len(&self) -> usize {
        self.len
    }
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
    pub fn clear(&mut self) {
        self.topics.clear();
        self.len = 0;
    }

    /// Entries in `TopicPartition` order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&TopicPartition, &V)> + Clone {
        self.topics.iter().flat_map(|(_, e)| e.iter().map(|(k, v)| (k, v)))
    }
    pub fn iter_mut(&mut self) -> impl DoubleEndedIterator<Item = (&TopicPartition, &mut V)> {
        self.topics.iter_mut().flat_map(|(_, e)| e.iter_mut().map(|(k, v)| (&*k, v)))
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

impl<'a, V> IntoIterator for &'a PartMap<V> {
    type Item = (&'a TopicPartition, &'a V);
    type IntoIter = Box<dyn DoubleEndedIterator<Item = (&'a TopicPartition, &'a V)> + 'a>;
    fn into_iter(self) -> Self::IntoIter {
        Box::new(self.iter())
    }
}

impl<V> Index<&TopicPartition> for PartMap<V> {
    type Output = V;
    /// Panics if absent, like `BTreeMap`'s index (tests only).
    fn index(&self, tp: &TopicPartition) -> &V {
        self.get(tp).expect("no entry for this topic-partition")
    }
}

impl<V> FromIterator<(TopicPartition, V)> for PartMap<V> {
    fn from_iter<I: IntoIterator<Item = (TopicPartition, V)>>(iter: I) -> Self {
        let mut m = PartMap::new();
        for (k, v) in iter {
            m.insert(k, v);
        }
        m
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
