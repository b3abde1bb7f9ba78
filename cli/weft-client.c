/* weft-client: runs one Karaf shell command line in the Weft runtime over its local socket.
 *
 * Usage: weft-client 'LINE'                  the line is sent as it is: Gogo syntax, so
 *                                            'cmd1; cmd2' runs both in one session, '|' pipes
 *        weft-client SCOPE:COMMAND ARGS...   each ARG is escaped, so ; | spaces and quotes in
 *                                            an argument reach the command unchanged
 * Socket: $WEFT_SOCKET (default /run/weft/cli.sock). Protocol: send ['\0' FLAGS '\0'] LINE '\n'
 * and keep the socket open (closing it early tells the runtime to interrupt the command); receive
 * stdout, '\0', status, '\n', stderr. FLAGS name the streams that are terminals ("stdout-tty",
 * "stderr-tty"); without them the runtime sends plain text, without escape sequences. Exit code:
 * the status; 69 if the runtime is not running, 70 if it closed the connection before the
 * status, 2 for a bad request. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static char line[65536];
static size_t len;

static int put(char c) { if (len + 2 > sizeof line) return -1; line[len++] = c; return 0; }

/* Appends one argument as one Gogo word with its characters taken literally: a backslash before
 * every ASCII character that is not a letter, digit or one of -_./:,+@ (Gogo unescapes \X to X
 * even inside quotes, so quotes would not do; \ before a letter would mean \n, \t, \u...). */
static int put_word(const char *a) {
    if (!*a) return put('\'') || put('\'');
    for (int rc = 0; *a; a++) {
        unsigned char c = (unsigned char)*a;
        if (c < 0x80 && !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                          || strchr("-_./:,+@", c))) rc = put('\\');
        if (rc || put(*a)) return -1;
    }
    return 0;
}

static int write_all(int fd, const char *p, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) { if (errno == EINTR) continue; return -1; }
        p += w; n -= (size_t)w;
    }
    return 0;
}

int main(int argc, char **argv) {
    const char *path = getenv("WEFT_SOCKET");
    if (!path || !*path) path = "/run/weft/cli.sock";
    if (argc < 2) { fprintf(stderr, "usage: weft SCOPE:COMMAND [ARGS...] | weft 'LINE'\n"); return 2; }
    /* Flags only when a stream is a terminal: a pipe or a file gets plain text, as does socat. */
    int out_tty = isatty(1), err_tty = isatty(2);
    if (out_tty || err_tty) {
        const char *flags = out_tty && err_tty ? "stdout-tty stderr-tty" : out_tty ? "stdout-tty" : "stderr-tty";
        line[len++] = '\0';
        memcpy(line + len, flags, strlen(flags)); len += strlen(flags);
        line[len++] = '\0';
    }
    for (int i = 1; i < argc; i++) {
        if (strchr(argv[i], '\n')) { fprintf(stderr, "weft: an argument contains a newline\n"); return 2; }
        size_t l = strlen(argv[i]);
        int rc = (i == 1) ? (len + l + 2 > sizeof line ? -1 : (memcpy(line + len, argv[1], l), len += l, 0))
                          : (put(' ') || put_word(argv[i]));
        if (rc) { fprintf(stderr, "weft: command line longer than %zu bytes\n", sizeof line - 2); return 2; }
    }
    line[len++] = '\n';

    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    if (strlen(path) >= sizeof sa.sun_path) { fprintf(stderr, "weft: socket path too long: %s\n", path); return 2; }
    strcpy(sa.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
        if (errno == ENOENT || errno == ECONNREFUSED) {
            fprintf(stderr, "weft is not running: start it with ./weft start\n"); return 69;
        }
        fprintf(stderr, "weft: cannot connect to %s: %s\n", path, strerror(errno));
        return errno == EACCES ? 77 : 69;
    }
    if (write_all(fd, line, len) < 0) { fprintf(stderr, "weft: cannot send: %s\n", strerror(errno)); return 70; }

    char buf[65536], st[16]; int phase = 0, stlen = 0; ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) != 0) {
        if (n < 0) { if (errno == EINTR) continue; break; }
        char *p = buf, *end = buf + n;
        if (phase == 0) {                                     /* stdout until NUL */
            char *z = memchr(p, '\0', (size_t)n);
            write_all(1, p, (size_t)((z ? z : end) - p));
            if (!z) continue;
            phase = 1; p = z + 1;
        }
        for (; phase == 1 && p < end; p++) {                  /* status digits until '\n' */
            if (*p == '\n') phase = 2; else if (stlen < 15) st[stlen++] = *p;
        }
        if (phase == 2 && p < end) write_all(2, p, (size_t)(end - p));   /* stderr */
    }
    close(fd);
    if (phase < 2) { fprintf(stderr, "weft: the runtime closed the connection before the command ended\n"); return 70; }
    st[stlen] = 0;
    return atoi(st);
}
