package io.wagateway.conversation;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.UUID;

/** A customer of a tenant, identified by their WhatsApp id. */
@Entity
@Table(name = "contact")
public class Contact extends PanacheEntityBase {

    @Id
    public UUID id;

    @Column(name = "tenant_id", nullable = false)
    public String tenantId;

    /** Digits only. */
    @Column(name = "wa_id", nullable = false)
    public String waId;

    public String name;

    /** Maintained by the database: lower(coalesce(name, wa_id)). */
    @Column(name = "sort_name", insertable = false, updatable = false)
    public String sortName;

    @Column(name = "last_message_at")
    public Instant lastMessageAt;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;
}
