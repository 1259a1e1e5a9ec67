package io.wagateway.fanout;

/** Who may receive a durable event (PROTOCOL.md, "Server -> client events"). */
public enum Audience {
    /** new_message, message_status_update: conversation room, customer room, general room, assignee. */
    MESSAGE,
    /** message_read_receipt: the conversation room. */
    CONVERSATION_ROOM,
    /** conversation_updated: every connection of the tenant. */
    TENANT,
    /** chat_assigned: the connections of one user. */
    USER
}
