package dev.fastvlm.core.pipeline;

import dev.fastvlm.FastVlmException;
import dev.fastvlm.GenerationOptions;
import dev.fastvlm.Stage;
import dev.fastvlm.TokenListener;
import dev.fastvlm.core.embed.CombinedEmbeddings;
import dev.fastvlm.genie.profile.DialogQuery;
import dev.fastvlm.genie.profile.GenieProfile;
import dev.fastvlm.transport.CommandResult;
import dev.fastvlm.transport.DeviceCommand;
import dev.fastvlm.transport.TransferListener;
import dev.fastvlm.transport.Upload;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * {@link dev.fastvlm.DecoderEngine#PROCESS}: a {@code genie-t2t-run} program per request, which
 * loads the model, reads the pushed config and combined embeddings, streams the answer and writes
 * its profile.
 */
final class ProcessDecoder implements Decoder {

    /** A Genie profile is a few kilobytes; anything near this is not one. */
    private static final int PROFILE_LIMIT = 16 * 1024 * 1024;

    private final DialogConfigs configs;
    private final String embeddingTable;

    /**
     * @param configs the instance's dialog configs
     * @param embeddingTable the device path of the synced embedding table, for generated tokens' rows
     */
    ProcessDecoder(DialogConfigs configs, String embeddingTable) {
        this.configs = configs;
        this.embeddingTable = embeddingTable;
    }

    @Override
    public DecoderOutput decode(RequestWork work, CombinedEmbeddings combined, GenerationOptions generation,
                                int maxNewTokens, DialogTurn turn, TokenListener listener) {
        // A program per prompt keeps nothing: every prompt carries the whole conversation.
        String embeddings = work.file("combined_embeddings.raw");
        String configFile = work.file("genie_config.json");
        // The config derives max-num-tokens from the prompt's rows and the context, as maxNewTokens does.
        byte[] json = work.clock().time(Stage.GENIE_CONFIG, () ->
                configs.forPrompt(combined.rows(), generation).toJson().getBytes(StandardCharsets.UTF_8));
        work.clock().time(Stage.PUSH_EMBEDDINGS, () -> work.device().writeAll(List.of(
                Upload.of(configFile, json).inPlace(),
                new Upload(embeddings, combined.byteSize(), combined::writeTo).inPlace()), TransferListener.NONE));
        GenieAnswerStream answer = new GenieAnswerStream(listener);
        DeviceCommand genie = DeviceTools.genieT2tRun(work.deviceDir(), configFile, embeddings, embeddingTable,
                work.file("profile.json"), work.remaining());
        CommandResult result = work.run(Stage.DECODER, genie, answer);
        answer.finish();
        // an [ABORT], a missing [END] or no answer is an IncompleteAnswerException, never a Description
        answer.check(QairtSdk.GENIE_T2T_RUN, result);
        return profile(work, answer.answer());
    }

    /** The answer with the figures of genie-t2t-run's profile. */
    private static DecoderOutput profile(RequestWork work, String text) {
        String file = work.file("profile.json");
        GenieProfile profile = work.clock().time(Stage.PROFILE, () -> GenieProfile.parse(
                new String(work.device().read(file, PROFILE_LIMIT), StandardCharsets.UTF_8),
                file + " on " + work.device().target()));
        DialogQuery query = profile.lastQuery().orElseThrow(() -> new FastVlmException(
                "genie-t2t-run's profile has no GenieDialog_query event"));
        Duration initTime = profile.dialogCreate().map(create -> Duration.ofNanos(create.initTimeMicros() * 1000))
                .orElse(Duration.ZERO);
        return new DecoderOutput(text, query, initTime);
    }

    @Override
    public void close() {
    }
}
