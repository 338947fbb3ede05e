//! Messages of ZooKeeper's three ports: the election port (3888, FastLeaderElection
//! notifications), the quorum port (2888, ZAB packets named after the `Leader.java` constants)
//! and the client port (2181, the client protocol and four-letter words).
//!
//! Follows `FastLeaderElection.buildMsg`, `Leader.java` packet types, `Learner.java`,
//! `LearnerHandler.java` and `ClientCnxn`/`ServerCnxn`. Simplified: no byte encoding, no
//! reconfig data in notifications, no observers, no ACLs or auth in the client protocol.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::rc::Rc;

use super::tree::{DataTree, Txn, TxnBody};
use super::types::{EventType, Op, Reply, SessionId, Sid, WriteOp, Zxid};
use crate::vocab::MsgKind;

/// `QuorumPeer.ServerState` (observers are not modelled).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, serde::Serialize)]
pub enum ServerState {
    Looking,
    Following,
    Leading,
}

impl ServerState {
    pub fn name(self) -> &'static str {
        match self {
            ServerState::Looking => "LOOKING",
            ServerState::Following => "FOLLOWING",
            ServerState::Leading => "LEADING",
        }
    }
}

/// A vote `(leader, zxid, peerEpoch)` as FastLeaderElection compares it.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, serde::Serialize)]
pub struct Vote {
    pub leader: Sid,
    pub zxid: Zxid,
    pub peer_epoch: u32,
}

impl fmt::Display for Vote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "(epoch {}, zxid {}, sid {})", self.peer_epoch, self.zxid, self.leader)
    }
}

/// A full snapshot sent with SNAP, shared rather than copied, with the sender's history digest
/// (invariant-checker bookkeeping, not part of the real packet).
#[derive(Clone, Debug)]
pub struct Snapshot(pub Rc<DataTree>, pub u64);

impl PartialEq for Snapshot {
    fn eq(&self, o: &Self) -> bool {
        Rc::ptr_eq(&self.0, &o.0) || self.0.last_processed_zxid() == o.0.last_processed_zxid()
    }
}
impl Eq for Snapshot {}
impl Hash for Snapshot {
    fn hash<H: Hasher>(&self, h: &mut H) {
        self.0.last_processed_zxid().hash(h);
        self.0.node_count().hash(h);
        self.1.hash(h);
    }
}

/// Every message a ZooKeeper server or client sends.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum ZkMsg {
    // ---- election port (FastLeaderElection) ----
    /// A notification: the sender's state, its proposed (or current) leader, and its round.
    Notification {
        state: ServerState,
        vote: Vote,
        round: u64,
    },

    // ---- quorum port (ZAB) ----
    /// Learner → leader: `zxid = makeZxid(acceptedEpoch, 0)`.
    FollowerInfo {
        accepted_epoch: u32,
    },
    /// Leader → learner: the proposed new epoch.
    LeaderInfo {
        new_epoch: u32,
    },
    /// Learner → leader: its currentEpoch (`None` = the -1 "already accepted" reply) and last zxid.
    AckEpoch {
        current_epoch: Option<u32>,
        last_zxid: Zxid,
    },
    /// Sync by sending the missing transactions (PROPOSAL+COMMIT pairs follow).
    Diff {
        last_zxid: Zxid,
    },
    /// Sync by truncating the learner's log to `zxid`.
    Trunc {
        zxid: Zxid,
    },
    /// Sync by a full snapshot.
    Snap {
        snapshot: Snapshot,
    },
    /// End of sync data; `zxid = makeZxid(newEpoch, 0)`.
    NewLeader {
        zxid: Zxid,
    },
    /// The leader is serving; the learner may serve too.
    UpToDate,
    Proposal {
        txn: Rc<Txn>,
    },
    Ack {
        zxid: Zxid,
    },
    Commit {
        zxid: Zxid,
    },
    /// Leader → learner: heartbeat. Learner → leader: reply carrying the sessions its clients touched.
    Ping {
        touched: Vec<(SessionId, u32)>,
    },
    /// Learner → leader: a client write (or session create/close) to turn into a txn.
    Request {
        session: SessionId,
        cxid: i32,
        req: PeerRequest,
    },
    /// Learner → leader: is this session still valid? (a client reconnected with it)
    Revalidate {
        session: SessionId,
        timeout_ms: u32,
    },
    RevalidateReply {
        session: SessionId,
        valid: bool,
    },

    // ---- client port ----
    /// Client → server: open or resume a session.
    Connect {
        session: SessionId,
        timeout_ms: u32,
        last_zxid_seen: Zxid,
    },
    /// `timeout_ms == 0` means the session has expired.
    ConnectResponse {
        session: SessionId,
        timeout_ms: u32,
    },
    /// Re-register watches after reconnecting (`SetWatches`).
    SetWatches {
        relative_zxid: Zxid,
        paths: Box<WatchPaths>,
    },
    ClientRequest {
        xid: i32,
        op: Op,
    },
    /// The reply is boxed: it is the largest payload, and every envelope on the bus is as large
    /// as the largest message.
    ClientReply {
        xid: i32,
        zxid: Zxid,
        reply: Box<Reply>,
    },
    ClientPing,
    PingReply,
    /// Close the session (`ZooKeeper.close()`).
    CloseSession {
        xid: i32,
    },
    CloseSessionReply {
        xid: i32,
    },
    WatchEvent {
        event: EventType,
        path: String,
    },
    /// A four-letter word sent raw to the client port.
    FourLetter {
        word: String,
    },
    FourLetterReply {
        text: String,
    },
}

