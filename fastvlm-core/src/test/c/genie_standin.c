/*
 * A stand-in for Qualcomm's libGenie.so, written for fastvlm-java's tests (not Qualcomm code).
 *
 * It exports the Genie C API calls the project uses, with Genie's status codes and sentence
 * codes (docs/qualcomm-formats.md, section 7), and instead of a language model it reports what reached it:
 * the embedding rows are classified as the emulated model writes them (text rows claim their
 * token id in elements 0..2 and must equal what the token-to-embedding callback returns for
 * that id; vision rows carry a patch colour, a grid position and a marker), and the answer
 * names the image's colours and counts the rows. The dialog remembers what its prompts held until
 * GenieDialog_reset (the KV cache of a conversation); once that history has an earlier user or
 * assistant turn (Qwen2's <|im_start|> role tokens), the answer reports the conversation instead:
 * the image's colours, the earlier user and assistant turns, whether a system turn was there and
 * the last question's length in tokens, the same whether the history came whole in one prompt
 * or turn by turn. Every generated token is fetched through the
 * token-to-embedding callback and checked. Handles are counted so tests can prove nothing leaks.
 *
 * Behaviour knobs (environment, or GenieStandIn_setDelays): GENIE_STANDIN_INIT_MS (dialog
 * creation sleeps, like a model load), GENIE_STANDIN_TOKEN_MS (each generated token sleeps). Faults
 * (GenieStandIn_setFaults): abort the query on its own after N tokens, with a reason in the ABORT
 * piece, or end it without the END piece. Compile with -DSTANDIN_API_MAJOR=N to pretend to be
 * another API version.
 */
#include <math.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifndef STANDIN_API_MAJOR
#define STANDIN_API_MAJOR 1
#endif

#define OK 0
#define WARNING_ABORTED 1
#define WARNING_CONTEXT_EXCEEDED 4
#define ERROR_GENERAL -1
#define ERROR_INVALID_ARGUMENT -2
#define ERROR_MEM_ALLOC -3
#define ERROR_INVALID_HANDLE -5
#define ERROR_QUERY_FAILED -6
#define ERROR_JSON_FORMAT -7
#define ERROR_JSON_SCHEMA -8
#define ERROR_JSON_VALUE -9
#define ERROR_GENERATE_FAILED -10

enum { SENTENCE_COMPLETE, SENTENCE_BEGIN, SENTENCE_CONTINUE, SENTENCE_END, SENTENCE_ABORT };
enum { ACTION_ABORT = 1, ACTION_PAUSE = 2 };

typedef void (*QueryCallback)(const char *response, int code, const void *userData);
typedef void (*T2eCallback)(int32_t token, void *embedding, uint32_t size, const void *userData);
typedef void (*AllocCallback)(size_t size, const char **allocated);

static atomic_int live_configs, live_dialogs, live_profiles, dialogs_created;

static atomic_long init_delay_ms = -1, token_delay_ms = -1;

/* Overrides GENIE_STANDIN_INIT_MS / GENIE_STANDIN_TOKEN_MS (-1: use the environment). */
void GenieStandIn_setDelays(int32_t init_ms, int32_t token_ms) {
    init_delay_ms = init_ms;
    token_delay_ms = token_ms;
}

static atomic_int fault_abort_after = -1, fault_drop_end;

/* abort_after >= 0: after that many tokens the query aborts by itself; drop_end != 0: no END piece. */
void GenieStandIn_setFaults(int32_t abort_after, int32_t drop_end) {
    fault_abort_after = abort_after;
    fault_drop_end = drop_end;
}

static atomic_int fill_answer;
static _Atomic double prompt_tokens_per_second;

/* For benchmarks: prompt processing takes rows / rate seconds (0: none), and with fill the answer
 * repeats its words until max-num-tokens, so every mode generates as many tokens. */
void GenieStandIn_setAnswer(int32_t fill, double prompt_rate) {
    fill_answer = fill;
    prompt_tokens_per_second = prompt_rate;
}

