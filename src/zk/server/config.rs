//! The ensemble configuration every server shares (`zookeeperN.properties`: `server.N` lines,
//! tickTime, initLimit, syncLimit, session timeout bounds, snapCount, the 4lw whitelist).
//!
//! Follows `QuorumPeerConfig.java` (`parse`, `server.N=host:quorumPort:electionPort`, the
//! defaults of `minSessionTimeout`/`maxSessionTimeout`) and `QuorumMaj.java` (`containsQuorum`).
//!
//! Simplified: every server runs on localhost; no observers, no dynamic config file.

use crate::sim::time::Duration;
use crate::sim::NodeId;

use crate::zk::types::Sid;

/// One `server.N=host:quorumPort:electionPort` line plus the server's client port.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ServerAddr {
    pub sid: Sid,
    pub node: NodeId,
    pub client_port: u16,
    pub quorum_port: u16,
    pub election_port: u16,
}

/// The ensemble configuration every server shares (`zookeeperN.properties`).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ZkConfig {
    pub servers: Vec<ServerAddr>,
    pub tick_ms: u64,
    pub init_limit: u64,
    pub sync_limit: u64,
    /// `minSessionTimeout` (default 2 × tickTime).
    pub min_session_timeout_ms: u32,
    /// `maxSessionTimeout` (default 20 × tickTime).
    pub max_session_timeout_ms: u32,
    /// `snapCount`: a snapshot is taken after about this many transactions.
    pub snap_count: usize,
    /// `4lw.commands.whitelist`: `None` = `*`.
    pub four_letter_whitelist: Option<Vec<String>>,
}

impl ZkConfig {
    /// The seed's configuration for `n` servers: client ports 2181.., `server.1=localhost:2888:3888`,
    /// `server.2=localhost:2889:3889`, `server.3=localhost:2887:3887`, then 2890:3890 and up;
    /// tickTime 2000, initLimit 5, syncLimit 2.
    pub fn seed(nodes: &[NodeId]) -> ZkConfig {
        let servers = nodes
            .iter()
            .enumerate()
            .map(|(i, &node)| {
                let (q, e) = match i {
                    0 => (2888, 3888),
                    1 => (2889, 3889),
                    2 => (2887, 3887),
                    k => (2887 + k as u16, 3887 + k as u16),
                };
                ServerAddr { sid: Sid(i as u64 + 1), node, client_port: 2181 + i as u16, quorum_port: q, election_port: e }
            })
            .collect();
        ZkConfig {
            servers,
            tick_ms: 2000,
            init_limit: 5,
            sync_limit: 2,
            min_session_timeout_ms: 4000,
            max_session_timeout_ms: 40_000,
            snap_count: 100_000,
            four_letter_whitelist: None,
        }
    }
    pub fn tick(&self) -> Duration {
        Duration::from_millis(self.tick_ms)
    }
    /// Whether this ensemble runs as a single standalone server (one `server.N` line).
    pub fn standalone(&self) -> bool {
        self.servers.len() == 1
    }
    /// Strict majority of the voters (`QuorumMaj`).
    pub fn is_quorum(&self, n: usize) -> bool {
        n * 2 > self.servers.len()
    }
    pub fn addr_of(&self, sid: Sid) -> Option<&ServerAddr> {
        self.servers.iter().find(|s| s.sid == sid)
    }
    pub fn sid_of(&self, node: NodeId) -> Option<Sid> {
        self.servers.iter().find(|s| s.node == node).map(|s| s.sid)
    }
    /// The server listening on `port` as its client port.
    pub fn by_client_port(&self, port: u16) -> Option<&ServerAddr> {
        self.servers.iter().find(|s| s.client_port == port)
    }
}
