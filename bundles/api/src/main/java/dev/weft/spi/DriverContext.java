package dev.weft.spi;

import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * What core gives drivers about the runtime instance they serve, as an OSGi service: the names and
 * settings that make several instances on one machine keep out of each other's way. A driver that
 * changes the kernel references the kernel layer's service ({@code dev.weft.linux.Kernel}) as well,
 * which core registers for the same instance (bound to its host namespace); the SPI itself does not
 * depend on the kernel layer, so drivers that need no kernel access (and clients of the API) wire
 * none of it.
 */
@ProviderType
public interface DriverContext {

    /** The instance's name (part of every ownership mark, e.g. link aliases {@code weft:<instance>:<id>}). */
    String instance();

    /** The prefix of link names this instance creates (at most 4 characters, so names fit in 15). */
    String linkPrefix();

    /** The nf_tables table this instance owns (in families inet and bridge). */
    String nftTable();

    /** Whether drivers may touch the firewall ({@code nftables}) or must leave it alone ({@code none}). */
    FirewallMode firewallMode();

    /** The MTU for new networks that do not set one; 0 means "the uplink's MTU". */
    int defaultMtu();

    /**
     * The resolv.conf of the instance's host namespace: the configured file ({@code /etc/resolv.conf}
     * by default), or for a named host namespace {@code /etc/netns/NAME/resolv.conf} when that
     * exists, as {@code ip netns exec NAME} would use. What sandboxes' names are forwarded to.
     *
     * @since 0.9.0
     */
    default java.nio.file.Path hostResolvConf() {
        return java.nio.file.Path.of("/etc/resolv.conf");
    }

    /**
     * A setting of the instance's configuration by key (in Karaf {@code etc/dev.weft.cfg}), for
     * settings that belong to a driver rather than to core, e.g. the bridge driver's
     * {@code defaultBridgeSubnet}; empty when the key is not set. Core does not interpret them.
     */
    default Optional<String> setting(String key) {
        return Optional.empty();
    }

    /**
     * The port mapper core offers under {@code name} (see {@link PortMapper}: {@link PortMapper#RELAY}),
     * or empty when it offers none by that name. The answer does not change while the context is
     * registered, so a driver looks its mappers up once, when it is activated.
     */
    Optional<PortMapper> portMapper(String name);

    /**
     * A queue for the driver's slow kernel work, off users' operations (see {@link DeferredWork}):
     * one thread of core's, started on demand, waiting for the runtime's quiet moments as
     * {@code policy} says. The driver closes it when it is deactivated (what is queued is done
     * first). Core can drain it, e.g. when an address a removal still holds is asked for.
     */
    <K> DeferredWork<K> deferredWork(DeferredPolicy policy, DeferredWork.Task<K> task);

    /** The ownership mark for an object of this instance, e.g. a link alias {@code weft:<instance>:<id>}. */
    default String ownershipMark(String id) {
        return "weft:" + instance() + ":" + id;
    }

    /** The firewall modes of an instance. */
    enum FirewallMode {
        /** Weft writes its own nf_tables tables. */
        NFTABLES,
        /** Weft touches no firewall at all. */
        NONE
    }

    /**
     * The cluster this instance belongs to: present only when a cluster store is configured
     * ({@code weft.cluster.store}) and its bundle runs. Global-scope drivers use it for their
     * VTEP ({@link ClusterStore#advertise()}) and their cluster-wide resources.
     *
     * @since 0.10.0
     */
    default java.util.Optional<ClusterStore> cluster() {
        return java.util.Optional.empty();
    }
}
