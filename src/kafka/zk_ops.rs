//! Small helpers for the ZooKeeper requests and answers of brokers, the controller and the
//! tools (what `KafkaZkClient` wraps around `ZooKeeperClient` upstream): building a create, and
//! reading a multi's first error, a znode's data or a sorted child list out of an answer.

use crate::zk::types::{CreateMode, Data, ErrCode, Op, Reply, Stat, WriteOp, WriteResult};

/// A `create` of `path` with `data` (UTF-8) in `mode`.
pub fn create(path: &str, data: Option<&str>, mode: CreateMode) -> Op {
    Op::Write(WriteOp::Create { path: path.to_string(), data: data.and_then(bytes), mode })
}

/// The first failed operation of a multi (or the error of a single request): its index and code.
pub fn multi_error(r: &Result<Reply, ErrCode>) -> Option<(usize, ErrCode)> {
    match r {
        Err(e) => Some((0, *e)),
        Ok(Reply::Error(e)) => Some((0, *e)),
        Ok(Reply::Multi(v)) => {
            for (i, w) in v.iter().enumerate() {
                if let WriteResult::Error(e) = w {
                    if *e != ErrCode::Ok && *e != ErrCode::RuntimeInconsistency {
                        return Some((i, *e));
                    }
                }
            }
            None
        }
        Ok(_) => None,
    }
}

/// A `getData` answer: the data as text and the Stat.
pub fn data_of(r: &Result<Reply, ErrCode>) -> Option<(String, Stat)> {
    match r {
        Ok(Reply::Data { data, stat }) => Some((data.as_ref().map(|d| String::from_utf8_lossy(d).into_owned()).unwrap_or_default(), *stat)),
        _ => None,
    }
}

/// A `getChildren` answer, sorted.
pub fn children_of(r: &Result<Reply, ErrCode>) -> Option<Vec<String>> {
    match r {
        Ok(Reply::Children { children, .. }) => {
            let mut c = children.clone();
            crate::sorted::sort(&mut c);
            Some(c)
        }
        _ => None,
    }
}

/// Znode data from text.
pub fn bytes(s: &str) -> Option<Data> {
    Some(s.as_bytes().into())
}
