package io.wagateway.support;

import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;

import java.net.URI;

/** Makes {@link TestTenant}s: inject it, and call {@link #fresh} with the test's {@code @TestHTTPResource("/")}. */
@ApplicationScoped
public class Tenants {

    private final Seeder seeder;
    private final Vertx vertx;

    public Tenants(Seeder seeder, Vertx vertx) {
        this.seeder = seeder;
        this.vertx = vertx;
    }

    public TestTenant fresh(URI base) {
        String id = Seeder.tenant();
        return new TestTenant(id, seeder.phoneNumber(id), base, vertx, seeder);
    }
}
