//! Client connections as one `impl ZkServer` block: connect and session revalidation, per-session
//! request order (a write blocks the reads behind it), reads, replies to committed writes, watches
//! and SetWatches, pings and dropped connections.
//!
//! Follows `NIOServerCnxn.java`, `ZooKeeperServer.processConnectRequest`/`reopenSession`/
//! `revalidateSession`, `LearnerZooKeeperServer`/`Learner.validateSession`, `CommitProcessor`
//! (per-session ordering), `FinalRequestProcessor` (replies and `ServerStats` latency) and
//! `DataTree.setWatches`.
//!
//! Simplified: no ACLs, no `sync`, no local sessions; a connection is one simulated TCP link.

use crate::sim::time::Time;
use crate::sim::NodeId;

use super::session_tracker::expiry_bucket;
use super::*;
use crate::zk::msg::{PeerRequest, ZkMsg};
use crate::zk::tree::{Txn, TxnBody};
use crate::zk::types::{EventType, Op, Reply, SessionId, Zxid};

impl ZkServer {
    pub(super) fn cnxn_for_session(&self, session: SessionId) -> Option<NodeId> {
        self.v.cnxns.iter().find(|(_, c)| c.session == session).map(|(n, _)| *n)
    }

    /// FinalRequestProcessor for a committed txn: reply to the client connected here.
    pub(super) fn finish_request(&mut self, io: &mut ZIo<'_>, txn: &Txn, reply: Reply) {
        let now = io.now();
        match &txn.body {
            TxnBody::CreateSession { timeout_ms } => {
                if let Some(node) = self.cnxn_for_session(txn.session) {
                    if let Some(c) = self.v.cnxns.get_mut(&node) {
                        c.timeout_ms = *timeout_ms;
                        c.sent += 1;
                    }
                    self.v.stats.packets_sent += 1;
                    io.send(node, ZkMsg::ConnectResponse { session: txn.session, timeout_ms: *timeout_ms });
                }
                // The leader tracks sessions created through any server.
                let tick = self.cfg.tick_ms;
                if let Some(l) = self.leader_mut() {
                    l.sessions.get_or_insert_with(txn.session, || Tracked {
                        timeout_ms: *timeout_ms,
                        expire_at: expiry_bucket(now, *timeout_ms, tick),
                        closing: false,
                    });
                }
                self.schedule_expiry(io);
            }
            TxnBody::CloseSession => {
                if let Some(l) = self.leader_mut() {
                    l.sessions.remove(&txn.session);
                }
                if let Some(node) = self.cnxn_for_session(txn.session) {
                    let xid = self.v.cnxns.get(&node).and_then(|c| c.queue.front().filter(|q| q.close).map(|q| q.xid));
                    if let Some(xid) = xid {
                        self.v.stats.packets_sent += 1;
                        io.send(node, ZkMsg::CloseSessionReply { xid });
                    }
                    self.drop_cnxn(io, node);
                    io.close(node);
                }
            }
            _ => {
                let Some(node) = self.cnxn_for_session(txn.session) else { return };
                let zxid = txn.zxid;
                let Some(c) = self.v.cnxns.get_mut(&node) else { return };
                if c.queue.front().map(|q| q.write && q.xid == txn.cxid).unwrap_or(false) {
                    if let Some(q) = c.queue.pop_front() {
                        c.sent += 1;
                        self.v.stats.packets_sent += 1;
                        record_latency(&mut self.v.stats, now, q.at);
                        io.send(node, ZkMsg::ClientReply { xid: q.xid, zxid, reply: Box::new(reply) });
                    }
                    self.pump_reads(io, node);
                }
            }
        }
    }

    /// Answer the reads at the head of a connection's queue (they waited for earlier writes).
    pub(super) fn pump_reads(&mut self, io: &mut ZIo<'_>, node: NodeId) {
        let now = io.now();
        loop {
            let Some(c) = self.v.cnxns.get_mut(&node) else { return };
            match c.queue.front() {
                Some(q) if !q.write && !q.close => {}
                _ => return,
            }
            let Some(q) = c.queue.pop_front() else { return };
            let session = c.session;
            c.sent += 1;
            let reply = match &q.op {
                Some(op) => self.read(op, session),
                None => Reply::Error(crate::zk::types::ErrCode::BadArguments),
            };
            let zxid = self.v.tree.last_processed_zxid();
            self.v.stats.packets_sent += 1;
            record_latency(&mut self.v.stats, now, q.at);
            io.send(node, ZkMsg::ClientReply { xid: q.xid, zxid, reply: Box::new(reply) });
        }
    }

