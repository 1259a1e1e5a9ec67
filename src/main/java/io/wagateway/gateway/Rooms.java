package io.wagateway.gateway;

import java.util.UUID;

/** Room names as the protocol reports them in join answers (sessions keep the ids themselves). */
public final class Rooms {

    public static final String GENERAL = "whatsapp:general";

    private Rooms() {
    }

    public static String conversation(UUID id) {
        return "conversation:" + id;
    }

    public static String customer(UUID id) {
        return "whatsapp:customer:" + id;
    }
}
