package io.wagateway.agent;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;
import jakarta.persistence.EmbeddedId;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;

import java.io.Serializable;
import java.time.Instant;

/** An agent of a tenant, known from the JWTs it connects with or created by an admin (PROTOCOL.md 6.8). */
@Entity
@Table(name = "agent")
public class Agent extends PanacheEntityBase {

    @EmbeddedId
    public Key key;

    public String name;

    /** Comma-separated JWT groups from the latest connection. */
    public String roles;

    public String status;

    /** False once an admin deactivated the agent: its connections are closed, its token refused. */
    public boolean active;

    /** An admin named the agent: the name in its tokens does not replace that one. */
    @Column(name = "named_by_admin")
    public boolean namedByAdmin;

    @Column(name = "last_seen_at")
    public Instant lastSeenAt;

    @Column(name = "last_assigned_at")
    public Instant lastAssignedAt;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    @Embeddable
    public record Key(@Column(name = "tenant_id") String tenantId, @Column(name = "id") String id)
            implements Serializable {}
}
