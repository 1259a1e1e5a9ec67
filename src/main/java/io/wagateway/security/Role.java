package io.wagateway.security;

/** The JWT {@code groups} the service knows. */
public enum Role {
    agent, supervisor, admin;

    public static final String AGENT = "agent";
    public static final String SUPERVISOR = "supervisor";
    public static final String ADMIN = "admin";
}
