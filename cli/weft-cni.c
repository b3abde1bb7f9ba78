/* weft-cni: Weft as a CNI 1.1 plugin (docs/architecture.md §3g).
 *
 * A container runtime runs it with the CNI environment (CNI_COMMAND, CNI_CONTAINERID, CNI_NETNS,
 * CNI_IFNAME, CNI_ARGS, CNI_PATH) and the network configuration on stdin. VERSION is answered here;
 * ADD, DEL, CHECK, GC and STATUS go to the running Weft as one shell command (cni:add ... cni:status)
 * over its local socket (config key "socket", default /run/weft/cli.sock, the protocol of
 * weft-client.c), with the request as one base64 JSON argument:
 *   {"command", "containerId", "netns", "ifname", "args", "path", "config": "<stdin as text>"}.
 * The command prints the CNI result (or the CNI error JSON), which goes to stdout as it is.
 * Exit code: 0 on success, 1 with the spec's error JSON on stdout otherwise; Weft not running or
 * not answering is error 11 (try again later). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define SUPPORTED "[\"1.0.0\",\"1.1.0\"]"
#define MAX_INPUT (48 * 1024)   /* the base64 of the request must fit Weft's 64 KiB command line */

static const char *version = "1.1.0";   /* for error results: the config's cniVersion once read */

/* Buffer with growth (the request and the reply). */
typedef struct { char *p; size_t len, cap; } buf_t;
static void add(buf_t *b, const char *s, size_t n) {
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        if (!(b->p = realloc(b->p, b->cap))) { perror("weft-cni"); exit(1); }
    }
    memcpy(b->p + b->len, s, n); b->len += n; b->p[b->len] = 0;
}
static void adds(buf_t *b, const char *s) { add(b, s, strlen(s)); }

/* Appends s as a JSON string (quotes included). */
static void add_json(buf_t *b, const char *s, size_t n) {
    adds(b, "\"");
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i]; char esc[8];
        if (c == '"' || c == '\\') { esc[0] = '\\'; esc[1] = (char)c; add(b, esc, 2); }
        else if (c < 0x20) { snprintf(esc, sizeof esc, "\\u%04x", c); adds(b, esc); }
        else add(b, (const char *)&c, 1);
    }
    adds(b, "\"");
}

/* Prints the spec's error result on stdout and exits 1. */
static void fail(int code, const char *msg, const char *details) {
    buf_t b = {0};
    adds(&b, "{\"cniVersion\":"); add_json(&b, version, strlen(version));
    char num[32]; snprintf(num, sizeof num, ",\"code\":%d,\"msg\":", code); adds(&b, num);
    add_json(&b, msg, strlen(msg));
    if (details && *details) {
        size_t n = strlen(details);
        while (n > 0 && isspace((unsigned char)details[n - 1])) n--;
        adds(&b, ",\"details\":"); add_json(&b, details, n);
    }
    adds(&b, "}\n");
    fputs(b.p, stdout);
    exit(1);
}

/* The string value of "key" in the JSON text, first occurrence (the keys weft-cni reads, "socket"
 * and "cniVersion", are top-level ones; the full parse is Weft's). Returns a malloc'd copy or NULL. */
static char *json_string(const char *json, const char *key) {
    size_t kl = strlen(key);
    for (const char *p = json; (p = strchr(p, '"')); p++) {
        if (strncmp(p + 1, key, kl) || p[kl + 1] != '"') continue;
        const char *q = p + kl + 2;
        while (isspace((unsigned char)*q)) q++;
        if (*q != ':') continue;
        q++;
        while (isspace((unsigned char)*q)) q++;
        if (*q != '"') return NULL;
        const char *e = ++q;
        while (*e && *e != '"') { if (*e == '\\' && e[1]) e++; e++; }
        char *v = strndup(q, (size_t)(e - q));
        return v;
    }
    return NULL;
}

