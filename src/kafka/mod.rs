//! Kafka 2.8 in ZooKeeper mode: brokers (`broker/`) hosting the controller component
//! (`controller/`), what they exchange with the world (`io.rs`, `config.rs`, `zk_ops.rs`),
//! the command-line tools (`cli/`: their options, output and processes on the simulated
//! network), and the pure parts they use: replica assignment (`AdminUtils`), the JSON Kafka
//! writes into ZooKeeper (`ZkData`), the protocol messages (`msg.rs`) and the per-partition map
//! brokers keep (`partmap.rs`).
pub mod assign;
pub mod broker;
pub mod cli;
pub mod config;
pub mod controller;
pub mod io;
pub mod json;
mod json_value;
pub mod msg;
pub mod partmap;
pub mod types;
pub mod zk_ops;
