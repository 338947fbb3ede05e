//! `SortedMap` and `SortedSet`: the ordered collections every module uses, kept as one sorted
//! vector each.
//!
//! Why not `BTreeMap`/`BTreeSet`: the simulation's maps are small (a handful of servers,
//! sessions, in-flight proposals, a topic's partitions) and every `BTreeMap<K, V>` the code names
//! is compiled into its own copy of the B-tree (insert with node splits, remove with
//! rebalancing, cursors). About fifty such copies made up ≈ 180 KB of the browser module. A
//! sorted vector needs a binary search and a `Vec` insert or remove, a fraction of that code,
//! and it is as fast or faster at these sizes (one contiguous array, no node hops).
//!
//! Same contract as the standard maps where the code relies on it: iteration in ascending key
//! order (so every trace is unchanged), `insert` replacing the value and returning the old one,
//! a later duplicate winning in `collect`. Inserting or removing in the middle moves the entries
//! after it — linear in the map's size, which stays cheap up to the tens of thousands of
//! entries the largest cluster the terminal builds holds (its znode tree).

use std::borrow::Borrow;
use std::cmp::Ordering;
use std::fmt;
use std::ops::{Bound, Index, RangeBounds};

/// A map iterated in ascending key order, stored as a sorted vector of entries.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SortedMap<K, V> {
    entries: Vec<(K, V)>,
}

impl<K, V> Default for SortedMap<K, V> {
    fn default() -> Self {
        SortedMap::new()
    }
}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for SortedMap<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

/// Where `key` is (`Ok`) or would go (`Err`) among keys sorted ascending.
fn search<T, K: Borrow<Q>, Q: Ord + ?Sized>(items: &[T], key: &Q, key_of: impl Fn(&T) -> &K) -> Result<usize, usize> {
    items.binary_search_by(|item| key_of(item).borrow().cmp(key))
}

/// The index range of the items whose key lies in `range`.
fn span<T, K: Borrow<Q>, Q: Ord + ?Sized>(items: &[T], range: &impl RangeBounds<Q>, key_of: impl Fn(&T) -> &K) -> std::ops::Range<usize> {
    let start = match range.start_bound() {
        Bound::Included(s) => items.partition_point(|t| key_of(t).borrow() < s),
        Bound::Excluded(s) => items.partition_point(|t| key_of(t).borrow() <= s),
        Bound::Unbounded => 0,
    };
    let end = match range.end_bound() {
        Bound::Included(e) => items.partition_point(|t| key_of(t).borrow() <= e),
        Bound::Excluded(e) => items.partition_point(|t| key_of(t).borrow() < e),
        Bound::Unbounded => items.len(),
    };
    start..end.max(start)
}

impl<K, V> SortedMap<K, V> {
    pub const fn new() -> Self {
        SortedMap { entries: Vec::new() }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn clear(&mut self) {
        self.entries.clear();
    }

    pub fn iter(&self) -> Iter<'_, K, V> {
        Iter(self.entries.iter())
    }

    pub fn iter_mut(&mut self) -> IterMut<'_, K, V> {
        IterMut(self.entries.iter_mut())
    }

    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &K> + ExactSizeIterator + Clone {
        self.entries.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl DoubleEndedIterator<Item = &V> + ExactSizeIterator + Clone {
        self.entries.iter().map(|(_, v)| v)
    }

    /// Keep the entries for which `keep` returns true, in order.
    pub fn retain(&mut self, mut keep: impl FnMut(&K, &mut V) -> bool) {
        self.entries.retain_mut(|(k, v)| keep(k, v));
    }
}

impl<K: Ord, V> SortedMap<K, V> {
    fn find<Q: Ord + ?Sized>(&self, key: &Q) -> Result<usize, usize>
    where
        K: Borrow<Q>,
    {
        search(&self.entries, key, |(k, _)| k)
    }

    pub fn get<Q: Ord + ?Sized>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
    {
        self.find(key).ok().map(|i| &self.entries[i].1)
    }

    pub fn get_mut<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
    {
        self.find(key).ok().map(|i| &mut self.entries[i].1)
    }

    pub fn contains_key<Q: Ord + ?Sized>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
    {
        self.find(key).is_ok()
    }

