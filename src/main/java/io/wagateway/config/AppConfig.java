package io.wagateway.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Everything under {@code app.*}; see the configuration reference in the README. */
@ConfigMapping(prefix = "app")
public interface AppConfig {

    Ws ws();

    WhatsApp whatsapp();

    Events events();

    Presence presence();

    Assignment assignment();

    Agents agents();

    interface Agents {
        /**
         * How often each replica reads the deactivated agents: a deactivation on another replica
         * closes the agent's connections here, and refuses its token here, within this interval.
         */
        @WithDefault("5s")
        Duration directoryRefreshInterval();
    }

    Inbox inbox();

    interface Inbox {
        /**
         * Cloud mode: where the inbox page gets its JWT from the host application (fetched with
         * credentials, answering {@code {"token": "..."}}); an absolute URL or a path on the gateway.
         */
        Optional<String> tokenUrl();

        /** Origins that may show the inbox in a frame (CSP {@code frame-ancestors}), beside the gateway's own. */
        Optional<List<String>> frameAncestors();
    }

    Http http();

    Media media();

    /** Media (PROTOCOL.md 6.4): the gateway's copy of every image, voice note, video, document and sticker. */
    interface Media {
        /** Where the bytes are kept: {@code postgres} (chunked rows, the default) or {@code s3} (an object store). */
        @WithDefault("postgres")
        StoreKind store();

        /** Lifetime of the signed {@code media.url} ({@code ?sig=}); signed afresh whenever a message is read or pushed. */
        @WithDefault("1h")
        Duration urlTtl();

        /**
         * The HMAC key of {@code ?sig=} (any string of 32 characters or more), the same on every replica.
         * Unset: a random key per process, which only suits a single replica (a warning says so).
         */
        Optional<String> urlSecret();

        /** Bytes per row of the postgres store. */
        @WithDefault("524288")
        int chunkSize();

        /** Media older than this are deleted (then {@code unavailable}); unset: kept until deleted by hand. */
        Optional<Duration> retention();

        /** How often media past the retention are looked for. */
        @WithDefault("1h")
        Duration retentionInterval();

        /** Download attempts before a retryable failure (Meta down, network) makes the media {@code unavailable}. */
        @WithDefault("8")
        int maxAttempts();

        /** Download retries: first delay, doubled per attempt with jitter, up to the maximum. */
        @WithDefault("2s")
        Duration retryInitialDelay();

        @WithDefault("10m")
        Duration retryMaxDelay();

        /** How long a replica owns a download (a crashed replica's downloads wait this long); longer than any download. */
        @WithDefault("10m")
        Duration downloadLock();

        /** Longest a download may go without receiving a byte before it counts as failed (retryable). */
        @WithDefault("60s")
        Duration downloadIdleTimeout();

        /** How often due downloads (retries, a crashed replica's) are looked for. */
        @WithDefault("2s")
        Duration pollInterval();

        /** Downloads one replica runs at once. */
        @WithDefault("4")
        int concurrentDownloads();

        /** The {@code User-Agent} of downloads: Meta's media host refuses requests without one. */
        @WithDefault("wa-gateway/1.0 (media)")
        String userAgent();

        S3 s3();

        /** {@code app.media.store=s3}: an S3-compatible object store (AWS S3, MinIO, Ceph RGW, ...). */
        interface S3 {
            /** The bucket (must exist). */
            Optional<String> bucket();

            /** Key prefix inside the bucket. */
            @WithDefault("media/")
            String prefix();

            /** The store's URL for a non-AWS store (e.g. {@code http://minio:9000}); unset: AWS for the region. */
            Optional<String> endpoint();

            @WithDefault("us-east-1")
            String region();

            /** Path-style addressing ({@code endpoint/bucket/key}), which most S3-compatible stores need. */
            @WithDefault("false")
            boolean pathStyle();

            /** Static credentials; unset: the AWS SDK's default chain (environment, profile, instance role). */
            Optional<String> accessKeyId();

            Optional<String> secretAccessKey();
        }

        enum StoreKind { postgres, s3 }
    }

    interface Http {
        /**
         * At shutdown: how long plain HTTP requests (webhooks, REST) that started before it get to
         * finish, before the shutdown delay. WebSockets are closed with 1001 instead.
         */
        @WithDefault("5s")
        Duration drainTimeout();
    }

    interface Assignment {
        /** Assign each new conversation to the available, online agent assigned least recently. */
        @WithDefault("false")
        boolean auto();
    }

    interface Presence {
        /** How often each instance says it is alive. */
        @WithDefault("5s")
        Duration heartbeat();

        /** An instance silent this long is dead: its users go offline unless connected elsewhere. */
        @WithDefault("15s")
        Duration expiry();

        /**
         * How long a user stays online after their last connection closed: a reload or a move to
         * another replica within it is no offline/online flicker.
         */
        @WithDefault("3s")
        Duration offlineGrace();

