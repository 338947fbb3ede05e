//! The database as one `impl ZkServer` block: the txn log, snapshots, loading both at start,
//! applying and committing a txn (the committedLog kept for DIFF), and the facts a committed txn
//! reports to the checker.
//!
//! Follows `ZKDatabase.java` (`loadDataBase`, `addCommittedProposal`, `commitLogCount`),
//! `FileTxnSnapLog.java` (`restore`, `save`), `SyncRequestProcessor` (a snapshot after about
//! `snapCount` txns) and `FinalRequestProcessor` (apply, then reply).
//!
//! Simplified: the txn log and the snapshot are values in `Durable`, not files; a snapshot is
//! taken at once (no fuzzy snapshot); no txn-log preallocation or fsync.

use std::collections::VecDeque;
use std::rc::Rc;

use crate::sim::trace::StableHasher;

use super::*;
use crate::zk::msg::ZkMsg;
use crate::zk::tree::{Txn, TxnBody};
use crate::zk::types::{Reply, SessionId};

/// Digest of a history extended by `txn`: the previous digest, the txn's identity and what it
/// touches (payload bytes are left out: every server applies the same shared txn value).
pub(super) fn chain_step(prev: u64, txn: &Txn) -> u64 {
    use std::hash::Hasher as _;
    pub(super) fn body(h: &mut StableHasher, b: &TxnBody) {
        h.write(b.name().as_bytes());
        match b {
            TxnBody::Create { path, .. } | TxnBody::Delete { path } | TxnBody::SetData { path, .. } | TxnBody::Check { path, .. } => {
                h.write(path.as_bytes())
            }
            TxnBody::Multi(v) => v.iter().for_each(|x| body(h, x)),
            TxnBody::CreateSession { timeout_ms } => h.write_u32(*timeout_ms),
            TxnBody::Error(e) => h.write_i32(e.code()),
            TxnBody::CloseSession => {}
        }
    }
    let mut h = StableHasher::new();
    h.write_u64(prev);
    h.write_u64(txn.zxid.0);
    h.write_u64(txn.session.0);
    h.write_i32(txn.cxid);
    h.write_u64(txn.time_ms);
    body(&mut h, &txn.body);
    h.finish()
}

/// Serialized size of a txn as jute writes it (TxnHeader 32 bytes + record), for `srvr`'s
/// "Proposal sizes".
pub(super) fn txn_size(body: &TxnBody) -> u64 {
    pub(super) fn rec(body: &TxnBody) -> u64 {
        match body {
            TxnBody::CreateSession { .. } => 4,
            TxnBody::CloseSession => 0,
            // path, data, one open ACL (perms + "world" + "anyone"), ephemeral flag, parentCVersion
            TxnBody::Create { path, data, .. } => 4 + path.len() as u64 + 4 + data.as_ref().map_or(0, |d| d.len() as u64) + 4 + 27 + 1 + 4,
            TxnBody::Delete { path } => 4 + path.len() as u64,
            TxnBody::SetData { path, data, .. } => 4 + path.len() as u64 + 4 + data.as_ref().map_or(0, |d| d.len() as u64) + 4,
            TxnBody::Check { path, .. } => 4 + path.len() as u64 + 4,
            TxnBody::Multi(v) => 4 + v.iter().map(|b| 4 + 4 + rec(b) + 1).sum::<u64>(),
            TxnBody::Error(_) => 4,
        }
    }
    32 + rec(body)
}

impl ZkServer {
    /// Load the database from the snapshot and the txn log (`ZKDatabase.loadDataBase`).
    pub(super) fn load_database(&mut self) {
        let mut tree = (*self.durable.snapshot).clone();
        let mut chain = self.durable.snapshot_chain;
        let mut committed_log = VecDeque::new();
        for txn in &self.durable.log {
            tree.apply(txn);
            chain = chain_step(chain, txn);
            committed_log.push_back(txn.clone());
            if committed_log.len() > COMMIT_LOG_COUNT {
                committed_log.pop_front();
            }
        }
        self.v.tree = tree;
        self.v.chain = chain;
        self.v.committed_log = committed_log;
    }

    pub(super) fn log_txn(&mut self, txn: Rc<Txn>) {
        if self.durable.log.last().map(|t| t.zxid < txn.zxid).unwrap_or(true) && txn.zxid > self.durable.snapshot.last_processed_zxid() {
            self.durable.log.push(txn);
        }
    }

    pub(super) fn take_snapshot(&mut self) {
        let zxid = self.v.tree.last_processed_zxid();
        self.durable.snapshot = Rc::new(self.v.tree.clone());
        self.durable.snapshot_chain = self.v.chain;
        self.durable.log.retain(|t| t.zxid > zxid);
        self.v.since_snapshot = 0;
    }

    /// Apply a txn to the in-memory database, firing watches of this server's clients.
    pub(super) fn apply_txn(&mut self, io: &mut ZIo<'_>, txn: &Rc<Txn>, committed: bool) -> Reply {
        let (reply, fired) = self.v.tree.apply(txn);
        self.v.chain = chain_step(self.v.chain, txn);
        // Fast-forwarded txns enter the committedLog too (ZKDatabase.loadDataBase →
        // addCommittedProposal): a new leader syncs learners with everything it has applied.
        self.v.committed_log.push_back(txn.clone());
        if self.v.committed_log.len() > COMMIT_LOG_COUNT {
            self.v.committed_log.pop_front();
        }
        for w in fired {
            if let Some((node, c)) = self.v.cnxns.iter_mut().find(|(_, c)| c.session == w.session) {
                c.sent += 1;
                self.v.stats.packets_sent += 1;
                io.send(*node, ZkMsg::WatchEvent { event: w.event, path: w.path });
            }
        }
        if committed && io.observing() {
            self.observe_txn(io, &txn.body, txn.session);
        }
        reply
    }

    pub(super) fn observe_txn(&self, io: &mut ZIo<'_>, body: &TxnBody, session: SessionId) {
        let sid = self.sid;
        let mut paths: Vec<String> = Vec::new();
        match body {
            TxnBody::Create { path, .. } | TxnBody::Delete { path } | TxnBody::SetData { path, .. } => {
                paths.push(path.clone());
                if let Some(i) = path.rfind('/') {
                    paths.push(if i == 0 { "/".to_string() } else { path[..i].to_string() });
                }
            }
            TxnBody::Multi(v) => {
                for b in v {
                    self.observe_txn(io, b, session);
                }
            }
            TxnBody::CloseSession => {
                let left = self.v.tree.ephemerals_of(session).len();
                io.fact(ZkFact::SessionClosed { sid, session, left });
            }
            _ => {}
        }
        for p in paths {
            if let Some(st) = self.v.tree.stat(&p) {
                io.fact(ZkFact::Znode { sid, path: p, czxid: st.czxid, version: st.version, cversion: st.cversion });
            }
        }
    }

    /// A txn is committed here: apply it, answer the client that sent it (if connected here).
    pub(super) fn commit_txn(&mut self, io: &mut ZIo<'_>, txn: &Rc<Txn>) {
        if txn.zxid <= self.v.tree.last_processed_zxid() && !matches!(self.v.role, Role::Leading(_)) {
            return;
        }
        let reply = self.apply_txn(io, txn, true);
        self.v.since_snapshot += 1;
        if self.v.since_snapshot >= self.cfg.snap_count {
            self.take_snapshot();
        }
        let (sid, chain) = (self.sid, self.v.chain);
        io.fact(ZkFact::Committed { sid, zxid: txn.zxid, chain });
        self.finish_request(io, txn, reply);
    }
}
