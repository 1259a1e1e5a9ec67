package io.wagateway.gateway;

import io.wagateway.fanout.Audience;
import io.wagateway.fanout.DurableEvent;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which durable events a connection gets, live and on resume, from the rooms it joined. */
class SessionRoomsTest {

    private static final UUID CONVERSATION = UUID.randomUUID();
    private static final UUID CUSTOMER = UUID.randomUUID();

    private static DurableEvent event(String tenant, Audience audience, String user) {
        return new DurableEvent(tenant, 1, "e", audience, CONVERSATION, CUSTOMER, user, "{}");
    }

    @Test
    void aConnectionInNoRoomGetsOnlyTenantEventsAndWhatIsAddressedToItsUser() {
        SessionRooms none = new SessionRooms();
        assertTrue(none.entitle(event("t", Audience.TENANT, null), "t", "alice"));
        assertTrue(none.entitle(event("t", Audience.USER, "alice"), "t", "alice"));
        assertTrue(none.entitle(event("t", Audience.MESSAGE, "alice"), "t", "alice"), "the assignee gets its messages");
        assertFalse(none.entitle(event("t", Audience.USER, "bob"), "t", "alice"));
        assertFalse(none.entitle(event("t", Audience.MESSAGE, "bob"), "t", "alice"));
        assertFalse(none.entitle(event("t", Audience.CONVERSATION_ROOM, null), "t", "alice"));
    }

    @Test
    void eachRoomOpensWhatItShould() {
        SessionRooms conversation = new SessionRooms();
        conversation.joinConversation(CONVERSATION);
        assertTrue(conversation.entitle(event("t", Audience.MESSAGE, null), "t", "alice"));
        assertTrue(conversation.entitle(event("t", Audience.CONVERSATION_ROOM, null), "t", "alice"));

        SessionRooms customer = new SessionRooms();
        customer.joinCustomer(CUSTOMER);
        assertTrue(customer.entitle(event("t", Audience.MESSAGE, null), "t", "alice"));
        assertFalse(customer.entitle(event("t", Audience.CONVERSATION_ROOM, null), "t", "alice"),
                "read receipts are for the conversation room only");

        SessionRooms general = new SessionRooms();
        general.joinGeneral();
        assertTrue(general.entitle(event("t", Audience.MESSAGE, null), "t", "alice"));
        assertFalse(general.entitle(event("t", Audience.CONVERSATION_ROOM, null), "t", "alice"));

        assertTrue(conversation.leaveConversation(CONVERSATION));
        assertFalse(conversation.leaveConversation(CONVERSATION));
        assertFalse(conversation.entitle(event("t", Audience.MESSAGE, null), "t", "alice"));
    }

    @Test
    void anotherTenantsEventsNeverWhateverTheRooms() {
        SessionRooms all = new SessionRooms();
        all.joinGeneral();
        all.joinConversation(CONVERSATION);
        all.joinCustomer(CUSTOMER);
        for (Audience audience : Audience.values()) {
            assertFalse(all.entitle(event("other", audience, "alice"), "t", "alice"), audience.name());
        }
    }
}