        /** Presence frames a connection gets per second at most; more flips go out as presence_changed. */
        @WithDefault("2")
        int maxFramesPerSecond();
    }

    interface Ws {
        /** Origin allow-list for browser upgrades; empty means any origin. */
        Optional<List<String>> allowedOrigins();

        /** Sustained events per second a connection may send. */
        @WithDefault("20")
        int rateLimitPerSecond();

        /** Events a connection may send in one burst. */
        @WithDefault("50")
        int rateLimitBurst();

        /** A typing state without a new typing_start for this long stops by itself. */
        @WithDefault("10s")
        Duration typingExpiry();

        /** A connection that answered no ping and sent nothing for this long is closed. */
        @WithDefault("75s")
        Duration idleTimeout();

        /**
         * Bytes of frames a connection may have waiting to be sent; past it the client is a slow
         * consumer and is closed with 4008 (it reconnects and resumes).
         */
        @WithDefault("1048576")
        int maxQueuedBytes();

        /**
         * A connection whose frames were left waiting at every push for this long (its peer does not
         * read, or not as fast as they come) is a slow consumer too, however little is queued.
         */
        @WithDefault("5s")
        Duration sendStallTimeout();

        /** How often connections are checked against {@code idle-timeout} and token expiry. */
        @WithDefault("15s")
        Duration idleCheckInterval();
    }

    interface WhatsApp {
        /** {@code cloud} calls Meta's Graph API; {@code sandbox} runs the built-in simulator. */
        @WithDefault("cloud")
        Mode mode();

        @WithDefault("https://graph.facebook.com")
        String apiUrl();

        @WithDefault("v25.0")
        String apiVersion();

        /** Webhook signature secret (Meta's App Secret). */
        Optional<String> appSecret();

        /** Token Meta echoes in the webhook verification handshake. */
        Optional<String> verifyToken();

        /** Tenant that owns the number registered at start-up. */
        @WithDefault("default")
        String tenant();

        Optional<String> phoneNumberId();

        Optional<String> wabaId();

        Optional<String> displayPhoneNumber();

        Optional<String> accessToken();

        /**
         * Longest wait for one Graph API call before it counts as a (retryable) timeout; the one
         * timeout of a call (the REST client's read timeout is left longer).
         */
        @WithDefault("10s")
        Duration callTimeout();

        /** How long the breaker of the synchronous Graph reads stays open once most recent reads failed. */
        @WithDefault("30s")
        Duration readBreakerDelay();

        /** Sends per second per number: Meta's default 80, up to 1000 for upgraded numbers. */
        @WithDefault("80")
        int messagesPerSecond();

        /** Outbox retries: first delay, doubled per attempt with jitter, up to the maximum. */
        @WithDefault("1s")
        Duration retryInitialDelay();

        @WithDefault("5m")
        Duration retryMaxDelay();

        /** Attempts before a retryable failure becomes final. */
        @WithDefault("10")
        int maxAttempts();

        /** How long an instance owns an outbox row while calling Meta; longer than call-timeout. */
        @WithDefault("30s")
        Duration sendLock();

        /** How long a connection status read from Meta is served from cache. */
        @WithDefault("60s")
        Duration statusCacheTtl();

        /** How long a number's approved templates (get_templates) are served from cache before Meta is asked again. */
        @WithDefault("10m")
        Duration templatesCacheTtl();

        /** How often the outbox is polled for due rows (retries, rows of a crashed instance). */
        @WithDefault("1s")
        Duration outboxPollInterval();

        /** How often the outbox depth and oldest-row age gauges are read from the database. */
        @WithDefault("10s")
        Duration outboxMetricsInterval();

        /** How often each number's connection status is read from Meta. */
        @WithDefault("5m")
        Duration statusRefreshInterval();

        /** Show Meta's typing indicator to the customer when an agent types (issue: collaboration). */
        Optional<Boolean> customerTypingIndicator();

        enum Mode { cloud, sandbox }
    }

    interface Events {
        /** How long durable events stay available to {@code resume}. */
        @WithDefault("24h")
        Duration retention();

        /**
         * Who gets {@code conversation_updated}: {@code rooms} (the contract, PROTOCOL.md 6.2: where
         * {@code new_message} goes, the conversation, customer and general rooms and the assignee)
         * or {@code tenant} (every connection of the tenant, the old delivery, for small teams).
         */
        @WithDefault("rooms")
        ConversationUpdates conversationUpdates();

        /** How often the event table is read for events another instance's notification missed. */
        @WithDefault("5s")
        Duration catchUpInterval();

        /** How often events past {@code retention} are deleted. */
        @WithDefault("10m")
        Duration trimInterval();

        enum ConversationUpdates { tenant, rooms }
    }
}
