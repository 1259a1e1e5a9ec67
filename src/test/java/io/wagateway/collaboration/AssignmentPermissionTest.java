package io.wagateway.collaboration;

import io.wagateway.protocol.ErrorCode;
import io.wagateway.protocol.ProtocolException;
import io.wagateway.security.ClientIdentity;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** assign_chat's permissions (PROTOCOL.md: supervisors and admins assign; an agent takes an unassigned chat). */
class AssignmentPermissionTest {

    private static ClientIdentity user(String id, String... roles) {
        return new ClientIdentity("t", id, id, Set.of(roles), Instant.now().plusSeconds(600));
    }

    private static void forbidden(ClientIdentity me, String current, String agent) {
        ProtocolException refused = assertThrows(ProtocolException.class,
                () -> AssignmentService.permit(me, current, agent));
        assertEquals(ErrorCode.FORBIDDEN, refused.code());
    }

    @Test
    void supervisorsAndAdminsAssignAnyone() {
        assertDoesNotThrow(() -> AssignmentService.permit(user("boss", "supervisor"), "carol", "bob"));
        assertDoesNotThrow(() -> AssignmentService.permit(user("root", "admin"), null, "bob"));
    }

    @Test
    void anAgentTakesOnlyAnUnassignedChatOrKeepsTheirOwn() {
        ClientIdentity bob = user("bob", "agent");
        assertDoesNotThrow(() -> AssignmentService.permit(bob, null, "bob"));
        assertDoesNotThrow(() -> AssignmentService.permit(bob, "bob", "bob"));
        forbidden(bob, null, "carol");
        forbidden(bob, "carol", "bob");
    }
}
