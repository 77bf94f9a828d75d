/*
 * Shared by the stand-in libQnnHtp.so and libQnnSystem.so of fastvlm-java's tests (not Qualcomm
 * code): reads the device emulator's context binaries (the line FASTVLM-EMULATED-QNN-CONTEXT-BINARY,
 * then the context info JSON in qnn-context-binary-utility's layout plus a "fastvlm-emulation"
 * object; see EmulatedGraph), and lays tensors out as Qnn_Tensor_t does (144 bytes; offsets from
 * docs/qualcomm-formats.md section 13). A small JSON reader, enough for those documents.
 */
#ifndef QNN_STANDIN_CONTEXT_H
#define QNN_STANDIN_CONTEXT_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define EMULATED_MAGIC "FASTVLM-EMULATED-QNN-CONTEXT-BINARY v1 (emulated, not a Qualcomm binary)"
#define MAX_TENSORS 8
#define MAX_GRAPHS 8
#define MAX_RANK 8

/* Qnn_DataType_t */
#define DT_INT_32 0x0032
#define DT_UINT_8 0x0108
#define DT_UINT_32 0x0132
#define DT_FLOAT_16 0x0216
#define DT_FLOAT_32 0x0232
#define DT_SFIXED_8 0x0308
#define DT_SFIXED_16 0x0316
#define DT_UFIXED_8 0x0408
#define DT_UFIXED_16 0x0416
#define UNDEFINED_ENUM 0x7FFFFFFF

/* Qnn_Tensor_t offsets (144 bytes) */
#define T_SIZE 144
#define T_VERSION 0
#define T_ID 8
#define T_NAME 16
#define T_TYPE 24
#define T_FORMAT 28
#define T_DATATYPE 32
#define T_QDEF 40
#define T_QENC 44
#define T_SCALE 48
#define T_OFFSET 52
#define T_RANK 80
#define T_DIMS 88
#define T_MEMTYPE 96
#define T_DATA 104
#define T_DATASIZE 112

typedef struct {
    char name[128];
    uint32_t id;
    uint32_t dataType;
    uint32_t rank;
    uint32_t dims[MAX_RANK];
    int quantized;
    float scale;
    int32_t offset;
} StandinTensor;

typedef struct {
    char name[128];
    uint32_t nIn, nOut;
    StandinTensor in[MAX_TENSORS], out[MAX_TENSORS];
} StandinGraph;

typedef struct {
    char kind[32];
    int width;
    uint32_t nGraphs;
    StandinGraph graphs[MAX_GRAPHS];
} StandinContext;

/* ---- JSON ---- */
typedef enum { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ } JType;
typedef struct JNode {
    JType type;
    double num;
    char *str;
    int count;
    char **keys;
    struct JNode **items;
} JNode;

typedef struct {
    const char *p, *end;
    int failed;
} JParser;

static inline void jfree(JNode *n) {
    if (!n) return;
    for (int i = 0; i < n->count; i++) {
        if (n->keys) free(n->keys[i]);
        jfree(n->items[i]);
    }
    free(n->keys);
    free(n->items);
    free(n->str);
    free(n);
}

static inline void jspace(JParser *jp) {
    while (jp->p < jp->end && (*jp->p == ' ' || *jp->p == '\n' || *jp->p == '\r' || *jp->p == '\t')) jp->p++;
}

static inline char *jstring(JParser *jp) {
    if (jp->p >= jp->end || *jp->p != '"') { jp->failed = 1; return NULL; }
    jp->p++;
    size_t cap = 16, len = 0;
    char *s = malloc(cap);
    while (jp->p < jp->end && *jp->p != '"') {
        char c = *jp->p++;
        if (c == '\\') {
            if (jp->p >= jp->end) break;
            char e = *jp->p++;
            switch (e) {
                case 'n': c = '\n'; break;
                case 't': c = '\t'; break;
                case 'r': c = '\r'; break;
                case 'b': c = '\b'; break;
                case 'f': c = '\f'; break;
                case 'u': c = '?'; jp->p += (jp->end - jp->p >= 4) ? 4 : (jp->end - jp->p); break;
                default: c = e;
            }
        }
        if (len + 2 > cap) { cap *= 2; s = realloc(s, cap); }
        s[len++] = c;
    }
    if (jp->p >= jp->end) { jp->failed = 1; free(s); return NULL; }
    jp->p++;
    s[len] = 0;
    return s;
}

