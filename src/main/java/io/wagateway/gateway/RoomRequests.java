package io.wagateway.gateway;

import io.wagateway.conversation.ConversationQueries;
import io.wagateway.fanout.FanoutService;
import io.wagateway.protocol.ClientEvent.JoinConversation;
import io.wagateway.protocol.ClientEvent.JoinCustomer;
import io.wagateway.protocol.ClientEvent.JoinGeneral;
import io.wagateway.protocol.ClientEvent.LeaveConversation;
import io.wagateway.protocol.ClientEvent.LeaveCustomer;
import io.wagateway.protocol.Views;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Joining and leaving rooms (PROTOCOL.md, "Rooms"). A room of another tenant's conversation or
 * customer is {@code not_found}, like one that does not exist. A join answers with the
 * {@code lastSeq} from which the joined room's events reach the connection live.
 */
@ApplicationScoped
class RoomRequests implements ClientRequests {

    private final ConversationQueries queries;
    private final ConnectionRegistry registry;
    private final FanoutService fanout;

    RoomRequests(ConversationQueries queries, ConnectionRegistry registry, FanoutService fanout) {
        this.queries = queries;
        this.registry = registry;
        this.fanout = fanout;
    }

    @Override
    public void register(Routes routes) {
        routes.on("join_conversation", JoinConversation.class, "joined_conversation", (session, r, answer) -> queries
                        .conversation(session.identity().tenant(), r.conversationId()).chain(c -> {
                            registry.joinConversation(session, c.id);
                            return fanout.lastSeqFor(session).map(seq -> answer.with(
                                    new Views.RoomJoined(c.id.toString(), Rooms.conversation(c.id), seq)));
                        }))
                .on("leave_conversation", LeaveConversation.class, "left_conversation", (session, r, answer) -> queries
                        .conversation(session.identity().tenant(), r.conversationId()).map(c -> {
                            registry.leaveConversation(session, c.id);
                            return answer.with(new Views.RoomJoined(c.id.toString(), Rooms.conversation(c.id), null));
                        }))
                .on("join_general", JoinGeneral.class, "general_joined", (session, r, answer) -> {
                    registry.joinGeneral(session);
                    return fanout.lastSeqFor(session).map(seq -> answer.with(new Views.GeneralRoom(Rooms.GENERAL, seq)));
                })
                .on("join_customer", JoinCustomer.class, "customer_joined", (session, r, answer) -> queries
                        .contact(session.identity().tenant(), r.customerId()).chain(c -> {
                            registry.joinCustomer(session, c.id);
                            return fanout.lastSeqFor(session).map(seq -> answer.with(
                                    new Views.CustomerRoom(c.id.toString(), Rooms.customer(c.id), seq)));
                        }))
                .on("leave_customer", LeaveCustomer.class, "customer_left", (session, r, answer) -> queries
                        .contact(session.identity().tenant(), r.customerId()).map(c -> {
                            registry.leaveCustomer(session, c.id);
                            return answer.with(new Views.CustomerRoom(c.id.toString(), Rooms.customer(c.id), null));
                        }));
    }
}
