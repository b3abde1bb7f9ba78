package dev.weft.dockerapi.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Configuration of the Engine API, PID {@code dev.weft.dockerapi} (the distribution ships
 * {@code etc/dev.weft.dockerapi.cfg}; without it the defaults hold). The socket's directory is the
 * instance's run directory, framework property {@code weft.run.dir}, as for the local CLI. Names
 * map as DS maps them: {@code _} becomes {@code .}.
 */
@ObjectClassDefinition(id = "dev.weft.dockerapi", name = "Weft Docker Engine API")
@interface DockerApiConfig {
    @AttributeDefinition(description = "Group that owns docker.sock (mode 0660): its members may use the API. "
            + "Empty: docker when that group exists, else root's group.")
    String socket_group() default "";

    @AttributeDefinition(description = "Also listen on TCP at this loopback address, e.g. 127.0.0.1:2375 or [::1]:2375. "
            + "Empty: no TCP listener. A non-loopback address is refused (the API has no TLS).")
    String tcp() default "";

    @AttributeDefinition(description = "Most threads serving requests at the same time (at least 4).")
    int threads() default 8;
}
