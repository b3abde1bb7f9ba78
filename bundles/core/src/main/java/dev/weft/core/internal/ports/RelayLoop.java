package dev.weft.core.internal.ports;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.concurrent.Callable;

/**
 * What a relay ({@link TcpRelay}, {@link UdpRelay}) sees of the loop that runs it: the loop
 * ({@link PortProxy}) makes relays and drives them, and a relay needs nothing of the loop but
 * sockets made in the host namespace. So the dependency goes one way: the relays know this
 * interface, not the loop.
 */
interface RelayLoop {

    /**
     * Runs {@code work} (which creates a socket) in the runtime's host namespace: a socket keeps the
     * namespace it was created in, whichever thread uses it later, so relayed flows leave from the
     * host, as a host process's would.
     */
    <T> T inHost(Callable<T> work) throws IOException;

    /** What the loop's selector calls when a key of a relay is ready (the key's attachment). */
    interface Handler {
        void ready(SelectionKey key);
    }

    /**
     * A listening socket with its flows. The methods run on the loop's thread only, except
     * {@link #target(InetSocketAddress)}.
     */
    interface Relay {
        void register(Selector selector) throws IOException;

        /**
         * Points new clients at {@code target}, or at nothing (null: a TCP client is reset, a datagram
         * dropped). Any thread; flows in progress keep their target until {@link #endFlows}.
         *
         * @return the target before
         */
        InetSocketAddress target(InetSocketAddress target);

        /**
         * Whether IPv4 clients are relayed too (true for an endpoint without IPv4, which no IPv4 DNAT
         * can reach), or refused (false, the default: IPv4 here means Weft's DNAT rules are missing).
         * Any thread.
         */
        void ipv4Clients(boolean relayed);

        /** Ends every flow relayed so far (a TCP connection is reset); the socket keeps listening. */
        void endFlows();

        /** Ends flows idle for too long at {@code now} (System.nanoTime); a TCP flow ends with its connection. */
        default void sweep(long now) {
        }

        /** Closes the listening socket and every flow. */
        void close();
    }
}
