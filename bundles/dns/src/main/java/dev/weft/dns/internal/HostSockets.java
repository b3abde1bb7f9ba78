package dev.weft.dns.internal;

import java.util.concurrent.Callable;

/**
 * Creates sockets inside the instance's host namespace (a socket keeps the namespace it was made
 * in, whichever thread uses it later). Never a sandbox's: no handle is held in a sandbox.
 */
@FunctionalInterface
public interface HostSockets {
    <T> T inHost(Callable<T> work);
}