/* A strict JSON syntax check (RFC 8259), so that a malformed configuration is the spec's decode
 * failure (6) here, before weft-cni looks for the socket in it. Returns the end of the value or NULL. */
static const char *ws(const char *p) { while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') p++; return p; }
static const char *json_value(const char *p, int depth);
static const char *json_str(const char *p) {
    if (*p++ != '"') return NULL;
    for (; *p != '"'; p++) {
        if ((unsigned char)*p < 0x20) return NULL;
        if (*p == '\\') {
            p++;
            if (*p == 'u') { for (int i = 1; i <= 4; i++) if (!isxdigit((unsigned char)p[i])) return NULL; p += 4; }
            else if (!strchr("\"\\/bfnrt", *p) || !*p) return NULL;
        }
    }
    return p + 1;
}
static const char *json_value(const char *p, int depth) {
    if (depth > 64) return NULL;
    p = ws(p);
    if (*p == '{' || *p == '[') {
        char close = *p == '{' ? '}' : ']';
        p = ws(p + 1);
        if (*p == close) return p + 1;
        for (;;) {
            if (close == '}') {
                if (!(p = json_str(ws(p)))) return NULL;
                p = ws(p);
                if (*p++ != ':') return NULL;
            }
            if (!(p = json_value(p, depth + 1))) return NULL;
            p = ws(p);
            if (*p == close) return p + 1;
            if (*p++ != ',') return NULL;
        }
    }
    if (*p == '"') return json_str(p);
    if (!strncmp(p, "true", 4)) return p + 4;
    if (!strncmp(p, "false", 5)) return p + 5;
    if (!strncmp(p, "null", 4)) return p + 4;
    const char *s = p;
    if (*p == '-') p++;
    if (!isdigit((unsigned char)*p)) return NULL;
    if (*p == '0') p++; else while (isdigit((unsigned char)*p)) p++;
    if (*p == '.') { p++; if (!isdigit((unsigned char)*p)) return NULL; while (isdigit((unsigned char)*p)) p++; }
    if (*p == 'e' || *p == 'E') {
        p++; if (*p == '+' || *p == '-') p++;
        if (!isdigit((unsigned char)*p)) return NULL;
        while (isdigit((unsigned char)*p)) p++;
    }
    return p > s ? p : NULL;
}

static void base64(buf_t *out, const unsigned char *s, size_t n) {
    static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)s[i] << 16 | (i + 1 < n ? (unsigned)s[i + 1] << 8 : 0) | (i + 2 < n ? s[i + 2] : 0);
        char q[4] = { t[v >> 18 & 63], t[v >> 12 & 63], i + 1 < n ? t[v >> 6 & 63] : '=', i + 2 < n ? t[v & 63] : '=' };
        for (int k = 0; k < 4; k++) {
            if (q[k] == '=') add(out, "\\", 1);   /* Gogo reads = literally only escaped */
            add(out, &q[k], 1);
        }
    }
}

static int write_all(int fd, const char *p, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) { if (errno == EINTR) continue; return -1; }
        p += w; n -= (size_t)w;
    }
    return 0;
}

static const char *env(const char *name) { const char *v = getenv(name); return v ? v : ""; }

