/*
 * A stand-in for Qualcomm's libQnnHtp.so, written for fastvlm-java's tests (not Qualcomm code),
 * from the public facts of docs/qualcomm-formats.md section 13: QnnInterface_getProviders hands out
 * one provider (backend id 6, "HTP_QTI_AISW", core API 2.29) whose function table (69 slots) fills
 * backendCreate/Free, deviceCreate/Free, contextCreateFromBinary/Free, graphRetrieve and
 * graphExecute; every other slot is NULL, as QNN allows.
 *
 * Contexts are the device emulator's context binaries; executing a vision encoder's graph computes
 * exactly what the emulated qnn-net-run writes into its native output file (QnnNetRun.encodeImage:
 * per 64x64 patch the mean colour, in double sums of float elements, then the grid position and a
 * marker, quantized or converted to fp16 as the output tensor says). Creates and frees are counted
 * (QnnHtpStandIn_*) so tests can prove nothing leaks.
 *
 * Knobs (environment, or QnnHtpStandIn_setDelays): QNN_STANDIN_LOAD_MS (contextCreateFromBinary
 * sleeps, like loading a context onto the NPU), QNN_STANDIN_INFERENCE_MS (each graphExecute sleeps).
 * Compile with -DSTANDIN_CORE_MAJOR=N / -DSTANDIN_CORE_MINOR=N to pretend to be another API version.
 */
#include "qnn_standin_context.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#ifndef STANDIN_CORE_MAJOR
#define STANDIN_CORE_MAJOR 2
#endif
#ifndef STANDIN_CORE_MINOR
#define STANDIN_CORE_MINOR 29
#endif

#define SLOTS 69
#define QNN_SUCCESS 0
#define COMMON_INVALID_ARGUMENT 1004
#define COMMON_NOT_SUPPORTED 1000
#define BACKEND_INVALID_HANDLE 4001
#define CONTEXT_INVALID_HANDLE 5002
#define CONTEXT_CREATE_FROM_BINARY 5005
#define GRAPH_INVALID_HANDLE 6001
#define GRAPH_NO_SUCH_GRAPH 6002
#define GRAPH_INVALID_TENSOR 6004
#define DEVICE_INVALID_HANDLE 14001
#define DEVICE_IN_USE 14003

typedef struct { uint32_t major, minor, patch; } Version;
typedef struct {
    uint32_t backendId;
    const char *providerName;
    Version coreApiVersion;
    Version backendApiVersion;
    void *table[SLOTS];
} QnnInterface;

enum { MAGIC_BACKEND = 0x42414b44, MAGIC_DEVICE = 0x44455643, MAGIC_CONTEXT = 0x43545854 };

typedef struct Handle {
    uint32_t magic;
    struct Handle *owner;
    StandinContext context; /* contexts only */
} Handle;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static Handle *live[4096];
static atomic_int backends_live, devices_live, contexts_live, contexts_created, executions;
static atomic_long load_delay_ms = -1, inference_delay_ms = -1;

void QnnHtpStandIn_setDelays(int32_t load_ms, int32_t inference_ms) {
    load_delay_ms = load_ms;
    inference_delay_ms = inference_ms;
}
int32_t QnnHtpStandIn_liveHandles(void) { return backends_live + devices_live + contexts_live; }
int32_t QnnHtpStandIn_contextsCreated(void) { return contexts_created; }
int32_t QnnHtpStandIn_executions(void) { return executions; }

static long env_ms(const char *name, long override) {
    if (override >= 0) return override;
    const char *v = getenv(name);
    return v ? atol(v) : 0;
}

