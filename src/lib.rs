//! # zkafka-sandbox
//!
//! A ZooKeeper 3.5.9 ensemble and Kafka 2.8 brokers (ZooKeeper mode) simulated deterministically
//! on a virtual clock and a simulated network, for teaching. Tour:
//!
//! - [`sim`]: the discrete-event core (clock, event queue, seeded PRNG, bus, faults, trace).
//! - [`zk`]: ZooKeeper servers (FastLeaderElection, ZAB, the data tree, sessions, watches) and
//!   the client library used by tools and brokers.
//! - [`terminal`]: the command language shared by scripts, the native runner and the browser.
//! - [`cluster`]: the world of processes the terminal drives.
//! - [`lesson`]: the conditions lesson steps wait for, evaluated over the simulation state.
//! - [`pictures`]: the facts behind the page's pictures (votes, LEO/HW bars, controller, sessions).
//! - [`check`]: named safety invariants, checked after every event in tests (native builds
//!   only: the browser module never turns the checker on, so it leaves it out).

#[cfg(not(target_arch = "wasm32"))]
pub mod alloc;
pub mod bench;
#[cfg(not(target_arch = "wasm32"))]
pub mod check;
pub mod cluster;
pub mod fault;
pub mod highlight;
pub mod json_out;
pub mod kafka;
pub mod lesson;
pub mod pictures;
pub mod sim;
pub mod sorted;
#[cfg(not(target_arch = "wasm32"))]
pub mod swarm;
pub mod terminal;
pub mod timetravel;
pub mod view;
pub mod vocab;
#[cfg(target_arch = "wasm32")]
pub mod wasm;
#[cfg(target_arch = "wasm32")]
pub mod wasm_alloc;
pub mod zk;