static inline JNode *jvalue(JParser *jp, int depth);

static inline void jadd(JNode *n, char *key, JNode *item) {
    n->items = realloc(n->items, sizeof(JNode *) * (n->count + 1));
    if (n->type == J_OBJ) n->keys = realloc(n->keys, sizeof(char *) * (n->count + 1));
    if (n->type == J_OBJ) n->keys[n->count] = key;
    n->items[n->count++] = item;
}

static inline JNode *jvalue(JParser *jp, int depth) {
    jspace(jp);
    if (jp->p >= jp->end || depth > 64) { jp->failed = 1; return NULL; }
    JNode *n = calloc(1, sizeof(JNode));
    char c = *jp->p;
    if (c == '{' || c == '[') {
        n->type = c == '{' ? J_OBJ : J_ARR;
        jp->p++;
        jspace(jp);
        if (jp->p < jp->end && *jp->p == (c == '{' ? '}' : ']')) { jp->p++; return n; }
        for (;;) {
            char *key = NULL;
            jspace(jp);
            if (n->type == J_OBJ) {
                key = jstring(jp);
                jspace(jp);
                if (jp->failed || jp->p >= jp->end || *jp->p != ':') { free(key); jp->failed = 1; return n; }
                jp->p++;
            }
            JNode *item = jvalue(jp, depth + 1);
            jadd(n, key, item);
            if (jp->failed) return n;
            jspace(jp);
            if (jp->p < jp->end && *jp->p == ',') { jp->p++; continue; }
            if (jp->p < jp->end && *jp->p == (c == '{' ? '}' : ']')) { jp->p++; return n; }
            jp->failed = 1;
            return n;
        }
    }
    if (c == '"') { n->type = J_STR; n->str = jstring(jp); return n; }
    if (!strncmp(jp->p, "true", 4) || !strncmp(jp->p, "null", 4)) {
        n->type = c == 't' ? J_BOOL : J_NULL; n->num = c == 't'; jp->p += 4; return n;
    }
    if (!strncmp(jp->p, "false", 5)) { n->type = J_BOOL; jp->p += 5; return n; }
    char *stop;
    n->type = J_NUM;
    n->num = strtod(jp->p, &stop);
    if (stop == jp->p) jp->failed = 1;
    jp->p = stop;
    return n;
}

static inline JNode *jget(JNode *n, const char *key) {
    if (!n || n->type != J_OBJ) return NULL;
    for (int i = 0; i < n->count; i++) if (!strcmp(n->keys[i], key)) return n->items[i];
    return NULL;
}

static inline const char *jstr(JNode *n) { return n && n->type == J_STR ? n->str : ""; }
static inline double jnum(JNode *n) { return n && n->type == J_NUM ? n->num : 0; }

/* ---- context binaries ---- */
static inline uint32_t data_type_code(const char *name) {
    static const struct { const char *name; uint32_t code; } types[] = {
        {"QNN_DATATYPE_INT_32", DT_INT_32}, {"QNN_DATATYPE_UINT_8", DT_UINT_8}, {"QNN_DATATYPE_UINT_32", DT_UINT_32},
        {"QNN_DATATYPE_FLOAT_16", DT_FLOAT_16}, {"QNN_DATATYPE_FLOAT_32", DT_FLOAT_32},
        {"QNN_DATATYPE_SFIXED_POINT_8", DT_SFIXED_8}, {"QNN_DATATYPE_SFIXED_POINT_16", DT_SFIXED_16},
        {"QNN_DATATYPE_UFIXED_POINT_8", DT_UFIXED_8}, {"QNN_DATATYPE_UFIXED_POINT_16", DT_UFIXED_16}};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        if (!strcmp(types[i].name, name)) return types[i].code;
    }
    return 0;
}

