package dev.weft.dockerplugins;

import com.google.gson.JsonObject;
import dev.weft.api.Failures;
import dev.weft.api.PortBinding;
import dev.weft.linux.Kernel;
import dev.weft.net.InterfaceAddress;
import dev.weft.net.MacAddress;
import dev.weft.spi.DefaultRoutes;
import dev.weft.spi.DriverContext;
import dev.weft.spi.EndpointConfig;
import dev.weft.spi.EndpointOperationalInfo;
import dev.weft.spi.ExternalConnectivity;
import dev.weft.spi.JoinInfo;
import dev.weft.spi.NetworkConfig;
import dev.weft.spi.NetworkDriver;
import dev.weft.spi.SandboxConfig;
import dev.weft.spi.Scope;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A Docker network plugin as a Weft {@link NetworkDriver}: libnetwork's remote driver. Each SPI
 * call is the plugin's call of the same meaning; the kernel work Docker's daemon does around them
 * (moving the plugin's interface into the sandbox and back) is Weft's, through the kernel layer
 * ({@link SandboxInterface}).
 *
 * <p>Options are the plugin's: {@code -o KEY=VALUE} reach it as {@code com.docker.network.generic}
 * in {@code CreateNetwork}, endpoint driver options as {@code CreateEndpoint}'s {@code Options};
 * Weft refuses none of them (the plugin does, in its answer).
 *
 * <p>Failures: a create or join the plugin refuses, or that fails in between, is undone with the
 * plugin's own undo call ({@code DeleteNetwork}, {@code DeleteEndpoint}, {@code Leave}), so nothing
 * is left, neither in the plugin nor in a namespace. When the call timed out, the plugin may still be
 * working on it or hang; its undo call then goes to the background (logged), so the user's command
 * fails within one timeout.
 */
class RemoteDriver implements NetworkDriver<Map<String, String>>, ExternalConnectivity<Map<String, String>>,
        DefaultRoutes<Map<String, String>>, EndpointOperationalInfo<Map<String, String>> {
    private static final Logger LOG = Logger.getLogger(RemoteDriver.class.getName());
    /** The longest an inspect waits for {@code EndpointOperInfo} (less when the plugin's timeout is). */
    static final Duration OPER_INFO_BOUND = Duration.ofSeconds(5);

    protected final PluginClient plugin;
    protected final DriverContext context;
    private final NetworkApi.Capabilities capabilities;
    private final Kernel kernel;
    private final Function<String, String> addressSpace;
    private final Executor undo;
    /** A MAC the plugin chose in CreateEndpoint (Weft gave none), until the endpoint joins. */
    private final Map<String, MacAddress> chosenMacs = new ConcurrentHashMap<>();
    /** The gateways the plugin gave in Join (they win over the network's), while joined. */
    private final Map<String, InetAddress[]> joinGateways = new ConcurrentHashMap<>();

    /**
     * @param addressSpace the local address space of an IPAM driver by name, for {@code IPv4Data}'s
     *                     {@code AddressSpace} ({@code LocalDefault} for Weft's default)
     * @param undo         where undo calls after a timed-out call run
     */
    RemoteDriver(PluginClient plugin, NetworkApi.Capabilities capabilities, Kernel kernel, DriverContext context,
                 Function<String, String> addressSpace, Executor undo) {
        this.plugin = plugin;
        this.capabilities = capabilities;
        this.kernel = kernel;
        this.context = context;
        this.addressSpace = addressSpace;
        this.undo = undo;
    }

    /** The right class for the plugin's scope: a global one follows the cluster's hosts. */
    static RemoteDriver of(PluginClient plugin, NetworkApi.Capabilities caps, Kernel kernel, DriverContext context,
                           Function<String, String> addressSpace, Executor undo) {
        return caps.scope() == Scope.GLOBAL ? new GlobalRemoteDriver(plugin, caps, kernel, context, addressSpace, undo)
                : new RemoteDriver(plugin, caps, kernel, context, addressSpace, undo);
    }

    String pluginName() {
        return plugin.name();
    }

    @Override
    public Scope scope() {
        return capabilities.scope();
    }

    @Override
    public Map<String, String> parseOptions(Map<String, String> options) {
        return Map.copyOf(options);
    }

    /** The plugin's to check: it gets them in CreateEndpoint. */
    @Override
    public void validateEndpoint(NetworkConfig network, Map<String, String> options, Map<String, String> driverOptions) {
        // every key goes to the plugin
    }

    @Override
    public Map<String, String> remarks(NetworkConfig network, Map<String, String> options) {
        return Map.of("DockerPlugin", "Served by the Docker network plugin \"" + plugin.name() + "\" at "
                + plugin.address().url() + " (scope " + capabilities.scope().label() + ", connectivity scope "
                + capabilities.connectivityScope() + ").");
    }

    @Override
    public void createNetwork(NetworkConfig network, Map<String, String> options) {
        JsonObject req = NetworkApi.createNetwork(network, options, addressSpace.apply(network.ipamDriver()));
        try {
            plugin.call(NetworkApi.CREATE_NETWORK, req);
        } catch (PluginCallException e) {
            if (e.kind() != PluginCallException.Kind.REFUSED) {
                undo(e, NetworkApi.DELETE_NETWORK, NetworkApi.network(network.id()));
            }
            throw e;
        }
        LOG.info("network " + network.name() + ": created by Docker plugin " + plugin.name());
    }

    @Override
    public void deleteNetwork(NetworkConfig network, Map<String, String> options) {
        plugin.call(NetworkApi.DELETE_NETWORK, NetworkApi.network(network.id()));
    }

    /**
     * {@code CreateEndpoint} with the addresses (and MAC) Weft allocated. The plugin may answer a MAC
     * when Weft gave none (it is set at join); an address other than Weft's is refused, as libnetwork
     * refuses a driver that reassigns one.
     */
    @Override
    public void createEndpoint(NetworkConfig network, Map<String, String> options, EndpointConfig endpoint) {
        JsonObject req = NetworkApi.createEndpoint(network.id(), endpoint);
        NetworkApi.Interface answer;
        try {
            answer = plugin.call(NetworkApi.CREATE_ENDPOINT, req, NetworkApi::createdEndpoint);
        } catch (PluginCallException e) {
            if (e.kind() != PluginCallException.Kind.REFUSED) {
                undo(e, NetworkApi.DELETE_ENDPOINT, NetworkApi.endpoint(network.id(), endpoint.id()));
            }
            throw e;
        }
        String changed = changedAddress(endpoint.ipv4(), answer.address(), "Address")
                + changedAddress(endpoint.ipv6(), answer.addressIpv6(), "AddressIPv6");
        if (answer.mac() != null && endpoint.mac() != null && !answer.mac().equals(endpoint.mac())) {
            changed += " MacAddress " + answer.mac() + " where Weft gave " + endpoint.mac() + ";";
        }
        if (!changed.isEmpty()) {
            PluginCallException e = new PluginCallException(PluginCallException.Kind.GARBAGE, "Docker plugin \""
                    + plugin.name() + "\": " + NetworkApi.CREATE_ENDPOINT + " answered an Interface that changes what "
                    + "Weft allocated:" + changed + " a plugin may fill in only what Weft left empty", null, null);
            undo(e, NetworkApi.DELETE_ENDPOINT, NetworkApi.endpoint(network.id(), endpoint.id()));
            throw e;
        }
        if (answer.mac() != null && endpoint.mac() == null) {
            chosenMacs.put(endpoint.id(), answer.mac());
        }
    }

    private static String changedAddress(InterfaceAddress given, InterfaceAddress answered, String field) {
        if (answered == null || answered.equals(given)) {
            return "";
        }
        return " " + field + " " + Json.cidr(answered) + " where Weft gave " + (given == null ? "none" : Json.cidr(given))
                + ";";
    }

    @Override
    public void deleteEndpoint(NetworkConfig network, Map<String, String> options, EndpointConfig endpoint) {
        chosenMacs.remove(endpoint.id());
        plugin.call(NetworkApi.DELETE_ENDPOINT, NetworkApi.endpoint(network.id(), endpoint.id()));
    }

    /**
     * {@code Join} with the sandbox's namespace path as {@code SandboxKey}, then the plugin's
     * interface ({@code SrcName}) moved into the sandbox under the endpoint's name (Weft chooses it;
     * {@code DstPrefix} is only advisory), with the endpoint's MAC (the user's, or the plugin's from
     * CreateEndpoint), addresses, the default routes the endpoint gives (through the plugin's
     * {@code Gateway}/{@code GatewayIPv6} when it answers them, else the network's) and the plugin's
     * static routes. On failure the interface goes back and the plugin is told {@code Leave}.
     */
    @Override
    public JoinInfo join(NetworkConfig network, Map<String, String> options, EndpointConfig endpoint,
                         SandboxConfig sandbox) {
        NetworkApi.Joined joined;
        try {
            joined = plugin.call(NetworkApi.JOIN, NetworkApi.join(network.id(), endpoint.id(),
                    sandbox.namespace().path().toString()), NetworkApi::joined);
            if (joined.srcName() == null || joined.srcName().isEmpty()) {
                throw new PluginCallException(PluginCallException.Kind.GARBAGE, "Docker plugin \"" + plugin.name()
                        + "\": " + NetworkApi.JOIN + " answered no InterfaceName.SrcName: the plugin must name the "
                        + "interface it made in the host namespace", null, null);
            }
        } catch (PluginCallException e) {
            if (e.kind() != PluginCallException.Kind.REFUSED) {
                undo(e, NetworkApi.LEAVE, NetworkApi.endpoint(network.id(), endpoint.id()));
            }
            throw e;
        }
        InetAddress gw4 = joined.gateway() != null ? joined.gateway() : endpoint.gateway4();
        InetAddress gw6 = joined.gateway6() != null ? joined.gateway6() : endpoint.gateway6();
        boolean out = !network.internal();
        MacAddress mac = endpoint.mac() != null ? endpoint.mac() : chosenMacs.get(endpoint.id());
        SandboxInterface.Setup setup = new SandboxInterface.Setup(endpoint.interfaceName(),
                aliasPrefix(network, endpoint) + joined.srcName(), mac, endpoint.ipv4(), endpoint.ipv6(),
                SandboxInterface.routes(gw4, out && endpoint.defaultRoute4() && endpoint.ipv4() != null, gw6,
                        out && endpoint.defaultRoute6() && endpoint.ipv6() != null, joined.staticRoutes()),
                endpoint.sysctls());
        try {
            MacAddress actual = SandboxInterface.moveIn(kernel, plugin.name(), joined.srcName(), sandbox.namespace(), setup);
            joinGateways.put(endpoint.id(), new InetAddress[] {gw4, gw6});
            chosenMacs.remove(endpoint.id());
            return new JoinInfo(endpoint.interfaceName(), actual);
        } catch (RuntimeException e) {
            undo(null, NetworkApi.LEAVE, NetworkApi.endpoint(network.id(), endpoint.id()), e);
            throw e;
        }
    }

    /**
     * Moves the interface back to the host namespace under its {@code SrcName} (as libnetwork does
     * before it calls Leave, so the plugin can delete it in DeleteEndpoint), then {@code Leave}. Keeps
     * going past a failed step.
     */
    @Override
    public void leave(NetworkConfig network, Map<String, String> options, EndpointConfig endpoint, SandboxConfig sandbox) {
        joinGateways.remove(endpoint.id());
        Failures failures = new Failures();
        failures.run(() -> SandboxInterface.moveOut(kernel, sandbox.namespace(), endpoint.interfaceName(),
                aliasPrefix(network, endpoint), null));
        failures.run(() -> plugin.call(NetworkApi.LEAVE, NetworkApi.endpoint(network.id(), endpoint.id())));
        failures.throwIfAny("endpoint " + endpoint.shortId() + " on network \"" + network.name() + "\" (Docker plugin \""
                + plugin.name() + "\"): leave failed");
    }

    @Override
    public void setDefaultRoutes(NetworkConfig network, Map<String, String> options, EndpointConfig endpoint,
                                 SandboxConfig sandbox) {
        InetAddress[] gw = joinGateways.getOrDefault(endpoint.id(), new InetAddress[] {endpoint.gateway4(),
                endpoint.gateway6()});
        boolean out = !network.internal();
        SandboxInterface.setDefaultRoutes(kernel, sandbox.namespace(), endpoint.interfaceName(), gw[0],
                out && endpoint.defaultRoute4() && endpoint.ipv4() != null, gw[1],
                out && endpoint.defaultRoute6() && endpoint.ipv6() != null);
    }

    /** {@code ProgramExternalConnectivity} with Docker's port map and exposed ports in its Options. */
    @Override
    public void publish(NetworkConfig network, Map<String, String> options, EndpointConfig endpoint,
                        List<PortBinding> ports) {
        try {
            plugin.call(NetworkApi.PROGRAM_EXTERNAL, NetworkApi.programExternal(network.id(), endpoint, ports));
        } catch (PluginCallException e) {
            if (e.kind() != PluginCallException.Kind.REFUSED) {
                undo(e, NetworkApi.REVOKE_EXTERNAL, NetworkApi.endpoint(network.id(), endpoint.id()));
            }
            throw e;
        }
    }

    @Override
    public void unpublish(NetworkConfig network, Map<String, String> options, EndpointConfig endpoint,
                          List<PortBinding> ports) {
        plugin.call(NetworkApi.REVOKE_EXTERNAL, NetworkApi.endpoint(network.id(), endpoint.id()));
    }

    /**
     * {@code EndpointOperInfo} (Docker asks it for an endpoint's {@code DriverInfo}), waiting at most
     * {@link #OPER_INFO_BOUND} or the plugin's timeout, whichever is shorter: its {@code Value}'s
     * members, a value that is not a string as compact JSON. A plugin that does not know the call
     * (HTTP 404) has nothing to say: that fails as any other call, and the inspect shows no info.
     */
    @Override
    public Map<String, String> endpointInfo(NetworkConfig network, Map<String, String> options, EndpointConfig endpoint) {
        Duration bound = plugin.timeout().compareTo(OPER_INFO_BOUND) < 0 ? plugin.timeout() : OPER_INFO_BOUND;
        JsonObject answer = plugin.call(NetworkApi.ENDPOINT_OPER_INFO, NetworkApi.endpoint(network.id(), endpoint.id()),
                bound);
        try {
            return NetworkApi.operInfo(answer);
        } catch (Json.Shape e) {
            throw new PluginCallException(PluginCallException.Kind.GARBAGE, "Docker plugin \"" + plugin.name() + "\": "
                    + NetworkApi.ENDPOINT_OPER_INFO + " answered " + PluginClient.excerpt(answer.toString()) + ": "
                    + e.getMessage(), null, e);
        }
    }

    /** {@code weft:<instance>:<network>/<endpoint>/}: the alias is this and the SrcName. */
    private String aliasPrefix(NetworkConfig network, EndpointConfig endpoint) {
        return context.ownershipMark(network.id() + "/" + endpoint.id() + "/");
    }

    private void undo(PluginCallException cause, String method, JsonObject body) {
        undo(cause, method, body, cause);
    }

    /**
     * The plugin's undo call after {@code failure}: at once (a failure of its own added to
     * {@code failure} as suppressed), or in the background when the failed call timed out.
     */
    private void undo(PluginCallException cause, String method, JsonObject body, RuntimeException failure) {
        Runnable call = () -> plugin.call(method, body);
        if (cause != null && cause.kind() == PluginCallException.Kind.TIMEOUT) {
            undo.execute(() -> {
                try {
                    call.run();
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "Docker plugin \"" + plugin.name() + "\": undo after a timeout failed: "
                            + e.getMessage());
                }
            });
            return;
        }
        try {
            call.run();
        } catch (RuntimeException e) {
            failure.addSuppressed(e);
        }
    }
}
