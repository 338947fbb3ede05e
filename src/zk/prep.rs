//! The leader's validation of client writes: turning a request into the transaction it
//! proposes, against the committed tree plus the changes it has proposed but not yet applied.
//!
//! Follows ZooKeeper 3.5.9 `server/PrepRequestProcessor.java` (`pRequest`, `pRequest2Txn`,
//! `pRequest2TxnCreate`, `getRecordForPath`, `getPendingChanges`, `rollbackPendingChanges`,
//! `checkAndIncVersion`, `validatePathForCreate`, `getParentPathAndValidate`), the
//! `outstandingChanges` / `outstandingChangesForPath` pair and `ChangeRecord` of
//! `server/ZooKeeperServer.java`, their clean-up in `FinalRequestProcessor.processRequest`, and
//! `common/PathUtils.validatePath`.
//!
//! Simplified:
//! - No ACLs (every check passes; upstream `/zookeeper/config` is world:anyone:r, so writes to
//!   it would fail with NoAuth there), no quotas, no containers, TTLs or reconfig.
//! - Session checks (`sessionTracker.checkSession`, the "closing" flag `closeSession` sets) are
//!   the caller's job; [`Prep::rejected`] builds the txn upstream proposes when they fail.
//! - The caller picks the zxid (`zks.getNextZxid()`) and the txn time.

use crate::sorted::{SortedMap, SortedSet};
use crate::zk::tree::{DataTree, TxnBody};
use crate::zk::types::{ErrCode, Op, SessionId, WriteOp, Zxid};
use std::collections::VecDeque;
use std::rc::Rc;

/// The part of `StatPersisted` a change record needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct RecordStat {
    version: i32,
    /// Persisted cversion: the count of child creations.
    cversion: i32,
    ephemeral_owner: SessionId,
}

/// `ZooKeeperServer.ChangeRecord`: what a path will look like once the txn `zxid` is applied.
#[derive(Clone, Debug, PartialEq, Eq)]
struct ChangeRecord {
    /// Identity: upstream compares records by reference (`outstandingChangesForPath.get(p) ==
    /// cr`); two records may share zxid and path (two setData of one path in a multi).
    id: u64,
    zxid: Zxid,
    /// Shared by the record in `outstanding` and its copy in `for_path`.
    path: Rc<str>,
    /// `None`: the node is deleted.
    stat: Option<RecordStat>,
    child_count: i32,
}

/// `outstandingChangesForPath`: the record lookups see for each path. It holds the records of
/// the proposals in flight, a handful at a time, so a vector searched by path beats a map that
/// allocates a node each time it goes from empty to one entry.
#[derive(Clone, Debug, Default)]
struct PathMap(Vec<ChangeRecord>);

impl PathMap {
    fn get(&self, path: &str) -> Option<&ChangeRecord> {
        self.0.iter().find(|c| &*c.path == path)
    }
    /// Replace the record of the same path, or add it.
    fn insert(&mut self, record: ChangeRecord) {
        match self.0.iter_mut().find(|c| c.path == record.path) {
            Some(c) => *c = record,
            None => self.0.push(record),
        }
    }
    fn remove(&mut self, path: &str) {
        if let Some(i) = self.0.iter().position(|c| &*c.path == path) {
            self.0.swap_remove(i);
        }
    }
    fn clear(&mut self) {
        self.0.clear();
    }
}

/// What a lookup found: the node's stat and number of children (`getRecordForPath`).
#[derive(Clone, Copy, Debug)]
struct Found {
    stat: RecordStat,
    child_count: i32,
}

/// The leader's `PrepRequestProcessor` state: the change records of proposed, not yet applied
/// txns.
///
/// Invariant: `outstanding` is in zxid order, and every record in `for_path` is also in
/// `outstanding` (upstream can leave the map without a record the list still has: see
/// [`Prep::prep_write`]).
#[derive(Clone, Debug, Default)]
pub struct Prep {
    /// `outstandingChanges`, oldest first.
    outstanding: VecDeque<ChangeRecord>,
    /// `outstandingChangesForPath`: the record lookups see for each path.
    for_path: PathMap,
    /// Next record id.
    next_id: u64,
}

impl Prep {
    /// No outstanding changes.
    pub fn new() -> Prep {
        Prep::default()
    }

