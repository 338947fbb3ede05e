//! The in-memory database of one ZooKeeper server: the znode tree, the sessions table
//! (`sessionsWithTimeouts`) and this server's watch tables, changed only by applying committed
//! transactions.
//!
//! Follows ZooKeeper 3.5.9 `server/DataTree.java` (`createNode`, `deleteNode`, `setData`,
//! `killSession`, `processTxn`, `setCversionPzxid`, `approximateDataSize`), `server/DataNode.java`
//! (`copyStat`), `server/WatchManager.java` (one-shot `triggerWatch`), `server/ZKDatabase.java`
//! (`initConfigInZKDatabase`) and `persistence/FileTxnSnapLog.processTransaction` (the sessions
//! table).
//!
//! Simplified:
//! - No ACLs, quotas, containers or TTL nodes. Any non-zero `ephemeralOwner` is an ordinary
//!   ephemeral.
//! - A watcher is a session (upstream it is the session's connection to this server, which is the
//!   same thing while the session stays connected here).
//! - Where upstream iterates a `HashSet` (the ephemerals `killSession` deletes, the watchers one
//!   trigger notifies) we iterate in sorted order, so runs are reproducible.
//! - A few transactions upstream could only meet when replaying a corrupt log are refused here
//!   instead of corrupting the tree: creating or deleting the root or a path `PathUtils` rejects
//!   (such as `//a`, which upstream would file under `/` as child `a`) gives `BadArguments`, and
//!   deleting a node that still has children gives `NotEmpty`. In both cases nothing changes.
//!   `PrepRequestProcessor` never proposes such transactions.

use crate::sorted::{SortedMap, SortedSet};
use crate::zk::prep::validate_path;
use crate::zk::types::{Data, ErrCode, EventType, Reply, SessionId, Stat, WatchFired, WatchKind, WriteResult, Zxid};

/// The path of the config znode (`ZooDefs.CONFIG_NODE`).
pub const CONFIG_NODE: &str = "/zookeeper/config";

/// One transaction as the leader proposed it: the `TxnHeader` plus the txn record.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Txn {
    /// The zxid the leader assigned (`TxnHeader.zxid`).
    pub zxid: Zxid,
    /// The session that issued the request (`TxnHeader.clientId`).
    pub session: SessionId,
    /// The client's request counter (`TxnHeader.cxid`).
    pub cxid: i32,
    /// The leader's wall clock when it prepared the request, in ms since the Unix epoch
    /// (`TxnHeader.time`). Becomes ctime/mtime.
    pub time_ms: u64,
    /// What the transaction does.
    pub body: TxnBody,
}

/// The txn record of a [`Txn`] (the `txn/*Txn` jute records, keyed by `OpCode`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum TxnBody {
    /// `OpCode.createSession` / `CreateSessionTxn`: adds the session to the sessions table.
    CreateSession {
        /// The negotiated session timeout.
        timeout_ms: u32,
    },
    /// `OpCode.closeSession`: removes the session and deletes all its ephemerals
    /// (`DataTree.killSession`).
    CloseSession,
    /// `OpCode.create` / `CreateTxn`.
    Create {
        /// The full path, sequence suffix included.
        path: String,
        /// The data; `None` is Java's `null` (what zkCli `create /a` and Kafka's
        /// `createRecursive` send), which `get` prints as `null`.
        data: Option<Data>,
        /// The owning session for an ephemeral node; `SessionId(0)` for a persistent one.
        ephemeral_owner: SessionId,
        /// The parent's new persisted cversion (`CreateTxn.parentCVersion`); -1 means "current
        /// + 1".
        parent_cversion: i32,
    },
    /// `OpCode.delete` / `DeleteTxn`.
    Delete {
        /// The node to delete.
        path: String,
    },
    /// `OpCode.setData` / `SetDataTxn`.
    SetData {
        /// The node to change.
        path: String,
        /// The new data (`None` is Java's `null`).
        data: Option<Data>,
        /// The NEW data version (already incremented by the leader).
        version: i32,
    },
    /// `OpCode.check` / `CheckVersionTxn`, only inside a multi. Has no effect when applied.
    Check {
        /// The checked node.
        path: String,
        /// What `checkAndIncVersion` returned: the checked version + 1.
        version: i32,
    },
    /// `OpCode.multi` / `MultiTxn`. When the leader's validation failed, the ops before the
    /// failing one keep their real bodies, the failing one is `Error(code)` and the rest are
    /// `Error(RuntimeInconsistency)`; applying such a multi changes nothing.
    Multi(Vec<TxnBody>),
    /// `OpCode.error` / `ErrorTxn`: a write the leader rejected. It still consumed a zxid.
    Error(ErrCode),
}

