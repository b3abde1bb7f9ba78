package dev.weft.cluster.etcd;

import dev.weft.spi.ClusterStore;
import java.util.concurrent.ThreadFactory;

/**
 * An etcd {@link ClusterStore} without OSGi, for code on a plain classpath (the benchmarks): the
 * same store {@link EtcdComponent} registers, with the other settings at their defaults. The
 * package is not exported, so bundles never see this class.
 */
public final class EtcdStores {
    private EtcdStores() {
    }

    /**
     * A store on {@code store} ({@code etcd://H:2379,H:2379}, as {@code cluster.store}) for the host
     * whose underlay address is {@code advertise} (also its node id), every socket opened on a
     * thread of {@code threads} (null: plain daemon threads). The result is {@link AutoCloseable}:
     * closing it stops its watches and keepalive without revoking the lease.
     */
    public static ClusterStore open(String store, String advertise, ThreadFactory threads) {
        return new EtcdClusterStore(EtcdSettings.of(store, advertise), threads);
    }
}