/// The watches a reconnecting client re-registers (`SetWatches`).
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct WatchPaths {
    pub data: Vec<String>,
    pub exist: Vec<String>,
    pub child: Vec<String>,
}

/// What a learner forwards to the leader.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum PeerRequest {
    CreateSession { timeout_ms: u32 },
    CloseSession,
    Write(Op),
}

fn write_summary(op: &WriteOp) -> String {
    match op {
        WriteOp::Create { path, mode, .. } => {
            let kind = match (mode.ephemeral, mode.sequential) {
                (false, false) => "",
                (true, false) => " -e",
                (false, true) => " -s",
                (true, true) => " -e -s",
            };
            format!("create{kind} {path}")
        }
        WriteOp::Delete { path, version } => format!("delete {path} v{version}"),
        WriteOp::SetData { path, version, .. } => format!("setData {path} v{version}"),
        WriteOp::Check { path, version } => format!("check {path} v{version}"),
    }
}

/// A short description of a client op, for narration.
pub fn op_summary(op: &Op) -> String {
    match op {
        Op::Write(w) => write_summary(w),
        Op::Multi(ops) => format!("multi[{}]", ops.iter().map(write_summary).collect::<Vec<_>>().join("; ")),
        Op::GetData { path, watch } => format!("getData {path}{}", if *watch { " (watch)" } else { "" }),
        Op::Exists { path, watch } => format!("exists {path}{}", if *watch { " (watch)" } else { "" }),
        Op::GetChildren { path, watch } => format!("getChildren {path}{}", if *watch { " (watch)" } else { "" }),
    }
}

/// A short description of a txn body, for narration.
pub fn txn_summary(body: &TxnBody) -> String {
    match body {
        TxnBody::CreateSession { timeout_ms } => format!("createSession {timeout_ms}ms"),
        TxnBody::CloseSession => "closeSession".into(),
        TxnBody::Create { path, ephemeral_owner, .. } => {
            if ephemeral_owner.0 != 0 {
                format!("create -e {path}")
            } else {
                format!("create {path}")
            }
        }
        TxnBody::Delete { path } => format!("delete {path}"),
        TxnBody::SetData { path, version, .. } => format!("setData {path} → v{version}"),
        TxnBody::Check { path, version } => format!("check {path} v{version}"),
        TxnBody::Multi(b) => format!("multi[{}]", b.iter().map(txn_summary).collect::<Vec<_>>().join("; ")),
        TxnBody::Error(e) => format!("error {}", e.name()),
    }
}

fn reply_summary(r: &Reply) -> String {
    match r {
        Reply::Created { path } => format!("created {path}"),
        Reply::Deleted => "deleted".into(),
        Reply::SetData { stat } => format!("ok, dataVersion {}", stat.version),
        Reply::Multi(v) => format!("multi ({} results)", v.len()),
        Reply::Data { stat, .. } => format!("data, dataVersion {}", stat.version),
        Reply::Exists { stat } => {
            if stat.is_some() {
                "exists".into()
            } else {
                "does not exist".into()
            }
        }
        Reply::Children { children, .. } => format!("{} children", children.len()),
        Reply::Error(e) => format!("error {}", e.name()),
    }
}

