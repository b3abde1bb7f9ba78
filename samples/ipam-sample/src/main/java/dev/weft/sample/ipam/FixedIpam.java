package dev.weft.sample.ipam;

import static dev.weft.spi.IpamException.Reason.ADDRESS_IN_USE;
import static dev.weft.spi.IpamException.Reason.ADDRESS_OUTSIDE_POOL;
import static dev.weft.spi.IpamException.Reason.INVALID_REQUEST;
import static dev.weft.spi.IpamException.Reason.POOL_EXHAUSTED;
import static dev.weft.spi.IpamException.Reason.POOL_OVERLAP;
import static dev.weft.spi.IpamException.Reason.UNKNOWN_POOL;

import dev.weft.net.InterfaceAddress;
import dev.weft.net.IpAddresses;
import dev.weft.net.IpPrefix;
import dev.weft.spi.AddressAllocation;
import dev.weft.spi.AddressRequest;
import dev.weft.spi.AddressSpaces;
import dev.weft.spi.DriverContext;
import dev.weft.spi.IpamDriver;
import dev.weft.spi.IpamException;
import dev.weft.spi.PoolAllocation;
import dev.weft.spi.PoolId;
import dev.weft.spi.PoolRequest;
import java.math.BigInteger;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The {@code fixed} IPAM driver: the smallest useful IPAM driver, written as a third party would
 * write one (see the module's README). A network names the subnet ({@code --subnet}, required: it
 * picks none) and, in the option {@code addresses}, the addresses its endpoints get, in that order;
 * an endpoint gets the first one of the list that is free. The gateway is the one given or the
 * lowest address of the subnet that is not in the list.
 *
 * <p>State lives in memory only, as the SPI asks: each registration starts empty and the controller
 * replays the leases it recorded (pools with their options, then every address) before it calls
 * anything else; the pool id depends on the request alone, so the replay gives the same id. The
 * component references core's {@link DriverContext} only for its lifecycle: it is deactivated when
 * core stops, so a restarted core meets a new, empty instance (the state of one run of the
 * controller never meets the next one's replay). It
 * does not implement {@code IpamRestore}: the list has an order of its own, so an address released
 * is handed out again at once (a real driver would rather wait, as the default one does).
 *
 * <p>Thread-safe: every method holds the instance's lock for microseconds.
 */
@Component(service = IpamDriver.class, property = IpamDriver.NAME + "=" + FixedIpam.NAME)
public final class FixedIpam implements IpamDriver {
    public static final String NAME = "fixed";
    private static final AddressSpaces SPACES = new AddressSpaces("fixed-local", "fixed-global");
    private static final String ID_PREFIX = NAME + "/";

    /** One pool in use: its subnet, its list, and which of its addresses are taken. */
    private record Pool(String space, IpPrefix subnet, FixedOptions options, Set<InetAddress> taken) {}

    private final Map<PoolId, Pool> pools = new HashMap<>();

    /** For tests and embedders without DS. */
    public FixedIpam() {
    }

    /**
     * DS activates it only while core offers its {@link DriverContext} (one per instance), so its
     * state lives exactly as long as one run of the controller that replays into it.
     */
    @Activate
    public FixedIpam(@Reference DriverContext context) {
        this();
    }

    @Override
    public AddressSpaces addressSpaces() {
        return SPACES;
    }

    @Override
    public synchronized PoolAllocation requestPool(PoolRequest r) {
        if (!SPACES.contains(r.addressSpace())) {
            throw new IpamException(INVALID_REQUEST, "address space \"" + r.addressSpace() + "\" is not one of IPAM "
                    + "driver \"" + NAME + "\"'s (" + SPACES.local() + ", " + SPACES.global() + ")");
        }
        IpPrefix subnet = r.pool();
        if (subnet == null) {
            throw new IpamException(INVALID_REQUEST, "IPAM driver \"" + NAME + "\" picks no subnets: give one with "
                    + "--subnet, and its endpoints' addresses with --ipam-opt " + FixedOptions.ADDRESSES + "=A,B,...");
        }
        if (subnet.isIpv4() == r.ipv6()) {
            throw new IpamException(INVALID_REQUEST, "subnet " + subnet + " is not of the family requested", subnet, null);
        }
        if (r.subPool() != null) {
            throw new IpamException(INVALID_REQUEST, "IPAM driver \"" + NAME + "\" takes no --ip-range: the option "
                    + FixedOptions.ADDRESSES + " says which addresses endpoints get", subnet, null);
        }
        FixedOptions options = FixedOptions.parse(r.options(), subnet);
        for (Pool p : pools.values()) {
            if (p.space().equals(r.addressSpace()) && p.subnet().overlaps(subnet)) {
                throw new IpamException(POOL_OVERLAP, "subnet " + subnet + " overlaps the pool " + p.subnet()
                        + " in use; choose another subnet", p.subnet(), null);
            }
        }
        PoolId id = new PoolId(ID_PREFIX + r.addressSpace() + "/" + subnet);
        Pool pool = new Pool(r.addressSpace(), subnet, options, new HashSet<>());
        pools.put(id, pool);
        return new PoolAllocation(id, subnet, lowestOutsideList(pool));
    }

    @Override
    public synchronized void releasePool(PoolId id) {
        checkFormat(id);
        pools.remove(id);
    }

    @Override
    public synchronized AddressAllocation requestAddress(PoolId id, AddressRequest r) {
        Pool pool = pools.get(id);
        if (pool == null) {
            throw new IpamException(UNKNOWN_POOL, "pool \"" + id + "\" is not held by IPAM driver \"" + NAME + "\"");
        }
        InetAddress a = r.preferred();
        if (a != null) {
            if (!pool.subnet().contains(a)) {
                throw new IpamException(ADDRESS_OUTSIDE_POOL, IpAddresses.format(a) + " is not inside " + pool.subnet(),
                        pool.subnet(), a);
            }
            if (reserved(pool.subnet(), a)) {
                throw new IpamException(INVALID_REQUEST, IpAddresses.format(a) + " is the network or broadcast address "
                        + "of " + pool.subnet(), pool.subnet(), a);
            }
        } else if (r.kind() == AddressRequest.Kind.ENDPOINT) {
            a = pool.options().addresses().stream().filter(x -> !pool.taken().contains(x)).findFirst()
                    .orElseThrow(() -> new IpamException(POOL_EXHAUSTED, "all " + pool.options().addresses().size()
                            + " addresses of the list of " + pool.subnet() + " are in use; add addresses to the list "
                            + "(a new network) or remove an endpoint", pool.subnet(), null));
        } else {
            a = lowestOutsideList(pool);
            if (a == null) {
                throw new IpamException(POOL_EXHAUSTED, "no address of " + pool.subnet() + " is left outside the list",
                        pool.subnet(), null);
            }
        }
        if (pool.taken().contains(a)) {
            throw new IpamException(ADDRESS_IN_USE, IpAddresses.format(a) + " is in use", pool.subnet(), a);
        }
        pool.taken().add(a);
        return new AddressAllocation(new InterfaceAddress(a, pool.subnet().length()));
    }

    @Override
    public synchronized void releaseAddress(PoolId id, InetAddress address) {
        checkFormat(id);
        Pool pool = pools.get(id);
        if (pool == null) {
            return;
        }
        if (!pool.subnet().contains(address)) {
            throw new IpamException(ADDRESS_OUTSIDE_POOL, IpAddresses.format(address) + " is not inside "
                    + pool.subnet(), pool.subnet(), address);
        }
        pool.taken().remove(address);
    }

    /** The network address, and for IPv4 subnets up to /30 the broadcast address. */
    static boolean reserved(IpPrefix subnet, InetAddress a) {
        int width = subnet.isIpv4() ? 32 : 128;
        BigInteger offset = new BigInteger(1, a.getAddress()).subtract(new BigInteger(1, subnet.address().getAddress()));
        BigInteger last = BigInteger.ONE.shiftLeft(width - subnet.length()).subtract(BigInteger.ONE);
        boolean pointToPoint = width - subnet.length() < 2;
        return !pointToPoint && (offset.signum() == 0 || subnet.isIpv4() && offset.equals(last));
    }

    /** The lowest free address of the pool that is not in the list (the gateway's), or null. */
    private static InetAddress lowestOutsideList(Pool pool) {
        int width = pool.subnet().isIpv4() ? 32 : 128;
        BigInteger size = BigInteger.ONE.shiftLeft(width - pool.subnet().length());
        for (BigInteger n = BigInteger.ZERO; n.compareTo(size) < 0 && n.intValue() < 1024; n = n.add(BigInteger.ONE)) {
            InetAddress a = pool.subnet().addressAt(n);
            if (!reserved(pool.subnet(), a) && !pool.options().addresses().contains(a) && !pool.taken().contains(a)) {
                return a;
            }
        }
        return null;
    }

    private static void checkFormat(PoolId id) {
        if (!id.value().startsWith(ID_PREFIX)) {
            throw new IpamException(INVALID_REQUEST, "pool id \"" + id + "\" was not made by IPAM driver \"" + NAME
                    + "\" (its ids start with " + ID_PREFIX + ")");
        }
    }
}
