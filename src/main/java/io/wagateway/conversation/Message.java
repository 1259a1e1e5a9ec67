package io.wagateway.conversation;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/** A WhatsApp message, inbound or outbound. */
@Entity
@Table(name = "message")
public class Message extends PanacheEntityBase {

    @Id
    public UUID id;

    @Column(name = "tenant_id", nullable = false)
    public String tenantId;

    @Column(name = "conversation_id", nullable = false)
    public UUID conversationId;

    /** Insertion order, assigned by the database; breaks ties between equal timestamps. */
    @Column(insertable = false, updatable = false)
    public Long pos;

    public String direction;

    public String type;

    public String content;

    @JdbcTypeCode(SqlTypes.JSON)
    public Map<String, Object> media;

    @JdbcTypeCode(SqlTypes.JSON)
    public Map<String, Object> template;

    @JdbcTypeCode(SqlTypes.JSON)
    public Map<String, Object> reaction;

    @JdbcTypeCode(SqlTypes.JSON)
    public Map<String, Object> location;

    @JdbcTypeCode(SqlTypes.JSON)
    public Map<String, Object> extra;

    @Column(name = "reply_to")
    public String replyTo;

    @Column(name = "wa_message_id")
    public String waMessageId;

    @Column(name = "client_message_id")
    public String clientMessageId;

    public String status;

    @Column(name = "status_at")
    public Instant statusAt;

    @JdbcTypeCode(SqlTypes.JSON)
    public Map<String, Object> error;

    @Column(name = "sent_by")
    public String sentBy;

    /** The message's time: Meta's timestamp for inbound, creation time for outbound. */
    @Column(name = "ts", nullable = false)
    public Instant timestamp;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    public boolean isInbound() {
        return "inbound".equals(direction);
    }
}