int32_t GenieStandIn_liveHandles(void) { return live_configs + live_dialogs + live_profiles; }
int32_t GenieStandIn_dialogsCreated(void) { return dialogs_created; }

uint32_t Genie_getApiMajorVersion(void) { return STANDIN_API_MAJOR; }
uint32_t Genie_getApiMinorVersion(void) { return 13; }
uint32_t Genie_getApiPatchVersion(void) { return 0; }

/* ---------- a small JSON reader: enough to check a dialog config as Genie does ---------- */

typedef enum { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ } JType;
typedef struct JNode {
    JType type;
    double num;
    char *str;            /* J_STR value, or the key of an object member */
    struct JNode *child;  /* first element / member */
    struct JNode *next;
} JNode;

static void jfree(JNode *n) {
    while (n) {
        JNode *next = n->next;
        jfree(n->child);
        free(n->str);
        free(n);
        n = next;
    }
}

static void skip_ws(const char **p) { while (**p == ' ' || **p == '\n' || **p == '\r' || **p == '\t') (*p)++; }

static char *parse_string(const char **p) {
    if (**p != '"') return NULL;
    (*p)++;
    size_t cap = 16, len = 0;
    char *out = malloc(cap);
    while (**p && **p != '"') {
        char c = **p;
        if (c == '\\') {
            (*p)++;
            switch (**p) {
                case 'n': c = '\n'; break;
                case 't': c = '\t'; break;
                case 'r': c = '\r'; break;
                case 'b': c = '\b'; break;
                case 'f': c = '\f'; break;
                case 'u':
                    for (int i = 1; i <= 4; i++) if (!(*p)[i]) { free(out); return NULL; }
                    *p += 4;
                    c = '?';
                    break;
                case '"': case '\\': case '/': c = **p; break;
                default: free(out); return NULL;
            }
        } else if ((unsigned char) c < 0x20) {
            free(out);
            return NULL;
        }
        if (len + 2 > cap) out = realloc(out, cap *= 2);
        out[len++] = c;
        (*p)++;
    }
    if (**p != '"') { free(out); return NULL; }
    (*p)++;
    out[len] = 0;
    return out;
}

static JNode *parse_value(const char **p, int depth);

static JNode *parse_members(const char **p, int depth, char close, int keyed) {
    JNode *node = calloc(1, sizeof(JNode)), **tail = &node->child;
    node->type = keyed ? J_OBJ : J_ARR;
    (*p)++;
    skip_ws(p);
    if (**p == close) { (*p)++; return node; }
    for (;;) {
        char *key = NULL;
        skip_ws(p);
        if (keyed) {
            key = parse_string(p);
            skip_ws(p);
            if (!key || **p != ':') { free(key); jfree(node); return NULL; }
            (*p)++;
        }
        JNode *value = parse_value(p, depth + 1);
        if (!value) { free(key); jfree(node); return NULL; }
        if (keyed) {
            /* keep the key next to the value: a member node holds the key and the value as child */
            JNode *member = calloc(1, sizeof(JNode));
            member->type = J_NULL;
            member->str = key;
            member->child = value;
            value = member;
        }
        *tail = value;
        tail = &value->next;
        skip_ws(p);
        if (**p == ',') { (*p)++; continue; }
        if (**p == close) { (*p)++; return node; }
        jfree(node);
        return NULL;
    }
}

static JNode *parse_value(const char **p, int depth) {
    if (depth > 64) return NULL;
    skip_ws(p);
    if (**p == '{') return parse_members(p, depth, '}', 1);
    if (**p == '[') return parse_members(p, depth, ']', 0);
    JNode *n = calloc(1, sizeof(JNode));
    if (**p == '"') {
        n->type = J_STR;
        if (!(n->str = parse_string(p))) { free(n); return NULL; }
    } else if (!strncmp(*p, "true", 4) || !strncmp(*p, "false", 5)) {
        n->type = J_BOOL;
        n->num = **p == 't';
        *p += **p == 't' ? 4 : 5;
    } else if (!strncmp(*p, "null", 4)) {
        n->type = J_NULL;
        *p += 4;
    } else {
        char *end;
        n->num = strtod(*p, &end);
        if (end == *p) { free(n); return NULL; }
        n->type = J_NUM;
        *p = end;
    }
    return n;
}

