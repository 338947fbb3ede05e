//! Plain ZooKeeper vocabulary shared by the server, the client and the tools: zxids, server and
//! session ids, the znode `Stat`, create modes, the client operations and their error codes.
//!
//! Follows `zookeeper-jute/src/main/resources/zookeeper.jute` (Stat, the request records),
//! `server/util/ZxidUtils.java` (zxid layout) and `KeeperException.Code` (error codes).
//! Simplified: ACLs are not modelled (every node has the open ACL, aversion stays 0 except the
//! `/zookeeper/config` quirk).

use serde::Serialize;
use std::fmt;
use std::rc::Rc;

/// A ZooKeeper transaction id: `epoch << 32 | counter` (`ZxidUtils.makeZxid`).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Default, Serialize)]
pub struct Zxid(pub u64);

impl Zxid {
    /// `ZxidUtils.makeZxid(epoch, counter)`.
    pub fn new(epoch: u32, counter: u32) -> Zxid {
        Zxid(((epoch as u64) << 32) | counter as u64)
    }
    /// `ZxidUtils.getEpochFromZxid`.
    pub fn epoch(self) -> u32 {
        (self.0 >> 32) as u32
    }
    /// `ZxidUtils.getCounterFromZxid`.
    pub fn counter(self) -> u32 {
        self.0 as u32
    }
}

impl fmt::Display for Zxid {
    /// Lowercase hex without padding, as ZooKeeper prints it (`0x100000000`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "0x{:x}", self.0)
    }
}

/// A server id (`myid`, the N of `server.N=`).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Default, Serialize)]
pub struct Sid(pub u64);

impl fmt::Display for Sid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A client session id (`SessionTrackerImpl.initializeNextSession`); 0 means "no session".
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Default, Serialize)]
pub struct SessionId(pub u64);

impl fmt::Display for SessionId {
    /// `Long.toHexString` with a `0x` prefix, as `ephemeralOwner` and the logs print it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "0x{:x}", self.0)
    }
}

/// Znode data. Shared and immutable so that cloning trees and messages stays cheap.
pub type Data = Rc<[u8]>;

/// The Stat of a znode as clients see it (`zookeeper.jute` `Stat`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default, Serialize)]
pub struct Stat {
    pub czxid: Zxid,
    pub mzxid: Zxid,
    /// Milliseconds since the Unix epoch (virtual wall clock).
    pub ctime: u64,
    pub mtime: u64,
    /// Shown as `dataVersion` by zkCli.
    pub version: i32,
    /// As clients see it: `2 * persisted_cversion - num_children` (`DataNode.copyStat`).
    pub cversion: i32,
    /// Shown as `aclVersion` by zkCli.
    pub aversion: i32,
    pub ephemeral_owner: SessionId,
    pub data_length: i32,
    pub num_children: i32,
    pub pzxid: Zxid,
}

/// `CreateMode`: persistent or ephemeral, optionally sequential.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize)]
pub struct CreateMode {
    pub ephemeral: bool,
    pub sequential: bool,
}

impl CreateMode {
    pub const PERSISTENT: CreateMode = CreateMode { ephemeral: false, sequential: false };
    pub const EPHEMERAL: CreateMode = CreateMode { ephemeral: true, sequential: false };
}

/// `KeeperException.Code`: the errors a client operation can end with.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize)]
pub enum ErrCode {
    /// 0: the op of a failed multi that would have succeeded (`ErrorResult(0)`).
    Ok,
    /// -4
    ConnectionLoss,
    /// -101
    NoNode,
    /// -103
    BadVersion,
    /// -108
    NoChildrenForEphemerals,
    /// -110
    NodeExists,
    /// -111
    NotEmpty,
    /// -112
    SessionExpired,
    /// -8
    BadArguments,
    /// -2 (the other ops of a failed multi)
    RuntimeInconsistency,
    /// -7 (a request that timed out waiting for a reply)
    OperationTimeout,
}