impl TxnBody {
    /// The op name as `Request.op2String` spells it (for logs and the UI).
    pub fn name(&self) -> &'static str {
        match self {
            TxnBody::CreateSession { .. } => "createSession",
            TxnBody::CloseSession => "closeSession",
            TxnBody::Create { .. } => "create",
            TxnBody::Delete { .. } => "delete",
            TxnBody::SetData { .. } => "setData",
            TxnBody::Check { .. } => "check",
            TxnBody::Multi(_) => "multi",
            TxnBody::Error(_) => "error",
        }
    }
}

/// The part of a znode's stat that is stored (`zookeeper.jute` `StatPersisted`). Unlike
/// [`Stat`], `cversion` here counts child creations only, and there is no dataLength or
/// numChildren.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct StatPersisted {
    /// zxid of the create.
    pub czxid: Zxid,
    /// zxid of the create or of the last setData.
    pub mzxid: Zxid,
    /// Time of the create (ms since the epoch).
    pub ctime: u64,
    /// Time of the create or of the last setData.
    pub mtime: u64,
    /// Data version: 0 at create, set from each setData txn.
    pub version: i32,
    /// Number of child creations (set from `CreateTxn.parentCVersion`).
    pub cversion: i32,
    /// ACL version.
    pub aversion: i32,
    /// Owning session of an ephemeral, else 0.
    pub ephemeral_owner: SessionId,
    /// zxid of the last child create, or of a later child delete.
    pub pzxid: Zxid,
}

/// One znode (`DataNode`).
#[derive(Clone, Debug)]
struct DataNode {
    /// `None` is Java's `null`.
    data: Option<Data>,
    stat: StatPersisted,
    /// Names (not paths) of the children.
    children: SortedSet<String>,
}

impl DataNode {
    fn new(data: Option<Data>, stat: StatPersisted) -> DataNode {
        DataNode { data, stat, children: SortedSet::new() }
    }

    fn data_len(&self) -> usize {
        self.data.as_ref().map_or(0, |d| d.len())
    }

    /// `DataNode.copyStat`: the Stat a client sees.
    fn copy_stat(&self) -> Stat {
        let num_children = clamp_i32(self.children.len());
        Stat {
            czxid: self.stat.czxid,
            mzxid: self.stat.mzxid,
            ctime: self.stat.ctime,
            mtime: self.stat.mtime,
            version: self.stat.version,
            // "translate from the count of the creates to the count of the changes": every create
            // has a delete except for the children still present. Java int arithmetic wraps.
            cversion: self.stat.cversion.wrapping_mul(2).wrapping_sub(num_children),
            aversion: self.stat.aversion,
            ephemeral_owner: self.stat.ephemeral_owner,
            data_length: clamp_i32(self.data_len()),
            num_children,
            pzxid: self.stat.pzxid,
        }
    }
}

/// What one applied op produced, before it is shaped into a [`Reply`] or a [`WriteResult`].
enum Applied {
    Created(String),
    Deleted,
    SetData(Stat),
    Checked,
}

impl Applied {
    fn into_write_result(self) -> WriteResult {
        match self {
            Applied::Created(path) => WriteResult::Created { path },
            Applied::Deleted => WriteResult::Deleted,
            Applied::SetData(stat) => WriteResult::SetData { stat },
            Applied::Checked => WriteResult::Checked,
        }
    }
}

/// The result reported for an op of a failed multi that came before the failing op. Upstream
/// this is `ErrorResult(Code.OK)` (DataTree.processTxn turns the op into `ErrorTxn(0)`), but
/// `ErrCode` has no `Ok`. `Checked` keeps the client-visible logic of upstream ("the first
/// `Error` in the list is the cause") and claims no effect. Swap for
/// `WriteResult::Error(ErrCode::Ok)` once that variant exists.
const ROLLED_BACK_OK: WriteResult = WriteResult::Error(ErrCode::Ok);

