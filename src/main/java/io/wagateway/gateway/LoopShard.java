package io.wagateway.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.wagateway.fanout.DrainQueue;
import io.wagateway.fanout.DurableEvent;
import io.wagateway.fanout.Ephemeral;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The connections of one event loop and their room indexes. Everything here runs on that loop, so
 * nothing is locked, and a batch of events reaches all of the loop's connections in one task with
 * one flush per connection.
 */
final class LoopShard {

    /** A frame encoded once, with the event it carries. */
    record Outgoing(DurableEvent event, ByteBuf wire) {}

    /**
     * Consecutive events of one tenant, each encoded once, and, when every one of them is for the
     * general room, all of their frames in one buffer: a connection in that room then gets the
     * batch as one write however many events it holds.
     *
     * @param whole the frames back to back, or null when some event is not for the general room
     */
    record Batch(String tenant, List<Outgoing> events, ByteBuf whole) {
        long firstSeq() {
            return events.get(0).event().seq();
        }

        long lastSeq() {
            return events.get(events.size() - 1).event().seq();
        }
    }

    /** What the shard reports back (implemented by the registry: metrics, slow consumers). */
    interface Outcomes {
        void delivered(String event, int connections);

        void slowConsumer(ClientSession session);
    }

    private final EventLoop loop;
    private final Outcomes outcomes;
    private final Map<String, Set<ClientSession>> byTenant = new HashMap<>();
    private final Map<String, Set<ClientSession>> byUser = new HashMap<>();
    private final Map<UUID, Set<ClientSession>> byConversation = new HashMap<>();
    private final Map<UUID, Set<ClientSession>> byCustomer = new HashMap<>();
    private final Map<String, Set<ClientSession>> generalByTenant = new HashMap<>();
    /** Connections written to by the task running now, flushed at its end. */
    private final List<ClientSession> touched = new ArrayList<>();
    /** Batches handed over from the fan-out context, not yet written. */
    private final DrainQueue<HandedOver> handedOver = new DrainQueue<>(this::execute, this::write, this::flushTouched);

    private record HandedOver(Batch batch, Runnable done) {}

    LoopShard(EventLoop loop, Outcomes outcomes) {
        this.loop = loop;
        this.outcomes = outcomes;
    }

    void execute(Runnable task) {
        if (loop.inEventLoop()) {
            task.run();
        } else {
            loop.execute(task);
        }
    }

    // ---- membership (on the loop)

    void add(ClientSession session) {
        add(byTenant, session.tenant(), session);
        add(byUser, userKey(session.tenant(), session.identity().userId()), session);
    }

    void remove(ClientSession session) {
        remove(byTenant, session.tenant(), session);
        remove(byUser, userKey(session.tenant(), session.identity().userId()), session);
        if (session.rooms().general()) {
            remove(generalByTenant, session.tenant(), session);
        }
        session.rooms().conversations().forEach(id -> remove(byConversation, id, session));
        session.rooms().customers().forEach(id -> remove(byCustomer, id, session));
    }

    void joinConversation(ClientSession session, UUID id) {
        session.rooms().joinConversation(id);
        add(byConversation, id, session);
    }

    void leaveConversation(ClientSession session, UUID id) {
        if (session.rooms().leaveConversation(id)) {
            remove(byConversation, id, session);
        }
    }

    void joinCustomer(ClientSession session, UUID id) {
        session.rooms().joinCustomer(id);
        add(byCustomer, id, session);
    }

    void leaveCustomer(ClientSession session, UUID id) {
        if (session.rooms().leaveCustomer(id)) {
            remove(byCustomer, id, session);
        }
    }

    void joinGeneral(ClientSession session) {
        session.rooms().joinGeneral();
        add(generalByTenant, session.tenant(), session);
    }

    // ---- delivery

    /**
     * Hands a batch to this loop (from any thread). Batches that arrive while the loop has not yet
     * run the write task join it, so a busy loop flushes each connection once for all of them: one
     * system call per connection per task rather than per batch. {@code done} runs once the batch
     * is written.
     */
    void handOver(Batch batch, Runnable done) {
        handedOver.add(new HandedOver(batch, done));
    }

    private void write(HandedOver next) {
        try {
            write(next.batch());
        } finally {
            next.done().run();
        }
    }

    /**
     * Writes each event to the connections of its rooms (on the loop; flushed by the caller).
     * A connection reached through two rooms gets the event once (its last-sent seq drops the repeat).
     */
    private void write(Batch batch) {
        int wholeToGeneral = 0;
        Collection<ClientSession> general = generalByTenant.get(batch.tenant());
        if (batch.whole() != null && general != null) {
            // those that took the run in one buffer are done; the others (a replay holds them) go event by event
            List<ClientSession> rest = null;
            for (ClientSession session : general) {
                if (session.offerLive(batch.firstSeq(), batch.lastSeq(), batch.whole())) {
                    touched.add(session);
                    wholeToGeneral++;
                } else {
                    if (rest == null) {
                        rest = new ArrayList<>();
                    }
                    rest.add(session);
                }
            }
            general = rest;
        }
        for (Outgoing out : batch.events()) {
            DurableEvent event = out.event();
            String tenant = event.tenant();
            int sent = wholeToGeneral + switch (event.audience()) {
                case TENANT -> offer(byTenant.get(tenant), out);
                case USER -> offer(byUser.get(userKey(tenant, event.userId())), out);
                case CONVERSATION_ROOM -> offer(byConversation.get(event.conversationId()), out);
                case MESSAGE -> offer(event.conversationId() == null ? null : byConversation.get(event.conversationId()), out)
                        + offer(event.contactId() == null ? null : byCustomer.get(event.contactId()), out)
                        + offer(general, out)
                        + (event.userId() == null ? 0 : offer(byUser.get(userKey(tenant, event.userId())), out));
            };
            outcomes.delivered(event.name(), sent);
        }
    }

    private int offer(Collection<ClientSession> sessions, Outgoing out) {
        if (sessions == null) {
            return 0;
        }
        int sent = 0;
        for (ClientSession session : sessions) {
            if (session.offerLive(out.event(), out.wire())) {
                touched.add(session);
                sent++;
            }
        }
        return sent;
    }

    /** @return to how many connections it went */
    int deliver(Ephemeral event, ByteBuf wire) {
        Set<ClientSession> sessions = event.conversationId() != null ? byConversation.get(event.conversationId())
                : byTenant.get(event.tenant());
        if (sessions == null) {
            return 0;
        }
        int sent = 0;
        for (ClientSession session : sessions) {
            if (event.excludeUser() == null || !event.excludeUser().equals(session.identity().userId())) {
                session.offerEphemeral(wire);
                touched.add(session);
                sent++;
            }
        }
        flushTouched();
        return sent;
    }

    private void flushTouched() {
        // a connection can be in the list more than once; its second flush does nothing
        for (int i = 0; i < touched.size(); i++) {
            ClientSession session = touched.get(i);
            if (!session.flush()) {
                outcomes.slowConsumer(session);
            }
        }
        touched.clear();
    }

    private static <K> void add(Map<K, Set<ClientSession>> index, K key, ClientSession session) {
        index.computeIfAbsent(key, k -> new HashSet<>()).add(session);
    }

    private static <K> void remove(Map<K, Set<ClientSession>> index, K key, ClientSession session) {
        Set<ClientSession> sessions = index.get(key);
        if (sessions != null && sessions.remove(session) && sessions.isEmpty()) {
            index.remove(key);
        }
    }

    private static String userKey(String tenant, String userId) {
        return tenant + '\u0000' + userId;
    }
}
