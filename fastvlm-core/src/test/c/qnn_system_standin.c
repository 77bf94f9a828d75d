/*
 * A stand-in for Qualcomm's libQnnSystem.so, written for fastvlm-java's tests (not Qualcomm code),
 * from the public facts of docs/qualcomm-formats.md section 13: QnnSystemInterface_getProviders hands
 * out one provider (system API 1.6) with systemContextCreate, systemContextGetBinaryInfo,
 * systemContextGetMetaData and systemContextFree. The binary info of an emulated context binary
 * is laid out as QnnSystemContext_BinaryInfo_t version 1 (or -DSTANDIN_INFO_VERSION=3) with
 * GraphInfo version 1 and Qnn_Tensor_t version 2; it belongs to the system context and goes with it.
 * System contexts are counted (QnnSystemStandIn_liveHandles).
 */
#include "qnn_standin_context.h"

#include <stdatomic.h>

#ifndef STANDIN_INFO_VERSION
#define STANDIN_INFO_VERSION 1
#endif

#define QNN_SUCCESS 0
#define SYSTEM_INVALID_HANDLE 30000
#define SYSTEM_INVALID_ARGUMENT 30001
#define SYSTEM_MALFORMED_BINARY 30010
#define SYSTEM_MAGIC 0x53595343

typedef struct { uint32_t major, minor, patch; } Version;
typedef struct {
    uint32_t backendId;
    const char *providerName;
    Version systemApiVersion;
    void *table[16];
} QnnSystemInterface;

typedef struct {
    uint32_t magic;
    void *blocks[256]; /* what the binary info points to, freed with the context */
    int nBlocks;
} SystemContext;

static atomic_int live_contexts;

int32_t QnnSystemStandIn_liveHandles(void) { return live_contexts; }

static void *own(SystemContext *c, size_t size) {
    void *p = calloc(1, size);
    if (c->nBlocks < 256) c->blocks[c->nBlocks++] = p;
    return p;
}

static uint64_t systemContextCreate(void **context) {
    if (!context) return SYSTEM_INVALID_ARGUMENT;
    SystemContext *c = calloc(1, sizeof(SystemContext));
    c->magic = SYSTEM_MAGIC;
    *context = c;
    live_contexts++;
    return QNN_SUCCESS;
}

static uint64_t systemContextFree(void *context) {
    SystemContext *c = context;
    if (!c || c->magic != SYSTEM_MAGIC) return SYSTEM_INVALID_HANDLE;
    for (int i = 0; i < c->nBlocks; i++) free(c->blocks[i]);
    c->magic = 0;
    free(c);
    live_contexts--;
    return QNN_SUCCESS;
}

static void *tensors(SystemContext *c, const StandinTensor *list, uint32_t n, uint32_t type) {
    uint8_t *array = own(c, (size_t) T_SIZE * (n ? n : 1));
    for (uint32_t i = 0; i < n; i++) {
        uint8_t *t = array + (size_t) i * T_SIZE;
        const StandinTensor *s = &list[i];
        char *name = own(c, strlen(s->name) + 1);
        strcpy(name, s->name);
        uint32_t *dims = own(c, sizeof(uint32_t) * (s->rank ? s->rank : 1));
        memcpy(dims, s->dims, sizeof(uint32_t) * s->rank);
        GET(uint32_t, t, T_VERSION) = 2;
        GET(uint32_t, t, T_ID) = s->id;
        GET(char *, t, T_NAME) = name;
        GET(uint32_t, t, T_TYPE) = type;
        GET(uint32_t, t, T_DATATYPE) = s->dataType;
        GET(uint32_t, t, T_QDEF) = s->quantized ? 1 : UNDEFINED_ENUM;
        GET(uint32_t, t, T_QENC) = s->quantized ? 0 : UNDEFINED_ENUM;
        GET(float, t, T_SCALE) = s->scale;
        GET(int32_t, t, T_OFFSET) = s->offset;
        GET(uint32_t, t, T_RANK) = s->rank;
        GET(uint32_t *, t, T_DIMS) = dims;
        GET(uint32_t, t, T_MEMTYPE) = 0;
    }
    return array;
}

static uint64_t binaryInfo(void *context, const void *buffer, uint64_t size, const void **info, uint64_t *infoSize) {
    SystemContext *c = context;
    if (!c || c->magic != SYSTEM_MAGIC) return SYSTEM_INVALID_HANDLE;
    if (!buffer || !info) return SYSTEM_INVALID_ARGUMENT;
    StandinContext parsed;
    if (!read_context(buffer, size, &parsed)) return SYSTEM_MALFORMED_BINARY;
    uint8_t *graphs = own(c, 88 * parsed.nGraphs);
    for (uint32_t g = 0; g < parsed.nGraphs; g++) {
        uint8_t *gi = graphs + 88 * g;
        StandinGraph *sg = &parsed.graphs[g];
        char *name = own(c, strlen(sg->name) + 1);
        strcpy(name, sg->name);
        GET(uint32_t, gi, 0) = 1;
        GET(char *, gi, 8) = name;
        GET(uint32_t, gi, 16) = sg->nIn;
        GET(void *, gi, 24) = tensors(c, sg->in, sg->nIn, 0);
        GET(uint32_t, gi, 32) = sg->nOut;
        GET(void *, gi, 40) = tensors(c, sg->out, sg->nOut, 1);
    }
    uint8_t *bi = own(c, 144);
    GET(uint32_t, bi, 0) = STANDIN_INFO_VERSION;
    GET(uint32_t, bi, 8) = 6;
    GET(uint32_t, bi, 24) = 2;
    GET(uint32_t, bi, 28) = 29;
    if (STANDIN_INFO_VERSION == 3) {
        GET(uint64_t, bi, 72) = size;
        GET(uint32_t, bi, 96) = parsed.nGraphs;
        GET(void *, bi, 104) = graphs;
    } else {
        GET(uint64_t, bi, 96) = size;
        GET(uint32_t, bi, 120) = parsed.nGraphs;
        GET(void *, bi, 128) = graphs;
    }
    *info = bi;
    if (infoSize) *infoSize = 144;
    return QNN_SUCCESS;
}

static uint64_t getBinaryInfo(void *context, void *buffer, uint64_t size, const void **info, uint64_t *infoSize) {
    return binaryInfo(context, buffer, size, info, infoSize);
}

static uint64_t getMetaData(void *context, const void *buffer, uint64_t size, const void **info) {
    return binaryInfo(context, buffer, size, info, NULL);
}

static QnnSystemInterface provider = {6, "SYSTEM_QTI_AISW", {1, 6, 0}, {0}};
static const QnnSystemInterface *providers[] = {&provider};

uint64_t QnnSystemInterface_getProviders(const QnnSystemInterface ***list, uint32_t *count) {
    if (!list || !count) return SYSTEM_INVALID_ARGUMENT;
    provider.table[0] = (void *) systemContextCreate;
    provider.table[1] = (void *) getBinaryInfo;
    provider.table[2] = (void *) getMetaData;
    provider.table[3] = (void *) systemContextFree;
    *list = providers;
    *count = 1;
    return QNN_SUCCESS;
}