/// The database of one server: znodes, sessions, this server's watches.
///
/// Invariants: every node except the root is listed in its parent's children; every ephemeral
/// node is listed under its owner in `ephemerals` and nowhere else; no watch set is empty.
#[derive(Clone, Debug)]
pub struct DataTree {
    /// Keyed by path; the root is stored once under "/" (upstream also aliases it as "").
    nodes: SortedMap<String, DataNode>,
    /// Session -> paths of its ephemeral nodes (`DataTree.ephemerals`).
    ephemerals: SortedMap<SessionId, SortedSet<String>>,
    /// `ZKDatabase.sessionsWithTimeouts`: session -> negotiated timeout (ms).
    sessions: SortedMap<SessionId, u32>,
    /// `dataWatches`: set by getData and exists.
    data_watches: SortedMap<String, SortedSet<SessionId>>,
    /// `childWatches`: set by getChildren.
    child_watches: SortedMap<String, SortedSet<SessionId>>,
    /// Highest zxid applied (`DataTree.lastProcessedZxid`).
    last_processed_zxid: Zxid,
}

impl Default for DataTree {
    fn default() -> DataTree {
        DataTree::new()
    }
}

impl DataTree {
    /// A fresh 3.5.9 tree (`new DataTree()`): `/`, `/zookeeper`, `/zookeeper/quota` and
    /// `/zookeeper/config`, all with empty (not null) data and zero stats, except that
    /// `/zookeeper/config` has aclVersion -1 (from `addConfigNode`'s `setACL(..., -1)`). As
    /// clients see it, `/` has cversion -1 and `/zookeeper` cversion -2, because those children
    /// were added without a create.
    pub fn new() -> DataTree {
        let empty = || Some(Data::from(Vec::new()));
        let mut root = DataNode::new(empty(), StatPersisted::default());
        root.children.insert("zookeeper".to_string());
        let mut proc_node = DataNode::new(empty(), StatPersisted::default());
        proc_node.children.insert("quota".to_string());
        proc_node.children.insert("config".to_string());
        let quota = DataNode::new(empty(), StatPersisted::default());
        let config = DataNode::new(empty(), StatPersisted { aversion: -1, ..StatPersisted::default() });
        let mut nodes = SortedMap::new();
        nodes.insert("/".to_string(), root);
        nodes.insert("/zookeeper".to_string(), proc_node);
        nodes.insert("/zookeeper/quota".to_string(), quota);
        nodes.insert(CONFIG_NODE.to_string(), config);
        DataTree {
            nodes,
            ephemerals: SortedMap::new(),
            sessions: SortedMap::new(),
            data_watches: SortedMap::new(),
            child_watches: SortedMap::new(),
            last_processed_zxid: Zxid(0),
        }
    }

    /// A node's data (`None` = null data) and the Stat a client sees, or `None` if there is no
    /// such node. `""` is the root, as in upstream's node map.
    pub fn node(&self, path: &str) -> Option<(Option<&Data>, Stat)> {
        self.get(path).map(|n| (n.data.as_ref(), n.copy_stat()))
    }

    /// `getData` without a watch: a copy of the data (cheap, it is shared) and the Stat.
    pub fn get_data(&self, path: &str) -> Option<(Option<Data>, Stat)> {
        self.get(path).map(|n| (n.data.clone(), n.copy_stat()))
    }

    /// The Stat a client sees (`exists` / `stat`).
    pub fn stat(&self, path: &str) -> Option<Stat> {
        self.get(path).map(DataNode::copy_stat)
    }

    /// The stored stat (with the persisted cversion), as `PrepRequestProcessor` reads it.
    pub fn stat_persisted(&self, path: &str) -> Option<StatPersisted> {
        self.get(path).map(|n| n.stat)
    }

    /// The stored stat and the number of children, in one lookup (`PrepRequestProcessor`'s
    /// `getRecordForPath`).
    pub fn stat_persisted_and_children(&self, path: &str) -> Option<(StatPersisted, i32)> {
        self.get(path).map(|n| (n.stat, clamp_i32(n.children.len())))
    }

    /// Whether the node exists.
    pub fn contains(&self, path: &str) -> bool {
        self.get(path).is_some()
    }

    /// The names of a node's children, sorted as strings (what `ls` prints).
    pub fn children(&self, path: &str) -> Option<Vec<String>> {
        self.get(path).map(|n| n.children.iter().cloned().collect())
    }

    /// `DataTree.getNodeCount`, as `srvr` "Node count:" and mntr `zk_znode_count` report it: the
    /// root is counted twice (it is stored under both "" and "/"), so a fresh tree gives 5.
    pub fn node_count(&self) -> usize {
        self.nodes.len() + 1
    }

