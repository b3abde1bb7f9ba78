package dev.weft.spi;

import dev.weft.net.IpPrefix;
import java.net.InetAddress;
import java.util.Objects;

/**
 * An {@link IpamDriver} refused a request. The {@link #reason()} lets the controller react (for
 * example, map {@link Reason#POOL_OVERLAP} to the network that holds {@link #pool()}); the message
 * is for people: what was refused, which value, why, and what would work, e.g.
 * {@code subnet 10.1.0.0/16 overlaps the pool 10.1.0.0/24 in use; choose another subnet or omit it
 * to get a free one}.
 *
 * <p>A driver that throws this has changed nothing (see {@link IpamDriver}).
 */
public class IpamException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why a request was refused. */
    public enum Reason {
        /** An explicitly requested pool overlaps a pool in use; {@link #pool()} is the one in use. */
        POOL_OVERLAP,
        /** No pool was requested and none of the driver's default pools is free. */
        NO_FREE_POOL,
        /** The pool (or its ip-range) has no free address left; {@link #pool()} names it. */
        POOL_EXHAUSTED,
        /** The preferred address is held already; {@link #address()} names it. */
        ADDRESS_IN_USE,
        /** The address is not inside the pool; {@link #pool()} and {@link #address()} name both. */
        ADDRESS_OUTSIDE_POOL,
        /** The pool id names no pool the driver holds. */
        UNKNOWN_POOL,
        /** The request is malformed: unknown address space or option, wrong family, ip-range outside
         *  the pool, a reserved address (network, broadcast) asked for, and the like. */
        INVALID_REQUEST
    }

    private final Reason reason;
    private final IpPrefix pool;
    private final InetAddress address;

    /**
     * @param reason  why
     * @param message for people: what, which value, why, what would work
     * @param pool    the pool the refusal is about (the one in use for {@link Reason#POOL_OVERLAP}), or null
     * @param address the address the refusal is about, or null
     */
    public IpamException(Reason reason, String message, IpPrefix pool, InetAddress address) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason");
        this.pool = pool;
        this.address = address;
    }

    public IpamException(Reason reason, String message) {
        this(reason, message, null, null);
    }

    public Reason reason() {
        return reason;
    }

    /** The pool the refusal is about, or null: the pool in use for {@link Reason#POOL_OVERLAP}. */
    public IpPrefix pool() {
        return pool;
    }

    /** The address the refusal is about, or null. */
    public InetAddress address() {
        return address;
    }
}
