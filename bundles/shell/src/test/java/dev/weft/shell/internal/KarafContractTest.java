package dev.weft.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Completer;
import org.junit.jupiter.api.Test;

/**
 * What Karaf 4.4's annotation scanner (CommandExtension, ManagerImpl) needs from each class, checked
 * without a container: {@code @Service} on the class itself (it is not inherited, so aliases carry
 * their own), {@code @Command} on every action, a public class with a public no-argument
 * constructor (ManagerImpl calls {@code Class.newInstance()}), and completers that are services.
 */
class KarafContractTest {
    static final List<Class<?>> COMMANDS = List.of(
            CreateNetwork.class, ListNetworks.class, ListNetworks.Ls.class, InspectNetwork.class,
            RemoveNetwork.class, RemoveNetwork.Rm.class, PruneNetworks.class, ConnectNetwork.class,
            DisconnectNetwork.class, CreateSandbox.class, ListSandboxes.class, ListSandboxes.Ls.class,
            InspectSandbox.class, RemoveSandbox.class, RemoveSandbox.Rm.class, ListDrivers.class, ListDrivers.Ls.class,
            ReapplyNetworks.class);
    static final List<Class<?>> COMPLETERS = List.of(
            NetworkNames.class, SandboxNames.class, DriverNames.class, NetworkModes.class, IpamDriverNames.class);

    @Test
    void everyCommandIsAnInstantiableServiceWithACommandAnnotation() throws Exception {
        Set<String> names = new TreeSet<>();
        for (Class<?> c : COMMANDS) {
            assertTrue(Action.class.isAssignableFrom(c), c + " is an Action");
            assertNotNull(c.getDeclaredAnnotation(Service.class), c + " has its own @Service");
            Command command = c.getDeclaredAnnotation(Command.class);
            assertNotNull(command, c + " has its own @Command");
            assertTrue(names.add(command.scope() + ":" + command.name()), "duplicate " + command.name());
            assertTrue(Modifier.isPublic(c.getModifiers()) && !Modifier.isAbstract(c.getModifiers()), c + " is public");
            assertNotNull(c.getConstructor().newInstance());
            assertTrue(hasControllerReference(c), c + " gets the Controller by @Reference");
        }
        assertEquals(Set.of("driver:list", "driver:ls", "network:connect", "network:create", "network:disconnect",
                "network:inspect", "network:list", "network:ls", "network:prune", "network:reapply", "network:remove", "network:rm",
                "sandbox:create", "sandbox:inspect", "sandbox:list", "sandbox:ls", "sandbox:remove", "sandbox:rm"), names);
    }

    @Test
    void everyCompleterIsAnInstantiableServiceAndEveryCompletionNamesOne() throws Exception {
        for (Class<?> c : COMPLETERS) {
            assertTrue(Completer.class.isAssignableFrom(c));
            assertNotNull(c.getDeclaredAnnotation(Service.class), c + " has @Service");
            assertNotNull(c.getConstructor().newInstance());
            assertTrue(hasControllerReference(c));
        }
        for (Class<?> c : COMMANDS) {
            for (Field f : c.getDeclaredFields()) {
                Completion completion = f.getAnnotation(Completion.class);
                if (completion != null) {
                    assertTrue(COMPLETERS.contains(completion.value()), c + "." + f.getName() + " uses a known completer");
                }
            }
        }
    }

    private static boolean hasControllerReference(Class<?> c) {
        for (Class<?> k = c; k != Object.class; k = k.getSuperclass()) {
            for (Field f : k.getDeclaredFields()) {
                if (f.isAnnotationPresent(Reference.class) && f.getType() == dev.weft.api.Controller.class) {
                    return true;
                }
            }
        }
        return false;
    }
}
