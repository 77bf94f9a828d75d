package dev.fastvlm.core.tensor;

import dev.fastvlm.core.DesktopOnly;

import java.util.Optional;

/**
 * Whether this JVM resolved the Vector API's incubator module, and if so this module reads it. On
 * the module path this module reads only what its descriptor requires, and it does not require an
 * incubator module (every compile that names one warns, and the build fails on warnings), so the
 * read edge is added here, where the kernel is chosen; on the class path that changes nothing.
 * Android's runtime has no module layer at all: the lookup then fails to link, which means no.
 * Left out of the Android API check for that reason.
 */
@DesktopOnly("ModuleLayer: the JDK's module system")
final class VectorModule {

    private VectorModule() {
    }

    static boolean present() {
        try {
            Optional<Module> vector = ModuleLayer.boot().findModule("jdk.incubator.vector");
            vector.ifPresent(VectorModule.class.getModule()::addReads);
            return vector.isPresent();
        } catch (LinkageError e) {
            return false;
        }
    }
}
