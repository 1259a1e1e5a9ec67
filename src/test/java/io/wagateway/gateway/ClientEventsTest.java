package io.wagateway.gateway;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every client event of the contract is registered, and no other: the table under "Client -> server
 * events" and the requests that the version 2 additions (section 6) introduce as {@code `name {...}` ->}.
 */
@QuarkusTest
class ClientEventsTest {

    private static final Path PROTOCOL = Path.of("..", "shared", "PROTOCOL.md");
    private static final Pattern EVENT = Pattern.compile("`([a-z_]+)`");
    /** A request introduced in section 6, e.g. {@code `get_numbers {}` -> `numbers_response`}. */
    private static final Pattern ADDED_REQUEST = Pattern.compile("`([a-z_]+) \\{[^`]*}` ->");

    @Inject
    RequestDispatcher dispatcher;

    @Test
    void theRegisteredEventsAreTheContractsClientEvents() throws IOException {
        assertEquals(contractEvents(), new TreeSet<>(dispatcher.events()));
    }

    /** The first column of the table under "### Client -> server events" (a cell may name two events). */
    private static Set<String> contractEvents() throws IOException {
        String text = Files.readString(PROTOCOL);
        String section = text.substring(text.indexOf("### Client -> server events"),
                text.indexOf("### Server -> client events"));
        Set<String> events = new TreeSet<>();
        for (String line : section.split("\n")) {
            if (!line.startsWith("| `")) {
                continue;
            }
            Matcher event = EVENT.matcher(line.split("\\|")[1]);
            while (event.find()) {
                events.add(event.group(1));
            }
        }
        Matcher added = ADDED_REQUEST.matcher(text.substring(text.indexOf("## 6. Version 2 additions")));
        while (added.find()) {
            events.add(added.group(1));
        }
        return events;
    }
}
