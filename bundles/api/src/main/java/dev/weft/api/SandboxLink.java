package dev.weft.api;

/**
 * A legacy link on the default {@code bridge} network, {@code sandbox:create --link NAME[:ALIAS]}
 * as Docker's: the linked sandbox's address goes into this sandbox's hosts file under its name
 * and the alias, and follows it (changed when it reconnects, removed when it goes).
 *
 * @param sandbox the linked sandbox's name
 * @param alias   the name this sandbox knows it by; equal to {@code sandbox} when none was given
 */
public record SandboxLink(String sandbox, String alias) {

    public SandboxLink {
        if (sandbox == null || sandbox.isEmpty()) {
            throw new WeftException.InvalidRequest("link has no sandbox name: use NAME or NAME:ALIAS");
        }
        alias = alias == null || alias.isEmpty() ? sandbox : alias;
    }

    /** Parses {@code NAME} or {@code NAME:ALIAS}. */
    public static SandboxLink parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new WeftException.InvalidRequest("link is empty: use NAME or NAME:ALIAS");
        }
        int colon = text.indexOf(':');
        if (colon < 0) {
            return new SandboxLink(text, text);
        }
        if (colon == 0 || colon == text.length() - 1 || text.indexOf(':', colon + 1) >= 0) {
            throw new WeftException.InvalidRequest("link \"" + text + "\" is not valid: use NAME or NAME:ALIAS");
        }
        return new SandboxLink(text.substring(0, colon), text.substring(colon + 1));
    }

    @Override
    public String toString() {
        return sandbox.equals(alias) ? sandbox : sandbox + ":" + alias;
    }
}