impl fmt::Display for ZkMsg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ZkMsg::Notification { state, vote, round } => {
                write!(f, "notification {} round {} votes {}", state.name(), round, vote)
            }
            ZkMsg::FollowerInfo { accepted_epoch } => {
                write!(f, "FOLLOWERINFO zxid {} (acceptedEpoch {accepted_epoch})", Zxid::new(*accepted_epoch, 0))
            }
            ZkMsg::LeaderInfo { new_epoch } => write!(f, "LEADERINFO zxid {} (new epoch {new_epoch})", Zxid::new(*new_epoch, 0)),
            ZkMsg::AckEpoch { current_epoch, last_zxid } => match current_epoch {
                Some(e) => write!(f, "ACKEPOCH currentEpoch {e}, last zxid {last_zxid}"),
                None => write!(f, "ACKEPOCH -1 (epoch already accepted), last zxid {last_zxid}"),
            },
            ZkMsg::Diff { last_zxid } => write!(f, "DIFF up to {last_zxid}"),
            ZkMsg::Trunc { zxid } => write!(f, "TRUNC to {zxid}"),
            ZkMsg::Snap { snapshot } => write!(f, "SNAP at {} ({} nodes)", snapshot.0.last_processed_zxid(), snapshot.0.node_count()),
            ZkMsg::NewLeader { zxid } => write!(f, "NEWLEADER {zxid}"),
            ZkMsg::UpToDate => write!(f, "UPTODATE"),
            ZkMsg::Proposal { txn } => write!(f, "PROPOSAL {} {}", txn.zxid, txn_summary(&txn.body)),
            ZkMsg::Ack { zxid } => write!(f, "ACK {zxid}"),
            ZkMsg::Commit { zxid } => write!(f, "COMMIT {zxid}"),
            ZkMsg::Ping { touched } => {
                if touched.is_empty() {
                    write!(f, "PING")
                } else {
                    write!(f, "PING (touches {} sessions)", touched.len())
                }
            }
            ZkMsg::Request { session, req, .. } => match req {
                PeerRequest::CreateSession { timeout_ms } => write!(f, "REQUEST createSession {timeout_ms}ms"),
                PeerRequest::CloseSession => write!(f, "REQUEST closeSession {session}"),
                PeerRequest::Write(op) => write!(f, "REQUEST {} (session {session})", op_summary(op)),
            },
            ZkMsg::Revalidate { session, .. } => write!(f, "REVALIDATE {session}"),
            ZkMsg::RevalidateReply { session, valid } => write!(f, "REVALIDATE {session}: {}", if *valid { "valid" } else { "expired" }),
            ZkMsg::Connect { session, timeout_ms, .. } => {
                if session.0 == 0 {
                    write!(f, "ConnectRequest new session, timeout {timeout_ms}ms")
                } else {
                    write!(f, "ConnectRequest resume {session}, timeout {timeout_ms}ms")
                }
            }
            ZkMsg::ConnectResponse { session, timeout_ms } => {
                if *timeout_ms == 0 {
                    write!(f, "ConnectResponse: session {session} expired")
                } else {
                    write!(f, "ConnectResponse session {session}, timeout {timeout_ms}ms")
                }
            }
            ZkMsg::SetWatches { paths, .. } => {
                write!(f, "SetWatches ({} data, {} exist, {} child)", paths.data.len(), paths.exist.len(), paths.child.len())
            }
            ZkMsg::ClientRequest { xid, op } => write!(f, "request #{xid} {}", op_summary(op)),
            ZkMsg::ClientReply { xid, zxid, reply } => write!(f, "reply #{xid} zxid {zxid}: {}", reply_summary(reply)),
            ZkMsg::ClientPing => write!(f, "client ping"),
            ZkMsg::PingReply => write!(f, "ping reply"),
            ZkMsg::CloseSession { .. } => write!(f, "closeSession"),
            ZkMsg::CloseSessionReply { .. } => write!(f, "closeSession done"),
            ZkMsg::WatchEvent { event, path } => write!(f, "WatchedEvent {} {path}", event.name()),
            ZkMsg::FourLetter { word } => write!(f, "four-letter word '{word}'"),
            ZkMsg::FourLetterReply { text } => write!(f, "four-letter reply ({} lines)", text.lines().count()),
        }
    }
}