/* The value of member `key` of object `obj`, or NULL. */
static JNode *jget(JNode *obj, const char *key) {
    if (!obj || obj->type != J_OBJ) return NULL;
    for (JNode *m = obj->child; m; m = m->next) if (!strcmp(m->str, key)) return m->child;
    return NULL;
}

static int jcount(JNode *obj) {
    int n = 0;
    for (JNode *m = obj ? obj->child : NULL; m; m = m->next) n++;
    return n;
}

static int version_is_1(JNode *obj) {
    JNode *v = jget(obj, "version");
    return v && v->type == J_NUM && v->num == 1;
}

/* ---------- profile ---------- */

typedef struct {
    atomic_int magic;
    char *events;   /* comma-separated JSON event objects */
    size_t length;
} Profile;
#define PROFILE_MAGIC 0x50524f46

static void profile_add(Profile *profile, const char *event) {
    if (!profile) return;
    size_t add = strlen(event) + 1;
    profile->events = realloc(profile->events, profile->length + add + 1);
    if (profile->length) profile->events[profile->length++] = ',';
    memcpy(profile->events + profile->length, event, add);
    profile->length += add - 1;
}

int32_t GenieProfile_create(const void *config, const Profile **handle) {
    (void) config;
    if (!handle) return ERROR_INVALID_ARGUMENT;
    Profile *p = calloc(1, sizeof(Profile));
    if (!p) return ERROR_MEM_ALLOC;
    p->magic = PROFILE_MAGIC;
    live_profiles++;
    *handle = p;
    return OK;
}

int32_t GenieProfile_getJsonData(const Profile *handle, AllocCallback alloc, const char **json) {
    Profile *p = (Profile *) handle;
    if (!p || p->magic != PROFILE_MAGIC) return ERROR_INVALID_HANDLE;
    if (!alloc || !json) return ERROR_INVALID_ARGUMENT;
    const char *head = "{\"header\":{\"header_version\":{\"major\":0,\"minor\":1,\"patch\":0},"
                       "\"version\":{\"major\":0,\"minor\":1,\"patch\":0},\"artifact_type\":\"GENIE_PROFILE\"},"
                       "\"metadata\":{\"timestamp\":0},\"components\":[{\"name\":\"dialog0 (stand-in)\","
                       "\"type\":\"dialog\",\"events\":[";
    const char *tail = "]}]}";
    size_t size = strlen(head) + p->length + strlen(tail) + 1;
    const char *buffer = NULL;
    alloc(size, &buffer);
    if (!buffer) return ERROR_MEM_ALLOC;
    snprintf((char *) buffer, size, "%s%s%s", head, p->events ? p->events : "", tail);
    *json = buffer;
    return OK;
}

int32_t GenieProfile_free(const Profile *handle) {
    Profile *p = (Profile *) handle;
    if (!p || p->magic != PROFILE_MAGIC) return ERROR_INVALID_HANDLE;
    p->magic = 0;
    free(p->events);
    free(p);
    live_profiles--;
    return OK;
}

/* ---------- config and dialog ---------- */

typedef struct {
    int magic;
    int width, context_size, n_vocab, max_tokens;
    Profile *profile;
} Config;
#define CONFIG_MAGIC 0x434f4e46

typedef struct {
    int magic;
    int width, context_size, n_vocab, max_tokens;
    int occupied; /* rows in the KV cache: kept across queries until GenieDialog_reset */
    /* What the prompts since the last reset held (generated tokens not included): the conversation. */
    int32_t *history;
    int history_len, history_cap;
    int image_rows, image_left[14], image_right[14];
    atomic_int abort_requested;
    Profile *profile;
} Dialog;
#define DIALOG_MAGIC 0x4449414c

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

static uint64_t now_us(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t) t.tv_sec * 1000000u + (uint64_t) t.tv_nsec / 1000u;
}

static int positive_int(JNode *n) { return n && n->type == J_NUM && n->num > 0 && n->num == floor(n->num); }

