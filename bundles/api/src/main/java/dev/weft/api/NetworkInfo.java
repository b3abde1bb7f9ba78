package dev.weft.api;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A network as the controller knows it (the shape of {@code docker network inspect}).
 *
 * @param id         64 hex characters
 * @param name       its name
 * @param driver     its driver's name
 * @param scope      {@code local} or {@code global}
 * @param created    when it was created
 * @param ipv6       dual stack
 * @param internal   no route out
 * @param predefined one of {@code bridge}, {@code host}, {@code none}: cannot be removed
 * @param available  its driver is installed (false: kernel state kept, operations refused until it returns)
 * @param subnets    allocated subnets
 * @param options    driver options as given
 * @param labels     labels
 * @param endpoints  its endpoints
 */
public record NetworkInfo(String id, String name, String driver, String scope, Instant created, boolean ipv6,
                          boolean internal, boolean predefined, boolean available, List<SubnetInfo> subnets,
                          Map<String, String> options, Map<String, String> labels, List<EndpointInfo> endpoints) {
    public NetworkInfo {
        subnets = List.copyOf(subnets);
        options = Map.copyOf(options);
        labels = Map.copyOf(labels);
        endpoints = List.copyOf(endpoints);
    }
}
