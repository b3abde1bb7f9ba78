package dev.weft.spi;

import dev.weft.api.SubnetStatus;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Optional capability of an {@link IpamDriver} that can say how much of a pool it holds is allocated
 * (Docker 29's {@code PoolStatuser}): shown by {@code network:inspect} as {@code Status.IPAM.Subnets}
 * and returned in {@code NetworkInfo.ipamStatus()}. The controller checks for it with
 * {@code instanceof}; networks of a driver without it show no status.
 *
 * @since 0.7.0
 */
@ConsumerType
public interface IpamPoolStatus {

    /**
     * How much of {@code pool} is allocated now: {@link SubnetStatus#ipsInUse()} counts every address
     * of the pool that cannot be handed out (allocated to a gateway, an auxiliary address or an
     * endpoint, or reserved: the network, broadcast or subnet-router anycast address), and
     * {@link SubnetStatus#dynamicIpsAvailable()} the free addresses of the pool's ip-range (the whole
     * pool without one) that an endpoint without a preferred address can get. Changes nothing.
     *
     * <p>Called on the path of {@code network:inspect} and {@code network:list}, once per pool: it must
     * be cheap (no walk over every address of a large pool) and must not block for long.
     *
     * @throws IpamException {@link IpamException.Reason#UNKNOWN_POOL} when the pool is not held
     */
    SubnetStatus poolStatus(PoolId pool);
}
