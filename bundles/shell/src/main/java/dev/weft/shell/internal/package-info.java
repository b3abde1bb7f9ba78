/**
 * Karaf shell commands over the {@link dev.weft.api.Controller} service: scopes {@code network},
 * {@code sandbox} and {@code driver}, one small class per command, completers as separate services.
 *
 * <p>Karaf's command extender scans the packages listed in the {@code Karaf-Commands} header for
 * classes annotated {@code @Service} (it does not recurse into sub-packages, so every command and
 * completer lives here). Nothing is exported.
 */
@Header(name = "Karaf-Commands", value = "${@package}")
package dev.weft.shell.internal;

import org.osgi.annotation.bundle.Header;
