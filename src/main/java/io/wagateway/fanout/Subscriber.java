package io.wagateway.fanout;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * One connection as {@link ResumeService} sees it (the gateway's session implements it). A connection's
 * delivery state belongs to the thread that writes to it: every method but {@link #tenant()} and
 * {@link #execute(Runnable)} must be called from a task passed to {@link #execute(Runnable)}.
 */
public interface Subscriber {

    String tenant();

    /** Runs the task on the connection's own event loop, after the deliveries queued before it. */
    void execute(Runnable task);

    /** Live events from now on are held back: a replay is about to run. */
    void holdLive();

    /**
     * Sends the events of the page this connection is entitled to and has not had, live or from an
     * earlier replay.
     *
     * @return completes with how many were sent, once they are written to the socket (so that a
     *         long replay never queues more than one page in memory)
     */
    CompletionStage<Integer> replay(List<DurableEvent> page);

    /**
     * Ends the replay: the answer (if any), then the live events held meanwhile, then live again.
     *
     * @param floor the seq up to which the client has every event (its {@code lastSeq}): held and
     *              later live events at or below it are dropped; nothing above it may be
     */
    void releaseLive(String answerFrame, long floor);
}
