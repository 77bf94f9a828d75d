/**
 * Qualcomm's file formats as Java types: Genie's JSON configurations, QNN context-binary
 * descriptions, Genie profiles and the Snapdragon chip table. The JSON helpers in
 * {@code dev.fastvlm.genie.internal} stay inside the module.
 */
module dev.fastvlm.genie {
    // exceptions extend the API's; configurations hand out Jackson's ObjectNode
    requires transitive dev.fastvlm;
    requires transitive com.fasterxml.jackson.databind;
    requires com.fasterxml.jackson.core;

    exports dev.fastvlm.genie.config;
    exports dev.fastvlm.genie.qnn;
    exports dev.fastvlm.genie.profile;
    exports dev.fastvlm.genie.soc;
    // the JSON and file helpers, shared with the pipeline only
    exports dev.fastvlm.genie.internal to dev.fastvlm.core;
    // the plain Java tokenizer of one-shot prompt encoding and of the emulated genie-t2t-run
    exports dev.fastvlm.genie.tokenizer to dev.fastvlm.core, dev.fastvlm.emulator;
}