    /// Insert or replace; returns the value replaced.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        match self.find(&key) {
            Ok(i) => Some(std::mem::replace(&mut self.entries[i].1, value)),
            Err(i) => {
                self.entries.insert(i, (key, value));
                None
            }
        }
    }

    pub fn remove<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
    {
        self.find(key).ok().map(|i| self.entries.remove(i).1)
    }

    /// The value for `key`, inserted by `make` if absent (what `entry(key).or_insert_with` does).
    pub fn get_or_insert_with(&mut self, key: K, make: impl FnOnce() -> V) -> &mut V {
        let i = match self.find(&key) {
            Ok(i) => i,
            Err(i) => {
                self.entries.insert(i, (key, make()));
                i
            }
        };
        &mut self.entries[i].1
    }

    /// The value for `key`, a default one inserted if absent.
    pub fn get_or_default(&mut self, key: K) -> &mut V
    where
        V: Default,
    {
        self.get_or_insert_with(key, V::default)
    }

    /// Removes and returns the entries from `key` on (what `BTreeMap::split_off` does).
    pub fn split_off<Q: Ord + ?Sized>(&mut self, key: &Q) -> Self
    where
        K: Borrow<Q>,
    {
        let at = self.find(key).unwrap_or_else(|i| i);
        SortedMap { entries: self.entries.split_off(at) }
    }

    /// The entries whose key lies in `range`, in order.
    pub fn range<Q: Ord + ?Sized, R: RangeBounds<Q>>(&self, range: R) -> Iter<'_, K, V>
    where
        K: Borrow<Q>,
    {
        Iter(self.entries[span(&self.entries, &range, |(k, _)| k)].iter())
    }
}

/// The entries of a [`SortedMap`], in key order.
#[derive(Clone)]
pub struct Iter<'a, K, V>(std::slice::Iter<'a, (K, V)>);

impl<'a, K, V> Iterator for Iter<'a, K, V> {
    type Item = (&'a K, &'a V);
    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|(k, v)| (k, v))
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl<K, V> DoubleEndedIterator for Iter<'_, K, V> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.0.next_back().map(|(k, v)| (k, v))
    }
}

impl<K, V> ExactSizeIterator for Iter<'_, K, V> {}

/// The entries of a [`SortedMap`] with mutable values, in key order.
pub struct IterMut<'a, K, V>(std::slice::IterMut<'a, (K, V)>);

impl<'a, K, V> Iterator for IterMut<'a, K, V> {
    type Item = (&'a K, &'a mut V);
    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|(k, v)| (&*k, v))
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl<K, V> DoubleEndedIterator for IterMut<'_, K, V> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.0.next_back().map(|(k, v)| (&*k, v))
    }
}

impl<K, V> ExactSizeIterator for IterMut<'_, K, V> {}

impl<'a, K, V> IntoIterator for &'a SortedMap<K, V> {
    type Item = (&'a K, &'a V);
    type IntoIter = Iter<'a, K, V>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<'a, K, V> IntoIterator for &'a mut SortedMap<K, V> {
    type Item = (&'a K, &'a mut V);
    type IntoIter = IterMut<'a, K, V>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter_mut()
    }
}

impl<K, V> IntoIterator for SortedMap<K, V> {
    type Item = (K, V);
    type IntoIter = std::vec::IntoIter<(K, V)>;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

impl<K: Ord, V> Extend<(K, V)> for SortedMap<K, V> {
    /// Inserts each pair in turn (a later duplicate key replaces an earlier one); pairs that
    /// arrive in ascending order, as from another sorted collection, are appended.
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, iter: I) {
        for (k, v) in iter {
            if self.entries.last().is_none_or(|(last, _)| last.cmp(&k) == Ordering::Less) {
                self.entries.push((k, v));
            } else {
                self.insert(k, v);
            }
        }
    }
}

impl<K: Ord, V> FromIterator<(K, V)> for SortedMap<K, V> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut map = SortedMap::new();
        map.extend(iter);
        map
    }
}

impl<K: Ord + Borrow<Q>, Q: Ord + ?Sized, V> Index<&Q> for SortedMap<K, V> {
    type Output = V;
    /// Panics on a missing key, like `BTreeMap`'s index (only tests index maps).
    fn index(&self, key: &Q) -> &V {
        self.get(key).expect("no entry for this key")
    }
}

/// A set iterated in ascending order, stored as a sorted vector.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SortedSet<T> {
    items: Vec<T>,
}

