package dev.weft.cli.internal;

/**
 * Configuration of the local CLI, PID {@code dev.weft.cli} (the distribution ships
 * {@code etc/dev.weft.cli.cfg}). The socket's directory is not here: it is the instance's run
 * directory, framework property {@code weft.run.dir}. Names map as DS does: {@code _} becomes {@code .}.
 */
@interface CliConfig {
    /** {@code command.timeout.seconds}: a command line running longer is interrupted (status 124). */
    int command_timeout_seconds() default 60;

    /** {@code workers}: command lines that run at the same time; more wait in a queue. Read at activation. */
    int workers() default 8;

    /** {@code queue}: connections that may wait for a worker; beyond that a client gets status 75. */
    int queue() default 32;
}
