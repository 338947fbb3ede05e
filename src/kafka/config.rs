//! A broker's configuration: the `server.properties` keys the model reads, with Kafka 2.8's
//! defaults (`kafka/server/KafkaConfig.scala`, `Defaults`), and where the other nodes are.

use crate::sim::NodeId;
use crate::sorted::SortedMap;

use super::types::BrokerId;

/// Broker configuration (`server.properties` + `KafkaConfig` defaults) and the addresses of the
/// other nodes.
#[derive(Clone, Debug)]
pub struct KafkaConfig {
    /// `zookeeper.connect`, resolved to the ensemble's nodes.
    pub zk_servers: Vec<NodeId>,
    /// `zookeeper.session.timeout.ms` (18000).
    pub session_timeout_ms: u32,
    /// `replica.lag.time.max.ms` (30000).
    pub replica_lag_ms: u64,
    /// `replica.fetch.wait.max.ms` (500).
    pub fetch_wait_ms: u64,
    /// `replica.fetch.backoff.ms` (1000).
    pub fetch_backoff_ms: u64,
    /// `unclean.leader.election.enable` (false).
    pub unclean: bool,
    /// `auto.leader.rebalance.enable` (true).
    pub auto_rebalance: bool,
    /// `leader.imbalance.check.interval.seconds` (300).
    pub imbalance_interval_s: u64,
    /// `leader.imbalance.per.broker.percentage` (10).
    pub imbalance_pct: u32,
    /// `min.insync.replicas` (1).
    pub min_isr: i32,
    /// `controlled.shutdown.enable` (true).
    pub controlled_shutdown: bool,
    /// `controlled.shutdown.max.retries` (3).
    pub shutdown_retries: u32,
    /// `controlled.shutdown.retry.backoff.ms` (5000).
    pub shutdown_backoff_ms: u64,
    /// Broker id → node, and the first client port (9092).
    pub brokers: SortedMap<BrokerId, NodeId>,
    pub base_port: u16,
}

impl KafkaConfig {
    /// Kafka 2.8's defaults for brokers `1..=n` on `nodes`.
    pub fn defaults(zk_servers: Vec<NodeId>, nodes: &[NodeId]) -> KafkaConfig {
        KafkaConfig {
            zk_servers,
            session_timeout_ms: 18_000,
            replica_lag_ms: 30_000,
            fetch_wait_ms: 500,
            fetch_backoff_ms: 1000,
            unclean: false,
            auto_rebalance: true,
            imbalance_interval_s: 300,
            imbalance_pct: 10,
            min_isr: 1,
            controlled_shutdown: true,
            shutdown_retries: 3,
            shutdown_backoff_ms: 5000,
            brokers: nodes.iter().enumerate().map(|(i, n)| (BrokerId(i as i32 + 1), *n)).collect(),
            base_port: 9092,
        }
    }
    pub fn node_of(&self, b: BrokerId) -> Option<NodeId> {
        self.brokers.get(&b).copied()
    }
    pub fn broker_of(&self, n: NodeId) -> Option<BrokerId> {
        self.brokers.iter().find(|(_, v)| **v == n).map(|(k, _)| *k)
    }
    pub fn port_of(&self, b: BrokerId) -> u16 {
        self.base_port + (b.0 as u16).saturating_sub(1)
    }
}
