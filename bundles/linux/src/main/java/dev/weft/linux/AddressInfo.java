package dev.weft.linux;

import dev.weft.net.InterfaceAddress;
/**
 * An address the kernel reports on an interface.
 *
 * @param linkIndex the interface index
 * @param address   the address with its prefix length
 * @param flags     IFA_F_* flags (e.g. tentative 0x40)
 * @param scope     RT_SCOPE_* (0 universe, 253 link, 254 host)
 */
public record AddressInfo(int linkIndex, InterfaceAddress address, int flags, int scope) {
    public boolean isTentative() {
        return (flags & 0x40) != 0;
    }
}
