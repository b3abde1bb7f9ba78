package dev.weft.dockerplugins;

import dev.weft.api.WeftException;

/**
 * A call to a plugin failed: its message names the plugin, the call and what went wrong, for
 * people. {@link #kind()} tells a caller whether the plugin may still be working on it
 * ({@link Kind#TIMEOUT}: an undo call would likely hang as well) or answered.
 */
final class PluginCallException extends WeftException.Failed {
    private static final long serialVersionUID = 1L;

    /** What went wrong. */
    enum Kind {
        /** No answer within the timeout. */
        TIMEOUT,
        /** Could not connect, or the connection broke. */
        UNREACHABLE,
        /** An HTTP status other than 200, without an {@code Err} in the body. */
        HTTP_STATUS,
        /** An answer that is not JSON, or not of the call's shape. */
        GARBAGE,
        /** The plugin answered {@code {"Err": "..."}}. */
        REFUSED
    }

    private final Kind kind;
    private final String pluginMessage;

    PluginCallException(Kind kind, String message, String pluginMessage, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.pluginMessage = pluginMessage;
    }

    Kind kind() {
        return kind;
    }

    /** For {@link Kind#REFUSED}: the plugin's own {@code Err} text; else null. */
    String pluginMessage() {
        return pluginMessage;
    }
}
