package io.wagateway.config;

import jakarta.enterprise.context.ApplicationScoped;

import java.util.UUID;

/** This process's identity among the replicas: owner of outbox locks, presence rows and doorbells. */
@ApplicationScoped
public class InstanceId {

    private final String value = UUID.randomUUID().toString();

    public String value() {
        return value;
    }
}