    /// `DataTree.approximateDataSize` (mntr `zk_approximate_data_size`): over every entry of the
    /// node map, the path's length in UTF-16 units plus the data's length in bytes. The root
    /// counts twice (as "" and as "/"); a fresh tree gives 44.
    pub fn approximate_data_size(&self) -> u64 {
        let mut total = 0u64;
        for (path, node) in &self.nodes {
            let path_len = path.chars().map(char::len_utf16).sum::<usize>();
            total = total.saturating_add(path_len as u64).saturating_add(node.data_len() as u64);
        }
        // The "" alias of the root: no path length, the root's data once more.
        let root_data = self.get("/").map_or(0, DataNode::data_len);
        total.saturating_add(root_data as u64)
    }

    /// The paths of a session's ephemeral nodes, sorted.
    pub fn ephemerals_of(&self, session: SessionId) -> Vec<String> {
        self.ephemerals.get(&session).map(|s| s.iter().cloned().collect()).unwrap_or_default()
    }

    /// `DataTree.getEphemeralsCount` (mntr `zk_ephemerals_count`).
    pub fn ephemeral_count(&self) -> usize {
        self.ephemerals.values().map(SortedSet::len).sum()
    }

    /// `sessionsWithTimeouts`: every session created and not yet closed, with its timeout in
    /// ms. Part of the database (snapshots carry it), so a new leader rebuilds its session
    /// tracker from it.
    pub fn sessions(&self) -> &SortedMap<SessionId, u32> {
        &self.sessions
    }

    /// The highest zxid applied so far (`lastProcessedZxid`; the `Zxid:` line of `srvr`).
    pub fn last_processed_zxid(&self) -> Zxid {
        self.last_processed_zxid
    }

    /// `ZKDatabase.setlastProcessedZxid`: overwrite lastProcessedZxid (a new leader sets it to
    /// `makeZxid(epoch, 0)`; a learner after a snapshot or truncation). Unconditional, as
    /// upstream.
    pub fn set_last_processed_zxid(&mut self, zxid: Zxid) {
        self.last_processed_zxid = zxid;
    }

