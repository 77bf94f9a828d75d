package dev.fastvlm.modules;

import org.junit.jupiter.api.Test;

import java.lang.module.Configuration;
import java.lang.module.FindException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The library modules as JPMS sees them: each is a named module (a module-info, not an automatic
 * name), exports only the packages users call, requires only the modules the design allows
 * (api &lt;- genie-config &lt;- core; adb and the emulator without the pipeline, sharing only the ADB
 * wire format), and they
 * resolve together on a module path with their dependencies' real module names, the pipeline
 * found as the API's service provider. Every package of theirs has a package-info.
 */
class ModuleGraphTest {

    /** Each library module: a class in it, its name, the packages it exports, the library modules it may read. */
    private record Library(Class<?> anyClass, String name, Set<String> exports, Set<String> mayRequire) {
    }

    private static final List<Library> LIBRARIES = List.of(
            new Library(dev.fastvlm.FastVlm.class, "dev.fastvlm",
                    Set.of("dev.fastvlm", "dev.fastvlm.spi", "dev.fastvlm.transport"),
                    Set.of()),
            new Library(dev.fastvlm.genie.config.GenieConfig.class, "dev.fastvlm.genie",
                    Set.of("dev.fastvlm.genie.config", "dev.fastvlm.genie.qnn", "dev.fastvlm.genie.profile",
                            "dev.fastvlm.genie.soc"),
                    Set.of("dev.fastvlm")),
            new Library(dev.fastvlm.core.local.LocalTransport.class, "dev.fastvlm.core",
                    Set.of("dev.fastvlm.core.device", "dev.fastvlm.core.local", "dev.fastvlm.core.bundle"),
                    Set.of("dev.fastvlm", "dev.fastvlm.genie")),
            new Library(dev.fastvlm.adb.protocol.AdbMessage.class, "dev.fastvlm.adb.protocol",
                    Set.of("dev.fastvlm.adb.protocol"),
                    Set.of()),
            new Library(dev.fastvlm.adb.AdbTransport.class, "dev.fastvlm.adb",
                    Set.of("dev.fastvlm.adb"),
                    Set.of("dev.fastvlm", "dev.fastvlm.adb.protocol")),
            new Library(dev.fastvlm.emulator.DeviceEmulator.class, "dev.fastvlm.emulator",
                    Set.of("dev.fastvlm.emulator", "dev.fastvlm.emulator.model", "dev.fastvlm.emulator.tools"),
                    Set.of("dev.fastvlm", "dev.fastvlm.genie", "dev.fastvlm.adb.protocol")),
            new Library(dev.fastvlm.bundle.CheckpointImport.class, "dev.fastvlm.bundle",
                    Set.of("dev.fastvlm.bundle", "dev.fastvlm.bundle.safetensors"),
                    Set.of("dev.fastvlm", "dev.fastvlm.genie", "dev.fastvlm.core")));

    @Test
    void everyLibraryModuleIsANamedModuleThatExportsOnlyItsApi() throws Exception {
        for (Library library : LIBRARIES) {
            ModuleDescriptor descriptor = descriptorOf(library);
            assertThat(descriptor.isAutomatic()).as(library.name() + " has a module-info").isFalse();
            assertThat(descriptor.name()).isEqualTo(library.name());
            Set<String> unqualified = descriptor.exports().stream()
                    .filter(e -> !e.isQualified()).map(ModuleDescriptor.Exports::source)
                    .collect(Collectors.toCollection(TreeSet::new));
            assertThat(unqualified).as(library.name() + " exports").isEqualTo(new TreeSet<>(library.exports()));
            assertThat(descriptor.packages()).as(library.name() + " holds more than it exports")
                    .containsAll(library.exports());
        }
    }

    @Test
    void everyPackageOfALibraryModuleSaysWhatLivesThere() throws Exception {
        for (Library library : LIBRARIES) {
            // target/classes -> the module's folder -> src/main/java
            Path root = Path.of(library.anyClass().getProtectionDomain().getCodeSource().getLocation().toURI());
            Path sources = root.getParent().getParent().resolve("src/main/java");
            assertThat(sources).as("the sources of " + library.name()).isDirectory();
            for (String pkg : descriptorOf(library).packages()) {
                assertThat(sources.resolve(pkg.replace('.', '/')).resolve("package-info.java"))
                        .as("package-info of " + pkg).isRegularFile();
            }
        }
    }

    @Test
    void libraryModulesRequireOnlyWhatTheDesignAllows() throws Exception {
        Set<String> ours = LIBRARIES.stream().map(Library::name).collect(Collectors.toSet());
        for (Library library : LIBRARIES) {
            Set<String> requiredOfOurs = descriptorOf(library).requires().stream()
                    .map(ModuleDescriptor.Requires::name).filter(ours::contains).collect(Collectors.toSet());
            assertThat(requiredOfOurs).as(library.name() + " requires").isSubsetOf(library.mayRequire());
        }
    }

    @Test
    void theModulesResolveOnAModulePathAndTheApiFindsThePipeline() throws Exception {
        // Every class-path entry that is a module (or can be read as an automatic one), by name.
        Map<String, Path> byName = new HashMap<>();
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path path = Path.of(entry);
            try {
                for (ModuleReference found : ModuleFinder.of(path).findAll()) {
                    byName.putIfAbsent(found.descriptor().name(), path);
                }
            } catch (FindException | IllegalArgumentException notAModule) {
                // a jar no JPMS name can be made for: nothing a library module requires
            }
        }
        // The library modules and what they require, transitively: the module path a user needs.
        Set<Path> modulePath = new LinkedHashSet<>();
        Deque<String> todo = new ArrayDeque<>(LIBRARIES.stream().map(Library::name).toList());
        Set<String> seen = new TreeSet<>();
        while (!todo.isEmpty()) {
            String name = todo.pop();
            if (!seen.add(name) || ModuleFinder.ofSystem().find(name).isPresent()) {
                continue;
            }
            Path path = byName.get(name);
            assertThat(path).as("a jar whose module name is " + name + " (required by a library module)").isNotNull();
            modulePath.add(path);
            for (ModuleDescriptor.Requires requires : ModuleFinder.of(path).find(name).orElseThrow().descriptor().requires()) {
                if (!requires.modifiers().contains(ModuleDescriptor.Requires.Modifier.STATIC)) {
                    todo.push(requires.name());
                }
            }
        }
        ModuleFinder finder = ModuleFinder.of(modulePath.toArray(Path[]::new));
        Configuration configuration = ModuleLayer.boot().configuration()
                .resolveAndBind(finder, ModuleFinder.of(), LIBRARIES.stream().map(Library::name).toList());
        ModuleLayer layer = ModuleLayer.boot().defineModulesWithOneLoader(configuration, ClassLoader.getPlatformClassLoader());

        Class<?> service = layer.findLoader("dev.fastvlm").loadClass("dev.fastvlm.spi.FastVlmProvider");
        assertThat(service.getModule().getName()).isEqualTo("dev.fastvlm");
        List<String> providers = ServiceLoader.load(layer, service).stream()
                .map(provider -> provider.type().getName()).toList();
        assertThat(providers).containsExactly("dev.fastvlm.core.pipeline.CoreFastVlmProvider");
    }

    private static ModuleDescriptor descriptorOf(Library library) throws URISyntaxException {
        Path root = Path.of(library.anyClass().getProtectionDomain().getCodeSource().getLocation().toURI());
        return ModuleFinder.of(root).findAll().stream().findFirst().orElseThrow().descriptor();
    }
}
