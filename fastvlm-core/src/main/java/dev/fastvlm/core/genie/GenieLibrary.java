package dev.fastvlm.core.genie;

import com.sun.jna.Callback;
import com.sun.jna.IntegerType;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;

/**
 * The part of Genie's C API (GenieCommon.h, GenieDialog.h, GenieProfile.h; docs/qualcomm-formats.md, section 7)
 * that {@link NativeGenie} calls. Handles are opaque pointers; every function returns a
 * {@code Genie_Status_t}.
 */
interface GenieLibrary extends Library {

    /** {@code GenieDialog_SentenceCode_t}: a whole query, the answer's last piece, and a query that was aborted. */
    int SENTENCE_COMPLETE = 0;
    int SENTENCE_END = 3;
    int SENTENCE_ABORT = 4;
    /** {@code Genie_Status_t} GENIE_STATUS_WARNING_ABORTED. */
    int STATUS_WARNING_ABORTED = 1;
    /** {@code GenieDialog_Action_t} ABORT. */
    int ACTION_ABORT = 1;

    /** {@code size_t}, whose width follows the platform. */
    final class SizeT extends IntegerType {
        private static final long serialVersionUID = 1L;

        public SizeT() {
            this(0);
        }

        public SizeT(long value) {
            super(Native.SIZE_T_SIZE, value, true);
        }
    }

    /** {@code GenieDialog_QueryCallback_t}. */
    interface QueryCallback extends Callback {
        void invoke(Pointer response, int sentenceCode, Pointer userData);
    }

    /** {@code GenieDialog_TokenToEmbeddingCallback_t}. */
    interface TokenToEmbeddingCallback extends Callback {
        void invoke(int token, Pointer embedding, int embeddingSizeBytes, Pointer userData);
    }

    /** {@code Genie_AllocCallback_t}. */
    interface AllocCallback extends Callback {
        void invoke(SizeT size, PointerByReference allocated);
    }

    int Genie_getApiMajorVersion();

    int Genie_getApiMinorVersion();

    int Genie_getApiPatchVersion();

    int GenieDialogConfig_createFromJson(String json, PointerByReference configHandle);

    int GenieDialogConfig_bindProfiler(Pointer configHandle, Pointer profileHandle);

    int GenieDialogConfig_free(Pointer configHandle);

    int GenieDialog_create(Pointer configHandle, PointerByReference dialogHandle);

    int GenieDialog_embeddingQuery(Pointer dialogHandle, Pointer embeddings, int embeddingsSize, int sentenceCode,
                                   TokenToEmbeddingCallback t2e, QueryCallback callback, Pointer userData);

    int GenieDialog_setMaxNumTokens(Pointer dialogHandle, int maxNumTokens);

    int GenieDialog_reset(Pointer dialogHandle);

    int GenieDialog_signal(Pointer dialogHandle, int action);

    int GenieDialog_free(Pointer dialogHandle);

    int GenieProfile_create(Pointer profileConfig, PointerByReference profileHandle);

    int GenieProfile_getJsonData(Pointer profileHandle, AllocCallback alloc, PointerByReference json);

    int GenieProfile_free(Pointer profileHandle);
}
