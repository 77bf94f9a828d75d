package dev.fastvlm.core.qnn;

import com.sun.jna.Function;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;
import dev.fastvlm.ModelArtifactException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The QNN C API as a provider's function table (docs/qualcomm-formats.md section 13): loads
 * {@code libQnnHtp.so} (now, global: the HTP backend loads its stub and skel libraries after it)
 * or {@code libQnnSystem.so} (now, local), asks {@code QnnInterface_getProviders} /
 * {@code QnnSystemInterface_getProviders} for their providers, picks one whose API version this
 * binding speaks, and calls the table's slots by index. A provider's structure is read at the
 * offsets of a 64-bit build; the list stays valid while the library is loaded, which JNA keeps
 * for as long as this object is reachable.
 */
final class QnnApi {

    /** The core API major version whose table layout this binding knows. */
    static final int CORE_MAJOR = 2;
    /** The oldest core API minor with the 144-byte {@code Qnn_Tensor_t} and the slots used here (SDK 2.20). */
    static final int MIN_CORE_MINOR = 14;
    /** The system API major version whose table layout this binding knows. */
    static final int SYSTEM_MAJOR = 1;
    /** The oldest system API minor with systemContextCreate/GetBinaryInfo/Free (SDK 2.20). */
    static final int MIN_SYSTEM_MINOR = 1;
    /** {@code QNN_BACKEND_ID_HTP}. */
    static final int HTP_BACKEND_ID = 6;

    /** Core table slots ({@code QnnInterface_ImplementationV2_x_t}). */
    enum Core {
        backendCreate(1), backendFree(8), contextCreateFromBinary(13), contextFree(14), graphRetrieve(20),
        graphExecute(21), deviceCreate(40), deviceFree(43);

        final int slot;

        Core(int slot) {
            this.slot = slot;
        }
    }

    /** System table slots ({@code QnnSystemInterface_ImplementationV1_x_t}). */
    enum SystemSlot {
        systemContextCreate(0), systemContextGetBinaryInfo(1), systemContextGetMetaData(2), systemContextFree(3);

        final int slot;

        SystemSlot(int slot) {
            this.slot = slot;
        }
    }

    private static final int RTLD_NOW = 2;
    private static final int RTLD_GLOBAL = 0x100;
    private static final int TABLE_CORE = 40;
    private static final int TABLE_SYSTEM = 32;

    private final Path path;
    /** Held so the library (and with it the provider list) stays loaded. */
    private final NativeLibrary library;
    private final Pointer provider;
    private final int tableOffset;
    private final String version;
    private final String providerName;

    private QnnApi(Path path, NativeLibrary library, Pointer provider, int tableOffset, String version,
                   String providerName) {
        this.path = path;
        this.library = library;
        this.provider = provider;
        this.tableOffset = tableOffset;
        this.version = version;
        this.providerName = providerName;
    }

    /**
     * Loads the HTP backend library and picks its HTP provider of core API 2.14 or later.
     *
     * @throws ModelArtifactException the library is missing or cannot be loaded, or has no such provider
     */
    static QnnApi core(Path libQnnHtp) {
        return open(libQnnHtp, "QnnInterface_getProviders", RTLD_NOW | RTLD_GLOBAL, TABLE_CORE, CORE_MAJOR,
                MIN_CORE_MINOR, true);
    }

    /**
     * Loads the system library and picks a provider of system API 1.1 or later.
     *
     * @throws ModelArtifactException the library is missing or cannot be loaded, or has no such provider
     */
    static QnnApi system(Path libQnnSystem) {
        return open(libQnnSystem, "QnnSystemInterface_getProviders", RTLD_NOW, TABLE_SYSTEM, SYSTEM_MAJOR,
                MIN_SYSTEM_MINOR, false);
    }

    private static QnnApi open(Path path, String entry, int flags, int tableOffset, int major, int minMinor,
                               boolean htpOnly) {
        if (Native.POINTER_SIZE != 8) {
            throw new ModelArtifactException("the QNN binding reads QNN's structures as a 64-bit build lays them out;"
                    + " this JVM has " + (Native.POINTER_SIZE * 8) + "-bit pointers");
        }
        if (!Files.isRegularFile(path)) {
            throw new ModelArtifactException("no QNN library at " + path.toAbsolutePath());
        }
        NativeLibrary library;
        Function getProviders;
        try {
            library = NativeLibrary.getInstance(path.toAbsolutePath().toString(),
                    Map.of(Library.OPTION_OPEN_FLAGS, flags));
            getProviders = library.getFunction(entry);
        } catch (UnsatisfiedLinkError e) {
            throw new ModelArtifactException("cannot load the QNN library " + path + ": " + e.getMessage(), e);
        }
        PointerByReference list = new PointerByReference();
        IntByReference count = new IntByReference();
        long error = getProviders.invokeLong(new Object[] {list, count});
        if (error != 0) {
            throw new QnnException(entry, error, path.toString());
        }
        StringBuilder seen = new StringBuilder();
        Pointer providers = list.getValue();
        for (int i = 0; providers != null && i < count.getValue(); i++) {
            Pointer p = providers.getPointer(8L * i);
            int backendId = p.getInt(0);
            Pointer namePointer = p.getPointer(8);
            String name = namePointer == null ? "(unnamed)" : namePointer.getString(0);
            int vMajor = p.getInt(16);
            int vMinor = p.getInt(20);
            String version = vMajor + "." + vMinor + "." + p.getInt(24);
            seen.append(seen.length() == 0 ? "" : ", ").append(name).append(" (backend ").append(backendId)
                    .append(", API ").append(version).append(')');
            if (vMajor == major && vMinor >= minMinor && (!htpOnly || backendId == HTP_BACKEND_ID)) {
                return new QnnApi(path, library, p, tableOffset, version, name);
            }
        }
        throw new ModelArtifactException(path + " has no provider this binding can use: it needs "
                + (htpOnly ? "the HTP backend (id " + HTP_BACKEND_ID + ") with " : "") + "API " + major + "."
                + minMinor + " or a later " + major + ".x, and the library offers "
                + (seen.length() == 0 ? "none" : seen));
    }

    /** {@return the provider's API version, e.g. {@code 2.29.0}} */
    String version() {
        return version;
    }

    /** {@return the provider's name, e.g. {@code HTP_QTI_AISW}} */
    String providerName() {
        return providerName;
    }

    /** {@return the library's path} */
    Path path() {
        return path;
    }

    /**
     * The function in {@code slot} of the table.
     *
     * @throws ModelArtifactException the slot is empty (QNN allows that for what a backend lacks)
     */
    Function function(String name, int slot) {
        Pointer function = provider.getPointer(tableOffset + 8L * slot);
        if (function == null) {
            throw new ModelArtifactException(path + " (" + providerName + ", API " + version + ") does not implement "
                    + name + " (slot " + slot + " of its function table is empty)");
        }
        return Function.getFunction(function);
    }

    /** Whether {@code slot} holds a function. */
    boolean has(int slot) {
        return provider.getPointer(tableOffset + 8L * slot) != null;
    }

    @Override
    public String toString() {
        return path + " (" + providerName + ", API " + version + ", " + library.getName() + ")";
    }
}
