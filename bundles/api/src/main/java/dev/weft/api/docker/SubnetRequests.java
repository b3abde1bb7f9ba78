package dev.weft.api.docker;

import static dev.weft.api.docker.Values.invalid;
import static dev.weft.api.docker.Values.orEmpty;

import dev.weft.api.SubnetSpec;
import dev.weft.net.IpAddresses;
import dev.weft.net.IpPrefix;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns subnets, ip-ranges, gateways and auxiliary addresses as people and Docker's clients give
 * them ({@code --subnet}, {@code --ip-range}, {@code --gateway}, {@code --aux-address}, or one entry
 * of the Engine API's {@code IPAM.Config}) into {@link SubnetSpec}s the way the Docker CLI does
 * ({@code consolidateIpam}): each ip-range, gateway and auxiliary address belongs to the subnet
 * that contains it, whatever order they were given in (for the usual one-per-subnet input in the
 * same order this is the i-th with the i-th; unlike a positional rule it also takes {@code --subnet
 * 10.1.0.0/24 --subnet fd00::/64 --gateway fd00::1}). More ranges or gateways than subnets, one that
 * fits no subnet, two for one subnet, and overlapping subnets are refused, each error naming the
 * field ({@link Fields}) and the value. An IPv6 link-local gateway (e.g. {@code fe80::1}) lies in no
 * subnet and goes to the only IPv6 subnet.
 */
public final class SubnetRequests {
    /**
     * How the request names its fields, for the errors: the shell's options or the Engine API's body fields.
     *
     * @param subnet     the subnet's field ({@code --subnet})
     * @param ipRange    the range's ({@code --ip-range})
     * @param gateway    the gateway's ({@code --gateway})
     * @param auxAddress an auxiliary address's ({@code --aux-address}), given as {@code NAME=IP}
     * @param ipv6Only   why an IPv4 value is refused for an IPv6-only network, and what would be accepted
     */
    public record Fields(String subnet, String ipRange, String gateway, String auxAddress, String ipv6Only) {}

    /** The shell's {@code network:create} options. */
    public static final Fields OPTIONS = new Fields("--subnet", "--ip-range", "--gateway", "--aux-address",
            "is IPv4, and the network is IPv6-only (--ipv4=false); drop it, or drop --ipv4=false");

    /** The fields of the Engine API's {@code POST /networks/create} body. */
    public static final Fields ENGINE = new Fields("IPAM.Config.Subnet", "IPAM.Config.IPRange", "IPAM.Config.Gateway",
            "IPAM.Config.AuxiliaryAddresses", "is IPv4, and the network is IPv6-only (EnableIPv4 false); "
                    + "drop it, or set EnableIPv4 true");

    private SubnetRequests() {}

    public static List<SubnetSpec> pair(Fields f, List<String> subnetTexts, List<String> rangeTexts, List<String> gatewayTexts,
                                 List<String> auxTexts) {
        List<IpPrefix> subnets = new ArrayList<>();
        for (String text : orEmpty(subnetTexts)) {
            IpPrefix subnet = Values.prefix(f.subnet(), text);
            for (IpPrefix earlier : subnets) {
                if (earlier.overlaps(subnet)) {
                    throw invalid(f.subnet(), text, "overlaps " + f.subnet() + " " + earlier
                            + "; give subnets that do not overlap");
                }
            }
            subnets.add(subnet);
        }
        Map<String, AuxAddress> aux = auxAddresses(f, auxTexts);

        IpPrefix[] rangeOf = new IpPrefix[subnets.size()];
        for (String text : orEmpty(rangeTexts)) {
            IpPrefix range = Values.prefix(f.ipRange(), text);
            int i = owner(f, subnets, range.address(), f.ipRange(), text);
            if (range.length() < subnets.get(i).length()) {
                throw invalid(f.ipRange(), text, "is larger than its subnet " + subnets.get(i)
                        + "; give a range inside the subnet");
            }
            if (rangeOf[i] != null) {
                throw invalid(f.ipRange(), text, "subnet " + subnets.get(i) + " already has " + f.ipRange() + " "
                        + rangeOf[i] + "; give one range per subnet");
            }
            rangeOf[i] = range;
        }
        InetAddress[] gatewayOf = new InetAddress[subnets.size()];
        for (String text : orEmpty(gatewayTexts)) {
            InetAddress gateway = Values.address(f.gateway(), text);
            int i = gatewayOwner(f, subnets, gateway, text);
            if (gatewayOf[i] != null) {
                throw invalid(f.gateway(), text, "subnet " + subnets.get(i) + " already has " + f.gateway() + " "
                        + IpAddresses.format(gatewayOf[i]) + "; give one gateway per subnet");
            }
            gatewayOf[i] = gateway;
        }
        List<Map<String, InetAddress>> auxOf = new ArrayList<>();
        subnets.forEach(s -> auxOf.add(new LinkedHashMap<>()));
        for (Map.Entry<String, AuxAddress> e : aux.entrySet()) {
            AuxAddress a = e.getValue();
            auxOf.get(owner(f, subnets, a.address(), f.auxAddress(), a.text())).put(e.getKey(), a.address());
        }

        List<SubnetSpec> out = new ArrayList<>();
        for (int i = 0; i < subnets.size(); i++) {
            out.add(new SubnetSpec(subnets.get(i), rangeOf[i], gatewayOf[i], auxOf.get(i)));
        }
        return out;
    }

    /**
     * For an IPv6-only network ({@code --ipv4=false}): every {@code --subnet}, {@code --ip-range},
     * {@code --gateway} and {@code --aux-address} that is IPv4 is refused, naming it, before they are
     * paired (the pairing would only say that it fits no subnet). What does not parse is left to
     * {@link #pair}.
     */
    public static void refuseIpv4(Fields f, List<String> subnetTexts, List<String> rangeTexts, List<String> gatewayTexts,
                           List<String> auxTexts) {
        String why = f.ipv6Only();
        for (String text : orEmpty(subnetTexts)) {
            if (isIpv4(text)) {
                throw invalid(f.subnet(), text, why);
            }
        }
        for (String text : orEmpty(rangeTexts)) {
            if (isIpv4(text)) {
                throw invalid(f.ipRange(), text, why);
            }
        }
        for (String text : orEmpty(gatewayTexts)) {
            if (isIpv4(text)) {
                throw invalid(f.gateway(), text, why);
            }
        }
        for (String text : orEmpty(auxTexts)) {
            if (isIpv4(text.substring(text.indexOf('=') + 1))) {
                throw invalid(f.auxAddress(), text, why);
            }
        }
    }

    /** An IPv4 address or prefix literal ({@code 10.1.0.0/24}, {@code 10.1.0.1}). */
    private static boolean isIpv4(String text) {
        String t = text == null ? "" : text.trim();
        int slash = t.indexOf('/');
        return IpAddresses.tryParse(slash < 0 ? t : t.substring(0, slash)) instanceof java.net.Inet4Address;
    }

    /** {@code NAME=IP} pairs; names are unique (a second use of a name is a mistake, not an update). */
    private static Map<String, AuxAddress> auxAddresses(Fields f, List<String> texts) {
        Map<String, AuxAddress> out = new LinkedHashMap<>();
        for (String text : orEmpty(texts)) {
            int eq = text.indexOf('=');
            String name = eq < 0 ? "" : text.substring(0, eq).trim();
            if (name.isEmpty()) {
                throw invalid(f.auxAddress(), text, "expected NAME=IP like router=10.1.0.254");
            }
            String ip = text.substring(eq + 1);
            InetAddress a = IpAddresses.tryParse(ip.trim());
            if (a == null) {
                throw invalid(f.auxAddress(), text,
                        "\"" + ip + "\" is not an IP address; expected NAME=IP like router=10.1.0.254");
            }
            if (out.containsKey(name)) {
                throw invalid(f.auxAddress(), text, "the name \"" + name + "\" is given twice");
            }
            out.put(name, new AuxAddress(text, a));
        }
        return out;
    }

    private record AuxAddress(String text, InetAddress address) {}

    /**
     * The subnet a gateway belongs to: the one containing it, or for an IPv6 link-local gateway
     * ({@code fe80::/10}, which Docker accepts outside the subnet) the only IPv6 subnet.
     */
    private static int gatewayOwner(Fields f, List<IpPrefix> subnets, InetAddress gateway, String text) {
        if (!(gateway instanceof Inet6Address) || !gateway.isLinkLocalAddress()
                || subnets.stream().anyMatch(s -> s.contains(gateway))) {
            return owner(f, subnets, gateway, f.gateway(), text);
        }
        List<Integer> ipv6 = new ArrayList<>();
        for (int i = 0; i < subnets.size(); i++) {
            if (!subnets.get(i).isIpv4()) {
                ipv6.add(i);
            }
        }
        if (ipv6.size() == 1) {
            return ipv6.get(0);
        }
        throw invalid(f.gateway(), text, ipv6.isEmpty()
                ? "is an IPv6 link-local gateway and needs an IPv6 " + f.subnet() + " to serve"
                : "is link-local, so it could serve any of the IPv6 subnets (" + joined(ipv6.stream().map(subnets::get).toList())
                        + "); give one IPv6 subnet, or a gateway inside each");
    }

    /** The index of the subnet containing {@code address}; none is an error naming the value. */
    private static int owner(Fields f, List<IpPrefix> subnets, InetAddress address, String option, String text) {
        if (subnets.isEmpty()) {
            throw invalid(option, text, "needs a " + f.subnet() + " that contains it");
        }
        for (int i = 0; i < subnets.size(); i++) {
            if (subnets.get(i).contains(address)) {
                return i;
            }
        }
        throw invalid(option, text, "is in no " + f.subnet() + " (" + joined(subnets) + "); give it inside one of them");
    }

    private static String joined(List<IpPrefix> subnets) {
        StringBuilder sb = new StringBuilder();
        for (IpPrefix p : subnets) {
            sb.append(sb.length() == 0 ? "" : ", ").append(p);
        }
        return sb.toString();
    }
}