    /// Validate a client write for `session` and return the txn body to propose at `zxid`,
    /// recording its changes so that later requests see them before it is applied.
    ///
    /// - `Op::Write`: on failure the body is `Error(code)` (a failed write still takes a zxid)
    ///   and nothing is recorded.
    /// - `Op::Multi`: each op is validated in order, seeing the earlier ops. If one fails, the
    ///   body keeps the real bodies of the ops before it, has `Error(code)` for it and
    ///   `Error(RuntimeInconsistency)` for the rest, and the multi's records are rolled back
    ///   (`rollbackPendingChanges`). Quirk kept from upstream: the rollback only restores
    ///   earlier records of the ops' request paths and their parents, so an earlier record of
    ///   a generated sequential name is dropped from the lookup map.
    /// - A standalone `Check` (the 3.5.9 client can only send `Op.check` inside a multi) and
    ///   read ops give `Error(BadArguments)`.
    ///
    /// Order of checks, as upstream: create: path shape (BadArguments), parent (NoNode),
    /// sequential suffix from the parent's persisted cversion, full path validation
    /// (BadArguments), existence (NodeExists), ephemeral parent (NoChildrenForEphemerals).
    /// delete: path shape and the four special paths (BadArguments), parent and node (NoNode),
    /// version (BadVersion), children (NotEmpty). setData and check: path (BadArguments), node
    /// (NoNode), version (BadVersion).
    pub fn prep_write(&mut self, tree: &DataTree, session: SessionId, op: &Op, zxid: Zxid) -> TxnBody {
        self.prep_write_owned(tree, session, op.clone(), zxid)
    }

    /// [`Prep::prep_write`] for a request the caller no longer needs: its paths and data move
    /// into the txn instead of being copied.
    pub fn prep_write_owned(&mut self, tree: &DataTree, session: SessionId, mut op: Op, zxid: Zxid) -> TxnBody {
        match &mut op {
            Op::Write(WriteOp::Check { .. }) => TxnBody::Error(ErrCode::BadArguments),
            Op::Write(w) => self.prep_op(tree, session, w, zxid).unwrap_or_else(TxnBody::Error),
            Op::Multi(ops) => self.prep_multi(tree, session, ops, zxid),
            Op::GetData { .. } | Op::Exists { .. } | Op::GetChildren { .. } => TxnBody::Error(ErrCode::BadArguments),
        }
    }

    /// `closeSession`: record the deletion of every ephemeral the session will own once the
    /// outstanding txns are applied (those in the tree, plus those created by outstanding txns,
    /// minus those outstanding txns delete) and return `TxnBody::CloseSession`.
    ///
    /// Quirk kept from upstream: the parents' records are not updated, so until this txn is
    /// applied, deleting the parent of one of these ephemerals still fails with NotEmpty.
    pub fn prep_close_session(&mut self, tree: &DataTree, session: SessionId, zxid: Zxid) -> TxnBody {
        let mut doomed: SortedSet<String> = tree.ephemerals_of(session).into_iter().collect();
        for c in &self.outstanding {
            match c.stat {
                None => {
                    doomed.remove(&*c.path);
                }
                Some(s) if s.ephemeral_owner == session => {
                    doomed.insert(c.path.to_string());
                }
                Some(_) => {}
            }
        }
        for path in doomed {
            self.add(zxid, path.into(), None, 0);
        }
        TxnBody::CloseSession
    }

    /// The txn upstream proposes when a write is refused before validation (for example
    /// `checkSession` failing with SessionExpired): `Error(code)` for a single write; for a
    /// multi, `Error(code)` for the first op and `Error(RuntimeInconsistency)` for the others
    /// (every op of a multi is checked the same way, so the first one fails). Records nothing.
    pub fn rejected(op: &Op, code: ErrCode) -> TxnBody {
        match op {
            Op::Multi(ops) => {
                TxnBody::Multi((0..ops.len()).map(|i| TxnBody::Error(if i == 0 { code } else { ErrCode::RuntimeInconsistency })).collect())
            }
            _ => TxnBody::Error(code),
        }
    }

    /// The txn with `zxid` (and every older one) has been applied to the tree: forget its
    /// records (`FinalRequestProcessor`).
    pub fn committed(&mut self, zxid: Zxid) {
        while self.outstanding.front().is_some_and(|c| c.zxid <= zxid) {
            if let Some(cr) = self.outstanding.pop_front() {
                if self.for_path.get(&cr.path).is_some_and(|m| m.id == cr.id) {
                    self.for_path.remove(&cr.path);
                }
            }
        }
    }