impl<T> Default for SortedSet<T> {
    fn default() -> Self {
        SortedSet::new()
    }
}

impl<T: fmt::Debug> fmt::Debug for SortedSet<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

impl<T> SortedSet<T> {
    pub const fn new() -> Self {
        SortedSet { items: Vec::new() }
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn clear(&mut self) {
        self.items.clear();
    }

    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.items.iter()
    }

    /// Keep the items for which `keep` returns true, in order.
    pub fn retain(&mut self, keep: impl FnMut(&T) -> bool) {
        self.items.retain(keep);
    }
}

impl<T: Ord> SortedSet<T> {
    fn find<Q: Ord + ?Sized>(&self, item: &Q) -> Result<usize, usize>
    where
        T: Borrow<Q>,
    {
        search(&self.items, item, |t| t)
    }

    pub fn contains<Q: Ord + ?Sized>(&self, item: &Q) -> bool
    where
        T: Borrow<Q>,
    {
        self.find(item).is_ok()
    }

    /// The item equal to `item` (for interning: the set's own copy).
    pub fn get<Q: Ord + ?Sized>(&self, item: &Q) -> Option<&T>
    where
        T: Borrow<Q>,
    {
        self.find(item).ok().map(|i| &self.items[i])
    }

    /// Adds `item`; false if it was already there (the set keeps the one it had).
    pub fn insert(&mut self, item: T) -> bool {
        match self.find(&item) {
            Ok(_) => false,
            Err(i) => {
                self.items.insert(i, item);
                true
            }
        }
    }

    /// Removes `item`; false if it was not there.
    pub fn remove<Q: Ord + ?Sized>(&mut self, item: &Q) -> bool
    where
        T: Borrow<Q>,
    {
        self.take(item).is_some()
    }

    /// Removes and returns the item equal to `item`.
    pub fn take<Q: Ord + ?Sized>(&mut self, item: &Q) -> Option<T>
    where
        T: Borrow<Q>,
    {
        self.find(item).ok().map(|i| self.items.remove(i))
    }
}

impl<'a, T> IntoIterator for &'a SortedSet<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

impl<T> IntoIterator for SortedSet<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

impl<T: Ord> Extend<T> for SortedSet<T> {
    /// Adds each item in turn; items that arrive in ascending order are appended.
    fn extend<I: IntoIterator<Item = T>>(&mut self, iter: I) {
        for t in iter {
            if self.items.last().is_none_or(|last| last.cmp(&t) == Ordering::Less) {
                self.items.push(t);
            } else {
                self.insert(t);
            }
        }
    }
}

impl<T: Ord> FromIterator<T> for SortedSet<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        let mut set = SortedSet::new();
        set.extend(iter);
        set
    }
}

/// Sorts `v` by `cmp`, stably (equal elements keep their order), like `slice::sort_by`.
///
/// The standard sorts are compiled anew for every element type and comparator, ≈ 1–3 KB of
/// the browser module each; here only the permutation is generic and the sorting itself — of
/// positions, through one comparator type — is compiled once. None of the simulation's sorts
/// is on a per-event path.
pub fn sort_by<T>(v: &mut [T], mut cmp: impl FnMut(&T, &T) -> Ordering) {
    if v.len() < 2 {
        return;
    }
    let order = sorted_positions(v.len(), &mut |a, b| cmp(&v[a], &v[b]));
    permute(v, order);
}

/// Sorts `v` in ascending order, stably.
pub fn sort<T: Ord>(v: &mut [T]) {
    sort_by(v, T::cmp);
}

/// Sorts `v` by the key `key` gives, stably.
pub fn sort_by_key<T, K: Ord>(v: &mut [T], mut key: impl FnMut(&T) -> K) {
    sort_by(v, |a, b| key(a).cmp(&key(b)));
}

/// Positions `0..n` ordered by `cmp` (stable).
fn sorted_positions(n: usize, cmp: &mut dyn FnMut(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| cmp(a, b));
    order
}

