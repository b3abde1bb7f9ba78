package dev.weft.cni.internal;

/** A CNI error: its code (the spec's well-known codes below 100, Weft's own from 100) and message. */
final class CniError extends RuntimeException {

    static final int INCOMPATIBLE_VERSION = 1;
    static final int UNSUPPORTED_FIELD = 2;
    static final int UNKNOWN_CONTAINER = 3;
    static final int INVALID_ENVIRONMENT = 4;
    static final int IO_FAILURE = 5;
    static final int DECODE_FAILURE = 6;
    static final int INVALID_CONFIG = 7;
    static final int TRY_AGAIN_LATER = 11;
    static final int NOT_AVAILABLE = 50;
    static final int LIMITED_CONNECTIVITY = 51;
    /** Weft's own: the container is already attached to the network with this interface name. */
    static final int ALREADY_ATTACHED = 100;
    /** Weft's own: Weft refused or failed the request (its message says why). */
    static final int WEFT_FAILED = 101;
    /** Weft's own: CHECK found the kernel state different from what Weft made. */
    static final int CHECK_FAILED = 102;

    final int code;
    final String details;

    CniError(int code, String message) {
        this(code, message, "");
    }

    CniError(int code, String message, String details) {
        super(message);
        this.code = code;
        this.details = details == null ? "" : details;
    }
}
