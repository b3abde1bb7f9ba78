package dev.weft.dockerplugins;

import dev.weft.api.WeftException;
import dev.weft.linux.Kernel;
import dev.weft.linux.KernelException;
import dev.weft.linux.Link;
import dev.weft.linux.LinkChange;
import dev.weft.linux.Route;
import dev.weft.linux.Rtnetlink;
import dev.weft.net.InterfaceAddress;
import dev.weft.net.MacAddress;
import dev.weft.net.NetNamespace;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The kernel side of a plugin's endpoint, as libnetwork's sandbox does it for remote drivers: the
 * interface the plugin made in the host namespace ({@code SrcName}) moves into the sandbox under the
 * endpoint's name, gets its MAC, addresses, state and routes there; at leave it moves back under
 * {@code SrcName}, so the plugin finds it where it left it and deletes it. All through rtnetlink.
 *
 * <p>The interface carries the alias {@code weft:<instance>:<network>/<endpoint>/<SrcName>} while
 * in the sandbox: ownership, and the name to give it back under, also after a restart.
 */
final class SandboxInterface {
    private SandboxInterface() {}

    /** What to set up on the interface once it is in the sandbox. */
    record Setup(String name, String alias, MacAddress mac, InterfaceAddress ipv4, InterfaceAddress ipv6,
                 List<Route> routes, Map<String, String> sysctls) {}

    /**
     * Moves {@code srcName} of the host namespace into {@code sandbox} as {@code setup.name()} and sets
     * it up; returns its MAC. On failure it leaves nothing in the sandbox: the interface is back in
     * the host namespace under {@code srcName} (or, when even that fails, the failure says where).
     */
    static MacAddress moveIn(Kernel kernel, String plugin, String srcName, NetNamespace sandbox, Setup setup) {
        Rtnetlink host = kernel.host();
        Link link;
        try {
            LinkChange.of(srcName); // a name the kernel could have: else say so before asking it
            link = host.link(srcName).orElseThrow(() -> new WeftException.Failed("Docker plugin \"" + plugin
                    + "\": its Join named the interface \"" + srcName + "\" (SrcName), but the host namespace "
                    + kernel.hostNamespace().path() + " has no such interface; the plugin must create it there "
                    + "before it answers Join", null));
        } catch (IllegalArgumentException e) {
            throw new WeftException.Failed("Docker plugin \"" + plugin + "\": its Join named the interface \""
                    + srcName + "\" (SrcName), which is not an interface name: " + e.getMessage(), e);
        }
        if (link.alias() != null && link.alias().startsWith("weft:") || "lo".equals(srcName)) {
            throw new WeftException.Failed("Docker plugin \"" + plugin + "\": its Join named the interface \"" + srcName
                    + "\" (SrcName), which is " + ("lo".equals(srcName) ? "the loopback" : "Weft's own (" + link.alias()
                    + ")") + "; a plugin hands over only an interface it made for this endpoint", null);
        }
        try {
            host.setLink(LinkChange.of(link.index()).down().moveTo(sandbox).rename(setup.name()));
        } catch (KernelException e) {
            throw new WeftException.Failed("Docker plugin \"" + plugin + "\": cannot move its interface " + srcName
                    + " into sandbox namespace " + sandbox.path() + " as " + setup.name() + ": " + e.getMessage()
                    + (e.isExists() ? " (the sandbox has an interface of that name already)" : ""), e);
        }
        try {
            return kernel.inNamespace(sandbox, setup.sysctls(), rt -> configure(rt, setup));
        } catch (RuntimeException e) {
            try {
                moveOut(kernel, sandbox, setup.name(), null, srcName);
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private static MacAddress configure(Rtnetlink rt, Setup s) {
        int index = rt.index(s.name());
        if (s.mac() != null) {
            rt.setLink(LinkChange.of(index).mac(s.mac()));
        }
        var batch = rt.interfaceUp(index, s.alias(), s.ipv4(), s.ipv6()).barrier();
        for (Route r : s.routes()) {
            batch.addRoute(withDevice(r, index));
        }
        batch.send();
        return rt.link(index).map(Link::mac).orElse(null);
    }

    /** The route on the interface (the routes are made before its index in the sandbox is known). */
    private static Route withDevice(Route r, int index) {
        return new Route(r.destination(), r.gateway(), index, r.onLink(), r.metric());
    }

    /**
     * The routes the endpoint gets: its default routes through the gateways (when {@code default4}/
     * {@code default6}), then the plugin's static routes ({@code RouteType} 1 on the link, 0 via
     * {@code NextHop}). Device 0: {@link #configure} puts the interface's index in.
     */
    static List<Route> routes(InetAddress gateway4, boolean default4, InetAddress gateway6, boolean default6,
                              List<NetworkApi.StaticRoute> statics) {
        List<Route> out = new ArrayList<>();
        if (default4 && gateway4 != null) {
            out.add(Route.defaultVia(gateway4, 0));
        }
        if (default6 && gateway6 != null) {
            out.add(Route.defaultVia(gateway6, 0));
        }
        for (NetworkApi.StaticRoute r : statics) {
            out.add(r.routeType() == NetworkApi.StaticRoute.CONNECTED ? Route.direct(r.destination(), 0)
                    : new Route(r.destination(), r.nextHop(), 0, false, 0));
        }
        return out;
    }

    /**
     * Moves the sandbox's interface {@code name} back to the host namespace under its source name:
     * {@code srcName} when given, else the one its alias records (it must start with {@code aliasPrefix}:
     * an interface of that name that is not ours is left alone). Nothing to do when the namespace or
     * the interface is gone. Returns whether it moved one.
     */
    static boolean moveOut(Kernel kernel, NetNamespace sandbox, String name, String aliasPrefix, String srcName) {
        if (!sandbox.stillThere()) {
            return false;
        }
        try {
            return kernel.inNamespace(sandbox, rt -> {
                var link = rt.link(name);
                if (link.isEmpty()) {
                    return false;
                }
                String src = srcName;
                if (src == null) {
                    String alias = link.get().alias();
                    if (alias == null || !alias.startsWith(aliasPrefix)) {
                        return false;
                    }
                    src = alias.substring(aliasPrefix.length());
                }
                rt.setLink(LinkChange.of(link.get().index()).down().moveTo(kernel.hostNamespace()).rename(src));
                return true;
            });
        } catch (KernelException e) {
            if (e.isNotFound() || !sandbox.stillThere()) {
                return false;
            }
            throw e;
        }
    }

    /** Makes the interface's default routes what the flags say (for DefaultRoutes). */
    static void setDefaultRoutes(Kernel kernel, NetNamespace sandbox, String name, InetAddress gateway4,
                                 boolean default4, InetAddress gateway6, boolean default6) {
        kernel.inNamespace(sandbox, rt -> {
            var link = rt.link(name);
            if (link.isEmpty()) {
                if (default4 || default6) {
                    throw new WeftException.Failed("cannot add a default route: interface " + name
                            + " is not in sandbox namespace " + sandbox.path(), null);
                }
                return null;
            }
            int index = link.get().index();
            List<InetAddress> gateways = new ArrayList<>();
            if (gateway4 != null) {
                gateways.add(gateway4);
            }
            if (gateway6 != null) {
                gateways.add(gateway6);
            }
            List<Route> wanted = new ArrayList<>();
            for (Route r : routes(gateway4, default4, gateway6, default6, List.of())) {
                wanted.add(withDevice(r, index));
            }
            rt.setDefaultRoutes(index, gateways, wanted);
            return null;
        });
    }
}
