package dev.weft.core.internal;

import dev.weft.core.internal.ports.HostPorts;
import dev.weft.net.IpPrefix;
import dev.weft.net.NetNamespace;
import java.net.BindException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * What core itself asks of the kernel; everything else (links, addresses, firewall) is the
 * drivers'. Sandbox namespaces in the instance's namespace directory, sockets in the host
 * namespace, and the host's routes. Kept this narrow so that controller logic runs in unit tests
 * against a fake, without root ({@code FakeHostSystem} in the tests); {@link KernelHostSystem} is
 * the real one, over the kernel layer.
 */
interface HostSystem {

    /** The namespace that plays the host (the machine's own, or a configured one). */
    NetNamespace hostNamespace();

    /** Where named sandbox namespaces are made (iproute2's {@code /run/netns} by default). */
    Path namespaceDirectory();

    /**
     * Creates the named namespace with its loopback up. Fails with the kernel's EEXIST when the
     * name is taken; leaves nothing behind on failure.
     */
    NetNamespace createNamespace(String name);

    /** Identifies the namespace at {@code path} (an existing namespace a sandbox adopts). */
    NetNamespace adoptNamespace(Path path);

    /**
     * Names an existing namespace in the namespace directory as well (a bind mount of its file):
     * the same namespace, same inode. Fails with EEXIST when the name is taken, and when
     * {@code target}'s file no longer pins the namespace it was recorded as; leaves nothing behind
     * on failure. {@link #deleteNamespace} of that name removes only the name.
     */
    NetNamespace bindNamespace(String name, NetNamespace target);

    /** Deletes a named namespace's name and mount; idempotent. */
    void deleteNamespace(String name);

    /**
     * Deletes a named namespace's name but keeps the namespace alive until the returned handle is
     * closed, so that many can die together (one pass of the kernel's teardown).
     */
    AutoCloseable deleteNameHolding(String name);

    /** Runs {@code work} on a thread inside the host namespace (sockets made there belong to it). */
    <T> T inHostNamespace(Callable<T> work);

    /**
     * Holds a host port with a socket that is bound and not listening, in the host namespace;
     * port 0 asks for a free one. A port something else holds is a {@link BindException}.
     */
    HostPorts.Held reservePort(String protocol, InetAddress address, int port) throws BindException;

    /** The host namespace's routes that are not default routes (IPAM keeps clear of them). */
    List<IpPrefix> hostRoutes();
}
