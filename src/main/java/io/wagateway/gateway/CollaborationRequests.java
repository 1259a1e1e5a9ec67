package io.wagateway.gateway;

import io.smallrye.mutiny.Uni;
import io.wagateway.agent.AgentService;
import io.wagateway.collaboration.AssignmentService;
import io.wagateway.collaboration.ConversationStatusService;
import io.wagateway.collaboration.ReadReceiptService;
import io.wagateway.protocol.ClientEvent.AgentStatusUpdate;
import io.wagateway.protocol.ClientEvent.AssignChat;
import io.wagateway.protocol.ClientEvent.MessageRead;
import io.wagateway.protocol.ClientEvent.TypingStart;
import io.wagateway.protocol.ClientEvent.TypingStop;
import io.wagateway.protocol.ClientEvent.UpdateConversation;
import io.wagateway.protocol.ServerFrame;
import io.wagateway.protocol.Views;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * What agents tell each other: typing, reads, assignments, their status, closing and reopening
 * conversations. Only {@code update_conversation} is answered (with the conversation); the effect of
 * every one is pushed to whoever it concerns (the caller included).
 */
@ApplicationScoped
class CollaborationRequests implements ClientRequests {

    private final TypingService typing;
    private final ReadReceiptService readReceipts;
    private final AssignmentService assignments;
    private final AgentService agents;
    private final ConversationStatusService statuses;

    CollaborationRequests(TypingService typing, ReadReceiptService readReceipts, AssignmentService assignments,
                          AgentService agents, ConversationStatusService statuses) {
        this.typing = typing;
        this.readReceipts = readReceipts;
        this.assignments = assignments;
        this.agents = agents;
        this.statuses = statuses;
    }

    @Override
    public void register(Routes routes) {
        routes.silent("typing_start", TypingStart.class, (session, r, answer) ->
                        none(typing.start(session, r.conversationId())))
                .silent("typing_stop", TypingStop.class, (session, r, answer) ->
                        none(typing.stop(session, r.conversationId())))
                .silent("message_read", MessageRead.class, (session, r, answer) ->
                        none(readReceipts.markRead(session.identity(), r.conversationId(), r.messageId())))
                .silent("assign_chat", AssignChat.class, (session, r, answer) ->
                        none(assignments.assign(session.identity(), r.conversationId(), r.agentId())))
                .silent("agent_status_update", AgentStatusUpdate.class, (session, r, answer) ->
                        none(agents.changeStatus(session.identity(), r.status())))
                .on("update_conversation", UpdateConversation.class, "conversation_updated_response",
                        (session, r, answer) -> statuses.changeStatus(session.identity(), r.conversationId(), r.status())
                                .map(conversation -> answer.with(new Views.ConversationChanged(conversation))));
    }

    private static Uni<ServerFrame> none(Uni<?> work) {
        return work.replaceWith((ServerFrame) null);
    }
}
