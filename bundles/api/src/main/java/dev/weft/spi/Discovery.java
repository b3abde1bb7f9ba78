package dev.weft.spi;

import java.net.InetAddress;
import java.util.Map;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A multi-host driver's capability to follow the hosts of the cluster (libnetwork's
 * {@code DiscoverNew}/{@code DiscoverDelete}): an overlay driver programs its tunnels to each host
 * that joins and removes them when it leaves. Only drivers of {@link Scope#GLOBAL} scope need it.
 *
 * <h2>When it is called</h2>
 * By the runtime's cluster membership (a store shared by the hosts, e.g. etcd; configured per
 * instance): {@link #nodeJoined} once for each host already in the cluster when the driver arrives,
 * then as hosts come and go; {@link #nodeLeft} when a host's membership lapses or it leaves. Never
 * for the local host itself. Calls for one host come in order; calls for different hosts may run
 * concurrently. A runtime without a cluster never calls them.
 *
 * <h2>What it must do</h2>
 * Be idempotent (a host may be announced again after a reconnect to the store) and return
 * promptly; slow kernel work goes to the runtime's deferred work. Failures are thrown with a
 * message naming the host and are logged; the call is repeated at the next announcement.
 */
@ConsumerType
public interface Discovery {

    /**
     * A host of the cluster.
     *
     * @param id        its stable id in the cluster
     * @param address   its underlay address (where tunnels to it end: its VTEP)
     * @param labels    what it announces besides (e.g. its name)
     */
    record Node(String id, InetAddress address, Map<String, String> labels) {
        public Node {
            labels = labels == null ? Map.of() : Map.copyOf(labels);
        }
    }

    /** A host joined the cluster (or is in it when the driver arrives). */
    void nodeJoined(Node node);

    /** A host left the cluster (or its membership lapsed). */
    void nodeLeft(Node node);
}