impl ErrCode {
    /// The numeric `KeeperException.Code`.
    pub fn code(self) -> i32 {
        match self {
            ErrCode::Ok => 0,
            ErrCode::ConnectionLoss => -4,
            ErrCode::NoNode => -101,
            ErrCode::BadVersion => -103,
            ErrCode::NoChildrenForEphemerals => -108,
            ErrCode::NodeExists => -110,
            ErrCode::NotEmpty => -111,
            ErrCode::SessionExpired => -112,
            ErrCode::BadArguments => -8,
            ErrCode::RuntimeInconsistency => -2,
            ErrCode::OperationTimeout => -7,
        }
    }
    /// `KeeperException.getCodeMessage`, e.g. "NoNode".
    pub fn name(self) -> &'static str {
        match self {
            ErrCode::Ok => "ok",
            ErrCode::ConnectionLoss => "ConnectionLoss",
            ErrCode::NoNode => "NoNode",
            ErrCode::BadVersion => "BadVersion",
            ErrCode::NoChildrenForEphemerals => "NoChildrenForEphemerals",
            ErrCode::NodeExists => "NodeExists",
            ErrCode::NotEmpty => "Directory not empty",
            ErrCode::SessionExpired => "Session expired",
            ErrCode::BadArguments => "BadArguments",
            ErrCode::RuntimeInconsistency => "RuntimeInconsistency",
            ErrCode::OperationTimeout => "OperationTimeout",
        }
    }
}

/// One write inside a request (also the element of a `multi`).
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum WriteOp {
    /// `data: None` is Java's `null` (zkCli `create /a` with no data; Kafka's `createRecursive`).
    Create {
        path: String,
        data: Option<Data>,
        mode: CreateMode,
    },
    Delete {
        path: String,
        version: i32,
    },
    SetData {
        path: String,
        data: Option<Data>,
        version: i32,
    },
    /// Only inside a multi: `Op.check(path, version)`.
    Check {
        path: String,
        version: i32,
    },
}

/// A client request (the ops zkCli and Kafka's ZooKeeper client use).
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum Op {
    Write(WriteOp),
    Multi(Vec<WriteOp>),
    GetData { path: String, watch: bool },
    Exists { path: String, watch: bool },
    GetChildren { path: String, watch: bool },
}

impl Op {
    pub fn is_write(&self) -> bool {
        matches!(self, Op::Write(_) | Op::Multi(_))
    }
}

/// The result of one write (`OpResult`).
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum WriteResult {
    Created { path: String },
    Deleted,
    SetData { stat: Stat },
    Checked,
    Error(ErrCode),
}

/// What a server answers to a request.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum Reply {
    Created {
        path: String,
    },
    Deleted,
    SetData {
        stat: Stat,
    },
    Multi(Vec<WriteResult>),
    Data {
        data: Option<Data>,
        stat: Stat,
    },
    /// `exists`: `None` when the node does not exist (not an error).
    Exists {
        stat: Option<Stat>,
    },
    Children {
        children: Vec<String>,
        stat: Stat,
    },
    Error(ErrCode),
}

/// `Watcher.Event.EventType` for node events.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize)]
pub enum EventType {
    NodeCreated,
    NodeDeleted,
    NodeDataChanged,
    NodeChildrenChanged,
}

impl EventType {
    pub fn name(self) -> &'static str {
        match self {
            EventType::NodeCreated => "NodeCreated",
            EventType::NodeDeleted => "NodeDeleted",
            EventType::NodeDataChanged => "NodeDataChanged",
            EventType::NodeChildrenChanged => "NodeChildrenChanged",
        }
    }
}

/// Which watch table a watch sits in (`WatchManager` dataWatches / childWatches).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize)]
pub enum WatchKind {
    /// Set by getData and exists.
    Data,
    /// Set by getChildren.
    Child,
}

/// A fired watch: deliver `WatchedEvent(type, path)` to `session`.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct WatchFired {
    pub session: SessionId,
    pub event: EventType,
    pub path: String,
}