    /// All paths, sorted as strings ("/" first).
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.nodes.keys().map(String::as_str)
    }

    /// Apply one committed (or synced) txn as `DataTree.processTxn` does, plus the sessions table
    /// update `ZooKeeperServer.processTxn` / `FileTxnSnapLog.processTransaction` do. Returns
    /// what the server answers the client, and the watches this fires on THIS server, in the
    /// order upstream triggers them (trigger call order; within one trigger by session).
    ///
    /// - A create/delete/setData that cannot be applied answers `Reply::Error` (NoNode,
    ///   NodeExists). As upstream, a create that meets NodeExists still raises the parent's
    ///   cversion and pzxid if `parent_cversion` is higher (`setCversionPzxid`, meant for fuzzy
    ///   snapshot replay), and a delete of a missing child of an existing parent still moves
    ///   the parent's pzxid forward. Neither happens with transactions the leader prepared.
    /// - `Multi` answers `Reply::Multi` with one result per op; see [`TxnBody::Multi`] for a
    ///   failed one, whose ops before the failure are reported as `WriteResult::Checked`
    ///   (upstream: `ErrorResult(0)`).
    /// - `Error(code)` answers `Reply::Error(code)` and changes nothing.
    /// - CreateSession, CloseSession and a stray top-level Check have no reply body of their
    ///   own; they answer `Reply::Multi(vec![])` (an empty success), which servers ignore.
    ///
    /// Every txn, failed or not, raises `last_processed_zxid` to its zxid if that is higher.
    pub fn apply(&mut self, txn: &Txn) -> (Reply, Vec<WatchFired>) {
        let mut fired = Vec::new();
        let (zxid, time) = (txn.zxid, txn.time_ms);
        let reply = match &txn.body {
            TxnBody::CreateSession { timeout_ms } => {
                self.sessions.insert(txn.session, *timeout_ms);
                Reply::Multi(Vec::new())
            }
            TxnBody::CloseSession => {
                self.sessions.remove(&txn.session);
                self.kill_session(txn.session, zxid, &mut fired);
                Reply::Multi(Vec::new())
            }
            TxnBody::Multi(bodies) => Reply::Multi(self.apply_multi(bodies, zxid, time, &mut fired)),
            TxnBody::Error(code) => Reply::Error(*code),
            op => match self.apply_op(op, zxid, time, &mut fired) {
                Ok(Applied::Created(path)) => Reply::Created { path },
                Ok(Applied::Deleted) => Reply::Deleted,
                Ok(Applied::SetData(stat)) => Reply::SetData { stat },
                Ok(Applied::Checked) => Reply::Multi(Vec::new()),
                Err(code) => Reply::Error(code),
            },
        };
        // Only after the whole txn (a multi included) is applied (DataTree.processTxn).
        if zxid > self.last_processed_zxid {
            self.last_processed_zxid = zxid;
        }
        (reply, fired)
    }

    /// `ZKDatabase.initConfigInZKDatabase`: a quorum peer writes its dynamic config text into
    /// `/zookeeper/config` at startup (and after loading a SNAP when reconfig is disabled) via
    /// `setData(CONFIG_NODE, text, -1, qv.getVersion(), now)`: dataVersion becomes -1 and mzxid
    /// the config version (0 for a static config). Not a txn: lastProcessedZxid is unchanged.
    pub fn init_config_node(&mut self, data: Data, config_version: Zxid, time_ms: u64) -> Vec<WatchFired> {
        let mut fired = Vec::new();
        // The config node can only be missing in a tree rebuilt from an old snapshot; upstream
        // re-adds it then (addConfigNode).
        if !self.nodes.contains_key(CONFIG_NODE) {
            self.add_config_node();
        }
        let _ = self.set_data(CONFIG_NODE, Some(data), -1, config_version, time_ms, &mut fired);
        fired
    }

    /// Register a one-shot watch for `session` on `path` (`WatchManager.addWatch`). Registering
    /// the same watch twice keeps one. The caller decides when: getData and getChildren only
    /// when the node exists, exists always (that is how an exists watch can see NodeCreated).
    pub fn add_watch(&mut self, path: &str, kind: WatchKind, session: SessionId) {
        let table = match kind {
            WatchKind::Data => &mut self.data_watches,
            WatchKind::Child => &mut self.child_watches,
        };
        table.get_or_default(path.to_string()).insert(session);
    }

    /// Drop every watch of `session` on this server (`WatchManager.removeWatcher` when its
    /// connection closes).
    pub fn remove_watches_of(&mut self, session: SessionId) {
        for table in [&mut self.data_watches, &mut self.child_watches] {
            table.retain(|_, sessions| {
                sessions.remove(&session);
                !sessions.is_empty()
            });
        }
    }

    /// `DataTree.getWatchCount` (mntr `zk_watch_count`): data watches plus child watches.
    pub fn watch_count(&self) -> usize {
        self.data_watches.values().chain(self.child_watches.values()).map(SortedSet::len).sum()
    }

    /// Every registered watch as (kind, path, session), data watches first, each table sorted
    /// by path then session (for the UI and `wchp`-style dumps).
    pub fn watches(&self) -> Vec<(WatchKind, String, SessionId)> {
        let mut out = Vec::new();
        for (kind, table) in [(WatchKind::Data, &self.data_watches), (WatchKind::Child, &self.child_watches)] {
            for (path, sessions) in table {
                out.extend(sessions.iter().map(|s| (kind, path.clone(), *s)));
            }
        }
        out
    }

    /// A deterministic 64-bit hash (FNV-1a) of every path, its data (null and empty differ)
    /// and its stored stat, and of the sessions table. Watches and lastProcessedZxid are left
    /// out, so two replicas that applied the same txns agree. Used to compare replicas.
    pub fn digest(&self) -> u64 {
        let mut h = Fnv::new();
        h.u64(self.nodes.len() as u64);
        for (path, node) in &self.nodes {
            h.bytes_with_len(path.as_bytes());
            match &node.data {
                None => h.u8(0),
                Some(d) => {
                    h.u8(1);
                    h.bytes_with_len(d);
                }
            }
            let s = &node.stat;
            for w in [s.czxid.0, s.mzxid.0, s.ctime, s.mtime, s.ephemeral_owner.0, s.pzxid.0] {
                h.u64(w);
            }
            for w in [s.version, s.cversion, s.aversion] {
                h.u64(w as u32 as u64);
            }
            h.u64(node.children.len() as u64);
        }
        h.u64(self.sessions.len() as u64);
        for (session, timeout) in &self.sessions {
            h.u64(session.0);
            h.u64(u64::from(*timeout));
        }
        h.finish()
    }

    /// Check the tree's structural invariants: the root exists; every other node is listed by
    /// its parent and every listed child exists; the ephemerals index lists exactly the nodes
    /// with a non-zero owner; no watch set is empty. `Err` describes the first violation.
    pub fn check_consistency(&self) -> Result<(), String> {
        if !self.nodes.contains_key("/") {
            return Err("the root is missing".to_string());
        }
        let mut owned: SortedMap<SessionId, SortedSet<String>> = SortedMap::new();
        for (path, node) in &self.nodes {
            if path != "/" {
                let Some((parent, name)) = split_path(path) else {
                    return Err(format!("{path:?} is not a child path"));
                };
                let listed = self.get(parent).is_some_and(|p| p.children.contains(name));
                if !listed {
                    return Err(format!("{path} is not listed by its parent {parent:?}"));
                }
            }
            for child in &node.children {
                let child_path = if path == "/" { format!("/{child}") } else { format!("{path}/{child}") };
                if !self.nodes.contains_key(&child_path) {
                    return Err(format!("{path} lists missing child {child:?}"));
                }
            }
            if node.stat.ephemeral_owner != SessionId(0) {
                owned.get_or_default(node.stat.ephemeral_owner).insert(path.clone());
            }
        }
        if owned != self.ephemerals {
            return Err(format!("ephemerals index {:?} != owners {:?}", self.ephemerals, owned));
        }
        let empty_watch_set = self.data_watches.values().chain(self.child_watches.values()).any(SortedSet::is_empty);
        if empty_watch_set {
            return Err("empty watch set".to_string());
        }
        Ok(())
    }

    // ----- internals -------------------------------------------------------------------------

    fn get(&self, path: &str) -> Option<&DataNode> {
        self.nodes.get(node_key(path))
    }

    fn get_mut(&mut self, path: &str) -> Option<&mut DataNode> {
        self.nodes.get_mut(node_key(path))
    }

    /// `DataTree.addConfigNode`.
    fn add_config_node(&mut self) {
        if let Some(proc_node) = self.nodes.get_mut("/zookeeper") {
            proc_node.children.insert("config".to_string());
            let stat = StatPersisted { aversion: -1, ..StatPersisted::default() };
            self.nodes.insert(CONFIG_NODE.to_string(), DataNode::new(Some(Data::from(Vec::new())), stat));
        }
    }

    /// One create/delete/setData/check, top-level or inside a multi. Other bodies are not ops.
    fn apply_op(&mut self, body: &TxnBody, zxid: Zxid, time: u64, fired: &mut Vec<WatchFired>) -> Result<Applied, ErrCode> {
        match body {
            TxnBody::Create { path, data, ephemeral_owner, parent_cversion } => {
                match self.create_node(path, data.clone(), *ephemeral_owner, *parent_cversion, zxid, time, fired) {
                    Ok(()) => Ok(Applied::Created(path.clone())),
                    Err(ErrCode::NodeExists) => {
                        // processTxn: a create that fails with NodeExists (fuzzy snapshot replay)
                        // still brings the parent's cversion/pzxid up to date.
                        let parent = path.rfind('/').map_or("", |i| &path[..i]);
                        self.set_cversion_pzxid(parent, *parent_cversion, zxid)?;
                        Err(ErrCode::NodeExists)
                    }
                    Err(code) => Err(code),
                }
            }
            TxnBody::Delete { path } => self.delete_node(path, zxid, fired).map(|()| Applied::Deleted),
            TxnBody::SetData { path, data, version } => {
                self.set_data(path, data.clone(), *version, zxid, time, fired).map(Applied::SetData)
            }
            // processTxn only records the path: the leader already checked the version.
            TxnBody::Check { .. } => Ok(Applied::Checked),
            TxnBody::Error(code) => Err(*code),
            TxnBody::CreateSession { .. } | TxnBody::CloseSession | TxnBody::Multi(_) => Err(ErrCode::BadArguments),
        }
    }

    /// The `OpCode.multi` branch of `processTxn`.
    fn apply_multi(&mut self, bodies: &[TxnBody], zxid: Zxid, time: u64, fired: &mut Vec<WatchFired>) -> Vec<WriteResult> {
        let failed = bodies.iter().any(|b| matches!(b, TxnBody::Error(_)));
        let mut post_failed = false;
        let mut results = Vec::with_capacity(bodies.len());
        for body in bodies {
            match body {
                TxnBody::Error(code) => {
                    post_failed = true;
                    results.push(WriteResult::Error(*code));
                }
                TxnBody::Create { .. } | TxnBody::Delete { .. } | TxnBody::SetData { .. } | TxnBody::Check { .. } => {
                    if failed {
                        // A failed multi is applied as errors only: ErrorTxn(OK) before the
                        // failing op, ErrorTxn(RUNTIMEINCONSISTENCY) after it.
                        results.push(if post_failed { WriteResult::Error(ErrCode::RuntimeInconsistency) } else { ROLLED_BACK_OK });
                    } else {
                        results.push(match self.apply_op(body, zxid, time, fired) {
                            Ok(applied) => applied.into_write_result(),
                            Err(code) => WriteResult::Error(code),
                        });
                    }
                }
                // Upstream throws IOException("Invalid type of op"), caught outside the loop:
                // the ops before it stay applied and the rest are skipped.
                TxnBody::CreateSession { .. } | TxnBody::CloseSession | TxnBody::Multi(_) => break,
            }
        }
        results
    }

    /// `DataTree.createNode`.
    #[allow(clippy::too_many_arguments)]
    fn create_node(
        &mut self,
        path: &str,
        data: Option<Data>,
        ephemeral_owner: SessionId,
        parent_cversion: i32,
        zxid: Zxid,
        time: u64,
        fired: &mut Vec<WatchFired>,
    ) -> Result<(), ErrCode> {
        let (parent_name, child_name) = addressable(path)?;
        let parent = self.nodes.get_mut(node_key(parent_name)).ok_or(ErrCode::NoNode)?;
        if parent.children.contains(child_name) {
            return Err(ErrCode::NodeExists);
        }
        let new_cversion = if parent_cversion == -1 { parent.stat.cversion.wrapping_add(1) } else { parent_cversion };
        // 3.5.9 sets both unconditionally (3.6+ only when the cversion grows).
        parent.stat.cversion = new_cversion;
        parent.stat.pzxid = zxid;
        parent.children.insert(child_name.to_string());
        let stat = StatPersisted {
            czxid: zxid,
            mzxid: zxid,
            ctime: time,
            mtime: time,
            version: 0,
            cversion: 0,
            aversion: 0,
            ephemeral_owner,
            pzxid: zxid,
        };
        self.nodes.insert(path.to_string(), DataNode::new(data, stat));
        if ephemeral_owner != SessionId(0) {
            self.ephemerals.get_or_default(ephemeral_owner).insert(path.to_string());
        }
        trigger(&mut self.data_watches, path, EventType::NodeCreated, None, fired);
        trigger(&mut self.child_watches, watch_path(parent_name), EventType::NodeChildrenChanged, None, fired);
        Ok(())
    }

    /// `DataTree.deleteNode`.
    fn delete_node(&mut self, path: &str, zxid: Zxid, fired: &mut Vec<WatchFired>) -> Result<(), ErrCode> {
        let (parent_name, child_name) = addressable(path)?;
        if !self.nodes.contains_key(node_key(parent_name)) {
            return Err(ErrCode::NoNode);
        }
        // Not in upstream (the leader guarantees it): never leave orphans behind.
        if self.nodes.get(path).is_some_and(|n| !n.children.is_empty()) {
            return Err(ErrCode::NotEmpty);
        }
        if let Some(parent) = self.nodes.get_mut(node_key(parent_name)) {
            parent.children.remove(child_name);
            // Only move pzxid forward, so a replayed delete cannot undo a later create's pzxid.
            // This happens even when the child turns out to be missing (fuzzy snapshot replay).
            if zxid > parent.stat.pzxid {
                parent.stat.pzxid = zxid;
            }
        }
        let node = self.nodes.remove(path).ok_or(ErrCode::NoNode)?;
        let owner = node.stat.ephemeral_owner;
        if owner != SessionId(0) {
            if let Some(set) = self.ephemerals.get_mut(&owner) {
                set.remove(path);
                if set.is_empty() {
                    self.ephemerals.remove(&owner);
                }
            }
        }
        let processed = trigger(&mut self.data_watches, path, EventType::NodeDeleted, None, fired);
        trigger(&mut self.child_watches, path, EventType::NodeDeleted, processed.as_ref(), fired);
        trigger(&mut self.child_watches, watch_path(parent_name), EventType::NodeChildrenChanged, None, fired);
        Ok(())
    }

    /// `DataTree.setData`: returns the new Stat.
    fn set_data(
        &mut self,
        path: &str,
        data: Option<Data>,
        version: i32,
        zxid: Zxid,
        time: u64,
        fired: &mut Vec<WatchFired>,
    ) -> Result<Stat, ErrCode> {
        let node = self.get_mut(path).ok_or(ErrCode::NoNode)?;
        node.data = data;
        node.stat.mtime = time;
        node.stat.mzxid = zxid;
        node.stat.version = version;
        let stat = node.copy_stat();
        trigger(&mut self.data_watches, path, EventType::NodeDataChanged, None, fired);
        Ok(stat)
    }

    /// `DataTree.setCversionPzxid`: raise a node's cversion (and set pzxid) if `new_cversion` is
    /// higher; -1 means current + 1. A trailing "/" is ignored.
    fn set_cversion_pzxid(&mut self, path: &str, new_cversion: i32, zxid: Zxid) -> Result<(), ErrCode> {
        let path = path.strip_suffix('/').unwrap_or(path);
        let node = self.get_mut(path).ok_or(ErrCode::NoNode)?;
        let new_cversion = if new_cversion == -1 { node.stat.cversion.wrapping_add(1) } else { new_cversion };
        if new_cversion > node.stat.cversion {
            node.stat.cversion = new_cversion;
            node.stat.pzxid = zxid;
        }
        Ok(())
    }

    /// `DataTree.killSession`: delete every ephemeral of the session, all with the same zxid.
    /// A missing node is skipped (upstream logs "Ignoring NoNodeException").
    fn kill_session(&mut self, session: SessionId, zxid: Zxid, fired: &mut Vec<WatchFired>) {
        if let Some(paths) = self.ephemerals.remove(&session) {
            for path in paths {
                if self.delete_node(&path, zxid, fired).is_err() && self.nodes.contains_key(&path) {
                    // Only a node with children (created by a txn the leader would never have
                    // prepared) survives; keep the index truthful.
                    self.ephemerals.get_or_default(session).insert(path);
                }
            }
        }
    }
}

