package dev.weft.api;

/**
 * A request Weft refused or could not carry out. The message is for people: it names the object,
 * the value that was wrong and what would be accepted. Subclasses tell callers what kind of
 * failure it was (the shell maps them to exit codes, embedders to their own errors).
 */
public class WeftException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public WeftException(String message) {
        super(message);
    }

    public WeftException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The request is malformed or names values that are not accepted; nothing was changed. */
    public static class InvalidRequest extends WeftException {
        private static final long serialVersionUID = 1L;

        public InvalidRequest(String message) {
            super(message);
        }
    }

    /** A named object does not exist. */
    public static class NotFound extends WeftException {
        private static final long serialVersionUID = 1L;

        public NotFound(String message) {
            super(message);
        }
    }

    /**
     * The request conflicts with what exists: a duplicate name, an overlapping subnet, an address or
     * host port in use, a network that still has endpoints, a predefined network.
     */
    public static class Conflict extends WeftException {
        private static final long serialVersionUID = 1L;

        public Conflict(String message) {
            super(message);
        }
    }

    /**
     * The driver a network needs is not installed (or was removed): its kernel state stays in
     * place, and the network works again once the driver returns.
     */
    public static class Unavailable extends WeftException {
        private static final long serialVersionUID = 1L;

        public Unavailable(String message) {
            super(message);
        }
    }

    /** The kernel or a driver failed while carrying out a valid request; what was done is rolled back. */
    public static class Failed extends WeftException {
        private static final long serialVersionUID = 1L;

        public Failed(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
