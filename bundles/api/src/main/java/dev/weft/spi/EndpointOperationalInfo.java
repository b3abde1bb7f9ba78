package dev.weft.spi;

import java.util.Map;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A driver's capability to say what it knows of an endpoint at run time that its records do not
 * show (libnetwork's {@code Driver.EndpointOperInfo}, which Docker shows in an endpoint's driver
 * info: a remote plugin's answer to {@code NetworkDriver.EndpointOperInfo}, e.g. the host-side name
 * of its veth). The controller finds it with {@code instanceof}; a driver without it has no such
 * info, and implements nothing.
 *
 * <h2>When it is called</h2>
 * Only to inspect one sandbox ({@code Controller.sandbox(name)}, {@code sandbox:inspect}): once for
 * each of its endpoints on a network of this driver, after {@link NetworkDriver#parseOptions}, while
 * the driver is held as for any other call. Never for a listing ({@code Controller.sandboxes()}), a
 * network's view, a listener's event, or on the path of a change a user asked for (create, connect,
 * disconnect, remove). It is a query outside the endpoint's lifecycle: it may come for an endpoint
 * between its {@link NetworkDriver#join} and {@link NetworkDriver#leave} at any time, also while
 * another call for that endpoint or its sandbox runs (the controller holds no lock of its own across
 * it), and it may find the endpoint already gone.
 *
 * <h2>What it must do</h2>
 * No side effects: it changes nothing in the driver, the kernel or elsewhere. Prompt: the inspect
 * waits for it, so a driver that asks someone else (a plugin process) bounds the wait to a few
 * seconds. Keys and values are the driver's, values as text: a value that is not a string is given
 * as its compact JSON text ({@code 42}, {@code {"a":1}}). Empty when it knows nothing.
 *
 * <h2>Failures</h2>
 * It throws with a message for people naming the endpoint and the reason (an endpoint it does not
 * know, an answer it could not read, no answer in time). The controller logs it and shows the
 * endpoint without driver info: an inspect never fails because of it.
 *
 * @param <O> the driver's typed options
 * @since 0.11.0
 */
@ConsumerType
public interface EndpointOperationalInfo<O> {

    /**
     * What the driver knows of the endpoint now, by key, in the driver's order; empty for nothing.
     * The endpoint has joined ({@code endpoint.interfaceName()} is its interface in the sandbox).
     */
    Map<String, String> endpointInfo(NetworkConfig network, O options, EndpointConfig endpoint);
}
