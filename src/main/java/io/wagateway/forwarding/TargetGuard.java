package io.wagateway.forwarding;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.wagateway.config.AppConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Locale;

/**
 * The SSRF guard of event forwarding: a tenant's admin chooses the URL the gateway POSTs to, so
 * without a guard they could make it call the gateway's own network (a metadata service on
 * 169.254.169.254, a database port on 10.x, the gateway itself on 127.0.0.1). Targets must be
 * http or https, and unless {@code app.forwarding.allow-private-targets} is on, every address
 * the host resolves to must be public. Checked when the URL is set and again before each
 * connection, because what a name resolves to can change; the POST then goes to the very
 * address that was checked, so a second lookup cannot slip another one in (DNS rebinding).
 */
@ApplicationScoped
public class TargetGuard {

    private final boolean allowPrivate;

    @Inject
    public TargetGuard(AppConfig config) {
        this(config.forwarding().allowPrivateTargets());
    }

    TargetGuard(boolean allowPrivate) {
        this.allowPrivate = allowPrivate;
    }

    /** A target the guard refused, with a message for the admin (or lastError). */
    public static final class Refused extends Exception {
        Refused(String message) {
            super(message, null, false, false);
        }
    }

    /** An http(s) URL with a host, or {@link Refused} saying what is wrong with it. */
    public static URI parse(String url) throws Refused {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new Refused("not a valid URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new Refused("must be an http or https URL");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new Refused("must name a host");
        }
        if (uri.getRawUserInfo() != null) {
            throw new Refused("must not carry a user name or password (sign with the secret instead)");
        }
        if (uri.getRawFragment() != null) {
            throw new Refused("must not have a fragment");
        }
        return uri;
    }

    /**
     * The address to connect to for {@code url}'s host: resolved on a worker thread (the lookup
     * blocks) and checked, or null when private targets are allowed (the HTTP client then resolves
     * the name itself). Fails with {@link Refused} or {@link UnknownHostException}.
     */
    public Uni<InetAddress> resolve(URI url) {
        if (allowPrivate) {
            return Uni.createFrom().nullItem();
        }
        return Uni.createFrom().item(() -> checked(url.getHost()))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    private static InetAddress checked(String host) {
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            throw new TargetException(new Refused("the host " + host + " does not resolve"));
        }
        // every address, not only the first: a name that also resolves to a private address is refused
        for (InetAddress address : addresses) {
            String refusal = refusal(address);
            if (refusal != null) {
                throw new TargetException(new Refused(host + " resolves to " + refusal + " (" + address.getHostAddress()
                        + "); set app.forwarding.allow-private-targets=true to allow it"));
            }
        }
        return addresses[0];
    }

    /** Carries a {@link Refused} out of a lambda; unwrapped by {@link #refusedBy}. */
    static final class TargetException extends RuntimeException {
        TargetException(Refused refused) {
            super(refused.getMessage(), refused, false, false);
        }
    }

    /** The refusal inside a failure of {@link #resolve}, or null when it failed for another reason. */
    public static Refused refusedBy(Throwable failure) {
        if (failure instanceof Refused refused) {
            return refused;
        }
        if (failure instanceof TargetException e) {
            return (Refused) e.getCause();
        }
        return null;
    }

    /**
     * Why the address may not be a target when private targets are refused (e.g. "a loopback
     * address"), or null when it is public.
     */
    static String refusal(InetAddress address) {
        if (address.isAnyLocalAddress()) {
            return "an unspecified address";
        }
        if (address.isLoopbackAddress()) {
            return "a loopback address";
        }
        if (address.isLinkLocalAddress()) { // 169.254/16, fe80::/10
            return "a link-local address";
        }
        if (address.isSiteLocalAddress()) { // 10/8, 172.16/12, 192.168/16, fec0::/10
            return "a private address";
        }
        if (address.isMulticastAddress()) {
            return "a multicast address";
        }
        byte[] bytes = address.getAddress();
        if (address instanceof Inet4Address) {
            int first = bytes[0] & 0xff;
            int second = bytes[1] & 0xff;
            if (first == 0) { // 0/8, "this network": connects to the local host on most systems
                return "an unspecified address";
            }
            if (first == 100 && (second & 0xc0) == 64) { // 100.64/10, carrier-grade NAT
                return "a private address";
            }
            if (first == 255 && Arrays.equals(bytes, new byte[] {-1, -1, -1, -1})) {
                return "a broadcast address";
            }
            return null;
        }
        if ((bytes[0] & 0xfe) == 0xfc) { // fc00::/7, unique local
            return "a private address";
        }
        // IPv6 forms that carry an IPv4 address (::a.b.c.d, NAT64 64:ff9b::/96, 6to4 2002::/16)
        // reach that address: judged by it
        Inet6Address v6 = (Inet6Address) address;
        byte[] embedded = null;
        if (v6.isIPv4CompatibleAddress()) {
            embedded = Arrays.copyOfRange(bytes, 12, 16);
        } else if (startsWith(bytes, 0x00, 0x64, 0xff, 0x9b) && allZero(bytes, 4, 12)) {
            embedded = Arrays.copyOfRange(bytes, 12, 16);
        } else if (startsWith(bytes, 0x20, 0x02)) {
            embedded = Arrays.copyOfRange(bytes, 2, 6);
        }
        if (embedded != null) {
            try {
                return refusal(InetAddress.getByAddress(embedded));
            } catch (UnknownHostException impossible) {
                return "an unreadable address";
            }
        }
        return null;
    }

    private static boolean startsWith(byte[] bytes, int... prefix) {
        for (int i = 0; i < prefix.length; i++) {
            if ((bytes[i] & 0xff) != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean allZero(byte[] bytes, int from, int to) {
        for (int i = from; i < to; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return true;
    }
}
