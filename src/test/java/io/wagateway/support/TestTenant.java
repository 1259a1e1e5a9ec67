package io.wagateway.support;

import io.vertx.core.Vertx;
import io.wagateway.conversation.InboundMessageService;
import io.wagateway.phonenumber.PhoneNumber;

import java.net.URI;
import java.time.Instant;

/**
 * A fresh tenant with one WhatsApp number, seen from its users' browsers: the shared set-up of
 * the end-to-end tests ({@link Tenants#fresh}). No test sees another's tenant.
 */
public record TestTenant(String id, PhoneNumber number, URI base, Vertx vertx, Seeder seeder) {

    public WsClient agent(String user) {
        return WsClient.connect(vertx, base, TestTokens.agent(id, user));
    }

    public WsClient supervisor(String user) {
        return WsClient.connect(vertx, base, TestTokens.supervisor(id, user));
    }

    /** A customer's text message to the tenant's number, stored as the webhook path stores it. */
    public InboundMessageService.Result inbound(String from, String name, String text, Instant at) {
        return seeder.inbound(number, from, name, text, at);
    }
}
