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
    use crate::zk::tree::Txn;

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
    use crate::zk::types::{CreateMode, Data, Reply, WriteResult};

    const S1: SessionId = SessionId(0x1000_0000_0000_0001);
    const S2: SessionId = SessionId(0x1000_0000_0000_0002);

    const PERSISTENT_SEQUENTIAL: CreateMode = CreateMode { ephemeral: false, sequential: true };
    const EPHEMERAL_SEQUENTIAL: CreateMode = CreateMode { ephemeral: true, sequential: true };

    fn z(counter: u32) -> Zxid {
        Zxid::new(1, counter)
    }

    fn d(s: &str) -> Data {
        Data::from(s.as_bytes().to_vec())
    }

    fn create_op(path: &str, mode: CreateMode) -> WriteOp {
        WriteOp::Create { path: path.to_string(), data: Some(d("v")), mode }
    }

    fn delete_op(path: &str, version: i32) -> WriteOp {
        WriteOp::Delete { path: path.to_string(), version }
    }

    fn set_op(path: &str, version: i32) -> WriteOp {
        WriteOp::SetData { path: path.to_string(), data: Some(d("w")), version }
    }

    fn check_op(path: &str, version: i32) -> WriteOp {
        WriteOp::Check { path: path.to_string(), version }
    }

    fn create_body(path: &str, owner: SessionId, parent_cversion: i32) -> TxnBody {
        TxnBody::Create { path: path.to_string(), data: Some(d("v")), ephemeral_owner: owner, parent_cversion }
    }

    /// A leader: the committed tree, the prep state and the next zxid counter.
    struct Leader {
        tree: DataTree,
        prep: Prep,
        counter: u32,
        proposed: Vec<Txn>,
    }

    impl Leader {
        fn new() -> Leader {
            Leader { tree: DataTree::new(), prep: Prep::new(), counter: 0, proposed: Vec::new() }
        }
        /// Prepare (propose) a write without committing it.
        fn propose(&mut self, session: SessionId, op: Op) -> TxnBody {
            self.counter += 1;
            let zxid = z(self.counter);
            let body = self.prep.prep_write(&self.tree, session, &op, zxid);
            self.proposed.push(Txn { zxid, session, cxid: 0, time_ms: 0, body: body.clone() });
            body
        }
        fn propose_close(&mut self, session: SessionId) -> TxnBody {
            self.counter += 1;
            let zxid = z(self.counter);
            let body = self.prep.prep_close_session(&self.tree, session, zxid);
            self.proposed.push(Txn { zxid, session, cxid: 0, time_ms: 0, body: body.clone() });
            body
        }
        /// Commit and apply every proposal, in order.
        fn commit_all(&mut self) -> Vec<Reply> {
            let mut replies = Vec::new();
            for t in std::mem::take(&mut self.proposed) {
                replies.push(self.tree.apply(&t).0);
                self.prep.committed(t.zxid);
            }
            replies
        }
        /// Propose and commit one write.
        fn write(&mut self, session: SessionId, op: WriteOp) -> (TxnBody, Reply) {
            let body = self.propose(session, Op::Write(op));
            let reply = self.commit_all().pop().unwrap_or(Reply::Multi(vec![]));
            (body, reply)
        }
    }

    #[test]
    fn create_carries_the_parents_next_cversion() {
        let mut l = Leader::new();
        let (body, reply) = l.write(S1, create_op("/a", CreateMode::PERSISTENT));
        assert_eq!(body, create_body("/a", SessionId(0), 1));
        assert_eq!(reply, Reply::Created { path: "/a".into() });
        let (body, _) = l.write(S1, create_op("/b", CreateMode::EPHEMERAL));
        assert_eq!(body, create_body("/b", S1, 2));
        assert_eq!(l.prep.outstanding_len(), 0);
    }

    #[test]
    fn sequential_name_uses_parent_cversion_before_the_create() {
        let mut l = Leader::new();
        l.write(S1, create_op("/q", CreateMode::PERSISTENT));
        let names: Vec<_> = (0..3)
            .map(|_| match l.write(S1, create_op("/q/item-", PERSISTENT_SEQUENTIAL)).1 {
                Reply::Created { path } => path,
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(names, ["/q/item-0000000000", "/q/item-0000000001", "/q/item-0000000002"]);
    }

    #[test]
    fn sequential_names_continue_after_deletes() {
        let mut l = Leader::new();
        l.write(S1, create_op("/q", CreateMode::PERSISTENT));
        l.write(S1, create_op("/q/n", PERSISTENT_SEQUENTIAL));
        l.write(S1, create_op("/q/n", PERSISTENT_SEQUENTIAL));
        l.write(S1, delete_op("/q/n0000000000", -1));
        l.write(S1, delete_op("/q/n0000000001", -1));
        let (body, _) = l.write(S1, create_op("/q/n", EPHEMERAL_SEQUENTIAL));
        assert_eq!(body, create_body("/q/n0000000002", S1, 3));
        assert_eq!(l.tree.stat("/q").unwrap().cversion, 5);
    }

    #[test]
    fn sequential_under_the_root_starts_at_the_fresh_roots_cversion() {
        let mut l = Leader::new();
        let (body, _) = l.write(S1, create_op("/seq", PERSISTENT_SEQUENTIAL));
        assert_eq!(body, create_body("/seq0000000000", SessionId(0), 1));
        // "/q/" is fine when sequential: the suffix becomes the whole last name.
        l.write(S1, create_op("/q", CreateMode::PERSISTENT));
        let (body, _) = l.write(S1, create_op("/q/", PERSISTENT_SEQUENTIAL));
        assert_eq!(body, create_body("/q/0000000000", SessionId(0), 1));
    }

    #[test]
    fn sequential_counts_every_outstanding_create() {
        let mut l = Leader::new();
        let a = l.propose(S1, Op::Write(create_op("/x-", PERSISTENT_SEQUENTIAL)));
        let b = l.propose(S1, Op::Write(create_op("/x-", PERSISTENT_SEQUENTIAL)));
        assert_eq!(a, create_body("/x-0000000000", SessionId(0), 1));
        assert_eq!(b, create_body("/x-0000000001", SessionId(0), 2));
    }

    #[test]
    fn create_errors_follow_upstream_order() {
        let mut l = Leader::new();
        l.write(S1, create_op("/a", CreateMode::PERSISTENT));
        l.write(S1, create_op("/e", CreateMode::EPHEMERAL));
        let table = [
            ("a", CreateMode::PERSISTENT, ErrCode::BadArguments),
            ("/a\0b", CreateMode::PERSISTENT, ErrCode::BadArguments),
            ("/missing/b", CreateMode::PERSISTENT, ErrCode::NoNode),
            // The parent lookup happens before full validation: "/a/" has parent "/a" (exists).
            ("/a/", CreateMode::PERSISTENT, ErrCode::BadArguments),
            // ... and "/x//y" has parent "/x/", which does not exist.
            ("/x//y", CreateMode::PERSISTENT, ErrCode::NoNode),
            ("//y", CreateMode::PERSISTENT, ErrCode::BadArguments),
            ("/a/.", CreateMode::PERSISTENT, ErrCode::BadArguments),
            ("/a/..", CreateMode::PERSISTENT, ErrCode::BadArguments),
            ("/", CreateMode::PERSISTENT, ErrCode::NodeExists),
            ("/a", CreateMode::PERSISTENT, ErrCode::NodeExists),
            ("/zookeeper", CreateMode::EPHEMERAL, ErrCode::NodeExists),
            ("/e/child", CreateMode::PERSISTENT, ErrCode::NoChildrenForEphemerals),
            ("/e/child", PERSISTENT_SEQUENTIAL, ErrCode::NoChildrenForEphemerals),
        ];
        for (path, mode, code) in table {
            let body = l.propose(S1, Op::Write(create_op(path, mode)));
            assert_eq!(body, TxnBody::Error(code), "{path:?}");
            assert_eq!(l.prep.outstanding_len(), 0, "a failed write records nothing ({path:?})");
        }
        // Each of them still took a zxid and applies as an error.
        let replies = l.commit_all();
        assert_eq!(replies.len(), table.len());
        assert!(replies.iter().all(|r| matches!(r, Reply::Error(_))));
    }

    #[test]
    fn node_exists_is_checked_before_the_ephemeral_parent() {
        let mut l = Leader::new();
        l.write(S1, create_op("/e", CreateMode::EPHEMERAL));
        // No child can exist under an ephemeral, so only a sequential clash could show it;
        // the rule itself is covered by the order in prep_op. Here: /e exists.
        let body = l.propose(S2, Op::Write(create_op("/e", CreateMode::EPHEMERAL)));
        assert_eq!(body, TxnBody::Error(ErrCode::NodeExists));
    }

    #[test]
    fn outstanding_parent_create_lets_a_child_create_pass() {
        let mut l = Leader::new();
        let a = l.propose(S1, Op::Write(create_op("/a", CreateMode::PERSISTENT)));
        let b = l.propose(S1, Op::Write(create_op("/a/b", CreateMode::PERSISTENT)));
        assert_eq!(a, create_body("/a", SessionId(0), 1));
        assert_eq!(b, create_body("/a/b", SessionId(0), 1));
        let replies = l.commit_all();
        assert_eq!(replies, [Reply::Created { path: "/a".into() }, Reply::Created { path: "/a/b".into() }]);
        assert_eq!(l.prep.outstanding_len(), 0);
    }

    #[test]
    fn two_outstanding_creates_of_one_path_give_node_exists() {
        let mut l = Leader::new();
        l.propose(S1, Op::Write(create_op("/a", CreateMode::PERSISTENT)));
        let second = l.propose(S2, Op::Write(create_op("/a", CreateMode::PERSISTENT)));
        assert_eq!(second, TxnBody::Error(ErrCode::NodeExists));
    }

    #[test]
    fn outstanding_ephemeral_parent_refuses_children() {
        let mut l = Leader::new();
        l.propose(S1, Op::Write(create_op("/e", CreateMode::EPHEMERAL)));
        let child = l.propose(S1, Op::Write(create_op("/e/c", CreateMode::PERSISTENT)));
        assert_eq!(child, TxnBody::Error(ErrCode::NoChildrenForEphemerals));
    }

    #[test]
    fn outstanding_delete_makes_the_node_missing_and_the_parent_deletable() {
        let mut l = Leader::new();
        l.write(S1, create_op("/p", CreateMode::PERSISTENT));
        l.write(S1, create_op("/p/c", CreateMode::PERSISTENT));
        assert_eq!(l.propose(S1, Op::Write(delete_op("/p", -1))), TxnBody::Error(ErrCode::NotEmpty));
        assert_eq!(l.propose(S1, Op::Write(delete_op("/p/c", -1))), TxnBody::Delete { path: "/p/c".into() });
        assert_eq!(l.propose(S1, Op::Write(set_op("/p/c", -1))), TxnBody::Error(ErrCode::NoNode));
        assert_eq!(l.propose(S1, Op::Write(delete_op("/p", -1))), TxnBody::Delete { path: "/p".into() });
        l.commit_all();
        assert!(!l.tree.contains("/p"));
    }

    #[test]
    fn delete_errors_follow_upstream_order() {
        let mut l = Leader::new();
        l.write(S1, create_op("/p", CreateMode::PERSISTENT));
        l.write(S1, create_op("/p/c", CreateMode::PERSISTENT));
        l.write(S1, set_op("/p/c", 0)); // version 1
        let table = [
            ("/", -1, ErrCode::BadArguments),
            ("/zookeeper", -1, ErrCode::BadArguments),
            ("/zookeeper/quota", -1, ErrCode::BadArguments),
            ("/zookeeper/config", -1, ErrCode::BadArguments),
            ("p", -1, ErrCode::BadArguments),
            ("/p\0", -1, ErrCode::BadArguments),
            ("/nope/c", -1, ErrCode::NoNode),
            ("/nope", -1, ErrCode::NoNode),
            // Delete skips the full validatePath: "/p/" is simply not found.
            ("/p/", -1, ErrCode::NoNode),
            ("/p/c", 0, ErrCode::BadVersion),
            ("/p", 5, ErrCode::BadVersion),
            ("/p", 0, ErrCode::NotEmpty),
            ("/p", -1, ErrCode::NotEmpty),
        ];
        for (path, version, code) in table {
            assert_eq!(l.propose(S1, Op::Write(delete_op(path, version))), TxnBody::Error(code), "{path:?} v{version}");
        }
        assert_eq!(l.propose(S1, Op::Write(delete_op("/p/c", 1))), TxnBody::Delete { path: "/p/c".into() });
    }

    #[test]
    fn set_data_checks_and_increments_the_version() {
        let mut l = Leader::new();
        l.write(S1, create_op("/a", CreateMode::PERSISTENT));
        let (body, reply) = l.write(S1, set_op("/a", 0));
        assert_eq!(body, TxnBody::SetData { path: "/a".into(), data: Some(d("w")), version: 1 });
        assert!(matches!(reply, Reply::SetData { stat } if stat.version == 1));
        assert_eq!(l.propose(S1, Op::Write(set_op("/a", 0))), TxnBody::Error(ErrCode::BadVersion));
        assert_eq!(l.propose(S1, Op::Write(set_op("/nope", -1))), TxnBody::Error(ErrCode::NoNode));
        assert_eq!(l.propose(S1, Op::Write(set_op("/a/", -1))), TxnBody::Error(ErrCode::BadArguments));
        // Two outstanding setData: the second sees the first's version.
        assert!(matches!(l.propose(S1, Op::Write(set_op("/a", 1))), TxnBody::SetData { version: 2, .. }));
        assert!(matches!(l.propose(S1, Op::Write(set_op("/a", 2))), TxnBody::SetData { version: 3, .. }));
        l.commit_all();
        assert_eq!(l.tree.stat("/a").unwrap().version, 3);
    }

    #[test]
    fn standalone_check_and_read_ops_are_bad_arguments() {
        let mut l = Leader::new();
        let ops = [
            Op::Write(check_op("/", -1)),
            Op::GetData { path: "/".into(), watch: false },
            Op::Exists { path: "/".into(), watch: true },
            Op::GetChildren { path: "/".into(), watch: false },
        ];
        for op in ops {
            assert_eq!(l.propose(S1, op), TxnBody::Error(ErrCode::BadArguments));
        }
        assert_eq!(l.prep.outstanding_len(), 0);
    }

    #[test]
    fn multi_sees_its_own_earlier_ops() {
        let mut l = Leader::new();
        let body = l.propose(
            S1,
            Op::Multi(vec![
                create_op("/m", CreateMode::PERSISTENT),
                create_op("/m/s-", PERSISTENT_SEQUENTIAL),
                create_op("/m/s-", PERSISTENT_SEQUENTIAL),
                set_op("/m", 0),
                check_op("/m", 1),
                delete_op("/m/s-0000000000", 0),
            ]),
        );
        assert_eq!(
            body,
            TxnBody::Multi(vec![
                create_body("/m", SessionId(0), 1),
                create_body("/m/s-0000000000", SessionId(0), 1),
                create_body("/m/s-0000000001", SessionId(0), 2),
                TxnBody::SetData { path: "/m".into(), data: Some(d("w")), version: 1 },
                TxnBody::Check { path: "/m".into(), version: 2 },
                TxnBody::Delete { path: "/m/s-0000000000".into() },
            ])
        );
        let replies = l.commit_all();
        let Reply::Multi(results) = &replies[0] else { panic!("{replies:?}") };
        assert_eq!(results.len(), 6);
        assert!(results.iter().all(|r| !matches!(r, WriteResult::Error(_))), "{results:?}");
        assert_eq!(l.tree.children("/m").unwrap(), ["s-0000000001"]);
        assert_eq!(l.prep.outstanding_len(), 0);
    }

    #[test]
    fn failed_multi_is_all_or_nothing() {
        let mut l = Leader::new();
        l.write(S1, create_op("/a", CreateMode::PERSISTENT));
        let before = l.tree.digest();
        let body = l.propose(S1, Op::Multi(vec![create_op("/b", CreateMode::PERSISTENT), set_op("/a", 7), delete_op("/a", -1)]));
        assert_eq!(
            body,
            TxnBody::Multi(vec![
                create_body("/b", SessionId(0), 2),
                TxnBody::Error(ErrCode::BadVersion),
                TxnBody::Error(ErrCode::RuntimeInconsistency),
            ])
        );
        assert_eq!(l.prep.outstanding_len(), 0, "the multi's records are rolled back");
        // Later requests do not see the rolled-back create.
        assert_eq!(l.propose(S1, Op::Write(create_op("/b", CreateMode::PERSISTENT))), create_body("/b", SessionId(0), 2));
        let replies = l.commit_all();
        assert_eq!(
            replies[0],
            Reply::Multi(vec![
                WriteResult::Error(ErrCode::Ok), // upstream ErrorResult(OK)
                WriteResult::Error(ErrCode::BadVersion),
                WriteResult::Error(ErrCode::RuntimeInconsistency),
            ])
        );
        assert_ne!(l.tree.digest(), before, "only the second, single create applied");
        assert_eq!(l.tree.stat("/").unwrap().cversion, 1, "persisted 2, three children: 2*2 - 3");
    }

    #[test]
    fn failed_multi_restores_earlier_outstanding_records() {
        let mut l = Leader::new();
        // Outstanding: create /q (parent record "" and /q).
        l.propose(S1, Op::Write(create_op("/q", CreateMode::PERSISTENT)));
        // Outstanding: /q/n0000000000.
        l.propose(S1, Op::Write(create_op("/q/n", PERSISTENT_SEQUENTIAL)));
        // A multi that creates another sequential child, then fails.
        let failed = l.propose(S1, Op::Multi(vec![create_op("/q/n", PERSISTENT_SEQUENTIAL), check_op("/q", 3)]));
        assert_eq!(failed, TxnBody::Multi(vec![create_body("/q/n0000000001", SessionId(0), 2), TxnBody::Error(ErrCode::BadVersion)]));
        // ZOOKEEPER-1624: the parent's record is restored, so the next name is not skipped.
        let next = l.propose(S1, Op::Write(create_op("/q/n", PERSISTENT_SEQUENTIAL)));
        assert_eq!(next, create_body("/q/n0000000001", SessionId(0), 2));
        l.commit_all();
        assert_eq!(l.tree.children("/q").unwrap(), ["n0000000000", "n0000000001"]);
    }

    #[test]
    fn failed_multi_drops_an_earlier_record_of_a_generated_sequential_name() {
        // Upstream quirk: the rollback only restores records of the request paths and their
        // parents, not of the generated sequential name.
        let mut l = Leader::new();
        // /q, then /q/n0000000000, /q/x and /q/n0000000003: /q's persisted cversion is 3.
        l.write(S1, create_op("/q", CreateMode::PERSISTENT));
        l.write(S1, create_op("/q/n", PERSISTENT_SEQUENTIAL));
        l.write(S1, create_op("/q/x", CreateMode::PERSISTENT));
        l.write(S1, create_op("/q/n0000000003", CreateMode::PERSISTENT));
        // Outstanding delete of /q/n0000000003 ...
        assert_eq!(l.propose(S1, Op::Write(delete_op("/q/n0000000003", -1))), TxnBody::Delete { path: "/q/n0000000003".into() });
        // ... then a failed multi whose sequential create generated exactly that name.
        let failed = l.propose(S1, Op::Multi(vec![create_op("/q/n", PERSISTENT_SEQUENTIAL), set_op("/nope", -1)]));
        let TxnBody::Multi(bodies) = &failed else { panic!("{failed:?}") };
        assert_eq!(bodies[0], create_body("/q/n0000000003", SessionId(0), 4));
        // The delete's record is gone from the lookup map: the node looks present again.
        let again = l.propose(S1, Op::Write(create_op("/q/n0000000003", CreateMode::PERSISTENT)));
        assert_eq!(again, TxnBody::Error(ErrCode::NodeExists));
    }

    #[test]
    fn multi_check_failure_is_reported_as_bad_version_on_the_check() {
        let mut l = Leader::new();
        l.write(S1, create_op("/controller_epoch", CreateMode::PERSISTENT));
        let body = l.propose(S1, Op::Multi(vec![check_op("/controller_epoch", 3), set_op("/controller_epoch", -1)]));
        assert_eq!(body, TxnBody::Multi(vec![TxnBody::Error(ErrCode::BadVersion), TxnBody::Error(ErrCode::RuntimeInconsistency)]));
    }

    #[test]
    fn empty_multi_is_an_empty_multi_txn() {
        let mut l = Leader::new();
        assert_eq!(l.propose(S1, Op::Multi(vec![])), TxnBody::Multi(vec![]));
        assert_eq!(l.commit_all(), [Reply::Multi(vec![])]);
    }

    #[test]
    fn close_session_covers_committed_and_outstanding_ephemerals() {
        let mut l = Leader::new();
        l.write(S1, create_op("/p", CreateMode::PERSISTENT));
        l.write(S1, create_op("/p/old", CreateMode::EPHEMERAL));
        l.write(S1, create_op("/p/gone", CreateMode::EPHEMERAL));
        l.write(S2, create_op("/p/other", CreateMode::EPHEMERAL));
        l.propose(S1, Op::Write(create_op("/p/new", CreateMode::EPHEMERAL)));
        l.propose(S1, Op::Write(delete_op("/p/gone", -1)));
        assert_eq!(l.propose_close(S1), TxnBody::CloseSession);
        // The session's ephemerals now read as deleted.
        for path in ["/p/old", "/p/new"] {
            assert_eq!(l.propose(S2, Op::Write(set_op(path, -1))), TxnBody::Error(ErrCode::NoNode), "{path}");
        }
        assert!(matches!(l.propose(S2, Op::Write(set_op("/p/other", -1))), TxnBody::SetData { .. }));
        // Quirk: the parent's child count was not updated, so /p still looks non-empty.
        l.propose(S2, Op::Write(delete_op("/p/other", -1)));
        assert_eq!(l.propose(S2, Op::Write(delete_op("/p", -1))), TxnBody::Error(ErrCode::NotEmpty));
        l.commit_all();
        assert_eq!(l.tree.children("/p").unwrap(), Vec::<String>::new());
        assert_eq!(l.prep.outstanding_len(), 0);
    }

    #[test]
    fn committed_forgets_only_applied_records() {
        let mut l = Leader::new();
        l.propose(S1, Op::Write(create_op("/a", CreateMode::PERSISTENT)));
        l.propose(S1, Op::Write(create_op("/b", CreateMode::PERSISTENT)));
        assert_eq!(l.prep.outstanding_len(), 4);
        let first = l.proposed.remove(0);
        l.tree.apply(&first);
        l.prep.committed(first.zxid);
        assert_eq!(l.prep.outstanding_len(), 2);
        // The root record of the second create is still the one lookups see.
        let c = l.propose(S1, Op::Write(create_op("/c", CreateMode::PERSISTENT)));
        assert_eq!(c, create_body("/c", SessionId(0), 3));
    }

    #[test]
    fn clear_forgets_everything() {
        let mut l = Leader::new();
        l.propose(S1, Op::Write(create_op("/a", CreateMode::PERSISTENT)));
        l.prep.clear();
        assert_eq!(l.prep.outstanding_len(), 0);
        assert_eq!(
            l.prep.prep_write(&l.tree, S1, &Op::Write(create_op("/a", CreateMode::PERSISTENT)), z(9)),
            create_body("/a", SessionId(0), 1)
        );
    }

    #[test]
    fn rejected_builds_the_upstream_shape() {
        let multi = Op::Multi(vec![check_op("/a", 1), set_op("/a", 1), delete_op("/b", -1)]);
        assert_eq!(
            Prep::rejected(&multi, ErrCode::SessionExpired),
            TxnBody::Multi(vec![
                TxnBody::Error(ErrCode::SessionExpired),
                TxnBody::Error(ErrCode::RuntimeInconsistency),
                TxnBody::Error(ErrCode::RuntimeInconsistency),
            ])
        );
        assert_eq!(Prep::rejected(&Op::Write(set_op("/a", 1)), ErrCode::SessionExpired), TxnBody::Error(ErrCode::SessionExpired));
    }

    #[test]
    fn validate_path_matches_path_utils() {
        let ok = ["/", "/a", "/a/b", "/a.b", "/a/..b", "/...", "/a/.b", "/é", "/\u{f900}"];
        for p in ok {
            assert_eq!(validate_path(p), Ok(()), "{p:?}");
        }
        let bad = [
            ("", "Path length must be > 0"),
            ("a", "Path must start with / character"),
            ("/a/", "Path must not end with / character"),
            ("//a", "Invalid path string \"//a\" caused by empty node name specified @1"),
            ("/a//b", "Invalid path string \"/a//b\" caused by empty node name specified @3"),
            ("/a/./b", "Invalid path string \"/a/./b\" caused by relative paths not allowed @3"),
            ("/.", "Invalid path string \"/.\" caused by relative paths not allowed @1"),
            ("/a/..", "Invalid path string \"/a/..\" caused by relative paths not allowed @4"),
            ("/../a", "Invalid path string \"/../a\" caused by relative paths not allowed @2"),
            ("/a\0", "Invalid path string \"/a\0\" caused by null character not allowed @2"),
            ("/a\u{7}", "Invalid path string \"/a\u{7}\" caused by invalid character @2"),
            ("/a\u{85}", "Invalid path string \"/a\u{85}\" caused by invalid character @2"),
            ("/\u{e000}", "Invalid path string \"/\u{e000}\" caused by invalid character @1"),
            ("/\u{fff0}", "Invalid path string \"/\u{fff0}\" caused by invalid character @1"),
            ("/x\u{1f600}", "Invalid path string \"/x\u{1f600}\" caused by invalid character @2"),
        ];
        for (p, msg) in bad {
            assert_eq!(validate_path(p), Err(msg.to_string()), "{p:?}");
        }
    }

    #[test]
    fn client_side_sequential_validation_appends_a_digit() {
        assert!(validate_create_path("/a/", true).is_ok());
        assert!(validate_create_path("/a/", false).is_err());
        assert!(validate_create_path("/", true).is_ok());
    }

    /// A tiny deterministic generator for the randomized test.
    struct Lcg(u64);

    impl Lcg {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            self.0 >> 33
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
        fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
            &items[self.below(items.len())]
        }
    }

    /// Explicit paths never look like generated sequential names (which end in ten digits), so
    /// the sequential-name rollback quirk cannot make an accepted op fail.
    const EXPLICIT: [&str; 14] =
        ["/a", "/b", "/a/c", "/a/d", "/b/c", "/a/c/e", "/zookeeper", "/", "a", "/a/", "//a", "/a/./b", "/zookeeper/config", "/x\0"];
    const SEQUENTIAL_BASES: [&str; 4] = ["/s", "/a/s", "/a/c/s", "/b/"];

    fn random_target(rng: &mut Lcg, tree: &DataTree, seen: &[String]) -> String {
        match rng.below(3) {
            0 => rng.pick(&EXPLICIT).to_string(),
            1 if !seen.is_empty() => rng.pick(seen).clone(),
            _ => {
                let paths: Vec<&str> = tree.paths().collect();
                rng.pick(&paths).to_string()
            }
        }
    }

    fn random_version(rng: &mut Lcg, tree: &DataTree, path: &str) -> i32 {
        match rng.below(4) {
            0 | 1 => -1,
            2 => tree.stat(path).map_or(0, |s| s.version),
            _ => rng.below(3) as i32,
        }
    }

    fn random_op(rng: &mut Lcg, tree: &DataTree, seen: &[String]) -> WriteOp {
        let mode = CreateMode { ephemeral: rng.below(4) == 0, sequential: rng.below(3) == 0 };
        match rng.below(6) {
            0 | 1 => {
                let path = if mode.sequential { rng.pick(&SEQUENTIAL_BASES).to_string() } else { rng.pick(&EXPLICIT).to_string() };
                WriteOp::Create { path, data: Some(d("v")), mode }
            }
            2 => {
                let path = random_target(rng, tree, seen);
                let version = random_version(rng, tree, &path);
                WriteOp::Delete { path, version }
            }
            3 | 4 => {
                let path = random_target(rng, tree, seen);
                let version = random_version(rng, tree, &path);
                WriteOp::SetData { path, data: Some(d("w")), version }
            }
            _ => {
                let path = random_target(rng, tree, seen);
                let version = random_version(rng, tree, &path);
                WriteOp::Check { path, version }
            }
        }
    }

    fn has_error(body: &TxnBody) -> bool {
        match body {
            TxnBody::Error(_) => true,
            TxnBody::Multi(bodies) => bodies.iter().any(has_error),
            _ => false,
        }
    }

    #[test]
    fn random_workloads_never_fail_at_apply_what_prep_accepted() {
        for seed in 0..150u64 {
            let mut rng = Lcg(seed);
            let mut l = Leader::new();
            let mut live: Vec<SessionId> = Vec::new();
            let mut next_session = 1u64;
            let mut seen: Vec<String> = Vec::new();
            for step in 0..200 {
                match rng.below(10) {
                    // Open a session (committed through the log like any txn).
                    0 if live.len() < 3 => {
                        let session = SessionId(0x1000_0000_0000_0000 | next_session);
                        next_session += 1;
                        l.counter += 1;
                        let zxid = z(l.counter);
                        let body = TxnBody::CreateSession { timeout_ms: 6000 };
                        l.proposed.push(Txn { zxid, session, cxid: 0, time_ms: 0, body });
                        live.push(session);
                    }
                    // Close one: from now on it sends nothing (the tracker marks it closing).
                    1 if !live.is_empty() && rng.below(4) == 0 => {
                        let session = live.remove(rng.below(live.len()));
                        assert_eq!(l.propose_close(session), TxnBody::CloseSession);
                    }
                    // Commit the oldest few proposals.
                    2 | 3 => {
                        let n = rng.below(4).min(l.proposed.len());
                        for t in l.proposed.drain(..n).collect::<Vec<_>>() {
                            let before = l.tree.digest();
                            let (reply, _) = l.tree.apply(&t);
                            l.prep.committed(t.zxid);
                            let failed_reply = match &reply {
                                Reply::Error(_) => true,
                                Reply::Multi(results) => results.iter().any(|r| matches!(r, WriteResult::Error(_))),
                                _ => false,
                            };
                            assert_eq!(failed_reply, has_error(&t.body), "seed {seed} step {step}: {t:?} -> {reply:?}");
                            if has_error(&t.body) {
                                assert_eq!(l.tree.digest(), before, "seed {seed}: {t:?}");
                            }
                            if let Reply::Created { path } = &reply {
                                seen.push(path.clone());
                            }
                            if let Err(e) = l.tree.check_consistency() {
                                panic!("seed {seed} step {step}: {e}");
                            }
                        }
                    }
                    // A write or a multi from a live session.
                    _ if !live.is_empty() => {
                        let session = *rng.pick(&live);
                        let op = if rng.below(3) == 0 {
                            let ops = (0..1 + rng.below(4)).map(|_| random_op(&mut rng, &l.tree, &seen));
                            Op::Multi(ops.collect())
                        } else {
                            Op::Write(random_op(&mut rng, &l.tree, &seen))
                        };
                        l.propose(session, op);
                    }
                    _ => {}
                }
            }
            l.commit_all();
            assert_eq!(l.prep.outstanding_len(), 0, "seed {seed}");
            assert!(l.tree.check_consistency().is_ok());
        }
    }
}
