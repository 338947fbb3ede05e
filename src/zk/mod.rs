//! ZooKeeper 3.5.9, as bundled with Kafka 2.8: servers, the client library and the tools.
pub mod cli_format;
pub mod client;
pub mod client_io;
pub mod load;
pub mod msg;
pub mod prep;
pub mod server;
pub mod shell;
pub mod tree;
pub mod types;