/// The node map key: upstream stores the root under both "" and "/".
fn node_key(path: &str) -> &str {
    if path.is_empty() {
        "/"
    } else {
        path
    }
}

/// The path child watches of a parent are registered under ("" is the root, "/").
fn watch_path(parent_name: &str) -> &str {
    node_key(parent_name)
}

/// (parent, child name) of a path a create or delete txn may name: a valid path
/// (`PathUtils.validatePath`) other than the root. Nodes only exist at such paths.
fn addressable(path: &str) -> Result<(&str, &str), ErrCode> {
    if validate_path(path).is_err() {
        return Err(ErrCode::BadArguments);
    }
    split_path(path).ok_or(ErrCode::BadArguments)
}

/// Split at the last '/' into (parent, child name). `None` when the DataTree cannot address the
/// path as a child: no '/' at all (upstream: StringIndexOutOfBoundsException) or an empty last
/// name such as "/" or "/a/" (upstream would corrupt its node map).
fn split_path(path: &str) -> Option<(&str, &str)> {
    let i = path.rfind('/')?;
    let (parent, child) = (&path[..i], &path[i + 1..]);
    if child.is_empty() {
        None
    } else {
        Some((parent, child))
    }
}

/// `WatchManager.triggerWatch`: remove the watch set of `path` (watches are one-shot) and notify
/// every session in it except those in `suppress`. Returns the removed set, if there was one.
fn trigger(
    table: &mut SortedMap<String, SortedSet<SessionId>>,
    path: &str,
    event: EventType,
    suppress: Option<&SortedSet<SessionId>>,
    fired: &mut Vec<WatchFired>,
) -> Option<SortedSet<SessionId>> {
    if table.is_empty() {
        return None;
    }
    let sessions = table.remove(path)?;
    for session in &sessions {
        if suppress.is_some_and(|s| s.contains(session)) {
            continue;
        }
        fired.push(WatchFired { session: *session, event, path: path.to_string() });
    }
    Some(sessions)
}

fn clamp_i32(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// 64-bit FNV-1a: tiny, fixed and platform independent.
struct Fnv(u64);

impl Fnv {
    fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
    fn u8(&mut self, b: u8) {
        self.0 ^= u64::from(b);
        self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
    }
    fn u64(&mut self, w: u64) {
        for b in w.to_le_bytes() {
            self.u8(b);
        }
    }
    fn bytes_with_len(&mut self, bytes: &[u8]) {
        self.u64(bytes.len() as u64);
        for b in bytes {
            self.u8(*b);
        }
    }
    fn finish(&self) -> u64 {
        self.0
    }
}
