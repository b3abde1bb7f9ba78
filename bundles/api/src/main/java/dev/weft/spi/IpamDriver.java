package dev.weft.spi;

import java.net.InetAddress;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * IP address management: hands out subnets (pools) to networks and addresses within them to
 * gateways and endpoints. Modelled on libnetwork's {@code ipamapi.Ipam}. Weft ships a default
 * implementation in core; third parties may register their own.
 *
 * <h2>Registration</h2>
 * An IPAM driver is an OSGi service of this type with the service property {@value #NAME} (e.g.
 * {@code fixed}). People choose it with {@code network:create --ipam-driver NAME} and give it options
 * with {@code --ipam-opt KEY=VALUE}, which reach it as {@link PoolRequest#options()} of every pool
 * request for that network, replays included. Two names are built into core and cannot be
 * registered: {@value #DEFAULT} (Weft's own, used when a network names none) and {@value #NULL}
 * (no addresses: the network gets no subnets, its endpoints no addresses, and no driver is called,
 * as with Docker's {@code null} IPAM). The controller tracks the others dynamically, like network
 * drivers: the first registration of a name serves new networks and a later one with the same name
 * does not shadow it; a network remembers the name and the bundle of the IPAM driver that allocated
 * its pools, and only that bundle serves it. When the service goes away, its networks keep their
 * subnets, endpoints and kernel state but take no new endpoints and cannot be removed until it
 * returns (sandboxes can still leave them: the addresses they held are then not replayed).
 *
 * <p>Each registration starts from nothing: when the service arrives (or returns), the controller
 * replays the records of its networks into it (see <em>Restart</em>) before any other call for
 * them, and offers it to new networks only after that. A driver that keeps state across an
 * unregistration must drop it then. Its state belongs to one run of the controller, so a driver
 * with state references the {@link DriverContext} service (mandatory, as network drivers do): it is
 * then deactivated when core stops or restarts and starts empty when core is back, instead of
 * meeting a new controller's replay with the pools of the last one.
 *
 * <h2>Call order</h2>
 * The controller calls
 * <ol>
 * <li>{@link #addressSpaces()} once, when the service is registered;</li>
 * <li>on network creation, per subnet (IPv4 first, then IPv6): {@link #requestPool}, then
 *     {@link #requestAddress} of kind {@link AddressRequest.Kind#GATEWAY} (unless the network has no
 *     gateway, or its gateway is an IPv6 link-local address outside the pool) and one of kind
 *     {@link AddressRequest.Kind#AUX} per auxiliary address;</li>
 * <li>on endpoint creation: {@link #requestAddress} of kind {@link AddressRequest.Kind#ENDPOINT} per
 *     pool of the network; on endpoint deletion: {@link #releaseAddress} for each;</li>
 * <li>on network deletion, once its endpoints are gone: {@link #releaseAddress} for the gateway and
 *     auxiliary addresses, then {@link #releasePool}.</li>
 * </ol>
 * When a step of a network or endpoint creation fails, the controller releases what it had
 * obtained for it, in reverse order.
 *
 * <h2>Restart</h2>
 * The driver's state lives in memory; the controller's records are the one source of truth
 * (docs/architecture.md §7). At start, and when the driver's service arrives, the controller replays
 * them before any other call: {@link #requestPool} with each network's recorded prefix and ip-range
 * given explicitly (also for pools the driver had picked) and its recorded options, then {@link #requestAddress} with every recorded gateway, auxiliary and endpoint address
 * as preferred address, then, when the driver implements {@link IpamRestore},
 * {@link IpamRestore#restoreCursor}. A replayed request must succeed where the original did and give
 * the same {@link PoolId}; in particular a driver may not refuse a replayed pool because it now
 * overlaps a route of the host.
 *
 * <h2>Failures</h2>
 * Every method that refuses throws {@link IpamException} and has changed nothing: a failed
 * {@link #requestPool} holds no pool, a failed {@link #requestAddress} holds no address. The
 * release methods are idempotent, so teardown after a crash can repeat them.
 *
 * <h2>Threads</h2>
 * Implementations must be thread-safe: the controller calls from several threads at once, also for
 * the same pool. It holds none of its own locks while calling, so an implementation may block for a
 * short time (a remote store), but every call is on the path of a user's command.
 */
@ConsumerType
public interface IpamDriver {

    /** The service property holding the IPAM driver's name. */
    String NAME = "weft.ipam.name";

    /** The built-in IPAM driver of networks that name none (in core; Docker's name). */
    String DEFAULT = "default";

    /**
     * The built-in IPAM driver that gives no addresses: its networks have no subnets and their
     * endpoints no addresses (Docker's {@code null} IPAM). Network drivers see it in
     * {@link NetworkConfig#ipamDriver()} and refuse it in {@link NetworkDriver#validate} when they
     * cannot serve a network without addresses.
     */
    String NULL = "null";

    /**
     * The names of the default local and global address spaces. Called once, before any other
     * method; the answer must not change while the driver is registered.
     */
    AddressSpaces addressSpaces();

    /**
     * Reserves a pool for a network.
     *
     * <p>With {@link PoolRequest#pool()} null the driver picks a free subnet of the requested family
     * that overlaps no pool it holds in the address space; when {@link PoolRequest#prefixLength()} is
     * set, one of exactly that prefix length (or it refuses, see there). With an explicit pool it gives exactly
     * that subnet, or refuses with {@link IpamException.Reason#POOL_OVERLAP} naming the overlapping
     * pool in use. With a {@link PoolRequest#subPool()} (ip-range) endpoints without a preferred
     * address get theirs from it; it must lie inside the pool.
     *
     * <p>The same explicit request (address space, prefix, ip-range) must yield the same
     * {@link PoolId} every time, also in a later run of the driver: the id is stored in the
     * controller's records.
     *
     * <p>Reserves no address, not even the suggested gateway: the controller requests that next.
     *
     * @throws IpamException {@link IpamException.Reason#INVALID_REQUEST} (unknown address space or
     *                       option, family mismatch, ip-range outside the pool or without one, a prefix
     *                       length the driver cannot give),
     *                       {@link IpamException.Reason#POOL_OVERLAP},
     *                       {@link IpamException.Reason#NO_FREE_POOL}
     */
    PoolAllocation requestPool(PoolRequest request);

    /**
     * Releases a pool and every address still allocated in it. Called after the network's endpoints
     * are deleted and its gateway and auxiliary addresses released, or when a network creation is
     * rolled back. Idempotent: releasing a pool the driver does not hold does nothing.
     *
     * @throws IpamException {@link IpamException.Reason#INVALID_REQUEST} when the id cannot be one
     *                       of this driver's
     */
    void releasePool(PoolId pool);

    /**
     * Reserves one address of a pool the driver holds.
     *
     * <p>With a {@link AddressRequest#preferred()} address the driver gives exactly that address
     * when it is inside the pool (the ip-range does not apply) and free, otherwise refuses. Without
     * one it picks a free address: for {@link AddressRequest.Kind#ENDPOINT} from the ip-range when
     * the pool has one. Addresses that cannot be assigned to an interface (the network address,
     * the IPv4 broadcast address, the IPv6 subnet-router anycast address) are never given.
     *
     * @return the address with the pool's prefix length
     * @throws IpamException {@link IpamException.Reason#UNKNOWN_POOL},
     *                       {@link IpamException.Reason#ADDRESS_OUTSIDE_POOL},
     *                       {@link IpamException.Reason#ADDRESS_IN_USE},
     *                       {@link IpamException.Reason#POOL_EXHAUSTED},
     *                       {@link IpamException.Reason#INVALID_REQUEST} (a reserved address asked for)
     */
    AddressAllocation requestAddress(PoolId pool, AddressRequest request);

    /**
     * Releases one address, after the endpoint, gateway or auxiliary address that used it is gone
     * from the kernel (an address handed out again while still configured would be a duplicate on
     * the wire). Idempotent: releasing a free address, or an address of a pool the driver no longer
     * holds, does nothing.
     *
     * @throws IpamException {@link IpamException.Reason#ADDRESS_OUTSIDE_POOL} when the pool is held
     *                       and the address is not in it; {@link IpamException.Reason#INVALID_REQUEST}
     *                       when the id cannot be one of this driver's
     */
    void releaseAddress(PoolId pool, InetAddress address);
}