int32_t GenieDialogConfig_createFromJson(const char *json, const Config **handle) {
    if (!json || !handle) return ERROR_INVALID_ARGUMENT;
    const char *p = json;
    JNode *root = parse_value(&p, 0);
    skip_ws(&p);
    if (!root || *p) { jfree(root); return ERROR_JSON_FORMAT; }
    int status = OK;
    JNode *dialog = jget(root, "dialog");
    JNode *context = jget(dialog, "context");
    JNode *embedding = jget(dialog, "embedding");
    JNode *engine = jget(dialog, "engine");
    JNode *max_tokens = jget(dialog, "max-num-tokens");
    JNode *width = embedding ? jget(embedding, "size") : jget(context, "n-embd");
    if (root->type != J_OBJ || jcount(root) != 1 || !dialog || dialog->type != J_OBJ || !version_is_1(dialog)
        || !jget(dialog, "type") || !jget(dialog, "tokenizer") || !context || !version_is_1(context)
        || !engine || !version_is_1(engine) || !jget(context, "size") || !jget(context, "n-vocab")
        || !jget(context, "eos-token") || !jget(context, "bos-token") || (embedding && !version_is_1(embedding))
        || !width) {
        status = ERROR_JSON_SCHEMA;
    } else if (!positive_int(width) || !positive_int(jget(context, "size")) || !positive_int(jget(context, "n-vocab"))
               || (max_tokens && (max_tokens->type != J_NUM || max_tokens->num < 0))) {
        status = ERROR_JSON_VALUE;
    }
    if (status == OK) {
        Config *c = calloc(1, sizeof(Config));
        if (!c) {
            status = ERROR_MEM_ALLOC;
        } else {
            c->magic = CONFIG_MAGIC;
            c->width = (int) width->num;
            c->context_size = (int) jget(context, "size")->num;
            c->n_vocab = (int) jget(context, "n-vocab")->num;
            c->max_tokens = max_tokens ? (int) max_tokens->num : 1 << 30;
            live_configs++;
            *handle = c;
        }
    }
    jfree(root);
    return status;
}

int32_t GenieDialogConfig_bindProfiler(const Config *config, const Profile *profile) {
    Config *c = (Config *) config;
    if (!c || c->magic != CONFIG_MAGIC || !profile || profile->magic != PROFILE_MAGIC) return ERROR_INVALID_HANDLE;
    c->profile = (Profile *) profile;
    return OK;
}

int32_t GenieDialogConfig_free(const Config *config) {
    Config *c = (Config *) config;
    if (!c || c->magic != CONFIG_MAGIC) return ERROR_INVALID_HANDLE;
    c->magic = 0;
    free(c);
    live_configs--;
    return OK;
}

int32_t GenieDialog_create(const Config *config, const Dialog **handle) {
    const Config *c = config;
    if (!c || c->magic != CONFIG_MAGIC) return ERROR_INVALID_HANDLE;
    if (!handle) return ERROR_INVALID_ARGUMENT;
    uint64_t start = now_us();
    sleep_ms(env_ms("GENIE_STANDIN_INIT_MS", init_delay_ms));
    Dialog *d = calloc(1, sizeof(Dialog));
    if (!d) return ERROR_MEM_ALLOC;
    d->magic = DIALOG_MAGIC;
    d->width = c->width;
    d->context_size = c->context_size;
    d->n_vocab = c->n_vocab;
    d->max_tokens = c->max_tokens;
    d->profile = c->profile;
    uint64_t init = now_us() - start;
    char event[256];
    snprintf(event, sizeof event, "{\"type\":\"GenieDialog_create\",\"duration\":%llu,\"start\":%llu,\"stop\":%llu,"
             "\"init-time\":{\"value\":%llu,\"unit\":\"us\"}}", (unsigned long long) init,
             (unsigned long long) start, (unsigned long long) (start + init), (unsigned long long) init);
    profile_add(d->profile, event);
    live_dialogs++;
    dialogs_created++;
    *handle = d;
    return OK;
}