    /// Forget everything (the leader stopped leading).
    pub fn clear(&mut self) {
        self.outstanding.clear();
        self.for_path.clear();
    }

    /// How many change records are outstanding (for the UI and tests).
    pub fn outstanding_len(&self) -> usize {
        self.outstanding.len()
    }

    // ----- internals -------------------------------------------------------------------------

    /// The multi branch of `pRequest`.
    fn prep_multi(&mut self, tree: &DataTree, session: SessionId, ops: &mut [WriteOp], zxid: Zxid) -> TxnBody {
        let pending = self.pending_changes(ops);
        let mut bodies = Vec::with_capacity(ops.len());
        let mut failed = false;
        for op in ops {
            if failed {
                // "If we've already failed one of the ops, don't bother trying the rest."
                bodies.push(TxnBody::Error(ErrCode::RuntimeInconsistency));
                continue;
            }
            match self.prep_op(tree, session, op, zxid) {
                Ok(body) => bodies.push(body),
                Err(code) => {
                    failed = true;
                    bodies.push(TxnBody::Error(code));
                    self.rollback(zxid, &pending);
                }
            }
        }
        TxnBody::Multi(bodies)
    }

    /// `pRequest2Txn` for one op (top-level or inside a multi). Records are added only after
    /// every check passed. On success the op's path and data have moved into the txn.
    fn prep_op(&mut self, tree: &DataTree, session: SessionId, op: &mut WriteOp, zxid: Zxid) -> Result<TxnBody, ErrCode> {
        match op {
            WriteOp::Create { path, data, mode } => {
                // validatePathForCreate
                let last_slash = path.rfind('/').ok_or(ErrCode::BadArguments)?;
                if path.contains('\0') {
                    return Err(ErrCode::BadArguments);
                }
                let parent_path = &path[..last_slash];
                let parent = self.record_for_path(tree, parent_path)?;
                let parent_cversion = parent.stat.cversion;
                let path = if mode.sequential {
                    // String.format(Locale.ENGLISH, "%010d", parentCVersion): same output for
                    // negative values ("-000000001").
                    format!("{path}{parent_cversion:010}")
                } else {
                    std::mem::take(path)
                };
                if validate_path(&path).is_err() {
                    return Err(ErrCode::BadArguments);
                }
                if self.record_for_path(tree, &path).is_ok() {
                    return Err(ErrCode::NodeExists);
                }
                if parent.stat.ephemeral_owner != SessionId(0) {
                    return Err(ErrCode::NoChildrenForEphemerals);
                }
                let new_cversion = parent_cversion.wrapping_add(1);
                let ephemeral_owner = if mode.ephemeral { session } else { SessionId(0) };
                let parent_stat = RecordStat { cversion: new_cversion, ..parent.stat };
                let parent_path: Rc<str> = path[..last_slash].into();
                self.add(zxid, parent_path, Some(parent_stat), parent.child_count.wrapping_add(1));
                let stat = RecordStat { version: 0, cversion: 0, ephemeral_owner };
                self.add(zxid, path.as_str().into(), Some(stat), 0);
                Ok(TxnBody::Create { path, data: data.take(), ephemeral_owner, parent_cversion: new_cversion })
            }
            WriteOp::Delete { path, version } => {
                let parent_path = parent_path_and_validate(path)?;
                let parent = self.record_for_path(tree, parent_path)?;
                let node = self.record_for_path(tree, path)?;
                check_and_inc_version(node.stat.version, *version)?;
                if node.child_count > 0 {
                    return Err(ErrCode::NotEmpty);
                }
                let parent_path: Rc<str> = parent_path.into();
                self.add(zxid, parent_path, Some(parent.stat), parent.child_count.wrapping_sub(1));
                self.add(zxid, path.as_str().into(), None, -1);
                Ok(TxnBody::Delete { path: std::mem::take(path) })
            }
            WriteOp::SetData { path, data, version } => {
                if validate_path(path).is_err() {
                    return Err(ErrCode::BadArguments);
                }
                let node = self.record_for_path(tree, path)?;
                let new_version = check_and_inc_version(node.stat.version, *version)?;
                let stat = RecordStat { version: new_version, ..node.stat };
                self.add(zxid, path.as_str().into(), Some(stat), node.child_count);
                Ok(TxnBody::SetData { path: std::mem::take(path), data: data.take(), version: new_version })
            }
            WriteOp::Check { path, version } => {
                if validate_path(path).is_err() {
                    return Err(ErrCode::BadArguments);
                }
                let node = self.record_for_path(tree, path)?;
                let checked = check_and_inc_version(node.stat.version, *version)?;
                Ok(TxnBody::Check { path: std::mem::take(path), version: checked })
            }
        }
    }

