package dev.weft.spi;

import java.net.InetAddress;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Optional capability of an {@link IpamDriver} that hands out addresses in order (the next free
 * one after the last given): lets the controller put the order back after a restart, so that an
 * address released just before the restart is not handed out again at once. The controller checks
 * for it with {@code instanceof}; drivers without an order do not implement it.
 */
@ConsumerType
public interface IpamRestore {

    /**
     * Continues automatic allocation in {@code pool} after {@code lastAllocated}, as if that address
     * had been the last one handed out. Called during the replay at start (see {@link IpamDriver}),
     * after every recorded address of the pool has been requested again and before any new
     * allocation in it; {@code lastAllocated} is the most recently allocated endpoint address in the
     * controller's records. Changes no allocation.
     *
     * @throws IpamException {@link IpamException.Reason#UNKNOWN_POOL},
     *                       {@link IpamException.Reason#ADDRESS_OUTSIDE_POOL}
     */
    void restoreCursor(PoolId pool, InetAddress lastAllocated);
}