static inline uint32_t element_bytes(uint32_t dataType) {
    uint32_t bits = dataType & 0xff;
    return bits == 0x08 ? 1 : bits == 0x16 ? 2 : bits == 0x32 ? 4 : 8;
}

static inline uint64_t tensor_bytes(const StandinTensor *t) {
    uint64_t n = element_bytes(t->dataType);
    for (uint32_t i = 0; i < t->rank; i++) n *= t->dims[i];
    return n;
}

static inline int read_tensors(JNode *list, StandinTensor *out, uint32_t *count) {
    if (!list || list->type != J_ARR || list->count > MAX_TENSORS) return 0;
    *count = list->count;
    for (int i = 0; i < list->count; i++) {
        JNode *t = jget(list->items[i], "info");
        StandinTensor *s = &out[i];
        memset(s, 0, sizeof *s);
        strncpy(s->name, jstr(jget(t, "name")), sizeof s->name - 1);
        s->id = (uint32_t) jnum(jget(t, "id"));
        s->dataType = data_type_code(jstr(jget(t, "dataType")));
        JNode *dims = jget(t, "dimensions");
        if (!s->dataType || !dims || dims->type != J_ARR || dims->count > MAX_RANK) return 0;
        s->rank = dims->count;
        for (int d = 0; d < dims->count; d++) s->dims[d] = (uint32_t) jnum(dims->items[d]);
        JNode *q = jget(t, "quantizeParams");
        s->quantized = !strcmp(jstr(jget(q, "definition")), "QNN_DEFINITION_DEFINED");
        if (s->quantized) {
            JNode *so = jget(q, "scaleOffset");
            /* as the emulated tools read it: a double, narrowed to float */
            s->scale = (float) jnum(jget(so, "scale"));
            s->offset = (int32_t) jnum(jget(so, "offset"));
        }
    }
    return 1;
}

/* Parses an emulated context binary; 0 when it is not one. */
static inline int read_context(const void *buffer, uint64_t size, StandinContext *ctx) {
    size_t magic = strlen(EMULATED_MAGIC);
    if (!buffer || size < magic || memcmp(buffer, EMULATED_MAGIC, magic)) return 0;
    JParser jp = {(const char *) buffer + magic, (const char *) buffer + size, 0};
    JNode *doc = jvalue(&jp, 0);
    int ok = !jp.failed;
    memset(ctx, 0, sizeof *ctx);
    JNode *emulation = jget(doc, "fastvlm-emulation");
    JNode *graphs = jget(jget(doc, "info"), "graphs");
    if (ok && emulation && graphs && graphs->type == J_ARR && graphs->count > 0 && graphs->count <= MAX_GRAPHS) {
        strncpy(ctx->kind, jstr(jget(emulation, "kind")), sizeof ctx->kind - 1);
        ctx->width = (int) jnum(jget(emulation, "width"));
        ctx->nGraphs = graphs->count;
        for (int g = 0; g < graphs->count && ok; g++) {
            JNode *info = jget(graphs->items[g], "info");
            strncpy(ctx->graphs[g].name, jstr(jget(info, "graphName")), sizeof ctx->graphs[g].name - 1);
            ok = read_tensors(jget(info, "graphInputs"), ctx->graphs[g].in, &ctx->graphs[g].nIn)
                 && read_tensors(jget(info, "graphOutputs"), ctx->graphs[g].out, &ctx->graphs[g].nOut);
        }
    } else {
        ok = 0;
    }
    jfree(doc);
    return ok;
}

static inline void *field(void *tensor, int offset) { return (char *) tensor + offset; }

#define GET(type, tensor, offset) (*(type *) field((void *) (tensor), offset))

#endif
