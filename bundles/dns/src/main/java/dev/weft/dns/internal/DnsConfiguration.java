package dev.weft.dns.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** The configuration PID {@code dev.weft.dns}; every key optional (defaults: {@code DnsConfig.defaults()}). */
@ObjectClassDefinition(name = "Weft DNS server",
        description = "The embedded DNS server on user-defined networks' gateway addresses")
public @interface DnsConfiguration {
    @AttributeDefinition(description = "Milliseconds one upstream resolver gets to answer a forwarded query before the next is tried")
    int upstreamTimeoutMillis() default 2000;

    @AttributeDefinition(description = "Forwarded queries in flight at once; more are answered SERVFAIL at once")
    int maxConcurrentForwards() default 256;

    @AttributeDefinition(description = "Milliseconds a client's idle TCP connection stays open")
    int tcpIdleMillis() default 10_000;

    @AttributeDefinition(description = "Client TCP connections open at once; more are closed")
    int maxTcpConnections() default 64;
}
