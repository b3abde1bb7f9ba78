package dev.weft.dns.internal;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * Computes the local answer to a query from one sandbox, or says it must be forwarded. Pure: a
 * dnsjava {@link Message} and the {@link NameTable.State} in, a message out; no I/O.
 *
 * <p>TTL is 0 on every local record: a name changes the moment a sandbox goes or leaves, the
 * server is one hop away (a cache would save nothing measurable), and a cached stale address
 * would outlive {@code sandbox:remove}. aardvark-dns uses 0 for the same reason (Docker 600).
 */
public final class Answerer {
    /** The UDP payload size this server advertises in its OPT record (the DNS flag day's value). */
    public static final int ADVERTISED_UDP_SIZE = 1232;
    /** Classic DNS over UDP without EDNS. */
    public static final int PLAIN_UDP_SIZE = 512;
    private static final long TTL = 0;

    private final String domain;
    private final String dottedDomain;
    /** The domain's SOA, in negative answers: minimum (negative TTL) 0. */
    private final SOARecord soa;

    /** {@code domain}: the search domain whose names are answered here and never forwarded, e.g. {@code weft.internal}. */
    public Answerer(String domain) {
        this.domain = domain.toLowerCase(Locale.ROOT);
        this.dottedDomain = "." + this.domain;
        try {
            Name zone = Name.fromString(this.domain + ".");
            this.soa = new SOARecord(zone, DClass.IN, TTL, Name.fromString("ns", zone),
                    Name.fromString("hostmaster", zone), 1, 0, 0, 0, TTL);
        } catch (TextParseException e) {
            throw new IllegalArgumentException("domain \"" + domain + "\" is not a DNS name", e);
        }
    }

    /**
     * The answer to {@code query} (a query: the caller drops responses, which must never be
     * answered, or two servers could bounce messages forever) from the sandbox
     * {@code askerSandboxId}, or empty when the query is not ours to answer and must be forwarded.
     */
    public Optional<Message> answer(Message query, NameTable.State state, String askerSandboxId) {
        Header qh = query.getHeader();
        if (qh.getOpcode() != Opcode.QUERY) {
            return Optional.of(reply(query, Rcode.NOTIMP, false));
        }
        Record question = query.getQuestion();
        if (question == null || qh.getCount(Section.QUESTION) != 1) {
            return Optional.of(reply(query, Rcode.FORMERR, false));
        }
        if (question.getDClass() != DClass.IN && question.getDClass() != DClass.ANY) {
            return Optional.empty();
        }
        int type = question.getType();
        String name = question.getName().toString(true).toLowerCase(Locale.ROOT);

        if (type == Type.PTR) {
            Optional<InetAddress> address = ReverseNames.address(name);
            if (address.isPresent()) {
                Optional<NameTable.Entry> e = state.reverse(askerSandboxId, address.get());
                if (e.isPresent()) {
                    Message r = reply(query, Rcode.NOERROR, true);
                    r.addRecord(new PTRRecord(question.getName(), DClass.IN, TTL, ptrTarget(e.get())), Section.ANSWER);
                    return Optional.of(r);
                }
                return Optional.empty();
            }
        }

        boolean inDomain = false;
        if (name.equals(domain)) {
            return Optional.of(negative(reply(query, Rcode.NOERROR, true)));
        }
        if (name.endsWith(dottedDomain)) {
            name = name.substring(0, name.length() - dottedDomain.length());
            inDomain = true;
        }
        List<NameTable.Entry> entries = state.lookup(askerSandboxId, name);
        if (entries.isEmpty()) {
            if (inDomain || name.indexOf('.') < 0) {
                Message nx = reply(query, Rcode.NXDOMAIN, true);
                return Optional.of(inDomain ? negative(nx) : nx);
            }
            return Optional.empty();
        }
        Message r = reply(query, Rcode.NOERROR, true);
        if (type == Type.A || type == Type.AAAA || type == Type.ANY) {
            List<Record> records = new ArrayList<>(entries.size());
            List<InetAddress> seen = new ArrayList<>(entries.size());
            for (NameTable.Entry e : entries) {
                if ((type == Type.A || type == Type.ANY) && e.ipv4() != null && !seen.contains(e.ipv4())) {
                    seen.add(e.ipv4());
                    records.add(new ARecord(question.getName(), DClass.IN, TTL, e.ipv4()));
                }
                if ((type == Type.AAAA || type == Type.ANY) && e.ipv6() != null && !seen.contains(e.ipv6())) {
                    seen.add(e.ipv6());
                    records.add(new AAAARecord(question.getName(), DClass.IN, TTL, e.ipv6()));
                }
            }
            if (records.size() > 1) {
                Collections.shuffle(records, ThreadLocalRandom.current()); // round robin, as Docker does
            }
            records.forEach(rec -> r.addRecord(rec, Section.ANSWER));
        }
        // any other type of a known name: NOERROR without records (never NXDOMAIN: the stub would
        // then walk its search list, and the name would look absent to getaddrinfo)
        return Optional.of(inDomain && r.getSection(Section.ANSWER).isEmpty() ? negative(r) : r);
    }

