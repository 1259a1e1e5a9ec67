package io.wagateway.bench;

import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * A stretch of the run at one rate: the warm-up, the measured window, or one step of
 * {@code --find-max}. Messages k in [firstK, firstK + count) belong to it; message k is due at
 * startNanos + (k - firstK) / rate. Counters are written from the sender thread, the HTTP client
 * and every WebSocket client's event loop, hence the concurrent types.
 */
final class Phase {

    /** Histograms hold microseconds; anything slower than this is clamped (and fails the targets anyway). */
    static final long MAX_MICROS = TimeUnit.MINUTES.toMicros(10);

    final String name;
    final double rate;
    final int seconds;
    final long firstK;
    final int count;
    final boolean measured;
    /** Deliveries due: every message goes to the general clients and to its customer's room clients. */
    long expectedDeliveries;

    /** Scheduled start and end (System.nanoTime); set by the sender before the phase's first message. */
    volatile long startNanos;
    volatile long endNanos;

    // webhooks (indexed by the message's phase)
    final Histogram sendLag = new ConcurrentHistogram(MAX_MICROS, 3);     // actual send - scheduled
    final Histogram response = new ConcurrentHistogram(MAX_MICROS, 3);    // response arrival - scheduled
    final LongAdder sent = new LongAdder();
    final LongAdder responses = new LongAdder();
    final LongAdder ok = new LongAdder();
    final LongAdder non200 = new LongAdder();
    final LongAdder failed = new LongAdder();                              // no HTTP answer at all
    final Map<Integer, LongAdder> statuses = new ConcurrentSkipListMap<>();
    final AtomicLong lastSendNanos = new AtomicLong();
    final AtomicLong lastOkNanos = new AtomicLong();

    // deliveries of new_message (indexed by the message's phase)
    final Histogram latency = new ConcurrentHistogram(MAX_MICROS, 3);     // client receipt - scheduled
    final LongAdder delivered = new LongAdder();                           // first receipt by an entitled client
    final LongAdder duplicates = new LongAdder();                          // same message again on one client
    final LongAdder misrouted = new LongAdder();                           // a client that is not entitled to it

    // frames by arrival time within [startNanos, endNanos)
    final LongAdder framesInWindow = new LongAdder();
    final Map<String, LongAdder> framesByEvent = new ConcurrentHashMap<>();
    final LongAdder outOfOrder = new LongAdder();                          // seq not above the client's last

    CpuSampler.Sample cpuStart;
    CpuSampler.Sample cpuEnd;
    /** Result of the end-of-phase tally over every client's received set. */
    long lost;
    long drainedNanos;

    Phase(String name, double rate, int seconds, long firstK, boolean measured) {
        this.name = name;
        this.rate = rate;
        this.seconds = seconds;
        this.firstK = firstK;
        this.count = (int) Math.round(rate * seconds);
        this.measured = measured;
    }

    long endK() {
        return firstK + count;
    }

    boolean contains(long k) {
        return k >= firstK && k < firstK + count;
    }

    /** When message j of this phase is due, relative to its start: j / rate seconds. */
    long offsetNanos(int j) {
        return (long) (j * 1_000_000_000.0 / rate);
    }

    long durationNanos() {
        return offsetNanos(count);
    }

    static void record(Histogram histogram, long nanos) {
        histogram.recordValue(Math.min(MAX_MICROS, Math.max(0, nanos / 1000)));
    }

    static void max(AtomicLong target, long value) {
        target.accumulateAndGet(value, Math::max);
    }
}
