package io.wagateway.forwarding;

import io.wagateway.protocol.ServerEvent;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The events a forwarding may name are exactly the durable events, so a new one cannot be left out. */
class ForwardingEventsTest {

    @Test
    void theForwardableEventsAreTheDurableOnes() throws Exception {
        Set<String> durable = new TreeSet<>();
        for (Class<?> type : ServerEvent.class.getPermittedSubclasses()) {
            RecordComponent[] components = type.getRecordComponents();
            Class<?>[] types = new Class<?>[components.length];
            Object[] nothing = new Object[components.length];
            for (int i = 0; i < components.length; i++) {
                types[i] = components[i].getType();
                nothing[i] = types[i] == boolean.class ? false : types[i].isPrimitive() ? 0 : null;
            }
            Constructor<?> canonical = type.getDeclaredConstructor(types);
            durable.add(((ServerEvent) canonical.newInstance(nothing)).name());
        }
        assertEquals(durable, new TreeSet<>(ForwardingService.DURABLE_EVENTS));
    }
}
