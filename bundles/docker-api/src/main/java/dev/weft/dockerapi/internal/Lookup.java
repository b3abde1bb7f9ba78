package dev.weft.dockerapi.internal;

import dev.weft.api.Controller;
import dev.weft.api.NetworkInfo;
import dev.weft.api.SandboxInfo;
import dev.weft.api.WeftException;
import java.util.List;
import java.util.function.Function;

/**
 * Finds networks and sandboxes the way Docker's daemon finds networks and containers: by full id,
 * then by name, then by a unique id prefix of any length (the controller itself takes prefixes of
 * 12 characters or more). A prefix two objects share is refused naming both.
 */
final class Lookup {
    private Lookup() {}

    static NetworkInfo network(Controller controller, String term) {
        NetworkInfo n = find(controller.networks(), term, NetworkInfo::id, NetworkInfo::name, "network");
        if (n == null) {
            throw new WeftException.NotFound("network " + term + " not found");
        }
        return n;
    }

    /** A sandbox by id, name ({@code /name} too, as Docker's container names), or unique id prefix. */
    static SandboxInfo sandbox(Controller controller, String term) {
        String t = term.startsWith("/") ? term.substring(1) : term;
        SandboxInfo s = find(controller.sandboxes(), t, SandboxInfo::id, SandboxInfo::name, "container");
        if (s == null) {
            throw new WeftException.NotFound("No such container: " + term);
        }
        return s;
    }

    private static <T> T find(List<T> all, String term, Function<T, String> id, Function<T, String> name, String kind) {
        if (term.isEmpty()) {
            return null;
        }
        for (T t : all) {
            if (id.apply(t).equals(term)) {
                return t;
            }
        }
        for (T t : all) {
            if (name.apply(t).equals(term)) {
                return t;
            }
        }
        List<T> byPrefix = all.stream().filter(t -> id.apply(t).startsWith(term)).toList();
        if (byPrefix.size() > 1) {
            throw new WeftException.InvalidRequest(kind + " " + term + " is ambiguous: the ids of "
                    + byPrefix.stream().map(name).sorted().toList() + " start with it; give more of the id, or the name");
        }
        return byPrefix.isEmpty() ? null : byPrefix.get(0);
    }
}
