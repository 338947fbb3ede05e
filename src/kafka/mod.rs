//! Kafka 2.8 in ZooKeeper mode: brokers (`broker.rs`) with their controller (`controller.rs`),
//! the command-line tools as processes on the simulated network (`tools.rs`), and the pure parts
//! they use: replica assignment (`AdminUtils`), the JSON Kafka writes into ZooKeeper (`ZkData`),
//! the protocol messages (`msg.rs`), the per-partition map brokers keep (`partmap.rs`), and
//! the command-line parsing and output of `kafka-topics` and friends (`TopicCommand`).
pub mod assign;
pub mod broker;
pub mod controller;
pub mod json;
mod json_value;
pub mod msg;
pub mod partmap;
pub mod tools;
pub mod topics_cmd;
pub mod types;