    /// `getRecordForPath`: the outstanding record of the path, else the committed node.
    fn record_for_path(&self, tree: &DataTree, path: &str) -> Result<Found, ErrCode> {
        if let Some(c) = self.for_path.get(path) {
            return c.stat.map(|stat| Found { stat, child_count: c.child_count }).ok_or(ErrCode::NoNode);
        }
        let (persisted, child_count) = tree.stat_persisted_and_children(path).ok_or(ErrCode::NoNode)?;
        let stat = RecordStat { version: persisted.version, cversion: persisted.cversion, ephemeral_owner: persisted.ephemeral_owner };
        Ok(Found { stat, child_count })
    }

    /// `addChangeRecord`.
    fn add(&mut self, zxid: Zxid, path: Rc<str>, stat: Option<RecordStat>, child_count: i32) {
        let record = ChangeRecord { id: self.next_id, zxid, path, stat, child_count };
        self.next_id = self.next_id.wrapping_add(1);
        self.for_path.insert(record.clone());
        self.outstanding.push_back(record);
    }

    /// `getPendingChanges`: the current records of each op's path and of its parent.
    fn pending_changes(&self, ops: &[WriteOp]) -> SortedMap<Rc<str>, ChangeRecord> {
        let mut pending = SortedMap::new();
        for op in ops {
            let path = write_op_path(op);
            if let Some(c) = self.for_path.get(path) {
                pending.insert(c.path.clone(), c.clone());
            }
            // ZOOKEEPER-1624: the parent too, so a rolled-back sequential create does not skew
            // the next sequence number.
            let Some(last_slash) = path.rfind('/') else { continue };
            if path.contains('\0') {
                continue;
            }
            let parent = &path[..last_slash];
            if let Some(c) = self.for_path.get(parent) {
                pending.insert(c.path.clone(), c.clone());
            }
        }
        pending
    }

    /// `rollbackPendingChanges`: drop the failed multi's records (the newest ones, all with
    /// `zxid`), then put back the saved records of its paths that are still outstanding.
    fn rollback(&mut self, zxid: Zxid, pending: &SortedMap<Rc<str>, ChangeRecord>) {
        while self.outstanding.back().is_some_and(|c| c.zxid == zxid) {
            if let Some(c) = self.outstanding.pop_back() {
                self.for_path.remove(&c.path);
            }
        }
        let Some(first_zxid) = self.outstanding.front().map(|c| c.zxid) else { return };
        for c in pending.values() {
            // Records older than the oldest outstanding one were applied meanwhile.
            if c.zxid < first_zxid {
                continue;
            }
            self.for_path.insert(c.clone());
        }
    }
}

/// `Op.getPath()`.
fn write_op_path(op: &WriteOp) -> &str {
    match op {
        WriteOp::Create { path, .. } | WriteOp::Delete { path, .. } | WriteOp::SetData { path, .. } | WriteOp::Check { path, .. } => path,
    }
}

/// `checkAndIncVersion`: -1 matches any version; returns the version + 1 (Java int wraps).
fn check_and_inc_version(current: i32, expected: i32) -> Result<i32, ErrCode> {
    if expected != -1 && expected != current {
        return Err(ErrCode::BadVersion);
    }
    Ok(current.wrapping_add(1))
}

/// `getParentPathAndValidate` (delete): no '/', a null character, or one of the special paths
/// `/`, `/zookeeper`, `/zookeeper/quota`, `/zookeeper/config` give BadArguments. Note that
/// delete does not run the full `validatePath`.
fn parent_path_and_validate(path: &str) -> Result<&str, ErrCode> {
    let special = matches!(path, "/" | "/zookeeper" | "/zookeeper/quota" | "/zookeeper/config");
    match path.rfind('/') {
        Some(i) if !special && !path.contains('\0') => Ok(&path[..i]),
        _ => Err(ErrCode::BadArguments),
    }
}

