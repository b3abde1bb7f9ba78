package dev.weft.api;

import java.math.BigInteger;
import java.util.Objects;

/**
 * How much of one subnet of a network is allocated (Docker's {@code SubnetStatus}, Engine API 1.52,
 * shown by {@code network:inspect} under {@code Status.IPAM.Subnets}). Counted by the network's IPAM
 * driver from its leases. The counts are exact (an IPv6 /64 holds 2<sup>64</sup> addresses, more than
 * a {@code long}); Docker's JSON saturates them at 2<sup>64</sup> - 1.
 *
 * @param ipsInUse            addresses of the subnet that cannot be handed out: in use (gateway,
 *                            auxiliary and endpoint addresses) or reserved (the network address, the
 *                            IPv4 broadcast address, the IPv6 subnet-router anycast address)
 * @param dynamicIpsAvailable addresses of the ip-range (the whole subnet when it has none) that
 *                            endpoints without a static address can still get
 * @since 0.7.0
 */
public record SubnetStatus(BigInteger ipsInUse, BigInteger dynamicIpsAvailable) {
    public SubnetStatus {
        Objects.requireNonNull(ipsInUse, "ipsInUse");
        Objects.requireNonNull(dynamicIpsAvailable, "dynamicIpsAvailable");
        if (ipsInUse.signum() < 0 || dynamicIpsAvailable.signum() < 0) {
            throw new IllegalArgumentException("address counts cannot be negative, got " + ipsInUse + " in use and "
                    + dynamicIpsAvailable + " available");
        }
    }

    /** The status with {@code long} counts. */
    public static SubnetStatus of(long ipsInUse, long dynamicIpsAvailable) {
        return new SubnetStatus(BigInteger.valueOf(ipsInUse), BigInteger.valueOf(dynamicIpsAvailable));
    }
}
