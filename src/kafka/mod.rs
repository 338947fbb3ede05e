//! Kafka 2.8 in ZooKeeper mode. This build carries the pure parts the brokers will use: replica
//! assignment (`AdminUtils`), the JSON Kafka writes into ZooKeeper (`ZkData`), and the command-line
//! parsing and output of `kafka-topics` and friends (`TopicCommand`). Brokers come with the Kafka
//! issue.
pub mod assign;
pub mod json;
pub mod topics_cmd;
pub mod types;
