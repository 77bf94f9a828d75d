package dev.fastvlm.core.text;

import dev.fastvlm.core.DesktopOnly;

/**
 * The read edge to Jinjava on a module path. Jinjava has no module name (neither a descriptor nor
 * {@code Automatic-Module-Name}), so this module's descriptor cannot require it by a name that would
 * not change with its file: on a module path it is an automatic module that this module reads only
 * by the edge added here, and it calls {@link ChatTemplate#raiseException} by reflection, so the
 * package opens to it. On the class path both are in the unnamed module and nothing changes.
 * Android's runtime has no module system: the calls fail to link there, which means nothing to do.
 */
@DesktopOnly("java.lang.Module: the JDK's module system")
final class JinjavaModule {

    private JinjavaModule() {
    }

    /**
     * Lets {@code user}'s module read Jinjava's, and Jinjava reflect on {@code user}'s package.
     *
     * @param user the class that calls Jinjava
     * @throws IllegalStateException when Jinjava is on neither the class path nor the module path
     */
    static void read(Class<?> user) {
        Class<?> jinjava;
        try {
            jinjava = Class.forName("com.hubspot.jinjava.Jinjava", false, user.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("Jinjava (com.hubspot.jinjava:jinjava), which renders chat templates, "
                    + "is on neither the class path nor the module path", e);
        }
        try {
            Module self = user.getModule();
            self.addReads(jinjava.getModule());
            self.addOpens(user.getPackageName(), jinjava.getModule());
        } catch (LinkageError noModuleSystem) {
            // Android: one class loader, no modules, nothing to open
        }
    }
}
