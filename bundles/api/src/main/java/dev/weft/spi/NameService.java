package dev.weft.spi;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A name server for sandboxes (the embedded DNS server, bundle {@code dev.weft.dns}): a
 * {@link ControllerListener} that also tells core where it serves names, so that core writes the
 * sandboxes' resolv.conf to name it. Registered as a {@link ControllerListener} service (whiteboard);
 * core sees that it is one of these.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li><b>Order.</b> Core asks {@link #servers} only after the service's
 *       {@link ControllerListener#snapshot} returned; it then rewrites every sandbox's resolv.conf
 *       to name it. When the service goes, core rewrites them without it (the host's resolvers
 *       again): names stop, nothing else breaks.</li>
 *   <li><b>Synchronous.</b> Once {@link ControllerListener#networkCreated} returned, {@link #servers}
 *       tells where that network's names are served; once {@link ControllerListener#endpointJoined}
 *       returned, the endpoint's names resolve there; once {@link ControllerListener#endpointLeft}
 *       returned, they no longer do. Core writes a sandbox's resolv.conf after its joins.</li>
 *   <li><b>Cheap.</b> {@link #servers} and {@link #remark} answer from memory, concurrently with
 *       events.</li>
 * </ul>
 */
@ConsumerType
public interface NameService extends ControllerListener {

    /**
     * Where the network's names are served, reachable from its sandboxes (e.g. its gateway
     * addresses on port 53), IPv4 first; empty when they are not served there (a predefined
     * network, a driver without host gateway, port 53 taken by another program).
     */
    List<InetAddress> servers(String networkId);

    /**
     * What {@code network:inspect} shows under {@code Remarks} as {@code NameResolution}: where
     * names are served, or why not; empty to leave the driver's remark.
     */
    default Optional<String> remark(String networkId) {
        return Optional.empty();
    }

    /**
     * The domain sandboxes' names live in, first in their search list: {@code NAME.DOMAIN} and
     * {@code NAME.NETWORK.DOMAIN} resolve as {@code NAME} and {@code NAME.NETWORK} do, and names
     * in it are never forwarded.
     */
    default String domain() {
        return "weft.internal";
    }
}