int main(void) {
    const char *command = env("CNI_COMMAND");
    if (!strcmp(command, "VERSION")) {
        printf("{\"cniVersion\":\"1.1.0\",\"supportedVersions\":" SUPPORTED "}\n");
        return 0;
    }
    if (!*command) fail(4, "CNI_COMMAND is not set", "weft-cni is a CNI plugin: a container runtime runs it");
    const char *lower = !strcmp(command, "ADD") ? "add" : !strcmp(command, "DEL") ? "del"
                      : !strcmp(command, "CHECK") ? "check" : !strcmp(command, "GC") ? "gc"
                      : !strcmp(command, "STATUS") ? "status" : NULL;
    if (!lower) fail(4, "CNI_COMMAND is not one of ADD, DEL, CHECK, GC, STATUS, VERSION", command);

    buf_t in = {0};
    char chunk[8192]; ssize_t n;
    while ((n = read(0, chunk, sizeof chunk)) != 0) {
        if (n < 0) { if (errno == EINTR) continue; fail(5, "cannot read the network configuration on stdin", strerror(errno)); }
        add(&in, chunk, (size_t)n);
        if (in.len > MAX_INPUT) fail(7, "the network configuration is too large for weft-cni", "more than 48 KiB");
    }
    if (!in.len) fail(6, "no network configuration on stdin", NULL);
    const char *end = json_value(in.p, 0);
    if (strlen(in.p) != in.len || !end || *ws(end) || *ws(in.p) != '{')
        fail(6, "cannot decode the network configuration on stdin: not a JSON object", NULL);
    char *v = json_string(in.p, "cniVersion");
    if (v && *v) version = v;
    char *socket_path = json_string(in.p, "socket");
    if (!socket_path || !*socket_path) socket_path = "/run/weft/cli.sock";

    buf_t req = {0};
    adds(&req, "{\"command\":"); add_json(&req, command, strlen(command));
    const char *keys[] = { "containerId", "CNI_CONTAINERID", "netns", "CNI_NETNS", "ifname", "CNI_IFNAME",
                           "args", "CNI_ARGS", "path", "CNI_PATH" };
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i += 2) {
        adds(&req, ",\""); adds(&req, keys[i]); adds(&req, "\":");
        add_json(&req, env(keys[i + 1]), strlen(env(keys[i + 1])));
    }
    adds(&req, ",\"config\":"); add_json(&req, in.p, in.len); adds(&req, "}");

    buf_t line = {0};
    adds(&line, "cni:"); adds(&line, lower); adds(&line, " ");
    base64(&line, (const unsigned char *)req.p, req.len);
    adds(&line, "\n");
    if (line.len > 64 * 1024) fail(7, "the network configuration is too large for weft-cni", NULL);

    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    if (strlen(socket_path) >= sizeof sa.sun_path) fail(7, "the socket path in the configuration is too long", socket_path);
    strcpy(sa.sun_path, socket_path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
        char msg[512];
        snprintf(msg, sizeof msg, "Weft is not running: no answer on %s (%s); start it with ./weft start",
                 socket_path, strerror(errno));
        fail(11, msg, NULL);
    }
    if (write_all(fd, line.p, line.len) < 0) fail(11, "cannot send the request to Weft", strerror(errno));

    buf_t out = {0}, err = {0}; char st[16]; int phase = 0, stlen = 0;
    while ((n = read(fd, chunk, sizeof chunk)) != 0) {
        if (n < 0) { if (errno == EINTR) continue; break; }
        char *p = chunk, *end = chunk + n;
        if (phase == 0) {                                     /* stdout until NUL */
            char *z = memchr(p, '\0', (size_t)n);
            add(&out, p, (size_t)((z ? z : end) - p));
            if (!z) continue;
            phase = 1; p = z + 1;
        }
        for (; phase == 1 && p < end; p++) {                  /* status digits until '\n' */
            if (*p == '\n') phase = 2; else if (stlen < 15) st[stlen++] = *p;
        }
        if (phase == 2 && p < end) add(&err, p, (size_t)(end - p));   /* stderr */
    }
    close(fd);
    if (phase < 2) fail(11, "Weft closed the connection before the command ended", out.p);
    st[stlen] = 0;
    int status = atoi(st);
    if (status == 0) {
        if (out.len) write_all(1, out.p, out.len);
        return 0;
    }
    if (out.len && out.p[0] == '{') {                        /* the command's own CNI error */
        write_all(1, out.p, out.len);
        return 1;
    }
    if (status == 127) fail(50, "Weft has no cni commands: install its weft-cni feature (./weft feature:install weft-cni)", err.p);
    fail(11, "Weft could not run the request now", err.p);
    return 1;
}
