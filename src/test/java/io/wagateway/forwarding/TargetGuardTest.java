package io.wagateway.forwarding;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The SSRF guard's address classifier and URL rules, and the retry backoff. */
class TargetGuardTest {

    @Test
    void refusesLoopbackPrivateLinkLocalUnspecifiedAndMulticastAddresses() throws Exception {
        String[][] refused = {
                {"127.0.0.1", "loopback"}, {"127.8.9.10", "loopback"}, {"::1", "loopback"},
                {"10.0.0.1", "private"}, {"172.16.0.1", "private"}, {"172.31.255.255", "private"},
                {"192.168.1.1", "private"}, {"100.64.0.1", "private"}, {"fc00::1", "private"}, {"fd12:3456::1", "private"},
                {"169.254.169.254", "link-local"}, {"fe80::1", "link-local"},
                {"0.0.0.0", "unspecified"}, {"0.1.2.3", "unspecified"}, {"::", "unspecified"},
                {"224.0.0.1", "multicast"}, {"ff02::1", "multicast"}, {"255.255.255.255", "broadcast"},
                // IPv6 spellings of IPv4 addresses are judged by the IPv4 address
                {"::ffff:127.0.0.1", "loopback"}, {"::ffff:10.1.2.3", "private"}, {"::169.254.169.254", "link-local"},
                {"64:ff9b::10.0.0.1", "private"}, {"2002:7f00:1::", "loopback"},
        };
        for (String[] address : refused) {
            String refusal = TargetGuard.refusal(InetAddress.getByName(address[0]));
            assertNotNull(refusal, address[0]);
            assertTrue(refusal.contains(address[1]), address[0] + ": " + refusal);
        }
    }

    @Test
    void allowsPublicAddresses() throws Exception {
        for (String address : new String[] {"8.8.8.8", "1.1.1.1", "172.15.255.255", "172.32.0.1", "100.128.0.1",
                "11.0.0.1", "2001:4860:4860::8888", "2606:4700::1111", "64:ff9b::8.8.8.8", "2002:0808:0808::"}) {
            assertNull(TargetGuard.refusal(InetAddress.getByName(address)), address);
        }
    }

    @Test
    void acceptsOnlyHttpAndHttpsUrlsWithAHost() throws Exception {
        assertEquals("host.example", TargetGuard.parse("https://host.example/events?x=1").getHost());
        assertEquals(8080, TargetGuard.parse("http://host.example:8080/").getPort());
        for (String bad : new String[] {"ftp://host.example/", "file:///etc/passwd", "host.example/events",
                "https:///events", "https://user:pw@host.example/", "http://host.example/#x", "not a url", "gopher://x"}) {
            assertThrows(TargetGuard.Refused.class, () -> TargetGuard.parse(bad), bad);
        }
    }

    @Test
    void resolvesAndRefusesLoopbackNamesWhenTheGuardIsOn() {
        TargetGuard on = new TargetGuard(false);
        Throwable failure = assertThrows(Throwable.class,
                () -> on.resolve(URI.create("http://localhost:9/")).await().atMost(Duration.ofSeconds(10)));
        assertNotNull(TargetGuard.refusedBy(failure), failure.toString());
        assertTrue(failure.getMessage().contains("loopback"), failure.getMessage());
        // off: nothing is resolved or refused here, the HTTP client connects to what the name says
        assertNull(new TargetGuard(true).resolve(URI.create("http://localhost:9/")).await().atMost(Duration.ofSeconds(1)));
    }

    @Test
    void backoffDoublesUpToTheCap() {
        Duration initial = Duration.ofSeconds(1);
        Duration max = Duration.ofMinutes(5);
        assertEquals(Duration.ofSeconds(1), Forwarder.backoff(initial, max, 1));
        assertEquals(Duration.ofSeconds(2), Forwarder.backoff(initial, max, 2));
        assertEquals(Duration.ofSeconds(8), Forwarder.backoff(initial, max, 4));
        assertEquals(max, Forwarder.backoff(initial, max, 10));
        assertEquals(max, Forwarder.backoff(initial, max, 1000));
    }
}
