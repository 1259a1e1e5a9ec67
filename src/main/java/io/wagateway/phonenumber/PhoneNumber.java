package io.wagateway.phonenumber;

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

/** A WhatsApp business number of a tenant. */
@Entity
@Table(name = "phone_number")
public class PhoneNumber extends PanacheEntityBase {

    @Id
    public UUID id;

    @Column(name = "tenant_id", nullable = false)
    public String tenantId;

    /** Meta's phone-number-id: the sender of every Graph API call, {@code metadata.phone_number_id} in webhooks. */
    @Column(name = "phone_number_id", nullable = false, unique = true)
    public String phoneNumberId;

    @Column(name = "waba_id")
    public String wabaId;

    /** Digits only. */
    @Column(name = "display_phone_number", nullable = false)
    public String displayPhoneNumber;

    @Column(name = "verified_name")
    public String verifiedName;

    /** Write-only: never returned by the API, never logged (see {@link #toString()}). */
    @Column(name = "access_token")
    public String accessToken;

    @Column(name = "quality_rating")
    public String qualityRating;

    public String status;

    @JdbcTypeCode(SqlTypes.JSON)
    public Map<String, Object> connection;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "qr_code")
    public Map<String, Object> qrCode;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    @Override
    public String toString() {
        return "PhoneNumber[" + phoneNumberId + " of " + tenantId + "]";
    }
}