int32_t GenieDialog_reset(const Dialog *dialog) {
    Dialog *d = (Dialog *) dialog;
    if (!d || d->magic != DIALOG_MAGIC) return ERROR_INVALID_HANDLE;
    d->occupied = 0;
    d->history_len = 0;
    d->image_rows = 0;
    memset(d->image_left, 0, sizeof d->image_left);
    memset(d->image_right, 0, sizeof d->image_right);
    d->abort_requested = 0;
    return OK;
}

int32_t GenieDialog_signal(const Dialog *dialog, int action) {
    Dialog *d = (Dialog *) dialog;
    if (!d || d->magic != DIALOG_MAGIC) return ERROR_INVALID_HANDLE;
    if (action != ACTION_ABORT && action != ACTION_PAUSE) return ERROR_INVALID_ARGUMENT;
    if (action == ACTION_ABORT) d->abort_requested = 1;
    return OK;
}

int32_t GenieDialog_setMaxNumTokens(const Dialog *dialog, uint32_t max_tokens) {
    Dialog *d = (Dialog *) dialog;
    if (!d || d->magic != DIALOG_MAGIC) return ERROR_INVALID_HANDLE;
    d->max_tokens = max_tokens > (uint32_t) (1 << 30) ? 1 << 30 : (int) max_tokens;
    return OK;
}

int32_t GenieDialog_free(const Dialog *dialog) {
    Dialog *d = (Dialog *) dialog;
    if (!d || d->magic != DIALOG_MAGIC) return ERROR_INVALID_HANDLE;
    d->magic = 0;
    free(d->history);
    free(d);
    live_dialogs--;
    return OK;
}

/* ---------- the emulated model's rows (see EmulatedEncoding) ---------- */

#define GRID 16
#define MARKER 5
#define VISION_TOLERANCE (1.01f / 128.0f)

static int claimed_token(const float *row) {
    int id = 0;
    for (int j = 2; j >= 0; j--) {
        int digit = (int) lroundf(row[j] * 64.0f) + 32;
        if (digit < 0 || digit > 63) return -1;
        id = (id << 6) | digit;
    }
    return id;
}

/* Patch index, with its colour in rgb, or -1 when the row is not a vision row. */
static int vision_patch(const float *row, int width, float *rgb) {
    if (width <= MARKER || fabsf(row[MARKER] - 1.0f) > VISION_TOLERANCE) return -1;
    for (int j = MARKER + 1; j < width; j++) if (fabsf(row[j]) > VISION_TOLERANCE) return -1;
    for (int j = 0; j < 3; j++) {
        if (row[j] < -VISION_TOLERANCE || row[j] > 1 + VISION_TOLERANCE) return -1;
        rgb[j] = row[j] < 0 ? 0 : row[j] > 1 ? 1 : row[j];
    }
    int r = (int) lroundf(row[3] * GRID), c = (int) lroundf(row[4] * GRID);
    if (r < 0 || r >= GRID || c < 0 || c >= GRID) return -1;
    return r * GRID + c;
}

static const char *const NAMES[] = {"black", "white", "gray", "red", "green", "blue", "yellow", "cyan", "magenta",
                                    "orange", "purple", "dark green", "navy", "maroon"};