static void sleep_ms(long ms) {
    if (ms <= 0) return;
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

static Handle *track(uint32_t magic, Handle *owner) {
    Handle *h = calloc(1, sizeof(Handle));
    h->magic = magic;
    h->owner = owner;
    pthread_mutex_lock(&lock);
    for (int i = 0; i < 4096; i++) {
        if (!live[i]) { live[i] = h; break; }
    }
    pthread_mutex_unlock(&lock);
    return h;
}

/* The handle if it is live and of this kind. */
static Handle *find(void *p, uint32_t magic) {
    Handle *found = NULL;
    pthread_mutex_lock(&lock);
    for (int i = 0; i < 4096 && p; i++) {
        if (live[i] == p && live[i]->magic == magic) found = live[i];
    }
    pthread_mutex_unlock(&lock);
    return found;
}

static int in_use(Handle *owner) {
    int used = 0;
    pthread_mutex_lock(&lock);
    for (int i = 0; i < 4096; i++) {
        if (live[i] && live[i]->owner == owner) used = 1;
    }
    pthread_mutex_unlock(&lock);
    return used;
}

static void untrack(Handle *h) {
    pthread_mutex_lock(&lock);
    for (int i = 0; i < 4096; i++) {
        if (live[i] == h) live[i] = NULL;
    }
    pthread_mutex_unlock(&lock);
    h->magic = 0;
    free(h);
}

static uint64_t backendCreate(void *log, const void **config, void **backend) {
    (void) log; (void) config;
    if (!backend) return COMMON_INVALID_ARGUMENT;
    *backend = track(MAGIC_BACKEND, NULL);
    backends_live++;
    return QNN_SUCCESS;
}

static uint64_t backendFree(void *backend) {
    Handle *h = find(backend, MAGIC_BACKEND);
    if (!h) return BACKEND_INVALID_HANDLE;
    if (in_use(h)) return COMMON_INVALID_ARGUMENT;
    untrack(h);
    backends_live--;
    return QNN_SUCCESS;
}

static uint64_t deviceCreate(void *log, const void **config, void **device) {
    (void) log; (void) config;
    if (!device) return COMMON_INVALID_ARGUMENT;
    *device = track(MAGIC_DEVICE, NULL);
    devices_live++;
    return QNN_SUCCESS;
}

static uint64_t deviceFree(void *device) {
    Handle *h = find(device, MAGIC_DEVICE);
    if (!h) return DEVICE_INVALID_HANDLE;
    if (in_use(h)) return DEVICE_IN_USE;
    untrack(h);
    devices_live--;
    return QNN_SUCCESS;
}

static uint64_t contextCreateFromBinary(void *backend, void *device, const void **config, const void *buffer,
                                        uint64_t size, void **context, void *profile) {
    (void) config; (void) profile;
    Handle *b = find(backend, MAGIC_BACKEND);
    if (!b) return BACKEND_INVALID_HANDLE;
    Handle *d = device ? find(device, MAGIC_DEVICE) : NULL;
    if (device && !d) return DEVICE_INVALID_HANDLE;
    if (!context || !buffer) return COMMON_INVALID_ARGUMENT;
    StandinContext parsed;
    if (!read_context(buffer, size, &parsed)) return CONTEXT_CREATE_FROM_BINARY;
    sleep_ms(env_ms("QNN_STANDIN_LOAD_MS", load_delay_ms));
    /* a context holds its device (deviceFree fails while it lives) and its backend */
    Handle *c = track(MAGIC_CONTEXT, d ? d : b);
    c->context = parsed;
    *context = c;
    contexts_live++;
    contexts_created++;
    return QNN_SUCCESS;
}

static uint64_t contextFree(void *context, void *profile) {
    (void) profile;
    Handle *c = find(context, MAGIC_CONTEXT);
    if (!c) return CONTEXT_INVALID_HANDLE;
    untrack(c);
    contexts_live--;
    return QNN_SUCCESS;
}

/* A graph handle points into its context's graph table; it dies with the context. */
static StandinGraph *graph_of(void *graph, StandinContext **owner) {
    StandinGraph *found = NULL;
    pthread_mutex_lock(&lock);
    for (int i = 0; i < 4096 && graph; i++) {
        Handle *h = live[i];
        if (h && h->magic == MAGIC_CONTEXT) {
            for (uint32_t g = 0; g < h->context.nGraphs; g++) {
                if ((void *) &h->context.graphs[g] == graph) { found = &h->context.graphs[g]; *owner = &h->context; }
            }
        }
    }
    pthread_mutex_unlock(&lock);
    return found;
}

static uint64_t graphRetrieve(void *context, const char *name, void **graph) {
    Handle *c = find(context, MAGIC_CONTEXT);
    if (!c) return CONTEXT_INVALID_HANDLE;
    if (!name || !graph) return COMMON_INVALID_ARGUMENT;
    for (uint32_t g = 0; g < c->context.nGraphs; g++) {
        if (!strcmp(c->context.graphs[g].name, name)) {
            *graph = &c->context.graphs[g];
            return QNN_SUCCESS;
        }
    }
    return GRAPH_NO_SUCH_GRAPH;
}

/* The client tensor must be the registered one's id, type and shape, with a raw buffer of its size. */
static int tensor_matches(const void *t, const StandinTensor *spec) {
    uint32_t version = GET(uint32_t, t, T_VERSION);
    if ((version != 1 && version != 2) || GET(uint32_t, t, T_ID) != spec->id
        || GET(uint32_t, t, T_DATATYPE) != spec->dataType || GET(uint32_t, t, T_RANK) != spec->rank
        || GET(uint32_t, t, T_MEMTYPE) != 0 || !GET(void *, t, T_DATA)
        || GET(uint32_t, t, T_DATASIZE) != tensor_bytes(spec)) {
        return 0;
    }
    const uint32_t *dims = GET(const uint32_t *, t, T_DIMS);
    for (uint32_t i = 0; i < spec->rank; i++) {
        if (!dims || dims[i] != spec->dims[i]) return 0;
    }
    return 1;
}

/* Element i of the input as a real number, as QnnNetRun.element reads a native input file. */
static float element(const uint8_t *b, uint64_t i, const StandinTensor *spec) {
    float raw;
    switch (spec->dataType) {
        case DT_UFIXED_8: case DT_UINT_8: raw = b[i]; break;
        case DT_SFIXED_8: raw = (int8_t) b[i]; break;
        case DT_UFIXED_16: { uint16_t v; memcpy(&v, b + i * 2, 2); raw = v; break; }
        case DT_SFIXED_16: { int16_t v; memcpy(&v, b + i * 2, 2); raw = v; break; }
        case DT_INT_32: case DT_UINT_32: { int32_t v; memcpy(&v, b + i * 4, 4); raw = (float) v; break; }
        default: { float v; memcpy(&v, b + i * 4, 4); raw = v; break; }
    }
    if (spec->quantized) {
        return (raw + (float) spec->offset) * spec->scale;
    }
    return raw;
}

/* Java's Math.round(float): the closest int, ties towards positive infinity. */
static int java_round(float v) { return (int) floor((double) v + 0.5); }

/* The emulator's Fp16.fromFloat: round to nearest even. */
static uint16_t fp16(float f) {
    uint32_t bits;
    memcpy(&bits, &f, 4);
    uint32_t sign = (bits >> 16) & 0x8000, abs = bits & 0x7fffffff;
    if (abs > 0x7f800000) return (uint16_t) (sign | 0x7e00);
    if (abs >= 0x477ff000) return (uint16_t) (sign | 0x7c00);
    if (abs >= 0x38800000) {
        uint32_t half = (((abs >> 23) - 112) << 10) | ((abs & 0x7fffff) >> 13);
        uint32_t rest = abs & 0x1fff;
        if (rest > 0x1000 || (rest == 0x1000 && (half & 1))) half++;
        return (uint16_t) (sign | half);
    }
    float small;
    memcpy(&small, &abs, 4);
    return (uint16_t) (sign | (uint32_t) rint(small * 16777216.0f));
}

#define IMAGE 1024
#define GRID 16
#define PATCH (IMAGE / GRID)

static int encode_image(const StandinTensor *in, const uint8_t *pixels, const StandinTensor *out, uint8_t *dst,
                        int width) {
    int nchw = in->rank == 4 && in->dims[1] == 3;
    static __thread double sums[GRID * GRID][3];
    memset(sums, 0, sizeof sums);
    for (int y = 0; y < IMAGE; y++) {
        for (int x = 0; x < IMAGE; x++) {
            int p = (y / PATCH) * GRID + x / PATCH;
            for (int c = 0; c < 3; c++) {
                uint64_t index = nchw ? ((uint64_t) c * IMAGE + y) * IMAGE + x : ((uint64_t) y * IMAGE + x) * 3 + c;
                sums[p][c] += element(pixels, index, in);
            }
        }
    }
    double n = (double) PATCH * PATCH;
    for (int p = 0; p < GRID * GRID; p++) {
        for (int j = 0; j < width; j++) {
            float v = 0;
            if (j < 3) v = (float) (sums[p][j] / n);
            else if (j == 3) v = (p / GRID) / (float) GRID;
            else if (j == 4) v = (p % GRID) / (float) GRID;
            else if (j == 5) v = 1.0f;
            uint64_t i = (uint64_t) p * width + j;
            if (out->dataType == DT_FLOAT_16) {
                uint16_t h = fp16(v);
                memcpy(dst + i * 2, &h, 2);
            } else if (out->dataType == DT_UFIXED_8 && out->quantized) {
                int q = java_round(v / out->scale) - out->offset;
                dst[i] = (uint8_t) (q < 0 ? 0 : q > 255 ? 255 : q);
            } else if (out->dataType == DT_FLOAT_32) {
                memcpy(dst + i * 4, &v, 4);
            } else {
                return 0;
            }
        }
    }
    return 1;
}

static uint64_t graphExecute(void *graph, const void *inputs, uint32_t nIn, void *outputs, uint32_t nOut,
                             void *profile, void *signal) {
    (void) profile; (void) signal;
    StandinContext *context = NULL;
    StandinGraph *g = graph_of(graph, &context);
    if (!g) return GRAPH_INVALID_HANDLE;
    if (!inputs || !outputs || nIn != g->nIn || nOut != g->nOut) return COMMON_INVALID_ARGUMENT;
    for (uint32_t i = 0; i < nIn; i++) {
        if (!tensor_matches((const char *) inputs + i * T_SIZE, &g->in[i])) return GRAPH_INVALID_TENSOR;
    }
    for (uint32_t i = 0; i < nOut; i++) {
        if (!tensor_matches((const char *) outputs + i * T_SIZE, &g->out[i])) return GRAPH_INVALID_TENSOR;
    }
    if (strcmp(context->kind, "VISION_ENCODER") || g->out[0].rank != 3 || g->out[0].dims[1] != GRID * GRID
        || (int) g->out[0].dims[2] != context->width) {
        return COMMON_NOT_SUPPORTED;
    }
    sleep_ms(env_ms("QNN_STANDIN_INFERENCE_MS", inference_delay_ms));
    if (!encode_image(&g->in[0], GET(const uint8_t *, inputs, T_DATA), &g->out[0], GET(uint8_t *, outputs, T_DATA),
                      context->width)) {
        return COMMON_NOT_SUPPORTED;
    }
    executions++;
    return QNN_SUCCESS;
}

static QnnInterface provider = {
    6, "HTP_QTI_AISW", {STANDIN_CORE_MAJOR, STANDIN_CORE_MINOR, 0}, {5, 29, 0}, {0}};
static const QnnInterface *providers[] = {&provider};

uint64_t QnnInterface_getProviders(const QnnInterface ***list, uint32_t *count) {
    if (!list || !count) return COMMON_INVALID_ARGUMENT;
    provider.table[1] = (void *) backendCreate;
    provider.table[8] = (void *) backendFree;
    provider.table[13] = (void *) contextCreateFromBinary;
    provider.table[14] = (void *) contextFree;
    provider.table[20] = (void *) graphRetrieve;
    provider.table[21] = (void *) graphExecute;
    provider.table[40] = (void *) deviceCreate;
    provider.table[43] = (void *) deviceFree;
    *list = providers;
    *count = 1;
    return QNN_SUCCESS;
}
