package dev.weft.spi;

/** A {@link ClusterStore} call that failed; the message names the store's endpoints and what went wrong. */
public class ClusterException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why it failed. */
    public enum Reason {
        /** No endpoint answered within the timeout, or the cluster has no quorum: nothing was changed. */
        UNAVAILABLE,
        /** A change was sent but its answer was lost: it may or may not have been applied. */
        INDETERMINATE,
        /** The store refused the request (malformed, too large, permission); retrying will not help. */
        REJECTED
    }

    private final Reason reason;

    public ClusterException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public ClusterException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