static const float PALETTE[][3] = {{0, 0, 0}, {1, 1, 1}, {.5f, .5f, .5f}, {1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {1, 1, 0},
                                   {0, 1, 1}, {1, 0, 1}, {1, .5f, 0}, {.5f, 0, .5f}, {0, .5f, 0}, {0, 0, .5f},
                                   {.5f, 0, 0}};
#define COLOURS ((int) (sizeof NAMES / sizeof NAMES[0]))

static int colour(const float *rgb) {
    int best = 0;
    float best_d = 1e30f;
    for (int i = 0; i < COLOURS; i++) {
        float d = 0;
        for (int j = 0; j < 3; j++) d += (rgb[j] - PALETTE[i][j]) * (rgb[j] - PALETTE[i][j]);
        if (d < best_d) { best_d = d; best = i; }
    }
    return best;
}

static const char *dominant(const int *counts) {
    int best = -1;
    for (int i = 0; i < COLOURS; i++) if (counts[i] > 0 && (best < 0 || counts[i] > counts[best])) best = i;
    return best < 0 ? "nothing" : NAMES[best];
}

/* Qwen2's chat tokens, as the emulated bundle's tokenizer has them. */
#define IM_START 151644
#define IM_END 151645
#define ROLE_SYSTEM 8948
#define ROLE_USER 872
#define ROLE_ASSISTANT 77091

typedef struct {
    int system, users, assistants, last_question;
} Turns;

/* The turns of a chat-templated history: each <|im_start|> and its role; the last user turn's length. */
static Turns conversation(const int32_t *ids, int n) {
    Turns t = {0, 0, 0, 0};
    for (int i = 0; i + 1 < n; i++) {
        if (ids[i] != IM_START) continue;
        if (ids[i + 1] == ROLE_SYSTEM) t.system = 1;
        if (ids[i + 1] == ROLE_ASSISTANT) t.assistants++;
        if (ids[i + 1] == ROLE_USER) {
            t.users++;
            int start = i + 3, end = start; /* after the role and its newline */
            while (end < n && ids[end] != IM_END) end++;
            t.last_question = end > start ? end - start : 0;
        }
    }
    return t;
}

static void report(Dialog *d, uint64_t start, uint64_t first, uint64_t end, int prompt, int generated) {
    char event[768];
    uint64_t ttft = first - start, gen = end - first;
    double prompt_rate = ttft ? prompt * 1e6 / ttft : 0, gen_rate = gen && generated ? generated * 1e6 / gen : 0;
    snprintf(event, sizeof event, "{\"type\":\"GenieDialog_query\",\"duration\":%llu,\"start\":%llu,\"stop\":%llu,"
             "\"num-prompt-tokens\":{\"value\":%d,\"unit\":\"\"},"
             "\"prompt-processing-rate\":{\"value\":%.3f,\"unit\":\"toks/sec\"},"
             "\"time-to-first-token\":{\"value\":%llu,\"unit\":\"us\"},"
             "\"num-generated-tokens\":{\"value\":%d,\"unit\":\"\"},"
             "\"token-generation-rate\":{\"value\":%.3f,\"unit\":\"toks/sec\"},"
             "\"token-generation-time\":{\"value\":%llu,\"unit\":\"us\"}}",
             (unsigned long long) (end - start), (unsigned long long) start, (unsigned long long) end, prompt,
             prompt_rate, (unsigned long long) ttft, generated, gen_rate, (unsigned long long) gen);
    profile_add(d->profile, event);
}

int32_t GenieDialog_embeddingQuery(const Dialog *dialog, const void *embeddings, uint32_t size, int code,
                                   T2eCallback t2e, QueryCallback callback, const void *userData) {
    Dialog *d = (Dialog *) dialog;
    if (!d || d->magic != DIALOG_MAGIC) return ERROR_INVALID_HANDLE;
    uint32_t row_bytes = (uint32_t) d->width * sizeof(float);
    if (!embeddings || !callback || size == 0 || size % row_bytes != 0
        || (code != SENTENCE_COMPLETE && code != SENTENCE_BEGIN)) {
        return ERROR_INVALID_ARGUMENT;
    }
    int rows = (int) (size / row_bytes);
    if (d->occupied + rows > d->context_size) return ERROR_QUERY_FAILED;
    uint64_t start = now_us();
    const float *data = embeddings;
    float *scratch = malloc(row_bytes);
    int left[COLOURS] = {0}, right[COLOURS] = {0}, text = 0, vision = 0, other = 0;
    int32_t *text_ids = malloc(sizeof(int32_t) * (size_t) rows);
    for (int r = 0; r < rows; r++) {
        const float *row = data + (size_t) r * d->width;
        int id = claimed_token(row);
        if (id >= 0 && id < d->n_vocab && t2e) {
            t2e(id, scratch, row_bytes, userData);
            if (!memcmp(scratch, row, row_bytes)) {
                text_ids[text++] = id;
                continue;
            }
        }
        float rgb[3];
        int patch = vision_patch(row, d->width, rgb);
        if (patch < 0) {
            other++;
            continue;
        }
        vision++;
        (patch % GRID < GRID / 2 ? left : right)[colour(rgb)]++;
    }
    d->occupied += rows;
    if (d->history_len + text > d->history_cap) {
        int cap = d->history_len + text + 256;
        int32_t *grown = realloc(d->history, sizeof(int32_t) * (size_t) cap);
        if (!grown) {
            free(scratch);
            free(text_ids);
            return ERROR_MEM_ALLOC;
        }
        d->history = grown;
        d->history_cap = cap;
    }
    memcpy(d->history + d->history_len, text_ids, sizeof(int32_t) * (size_t) text);
    d->history_len += text;
    d->image_rows += vision;
    for (int i = 0; i < COLOURS; i++) {
        d->image_left[i] += left[i];
        d->image_right[i] += right[i];
    }
    Turns turns = conversation(d->history, d->history_len);
    char answer[512];
    if (turns.users > 1 || turns.assistants > 1) {
        /* A later turn: only what the whole conversation holds, the same whichever rows were resent. */
        snprintf(answer, sizeof answer, "Stand-in Genie recalls %d image rows: the image is %s on the left and %s on "
                 "the right; earlier turns: %d user and %d assistant; system prompt: %s; the last question has %d "
                 "tokens.", d->image_rows, dominant(d->image_left), dominant(d->image_right), turns.users - 1,
                 turns.assistants - 1, turns.system ? "yes" : "no", turns.last_question);
    } else {
        snprintf(answer, sizeof answer, "Stand-in Genie saw %d text rows, %d image rows and %d other rows at context "
                 "position %d; the image is %s on the left and %s on the right.", text, vision, other,
                 d->occupied - rows, dominant(left), dominant(right));
    }

    if (prompt_tokens_per_second > 0) sleep_ms((long) (rows * 1000.0 / prompt_tokens_per_second));
    uint64_t first = now_us();
    long token_ms = env_ms("GENIE_STANDIN_TOKEN_MS", token_delay_ms);
    int generated = 0, status = OK, budget = d->max_tokens;
    if (budget > d->context_size - d->occupied) budget = d->context_size - d->occupied;
    char piece[128];
    const char *at = answer;
    while (*at || (fill_answer && generated < budget)) {
        if (!*at) at = answer;
        if (d->abort_requested) {
            callback("", SENTENCE_ABORT, userData);
            status = WARNING_ABORTED;
            break;
        }
        if (generated == fault_abort_after) {
            callback("stand-in engine failure", SENTENCE_ABORT, userData);
            status = WARNING_ABORTED;
            break;
        }
        if (generated == budget) {
            status = generated < d->max_tokens ? WARNING_CONTEXT_EXCEEDED : OK;
            break;
        }
        /* One word with its leading space is one "token"; its id is one of the prompt's, fetched and checked. */
        const char *end = at + 1;
        while (*end && *end != ' ') end++;
        size_t n = (size_t) (end - at) < sizeof piece - 1 ? (size_t) (end - at) : sizeof piece - 1;
        memcpy(piece, at, n);
        piece[n] = 0;
        int32_t token = text ? text_ids[generated % text] : generated % d->n_vocab;
        if (t2e) {
            memset(scratch, 0xff, row_bytes);
            t2e(token, scratch, row_bytes, userData);
            if (claimed_token(scratch) != token) {
                status = ERROR_GENERATE_FAILED;
                break;
            }
        }
        sleep_ms(token_ms);
        if (generated == 0) first = now_us();
        callback(piece, generated == 0 ? SENTENCE_BEGIN : SENTENCE_CONTINUE, userData);
        generated++;
        d->occupied++;
        at = end;
    }
    if ((status == OK || status == WARNING_CONTEXT_EXCEEDED) && !fault_drop_end) callback("", SENTENCE_END, userData);
    free(scratch);
    free(text_ids);
    report(d, start, first, now_us(), rows, generated);
    return status;
}