    /**
     * A negative answer (NXDOMAIN, or no records) in the domain, with the domain's SOA in its
     * authority section (RFC 2308), so that resolvers and caches know how long to keep it: 0, as
     * every local answer (a name may come the next moment).
     */
    private Message negative(Message r) {
        r.addRecord(soa, Section.AUTHORITY);
        return r;
    }

    /** {@code NAME.NETWORK.}, as Docker answers PTR queries for its containers' addresses. */
    static Name ptrTarget(NameTable.Entry e) {
        try {
            return Name.fromString(e.sandbox() + "." + e.network() + ".");
        } catch (TextParseException ex) {
            throw new IllegalStateException("sandbox " + e.sandbox() + " on " + e.network() + " has no valid DNS name", ex);
        }
    }

    /**
     * An empty response to {@code query}: its id, opcode, question and RD copied, QR and RA set, AA
     * when {@code authoritative}, and an OPT record when the query had one.
     */
    public static Message reply(Message query, int rcode, boolean authoritative) {
        Header qh = query.getHeader();
        Message r = new Message(qh.getID());
        Header h = r.getHeader();
        h.setFlag(Flags.QR);
        h.setFlag(Flags.RA);
        if (authoritative) {
            h.setFlag(Flags.AA);
        }
        if (qh.getFlag(Flags.RD)) {
            h.setFlag(Flags.RD);
        }
        h.setOpcode(qh.getOpcode());
        h.setRcode(rcode);
        Record question = query.getQuestion();
        if (question != null) {
            r.addRecord(question, Section.QUESTION);
        }
        if (query.getOPT() != null) {
            r.addRecord(new OPTRecord(ADVERTISED_UDP_SIZE, 0, 0), Section.ADDITIONAL);
        }
        return r;
    }

    /** How large a UDP answer to {@code query} may be: its EDNS payload size, at least 512. */
    public static int udpLimit(Message query) {
        OPTRecord opt = query.getOPT();
        return opt == null ? PLAIN_UDP_SIZE : Math.max(PLAIN_UDP_SIZE, Math.min(opt.getPayloadSize(), 65_535));
    }

    /**
     * The wire form of {@code response} in at most {@code limit} bytes: whole answer records are
     * dropped from the end until it fits, and TC is set when any was.
     */
    public static byte[] wire(Message response, int limit) {
        byte[] b = response.toWire();
        if (b.length <= limit) {
            return b;
        }
        response.getHeader().setFlag(Flags.TC);
        for (int section : new int[] {Section.ADDITIONAL, Section.AUTHORITY, Section.ANSWER}) {
            List<Record> records = new ArrayList<>(response.getSection(section));
            for (int i = records.size() - 1; i >= 0 && b.length > limit; i--) {
                if (records.get(i) instanceof OPTRecord) {
                    continue;
                }
                response.removeRecord(records.get(i), section);
                b = response.toWire();
            }
        }
        return b;
    }
}