    pub(super) fn read(&mut self, op: &Op, session: SessionId) -> Reply {
        use crate::zk::types::{ErrCode, WatchKind};
        let tree = &mut self.v.tree;
        match op {
            Op::GetData { path, watch } => match tree.get_data(path) {
                Some((data, stat)) => {
                    if *watch {
                        tree.add_watch(path, WatchKind::Data, session);
                    }
                    Reply::Data { data, stat }
                }
                None => Reply::Error(ErrCode::NoNode),
            },
            Op::Exists { path, watch } => {
                let stat = tree.stat(path);
                if *watch {
                    // exists sets a data watch whether or not the node exists
                    tree.add_watch(path, WatchKind::Data, session);
                }
                Reply::Exists { stat }
            }
            Op::GetChildren { path, watch } => match (tree.children(path), tree.stat(path)) {
                (Some(children), Some(stat)) => {
                    if *watch {
                        tree.add_watch(path, WatchKind::Child, session);
                    }
                    Reply::Children { children, stat }
                }
                _ => Reply::Error(ErrCode::NoNode),
            },
            Op::Write(_) | Op::Multi(_) => Reply::Error(ErrCode::BadArguments),
        }
    }

    pub(super) fn drop_cnxn(&mut self, _io: &mut ZIo<'_>, node: NodeId) {
        if let Some(c) = self.v.cnxns.remove(&node) {
            if c.session.0 != 0 {
                self.v.tree.remove_watches_of(c.session);
            }
        }
    }

    /// Submit a write: the leader proposes it, a follower forwards it as REQUEST.
    pub(super) fn submit(&mut self, io: &mut ZIo<'_>, session: SessionId, cxid: i32, req: PeerRequest) {
        match &self.v.role {
            Role::Leading(_) => self.propose(io, session, cxid, req),
            Role::Following(f) => {
                let node = f.leader_node;
                io.send(node, ZkMsg::Request { session, cxid, req });
            }
            Role::Looking(_) => {}
        }
    }

    pub(super) fn handle_connect(&mut self, io: &mut ZIo<'_>, from: NodeId, session: SessionId, timeout_ms: u32, last_zxid_seen: Zxid) {
        self.v.stats.packets_received += 1;
        if !self.v.serving {
            // "ZooKeeperServer not running": the connection is closed.
            io.close(from);
            return;
        }
        if last_zxid_seen > self.v.tree.last_processed_zxid() {
            io.note(format!(
                "Refusing session request for client as it has seen zxid {last_zxid_seen} our last zxid is {} client must try another server",
                self.v.tree.last_processed_zxid()
            ));
            io.close(from);
            return;
        }
        let t = timeout_ms.clamp(self.cfg.min_session_timeout_ms, self.cfg.max_session_timeout_ms);
        let port = 40000 + (from.0 as u16 % 20000);
        if session.0 == 0 {
            let id = SessionId(self.v.next_session);
            self.v.next_session = self.v.next_session.wrapping_add(1);
            self.v.cnxns.insert(from, Cnxn { session: id, timeout_ms: t, port, ..Default::default() });
            if let Some(c) = self.v.cnxns.get_mut(&from) {
                c.received += 1;
            }
            self.submit(io, id, 0, PeerRequest::CreateSession { timeout_ms: t });
        } else {
            self.v.cnxns.insert(from, Cnxn { session, timeout_ms: t, port, revalidating: true, received: 1, ..Default::default() });
            match &self.v.role {
                Role::Leading(l) => {
                    let valid = l.sessions.get(&session).map(|s| !s.closing).unwrap_or(false);
                    self.finish_revalidate(io, session, valid);
                }
                Role::Following(f) => {
                    let node = f.leader_node;
                    io.send(node, ZkMsg::Revalidate { session, timeout_ms: t });
                }
                Role::Looking(_) => {}
            }
        }
    }

