/**
 * The Karaf commands behind the {@code weft-cni} plugin executable (cli/weft-cni.c): {@code cni:add},
 * {@code cni:del}, {@code cni:check}, {@code cni:gc}, {@code cni:status}, one class each. Each takes the
 * CNI request (the plugin's environment and its network configuration) as one base64 JSON argument and
 * prints the CNI 1.1 result, or the CNI error JSON with a non-zero status.
 */
@Header(name = "Karaf-Commands", value = "${@package}")
package dev.weft.cni.internal;

import org.osgi.annotation.bundle.Header;
