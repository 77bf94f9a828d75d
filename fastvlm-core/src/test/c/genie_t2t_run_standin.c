/*
 * A stand-in genie-t2t-run for fastvlm-java's tests (not Qualcomm code): the program's flags,
 * output and profile (docs/qualcomm-formats.md, sections 3 and 4) over whatever libGenie.so the
 * loader finds, so that the process decoder and the in-process decoder can be compared on the same library.
 * Only embedding queries are supported: -c CONFIG -e FILE [-t TABLE]
 * [--embedding_query_output_type text] [--profile FILE].
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

typedef const void *Handle;
typedef void (*QueryCallback)(const char *response, int code, const void *userData);
typedef void (*T2eCallback)(int32_t token, void *embedding, uint32_t size, const void *userData);
typedef void (*AllocCallback)(size_t size, const char **allocated);

uint32_t Genie_getApiMajorVersion(void);
uint32_t Genie_getApiMinorVersion(void);
uint32_t Genie_getApiPatchVersion(void);
int32_t GenieDialogConfig_createFromJson(const char *json, Handle *config);
int32_t GenieDialogConfig_bindProfiler(Handle config, Handle profile);
int32_t GenieDialogConfig_free(Handle config);
int32_t GenieDialog_create(Handle config, Handle *dialog);
int32_t GenieDialog_embeddingQuery(Handle dialog, const void *embeddings, uint32_t size, int code, T2eCallback t2e,
                                   QueryCallback callback, const void *userData);
int32_t GenieDialog_free(Handle dialog);
int32_t GenieProfile_create(const void *config, Handle *profile);
int32_t GenieProfile_getJsonData(Handle profile, AllocCallback alloc, const char **json);
int32_t GenieProfile_free(Handle profile);

static const unsigned char *table;
static size_t table_size;
static int t2e_overflow;

static void t2e(int32_t token, void *embedding, uint32_t size, const void *userData) {
    (void) userData;
    size_t offset = (size_t) token * size;
    if (token < 0 || offset + size > table_size) {
        t2e_overflow = 1;
        memset(embedding, 0, size);
        return;
    }
    memcpy(embedding, table + offset, size);
}

static void on_piece(const char *response, int code, const void *userData) {
    (void) userData;
    switch (code) {
        case 0: printf("[COMPLETE]: %s", response); break;
        case 1: printf("[BEGIN]: %s", response); break;
        case 3: printf("%s[END]\n", response); break;
        case 4: printf("[ABORT]: %s", response); break;
        default: printf("%s", response); break;
    }
    fflush(stdout);
}

static void alloc(size_t size, const char **allocated) { *allocated = malloc(size); }

static char *read_file(const char *path, size_t *size) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *data = malloc((size_t) n + 1);
    if (fread(data, 1, (size_t) n, f) != (size_t) n) { fclose(f); free(data); return NULL; }
    fclose(f);
    data[n] = 0;
    *size = (size_t) n;
    return data;
}

static int fail(const char *message, const char *detail) {
    fprintf(stderr, "%s%s\n", message, detail ? detail : "");
    return 1;
}

int main(int argc, char **argv) {
    const char *config_path = NULL, *embedding_path = NULL, *table_path = NULL, *profile_path = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (i + 1 >= argc) return fail("Error: option needs a value: ", a);
        if (!strcmp(a, "-c") || !strcmp(a, "--config")) config_path = argv[++i];
        else if (!strcmp(a, "-e") || !strcmp(a, "--embedding_file")) embedding_path = argv[++i];
        else if (!strcmp(a, "-t") || !strcmp(a, "--embedding_table")) table_path = argv[++i];
        else if (!strcmp(a, "--profile")) profile_path = argv[++i];
        else if (!strcmp(a, "--embedding_query_output_type")) {
            if (strcmp(argv[++i], "text")) return fail("Error: only text output is supported, got ", argv[i]);
        } else return fail("Unknown option: ", a);
    }
    if (!config_path || !embedding_path) return fail("Error: -c CONFIG and -e EMBEDDINGS are required", NULL);
    if (profile_path && access(profile_path, F_OK) == 0) return fail("Error: profile file already exists: ", profile_path);
    size_t config_size, embedding_size;
    char *json = read_file(config_path, &config_size);
    if (!json) return fail("Error: failed to open config file ", config_path);
    char *embeddings = read_file(embedding_path, &embedding_size);
    if (!embeddings) return fail("Error: failed to open embedding file ", embedding_path);
    if (table_path) {
        int fd = open(table_path, O_RDONLY);
        struct stat st;
        if (fd < 0 || fstat(fd, &st) != 0) return fail("Error: failed to open embedding table ", table_path);
        table_size = (size_t) st.st_size;
        table = mmap(NULL, table_size, PROT_READ, MAP_PRIVATE, fd, 0);
        close(fd);
        if (table == MAP_FAILED) return fail("Error: cannot map ", table_path);
    }
    Handle profile = NULL, config = NULL, dialog = NULL;
    char status_text[32];
    int32_t status = GenieProfile_create(NULL, &profile);
    if (status == 0) status = GenieDialogConfig_createFromJson(json, &config);
    if (status != 0) {
        snprintf(status_text, sizeof status_text, "%d", status);
        return fail("Failed to create dialog config: status ", status_text);
    }
    GenieDialogConfig_bindProfiler(config, profile);
    status = GenieDialog_create(config, &dialog);
    if (status != 0) {
        snprintf(status_text, sizeof status_text, "%d", status);
        return fail("Failed to create dialog: status ", status_text);
    }
    printf("Using libGenie.so version %u.%u.%u\n\n", Genie_getApiMajorVersion(), Genie_getApiMinorVersion(),
           Genie_getApiPatchVersion());
    printf("Embedding file size: %zu bytes\n", embedding_size);
    fflush(stdout);
    status = GenieDialog_embeddingQuery(dialog, embeddings, (uint32_t) embedding_size, 0, table ? t2e : NULL,
                                        on_piece, NULL);
    if (t2e_overflow) return fail("Error: T2E conversion overflow.", NULL);
    if (status < 0) {
        snprintf(status_text, sizeof status_text, "%d", status);
        return fail("Error: query failed: status ", status_text);
    }
    if (profile_path) {
        const char *data = NULL;
        if (GenieProfile_getJsonData(profile, alloc, &data) != 0) return fail("Error: no profile data", NULL);
        FILE *out = fopen(profile_path, "wx");
        if (!out) return fail("Error: cannot write ", profile_path);
        fputs(data, out);
        fclose(out);
        free((void *) data);
    }
    GenieDialog_free(dialog);
    GenieDialogConfig_free(config);
    GenieProfile_free(profile);
    free(json);
    free(embeddings);
    return 0;
}