    pub(super) fn finish_revalidate(&mut self, io: &mut ZIo<'_>, session: SessionId, valid: bool) {
        let now = io.now();
        let Some(node) = self.cnxn_for_session(session) else { return };
        let Some(c) = self.v.cnxns.get_mut(&node) else { return };
        if !c.revalidating {
            return;
        }
        c.revalidating = false;
        c.sent += 1;
        let t = c.timeout_ms;
        self.v.stats.packets_sent += 1;
        if valid {
            self.touch_session(now, session, t);
            io.send(node, ZkMsg::ConnectResponse { session, timeout_ms: t });
        } else {
            // Expired: the response carries timeout 0, then the connection closes.
            io.send(node, ZkMsg::ConnectResponse { session, timeout_ms: 0 });
            self.v.cnxns.remove(&node);
            io.close(node);
        }
    }

    pub(super) fn client_touch(&mut self, now: Time, node: NodeId) {
        let Some(c) = self.v.cnxns.get_mut(&node) else { return };
        c.received += 1;
        self.v.stats.packets_received += 1;
        let (s, t) = (c.session, c.timeout_ms);
        match &mut self.v.role {
            Role::Following(f) => {
                f.touched.insert(s, t);
            }
            Role::Leading(_) => self.touch_session(now, s, t),
            Role::Looking(_) => {}
        }
    }

    pub(super) fn handle_client_request(&mut self, io: &mut ZIo<'_>, from: NodeId, xid: i32, op: Op) {
        if !self.v.cnxns.contains_key(&from) || !self.v.serving {
            return;
        }
        let now = io.now();
        self.client_touch(now, from);
        let Some(c) = self.v.cnxns.get_mut(&from) else { return };
        let session = c.session;
        let write = op.is_write();
        if write {
            c.queue.push_back(Queued { xid, op: None, at: now, write, close: false });
            self.submit(io, session, xid, PeerRequest::Write(op));
        } else {
            c.queue.push_back(Queued { xid, op: Some(op), at: now, write, close: false });
            self.pump_reads(io, from);
        }
    }

    pub(super) fn handle_set_watches(
        &mut self,
        from: NodeId,
        relative_zxid: Zxid,
        data: Vec<String>,
        exist: Vec<String>,
        child: Vec<String>,
        io: &mut ZIo<'_>,
    ) {
        use crate::zk::types::WatchKind;
        let Some(c) = self.v.cnxns.get(&from) else { return };
        let session = c.session;
        let tree = &mut self.v.tree;
        let mut events = Vec::new();
        // DataTree.setWatches: fire what changed since the client's last zxid, register the rest.
        for p in data {
            match tree.stat(&p) {
                None => events.push((EventType::NodeDeleted, p)),
                Some(st) if st.mzxid > relative_zxid => events.push((EventType::NodeDataChanged, p)),
                Some(_) => tree.add_watch(&p, WatchKind::Data, session),
            }
        }
        for p in exist {
            match tree.stat(&p) {
                Some(_) => events.push((EventType::NodeCreated, p)),
                None => tree.add_watch(&p, WatchKind::Data, session),
            }
        }
        for p in child {
            match tree.stat(&p) {
                None => events.push((EventType::NodeDeleted, p)),
                Some(st) if st.pzxid > relative_zxid => events.push((EventType::NodeChildrenChanged, p)),
                Some(_) => tree.add_watch(&p, WatchKind::Child, session),
            }
        }
        for (event, path) in events {
            self.v.stats.packets_sent += 1;
            io.send(from, ZkMsg::WatchEvent { event, path });
        }
    }
}

pub(super) fn record_latency(st: &mut Stats, now: Time, at: Time) {
    let ms = now.since(at).as_millis();
    st.latency_min_ms = Some(st.latency_min_ms.map_or(ms, |m| m.min(ms)));
    st.latency_max_ms = st.latency_max_ms.max(ms);
    st.latency_total_ms += ms;
    st.latency_count += 1;
}

pub(super) fn latency(st: &Stats) -> (u64, u64, u64) {
    let avg = st.latency_total_ms.checked_div(st.latency_count).unwrap_or(0);
    (st.latency_min_ms.unwrap_or(0), avg, st.latency_max_ms)
}