impl crate::sim::Fingerprint for ZkMsg {
    /// Variant, ids and zxids; payload bytes (znode data, snapshots) are left out.
    fn fingerprint(&self, h: &mut crate::sim::trace::StableHasher) {
        use std::hash::Hasher;
        let d = |m: &ZkMsg| -> u8 {
            match m {
                ZkMsg::Notification { .. } => 0,
                ZkMsg::FollowerInfo { .. } => 1,
                ZkMsg::LeaderInfo { .. } => 2,
                ZkMsg::AckEpoch { .. } => 3,
                ZkMsg::Diff { .. } => 4,
                ZkMsg::Trunc { .. } => 5,
                ZkMsg::Snap { .. } => 6,
                ZkMsg::NewLeader { .. } => 7,
                ZkMsg::UpToDate => 8,
                ZkMsg::Proposal { .. } => 9,
                ZkMsg::Ack { .. } => 10,
                ZkMsg::Commit { .. } => 11,
                ZkMsg::Ping { .. } => 12,
                ZkMsg::Request { .. } => 13,
                ZkMsg::Revalidate { .. } => 14,
                ZkMsg::RevalidateReply { .. } => 15,
                ZkMsg::Connect { .. } => 16,
                ZkMsg::ConnectResponse { .. } => 17,
                ZkMsg::SetWatches { .. } => 18,
                ZkMsg::ClientRequest { .. } => 19,
                ZkMsg::ClientReply { .. } => 20,
                ZkMsg::ClientPing => 21,
                ZkMsg::PingReply => 22,
                ZkMsg::CloseSession { .. } => 23,
                ZkMsg::CloseSessionReply { .. } => 24,
                ZkMsg::WatchEvent { .. } => 25,
                ZkMsg::FourLetter { .. } => 26,
                ZkMsg::FourLetterReply { .. } => 27,
            }
        };
        h.write_u8(d(self));
        match self {
            ZkMsg::Notification { state, vote, round } => {
                h.write_u8(*state as u8);
                h.write_u64(vote.leader.0);
                h.write_u64(vote.zxid.0);
                h.write_u32(vote.peer_epoch);
                h.write_u64(*round);
            }
            ZkMsg::FollowerInfo { accepted_epoch } => h.write_u32(*accepted_epoch),
            ZkMsg::LeaderInfo { new_epoch } => h.write_u32(*new_epoch),
            ZkMsg::AckEpoch { current_epoch, last_zxid } => {
                h.write_u64(current_epoch.map(|e| e as u64 + 1).unwrap_or(0));
                h.write_u64(last_zxid.0);
            }
            ZkMsg::Diff { last_zxid: z }
            | ZkMsg::Trunc { zxid: z }
            | ZkMsg::NewLeader { zxid: z }
            | ZkMsg::Ack { zxid: z }
            | ZkMsg::Commit { zxid: z } => h.write_u64(z.0),
            ZkMsg::Snap { snapshot } => h.write_u64(snapshot.0.last_processed_zxid().0),
            ZkMsg::Proposal { txn } => {
                h.write_u64(txn.zxid.0);
                h.write_u64(txn.session.0);
                h.write_i32(txn.cxid);
            }
            ZkMsg::Ping { touched } => h.write_usize(touched.len()),
            ZkMsg::Request { session, cxid, .. } => {
                h.write_u64(session.0);
                h.write_i32(*cxid);
            }
            ZkMsg::Revalidate { session, .. } => h.write_u64(session.0),
            ZkMsg::RevalidateReply { session, valid } => {
                h.write_u64(session.0);
                h.write_u8(*valid as u8);
            }
            ZkMsg::Connect { session, last_zxid_seen, .. } => {
                h.write_u64(session.0);
                h.write_u64(last_zxid_seen.0);
            }
            ZkMsg::ConnectResponse { session, timeout_ms } => {
                h.write_u64(session.0);
                h.write_u32(*timeout_ms);
            }
            ZkMsg::ClientRequest { xid, .. } | ZkMsg::CloseSession { xid } | ZkMsg::CloseSessionReply { xid } => h.write_i32(*xid),
            ZkMsg::ClientReply { xid, zxid, .. } => {
                h.write_i32(*xid);
                h.write_u64(zxid.0);
            }
            ZkMsg::WatchEvent { event, path } => {
                h.write_u8(*event as u8);
                h.write_usize(path.len());
            }
            _ => {}
        }
    }
}

impl ZkMsg {
    /// A coarse kind for the page's colours and filters (`vocab.rs`).
    pub fn kind(&self) -> MsgKind {
        match self {
            ZkMsg::Notification { .. } => MsgKind::Vote,
            ZkMsg::FollowerInfo { .. } | ZkMsg::LeaderInfo { .. } | ZkMsg::AckEpoch { .. } => MsgKind::Discovery,
            ZkMsg::Diff { .. } | ZkMsg::Trunc { .. } | ZkMsg::Snap { .. } | ZkMsg::NewLeader { .. } | ZkMsg::UpToDate => MsgKind::Sync,
            ZkMsg::Proposal { .. } | ZkMsg::Ack { .. } | ZkMsg::Commit { .. } | ZkMsg::Request { .. } => MsgKind::Broadcast,
            ZkMsg::Ping { .. } | ZkMsg::ClientPing | ZkMsg::PingReply => MsgKind::Ping,
            ZkMsg::Revalidate { .. } | ZkMsg::RevalidateReply { .. } => MsgKind::Session,
            ZkMsg::FourLetter { .. } | ZkMsg::FourLetterReply { .. } => MsgKind::FourLetter,
            _ => MsgKind::Client,
        }
    }
}
