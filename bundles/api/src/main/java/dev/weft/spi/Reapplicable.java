package dev.weft.spi;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A driver's capability to put back what it keeps in state the kernel shares with other tools
 * (its firewall tables, chains, rules, sets, maps and their elements), after another tool removed
 * or changed it: {@code nft flush ruleset}, a firewall service reloading, an iptables restore.
 *
 * <h2>When it is called</h2>
 * By {@code Controller.reapply()} (the {@code network:reapply} command), on a driver that is
 * registered now, at any time after its activation and {@link Restorable#restore} of its networks;
 * concurrently with calls for networks and endpoints. The controller holds a handle on the driver
 * for the length of the call and none of its own locks.
 *
 * <h2>What it must do</h2>
 * Rewrite that state from the driver's own knowledge (what it created or restored since its
 * activation), not from what it finds in the kernel: the kernel copy is the one that may be
 * missing or wrong. Objects it finds present are brought back to what the driver wants, missing
 * ones are created, and duplicates are not made: calling it twice in a row, or when nothing was
 * disturbed, leaves the same state as calling it once (idempotent). A call for a network or an
 * endpoint that runs at the same time sees either the state before or after the reapply, never
 * its own change lost. Links, addresses and routes are not this method's business (restore is).
 * A driver whose instance must not touch the firewall (firewall mode {@code none}) does nothing.
 *
 * <h2>Failures</h2>
 * Throws a {@link RuntimeException} whose message names what could not be written and why; the
 * state may then be partly rewritten, and a later call may be repeated.
 */
@ConsumerType
public interface Reapplicable {

    /** Rewrites the driver's shared kernel state from its own knowledge; idempotent. */
    void reapply();
}
