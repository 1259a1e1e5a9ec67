package io.wagateway.fanout;

import io.wagateway.protocol.ServerEvent;
import io.wagateway.protocol.Views;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Every durable event's audience, from PROTOCOL.md's table, with both conversation-updates settings. */
class AudiencesTest {

    private static final UUID CONVERSATION = UUID.randomUUID();
    private static final UUID CONTACT = UUID.randomUUID();

    private final Audiences rooms = new Audiences(true);
    private final Audiences tenant = new Audiences(false);

    @Test
    void conversationUpdatesGoWhereNewMessagesGoUnlessTheTenantSettingIsChosen() {
        ServerEvent updated = new ServerEvent.ConversationUpdated(null);
        NewEvent toRooms = rooms.address(updated, CONVERSATION, CONTACT, "bob");
        assertEquals(Audience.MESSAGE, toRooms.audience());
        assertEquals(CONVERSATION, toRooms.conversationId());
        assertEquals("bob", toRooms.userId());

        NewEvent toTenant = tenant.address(updated, CONVERSATION, CONTACT, "bob");
        assertEquals(Audience.TENANT, toTenant.audience());
        assertNull(toTenant.conversationId());
        assertNull(toTenant.userId());
        assertEquals("conversation_updated", toTenant.name());
    }

    @Test
    void theOtherEventsHaveOneAudienceWhateverTheSetting() {
        for (Audiences audiences : new Audiences[] {rooms, tenant}) {
            assertEquals(Audience.MESSAGE, audiences.address(new ServerEvent.NewMessage(null), CONVERSATION, CONTACT,
                    null).audience());
            assertEquals(Audience.MESSAGE, audiences.address(new ServerEvent.MessageStatusUpdate("m", "w", "c", "read",
                    Instant.now(), null), CONVERSATION, CONTACT, null).audience());
            assertEquals(Audience.CONVERSATION_ROOM, audiences.address(new ServerEvent.MessageReadReceipt("m", "c",
                    "alice", Instant.now()), CONVERSATION, CONTACT, null).audience());
            NewEvent assigned = audiences.address(new ServerEvent.ChatAssigned("c", new Views.ContactRef("k", "1", "n"),
                    "boss", Instant.now()), CONVERSATION, CONTACT, "bob");
            assertEquals(Audience.USER, assigned.audience());
            assertEquals("bob", assigned.userId());
            assertEquals("chat_assigned", assigned.name());
        }
    }
}