/// `PathUtils.validatePath(path)`: `Err` carries Java's IllegalArgumentException message
/// (zkCli prints it for a malformed path), with positions counted in UTF-16 units as Java does.
/// A character outside the Basic Multilingual Plane is always invalid (its surrogates fall in
/// the forbidden U+D800..U+F8FF range).
pub fn validate_path(path: &str) -> Result<(), String> {
    if plainly_valid(path.as_bytes()) {
        return Ok(());
    }
    // Java indexes UTF-16 units; for ASCII paths (nearly all) those are the bytes themselves,
    // so only other paths pay for the re-encoding.
    let reason = if path.is_ascii() { path_problem(path.as_bytes()) } else { path_problem(&path.encode_utf16().collect::<Vec<u16>>()) };
    match reason {
        Some(r) if r.starts_with("Path ") => Err(r),
        Some(r) => Err(format!("Invalid path string \"{path}\" caused by {r}")),
        None => Ok(()),
    }
}

/// The common case, decided without `path_problem`: `/`, or `/` then names of printable ASCII
/// other than `.`, separated by single slashes, with no trailing slash. Every such path is
/// valid; anything else (dots, control or non-ASCII characters, empty names) takes the full
/// check.
fn plainly_valid(p: &[u8]) -> bool {
    if p.first() != Some(&b'/') {
        return false;
    }
    if p.len() == 1 {
        return true;
    }
    let mut last = b'/';
    for &c in &p[1..] {
        if !(0x20..0x7f).contains(&c) || c == b'.' || (c == b'/' && last == b'/') {
            return false;
        }
        last = c;
    }
    last != b'/'
}

/// `PathUtils.validatePath` over UTF-16 code units (or ASCII bytes): what is wrong, if anything
/// (a whole message for the length/slash checks, a "caused by" reason otherwise).
fn path_problem<T: Copy + Into<u16>>(units: &[T]) -> Option<String> {
    let at = |i: usize| -> u16 { units[i].into() };
    let n = units.len();
    if n == 0 {
        return Some("Path length must be > 0".to_string());
    }
    if at(0) != u16::from(b'/') {
        return Some("Path must start with / character".to_string());
    }
    if n == 1 {
        return None; // the root
    }
    if at(n - 1) == u16::from(b'/') {
        return Some("Path must not end with / character".to_string());
    }
    let (slash, dot) = (u16::from(b'/'), u16::from(b'.'));
    let ends_name = |i: usize| i + 1 == n || at(i + 1) == slash;
    let mut reason = None;
    let mut lastc = slash;
    for i in 1..n {
        let c = at(i);
        if c == 0 {
            reason = Some(format!("null character not allowed @{i}"));
        } else if c == slash && lastc == slash {
            reason = Some(format!("empty node name specified @{i}"));
        } else if c == dot && lastc == dot {
            if i >= 2 && at(i - 2) == slash && ends_name(i) {
                reason = Some(format!("relative paths not allowed @{i}"));
            }
        } else if c == dot {
            if at(i - 1) == slash && ends_name(i) {
                reason = Some(format!("relative paths not allowed @{i}"));
            }
        } else if (0x0001..=0x001f).contains(&c) || (0x007f..=0x009f).contains(&c) || (0xd800..=0xf8ff).contains(&c) || c >= 0xfff0 {
            reason = Some(format!("invalid character @{i}"));
        }
        if reason.is_some() {
            break;
        }
        lastc = c;
    }
    reason
}

/// `PathUtils.validatePath(path, isSequential)`, what the Java client checks before sending a
/// create: a sequential path is validated with a "1" appended, so "/a/" is fine then.
pub fn validate_create_path(path: &str, sequential: bool) -> Result<(), String> {
    if sequential {
        validate_path(&format!("{path}1"))
    } else {
        validate_path(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fast path never accepts a path the full check refuses, and accepts the usual ones.
    #[test]
    fn plainly_valid_paths_pass_the_full_check() {
        let alphabet = ['/', 'a', 'Z', '0', '.', ' ', '~', '\u{1}', '\0', '\u{7f}', 'é', '-'];
        let mut rng = crate::sim::rng::Rng::new(3);
        let mut accepted = 0;
        for _ in 0..50_000 {
            let len = rng.below(9) as usize;
            let mut p: String = (0..len).map(|_| alphabet[rng.below(alphabet.len() as u64) as usize]).collect();
            if rng.below(2) == 0 {
                p.insert(0, '/');
            }
            if plainly_valid(p.as_bytes()) {
                accepted += 1;
                assert_eq!(path_problem(p.as_bytes()), None, "{p:?}");
            }
        }
        assert!(accepted > 1000);
        for p in ["/", "/a", "/bench0", "/brokers/ids/1", "/a b/c~d"] {
            assert!(plainly_valid(p.as_bytes()), "{p}");
        }
    }
}
