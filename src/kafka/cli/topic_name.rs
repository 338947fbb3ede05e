//! Topic name rules: what `kafka-topics --create` and the controller accept as a topic name,
//! which names may collide in metric names, which topics are internal.
//!
//! Follows Kafka 2.8.2's `clients/src/main/java/org/apache/kafka/common/internals/Topic.java`
//! (`validate`, `hasCollisionChars`, `isInternal`).
//!
//! Simplified: nothing; `Topic.validate`'s messages are reproduced exactly.

/// `Topic.validate`: the `InvalidTopicException` message for an illegal name.
pub fn validate_topic_name(topic: &str) -> Result<(), String> {
    if topic.is_empty() {
        return Err("Topic name is illegal, it can't be empty".to_string());
    }
    if topic == "." || topic == ".." {
        return Err("Topic name cannot be \".\" or \"..\"".to_string());
    }
    if topic.encode_utf16().count() > 249 {
        return Err(format!("Topic name is illegal, it can't be longer than 249 characters, topic name: {topic}"));
    }
    if !topic.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_' || c == '-') {
        return Err(format!("Topic name \"{topic}\" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'"));
    }
    Ok(())
}

/// `Topic.hasCollisionChars`: the name contains `.` or `_`.
pub fn has_collision_chars(topic: &str) -> bool {
    topic.contains('.') || topic.contains('_')
}

/// `Topic.isInternal`: `__consumer_offsets` and `__transaction_state`.
pub fn is_internal_topic(topic: &str) -> bool {
    topic == "__consumer_offsets" || topic == "__transaction_state"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topic_names_are_validated_with_kafkas_texts() {
        assert_eq!(validate_topic_name(""), Err("Topic name is illegal, it can't be empty".into()));
        assert_eq!(validate_topic_name("."), Err("Topic name cannot be \".\" or \"..\"".into()));
        assert_eq!(validate_topic_name(".."), Err("Topic name cannot be \".\" or \"..\"".into()));
        assert_eq!(
            validate_topic_name("a b"),
            Err("Topic name \"a b\" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'".into())
        );
        let long = "a".repeat(250);
        assert_eq!(
            validate_topic_name(&long),
            Err(format!("Topic name is illegal, it can't be longer than 249 characters, topic name: {long}"))
        );
        assert_eq!(validate_topic_name(&"a".repeat(249)), Ok(()));
        assert_eq!(validate_topic_name("My.topic_1-x"), Ok(()));
        assert!(validate_topic_name("tést").is_err());
    }

    #[test]
    fn internal_topics_are_the_two_double_underscore_ones() {
        assert!(is_internal_topic("__consumer_offsets") && is_internal_topic("__transaction_state"));
        assert!(!is_internal_topic("test") && !is_internal_topic("__other"));
        assert!(has_collision_chars("a.b") && has_collision_chars("a_b") && !has_collision_chars("a-b"));
    }
}
