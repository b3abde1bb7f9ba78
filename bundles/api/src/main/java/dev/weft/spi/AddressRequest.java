package dev.weft.spi;

import java.net.InetAddress;
import java.util.Objects;

/**
 * A request for one address of a pool (libnetwork's {@code RequestAddress}).
 *
 * @param preferred the address wanted, or null to let the driver pick one
 * @param kind      what the address is for; drivers may allocate differently per kind
 */
public record AddressRequest(InetAddress preferred, Kind kind) {

    /** What an address is for. */
    public enum Kind {
        /** The network's gateway (the bridge's own address). */
        GATEWAY,
        /** An auxiliary address: kept away from endpoints, used by something outside Weft. */
        AUX,
        /** An endpoint's address. */
        ENDPOINT
    }

    public AddressRequest {
        Objects.requireNonNull(kind, "kind");
    }

    /** Any free address for an endpoint. */
    public static AddressRequest any() {
        return new AddressRequest(null, Kind.ENDPOINT);
    }

    /** Exactly {@code address} for an endpoint (a static address, or a replay after restart). */
    public static AddressRequest endpoint(InetAddress address) {
        return new AddressRequest(Objects.requireNonNull(address, "address"), Kind.ENDPOINT);
    }

    /** The gateway: {@code address}, or the driver's choice when null. */
    public static AddressRequest gateway(InetAddress address) {
        return new AddressRequest(address, Kind.GATEWAY);
    }

    /** An auxiliary address kept away from endpoints. */
    public static AddressRequest aux(InetAddress address) {
        return new AddressRequest(Objects.requireNonNull(address, "address"), Kind.AUX);
    }
}