/// Rearranges `v` so that position `i` holds what was at `order[i]`, following each cycle of
/// the permutation with swaps (`order` is used up as the record of finished positions).
fn permute<T>(v: &mut [T], mut order: Vec<usize>) {
    for start in 0..v.len() {
        let mut at = start;
        loop {
            let from = order[at];
            order[at] = at;
            if from == start || from == at {
                break;
            }
            v.swap(at, from);
            at = from;
        }
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::sim::rng::Rng;
    use std::collections::{BTreeMap, BTreeSet};

    #[test]
    fn sorted_map_and_set_behave_as_btree_ones_under_random_operations() {
        let mut rng = Rng::new(7);
        let (mut map, mut map_ref) = (SortedMap::<i32, u32>::new(), BTreeMap::<i32, u32>::new());
        let (mut set, mut set_ref) = (SortedSet::<i32>::new(), BTreeSet::<i32>::new());
        for step in 0..50_000u32 {
            let k = rng.below(200) as i32 - 100;
            let hi = k + rng.below(40) as i32;
            match rng.below(9) {
                0..=2 => {
                    assert_eq!(map.insert(k, step), map_ref.insert(k, step));
                    assert_eq!(set.insert(k), set_ref.insert(k));
                }
                3 => {
                    assert_eq!(map.remove(&k), map_ref.remove(&k));
                    assert_eq!(set.remove(&k), set_ref.remove(&k));
                }
                4 => {
                    *map.get_or_default(k) += 1;
                    *map_ref.entry(k).or_default() += 1;
                }
                5 => {
                    map.retain(|key, v| (*key + *v as i32) % 7 != 0);
                    map_ref.retain(|key, v| (*key + *v as i32) % 7 != 0);
                    set.retain(|x| x % 5 != 0);
                    set_ref.retain(|x| x % 5 != 0);
                }
                6 => {
                    let (high, high_ref) = (map.split_off(&k), map_ref.split_off(&k));
                    assert!(high.iter().eq(high_ref.iter()) && map.iter().eq(map_ref.iter()));
                    map.extend(high);
                    map_ref.extend(high_ref);
                    assert_eq!(set.take(&k), set_ref.take(&k));
                }
                7 => {
                    let extra: Vec<(i32, u32)> = (0..rng.below(5)).map(|j| (k + j as i32 * 3 - 6, step)).collect();
                    map.extend(extra.iter().copied());
                    map_ref.extend(extra.iter().copied());
                    set.extend(extra.iter().map(|(k, _)| *k));
                    set_ref.extend(extra.iter().map(|(k, _)| *k));
                }
                _ => {
                    assert!(map.range(k..=hi).eq(map_ref.range(k..=hi)));
                    let open = (Bound::Excluded(k), Bound::Excluded(hi + 1));
                    assert!(map.range(open).eq(map_ref.range(open)));
                    assert!(map.range(..hi).eq(map_ref.range(..hi)));
                    assert!(map.range(k..).eq(map_ref.range(k..)));
                }
            }
            assert_eq!(map.get(&k), map_ref.get(&k));
            assert_eq!(set.contains(&hi), set_ref.contains(&hi));
            assert!(map.iter().eq(map_ref.iter()), "maps differ at step {step}");
            assert!(set.iter().eq(set_ref.iter()), "sets differ at step {step}");
            assert_eq!(set.get(&k), set_ref.get(&k));
        }
        let collected: SortedMap<i32, u32> = [(3, 1), (1, 2), (3, 4), (2, 0)].into_iter().collect();
        assert_eq!(collected.into_iter().collect::<Vec<_>>(), vec![(1, 2), (2, 0), (3, 4)]);
    }

    #[test]
    fn sort_helpers_sort_stably_like_the_standard_sort() {
        let mut rng = Rng::new(11);
        for len in [0usize, 1, 2, 3, 7, 20, 33, 200, 1000] {
            let v: Vec<(u32, usize)> = (0..len).map(|i| (rng.below(10) as u32, i)).collect();
            let mut ours = v.clone();
            let mut theirs = v.clone();
            sort_by_key(&mut ours, |&(k, _)| k);
            theirs.sort_by_key(|&(k, _)| k);
            assert_eq!(ours, theirs, "len {len}");
            let mut ours = v.clone();
            let mut theirs = v;
            sort_by(&mut ours, |a, b| b.cmp(a));
            theirs.sort_by(|a, b| b.cmp(a));
            assert_eq!(ours, theirs, "len {len}");
        }
        let mut words = vec!["b", "a", "c", "a"];
        sort(&mut words);
        assert_eq!(words, ["a", "a", "b", "c"]);
    }
}
