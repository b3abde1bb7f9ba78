package dev.weft.dockerapi.internal;

import dev.weft.api.Controller;
import java.net.InetSocketAddress;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Engine API while the controller is there: {@code ${weft.run.dir}/docker.sock} (framework
 * property {@code weft.run.dir}, default {@code /run/weft}), configured by PID
 * {@code dev.weft.dockerapi} ({@link DockerApiConfig}); a change of the configuration restarts it.
 * A refused TCP address is logged as an error and the Unix socket is served without it.
 */
@Component(immediate = true, configurationPid = "dev.weft.dockerapi")
@Designate(ocd = DockerApiConfig.class)
public final class DockerApiComponent {
    private static final Logger LOG = LoggerFactory.getLogger(DockerApiComponent.class);
    private final DockerApiServer server;

    @Activate
    public DockerApiComponent(@Reference Controller controller, BundleContext context, DockerApiConfig config)
            throws Exception {
        InetSocketAddress tcp = null;
        try {
            tcp = Listeners.tcp(config.tcp());
        } catch (IllegalArgumentException e) {
            LOG.error("dev.weft.dockerapi: {}. No TCP listener; the Unix socket is served.", e.getMessage());
        }
        String instance = context.getProperty("weft.instance");
        server = new DockerApiServer(controller, Listeners.socketIn(context.getProperty("weft.run.dir")),
                Listeners.group(config.socket_group()), tcp, config.threads(),
                context.getBundle().getVersion().toString(), instance == null ? "default" : instance);
    }

    @Deactivate
    void deactivate() {
        server.close();
        LOG.info("Docker Engine API stopped; removed {}", server.socket());
    }
}
